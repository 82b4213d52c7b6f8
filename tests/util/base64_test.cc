#include "util/base64.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace modelseal::util {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

std::string RandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

// RFC 4648 §10 test vectors, both ways.
TEST(Base64Test, DecodesAndEncodesTheRfcVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zm8=", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"},
      {"Zm9vYmFy", "foobar"}};
  for (const auto& [text, bytes] : vectors) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string decoded, Base64Decode(text));
    EXPECT_EQ(decoded, bytes) << text;
    EXPECT_EQ(Base64Encode(bytes), text);
  }
}

// Every length up to several groups, so that both the grouped loop and the
// last group's padding rules are reached.
TEST(Base64Test, DecodesWhatAbseilEncodesAtEveryLength) {
  for (std::size_t size = 0; size <= 300; ++size) {
    const std::string bytes =
        RandomBytes(size, static_cast<std::uint32_t>(size));
    const std::string text = absl::Base64Escape(bytes);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string decoded, Base64Decode(text));
    EXPECT_EQ(decoded, bytes) << size;
  }
}

// A bad character anywhere, also deep inside a long text, is refused with
// the reason, never decoded around.
TEST(Base64Test, RefusesABadCharacterAtEveryPosition) {
  const std::string text = absl::Base64Escape(RandomBytes(96, 7));
  ASSERT_EQ(text.size(), 128u);
  for (std::size_t at = 0; at < text.size(); ++at) {
    for (char bad : {'*', '-', '_', ' ', '\n', '\0', '\x80', '\xff'}) {
      std::string broken = text;
      broken[at] = bad;
      EXPECT_THAT(Base64Decode(broken),
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("invalid base64 character")))
          << at << " " << static_cast<int>(bad);
    }
    // '=' before the last two characters is never padding.
    if (at + 2 < text.size()) {
      std::string broken = text;
      broken[at] = '=';
      EXPECT_THAT(Base64Decode(broken),
                  StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("misplaced base64 padding")))
          << at;
    }
  }
}

TEST(Base64Test, RefusesNonCanonicalBitsAndBadLengthsAfterLongText) {
  const std::string prefix = absl::Base64Escape(RandomBytes(300, 9));
  EXPECT_THAT(Base64Decode(prefix + "AB=="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("non-canonical base64 padding bits")));
  EXPECT_THAT(Base64Decode(prefix + "AAB="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("non-canonical base64 padding bits")));
  EXPECT_THAT(Base64Decode(prefix + "AAA"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a multiple of 4")));
  EXPECT_THAT(Base64Decode(prefix + "A==="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("misplaced base64 padding")));
}

}  // namespace
}  // namespace modelseal::util
