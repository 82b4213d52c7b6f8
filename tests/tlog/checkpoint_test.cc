// c2sp.org/tlog-checkpoint bodies: strict parsing, formatting, and opening
// a signed checkpoint against pinned keys.
#include "modelseal/checkpoint.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

// The example in the tlog-checkpoint spec.
constexpr char kSpecBody[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr char kRoot[] = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

TEST(CheckpointTest, RejectsMalformedBodies) {
  const std::string root = kRoot;
  for (const std::string& body : std::vector<std::string>{
           std::string(""),
           std::string("\n"),
           "origin\n1\n" + root,          // no final newline
           std::string("origin\n1\n"),    // no root line
           "\n1\n" + root + "\n",         // empty origin
           "origin\n\n" + root + "\n",    // empty size
           "origin\n01\n" + root + "\n",  // leading zero
           "origin\n00\n" + root + "\n",
           "origin\n+1\n" + root + "\n",
           "origin\n-1\n" + root + "\n",
           "origin\n1 \n" + root + "\n",
           "origin\n0x10\n" + root + "\n",
           "origin\n1\n\n",                            // empty root
           "origin\n1\nAAAA\n",                        // 3-byte root
           "origin\n1\n" + root.substr(0, 43) + "\n",  // not padded
           "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
           "origin\n1\n" + root + "\n\n",  // empty extension line
           "origin\n1\n" + root + "\next\n\n",
           "ori\tgin\n1\n" + root + "\n",  // control character
           "origin\n1\n" + root + "\nex\rt\n",
       }) {
    EXPECT_THAT(ParseCheckpoint(body),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")))
        << body;
  }
}

TEST(CheckpointTest, BoundsSizesAndCounts) {
  const std::string root = kRoot;
  EXPECT_THAT(
      ParseCheckpoint("o\n99999999999999999999\n" + root + "\n"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("overflows")));
  EXPECT_THAT(
      ParseCheckpoint("o\n281474976710657\n" + root + "\n"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("limit")));
  EXPECT_THAT(
      ParseCheckpoint(std::string(2000, 'o') + "\n1\n" + root + "\n"),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("origin")));
  std::string many = "o\n1\n" + root + "\n";
  for (int i = 0; i < 65; ++i) absl::StrAppend(&many, "ext", i, "\n");
  EXPECT_THAT(
      ParseCheckpoint(many),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("extension")));
}

TEST(CheckpointTest, FormatRejectsFieldsThatWouldNotParse) {
  Checkpoint checkpoint;
  checkpoint.origin = "";
  EXPECT_THAT(FormatCheckpoint(checkpoint),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  checkpoint.origin = "two\nlines";
  EXPECT_THAT(FormatCheckpoint(checkpoint),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  checkpoint.origin = "ok";
  checkpoint.extensions = {""};
  EXPECT_THAT(FormatCheckpoint(checkpoint),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(CheckpointTest, OpenRejectsTheWrongOriginAndUnknownKeys) {
  auto keys = GenerateNoteKey("example.com/log");
  ASSERT_THAT(keys, IsOk());
  auto signer = NoteSigner::Parse(keys->signer_key.value());
  ASSERT_THAT(signer, IsOk());
  const NoteSigner* signers[] = {&*signer};
  auto note = SignNote(kSpecBody, signers);
  ASSERT_THAT(note, IsOk());
  const NoteVerifier known[] = {signer->verifier()};
  EXPECT_THAT(OpenCheckpoint(*note, known, "example.com/other"),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("example.com/other")));
  auto stranger = GenerateNoteKey("example.com/log");
  ASSERT_THAT(stranger, IsOk());
  auto stranger_verifier = NoteVerifier::Parse(stranger->verifier_key);
  ASSERT_THAT(stranger_verifier, IsOk());
  const NoteVerifier wrong[] = {*stranger_verifier};
  EXPECT_THAT(OpenCheckpoint(*note, wrong, ""),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  auto opened = OpenCheckpoint(*note, known, "example.com/behind-the-sofa");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->checkpoint.size, 20852163u);
  EXPECT_EQ(opened->note, *note);
}

TEST(CheckpointTest, ParsesTheSpecExample) {
  auto checkpoint = ParseCheckpoint(kSpecBody);
  ASSERT_THAT(checkpoint, IsOk());
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->size, 20852163u);
  EXPECT_EQ(HexEncode(checkpoint->root),
            "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
  EXPECT_TRUE(checkpoint->extensions.empty());
  auto text = FormatCheckpoint(*checkpoint);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, kSpecBody);
}

TEST(CheckpointTest, RoundTripsExtensionsAndEdgeSizes) {
  for (std::uint64_t size :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 48}) {
    Checkpoint checkpoint;
    checkpoint.origin = "example.com/log 42";  // spaces are allowed here
    checkpoint.size = size;
    checkpoint.root = EmptyTreeRoot();
    checkpoint.extensions = {"ext one", "\xE2\x80\x94 not a signature"};
    auto text = FormatCheckpoint(checkpoint);
    ASSERT_THAT(text, IsOk());
    auto parsed = ParseCheckpoint(*text);
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, checkpoint);
  }
}

}  // namespace
}  // namespace modelseal::tlog
