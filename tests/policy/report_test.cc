// Reports (report.h) and policy reports (policy_report.h): every format must
// stay well formed whatever bytes the findings carry, and SARIF must be
// valid against the OASIS schema.
#include "modelseal/report.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "modelseal/policy.h"
#include "modelseal/policy_evaluation.h"
#include "modelseal/policy_report.h"
#include "modelseal/scan.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::modelseal::policy_testing::RunCommand;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSarifSchema =
    MODELSEAL_TEST_VECTORS_DIR "/sarif/sarif-schema-2.1.0.json";

// True when `text` is valid UTF-8 (no overlongs, surrogates or values above
// U+10FFFF).
bool IsValidUtf8(absl::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xe  ? 3
                         : (lead >> 3) == 0x1e ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return false;
    std::uint32_t code = length == 1 ? lead : lead & (0xff >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10ffff ||
        (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

// Parses JSON (an object, or an array wrapped in one) with protobuf's
// strict parser.
Struct ParseJson(const std::string& json) {
  Struct message;
  const std::string wrapped =
      absl::StartsWith(json, "[") ? absl::StrCat("{\"v\":", json, "}") : json;
  const auto status =
      google::protobuf::util::JsonStringToMessage(wrapped, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

const Value& Field(const Value& value, const std::string& name) {
  static const Value* const kNull = new Value();
  const auto& fields = value.struct_value().fields();
  auto it = fields.find(name);
  EXPECT_NE(it, fields.end()) << name;
  return it == fields.end() ? *kNull : it->second;
}

Value AsValue(const Struct& message) {
  Value value;
  *value.mutable_struct_value() = message;
  return value;
}

std::vector<Finding> MixedFindings() {
  return {
      MakeFinding("licenses.review", Severity::kWarning, "review it",
                  "README.md", "licenses.review"),
      MakeFinding("scan.note", Severity::kInfo, "fyi", "config.json"),
      MakeFinding("model.changed", Severity::kError, "differs", "w.bin",
                  "signers"),
      MakeFinding("scan.pickle.dangerous_import", Severity::kCritical,
                  "os.system", "model.bin", "artifacts"),
      MakeFinding("thresholds.unmet", Severity::kError, "too few", "",
                  "thresholds[0]"),
  };
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

TEST(ReportTest, TextGroupsFindingsMostSeriousFirstKeepingOrder) {
  const std::string text = FindingsToText(MixedFindings(), /*color=*/false);
  const std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << text;
  EXPECT_THAT(lines[0], HasSubstr("critical"));
  EXPECT_THAT(lines[0], HasSubstr("scan.pickle.dangerous_import"));
  EXPECT_THAT(lines[1], HasSubstr("model.changed"));
  EXPECT_THAT(lines[1], HasSubstr("w.bin: differs [policy: signers]"));
  EXPECT_THAT(lines[2], HasSubstr("thresholds.unmet"));
  EXPECT_THAT(lines[3], HasSubstr("warning"));
  EXPECT_THAT(lines[4], HasSubstr("info"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(ReportTest, TextIsColouredOnlyWhenAsked) {
  const std::string colored = FindingsToText(MixedFindings(), /*color=*/true);
  EXPECT_THAT(colored, HasSubstr("\x1b[1;31m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[0m"));
  EXPECT_EQ(FindingsToText(MixedFindings(), false).find('\x1b'),
            std::string::npos);
}

TEST(ReportTest, TextNeutralizesControlCharactersFromHostileInput) {
  // A file name can hold any byte but '/' and NUL: escapes and line breaks
  // from a model must not repaint the terminal or forge a verdict line.
  const std::vector<Finding> findings = {
      MakeFinding("model.unsigned", Severity::kError,
                  "the file is not covered\r\nPASSED: all good",
                  "evil\x1b[2K\x1b[1;32mname\n.bin")};
  const std::string text = FindingsToText(findings, /*color=*/false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST(ReportTest, TextReplacesInvalidUtf8) {
  const std::string text =
      FindingsToText({MakeFinding("model.changed", Severity::kError,
                                  "bad \xff\xfe bytes", "w\xc0\xaf.bin")},
                     false);
  EXPECT_TRUE(IsValidUtf8(text)) << text;
  EXPECT_THAT(text, HasSubstr("\xef\xbf\xbd"));
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

TEST(ReportTest, JsonArrayCarriesEveryFieldAndLeavesEmptyOnesOut) {
  std::vector<Finding> findings = MixedFindings();
  findings[0].member = "inner/data.pkl";
  findings[0].offset = 42;
  const std::string json = FindingsToJsonArray(findings);
  const Struct parsed = ParseJson(json);
  const auto& items = parsed.fields().at("v").list_value().values();
  ASSERT_EQ(items.size(), 5);
  EXPECT_EQ(Field(items[0], "rule").string_value(), "licenses.review");
  EXPECT_EQ(Field(items[0], "severity").string_value(), "warning");
  EXPECT_EQ(Field(items[0], "message").string_value(), "review it");
  EXPECT_EQ(Field(items[0], "path").string_value(), "README.md");
  EXPECT_EQ(Field(items[0], "member").string_value(), "inner/data.pkl");
  EXPECT_EQ(Field(items[0], "offset").number_value(), 42);
  EXPECT_EQ(Field(items[0], "policy_ref").string_value(), "licenses.review");
  // The order is the findings' order, not grouped.
  EXPECT_EQ(Field(items[3], "severity").string_value(), "critical");
  // Empty path and absent offset are left out.
  EXPECT_FALSE(items[4].struct_value().fields().count("path") != 0);
  EXPECT_FALSE(items[4].struct_value().fields().count("offset") != 0);
  EXPECT_FALSE(items[1].struct_value().fields().count("policy_ref") != 0);
}

TEST(ReportTest, JsonArrayEscapesControlCharactersAndInvalidUtf8) {
  const std::string json = FindingsToJsonArray(
      {MakeFinding("r", Severity::kError,
                   "quote \" backslash \\ tab \t nul \x01 bad \xff", "a\nb")});
  EXPECT_TRUE(IsValidUtf8(json));
  const Struct parsed = ParseJson(json);
  const Value& item = parsed.fields().at("v").list_value().values(0);
  EXPECT_EQ(Field(item, "message").string_value(),
            "quote \" backslash \\ tab \t nul \x01 bad \xef\xbf\xbd");
  EXPECT_EQ(Field(item, "path").string_value(), "a\nb");
  EXPECT_EQ(FindingsToJsonArray({}), "[]");
}

// ---------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------

ReportInfo Info() {
  ReportInfo info;
  info.command = "verify --policy";
  info.subject = "models/test";
  info.rules = PolicyRuleCatalog();
  return info;
}

TEST(ReportTest, SarifHasOneRulePerIdAndRuleIndexPointsAtIt) {
  std::vector<Finding> findings = MixedFindings();
  findings.push_back(findings[2]);  // the same rule twice
  const Struct sarif = ParseJson(FindingsToSarif(findings, Info()));
  const Value root = AsValue(sarif);
  EXPECT_EQ(Field(root, "version").string_value(), "2.1.0");
  const auto& runs = Field(root, "runs").list_value().values();
  ASSERT_EQ(runs.size(), 1);
  const auto& rules = Field(Field(Field(runs[0], "tool"), "driver"), "rules")
                          .list_value()
                          .values();
  std::vector<std::string> ids;
  for (const Value& rule : rules) {
    ids.push_back(Field(rule, "id").string_value());
  }
  std::vector<std::string> unique = ids;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end())
      << "a rule id is listed twice";
  // The policy catalog plus the two scan ids only the findings name.
  EXPECT_EQ(ids.size(), PolicyRuleCatalog().size() + 2);

  const auto& results = Field(runs[0], "results").list_value().values();
  ASSERT_EQ(results.size(), static_cast<int>(findings.size()));
  for (int i = 0; i < results.size(); ++i) {
    const std::string rule_id = Field(results[i], "ruleId").string_value();
    EXPECT_EQ(rule_id, findings[static_cast<std::size_t>(i)].rule);
    const auto index =
        static_cast<std::size_t>(Field(results[i], "ruleIndex").number_value());
    ASSERT_LT(index, ids.size());
    EXPECT_EQ(ids[index], rule_id);
  }
  EXPECT_EQ(Field(results[3], "level").string_value(), "error");  // critical
  EXPECT_EQ(Field(results[0], "level").string_value(), "warning");
  EXPECT_EQ(Field(results[1], "level").string_value(), "note");
  // Located at its file; a finding about the whole model has no location.
  const Value& uri =
      Field(Field(Field(Field(results[2], "locations").list_value().values(0),
                        "physicalLocation"),
                  "artifactLocation"),
            "uri");
  EXPECT_EQ(uri.string_value(), "w.bin");
  EXPECT_FALSE(results[4].struct_value().fields().count("locations") != 0);
}

TEST(ReportTest, SarifPercentEncodesOddPathsAndReplacesInvalidUtf8) {
  const std::string sarif =
      FindingsToSarif({MakeFinding("model.changed", Severity::kError,
                                   "bad \xff message", "dir/my file#1%.bin"),
                       MakeFinding("model.changed", Severity::kError, "x",
                                   "caf\xc3\xa9/\xff.bin")},
                      Info());
  EXPECT_TRUE(IsValidUtf8(sarif));
  EXPECT_THAT(sarif, HasSubstr("\"uri\":\"dir/my%20file%231%25.bin\""));
  EXPECT_THAT(sarif, HasSubstr("\"uri\":\"caf%C3%A9/%EF%BF%BD.bin\""));
  EXPECT_THAT(sarif, HasSubstr("bad \xef\xbf\xbd message"));
  ParseJson(sarif);
}

// ---------------------------------------------------------------------------
// GitHub workflow commands
// ---------------------------------------------------------------------------

TEST(ReportTest, GithubCommandsEscapeDataAndProperties) {
  const std::string out =
      FindingsToGithub({MakeFinding("model.changed", Severity::kError,
                                    "50% done: a, b\r\nnext line",
                                    "dir/a,b:c%d\ne.bin", "signers"),
                        MakeFinding("licenses.review", Severity::kWarning, "w"),
                        MakeFinding("scan.note", Severity::kInfo, "i", "x")});
  const std::vector<std::string> lines =
      absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0],
            "::error file=dir/a%2Cb%3Ac%25d%0Ae.bin,title=model.changed::"
            "50%25 done: a, b%0D%0Anext line (policy: signers)");
  EXPECT_EQ(lines[1], "::warning title=licenses.review::w");
  EXPECT_EQ(lines[2], "::notice file=x,title=scan.note::i");
}

TEST(ReportTest, ParsesTheFourFormatNames) {
  EXPECT_EQ(*ParseReportFormat("text"), ReportFormat::kText);
  EXPECT_EQ(*ParseReportFormat("json"), ReportFormat::kJson);
  EXPECT_EQ(*ParseReportFormat("sarif"), ReportFormat::kSarif);
  EXPECT_EQ(*ParseReportFormat("github"), ReportFormat::kGithub);
  EXPECT_FALSE(ParseReportFormat("SARIF").ok());
  EXPECT_FALSE(ParseReportFormat("").ok());
}

// ---------------------------------------------------------------------------
// Policy reports
// ---------------------------------------------------------------------------

TEST(PolicyReportTest, MalformedInputFailsEvenWithoutFindings) {
  PolicyEvaluation evaluation;
  EXPECT_TRUE(PolicyPassed(evaluation, true));
  evaluation.malformed_input = true;
  EXPECT_FALSE(PolicyPassed(evaluation, false));
  evaluation.malformed_input = false;
  evaluation.findings.push_back(
      MakeFinding("licenses.review", Severity::kWarning, "w"));
  EXPECT_TRUE(PolicyPassed(evaluation, false));
  EXPECT_FALSE(PolicyPassed(evaluation, true));
  evaluation.findings.push_back(MakeFinding("scan.x", Severity::kInfo, "i"));
  EXPECT_FALSE(PolicyPassed(evaluation, true));
  evaluation.findings.erase(evaluation.findings.begin());
  EXPECT_TRUE(PolicyPassed(evaluation, true));
}

PolicyEvaluation HostileEvaluation() {
  PolicyEvaluation evaluation;
  SignatureOutcome signature;
  signature.bundle_path = "sig\xff.json";
  signature.problem = "malformed bundle: unexpected byte \xfe";
  signature.identity = "certificate 'CN=\xc3'";
  evaluation.signatures.push_back(signature);
  evaluation.artifact_formats.emplace_back("weights\xff.bin", "pickle");
  evaluation.findings.push_back(MakeFinding("signatures.malformed",
                                            Severity::kError, "bad \xff",
                                            "sig\xff.json", "signers"));
  evaluation.malformed_input = true;
  return evaluation;
}

TEST(PolicyReportTest, EveryFormatStaysValidUtf8WithHostileNames) {
  PolicyReportContext context;
  context.model_path = "models/\xff";
  context.policy_name = "alliance";
  for (ReportFormat format : {ReportFormat::kText, ReportFormat::kJson,
                              ReportFormat::kSarif, ReportFormat::kGithub}) {
    const std::string out =
        RenderPolicyReport(HostileEvaluation(), context, format);
    EXPECT_TRUE(IsValidUtf8(out)) << static_cast<int>(format) << "\n" << out;
  }
  const Struct json = ParseJson(
      RenderPolicyReport(HostileEvaluation(), context, ReportFormat::kJson));
  const Value root = AsValue(json);
  EXPECT_FALSE(Field(root, "ok").bool_value());
  EXPECT_TRUE(Field(root, "malformed_input").bool_value());
  EXPECT_EQ(Field(Field(root, "artifacts").list_value().values(0), "path")
                .string_value(),
            "weights\xef\xbf\xbd.bin");
}

TEST(PolicyReportTest, TextSummaryNeutralizesControlCharacters) {
  PolicyEvaluation evaluation;
  SignatureOutcome signature;
  signature.bundle_path = "sig\x1b[2K\r.json";
  signature.problem = "malformed bundle: line\nPASSED: forged";
  evaluation.signatures.push_back(signature);
  PolicyReportContext context;
  context.policy_name = "alliance\x07";
  const std::string text =
      RenderPolicyReport(evaluation, context, ReportFormat::kText);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_THAT(text, HasSubstr("sig\\x1b[2K\\x0d.json"));
  EXPECT_THAT(text, HasSubstr("line\\x0aPASSED: forged"));
}

TEST(PolicyReportTest, JsonReportHasTheVerdictAndEveryFinding) {
  PolicyEvaluation evaluation;
  evaluation.findings = MixedFindings();
  PolicyReportContext context;
  context.policy_name = "alliance";
  context.policy_version = 7;
  const Value root = AsValue(
      ParseJson(RenderPolicyReport(evaluation, context, ReportFormat::kJson)));
  EXPECT_FALSE(Field(root, "ok").bool_value());
  EXPECT_EQ(Field(Field(root, "policy"), "version").number_value(), 7);
  EXPECT_EQ(Field(Field(root, "summary"), "errors").number_value(), 3);
  EXPECT_EQ(Field(Field(root, "summary"), "warnings").number_value(), 1);
  EXPECT_EQ(Field(root, "findings").list_value().values_size(), 5);
}

TEST(PolicyReportTest, TextReportEndsWithTheVerdict) {
  PolicyEvaluation evaluation;
  evaluation.findings = {
      MakeFinding("licenses.review", Severity::kWarning, "review it")};
  PolicyReportContext context;
  context.policy_name = "alliance";
  std::string text =
      RenderPolicyReport(evaluation, context, ReportFormat::kText);
  EXPECT_THAT(text, HasSubstr("PASSED"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  context.strict = true;
  text = RenderPolicyReport(evaluation, context, ReportFormat::kText);
  EXPECT_THAT(text, HasSubstr("FAILED"));
  EXPECT_THAT(text, Not(HasSubstr("PASSED")));
  context.color = true;
  EXPECT_THAT(RenderPolicyReport(evaluation, context, ReportFormat::kText),
              HasSubstr("\x1b["));
}

TEST(PolicyReportTest, GithubReportEndsWithANoticeOfTheVerdict) {
  PolicyEvaluation evaluation;
  evaluation.findings = {
      MakeFinding("model.changed", Severity::kError, "x", "w.bin", "signers")};
  PolicyReportContext context;
  context.policy_name = "alli:ance,";
  context.policy_version = 2;
  const std::string out =
      RenderPolicyReport(evaluation, context, ReportFormat::kGithub);
  EXPECT_THAT(out, HasSubstr("::error file=w.bin,title=model.changed::x"));
  EXPECT_THAT(out, HasSubstr("::notice title=modelseal.verdict::the model "
                             "FAILS policy 'alli:ance,' version 2"));
}

// A SARIF log from a real evaluation (a signed model with a forbidden pickle
// and a license under review) validates against the OASIS schema.
TEST(PolicyReportTest, SarifOfARealEvaluationValidatesAgainstTheSchema) {
  using policy_testing::GoodCard;
  using policy_testing::KeySigner;
  TempDir dir;
  dir.Write("model/config.json", "{\"hidden\": 16}\n");
  dir.Write("model/model.safetensors", policy_testing::TinySafetensors());
  dir.Write("model/my weights#1.bin", policy_testing::TinyPickle());
  dir.Write("model/README.md", GoodCard("llama2"));
  const policy_testing::TestKey key = policy_testing::MakeKey();
  absl::StatusOr<std::string> bundle =
      SignModel(dir.Join("model"), policy_testing::DefaultSerialization(), {},
                key.Identity());
  ASSERT_THAT(bundle, IsOk());
  dir.Write("model/added.txt", "unsigned\n");

  policy_testing::PolicyText text;
  text.signers =
      absl::StrCat("signers:\n", KeySigner("ibm", "ibm", key.public_pem));
  text.model_card = policy_testing::StandardModelCardSection();
  text.licenses = "licenses:\n  allow: [apache-2.0]\n  review: [llama2]\n";
  text.artifacts = "artifacts:\n  forbidden_formats: [pickle]\n";
  absl::StatusOr<Policy> policy = ParsePolicy(text.Render(), "policy.yaml");
  ASSERT_THAT(policy, IsOk());
  PolicyEvaluationOptions options;
  options.now = std::time(nullptr);
  absl::StatusOr<PolicyEvaluation> evaluation = EvaluatePolicy(
      *policy, dir.Join("model"), {PolicyBundle{"sig.json", *bundle}}, options);
  ASSERT_THAT(evaluation, IsOk());
  ASSERT_GE(evaluation->findings.size(), 3u);

  PolicyReportContext context;
  context.model_path = dir.Join("model");
  context.policy_name = policy->metadata.name;
  const std::string sarif =
      RenderPolicyReport(*evaluation, context, ReportFormat::kSarif);
  EXPECT_THAT(sarif, HasSubstr("my%20weights%231.bin"));
  EXPECT_THAT(sarif, HasSubstr("licenses.review"));
  EXPECT_THAT(sarif, HasSubstr("artifacts.forbidden_format"));
  EXPECT_THAT(sarif, HasSubstr("model.unsigned"));

  const std::string instance = dir.Write("report.sarif", sarif);
  const std::string script =
      dir.Write("validate.py",
                "import json, sys\n"
                "import jsonschema\n"
                "schema = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                "instance = json.load(open(sys.argv[2], encoding='utf-8'))\n"
                "cls = jsonschema.validators.validator_for(schema)\n"
                "cls.check_schema(schema)\n"
                "errors = list(cls(schema).iter_errors(instance))\n"
                "for error in errors:\n"
                "    print(list(error.absolute_path), error.message)\n"
                "sys.exit(1 if errors else 0)\n");
  const policy_testing::CommandResult result = RunCommand(
      absl::StrCat("python3 ", script, " ", kSarifSchema, " '", instance, "'"));
  EXPECT_EQ(result.exit_code, 0) << result.output;

  // The validator is not a rubber stamp: a result without a message fails.
  const std::string broken =
      dir.Write("broken.sarif",
                absl::StrCat("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": "
                             "{\"driver\": {\"name\": \"x\"}}, \"results\": "
                             "[{\"ruleId\": \"r\"}]}]}"));
  EXPECT_NE(RunCommand(absl::StrCat("python3 ", script, " ", kSarifSchema, " ",
                                    broken))
                .exit_code,
            0);
}

}  // namespace
}  // namespace modelseal
