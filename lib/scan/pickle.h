// The pickle disassembler (internal): walks every opcode of protocols 0-5,
// executing nothing, emulating the stack, the marks and the memo well enough
// to resolve every import (GLOBAL, INST, STACK_GLOBAL), and judges each
// import against an allow-list. Bounded memory whatever the stream's size.
#ifndef MODELSEAL_SCAN_PICKLE_H_
#define MODELSEAL_SCAN_PICKLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/finding.h"
#include "scan/io.h"
#include "scan/sink.h"

namespace modelseal::scan_internal {

struct PickleScanOptions {
  // Stop after this many pickles (a legacy torch file holds five, then raw
  // storage bytes). 0: read pickles until the end of the stream.
  std::size_t max_pickles = 0;
};

struct PickleScanResult {
  std::size_t pickles = 0;  // STOP opcodes reached
  std::uint64_t opcodes = 0;
  std::uint64_t bytes = 0;  // bytes consumed from the stream
  bool saw_import = false;  // a GLOBAL, INST or STACK_GLOBAL was seen
  bool complete = false;    // ended cleanly (no malformed finding)
  // Distinct imports as "module.name", at most 64, in the order seen.
  std::vector<std::string> imports;
};

// Disassembles `stream` and adds findings to `sink`. A non-OK status is an
// I/O failure of the stream (content errors are findings).
absl::StatusOr<PickleScanResult> ScanPickleStream(
    Stream& stream, const PickleScanOptions& options, FindingSink& sink);

enum class ImportVerdict {
  kAllowed,         // on the allow-list
  kNotAllowed,      // unknown: an error
  kDangerous,       // known to run code or reach the OS: critical
  kAttributeChain,  // a dotted or dunder name: fails closed
};

// Classifies `module`.`name` as the unpickler would import it (after the
// Python 2 name mapping, which the caller applies for protocols < 3).
ImportVerdict ClassifyImport(absl::string_view module, absl::string_view name);

// The Python 2 -> 3 renames pickle applies for protocols < 3 (CPython
// Lib/_compat_pickle.py): updates module and name in place.
void MapPython2Import(std::string& module, std::string& name);

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_PICKLE_H_
