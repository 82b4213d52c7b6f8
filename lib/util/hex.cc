#include "modelseal/hex.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace modelseal {
namespace {

// Nibble values of hex digits (either case); -1 elsewhere. A table: the
// statements of large models hold thousands of digests, and the branches of
// a range test per character were a tenth of reading one.
constexpr std::array<std::int8_t, 256> MakeNibbles() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    table['a' + i] = static_cast<std::int8_t>(10 + i);
    table['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return table;
}
constexpr std::array<std::int8_t, 256> kNibbles = MakeNibbles();

int HexValue(char c) { return kNibbles[static_cast<unsigned char>(c)]; }

}  // namespace

std::string HexEncode(absl::Span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

absl::StatusOr<std::vector<std::uint8_t>> HexDecode(absl::string_view hex) {
  if (hex.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hex string has odd length ", hex.size()));
  }
  std::vector<std::uint8_t> out(hex.size() / 2);
  // A non-digit's -1 sets the sign bit of `invalid`; the offset is only
  // searched for once the whole string is known to be bad.
  int invalid = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    invalid |= high | low;
    out[i] = static_cast<std::uint8_t>((static_cast<unsigned>(high) << 4) |
                                       (static_cast<unsigned>(low) & 0xfu));
  }
  if (invalid < 0) {
    std::size_t offset = 0;
    while (HexValue(hex[offset]) >= 0) ++offset;
    return absl::InvalidArgumentError(
        absl::StrCat("not a hex digit at offset ", offset));
  }
  return out;
}

}  // namespace modelseal
