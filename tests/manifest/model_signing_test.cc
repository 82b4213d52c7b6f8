// Sign and verify, failure paths first: every way a signed model or its
// bundle can be wrong must fail with a reason.
#include "modelseal/model_signing.h"

#include <unistd.h>

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

}  // namespace
}  // namespace modelseal
