#include "modelseal/hash.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

TEST(HasherTest, KnownAnswersForEveryAlgorithm) {
  // FIPS 180-4 example "abc"; RFC 7693 Appendix A (BLAKE2b-512 of "abc");
  // BLAKE3 official test vector for the empty input.
  EXPECT_EQ(HexEncode(HashBytes(HashAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(HashBytes(HashAlgorithm::kBlake2b, "abc")),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
  EXPECT_EQ(HexEncode(HashBytes(HashAlgorithm::kBlake3, "")),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
}

TEST(HasherTest, IncrementalUpdatesMatchOneShot) {
  std::string data(100000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>(i * 7);
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
        HashAlgorithm::kBlake3}) {
    auto hasher = Hasher::Create(algorithm);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t at = 0;
    for (std::size_t step = 1; at < data.size(); step = step * 3 + 1) {
      const std::size_t n = std::min(step, data.size() - at);
      hasher->Update(absl::MakeConstSpan(bytes + at, n));
      at += n;
    }
    EXPECT_EQ(hasher->Finish(), HashBytes(algorithm, data))
        << HashAlgorithmName(algorithm);
    EXPECT_EQ(HashBytes(algorithm, data).size(), DigestBytes(algorithm));
  }
}

TEST(HasherTest, ParsesOnlyKnownNames) {
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
        HashAlgorithm::kBlake3}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        HashAlgorithm parsed, ParseHashAlgorithm(HashAlgorithmName(algorithm)));
    EXPECT_EQ(parsed, algorithm);
  }
  EXPECT_THAT(ParseHashAlgorithm("md5"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("md5")));
  EXPECT_THAT(
      ParseHashAlgorithm("SHA256"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SHA256")));
}

}  // namespace
}  // namespace modelseal
