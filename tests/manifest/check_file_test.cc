#include "modelseal/checksum_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

const std::vector<std::uint8_t> kDigest(32, 0xab);

TEST(ChecksumFileTest, FormatsLikeSha256sum) {
  EXPECT_EQ(FormatChecksumLine(kDigest, "dir/model.safetensors"),
            HexEncode(kDigest) + "  dir/model.safetensors\n");
}

TEST(ChecksumFileTest, EscapesBackslashAndNewlineLikeCoreutils) {
  EXPECT_EQ(FormatChecksumLine(kDigest, "a\\b\nc"),
            "\\" + HexEncode(kDigest) + "  a\\\\b\\nc\n");
}

TEST(ChecksumFileTest, RoundTripsEveryFormattedLine) {
  const std::vector<std::string> paths = {
      "plain", "with space",   "a\\b",        "new\nline",
      "*star", "ends in cr\r", "cr\r\rinside"};
  std::string contents;
  for (const std::string& path : paths)
    contents += FormatChecksumLine(kDigest, path);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto lines, ParseChecksumFile(contents, 32));
  ASSERT_EQ(lines.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(lines[i].path, paths[i]);
    EXPECT_EQ(lines[i].digest, kDigest);
  }
}

TEST(ChecksumFileTest, AcceptsBinaryMarkerAndCrlf) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto lines, ParseChecksumFile(HexEncode(kDigest) + " *file.bin\r\n", 32));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].path, "file.bin");
}

TEST(ChecksumFileTest, RejectsMalformedLinesWithTheirNumber) {
  const std::string good = HexEncode(kDigest) + "  ok\n";
  EXPECT_THAT(
      ParseChecksumFile(good + "nonsense\n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
  EXPECT_THAT(
      ParseChecksumFile(HexEncode(kDigest) + " x\n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(
      ParseChecksumFile(std::string(64, 'g') + "  x\n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hex digit")));
  EXPECT_THAT(
      ParseChecksumFile(good, 64),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--algorithm")));
  EXPECT_THAT(
      ParseChecksumFile("\\" + HexEncode(kDigest) + "  bad\\q\n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("escape")));
  EXPECT_THAT(ParseChecksumFile(std::string("x\0y", 3), 32),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
  EXPECT_THAT(
      ParseChecksumFile("\n\n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no checksum")));
  EXPECT_THAT(
      ParseChecksumFile(HexEncode(kDigest) + "  \n", 32),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

}  // namespace
}  // namespace modelseal
