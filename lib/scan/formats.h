// Header validators of the weight formats that hold no code (internal):
// safetensors and GGUF. Both read headers only, through a Source, and report
// every problem as a finding; a non-OK status is an I/O failure.
#ifndef MODELSEAL_SCAN_FORMATS_H_
#define MODELSEAL_SCAN_FORMATS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "scan/io.h"
#include "scan/sink.h"

namespace modelseal::scan_internal {

// safetensors (huggingface/safetensors, the format section of its README):
// u64 little-endian header length N, N bytes of UTF-8 JSON, then the data.
absl::Status CheckSafetensors(const Source& source, FindingSink& sink);

// GGUF v2/v3 (ggml docs/gguf.md): header, metadata, tensor infos, aligned
// data section.
absl::Status CheckGguf(const Source& source, FindingSink& sink);

// Jinja template injection markers in a chat template; returns the first
// one found, or an empty view.
absl::string_view FindTemplateInjection(absl::string_view chat_template);

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_FORMATS_H_
