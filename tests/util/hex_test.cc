#include "modelseal/hex.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HexTest, EncodesLowerCase) {
  const std::uint8_t bytes[] = {0x00, 0xab, 0xff, 0x10};
  EXPECT_EQ(HexEncode(bytes), "00abff10");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, DecodesBothCases) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto bytes, HexDecode("00AbfF10"));
  EXPECT_THAT(bytes, ElementsAre(0x00, 0xab, 0xff, 0x10));
}

TEST(HexTest, RejectsOddLengthAndForeignCharacters) {
  EXPECT_THAT(HexDecode("abc"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("odd")));
  EXPECT_THAT(HexDecode("zz"), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("hex digit")));
  EXPECT_THAT(HexDecode("0 "), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("offset 1")));
}

TEST(HexTest, DecodesEveryByteItEncodes) {
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string hex = HexEncode(all);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto lower, HexDecode(hex));
  EXPECT_EQ(lower, all);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto upper,
                                 HexDecode(absl::AsciiStrToUpper(hex)));
  EXPECT_EQ(upper, all);
}

TEST(HexTest, RejectsEveryOtherCharacterInEitherHalfOfAByte) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (absl::ascii_isxdigit(static_cast<unsigned char>(c))) continue;
    EXPECT_THAT(
        HexDecode(std::string("00") + ch + "0"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset 2")))
        << c;
    EXPECT_THAT(
        HexDecode(std::string("000") + ch),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset 3")))
        << c;
  }
}

}  // namespace
}  // namespace modelseal
