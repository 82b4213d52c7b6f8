// Sign and verify, failure paths first: every way a signed model or its
// bundle can be wrong must fail with a reason.
#include "modelseal/model_signing.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "modelseal/model_walk.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kReference =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/";

std::string Read(const std::string& path) {
  auto contents = Env::Default()->ReadFileToString(path, 1 << 22);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *contents : "";
}

struct Keys {
  std::unique_ptr<Signer> signer;
  std::unique_ptr<Verifier> verifier;
};

Keys MakeKeys(KeyType type) {
  auto pair = GenerateKeyPair(type, std::nullopt);
  EXPECT_TRUE(pair.ok()) << pair.status();
  Keys keys;
  keys.signer = *LoadSigner(pair->private_pem.value(), std::nullopt);
  keys.verifier = *LoadVerifier(pair->public_pem);
  return keys;
}

SerializationOptions Defaults() {
  SerializationOptions options;
  options.ignore_paths = DefaultIgnorePaths();
  return options;
}

class SignedModel {
 public:
  explicit SignedModel(KeyType type = KeyType::kEcdsaP256)
      : keys_(MakeKeys(type)) {
    dir_.Write("model/config.json", "{\"hidden\": 16}");
    dir_.Write("model/weights/part-1.safetensors", std::string(300000, 'w'));
    dir_.Write("model/tokenizer.json", "{}");
  }
  std::string model() const { return dir_.Join("model"); }
  const TempDir& dir() const { return dir_; }
  const Keys& keys() const { return keys_; }

  std::string Sign(const SerializationOptions& options = Defaults()) const {
    SigningIdentity identity;
    identity.signer = keys_.signer.get();
    auto bundle = SignModel(model(), options, {}, identity);
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    return bundle.ok() ? *bundle : "";
  }

  absl::Status Verify(const std::string& bundle, VerifyReport* report,
                      const Verifier* key = nullptr,
                      bool ignore_unsigned = false) const {
    VerifyOptions options;
    options.public_key = key != nullptr ? key : keys_.verifier.get();
    options.ignore_unsigned_files = ignore_unsigned;
    return VerifyModel(model(), bundle, options, report);
  }

 private:
  TempDir dir_;
  Keys keys_;
};

TEST(VerifyModelTest, FailsWhenAFileChanged) {
  SignedModel model;
  const std::string bundle = model.Sign();
  model.dir().Write("model/weights/part-1.safetensors",
                    std::string(299999, 'w') + "W");
  VerifyReport report;
  EXPECT_THAT(
      model.Verify(bundle, &report),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("1 changed")));
  EXPECT_THAT(report.changed, ElementsAre("weights/part-1.safetensors"));
  EXPECT_THAT(report.missing, IsEmpty());
}

TEST(VerifyModelTest, FailsWhenAFileIsMissingOrAdded) {
  SignedModel model;
  const std::string bundle = model.Sign();
  ASSERT_EQ(::unlink(model.dir().Join("model/tokenizer.json").c_str()), 0);
  model.dir().Write("model/backdoor.py", "import os");
  VerifyReport report;
  EXPECT_THAT(
      model.Verify(bundle, &report),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("1 missing")));
  EXPECT_THAT(report.missing, ElementsAre("tokenizer.json"));
  EXPECT_THAT(report.extra, ElementsAre("backdoor.py"));
}

TEST(VerifyModelTest, ToleratesUnsignedFilesOnlyWhenAsked) {
  SignedModel model;
  const std::string bundle = model.Sign();
  model.dir().Write("model/notes.txt", "local notes");
  VerifyReport report;
  EXPECT_THAT(
      model.Verify(bundle, &report),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not signed")));
  VerifyReport tolerant;
  MODELSEAL_EXPECT_OK(
      model.Verify(bundle, &tolerant, nullptr, /*ignore_unsigned=*/true));
  EXPECT_THAT(tolerant.extra, ElementsAre("notes.txt"));
}

// VerifyModel starts listing the model before it has read the statement,
// guessing the default ignore paths; a statement with other ones must be
// checked with its own.
TEST(VerifyModelTest, AStatementIgnoringNothingChecksGitFilesToo) {
  SignedModel model;
  model.dir().Write("model/.git/config", "[core]");
  SerializationOptions nothing_ignored = Defaults();
  nothing_ignored.ignore_paths.clear();
  const std::string bundle = model.Sign(nothing_ignored);
  VerifyReport report;
  MODELSEAL_ASSERT_OK(model.Verify(bundle, &report));
  EXPECT_EQ(report.resources, 4u);
  model.dir().Write("model/.git/config", "[core] evil");
  EXPECT_THAT(
      model.Verify(bundle, &report),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("1 changed")));
  EXPECT_THAT(report.changed, ElementsAre(".git/config"));
}

TEST(VerifyModelTest, AStatementIgnoringMoreIsHonoured) {
  SignedModel model;
  SerializationOptions more = Defaults();
  more.ignore_paths.push_back("scratch");
  const std::string bundle = model.Sign(more);
  model.dir().Write("model/scratch/notes.txt", "local");
  VerifyReport report;
  MODELSEAL_ASSERT_OK(model.Verify(bundle, &report));
  EXPECT_THAT(report.extra, IsEmpty());
  // ... and only that: a file elsewhere is still unsigned.
  model.dir().Write("model/notes.txt", "local");
  EXPECT_THAT(
      model.Verify(bundle, &report),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not signed")));
  EXPECT_THAT(report.extra, ElementsAre("notes.txt"));
}

TEST(VerifyModelTest, FailsWithAnotherKey) {
  SignedModel model;
  const std::string bundle = model.Sign();
  const Keys other = MakeKeys(KeyType::kEcdsaP256);
  VerifyReport report;
  EXPECT_THAT(model.Verify(bundle, &report, other.verifier.get()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("not by the trusted key")));
  // Without the hint, the signature itself must fail.
  const std::string hintless =
      absl::StrReplaceAll(bundle, {{model.keys().verifier->Hint(), ""}});
  EXPECT_THAT(model.Verify(hintless, &report, other.verifier.get()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
  const Keys ed = MakeKeys(KeyType::kEd25519);
  EXPECT_THAT(model.Verify(hintless, &report, ed.verifier.get()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
}

TEST(VerifyModelTest, FailsWhenThePayloadWasTampered) {
  SignedModel model;
  const std::string bundle = model.Sign();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle parsed, ParseBundle(bundle));
  // Re-point one resource digest at different content, keeping the
  // statement self-consistent: only the signature can catch it.
  ModelDigest forged;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Statement statement,
                                 ParseStatement(parsed.payload));
  forged.model_name = statement.subject_name;
  forged.options = statement.serialization;
  forged.resources = statement.resources;
  forged.resources[0].digest = HashBytes(HashAlgorithm::kSha256, "evil");
  forged.root_digest = ComputeRootDigest(forged.resources);
  parsed.payload = BuildStatementPayload(forged);
  VerifyReport report;
  EXPECT_THAT(model.Verify(WriteBundle(parsed), &report),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
  // A flipped signature bit fails too.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle flipped, ParseBundle(bundle));
  flipped.signature[flipped.signature.size() / 2] ^= 1;
  EXPECT_THAT(model.Verify(WriteBundle(flipped), &report),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(VerifyModelTest,
     RefusesCertificateBundlesWithoutRootsAndKeyBundlesWithoutKeys) {
  SignedModel model;
  const std::string bundle = model.Sign();
  VerifyOptions options;
  VerifyReport report;
  EXPECT_THAT(VerifyModel(model.model(), bundle, options, &report),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("--key")));
  const std::string reference =
      Read(kReference + "v1.1.0-certificate/model.sig");
  options.public_key = model.keys().verifier.get();
  EXPECT_THAT(VerifyModel(kReference + "v1.1.0-certificate", reference, options,
                          &report),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("--ca")));
}

TEST(VerifyModelTest, RejectsASymlinkEscapingTheRoot) {
  SignedModel model;
  SerializationOptions options = Defaults();
  options.allow_symlinks = true;
  const std::string bundle = model.Sign(options);
  ASSERT_EQ(
      ::symlink("/etc/hostname", model.dir().Join("model/escape").c_str()), 0);
  VerifyReport report;
  EXPECT_THAT(model.Verify(bundle, &report),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("outside the model root")));
}

TEST(SignModelTest, RoundTripsWithEveryKeyTypeAndMethod) {
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kEcdsaP384,
                       KeyType::kEcdsaP521, KeyType::kEd25519}) {
    SignedModel model(type);
    for (SerializationMethod method :
         {SerializationMethod::kFiles, SerializationMethod::kShards}) {
      for (HashAlgorithm hash :
           {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
            HashAlgorithm::kBlake3}) {
        if (method == SerializationMethod::kShards &&
            hash == HashAlgorithm::kBlake3)
          continue;
        SerializationOptions options = Defaults();
        options.method = method;
        options.hash = hash;
        options.shard_size = 100000;
        const std::string bundle = model.Sign(options);
        VerifyReport report;
        MODELSEAL_EXPECT_OK(model.Verify(bundle, &report))
            << KeyTypeName(type) << " " << HashAlgorithmName(hash);
        EXPECT_EQ(report.model_name, "model");
        EXPECT_EQ(report.resources,
                  method == SerializationMethod::kFiles ? 3u : 5u);
      }
    }
  }
}

TEST(SignModelTest, ShardedSignaturesCatchAChangedShard) {
  SignedModel model;
  SerializationOptions options = Defaults();
  options.method = SerializationMethod::kShards;
  options.shard_size = 100000;
  const std::string bundle = model.Sign(options);
  model.dir().Write("model/weights/part-1.safetensors",
                    std::string(300000, 'w') + "!");
  VerifyReport report;
  EXPECT_THAT(model.Verify(bundle, &report),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(report.changed, ElementsAre("weights/part-1.safetensors"));
}

TEST(SignModelTest, Ed25519BundlesAreByteIdenticalAcrossRuns) {
  SignedModel model(KeyType::kEd25519);
  EXPECT_EQ(model.Sign(), model.Sign());
}

TEST(SignModelTest, CosignedBundleCarriesTheSamePayloadAndVerifiesOnItsOwn) {
  SignedModel model;
  const std::string first = model.Sign();
  const Keys auditor = MakeKeys(KeyType::kEcdsaP384);
  SigningIdentity identity;
  identity.signer = auditor.signer.get();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string second,
                                 CosignBundle(first, identity));
  EXPECT_EQ(ParseBundle(first)->payload, ParseBundle(second)->payload);
  VerifyReport report;
  MODELSEAL_EXPECT_OK(model.Verify(second, &report, auditor.verifier.get()));
  EXPECT_THAT(model.Verify(second, &report),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(ReferenceBundlesTest, VerifyWithTheirKeysAndCa) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto key,
      LoadVerifier(Read(kReference + "keys/certificate/signing-key-pub.pem")));
  int verified = 0;
  for (const char* name : {"v1.1.0-elliptic-key", "v1.0.0-elliptic-key"}) {
    VerifyOptions options;
    options.public_key = key.get();
    VerifyReport report;
    const std::string model = std::string(name) == "v1.0.0-elliptic-key"
                                  ? kReference + name + "/signme-1"
                                  : kReference + name;
    MODELSEAL_EXPECT_OK(VerifyModel(
        model, Read(kReference + name + "/model.sig"), options, &report))
        << name;
    ++verified;
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto roots,
      CertificatesFromPem(Read(kReference + "keys/certificate/ca-cert.pem")));
  VerifyOptions options;
  options.ca_roots_der = roots;
  options.now = std::time(nullptr);
  VerifyReport report;
  MODELSEAL_EXPECT_OK(VerifyModel(
      kReference + "v1.1.0-certificate",
      Read(kReference + "v1.1.0-certificate/model.sig"), options, &report));
  ++verified;
  EXPECT_EQ(verified, 3);
  // The same chain is refused at a time past its validity, and by a
  // different root.
  options.now = std::time(nullptr) + 20L * 365 * 24 * 3600;
  EXPECT_THAT(VerifyModel(kReference + "v1.1.0-certificate",
                          Read(kReference + "v1.1.0-certificate/model.sig"),
                          options, &report),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      options.ca_roots_der,
      CertificatesFromPem(
          Read(kReference + "keys/certificate/int-ca-cert.pem")));
  options.now = std::time(nullptr);
  EXPECT_FALSE(VerifyModel(kReference + "v1.1.0-certificate",
                           Read(kReference + "v1.1.0-certificate/model.sig"),
                           options, &report)
                   .ok());
}

// model_signing v0.2.0 signed Python's repr() of the payload bytes; these
// expectations are what CPython 3.11 prints for the same bytes.
TEST(LegacyBundlesTest, CompatEncodingIsPythonsBytesRepr) {
  const std::string type = "application/vnd.in-toto+json";
  EXPECT_EQ(LegacyV020Pae(type, "plain"),
            "DSSEV1 28 application/vnd.in-toto+json 5 b'plain'");
  EXPECT_EQ(LegacyV020Pae(type, "it's"),
            "DSSEV1 28 application/vnd.in-toto+json 4 b\"it's\"");
  EXPECT_EQ(LegacyV020Pae(type, "say \"hi\""),
            "DSSEV1 28 application/vnd.in-toto+json 8 b'say \"hi\"'");
  EXPECT_EQ(LegacyV020Pae(type, "both ' and \""),
            "DSSEV1 28 application/vnd.in-toto+json 12 b'both \\' and \"'");
  EXPECT_EQ(LegacyV020Pae(type, std::string("a\\b\n\t\r\x01\x7f\xff\xc3\xa9")),
            "DSSEV1 28 application/vnd.in-toto+json 11 "
            "b'a\\\\b\\n\\t\\r\\x01\\x7f\\xff\\xc3\\xa9'");
  // Never a DSSE PAE: the upper-case V keeps the two encodings apart.
  EXPECT_NE(LegacyV020Pae(type, "x").substr(0, 6),
            DssePae(type, "x").substr(0, 6));
}

VerifyOptions LegacyCaOptions() {
  VerifyOptions options;
  options.ca_roots_der =
      *CertificatesFromPem(Read(kReference + "keys/certificate/ca-cert.pem"));
  options.now = std::time(nullptr);
  options.extra_ignore_paths = {"model.sig"};
  return options;
}

TEST(LegacyBundlesTest, ReadsTheReferenceV020Bundle) {
  VerifyReport report;
  MODELSEAL_ASSERT_OK(
      VerifyModel(kReference + "v0.2.0-certificate",
                  Read(kReference + "v0.2.0-certificate/model.sig"),
                  LegacyCaOptions(), &report));
  EXPECT_TRUE(report.legacy_v0_2);
  EXPECT_EQ(report.resources, 2u);
  EXPECT_EQ(report.model_name, "v0.2.0-certificate");
  EXPECT_EQ(report.bytes_hashed, 16u);
}

TEST(LegacyBundlesTest, AChangedFileFailsTheV020Bundle) {
  TempDir dir;
  dir.Write("m/signme-1", "signme-1");
  dir.Write("m/signme-2", "signme-X");
  VerifyReport report;
  EXPECT_THAT(VerifyModel(dir.Join("m"),
                          Read(kReference + "v0.2.0-certificate/model.sig"),
                          LegacyCaOptions(), &report),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("1 changed (signme-2)")));
  EXPECT_TRUE(report.legacy_v0_2);
}

TEST(LegacyBundlesTest, AnEditedV020PayloadFailsBothEncodings) {
  const std::string bundle = Read(kReference + "v0.2.0-certificate/model.sig");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle parsed, ParseBundle(bundle));
  // Point signme-1 at another digest: still a well-formed v0.2 statement.
  const std::string payload = absl::StrReplaceAll(
      parsed.payload,
      {{"f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1",
        "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028"}});
  ASSERT_NE(payload, parsed.payload);
  MODELSEAL_ASSERT_OK(ParseLegacyDigestsStatement(payload).status());
  const std::string tampered = absl::StrReplaceAll(
      bundle,
      {{absl::Base64Escape(parsed.payload), absl::Base64Escape(payload)}});
  ASSERT_NE(tampered, bundle);
  VerifyReport report;
  EXPECT_THAT(VerifyModel(kReference + "v0.2.0-certificate", tampered,
                          LegacyCaOptions(), &report),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
}

// Only the legacy predicate unlocks the legacy encoding: a v1.0 statement
// signed over it is refused, and a legacy statement is never taken for a
// v1.0 one.
TEST(LegacyBundlesTest, TheCompatEncodingNeverSignsAV1Statement) {
  SignedModel model;
  const std::string good = model.Sign();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle bundle, ParseBundle(good));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(bundle.signature,
                                 model.keys().signer->Sign(LegacyV020Pae(
                                     bundle.payload_type, bundle.payload)));
  VerifyReport report;
  EXPECT_THAT(model.Verify(WriteBundle(bundle), &report),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
  const std::string legacy_payload =
      ParseBundle(Read(kReference + "v0.2.0-certificate/model.sig"))
          .value()
          .payload;
  EXPECT_THAT(ParseStatement(legacy_payload),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("model_signing v0.2 statement")));
}

TEST(LegacyBundlesTest, RejectsMalformedV020Statements) {
  const std::string good =
      ParseBundle(Read(kReference + "v0.2.0-certificate/model.sig"))
          .value()
          .payload;
  MODELSEAL_ASSERT_OK(ParseLegacyDigestsStatement(good).status());
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{
           {"file-sha256", "file-blake2b"},
           {"\"signme-1\"", "\"../signme-1\""},
           {"\"signme-2\"", "\"signme-1\""},
           {"https://model_signing/Digests/v0.1",
            "https://model_signing/Other/v0.1"},
           {"\"unused\"", "\"extra\""},
           {"f6310066c7320497", "F6310066C7320497"}}) {
    SCOPED_TRACE(to);
    const std::string bad = absl::StrReplaceAll(good, {{from, to}});
    ASSERT_NE(bad, good);
    EXPECT_FALSE(ParseLegacyDigestsStatement(bad).ok());
  }
}

// Partial verification: failure paths first.
class PartialVerifyTest : public ::testing::Test {
 protected:
  absl::Status Verify(std::vector<std::string> only, VerifyReport* report,
                      const std::string& bundle) {
    VerifyOptions options;
    options.public_key = model_.keys().verifier.get();
    options.only = std::move(only);
    return VerifyModel(model_.model(), bundle, options, report);
  }
  SignedModel model_;
};

TEST_F(PartialVerifyTest, AChangedOrMissingSelectedFileStillFails) {
  const std::string bundle = model_.Sign();
  model_.dir().Write("model/weights/part-1.safetensors",
                     std::string(300000, 'x'));
  VerifyReport report;
  EXPECT_THAT(
      Verify({"*.safetensors"}, &report, bundle),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("changed")));
  std::filesystem::remove(
      model_.dir().Join("model/weights/part-1.safetensors"));
  VerifyReport missing;
  EXPECT_THAT(
      Verify({"*.safetensors"}, &missing, bundle),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
  EXPECT_THAT(missing.missing, ElementsAre("weights/part-1.safetensors"));
}

TEST_F(PartialVerifyTest, APatternMatchingNothingIsAnError) {
  const std::string bundle = model_.Sign();
  VerifyReport report;
  EXPECT_THAT(Verify({"config.json", "*.gguf"}, &report, bundle),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--only '*.gguf' matches none")));
}

TEST_F(PartialVerifyTest, AnUnsignedFileMatchingThePatternFails) {
  const std::string bundle = model_.Sign();
  model_.dir().Write("model/weights/evil.safetensors", "payload");
  VerifyReport report;
  EXPECT_THAT(
      Verify({"*.safetensors"}, &report, bundle),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not signed")));
}

TEST_F(PartialVerifyTest, ChecksOnlyTheSelectionAndListsTheRestAsNotChecked) {
  const std::string bundle = model_.Sign();
  // Files outside the selection may differ or be absent: they are not
  // checked, and say so.
  model_.dir().Write("model/config.json", "{\"hidden\": 99}");
  std::filesystem::remove(model_.dir().Join("model/tokenizer.json"));
  VerifyReport report;
  MODELSEAL_ASSERT_OK(Verify({"weights/*"}, &report, bundle));
  EXPECT_TRUE(report.partial);
  EXPECT_EQ(report.files_checked, 1u);
  EXPECT_EQ(report.bytes_hashed, 300000u);
  EXPECT_THAT(report.not_checked, ElementsAre("config.json", "tokenizer.json"));
  EXPECT_THAT(report.changed, IsEmpty());
  EXPECT_THAT(report.missing, IsEmpty());
}

TEST_F(PartialVerifyTest, SelectsEveryShardOfAFile) {
  SerializationOptions options = Defaults();
  options.method = SerializationMethod::kShards;
  options.shard_size = 65536;
  const std::string bundle = model_.Sign(options);
  VerifyReport report;
  MODELSEAL_ASSERT_OK(Verify({"*part-1*"}, &report, bundle));
  EXPECT_EQ(report.bytes_hashed, 300000u);
  model_.dir().Write("model/weights/part-1.safetensors",
                     std::string(299999, 'w') + "x");
  EXPECT_THAT(
      Verify({"*part-1*"}, &report, bundle),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("changed")));
}

TEST(IncrementalSignTest, ThePreviousBundleMustVerifyAndMatchTheMethod) {
  SignedModel model;
  const std::string bundle = model.Sign();
  const SerializationOptions options = Defaults();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Statement previous,
      VerifyPreviousBundle(bundle, *model.keys().verifier, {}, options));
  EXPECT_EQ(previous.resources.size(), 3u);
  // Another key (a foreign OLD.sig).
  const Keys other = MakeKeys(KeyType::kEcdsaP256);
  EXPECT_THAT(VerifyPreviousBundle(bundle, *other.verifier, {}, options),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  // A tampered payload.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle parsed, ParseBundle(bundle));
  parsed.payload =
      absl::StrReplaceAll(parsed.payload, {{"config.json", "config.jsoN"}});
  EXPECT_THAT(VerifyPreviousBundle(WriteBundle(parsed), *model.keys().verifier,
                                   {}, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
  // Another serialization could never reuse a digest.
  SerializationOptions blake = options;
  blake.hash = HashAlgorithm::kBlake2b;
  EXPECT_THAT(
      VerifyPreviousBundle(bundle, *model.keys().verifier, {}, blake),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--hash")));
}

TEST(IncrementalSignTest, ComparesFileByFile) {
  SignedModel model;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Statement previous,
      ParseStatement(ParseBundle(model.Sign()).value().payload));
  model.dir().Write("model/config.json", "{\"hidden\": 32}");
  model.dir().Write("model/new.txt", "new");
  std::filesystem::remove(model.dir().Join("model/tokenizer.json"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelDigest now,
                                 SerializeModel(model.model(), Defaults(), {}));
  const PreviousComparison diff = CompareWithPrevious(previous, now);
  EXPECT_EQ(diff.unchanged, 1u);
  EXPECT_THAT(diff.changed, ElementsAre("config.json"));
  EXPECT_THAT(diff.added, ElementsAre("new.txt"));
  EXPECT_THAT(diff.removed, ElementsAre("tokenizer.json"));
}

}  // namespace
}  // namespace modelseal
