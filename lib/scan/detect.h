// Format detection by content (internal): magic bytes first, a trial parse
// for the pickles of protocols 0 and 1 (which have no magic), names only for
// Python sources.
#ifndef MODELSEAL_SCAN_DETECT_H_
#define MODELSEAL_SCAN_DETECT_H_

#include "absl/strings/string_view.h"

namespace modelseal::scan_internal {

enum class Sniffed {
  kSafetensors,
  kGguf,
  kPickle,         // protocol 2+ header: certainly a pickle
  kMaybePickle,    // starts with a protocol 0/1 opcode: decided by a probe
  kPytorchLegacy,  // the legacy torch.save magic-number pickle
  kZip,
  kGzipOrZlib,
  kBzip2,
  kXz,
  kZstd,
  k7z,
  kTar,
  kNumpy,
  kHdf5,
  kJson,
  kPython,
  kText,
  kUnknown,
};

// `head` is the first limits::kScanSniffBytes bytes (fewer for a short
// file); `name` the file or member name (for `*.py` only).
Sniffed Sniff(absl::string_view head, absl::string_view name);

// True when `head` is text: no NUL, valid UTF-8 (a sequence cut by the end
// of `head` is fine).
bool LooksLikeText(absl::string_view head);

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_DETECT_H_
