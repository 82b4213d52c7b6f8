// Keyless verification against a fake Sigstore instance built at test time
// (tests/sigstore/fake_sigstore.h): every failure path first, then the
// accepted shapes. Each failure test breaks exactly one thing in a bundle or
// root that otherwise verifies, so each one can fail.
#include "modelseal/sigstore.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sigstore/fake_sigstore.h"
#include "tests/testing/status_matchers.h"

namespace modelseal::sigstore {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using testing::BundleOptions;
using testing::FakeSigstore;
using ::testing::HasSubstr;
using testing::kTestIdentity;
using testing::kTestIssuer;
using testing::ToJson;
namespace pb = ::modelseal::v1::sigstore;

CertificateIdentity Expected() {
  return CertificateIdentity{kTestIdentity, "", kTestIssuer, ""};
}

class SigstoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = FakeSigstore::Create().release(); }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }

  TrustedRoot Root(const pb::TrustedRoot& message) {
    absl::StatusOr<TrustedRoot> root = TrustedRoot::Parse(ToJson(message));
    EXPECT_THAT(root, IsOk());
    return *root;
  }
  TrustedRoot Root() { return Root(fake_->MakeTrustedRoot()); }

  absl::StatusOr<KeylessVerification> Verify(
      const pb::Bundle& bundle, const BundleOptions& options,
      const CertificateIdentity& identity = Expected()) {
    return VerifyKeylessBundle(ToJson(bundle), Root(), identity,
                               FakeSigstore::ArtifactSha256(options));
  }

  static FakeSigstore* fake_;
};

FakeSigstore* SigstoreTest::fake_ = nullptr;

// --- identity ---------------------------------------------------------------

TEST_F(SigstoreTest, RejectsAWrongIdentity) {
  BundleOptions options;
  CertificateIdentity identity = Expected();
  identity.subject = "mallory@example.com";
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options, identity),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("certificate SAN 'signer@example.com' does "
                                 "not match --certificate-identity "
                                 "'mallory@example.com'")));
}

TEST_F(SigstoreTest, RejectsAWrongIssuer) {
  BundleOptions options;
  CertificateIdentity identity = Expected();
  identity.issuer = "https://accounts.example.org";
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options, identity),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("--certificate-oidc-issuer")));
}

TEST_F(SigstoreTest, RegexpsMustMatchTheWholeValue) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  CertificateIdentity identity{"", "signer@example", kTestIssuer, ""};
  EXPECT_THAT(Verify(bundle, options, identity),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  identity.subject_regexp = R"(.*@example\.com)";
  EXPECT_THAT(Verify(bundle, options, identity), IsOk());
}

TEST_F(SigstoreTest, RequiresExactlyOneSubjectAndOneIssuerFlag) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  EXPECT_THAT(
      Verify(bundle, options, CertificateIdentity{"", "", kTestIssuer, ""}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(Verify(bundle, options,
                     CertificateIdentity{kTestIdentity, ".*", kTestIssuer, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      Verify(bundle, options, CertificateIdentity{kTestIdentity, "", "", ""}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      Verify(bundle, options, CertificateIdentity{"", "(", kTestIssuer, ""}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST_F(SigstoreTest, RejectsACertificateWithoutAnIssuerExtension) {
  BundleOptions options;
  options.leaf.issuer_v1 = false;
  options.leaf.issuer_v2 = false;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no Fulcio OIDC issuer")));
}

// --- certificate
// --------------------------------------------------------------

TEST_F(SigstoreTest, RejectsACertificateExpiredAtTheIntegratedTime) {
  BundleOptions options;
  options.integrated_time = options.leaf.not_before + options.leaf.lifetime + 1;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("outside the certificate's validity")));
}

TEST_F(SigstoreTest, RejectsAnIntegratedTimeBeforeTheCertificate) {
  BundleOptions options;
  options.integrated_time = options.leaf.not_before - 1;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("outside the certificate's validity")));
}

TEST_F(SigstoreTest, RejectsACertificateWithoutCodeSigning) {
  BundleOptions options;
  options.leaf.code_signing = false;
  EXPECT_THAT(
      Verify(fake_->MakeBundle(options), options),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("code-signing")));
}

TEST_F(SigstoreTest, RejectsACertificateWithoutAnSct) {
  BundleOptions options;
  options.leaf.with_sct = false;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no embedded SCT")));
}

TEST_F(SigstoreTest, RejectsAnSctSignedByAnotherKey) {
  BundleOptions options;
  options.leaf.sct_signed_by_stranger = true;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no SCT verifies")));
}

TEST_F(SigstoreTest, RejectsAnSctWhenTheRootHasNoCtLog) {
  BundleOptions options;
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.clear_ctlogs();
  EXPECT_THAT(
      VerifyKeylessBundle(ToJson(fake_->MakeBundle(options)), Root(root),
                          Expected(), FakeSigstore::ArtifactSha256(options)),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("no SCT verifies")));
}

TEST_F(SigstoreTest, RejectsACertificateFromAnUntrustedCa) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  // Another fake instance: same shapes, different keys.
  std::unique_ptr<FakeSigstore> other = FakeSigstore::Create();
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  *root.mutable_certificate_authorities() =
      other->MakeTrustedRoot().certificate_authorities();
  EXPECT_THAT(VerifyKeylessBundle(ToJson(bundle), Root(root), Expected(),
                                  FakeSigstore::ArtifactSha256(options)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("certificate chain does not verify")));
}

TEST_F(SigstoreTest, RejectsACaWhoseValidityEndedBeforeSigning) {
  BundleOptions options;
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.mutable_certificate_authorities(0)
      ->mutable_valid_for()
      ->mutable_end()
      ->set_seconds(options.integrated_time - 1);
  EXPECT_THAT(
      VerifyKeylessBundle(ToJson(fake_->MakeBundle(options)), Root(root),
                          Expected(), FakeSigstore::ArtifactSha256(options)),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("no certificate authority")));
}

TEST_F(SigstoreTest, RejectsABundleChainHoldingARootCertificate) {
  BundleOptions options;
  options.chain_form = true;
  pb::Bundle bundle = fake_->MakeBundle(options);
  const pb::TrustedRoot root = fake_->MakeTrustedRoot();
  *bundle.mutable_verification_material()
       ->mutable_x509_certificate_chain()
       ->add_certificates() =
      root.certificate_authorities(0).cert_chain().certificates(1);
  EXPECT_THAT(
      Verify(bundle, options),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("self-signed")));
}

// --- Rekor
// ----------------------------------------------------------------------

TEST_F(SigstoreTest, RejectsATamperedInclusionProof) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  std::string* hash = bundle.mutable_verification_material()
                          ->mutable_tlog_entries(0)
                          ->mutable_inclusion_proof()
                          ->mutable_hashes(1);
  (*hash)[0] ^= 1;
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("inclusion proof does not verify")));
}

TEST_F(SigstoreTest, RejectsATamperedCheckpoint) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  std::string* note = bundle.mutable_verification_material()
                          ->mutable_tlog_entries(0)
                          ->mutable_inclusion_proof()
                          ->mutable_checkpoint()
                          ->mutable_envelope();
  note->replace(note->find("\n7\n"), 3, "\n8\n");
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("checkpoint signature")));
}

TEST_F(SigstoreTest, RejectsACheckpointForAnotherTree) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.mutable_verification_material()
      ->mutable_tlog_entries(0)
      ->mutable_inclusion_proof()
      ->set_tree_size(8);
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("not for the inclusion proof's tree")));
}

TEST_F(SigstoreTest, RejectsAnEntryBodyThatDoesNotMatchTheBundle) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  const pb::Bundle other = fake_->MakeBundle(options);  // a new signature
  *bundle.mutable_dsse_envelope() = other.dsse_envelope();
  *bundle.mutable_verification_material()->mutable_certificate() =
      other.verification_material().certificate();
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("tlog entry body does not match")));
}

TEST_F(SigstoreTest, RejectsAHashedrekordForAnotherArtifact) {
  BundleOptions options;
  options.dsse = false;
  pb::Bundle bundle = fake_->MakeBundle(options);
  BundleOptions other_options = options;
  other_options.artifact = "another artifact";
  const pb::Bundle other = fake_->MakeBundle(other_options);
  *bundle.mutable_verification_material()->mutable_tlog_entries(0) =
      other.verification_material().tlog_entries(0);
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("tlog entry body does not match")));
}

TEST_F(SigstoreTest, RejectsATamperedSignedEntryTimestamp) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.mutable_verification_material()
      ->mutable_tlog_entries(0)
      ->set_integrated_time(options.integrated_time + 1);  // SET not redone
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("signed entry timestamp")));
}

TEST_F(SigstoreTest, RejectsAV01BundleWithoutASignedEntryTimestamp) {
  BundleOptions options;
  options.bundle_minor = 1;
  options.with_set = false;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no signed entry timestamp")));
}

TEST_F(SigstoreTest, RejectsAV03BundleWithoutAnInclusionProof) {
  BundleOptions options;
  options.with_proof = false;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no inclusion proof")));
}

TEST_F(SigstoreTest, RejectsAnEntryOfALogOutsideTheRoot) {
  BundleOptions options;
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.mutable_tlogs()->DeleteSubrange(0, 1);
  EXPECT_THAT(
      VerifyKeylessBundle(ToJson(fake_->MakeBundle(options)), Root(root),
                          Expected(), FakeSigstore::ArtifactSha256(options)),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("is not in the trusted root")));
}

TEST_F(SigstoreTest, RejectsALogWhoseValidityEndedBeforeIntegration) {
  BundleOptions options;
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.mutable_tlogs(0)
      ->mutable_public_key()
      ->mutable_valid_for()
      ->mutable_end()
      ->set_seconds(options.integrated_time - 1);
  EXPECT_THAT(
      VerifyKeylessBundle(ToJson(fake_->MakeBundle(options)), Root(root),
                          Expected(), FakeSigstore::ArtifactSha256(options)),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("was not valid at the entry's time")));
}

TEST_F(SigstoreTest, AcceptsAnIntegratedTimeEqualToTheLogValidityEnd) {
  BundleOptions options;
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.mutable_tlogs(0)
      ->mutable_public_key()
      ->mutable_valid_for()
      ->mutable_end()
      ->set_seconds(options.integrated_time);
  EXPECT_THAT(
      VerifyKeylessBundle(ToJson(fake_->MakeBundle(options)), Root(root),
                          Expected(), FakeSigstore::ArtifactSha256(options)),
      IsOk());
}

TEST_F(SigstoreTest, RejectsABundleWithoutTlogEntries) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.mutable_verification_material()->clear_tlog_entries();
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no transparency log entry")));
}

// --- Rekor v2 and RFC 3161
// ------------------------------------------------------

TEST_F(SigstoreTest, RejectsARekorV2EntryWithoutATimestamp) {
  BundleOptions options;
  options.rekor_v2 = true;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.mutable_verification_material()->clear_timestamp_verification_data();
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("RFC 3161 timestamp is required")));
}

TEST_F(SigstoreTest, RejectsATimestampOverAnotherSignature) {
  BundleOptions options;
  options.rekor_v2 = true;
  pb::Bundle bundle = fake_->MakeBundle(options);
  const pb::Bundle other = fake_->MakeBundle(options);
  *bundle.mutable_verification_material()
       ->mutable_timestamp_verification_data() =
      other.verification_material().timestamp_verification_data();
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("RFC 3161 timestamp rejected")));
}

TEST_F(SigstoreTest, RejectsATimestampOutsideTheCertificate) {
  BundleOptions options;
  options.rekor_v2 = true;
  options.integrated_time = options.leaf.not_before + options.leaf.lifetime + 5;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("outside the certificate's validity")));
}

TEST_F(SigstoreTest, RejectsATamperedRekorV2Checkpoint) {
  BundleOptions options;
  options.rekor_v2 = true;
  pb::Bundle bundle = fake_->MakeBundle(options);
  std::string* note = bundle.mutable_verification_material()
                          ->mutable_tlog_entries(0)
                          ->mutable_inclusion_proof()
                          ->mutable_checkpoint()
                          ->mutable_envelope();
  note->replace(note->find("log2.test\n"), 10, "log3.test\n");
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("checkpoint signature")));
}

// --- signature and artifact --------------------------------------------------

TEST_F(SigstoreTest, RejectsATamperedDssePayload) {
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.mutable_dsse_envelope()->mutable_payload()->append(" ");
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("bundle signature")));
}

TEST_F(SigstoreTest, RejectsAnArtifactThatIsNotAStatementSubject) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  EXPECT_THAT(VerifyKeylessBundle(ToJson(bundle), Root(), Expected(),
                                  std::string(32, 'x')),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("is not a subject of the statement")));
}

TEST_F(SigstoreTest, RejectsAStatementThatGivesItsSubjectsTwice) {
  // Read one way, the statement names the artifact; read the other way, it
  // names something else. It must have one reading only.
  BundleOptions options;
  const std::string digest =
      absl::BytesToHexString(FakeSigstore::ArtifactSha256(options));
  options.dsse_payload =
      absl::StrCat(R"({"_type":"https://in-toto.io/Statement/v1",)",
                   R"("subject":[{"name":"other","digest":{"sha256":")",
                   std::string(64, '0'), R"("}}],)",
                   R"("predicateType":"https://example.com/p","predicate":{},)",
                   R"("subject":[{"name":"artifact","digest":{"sha256":")",
                   digest, R"("}}]})");
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("subject: key given twice")));
}

TEST_F(SigstoreTest, RejectsAnEntryBodyThatGivesAKeyTwice) {
  // Signed by the log (its SET covers the body), but with two readings.
  BundleOptions options;
  options.dsse = false;
  options.bundle_minor = 1;
  options.with_proof = false;
  pb::Bundle bundle = fake_->MakeBundle(options);
  v1::TransparencyLogEntry* entry =
      bundle.mutable_verification_material()->mutable_tlog_entries(0);
  std::string body = entry->canonicalized_body();
  ASSERT_EQ(body.rfind(R"({"apiVersion":"0.0.1",)", 0), 0u);
  body.insert(1, R"("apiVersion":"0.0.1",)");
  entry->set_canonicalized_body(body);
  fake_->ResignSet(entry);
  EXPECT_THAT(Verify(bundle, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("apiVersion: key given twice")));
}

TEST_F(SigstoreTest, RejectsAMessageSignatureForAnotherArtifact) {
  BundleOptions options;
  options.dsse = false;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  EXPECT_THAT(VerifyKeylessBundle(ToJson(bundle), Root(), Expected(),
                                  std::string(32, 'x')),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("message digest")));
}

TEST_F(SigstoreTest, RejectsMalformedBundlesAsInvalidArgument) {
  EXPECT_THAT(VerifyKeylessBundle("{", Root(), Expected()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  BundleOptions options;
  pb::Bundle bundle = fake_->MakeBundle(options);
  bundle.set_media_type("application/vnd.dev.sigstore.bundle+json;version=9");
  EXPECT_THAT(
      Verify(bundle, options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("media type")));
  std::string json = ToJson(fake_->MakeBundle(options));
  json.insert(1, R"("unknownField":1,)");
  EXPECT_THAT(VerifyKeylessBundle(json, Root(), Expected(),
                                  FakeSigstore::ArtifactSha256(options)),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

// --- trusted root
// ----------------------------------------------------------------

TEST_F(SigstoreTest, TrustedRootRejectsUnknownFieldsAndMissingStarts) {
  std::string json = ToJson(fake_->MakeTrustedRoot());
  std::string unknown = json;
  unknown.insert(1, R"("surprise":true,)");
  EXPECT_THAT(TrustedRoot::Parse(unknown),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  pb::TrustedRoot root = fake_->MakeTrustedRoot();
  root.mutable_tlogs(0)
      ->mutable_public_key()
      ->mutable_valid_for()
      ->clear_start();
  EXPECT_THAT(TrustedRoot::Parse(ToJson(root)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("without a start")));
}

TEST(SigstorePublicGoodTest, EmbeddedRootParses) {
  EXPECT_THAT(TrustedRoot::PublicGood(), IsOk());
}

// --- accepted shapes
// ---------------------------------------------------------------

TEST_F(SigstoreTest, VerifiesADsseBundleWithRekorV1) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(KeylessVerification result,
                                 Verify(bundle, options));
  EXPECT_EQ(result.san, kTestIdentity);
  EXPECT_EQ(result.issuer, kTestIssuer);
  EXPECT_EQ(result.log_index, 1004u);
  EXPECT_EQ(result.integrated_time, options.integrated_time);
  EXPECT_EQ(result.signing_time_source, "tlog");
  EXPECT_EQ(result.payload_type, "application/vnd.in-toto+json");
  EXPECT_EQ(result.leaf_certificate_der, fake_->last_leaf_der());
  EXPECT_TRUE(IsKeylessBundle(ToJson(bundle)));
}

TEST_F(SigstoreTest, VerifiesAMessageSignatureBundleWithRekorV1) {
  BundleOptions options;
  options.dsse = false;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(KeylessVerification result,
                                 Verify(fake_->MakeBundle(options), options));
  EXPECT_EQ(result.message_digest_sha256,
            FakeSigstore::ArtifactSha256(options));
}

TEST_F(SigstoreTest, VerifiesEveryBundleVersion) {
  for (int minor : {1, 2, 3}) {
    BundleOptions options;
    options.bundle_minor = minor;
    EXPECT_THAT(Verify(fake_->MakeBundle(options), options), IsOk())
        << "v0." << minor;
  }
}

TEST_F(SigstoreTest, VerifiesAV01BundleWithOnlyASignedEntryTimestamp) {
  BundleOptions options;
  options.bundle_minor = 1;
  options.with_proof = false;
  EXPECT_THAT(Verify(fake_->MakeBundle(options), options), IsOk());
}

TEST_F(SigstoreTest, VerifiesRekorV2BundlesWithATimestamp) {
  for (bool dsse : {true, false}) {
    BundleOptions options;
    options.rekor_v2 = true;
    options.dsse = dsse;
    MODELSEAL_ASSERT_OK_AND_ASSIGN(KeylessVerification result,
                                   Verify(fake_->MakeBundle(options), options));
    EXPECT_EQ(result.signing_time_source, "rfc3161");
    EXPECT_EQ(result.signing_time, options.integrated_time);
    EXPECT_EQ(result.integrated_time, 0);
  }
}

TEST_F(SigstoreTest, VerifiesAUriIdentityAndAnIssuerV1Only) {
  BundleOptions options;
  options.leaf.san =
      "https://github.com/org/repo/.github/workflows/x.yml@refs/heads/main";
  options.leaf.issuer_v2 = false;
  CertificateIdentity identity{"", R"(https://github\.com/org/repo/.*)", "",
                               R"(https://issuer\.example\.com)"};
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      KeylessVerification result,
      Verify(fake_->MakeBundle(options), options, identity));
  EXPECT_EQ(result.san, options.leaf.san);
}

TEST_F(SigstoreTest, KeyedVerificationRejectsAnotherKey) {
  BundleOptions options;
  const pb::Bundle bundle = fake_->MakeBundle(options);
  // A public key the bundle was not signed with does not verify it.
  absl::StatusOr<std::unique_ptr<Verifier>> stranger = [] {
    auto pair = GenerateKeyPair(KeyType::kEcdsaP256, std::nullopt);
    return LoadVerifier(pair->public_pem);
  }();
  ASSERT_THAT(stranger, IsOk());
  EXPECT_THAT(VerifyKeyedBundle(ToJson(bundle), **stranger, Root(),
                                FakeSigstore::ArtifactSha256(options)),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(SigstoreKeylessDetectionTest, KeyBundlesAndGarbageAreNotKeyless) {
  EXPECT_FALSE(IsKeylessBundle(""));
  EXPECT_FALSE(IsKeylessBundle("{}"));
  EXPECT_FALSE(IsKeylessBundle(
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",)"
      R"("verificationMaterial":{"publicKey":{"hint":"ab"}}})"));
}

}  // namespace
}  // namespace modelseal::sigstore
