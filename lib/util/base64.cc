#include "util/base64.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace modelseal::util {
namespace {

// Sextet values of the standard alphabet (RFC 4648 §4); -1 elsewhere.
constexpr std::array<std::int8_t, 256> MakeSextets() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] =
        static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr std::array<std::int8_t, 256> kSextets = MakeSextets();

int SextetOf(char c) { return kSextets[static_cast<unsigned char>(c)]; }

}  // namespace

std::string Base64Encode(absl::string_view bytes) {
  return absl::Base64Escape(bytes);
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError("base64 length is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::string out(text.size() / 4 * 3 - padding, '\0');
  // Every group but the last holds four data characters: decoded without a
  // branch per character (a -1 anywhere sets the sign bit of `invalid`),
  // since DSSE payloads of large models are hundreds of kilobytes. A bad
  // group is then found again by the loop below, which says what is wrong.
  const std::size_t full_groups = text.empty() ? 0 : text.size() / 4 - 1;
  int invalid = 0;
  char* const bytes = out.data();
  for (std::size_t g = 0; g < full_groups; ++g) {
    const char* in = text.data() + 4 * g;
    const int a = SextetOf(in[0]);
    const int b = SextetOf(in[1]);
    const int c = SextetOf(in[2]);
    const int d = SextetOf(in[3]);
    invalid |= a | b | c | d;
    const auto group = (static_cast<std::uint32_t>(a) << 18) |
                       (static_cast<std::uint32_t>(b) << 12) |
                       (static_cast<std::uint32_t>(c) << 6) |
                       static_cast<std::uint32_t>(d);
    bytes[3 * g] = static_cast<char>(group >> 16);
    bytes[3 * g + 1] = static_cast<char>((group >> 8) & 0xff);
    bytes[3 * g + 2] = static_cast<char>(group & 0xff);
  }
  const std::size_t start = invalid < 0 ? 0 : 4 * full_groups;
  std::size_t written = invalid < 0 ? 0 : 3 * full_groups;
  for (std::size_t i = start; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int value = 0;
      if (j < data_chars) {
        value = SextetOf(text[i + j]);
        if (value < 0) {
          return absl::InvalidArgumentError(text[i + j] == '='
                                                ? "misplaced base64 padding"
                                                : "invalid base64 character");
        }
      }
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out[written++] = static_cast<char>(group >> 16);
    if (data_chars >= 3)
      out[written++] = static_cast<char>((group >> 8) & 0xff);
    if (data_chars == 4) out[written++] = static_cast<char>(group & 0xff);
    // Canonical form: the bits below the last full byte must be zero.
    if ((data_chars == 2 && (group & 0xffff) != 0) ||
        (data_chars == 3 && (group & 0xff) != 0)) {
      return absl::InvalidArgumentError("non-canonical base64 padding bits");
    }
  }
  return out;
}

}  // namespace modelseal::util
