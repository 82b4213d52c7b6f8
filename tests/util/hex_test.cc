#include "modelseal/hex.h"

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

}  // namespace
}  // namespace modelseal
