#include "util/utf8.h"

#include <cstdint>

namespace modelseal::util {

std::size_t Utf8SequenceLength(absl::string_view text, std::size_t at) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char lead = bytes[at];
  if (lead < 0x80) return 1;
  std::size_t extra = 0;
  std::uint32_t code = 0;
  if ((lead & 0xe0) == 0xc0) {
    extra = 1;
    code = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2;
    code = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - at <= extra) return 0;
  for (std::size_t k = 1; k <= extra; ++k) {
    if ((bytes[at + k] & 0xc0) != 0x80) return 0;
    code = (code << 6) | (bytes[at + k] & 0x3f);
  }
  static constexpr std::uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[extra] || code > 0x10ffff ||
      (code >= 0xd800 && code <= 0xdfff)) {
    return 0;
  }
  return extra + 1;
}

}  // namespace modelseal::util
