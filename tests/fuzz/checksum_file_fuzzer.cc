// Parses arbitrary checksum files; every accepted line must format and parse
// back to itself.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "modelseal/checksum_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (std::size_t digest_bytes : {32, 64}) {
    auto lines = modelseal::ParseChecksumFile(input, digest_bytes);
    if (!lines.ok()) continue;
    std::string formatted;
    for (const auto& line : *lines) {
      formatted += modelseal::FormatChecksumLine(line.digest, line.path);
    }
    auto again = modelseal::ParseChecksumFile(formatted, digest_bytes);
    if (!again.ok() || again->size() != lines->size()) std::abort();
    for (std::size_t i = 0; i < lines->size(); ++i) {
      if ((*again)[i].path != (*lines)[i].path ||
          (*again)[i].digest != (*lines)[i].digest) {
        std::abort();
      }
    }
  }
  return 0;
}
