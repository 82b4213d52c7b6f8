// End-to-end: the alliance journey through the real binary — keys for two
// organisations, sign + co-sign + log, a policy signed by the governance key,
// `verify --policy` in every report format — and the ways it must refuse.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"

namespace modelseal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kAlliance = MODELSEAL_EXAMPLES_DIR "/alliance";
const std::string kSchemas = MODELSEAL_SCHEMAS_DIR;

class PolicyJourneyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string& d = dir_->path();
    std::filesystem::copy(kExample, d + "/model",
                          std::filesystem::copy_options::recursive);
    for (const char* who : {"ibm", "meta", "gov", "rogue"}) {
      ASSERT_EQ(Modelseal(absl::StrCat("keygen --out ", d, "/", who)).exit_code,
                0);
    }
    ASSERT_EQ(Modelseal(absl::StrCat("log init ", d,
                                     "/log --origin example.com/ai-alliance/"
                                     "releases"))
                  .exit_code,
              0);
    SignAndCosign(d + "/model", "model");
    RenderPolicy(d + "/policy.yaml", "1", "2030-11-01T00:00:00Z");
    ASSERT_EQ(Modelseal(absl::StrCat("policy sign ", d, "/policy.yaml --key ",
                                     d, "/gov.key"))
                  .exit_code,
              0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Signs `model` by IBM (logged) and co-signs it by Meta (logged):
  // NAME-ibm.sig, NAME-meta.sig.
  static void SignAndCosign(const std::string& model, const std::string& name) {
    const std::string& d = dir_->path();
    Result signed_by_ibm = Modelseal(
        absl::StrCat("sign ", Quote(model), " --key ", d, "/ibm.key -o ", d,
                     "/", name, "-ibm.sig --log ", d, "/log -q"));
    ASSERT_EQ(signed_by_ibm.exit_code, 0) << signed_by_ibm.err;
    Result cosigned = Modelseal(absl::StrCat(
        "sign --cosign ", d, "/", name, "-ibm.sig --key ", d, "/meta.key -o ",
        d, "/", name, "-meta.sig --log ", d, "/log -q"));
    ASSERT_EQ(cosigned.exit_code, 0) << cosigned.err;
  }

  static void RenderPolicy(const std::string& out, const std::string& version,
                           const std::string& expires) {
    const std::string& d = dir_->path();
    std::string text = ReadAll(kAlliance + "/policy.yaml.in");
    text = absl::StrReplaceAll(
        text, {{"version: 1\n", absl::StrCat("version: ", version, "\n")},
               {"expires: \"2030-11-01T00:00:00Z\"",
                absl::StrCat("expires: \"", expires, "\"")}});
    const std::string template_path = out + ".in";
    dir_->Write(
        std::filesystem::path(template_path).lexically_relative(d).string(),
        text);
    const Result rendered = RunShell(absl::StrCat(
        "python3 ", kAlliance, "/render_policy.py ", template_path, " ", out,
        " IBM_PUBLIC_KEY=", d, "/ibm.pub META_PUBLIC_KEY=", d,
        "/meta.pub LOG_KEY=", d, "/log.vkey"));
    ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  }

  // verify --policy with the signed policy and a private state directory.
  static Result VerifyWithPolicy(const std::string& model,
                                 const std::string& signatures,
                                 const std::string& extra = "") {
    const std::string& d = dir_->path();
    return Modelseal(absl::StrCat(
        "verify ", Quote(model), " --signature ", signatures, " --policy ", d,
        "/policy.yaml --policy-signature ", d, "/policy.yaml.sig --policy-key ",
        d, "/gov.pub --state-dir ", d, "/state ", extra));
  }

  static std::string Both(const std::string& name) {
    const std::string& d = dir_->path();
    return absl::StrCat(d, "/", name, "-ibm.sig ", d, "/", name, "-meta.sig");
  }

  static TempDir* dir_;
};

TempDir* PolicyJourneyTest::dir_ = nullptr;

TEST_F(PolicyJourneyTest, SignedLoggedCosignedModelMeetsThePolicy) {
  const Result result = VerifyWithPolicy(dir_->Join("model"), Both("model"));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("PASSED"));
  EXPECT_THAT(result.out, HasSubstr("ibm-release (ibm)"));
  EXPECT_THAT(result.out, HasSubstr("meta-review (meta)"));
  EXPECT_THAT(result.out, HasSubstr("signed by governance key"));
  EXPECT_THAT(result.out,
              HasSubstr("logged in example.com/ai-alliance/releases"));
  EXPECT_THAT(result.out, Not(HasSubstr("\x1b[")));  // no colour off a terminal
}

TEST_F(PolicyJourneyTest, OneSignatureDoesNotMeetTheTwoOrganizationThreshold) {
  const Result result =
      VerifyWithPolicy(dir_->Join("model"), dir_->Join("model-ibm.sig"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("thresholds.unmet"));
  EXPECT_THAT(result.out, HasSubstr("two-independent-members"));
}

TEST_F(PolicyJourneyTest, TheSameSignatureTwiceCountsOnce) {
  const std::string ibm = dir_->Join("model-ibm.sig");
  const Result result =
      VerifyWithPolicy(dir_->Join("model"), absl::StrCat(ibm, " ", ibm));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("thresholds.unmet"));
}

TEST_F(PolicyJourneyTest, SignatureByAKeyOutsideThePolicyIsRefused) {
  const std::string& d = dir_->path();
  ASSERT_EQ(Modelseal(absl::StrCat("sign --cosign ", d, "/model-ibm.sig --key ",
                                   d, "/rogue.key -o ", d, "/rogue.sig -q"))
                .exit_code,
            0);
  const Result result = VerifyWithPolicy(
      d + "/model", absl::StrCat(d, "/model-ibm.sig ", d, "/rogue.sig"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("signatures.untrusted"));
  EXPECT_THAT(result.out, HasSubstr("thresholds.unmet"));
}

TEST_F(PolicyJourneyTest, CardEditedAfterSigningIsAViolation) {
  const std::string copy = dir_->Join("edited-card");
  std::filesystem::copy(dir_->Join("model"), copy,
                        std::filesystem::copy_options::recursive);
  std::ofstream(copy + "/README.md", std::ios::app)
      << "\nNow fine for any use.\n";
  const Result result = VerifyWithPolicy(copy, Both("model"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("model_card.changed"));
  EXPECT_THAT(result.out, HasSubstr("model.changed"));
}

TEST_F(PolicyJourneyTest, NonCommercialLicenseIsDeniedEvenWhenProperlySigned) {
  const std::string copy = dir_->Join("noncommercial");
  std::filesystem::copy(dir_->Join("model"), copy,
                        std::filesystem::copy_options::recursive);
  std::string card = ReadAll(copy + "/README.md");
  card = absl::StrReplaceAll(
      card, {{"license: apache-2.0", "license: cc-by-nc-4.0"}});
  dir_->Write("noncommercial/README.md", card);
  SignAndCosign(copy, "nc");
  const Result result = VerifyWithPolicy(copy, Both("nc"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("licenses.denied"));
  EXPECT_THAT(result.out, HasSubstr("CC-BY-NC-4.0"));
}

TEST_F(PolicyJourneyTest, PickleWeightsAreForbiddenByContentWhateverTheirName) {
  const std::string copy = dir_->Join("pickled");
  std::filesystem::copy(dir_->Join("model"), copy,
                        std::filesystem::copy_options::recursive);
  // A protocol-2 pickle of {"w": 1} saved under an innocent name.
  const Result made = RunShell(absl::StrCat(
      "python3 -c 'import pickle,sys; open(sys.argv[1], \"wb\").write("
      "pickle.dumps({\"w\": 1}, protocol=2))' ",
      copy, "/weights.bin"));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_GT(std::filesystem::file_size(copy + "/weights.bin"), 10u);
  SignAndCosign(copy, "pickled");
  const Result result = VerifyWithPolicy(copy, Both("pickled"));
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("artifacts.forbidden_format"));
  EXPECT_THAT(result.out, HasSubstr("weights.bin"));
}

TEST_F(PolicyJourneyTest, JsonReportFollowsItsSchema) {
  const Result result = VerifyWithPolicy(
      dir_->Join("model"), dir_->Join("model-ibm.sig"), "--format json");
  EXPECT_EQ(result.exit_code, 1);
  const std::string report = dir_->Write("report.json", result.out);
  const Result valid = RunShell(
      absl::StrCat("python3 -c 'import json,sys,jsonschema; "
                   "jsonschema.validate(json.load(open(sys.argv[1])), "
                   "json.load(open(sys.argv[2])))' ",
                   report, " ", kSchemas, "/policy-report.schema.json"));
  EXPECT_EQ(valid.exit_code, 0) << valid.err << result.out;
  EXPECT_THAT(result.out, HasSubstr("\"ok\":false"));
  EXPECT_THAT(result.out, HasSubstr("\"rule\":\"thresholds.unmet\""));
}

TEST_F(PolicyJourneyTest, SarifReportIsValidSarif210) {
  const Result result = VerifyWithPolicy(
      dir_->Join("model"), dir_->Join("model-ibm.sig"), "--format sarif");
  EXPECT_EQ(result.exit_code, 1);
  const std::string report = dir_->Write("report.sarif", result.out);
  const Result valid =
      RunShell(absl::StrCat("python3 -c 'import json,sys,jsonschema; "
                            "jsonschema.validate(json.load(open(sys.argv[1])), "
                            "json.load(open(sys.argv[2])))' ",
                            report, " ", MODELSEAL_TEST_VECTORS_DIR,
                            "/sarif/sarif-schema-2.1.0.json"));
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(result.out, HasSubstr("\"version\":\"2.1.0\""));
  EXPECT_THAT(result.out, HasSubstr("\"ruleId\":\"thresholds.unmet\""));
}

TEST_F(PolicyJourneyTest, GithubFormatPrintsWorkflowCommands) {
  const Result result = VerifyWithPolicy(
      dir_->Join("model"), dir_->Join("model-ibm.sig"), "--format github");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("::error title=thresholds.unmet::"));
  EXPECT_THAT(result.out, HasSubstr("::notice title=modelseal.verdict::"));
}

TEST_F(PolicyJourneyTest, UnsignedPolicyIsRefusedUnlessAllowed) {
  const std::string& d = dir_->path();
  const std::string base = absl::StrCat(
      "verify ", d, "/model --signature ", Both("model"), " --policy ", d,
      "/policy.yaml --state-dir ", d, "/state-unsigned");
  const Result refused = Modelseal(base);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("--policy-signature"));
  const Result allowed = Modelseal(base + " --allow-unsigned-policy");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("UNSIGNED"));
  // An unsigned policy never moves the rollback state.
  EXPECT_FALSE(std::filesystem::exists(d + "/state-unsigned/policy-versions"));
}

TEST_F(PolicyJourneyTest, PolicyEditedAfterSigningIsRefused) {
  const std::string& d = dir_->path();
  std::string text = ReadAll(d + "/policy.yaml");
  text = absl::StrReplaceAll(text, {{"unknown: deny", "unknown: allow"}});
  dir_->Write("edited-policy.yaml", text);
  const Result result = Modelseal(
      absl::StrCat("verify ", d, "/model --signature ", Both("model"),
                   " --policy ", d, "/edited-policy.yaml --policy-signature ",
                   d, "/policy.yaml.sig --policy-key ", d,
                   "/gov.pub --state-dir ", d, "/state"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("other bytes"));
}

TEST_F(PolicyJourneyTest, PolicySignedByAnotherKeyIsRefused) {
  const std::string& d = dir_->path();
  const Result result = Modelseal(absl::StrCat(
      "verify ", d, "/model --signature ", Both("model"), " --policy ", d,
      "/policy.yaml --policy-signature ", d, "/policy.yaml.sig --policy-key ",
      d, "/rogue.pub --state-dir ", d, "/state"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("policy signature"));
}

TEST_F(PolicyJourneyTest, OlderPolicyVersionIsRefusedAfterANewerOne) {
  const std::string& d = dir_->path();
  for (const std::string version : {"2", "1"}) {
    RenderPolicy(absl::StrCat(d, "/policy-v", version, ".yaml"), version,
                 "2030-11-01T00:00:00Z");
    ASSERT_EQ(Modelseal(absl::StrCat("policy sign ", d, "/policy-v", version,
                                     ".yaml --key ", d, "/gov.key"))
                  .exit_code,
              0);
  }
  const auto verify = [&](const std::string& version) {
    return Modelseal(absl::StrCat(
        "verify ", d, "/model --signature ", Both("model"), " --policy ", d,
        "/policy-v", version, ".yaml --policy-signature ", d, "/policy-v",
        version, ".yaml.sig --policy-key ", d, "/gov.pub --state-dir ", d,
        "/state-rollback"));
  };
  EXPECT_EQ(verify("2").exit_code, 0);
  const Result rollback = verify("1");
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_THAT(rollback.err, HasSubstr("rollback"));
  EXPECT_EQ(verify("2").exit_code, 0);  // the current version still works
}

TEST_F(PolicyJourneyTest, ExpiredPolicyIsRefused) {
  const std::string& d = dir_->path();
  RenderPolicy(d + "/expired.yaml", "1", "2026-11-02T00:00:00Z");
  ASSERT_EQ(Modelseal(absl::StrCat("policy sign ", d, "/expired.yaml --key ", d,
                                   "/gov.key"))
                .exit_code,
            0);
  const Result result = Modelseal(absl::StrCat(
      "verify ", d, "/model --signature ", Both("model"), " --policy ", d,
      "/expired.yaml --policy-signature ", d, "/expired.yaml.sig --policy-key ",
      d, "/gov.pub --state-dir ", d, "/state-expired"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("expired"));
  EXPECT_EQ(
      Modelseal(absl::StrCat("policy lint ", d, "/expired.yaml")).exit_code, 1);
}

TEST_F(PolicyJourneyTest, MalformedPolicyExitsThreeWithLineAndColumn) {
  const std::string& d = dir_->path();
  std::string text = ReadAll(d + "/policy.yaml");
  text = absl::StrReplaceAll(
      text, {{"  require_inclusion:", "  require_inclution:"}});
  const std::string path = dir_->Write("typo.yaml", text);
  const Result lint = Modelseal("policy lint " + path);
  EXPECT_EQ(lint.exit_code, 3);
  EXPECT_THAT(lint.err, HasSubstr("unknown key 'require_inclution'"));
  EXPECT_THAT(lint.err, HasSubstr("typo.yaml:"));
  const Result verify = Modelseal(absl::StrCat(
      "verify ", d, "/model --signature ", Both("model"), " --policy ", path,
      " --allow-unsigned-policy --state-dir ", d, "/state"));
  EXPECT_EQ(verify.exit_code, 3);
  const Result sign = Modelseal(absl::StrCat("policy sign ", path, " --key ", d,
                                             "/gov.key -o ", d, "/typo.sig"));
  EXPECT_EQ(sign.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(d + "/typo.sig"));
}

TEST_F(PolicyJourneyTest, KeyFlagsDoNotMixWithAPolicy) {
  const std::string& d = dir_->path();
  const Result result = Modelseal(absl::StrCat(
      "verify ", d, "/model --signature ", Both("model"), " --key ", d,
      "/ibm.pub --policy ", d, "/policy.yaml --allow-unsigned-policy"));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("come from the policy"));
}

TEST_F(PolicyJourneyTest, PolicyLintAcceptsTheExamplePolicy) {
  const Result result = Modelseal("policy lint " + dir_->Join("policy.yaml"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("'ai-alliance-open-models' version 1"));
}

TEST(CardLintTest, ExampleCardMeetsTheDefaultRules) {
  const Result result = Modelseal("card lint " + kExample + "/README.md");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("OK:"));
}

TEST(CardLintTest, IncompleteCardFailsWithEveryProblemNamed) {
  TempDir dir;
  const std::string card =
      dir.Write("README.md",
                "---\nlicense: other\n---\n# Model Details\n[More Information "
                "Needed]\n");
  const Result result = Modelseal("card lint " + card);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("model_card.conditional_field_missing"));
  EXPECT_THAT(result.out, HasSubstr("model_card.section_empty"));
  EXPECT_THAT(result.out, HasSubstr("model_card.section_missing"));
  EXPECT_THAT(result.out, HasSubstr("model_card.placeholder"));
}

TEST(CardLintTest, UnreadableCardExitsThree) {
  TempDir dir;
  const std::string card = dir.Write("README.md", "---\nlicense: [unclosed\n");
  const Result result = Modelseal("card lint " + card + " --format json");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.out, HasSubstr("model_card.malformed"));
}

}  // namespace
}  // namespace modelseal
