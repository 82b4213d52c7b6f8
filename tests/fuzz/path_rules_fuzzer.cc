// Ignore-path normalization and UTF-8 validation on arbitrary strings:
// normalization is idempotent and never yields '.', '..' or empty parts.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "modelseal/model_walk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)modelseal::IsValidUtf8(input);
  auto normalized = modelseal::NormalizeIgnorePath(input);
  if (!normalized.ok()) return 0;
  auto again = modelseal::NormalizeIgnorePath(*normalized);
  if (!again.ok() || *again != *normalized) std::abort();
  for (absl::string_view part : absl::StrSplit(*normalized, '/')) {
    if (part.empty() || part == "." || part == "..") std::abort();
  }
  if (!modelseal::IsIgnored(*normalized, {*normalized})) std::abort();
  if (!modelseal::IsIgnored(*normalized + "/x", {*normalized})) std::abort();
  if (modelseal::IsIgnored(*normalized + "x", {*normalized})) std::abort();
  return 0;
}
