// C2SP signed notes: the Go sumdb/note and C2SP vectors
// (tests/vectors/signed-note/), then strict parsing and the signature rules.
#include "modelseal/signed_note.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/tlog/tlog_test_util.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kVectors =
    MODELSEAL_TEST_VECTORS_DIR "/signed-note/vectors.json";

struct NoteVector {
  std::string skey;  // may be empty
  std::string vkey;
  std::string text;
  std::string signature_line;
};

std::vector<NoteVector> LoadVectors() {
  const google::protobuf::Struct json = testing::ParseJsonFile(kVectors);
  std::vector<NoteVector> out;
  for (const auto& item : json.fields().at("notes").list_value().values()) {
    const auto& fields = item.struct_value().fields();
    NoteVector v;
    if (fields.count("skey")) v.skey = fields.at("skey").string_value();
    v.vkey = fields.at("vkey").string_value();
    v.text = fields.at("text").string_value();
    v.signature_line = fields.at("signature_line").string_value();
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> LoadBadKeys() {
  const google::protobuf::Struct json = testing::ParseJsonFile(kVectors);
  std::vector<std::string> out;
  for (const auto& item : json.fields().at("bad_vkeys").list_value().values()) {
    out.push_back(item.string_value());
  }
  return out;
}

NoteVerifier MustParseVerifier(const std::string& key) {
  auto verifier = NoteVerifier::Parse(key);
  EXPECT_THAT(verifier, IsOk());
  return *std::move(verifier);
}

// A fresh key and a note it signed.
struct Signed {
  NoteKeyPair keys;
  std::string note;
};
Signed SignFresh(const std::string& name, const std::string& text) {
  auto keys = GenerateNoteKey(name);
  EXPECT_THAT(keys, IsOk());
  auto signer = NoteSigner::Parse(keys->signer_key.value());
  EXPECT_THAT(signer, IsOk());
  const NoteSigner* signers[] = {&*signer};
  auto note = SignNote(text, signers);
  EXPECT_THAT(note, IsOk());
  return {*std::move(keys), *note};
}

// --- Failure paths -------------------------------------------------------

TEST(SignedNoteTest, RejectsEachBadVerifierKeyAtParseTime) {
  const std::vector<std::string> bad = LoadBadKeys();
  ASSERT_EQ(bad.size(), 2u);
  for (const std::string& key : bad) {
    EXPECT_THAT(NoteVerifier::Parse(key),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")))
        << key;
  }
}

TEST(SignedNoteTest, RejectsMalformedKeys) {
  for (const std::string& key : std::vector<std::string>{
           "",
           "PeterNeumann",
           "PeterNeumann+c74f20a3",
           "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "Peter "
           "Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
       }) {
    EXPECT_THAT(NoteVerifier::Parse(key),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")))
        << key;
  }
  const NoteVector peter = LoadVectors()[0];
  EXPECT_THAT(
      NoteSigner::Parse(peter.vkey),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PRIVATE+KEY")));
  // A signer key whose ID does not match the key, and one with a public key.
  std::string wrong_id = peter.skey;
  wrong_id.replace(wrong_id.find("c74f20a3"), 8, "c74f20a4");
  EXPECT_THAT(NoteSigner::Parse(wrong_id),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not match")));
  EXPECT_THAT(NoteSigner::Parse("PRIVATE+KEY+" + peter.vkey),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(GenerateNoteKey("bad name"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(GenerateNoteKey("a+b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(SignedNoteTest, IgnoresUnknownKeysButRequiresOneKnownSignature) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVector enoch = LoadVectors()[1];
  const std::string note = peter.text + "\n" + peter.signature_line;
  // Only Enoch is trusted: Peter's signature is ignored, none is left.
  const NoteVerifier known[] = {MustParseVerifier(enoch.vkey)};
  EXPECT_THAT(OpenNote(note, known),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no signature by a trusted key")));
  EXPECT_THAT(OpenNote(note, {}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  // A key with Peter's name but another ID is also someone else.
  Signed other = SignFresh("PeterNeumann", peter.text);
  const NoteVerifier impostor[] = {MustParseVerifier(other.keys.verifier_key)};
  EXPECT_THAT(OpenNote(note, impostor),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST(SignedNoteTest, RejectsTamperedText) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVerifier known[] = {MustParseVerifier(peter.vkey)};
  std::string note = peter.text + "\n" + peter.signature_line;
  note[5] ^= 0x01;
  EXPECT_THAT(OpenNote(note, known),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
}

TEST(SignedNoteTest, RejectsAFailedKnownSignatureEvenBesideAGoodOne) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVector enoch = LoadVectors()[1];
  // Enoch's line with one signature byte changed (still canonical base64).
  std::string bad_enoch = enoch.signature_line;
  const std::size_t pos = bad_enoch.find(' ', 4) + 10;
  bad_enoch[pos] = bad_enoch[pos] == 'A' ? 'B' : 'A';
  const std::string note = peter.text + "\n" + peter.signature_line + bad_enoch;
  const NoteVerifier both[] = {MustParseVerifier(peter.vkey),
                               MustParseVerifier(enoch.vkey)};
  EXPECT_THAT(OpenNote(note, both), StatusIs(absl::StatusCode::kUnauthenticated,
                                             HasSubstr("EnochRoot")));
  // Trusting Peter alone, Enoch's broken line is someone else's business.
  const NoteVerifier peter_only[] = {MustParseVerifier(peter.vkey)};
  EXPECT_THAT(OpenNote(note, peter_only), IsOk());
}

TEST(SignedNoteTest, RejectsGarbageAndTruncatedNotes) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVerifier known[] = {MustParseVerifier(peter.vkey)};
  const std::string note = peter.text + "\n" + peter.signature_line;
  // Every strict prefix fails: no blank line, no final newline, or a
  // signature cut short.
  for (std::size_t length = 0; length < note.size(); ++length) {
    EXPECT_FALSE(OpenNote(note.substr(0, length), known).ok()) << length;
  }
  const std::string sig = peter.signature_line;
  const std::string sig_body = sig.substr(sig.find(' ') + 1);  // "name b64\n"
  for (const std::string& garbage : std::vector<std::string>{
           std::string(""), std::string("\n"), std::string("\n\n"),
           peter.text + sig,                // no blank line
           peter.text + "\n" + sig + "\n",  // blank line after sigs
           peter.text + "\n" + sig.substr(0, sig.size() - 1),  // no newline
           peter.text + "\n- " + sig_body,            // hyphen, not em dash
           peter.text + "\n\xE2\x80\x94" + sig_body,  // no space after dash
           peter.text + "\n\xE2\x80\x94 PeterNeumann\n",
           peter.text + "\n\xE2\x80\x94 PeterNeumann \n",
           peter.text + "\n\xE2\x80\x94 PeterNeumann AAAA\n",  // < 5 bytes
           peter.text + "\n\xE2\x80\x94 PeterNeumann x08go/ZJ!!!\n",
           peter.text + "\n\xE2\x80\x94 Peter+Neumann " + sig_body.substr(13),
           "a\tb\n\n" + sig,              // control character
           "caf\xC3\n\n" + sig,           // invalid UTF-8
           "over\xC0\xAFlong\n\n" + sig,  // overlong encoding
       }) {
    EXPECT_THAT(OpenNote(garbage, known),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")))
        << garbage;
  }
}

TEST(SignedNoteTest, BoundsSignatureCountAndSize) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVerifier known[] = {MustParseVerifier(peter.vkey)};
  std::string many = peter.text + "\n";
  for (int i = 0; i < 101; ++i) {
    absl::StrAppend(&many, "\xE2\x80\x94 unknown", i, " AAAAAAAA\n");
  }
  EXPECT_THAT(
      OpenNote(many, known),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("signatures")));
  const std::string huge =
      std::string(300 << 10, 'a') + "\n\n" + peter.signature_line;
  EXPECT_THAT(OpenNote(huge, known),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("")));
}

TEST(SignedNoteTest, RejectsAmbiguousTrustedKeys) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVerifier twice[] = {MustParseVerifier(peter.vkey),
                                MustParseVerifier(peter.vkey)};
  EXPECT_THAT(OpenNote(peter.text + "\n" + peter.signature_line, twice),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("share the name")));
}

TEST(SignedNoteTest, SignRejectsInvalidText) {
  Signed fresh = SignFresh("example.com/log", "ok\n");
  auto signer = NoteSigner::Parse(fresh.keys.signer_key.value());
  ASSERT_THAT(signer, IsOk());
  const NoteSigner* signers[] = {&*signer};
  EXPECT_THAT(
      SignNote("no newline", signers),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("newline")));
  EXPECT_THAT(SignNote("", signers),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(
      SignNote("tab\there\n", signers),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("control")));
  EXPECT_THAT(SignNote("text\n", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

// --- Vectors and round trips ---------------------------------------------

TEST(SignedNoteTest, SigningReproducesTheVectorSignatureLines) {
  std::size_t signed_count = 0;
  for (const NoteVector& v : LoadVectors()) {
    if (v.skey.empty()) continue;
    auto signer = NoteSigner::Parse(v.skey);
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ(signer->verifier().KeyString(), v.vkey);
    const NoteSigner* signers[] = {&*signer};
    auto note = SignNote(v.text, signers);
    ASSERT_THAT(note, IsOk());
    EXPECT_EQ(*note, v.text + "\n" + v.signature_line);
    ++signed_count;
  }
  EXPECT_EQ(signed_count, 1u);
}

TEST(SignedNoteTest, OpensEveryVectorNoteWithItsKey) {
  const std::vector<NoteVector> vectors = LoadVectors();
  ASSERT_EQ(vectors.size(), 3u);
  for (const NoteVector& v : vectors) {
    const NoteVerifier known[] = {MustParseVerifier(v.vkey)};
    EXPECT_EQ(known[0].KeyString(), v.vkey);
    auto opened = OpenNote(v.text + "\n" + v.signature_line, known);
    ASSERT_THAT(opened, IsOk()) << v.vkey;
    EXPECT_EQ(opened->text, v.text);
    ASSERT_EQ(opened->verified.size(), 1u);
    EXPECT_EQ(opened->verified[0].name, known[0].name());
    EXPECT_EQ(opened->verified[0].key_id, known[0].key_id());
  }
}

TEST(SignedNoteTest, OpensADoublySignedNoteWithEitherKey) {
  const NoteVector peter = LoadVectors()[0];
  const NoteVector enoch = LoadVectors()[1];
  const std::string note =
      peter.text + "\n" + peter.signature_line + enoch.signature_line;
  const NoteVerifier enoch_only[] = {MustParseVerifier(enoch.vkey)};
  auto opened = OpenNote(note, enoch_only);
  ASSERT_THAT(opened, IsOk());
  ASSERT_EQ(opened->verified.size(), 1u);
  EXPECT_EQ(opened->verified[0].name, "EnochRoot");
  ASSERT_EQ(opened->unknown.size(), 1u);
  EXPECT_EQ(opened->unknown[0].name, "PeterNeumann");
  EXPECT_EQ(opened->unknown[0].key_id, 0xc74f20a3u);
  const NoteVerifier both[] = {MustParseVerifier(peter.vkey),
                               MustParseVerifier(enoch.vkey)};
  opened = OpenNote(note, both);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->verified.size(), 2u);
}

TEST(SignedNoteTest, TextMayContainBlankLines) {
  Signed fresh = SignFresh("example.com/log", "first\n\nthird\n\n");
  const NoteVerifier known[] = {MustParseVerifier(fresh.keys.verifier_key)};
  auto opened = OpenNote(fresh.note, known);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->text, "first\n\nthird\n\n");
}

TEST(SignedNoteTest, GeneratedKeysRoundTrip) {
  auto keys = GenerateNoteKey("example.com/modelseal-log");
  ASSERT_THAT(keys, IsOk());
  EXPECT_TRUE(keys->signer_key.value().starts_with(
      "PRIVATE+KEY+example.com/modelseal-log+"));
  auto signer = NoteSigner::Parse(keys->signer_key.value());
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->verifier().KeyString(), keys->verifier_key);
  auto verifier = NoteVerifier::Parse(keys->verifier_key);
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ(verifier->key_id(), signer->key_id());
  const NoteSigner* signers[] = {&*signer};
  auto note = SignNote("hello\n", signers);
  ASSERT_THAT(note, IsOk());
  const NoteVerifier known[] = {*verifier};
  EXPECT_THAT(OpenNote(*note, known), IsOk());
  // Two fresh keys never collide.
  auto again = GenerateNoteKey("example.com/modelseal-log");
  ASSERT_THAT(again, IsOk());
  EXPECT_NE(again->verifier_key, keys->verifier_key);
}

TEST(SignedNoteTest, KeyNamesFollowTheSpec) {
  EXPECT_TRUE(IsValidNoteKeyName("example.com/log42"));
  EXPECT_TRUE(IsValidNoteKeyName("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidNoteKeyName(""));
  EXPECT_FALSE(IsValidNoteKeyName("a b"));
  EXPECT_FALSE(IsValidNoteKeyName("a+b"));
  EXPECT_FALSE(IsValidNoteKeyName("a\xC2\xA0"));      // no-break space
  EXPECT_FALSE(IsValidNoteKeyName("a\xE3\x80\x80"));  // ideographic space
  EXPECT_FALSE(IsValidNoteKeyName(std::string(2000, 'a')));
}

}  // namespace
}  // namespace modelseal::tlog
