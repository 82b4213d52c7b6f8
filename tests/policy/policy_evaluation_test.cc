// EvaluatePolicy end to end, in process: a real model folder, keys made at
// test time, bundles signed and co-signed, a real transparency log. Every
// rule has a test that reports it and a test that does not; thresholds are
// tried with revoked, expired, duplicated and same-organisation signers.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/model_signing.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/policy.h"
#include "modelseal/policy_evaluation.h"
#include "modelseal/policy_report.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::policy_testing::CaSigner;
using ::modelseal::policy_testing::DefaultSerialization;
using ::modelseal::policy_testing::GoodCard;
using ::modelseal::policy_testing::KeySigner;
using ::modelseal::policy_testing::MakeKey;
using ::modelseal::policy_testing::PinnedLog;
using ::modelseal::policy_testing::PolicyText;
using ::modelseal::policy_testing::Rfc3339;
using ::modelseal::policy_testing::StandardModelCardSection;
using ::modelseal::policy_testing::TestCa;
using ::modelseal::policy_testing::TestKey;
using ::modelseal::policy_testing::TestLog;
using ::modelseal::policy_testing::TinyPickle;
using ::modelseal::policy_testing::TinySafetensors;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::TempDir;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kLogOrigin[] = "example.com/alliance-test-log";
constexpr std::time_t kHour = 3600;
constexpr std::time_t kDay = 24 * kHour;

std::vector<std::string> RuleIds(const PolicyEvaluation& evaluation) {
  std::vector<std::string> rules;
  for (const Finding& finding : evaluation.findings) {
    rules.push_back(finding.rule);
  }
  return rules;
}

std::string Describe(const PolicyEvaluation& evaluation) {
  std::string out;
  for (const Finding& finding : evaluation.findings) {
    absl::StrAppend(&out, SeverityName(finding.severity), " ", finding.rule,
                    " [", finding.path, "] (", finding.policy_ref, ") ",
                    finding.message, "\n");
  }
  for (const SignatureOutcome& signature : evaluation.signatures) {
    absl::StrAppend(&out, "signature ", signature.bundle_path,
                    " counted=", signature.counted,
                    " signer=", signature.signer_id, " ", signature.problem,
                    "\n");
  }
  return out;
}

// The findings with rule id `rule`.
std::vector<Finding> WithRule(const PolicyEvaluation& evaluation,
                              const std::string& rule) {
  std::vector<Finding> found;
  for (const Finding& finding : evaluation.findings) {
    if (finding.rule == rule) found.push_back(finding);
  }
  return found;
}

class PolicyEvaluationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new TestCa("Alliance Test Root"); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }

  PolicyEvaluationTest()
      : ibm_(MakeKey()),
        ibm_backup_(MakeKey()),
        meta_(MakeKey(KeyType::kEd25519)),
        stranger_(MakeKey()),
        log_(kLogOrigin),
        now_(std::time(nullptr)),
        logged_at_(now_ - kHour) {
    dir_.Write("model/config.json", "{\"hidden\": 16}\n");
    dir_.Write("model/model.safetensors", TinySafetensors());
    dir_.Write("model/README.md", GoodCard());
  }

  std::string model() const { return dir_.Join("model"); }

  std::string Sign(const TestKey& key,
                   SerializationOptions options = DefaultSerialization()) {
    absl::StatusOr<std::string> bundle =
        SignModel(model(), options, {}, key.Identity());
    EXPECT_THAT(bundle, IsOk());
    return bundle.ok() ? *bundle : "";
  }
  std::string Cosign(const std::string& bundle, const TestKey& key) {
    absl::StatusOr<std::string> cosigned = CosignBundle(bundle, key.Identity());
    EXPECT_THAT(cosigned, IsOk());
    return cosigned.ok() ? *cosigned : "";
  }
  std::string SignWithCertificate(const TestKey& key,
                                  const std::string& leaf_der) {
    SigningIdentity identity = key.Identity();
    identity.certificate_chain_der = {leaf_der};
    absl::StatusOr<std::string> bundle =
        SignModel(model(), DefaultSerialization(), {}, identity);
    EXPECT_THAT(bundle, IsOk());
    return bundle.ok() ? *bundle : "";
  }

  // IBM publishes, Meta co-signs, both logged an hour ago.
  std::vector<std::string> GoodBundles(
      SerializationOptions options = DefaultSerialization()) {
    const std::string ibm = Sign(ibm_, std::move(options));
    return log_.Add(std::vector{ibm, Cosign(ibm, meta_)}, logged_at_);
  }

  std::string Signers() const {
    return absl::StrCat("signers:\n",
                        KeySigner("ibm-release", "ibm", ibm_.public_pem,
                                  "    roles: [publisher]\n"),
                        KeySigner("ibm-backup", "ibm", ibm_backup_.public_pem,
                                  "    roles: [publisher]\n"),
                        KeySigner("meta-review", "meta", meta_.public_pem,
                                  "    roles: [reviewer]\n"));
  }

  // The alliance policy every test starts from.
  PolicyText BasePolicy() const {
    PolicyText text;
    text.organizations =
        "organizations:\n  - {id: ibm, name: IBM}\n  - {id: meta, name: Meta}\n"
        "  - {id: hf, name: Hugging Face}\n";
    text.signers = Signers();
    text.thresholds =
        "thresholds:\n"
        "  - name: member-publisher\n    min_signatures: 1\n"
        "    of_roles: [publisher]\n"
        "  - name: two-members\n    min_signatures: 2\n"
        "    distinct_organizations: true\n";
    text.transparency = PinnedLog(log_, /*require_inclusion=*/true);
    text.hashes = "hashes:\n  allowed: [sha256]\n";
    text.model_card = StandardModelCardSection();
    text.licenses =
        "licenses:\n  allow: [apache-2.0, mit]\n  review: [llama2]\n"
        "  deny: [cc-by-nc-4.0]\n  unknown: deny\n";
    text.artifacts =
        "artifacts:\n  forbidden_formats: [pickle, pytorch-zip, python]\n";
    return text;
  }

  PolicyEvaluation Evaluate(const PolicyText& text,
                            const std::vector<std::string>& bundles,
                            std::vector<std::string> only = {}) {
    absl::StatusOr<Policy> policy = ParsePolicy(text.Render(), "policy.yaml");
    EXPECT_THAT(policy, IsOk());
    if (!policy.ok()) return PolicyEvaluation();
    std::vector<PolicyBundle> inputs;
    for (std::size_t i = 0; i < bundles.size(); ++i) {
      inputs.push_back(
          PolicyBundle{absl::StrCat("sig-", i, ".json"), bundles[i]});
    }
    PolicyEvaluationOptions options;
    options.now = now_;
    options.only = std::move(only);
    absl::StatusOr<PolicyEvaluation> evaluation =
        EvaluatePolicy(*policy, model(), inputs, options);
    EXPECT_THAT(evaluation, IsOk());
    return evaluation.ok() ? *std::move(evaluation) : PolicyEvaluation();
  }

  // Writes `card` as README.md, signs, co-signs, logs and evaluates.
  PolicyEvaluation EvaluateCard(const std::string& card,
                                const PolicyText& text) {
    dir_.Write("model/README.md", card);
    return Evaluate(text, GoodBundles());
  }

  static TestCa* ca_;
  TempDir dir_;
  TestKey ibm_;
  TestKey ibm_backup_;
  TestKey meta_;
  TestKey stranger_;
  TestLog log_;
  std::time_t now_;
  std::time_t logged_at_;
};

TestCa* PolicyEvaluationTest::ca_ = nullptr;

#define EXPECT_PASSES(evaluation)                                 \
  do {                                                            \
    const PolicyEvaluation& passing_ = (evaluation);              \
    EXPECT_TRUE(PolicyPassed(passing_, /*strict=*/true))          \
        << Describe(passing_);                                    \
    EXPECT_FALSE(passing_.malformed_input) << Describe(passing_); \
  } while (false)

#define EXPECT_FAILS_WITH(evaluation, rule)                               \
  do {                                                                    \
    const PolicyEvaluation& failing_ = (evaluation);                      \
    EXPECT_THAT(RuleIds(failing_), Contains(rule)) << Describe(failing_); \
    EXPECT_FALSE(PolicyPassed(failing_, /*strict=*/false))                \
        << Describe(failing_);                                            \
  } while (false)

// ---------------------------------------------------------------------------
// The passing case, in full
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, PassesWithTwoLoggedSignaturesFromTwoMembers) {
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), GoodBundles());
  EXPECT_PASSES(evaluation);
  EXPECT_THAT(evaluation.findings, IsEmpty()) << Describe(evaluation);
  ASSERT_EQ(evaluation.signatures.size(), 2u);
  EXPECT_TRUE(evaluation.signatures[0].counted);
  EXPECT_EQ(evaluation.signatures[0].signer_id, "ibm-release");
  EXPECT_EQ(evaluation.signatures[0].organization, "ibm");
  EXPECT_EQ(evaluation.signatures[0].key_hint, ibm_.hint);
  EXPECT_EQ(evaluation.signatures[0].log_origin, kLogOrigin);
  EXPECT_EQ(evaluation.signatures[0].integrated_time,
            static_cast<std::uint64_t>(logged_at_));
  EXPECT_TRUE(evaluation.signatures[1].counted);
  EXPECT_EQ(evaluation.signatures[1].signer_id, "meta-review");
  EXPECT_TRUE(evaluation.contents_checked);
  EXPECT_EQ(evaluation.contents.resources, 3u);
  ASSERT_TRUE(evaluation.card.has_value());
  EXPECT_EQ(evaluation.card->license, "apache-2.0");
  EXPECT_EQ(evaluation.license, "Apache-2.0");
  EXPECT_THAT(evaluation.artifact_formats,
              Contains(std::pair<std::string, std::string>("model.safetensors",
                                                           "safetensors")));
}

TEST_F(PolicyEvaluationTest, RefusesToEvaluateWithoutBundles) {
  absl::StatusOr<Policy> policy =
      ParsePolicy(BasePolicy().Render(), "policy.yaml");
  ASSERT_THAT(policy, IsOk());
  PolicyEvaluationOptions options;
  options.now = now_;
  EXPECT_FALSE(EvaluatePolicy(*policy, model(), {}, options).ok());
}

TEST_F(PolicyEvaluationTest, RefusesToEvaluateWithoutAClock) {
  // options.now defaults to 0: unlogged signatures would be judged in 1970,
  // before every revocation, so a revoked key would count.
  PolicyText text = BasePolicy();
  text.transparency = PinnedLog(log_, /*require_inclusion=*/false);
  text.revocations =
      absl::StrCat("revocations:\n  - key_id: ", meta_.hint, "\n    date: \"",
                   Rfc3339(now_ - kDay), "\"\n");
  absl::StatusOr<Policy> policy = ParsePolicy(text.Render(), "policy.yaml");
  ASSERT_THAT(policy, IsOk());
  const std::string ibm = Sign(ibm_);
  const std::vector<PolicyBundle> bundles = {{"ibm.json", ibm},
                                             {"meta.json", Cosign(ibm, meta_)}};
  absl::StatusOr<PolicyEvaluation> evaluation =
      EvaluatePolicy(*policy, model(), bundles, PolicyEvaluationOptions());
  if (evaluation.ok()) {
    EXPECT_FALSE(PolicyPassed(*evaluation, false)) << Describe(*evaluation);
  }
  EXPECT_THAT(evaluation,
              ::modelseal::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("time")));
}

// ---------------------------------------------------------------------------
// signatures.*
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, MalformedBundleIsAFindingAndMarksMalformedInput) {
  std::vector<std::string> bundles = GoodBundles();
  bundles.push_back("{\"mediaType\": \"not a bundle\"");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "signatures.malformed");
  EXPECT_TRUE(evaluation.malformed_input);
  const std::vector<Finding> found =
      WithRule(evaluation, "signatures.malformed");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "sig-2.json");
  EXPECT_EQ(found[0].policy_ref, "signers");
  // The two good signatures still count, and nothing else is wrong.
  EXPECT_TRUE(evaluation.signatures[0].counted);
  EXPECT_TRUE(evaluation.signatures[1].counted);
  EXPECT_FALSE(PolicyPassed(evaluation, /*strict=*/false));
}

TEST_F(PolicyEvaluationTest, SignatureByAKeyNoSignerHoldsIsUntrusted) {
  std::vector<std::string> bundles = GoodBundles();
  bundles.push_back(log_.Add(Sign(stranger_), logged_at_));
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "signatures.untrusted");
  const std::vector<Finding> found =
      WithRule(evaluation, "signatures.untrusted");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "sig-2.json");
  EXPECT_EQ(found[0].policy_ref, "signers");
  EXPECT_THAT(found[0].message, HasSubstr(stranger_.hint));
  EXPECT_FALSE(evaluation.signatures[2].counted);
  EXPECT_FALSE(evaluation.malformed_input);
}

TEST_F(PolicyEvaluationTest, SignatureClaimingATrustedKeyHintMustStillVerify) {
  // The hint in a bundle is only a claim: a stranger's signature that names
  // IBM's key does not verify under it.
  std::string bundle = Sign(stranger_);
  const std::string hint = stranger_.hint;
  const std::size_t at = bundle.find(hint);
  ASSERT_NE(at, std::string::npos);
  bundle.replace(at, hint.size(), ibm_.hint);
  std::vector<std::string> bundles = GoodBundles();
  bundles.push_back(bundle);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "signatures.untrusted");
  EXPECT_FALSE(evaluation.signatures[2].counted);
}

class PolicyCertificateTest : public PolicyEvaluationTest {
 protected:
  // The openssl command line starts certificates at the moment they are
  // issued (inside the test), so these records are logged two minutes
  // ahead, where the certificates are valid.
  PolicyCertificateTest() { logged_at_ = now_ + 120; }

  PolicyText CaPolicy() const {
    PolicyText text = BasePolicy();
    text.signers = absl::StrCat(
        Signers(), CaSigner("ibm-ca", "ibm", ca_->root_pem(), "CN=IBM Release",
                            "release@ibm.example"));
    text.thresholds =
        "thresholds:\n  - min_signatures: 2\n"
        "    of_signers: [ibm-ca, meta-review]\n";
    return text;
  }
};

TEST_F(PolicyCertificateTest, CertificateWithTheExpectedNamesCounts) {
  const std::string leaf =
      ca_->Issue(ibm_, "IBM Release", "release@ibm.example");
  const std::string signed_bundle = SignWithCertificate(ibm_, leaf);
  const std::vector<std::string> bundles = log_.Add(
      std::vector{signed_bundle, Cosign(signed_bundle, meta_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(CaPolicy(), bundles);
  EXPECT_PASSES(evaluation);
  EXPECT_EQ(evaluation.signatures[0].signer_id, "ibm-ca");
  EXPECT_THAT(evaluation.signatures[0].identity, HasSubstr("IBM Release"));
}

TEST_F(PolicyCertificateTest, ValidChainWithTheWrongSubjectOrSanIsUntrusted) {
  for (const auto& [subject, san] :
       std::vector<std::pair<std::string, std::string>>{
           {"IBM Intern", "release@ibm.example"},
           {"IBM Release", "intern@ibm.example"},
           {"IBM Release", ""}}) {
    const std::string leaf = ca_->Issue(ibm_, subject, san);
    const std::string signed_bundle = SignWithCertificate(ibm_, leaf);
    const std::vector<std::string> bundles = log_.Add(
        std::vector{signed_bundle, Cosign(signed_bundle, meta_)}, logged_at_);
    const PolicyEvaluation evaluation = Evaluate(CaPolicy(), bundles);
    EXPECT_FAILS_WITH(evaluation, "signatures.untrusted");
    EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
    EXPECT_FALSE(evaluation.signatures[0].counted) << subject << " " << san;
  }
}

TEST_F(PolicyCertificateTest, CertificateFromAnotherCaIsUntrusted) {
  TestCa other("Impostor Root");
  const std::string leaf =
      other.Issue(ibm_, "IBM Release", "release@ibm.example");
  const std::string signed_bundle = SignWithCertificate(ibm_, leaf);
  const std::vector<std::string> bundles = log_.Add(
      std::vector{signed_bundle, Cosign(signed_bundle, meta_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(CaPolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "signatures.untrusted");
  EXPECT_FALSE(evaluation.signatures[0].counted);
}

TEST_F(PolicyCertificateTest, OneCaSignerWithTwoCertificatesCountsOnce) {
  // The CA can issue any number of certificates with the expected name; one
  // policy signer is still one signer, so a 2-of-[ibm-ca, meta-review]
  // threshold needs Meta.
  const std::string first = SignWithCertificate(
      ibm_, ca_->Issue(ibm_, "IBM Release", "release@ibm.example"));
  const std::string second = [&] {
    SigningIdentity identity = ibm_backup_.Identity();
    identity.certificate_chain_der = {
        ca_->Issue(ibm_backup_, "IBM Release", "release@ibm.example")};
    absl::StatusOr<std::string> bundle = CosignBundle(first, identity);
    EXPECT_THAT(bundle, IsOk());
    return bundle.ok() ? *bundle : "";
  }();
  const std::vector<std::string> bundles =
      log_.Add(std::vector{first, second}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(CaPolicy(), bundles);
  EXPECT_TRUE(evaluation.signatures[0].counted) << Describe(evaluation);
  EXPECT_TRUE(evaluation.signatures[1].counted) << Describe(evaluation);
  EXPECT_EQ(evaluation.signatures[1].signer_id, "ibm-ca");
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
}

TEST_F(PolicyEvaluationTest, CosignatureOverAnotherStatementIsAMismatch) {
  const std::string old_statement = Sign(meta_);
  dir_.Write("model/config.json", "{\"hidden\": 32}\n");
  const std::string ibm = Sign(ibm_);
  const std::vector<std::string> bundles = log_.Add(
      std::vector{ibm, Cosign(ibm, ibm_backup_), old_statement}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "signatures.statement_mismatch");
  const std::vector<Finding> found =
      WithRule(evaluation, "signatures.statement_mismatch");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "sig-2.json");
  EXPECT_EQ(found[0].policy_ref, "signers");
  EXPECT_FALSE(evaluation.signatures[2].counted);
  // Without Meta's vote only IBM remains: two members are not there.
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  // The agreed statement is the current model: nothing changed under it.
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("model.changed")));
}

TEST_F(PolicyEvaluationTest, NoCountedSignatureMeansNothingElseIsTrusted) {
  // The card is broken too, but with no trusted statement it is not read.
  dir_.Write("model/README.md", "---\nlicense: cc-by-nc-4.0\n---\n# Hi\n");
  const PolicyEvaluation evaluation =
      Evaluate(BasePolicy(), {log_.Add(Sign(stranger_), logged_at_)});
  EXPECT_FAILS_WITH(evaluation, "signatures.none_counted");
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  EXPECT_FALSE(evaluation.contents_checked);
  EXPECT_FALSE(evaluation.card.has_value());
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("licenses.denied")));
  const std::vector<Finding> found =
      WithRule(evaluation, "signatures.none_counted");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].policy_ref, "signers");
}

TEST_F(PolicyEvaluationTest, GoodBundlesReportNoSignatureFinding) {
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), GoodBundles());
  for (const std::string& rule : std::vector<std::string>{
           "signatures.malformed", "signatures.untrusted",
           "signatures.statement_mismatch", "signatures.none_counted",
           "signers.outside_validity", "signers.revoked",
           "transparency.not_logged", "thresholds.unmet"}) {
    EXPECT_THAT(RuleIds(evaluation), Not(Contains(rule)));
  }
}

// ---------------------------------------------------------------------------
// signers.outside_validity and signers.revoked (judged at the logged time)
// ---------------------------------------------------------------------------

PolicyText WithMetaWindow(PolicyText text, const std::string& window,
                          const std::string& meta_pem,
                          const std::string& other_signers) {
  text.signers =
      absl::StrCat("signers:\n", other_signers,
                   KeySigner("meta-review", "meta", meta_pem,
                             absl::StrCat("    roles: [reviewer]\n", window)));
  return text;
}

TEST_F(PolicyEvaluationTest, SignerNotYetValidDoesNotCount) {
  const PolicyText text = WithMetaWindow(
      BasePolicy(),
      absl::StrCat("    valid_from: \"", Rfc3339(now_ + kDay), "\"\n"),
      meta_.public_pem,
      KeySigner("ibm-release", "ibm", ibm_.public_pem,
                "    roles: [publisher]\n"));
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "signers.outside_validity");
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  const std::vector<Finding> found =
      WithRule(evaluation, "signers.outside_validity");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "sig-1.json");
  EXPECT_EQ(found[0].policy_ref, "signers[1]");
  EXPECT_FALSE(evaluation.signatures[1].counted);
}

TEST_F(PolicyEvaluationTest, ExpiredSignerDoesNotCountTowardsThreshold) {
  const PolicyText text = WithMetaWindow(
      BasePolicy(),
      absl::StrCat("    valid_until: \"", Rfc3339(logged_at_ - kHour), "\"\n"),
      meta_.public_pem,
      KeySigner("ibm-release", "ibm", ibm_.public_pem,
                "    roles: [publisher]\n"));
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "signers.outside_validity");
  const std::vector<Finding> unmet = WithRule(evaluation, "thresholds.unmet");
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].policy_ref, "thresholds[1]");
  EXPECT_THAT(unmet[0].message, HasSubstr("two-members"));
}

TEST_F(PolicyEvaluationTest, SignerExpiredSinceTheLoggedSigningStillCounts) {
  // The window ended half an hour ago, but the log shows the signature was
  // made an hour ago, inside it.
  const PolicyText text = WithMetaWindow(
      BasePolicy(),
      absl::StrCat("    valid_from: \"", Rfc3339(now_ - 30 * kDay),
                   "\"\n    valid_until: \"", Rfc3339(now_ - kHour / 2),
                   "\"\n"),
      meta_.public_pem,
      KeySigner("ibm-release", "ibm", ibm_.public_pem,
                "    roles: [publisher]\n"));
  EXPECT_PASSES(Evaluate(text, GoodBundles()));
}

PolicyText WithRevocation(PolicyText text, const std::string& revocation) {
  text.revocations = "revocations:\n" + revocation;
  return text;
}

TEST_F(PolicyEvaluationTest, RevokedSignerDoesNotCountTowardsThreshold) {
  const PolicyText text = WithRevocation(
      BasePolicy(),
      absl::StrCat("  - signer: meta-review\n    date: \"",
                   Rfc3339(logged_at_ - kHour), "\"\n    reason: key lost\n"));
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "signers.revoked");
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  const std::vector<Finding> found = WithRule(evaluation, "signers.revoked");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "sig-1.json");
  EXPECT_EQ(found[0].policy_ref, "revocations[0]");
  EXPECT_THAT(found[0].message, HasSubstr("key lost"));
  EXPECT_FALSE(evaluation.signatures[1].counted);
}

TEST_F(PolicyEvaluationTest, RevokedKeyIdDoesNotCount) {
  const PolicyText text = WithRevocation(
      BasePolicy(), absl::StrCat("  - key_id: ", meta_.hint, "\n    date: \"",
                                 Rfc3339(logged_at_ - kDay), "\"\n"));
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "signers.revoked");
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  EXPECT_FALSE(evaluation.signatures[1].counted);
}

TEST_F(PolicyEvaluationTest,
       RevocationDatedAfterTheLoggedSigningDoesNotRevoke) {
  const PolicyText text = WithRevocation(
      BasePolicy(), absl::StrCat("  - signer: meta-review\n    date: \"",
                                 Rfc3339(logged_at_ + kHour / 2),
                                 "\"\n  - key_id: ", ibm_.hint,
                                 "\n    date: \"", Rfc3339(now_), "\"\n"));
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_PASSES(evaluation);
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("signers.revoked")));
}

TEST_F(PolicyEvaluationTest, UnloggedSignatureIsJudgedAtEvaluationTime) {
  // Without a log record the signing time is unknown, so it is "now": a
  // revocation half an hour ago applies.
  PolicyText text = WithRevocation(
      BasePolicy(), absl::StrCat("  - signer: meta-review\n    date: \"",
                                 Rfc3339(now_ - kHour / 2), "\"\n"));
  text.transparency = PinnedLog(log_, /*require_inclusion=*/false);
  const std::string ibm = Sign(ibm_);
  const PolicyEvaluation evaluation = Evaluate(text, {ibm, Cosign(ibm, meta_)});
  EXPECT_FAILS_WITH(evaluation, "signers.revoked");
}

// ---------------------------------------------------------------------------
// transparency.not_logged
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest,
       UnloggedSignatureDoesNotCountWhenInclusionIsRequired) {
  const std::string ibm = Sign(ibm_);
  const PolicyEvaluation evaluation =
      Evaluate(BasePolicy(), {ibm, Cosign(ibm, meta_)});
  EXPECT_FAILS_WITH(evaluation, "transparency.not_logged");
  const std::vector<Finding> found =
      WithRule(evaluation, "transparency.not_logged");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].path, "sig-0.json");
  EXPECT_EQ(found[0].policy_ref, "transparency");
  EXPECT_FAILS_WITH(evaluation, "signatures.none_counted");
}

TEST_F(PolicyEvaluationTest,
       SignatureLoggedInALogThePolicyDoesNotPinDoesNotCount) {
  TestLog other("example.com/someone-elses-log");
  const std::string ibm = Sign(ibm_);
  const std::vector<std::string> bundles =
      other.Add(std::vector{ibm, Cosign(ibm, meta_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "transparency.not_logged");
  EXPECT_EQ(WithRule(evaluation, "transparency.not_logged").size(), 2u);
  EXPECT_TRUE(evaluation.signatures[0].log_origin.empty());
}

TEST_F(PolicyEvaluationTest, LogRecordOfAnotherSignatureDoesNotCount) {
  // Meta's bundle carries the log entry of IBM's signature.
  const std::vector<std::string> logged = GoodBundles();
  absl::StatusOr<Bundle> ibm = ParseBundle(logged[0]);
  absl::StatusOr<Bundle> meta = ParseBundle(logged[1]);
  ASSERT_THAT(ibm, IsOk());
  ASSERT_THAT(meta, IsOk());
  meta->tlog_entries_json = ibm->tlog_entries_json;
  const PolicyEvaluation evaluation =
      Evaluate(BasePolicy(), {logged[0], WriteBundle(*meta)});
  EXPECT_FAILS_WITH(evaluation, "transparency.not_logged");
  EXPECT_FALSE(evaluation.signatures[1].counted);
}

TEST_F(PolicyEvaluationTest, UnloggedSignaturesPassWhenInclusionIsNotRequired) {
  PolicyText text = BasePolicy();
  text.transparency = PinnedLog(log_, /*require_inclusion=*/false);
  const std::string ibm = Sign(ibm_);
  const PolicyEvaluation evaluation = Evaluate(text, {ibm, Cosign(ibm, meta_)});
  EXPECT_PASSES(evaluation);
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("transparency.not_logged")));
}

// ---------------------------------------------------------------------------
// thresholds.unmet
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest,
       SameOrganizationSignersDoNotMeetDistinctOrganizations) {
  const std::string ibm = Sign(ibm_);
  const std::vector<std::string> bundles =
      log_.Add(std::vector{ibm, Cosign(ibm, ibm_backup_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_TRUE(evaluation.signatures[0].counted);
  EXPECT_TRUE(evaluation.signatures[1].counted);
  const std::vector<Finding> unmet = WithRule(evaluation, "thresholds.unmet");
  ASSERT_EQ(unmet.size(), 1u) << Describe(evaluation);
  EXPECT_EQ(unmet[0].policy_ref, "thresholds[1]");
  EXPECT_TRUE(unmet[0].path.empty());
  EXPECT_FALSE(PolicyPassed(evaluation, false));

  // Without distinct_organizations two IBM keys are two signatures.
  PolicyText text = BasePolicy();
  text.thresholds = "thresholds:\n  - min_signatures: 2\n";
  EXPECT_PASSES(Evaluate(text, bundles));
}

TEST_F(PolicyEvaluationTest, SameKeyListedAsTwoSignersCountsOnce) {
  PolicyText text = BasePolicy();
  text.signers =
      absl::StrCat(Signers(), KeySigner("meta-alias", "hf", meta_.public_pem,
                                        "    roles: [reviewer]\n"));
  text.thresholds =
      "thresholds:\n  - min_signatures: 2\n"
      "    of_signers: [meta-review, meta-alias]\n";
  const std::string meta = Sign(meta_);
  // Two bundles by the one key (Ed25519 is deterministic, so they are equal
  // here; what matters is that one key signed).
  const std::vector<std::string> bundles =
      log_.Add(std::vector{meta, Cosign(meta, meta_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(text, bundles);
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  // And the two organisations of that key do not make it count twice.
  text.thresholds =
      "thresholds:\n  - min_signatures: 2\n    distinct_organizations: true\n";
  EXPECT_FAILS_WITH(Evaluate(text, bundles), "thresholds.unmet");
}

TEST_F(PolicyEvaluationTest, SameBundlePassedTwiceCountsOnce) {
  PolicyText text = BasePolicy();
  text.thresholds = "thresholds:\n  - min_signatures: 2\n";
  const std::string ibm = log_.Add(Sign(ibm_), logged_at_);
  const PolicyEvaluation evaluation = Evaluate(text, {ibm, ibm});
  EXPECT_TRUE(evaluation.signatures[0].counted);
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  EXPECT_THAT(WithRule(evaluation, "thresholds.unmet")[0].message,
              HasSubstr("found 1"));
}

TEST_F(PolicyEvaluationTest, ThresholdOverRolesCountsOnlySignersWithTheRole) {
  PolicyText text = BasePolicy();
  text.thresholds =
      "thresholds:\n  - min_signatures: 1\n    of_roles: [publisher]\n";
  // Meta is a reviewer, not a publisher.
  const std::string meta = log_.Add(Sign(meta_), logged_at_);
  const PolicyEvaluation evaluation = Evaluate(text, {meta});
  EXPECT_FAILS_WITH(evaluation, "thresholds.unmet");
  EXPECT_THAT(WithRule(evaluation, "thresholds.unmet")[0].policy_ref,
              "thresholds[0]");
  EXPECT_PASSES(Evaluate(text, {log_.Add(Sign(ibm_), logged_at_)}));
}

TEST_F(PolicyEvaluationTest, EveryViolationIsReportedNotJustTheFirst) {
  PolicyText text = WithRevocation(
      BasePolicy(), absl::StrCat("  - signer: meta-review\n    date: \"",
                                 Rfc3339(logged_at_ - kHour), "\"\n"));
  dir_.Write("model/README.md", GoodCard("cc-by-nc-4.0"));
  std::vector<std::string> bundles = GoodBundles();
  dir_.Write("model/extra.bin", TinyPickle());
  const PolicyEvaluation evaluation = Evaluate(text, bundles);
  for (const std::string& rule :
       std::vector<std::string>{"signers.revoked", "thresholds.unmet",
                                "model.unsigned", "licenses.denied"}) {
    EXPECT_THAT(RuleIds(evaluation), Contains(rule)) << Describe(evaluation);
  }
}

// ---------------------------------------------------------------------------
// hashes.not_allowed
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, DisallowedHashAlgorithmIsReported) {
  SerializationOptions blake3 = DefaultSerialization();
  blake3.hash = HashAlgorithm::kBlake3;
  const std::string ibm = Sign(ibm_, blake3);
  const std::vector<std::string> bundles =
      log_.Add(std::vector{ibm, Cosign(ibm, meta_)}, logged_at_);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "hashes.not_allowed");
  const std::vector<Finding> found = WithRule(evaluation, "hashes.not_allowed");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].policy_ref, "hashes.allowed");
  EXPECT_THAT(found[0].message, HasSubstr("blake3"));

  PolicyText text = BasePolicy();
  text.hashes = "hashes:\n  allowed: [sha256, blake3]\n";
  EXPECT_PASSES(Evaluate(text, bundles));
}

// ---------------------------------------------------------------------------
// model.changed / model.missing / model.unsigned
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// verification.allow_partial (verify --only)
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, PartialVerificationFailsUnlessThePolicyAllowsIt) {
  const std::vector<std::string> bundles = GoodBundles();
  EXPECT_FAILS_WITH(
      Evaluate(BasePolicy(), bundles, {"*.safetensors", "README.md"}),
      "verification.partial_not_allowed");
  PolicyText text = BasePolicy();
  text.verification = "verification:\n  allow_partial: false\n";
  EXPECT_FAILS_WITH(Evaluate(text, bundles, {"*.safetensors", "README.md"}),
                    "verification.partial_not_allowed");
}

TEST_F(PolicyEvaluationTest, AllowedPartialVerificationChecksTheSelection) {
  const std::vector<std::string> bundles = GoodBundles();
  PolicyText text = BasePolicy();
  text.verification = "verification:\n  allow_partial: true\n";
  // config.json is not selected: its change is not seen, and not vouched
  // for either.
  dir_.Write("model/config.json", "{\"hidden\": 17}\n");
  const PolicyEvaluation partial =
      Evaluate(text, bundles, {"*.safetensors", "README.md"});
  EXPECT_PASSES(partial);
  EXPECT_TRUE(partial.contents.partial);
  EXPECT_THAT(partial.contents.not_checked, ElementsAre("config.json"));
  const std::vector<Finding> found = WithRule(partial, "verification.partial");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kInfo);
  EXPECT_THAT(found[0].message, HasSubstr("NOT verified"));
  // A changed selected file still fails.
  dir_.Write("model/model.safetensors", TinySafetensors() + "x");
  EXPECT_FAILS_WITH(Evaluate(text, bundles, {"*.safetensors", "README.md"}),
                    "model.changed");
}

TEST_F(PolicyEvaluationTest, FileChangedAfterSigningIsReported) {
  const std::vector<std::string> bundles = GoodBundles();
  dir_.Write("model/config.json", "{\"hidden\": 17}\n");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model.changed");
  const std::vector<Finding> found = WithRule(evaluation, "model.changed");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "config.json");
  EXPECT_EQ(found[0].policy_ref, "signers");
}

TEST_F(PolicyEvaluationTest, SignedFileMissingIsReported) {
  const std::vector<std::string> bundles = GoodBundles();
  ASSERT_EQ(::unlink(dir_.Join("model/config.json").c_str()), 0);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model.missing");
  EXPECT_EQ(WithRule(evaluation, "model.missing")[0].path, "config.json");
}

TEST_F(PolicyEvaluationTest, FileAddedAfterSigningIsUnsigned) {
  const std::vector<std::string> bundles = GoodBundles();
  dir_.Write("model/sub/extra.txt", "added later\n");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model.unsigned");
  EXPECT_EQ(WithRule(evaluation, "model.unsigned")[0].path, "sub/extra.txt");
  EXPECT_EQ(WithRule(evaluation, "model.unsigned")[0].policy_ref, "signers");
}

// The model is listed while the bundles are checked, guessing the default
// ignore paths; statements with others must be checked with their own.
TEST_F(PolicyEvaluationTest, AStatementIgnoringNothingHasItsGitFilesChecked) {
  dir_.Write("model/.git/config", "[core]\n");
  SerializationOptions nothing_ignored = DefaultSerialization();
  nothing_ignored.ignore_paths.clear();
  const std::vector<std::string> bundles = GoodBundles(nothing_ignored);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_PASSES(evaluation);
  EXPECT_EQ(evaluation.contents.resources, 4u);
  dir_.Write("model/.git/config", "[core] changed\n");
  const PolicyEvaluation changed = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(changed, "model.changed");
  const std::vector<Finding> found = WithRule(changed, "model.changed");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, ".git/config");
}

TEST_F(PolicyEvaluationTest, AStatementIgnoringMoreHasItsIgnorePathsHonoured) {
  SerializationOptions more = DefaultSerialization();
  more.ignore_paths.push_back("scratch");
  const std::vector<std::string> bundles = GoodBundles(more);
  dir_.Write("model/scratch/notes.txt", "local\n");
  EXPECT_PASSES(Evaluate(BasePolicy(), bundles));
  dir_.Write("model/notes.txt", "local\n");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model.unsigned");
  const std::vector<Finding> found = WithRule(evaluation, "model.unsigned");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "notes.txt");
}

// ---------------------------------------------------------------------------
// model_card.*
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, CardAddedAfterSigningIsUnsignedAndNotRead) {
  ASSERT_EQ(::unlink(dir_.Join("model/README.md").c_str()), 0);
  const std::vector<std::string> bundles = GoodBundles();
  // A card that would fail every rule: none of them may be evaluated.
  dir_.Write("model/README.md", "---\nlicense: cc-by-nc-4.0\n---\n# Hi\n");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model_card.unsigned");
  const std::vector<Finding> found =
      WithRule(evaluation, "model_card.unsigned");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "README.md");
  EXPECT_EQ(found[0].policy_ref, "model_card");
  EXPECT_FALSE(evaluation.card.has_value());
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("licenses.denied")));
  EXPECT_THAT(RuleIds(evaluation), Not(Contains("model_card.section_missing")));
}

TEST_F(PolicyEvaluationTest, CardEditedAfterSigningIsChangedAndNotRead) {
  const std::vector<std::string> bundles = GoodBundles();
  dir_.Write("model/README.md",
             "---\nlicense: cc-by-nc-4.0\n---\n# Model Details\nTODO\n");
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model_card.changed");
  EXPECT_EQ(WithRule(evaluation, "model_card.changed")[0].path, "README.md");
  EXPECT_EQ(WithRule(evaluation, "model_card.changed")[0].policy_ref,
            "model_card");
  EXPECT_FALSE(evaluation.card.has_value());
  for (const std::string& rule : std::vector<std::string>{
           "licenses.denied", "model_card.section_missing",
           "model_card.placeholder", "model_card.field_missing"}) {
    EXPECT_THAT(RuleIds(evaluation), Not(Contains(rule)));
  }
}

TEST_F(PolicyEvaluationTest, SignedCardDeletedIsMissing) {
  const std::vector<std::string> bundles = GoodBundles();
  ASSERT_EQ(::unlink(dir_.Join("model/README.md").c_str()), 0);
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), bundles);
  EXPECT_FAILS_WITH(evaluation, "model_card.missing");
  EXPECT_EQ(WithRule(evaluation, "model_card.missing")[0].path, "README.md");
}

TEST_F(PolicyEvaluationTest, MalformedSignedCardIsAFindingAndMalformedInput) {
  const PolicyEvaluation evaluation =
      EvaluateCard("---\nlicense: [apache-2.0\nlanguage: en\n# never closed\n",
                   BasePolicy());
  EXPECT_FAILS_WITH(evaluation, "model_card.malformed");
  EXPECT_TRUE(evaluation.malformed_input);
  EXPECT_EQ(WithRule(evaluation, "model_card.malformed")[0].path, "README.md");
  EXPECT_EQ(WithRule(evaluation, "model_card.malformed")[0].policy_ref,
            "model_card");
}

TEST_F(PolicyEvaluationTest, MissingRequiredFieldIsReported) {
  const std::string card =
      absl::StrReplaceAll(GoodCard(), {{"language: en\n", ""}});
  const PolicyEvaluation evaluation = EvaluateCard(card, BasePolicy());
  EXPECT_FAILS_WITH(evaluation, "model_card.field_missing");
  const std::vector<Finding> found =
      WithRule(evaluation, "model_card.field_missing");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "README.md");
  EXPECT_EQ(found[0].policy_ref, "model_card.required_fields[1]");
  // A field holding only the placeholder is missing too.
  const PolicyEvaluation placeholder = EvaluateCard(
      absl::StrReplaceAll(
          GoodCard(),
          {{"language: en", "language: \"[More Information Needed]\""}}),
      BasePolicy());
  EXPECT_FAILS_WITH(placeholder, "model_card.field_missing");
}

TEST_F(PolicyEvaluationTest, MissingSectionIsReportedAndAliasesAreAccepted) {
  // GoodCard() names three sections by alias only: none is missing.
  EXPECT_PASSES(EvaluateCard(GoodCard(), BasePolicy()));
  const std::string card = absl::StrReplaceAll(
      GoodCard(), {{"## Evaluation\n\nNot evaluated, on purpose.\n", ""}});
  const PolicyEvaluation evaluation = EvaluateCard(card, BasePolicy());
  EXPECT_FAILS_WITH(evaluation, "model_card.section_missing");
  const std::vector<Finding> found =
      WithRule(evaluation, "model_card.section_missing");
  ASSERT_EQ(found.size(), 1u) << Describe(evaluation);
  EXPECT_EQ(found[0].policy_ref, "model_card.required_sections[4]");
  EXPECT_EQ(found[0].path, "README.md");
}

TEST_F(PolicyEvaluationTest, SectionWithTooFewWordsIsEmpty) {
  for (const std::string& text : std::vector<std::string>{
           std::string("Pending."), std::string("[More Information Needed]"),
           std::string("")}) {
    const std::string card =
        absl::StrReplaceAll(GoodCard(), {{"Not evaluated, on purpose.", text}});
    const PolicyEvaluation evaluation = EvaluateCard(card, BasePolicy());
    EXPECT_FAILS_WITH(evaluation, "model_card.section_empty");
    EXPECT_EQ(WithRule(evaluation, "model_card.section_empty")[0].policy_ref,
              "model_card.required_sections[4]")
        << text;
  }
}

TEST_F(PolicyEvaluationTest,
       ConditionalFieldIsRequiredOnlyWhenItsConditionHolds) {
  PolicyText text = BasePolicy();
  text.licenses =
      "licenses:\n  allow: [apache-2.0, my-license]\n  unknown: deny\n";
  const PolicyEvaluation missing = EvaluateCard(GoodCard("other"), text);
  EXPECT_FAILS_WITH(missing, "model_card.conditional_field_missing");
  EXPECT_EQ(
      WithRule(missing, "model_card.conditional_field_missing")[0].policy_ref,
      "model_card.rules[0]");
  const PolicyEvaluation named =
      EvaluateCard(GoodCard("other", "license_name: my-license\n"), text);
  EXPECT_PASSES(named);
  // license: other with license_name is judged by license_name.
  EXPECT_EQ(named.license, "my-license");
}

TEST_F(PolicyEvaluationTest, PlaceholderLeftInTheCardIsReported) {
  const std::string card = absl::StrReplaceAll(
      GoodCard(), {{"It knows nothing and says so.",
                    "It knows nothing. TODO: write more."}});
  const PolicyEvaluation evaluation = EvaluateCard(card, BasePolicy());
  EXPECT_FAILS_WITH(evaluation, "model_card.placeholder");
  const std::vector<Finding> found =
      WithRule(evaluation, "model_card.placeholder");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].policy_ref, "model_card.forbidden_placeholders[1]");
  EXPECT_THAT(found[0].message, HasSubstr("line 16"));
}

TEST_F(PolicyEvaluationTest, CardRulesAtWarningSeverityFailOnlyWhenStrict) {
  PolicyText text = BasePolicy();
  text.model_card =
      "model_card:\n  severity: warning\n  required_fields: [datasets]\n";
  const PolicyEvaluation evaluation = EvaluateCard(GoodCard(), text);
  ASSERT_THAT(RuleIds(evaluation), ElementsAre("model_card.field_missing"));
  EXPECT_EQ(evaluation.findings[0].severity, Severity::kWarning);
  EXPECT_TRUE(PolicyPassed(evaluation, /*strict=*/false));
  EXPECT_FALSE(PolicyPassed(evaluation, /*strict=*/true));
}

// ---------------------------------------------------------------------------
// licenses.*
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, CardWithoutLicenseIsMissingALicense) {
  PolicyText text = BasePolicy();
  text.model_card.clear();  // the licenses section alone reads the card
  const std::string card =
      absl::StrReplaceAll(GoodCard(), {{"license: apache-2.0\n", ""}});
  const PolicyEvaluation evaluation = EvaluateCard(card, text);
  EXPECT_FAILS_WITH(evaluation, "licenses.missing");
  EXPECT_EQ(WithRule(evaluation, "licenses.missing")[0].path, "README.md");
  EXPECT_EQ(WithRule(evaluation, "licenses.missing")[0].policy_ref, "licenses");
  EXPECT_PASSES(EvaluateCard(GoodCard(), text));
}

TEST_F(PolicyEvaluationTest, DeniedLicenseFails) {
  const PolicyEvaluation evaluation =
      EvaluateCard(GoodCard("cc-by-nc-4.0"), BasePolicy());
  EXPECT_FAILS_WITH(evaluation, "licenses.denied");
  const std::vector<Finding> found = WithRule(evaluation, "licenses.denied");
  EXPECT_EQ(found[0].severity, Severity::kError);
  EXPECT_EQ(found[0].policy_ref, "licenses.deny");
  EXPECT_EQ(evaluation.license, "CC-BY-NC-4.0");
  // The same license under its SPDX id, and hidden behind license: other.
  EXPECT_FAILS_WITH(EvaluateCard(GoodCard("CC-BY-NC-4.0"), BasePolicy()),
                    "licenses.denied");
  EXPECT_FAILS_WITH(
      EvaluateCard(GoodCard("other", "license_name: cc-by-nc-4.0\n"),
                   BasePolicy()),
      "licenses.denied");
}

TEST_F(PolicyEvaluationTest, LicenseUnderReviewWarnsAndFailsOnlyWhenStrict) {
  const PolicyEvaluation evaluation =
      EvaluateCard(GoodCard("llama2"), BasePolicy());
  ASSERT_THAT(RuleIds(evaluation), ElementsAre("licenses.review"))
      << Describe(evaluation);
  EXPECT_EQ(evaluation.findings[0].severity, Severity::kWarning);
  EXPECT_EQ(evaluation.findings[0].policy_ref, "licenses.review");
  EXPECT_TRUE(PolicyPassed(evaluation, /*strict=*/false));
  EXPECT_FALSE(PolicyPassed(evaluation, /*strict=*/true));
}

TEST_F(PolicyEvaluationTest, UnknownLicenseFollowsThePolicysUnknownSetting) {
  PolicyText text = BasePolicy();
  const PolicyEvaluation denied = EvaluateCard(GoodCard("wtfpl"), text);
  EXPECT_FAILS_WITH(denied, "licenses.unknown");
  EXPECT_EQ(WithRule(denied, "licenses.unknown")[0].severity, Severity::kError);
  EXPECT_EQ(WithRule(denied, "licenses.unknown")[0].policy_ref,
            "licenses.unknown");

  text.licenses = "licenses:\n  allow: [apache-2.0]\n  unknown: review\n";
  const PolicyEvaluation review = EvaluateCard(GoodCard("wtfpl"), text);
  ASSERT_THAT(RuleIds(review), ElementsAre("licenses.unknown"));
  EXPECT_EQ(review.findings[0].severity, Severity::kWarning);
  EXPECT_TRUE(PolicyPassed(review, false));
  EXPECT_FALSE(PolicyPassed(review, true));

  text.licenses = "licenses:\n  allow: [apache-2.0]\n  unknown: allow\n";
  EXPECT_PASSES(EvaluateCard(GoodCard("wtfpl"), text));
  // A family name is as unknown as any other id under deny.
  text.licenses = "licenses:\n  allow: [apache-2.0]\n  unknown: deny\n";
  EXPECT_FAILS_WITH(EvaluateCard(GoodCard("other"), text), "licenses.unknown");
}

// ---------------------------------------------------------------------------
// artifacts.*
// ---------------------------------------------------------------------------

TEST_F(PolicyEvaluationTest, PickleIsAForbiddenFormatWhateverItsName) {
  dir_.Write("model/model.bin", TinyPickle());
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "artifacts.forbidden_format");
  const std::vector<Finding> found =
      WithRule(evaluation, "artifacts.forbidden_format");
  ASSERT_EQ(found.size(), 1u) << Describe(evaluation);
  EXPECT_EQ(found[0].path, "model.bin");
  EXPECT_EQ(found[0].policy_ref, "artifacts.forbidden_formats");
  EXPECT_THAT(found[0].message, HasSubstr("pickle"));
  EXPECT_THAT(
      evaluation.artifact_formats,
      Contains(std::pair<std::string, std::string>("model.bin", "pickle")));
}

TEST_F(PolicyEvaluationTest, PickleMadeByPythonIsAForbiddenFormat) {
  const std::string path = dir_.Join("model/weights.pt.tmp");
  const policy_testing::CommandResult made = policy_testing::RunCommand(
      "python3 -c \"import pickle,sys; open(sys.argv[1],'wb').write("
      "pickle.dumps({'w': [1.0, 2.0]}, protocol=2))\" " +
      path);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const PolicyEvaluation evaluation = Evaluate(BasePolicy(), GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "artifacts.forbidden_format");
  EXPECT_EQ(WithRule(evaluation, "artifacts.forbidden_format")[0].path,
            "weights.pt.tmp");
}

TEST_F(PolicyEvaluationTest, FormatOutsideTheAllowListIsReported) {
  PolicyText text = BasePolicy();
  text.artifacts = "artifacts:\n  allowed_formats: [safetensors, json]\n";
  const PolicyEvaluation evaluation = Evaluate(text, GoodBundles());
  EXPECT_FAILS_WITH(evaluation, "artifacts.format_not_allowed");
  const std::vector<Finding> found =
      WithRule(evaluation, "artifacts.format_not_allowed");
  ASSERT_EQ(found.size(), 1u) << Describe(evaluation);
  EXPECT_EQ(found[0].path, "README.md");
  EXPECT_EQ(found[0].policy_ref, "artifacts.allowed_formats");

  text.artifacts = "artifacts:\n  allowed_formats: [safetensors, json, text]\n";
  EXPECT_PASSES(Evaluate(text, GoodBundles()));
}

TEST_F(PolicyEvaluationTest, EveryReportedRuleIsInTheCatalog) {
  std::vector<std::string> catalog;
  for (const RuleDescription& rule : PolicyRuleCatalog()) {
    catalog.push_back(rule.id);
  }
  EXPECT_EQ(catalog.size(), 29u);
  PolicyText text = WithRevocation(
      BasePolicy(), absl::StrCat("  - signer: meta-review\n    date: \"",
                                 Rfc3339(logged_at_ - kHour), "\"\n"));
  dir_.Write("model/README.md", GoodCard("llama2"));
  std::vector<std::string> bundles = GoodBundles();
  bundles.push_back("not json");
  dir_.Write("model/extra.bin", TinyPickle());
  const PolicyEvaluation evaluation = Evaluate(text, bundles);
  for (const Finding& finding : evaluation.findings) {
    if (finding.policy_ref == "artifacts" &&
        finding.rule.rfind("scan.", 0) == 0) {
      continue;  // scanner rules live in ScanRuleCatalog()
    }
    EXPECT_THAT(catalog, Contains(finding.rule));
  }
}

}  // namespace
}  // namespace modelseal
