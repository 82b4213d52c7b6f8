// Parses arbitrary entry bundles and hash tiles at every width. Nothing may
// crash, and whatever parses must serialize back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "modelseal/transparency_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the width (0..255 -> 1..256).
  const int width = data[0] + 1;
  const absl::string_view input(reinterpret_cast<const char*>(data + 1),
                                size - 1);
  auto entries = modelseal::tlog::ParseEntryBundle(input, width);
  if (entries.ok()) {
    if (entries->size() != static_cast<std::size_t>(width)) std::abort();
    auto bundle = modelseal::tlog::FormatEntryBundle(*entries);
    if (!bundle.ok() || *bundle != input) std::abort();
  }
  auto hashes = modelseal::tlog::ParseHashTile(input, width);
  if (hashes.ok()) {
    std::string again;
    for (const auto& hash : *hashes) {
      again.append(reinterpret_cast<const char*>(hash.data()), hash.size());
    }
    if (again != input) std::abort();
  }
  return 0;
}
