// schemas/policy.schema.json and ParsePolicy agree: the example policy,
// rendered with keys made here, validates against the schema and parses;
// documents the reader refuses for structural reasons fail the schema too.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/policy.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::policy_testing::CommandResult;
using ::modelseal::policy_testing::MakeKey;
using ::modelseal::policy_testing::ReadFile;
using ::modelseal::policy_testing::RunCommand;
using ::modelseal::policy_testing::TestKey;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::TempDir;

const std::string kSchema = MODELSEAL_SOURCE_DIR "/schemas/policy.schema.json";
const std::string kTemplate =
    MODELSEAL_SOURCE_DIR "/examples/alliance/policy.yaml.in";
const std::string kRender =
    MODELSEAL_SOURCE_DIR "/examples/alliance/render_policy.py";

// Loads each YAML file as modelseal reads it (times stay text), writes it
// as JSON beside it (<file>.json) and validates it against the schema
// (Draft 2020-12); prints "valid" or "invalid" per file, in order, and the
// errors. One process for many documents: python starts slowly.
constexpr char kValidate[] = R"(import json, sys
import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
with open(sys.argv[1], encoding="utf-8") as handle:
    schema = json.load(handle)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=Loader)
    with open(path + ".json", "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
    errors = list(validator.iter_errors(document))
    print("invalid" if errors else "valid")
    for error in errors:
        print("  ", list(error.absolute_path), error.message)
)";

class PolicySchemaTest : public ::testing::Test {
 protected:
  PolicySchemaTest() : ibm_(MakeKey()), meta_(MakeKey(KeyType::kEd25519)) {
    script_ = dir_.Write("validate.py", kValidate);
  }

  // Renders the example template with this test's keys.
  std::string RenderExample() {
    absl::StatusOr<tlog::NoteKeyPair> log =
        tlog::GenerateNoteKey("example.com/ai-alliance/releases");
    EXPECT_THAT(log, IsOk());
    const std::string output = dir_.Join("policy.yaml");
    const CommandResult result = RunCommand(absl::StrCat(
        "python3 ", kRender, " ", kTemplate, " ", output,
        " IBM_PUBLIC_KEY=", dir_.Write("ibm.pub", ibm_.public_pem),
        " META_PUBLIC_KEY=", dir_.Write("meta.pub", meta_.public_pem),
        " LOG_KEY=", dir_.Write("log.vkey", log->verifier_key + "\n")));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return ReadFile(output);
  }

  // Validates each document against the schema: true where it is valid.
  // `json`, when given, receives the first document converted to JSON.
  std::vector<bool> Validate(const std::vector<std::string>& documents,
                             std::string* json = nullptr) {
    std::string command = absl::StrCat("python3 ", script_, " ", kSchema);
    std::vector<std::string> inputs;
    for (std::size_t i = 0; i < documents.size(); ++i) {
      inputs.push_back(
          dir_.Write(absl::StrCat("candidate-", i, ".yaml"), documents[i]));
      absl::StrAppend(&command, " ", inputs.back());
    }
    const CommandResult result = RunCommand(command);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    std::vector<bool> valid;
    for (absl::string_view line : absl::StrSplit(result.output, '\n')) {
      if (line == "valid" || line == "invalid")
        valid.push_back(line == "valid");
    }
    EXPECT_EQ(valid.size(), documents.size()) << result.output;
    if (json != nullptr && !inputs.empty())
      *json = ReadFile(inputs[0] + ".json");
    last_output_ = result.output;
    return valid;
  }

  std::string last_output_;
  TempDir dir_;
  std::string script_;
  TestKey ibm_;
  TestKey meta_;
};

TEST_F(PolicySchemaTest, ExamplePolicyValidatesAndParsesAsYamlAndAsJson) {
  const std::string yaml = RenderExample();
  ASSERT_THAT(yaml, ::testing::HasSubstr("BEGIN PUBLIC KEY"));
  std::string json;
  ASSERT_EQ(Validate({yaml}, &json), std::vector<bool>{true}) << last_output_;

  absl::StatusOr<Policy> from_yaml = ParsePolicy(yaml, "policy.yaml");
  ASSERT_THAT(from_yaml, IsOk());
  absl::StatusOr<Policy> from_json = ParsePolicy(json, "policy.json");
  ASSERT_THAT(from_json, IsOk());
  EXPECT_EQ(from_yaml->metadata.name, "ai-alliance-open-models");
  EXPECT_EQ(from_json->metadata.version, from_yaml->metadata.version);
  EXPECT_EQ(from_json->metadata.expires, from_yaml->metadata.expires);
  ASSERT_EQ(from_json->signers.size(), 2u);
  EXPECT_EQ(from_json->signers[0].key_hint, ibm_.hint);
  EXPECT_EQ(from_json->signers[1].key_hint, meta_.hint);
  EXPECT_EQ(from_json->thresholds.size(), from_yaml->thresholds.size());
  EXPECT_EQ(from_json->model_card.required_sections.size(),
            from_yaml->model_card.required_sections.size());
  EXPECT_EQ(from_json->licenses.deny, from_yaml->licenses.deny);
  EXPECT_EQ(from_json->artifacts.forbidden_formats,
            from_yaml->artifacts.forbidden_formats);
}

TEST_F(PolicySchemaTest, SchemaAndReaderRefuseTheSameStructuralMistakes) {
  const std::string yaml = RenderExample();
  ASSERT_THAT(ParsePolicy(yaml, "policy.yaml"), IsOk());
  const std::vector<std::pair<std::string, std::string>> mistakes = {
      {"revocations: []", "revocations: []\nsigers: []"},
      {"kind: AlliancePolicy", "kind: ModelPolicy"},
      {"  version: 1\n", "  version: \"1\"\n"},
      {"  version: 1\n", "  version: 0\n"},
      {"    min_signatures: 2\n", "    min_signatures: 0\n"},
      {"    distinct_organizations: true\n",
       "    distinct_organizations: \"true\"\n"},
      {"  require_inclusion: true\n", "  require_inclusion: 1\n"},
      {"  allowed: [sha256, blake3]", "  allowed: [sha256, md5]"},
      {"  severity: error", "  severity: fatal"},
      {"  unknown: deny", "  unknown: maybe"},
      {"  fail_on: error", "  fail_on: fatal"},
      {"[pickle, pytorch-zip", "[pickel, pytorch-zip"},
      {"  issued: \"2026-11-01T00:00:00Z\"", "  issued: \"next week\""},
      {"revocations: []",
       "revocations:\n  - key_id: abc\n    date: 2027-01-01"},
      {"    roles: [reviewer]\n",
       "    roles: [reviewer]\n    keyless: {issuer: a, subject: b}\n"},
      {"  - {id: ibm, name: IBM}", "  - {id: ibm, name: IBM, url: x}"},
  };
  std::vector<std::string> changed;
  for (const auto& [from, to] : mistakes) {
    ASSERT_NE(yaml.find(from), std::string::npos) << from;
    changed.push_back(absl::StrReplaceAll(yaml, {{from, to}}));
    EXPECT_FALSE(ParsePolicy(changed.back(), "policy.yaml").ok()) << to;
  }
  // The unchanged document first: the validator must accept it in the same
  // run that refuses the others.
  changed.insert(changed.begin(), yaml);
  const std::vector<bool> valid = Validate(changed);
  ASSERT_EQ(valid.size(), changed.size()) << last_output_;
  EXPECT_TRUE(valid[0]) << last_output_;
  for (std::size_t i = 1; i < valid.size(); ++i) {
    EXPECT_FALSE(valid[i]) << mistakes[i - 1].second;
  }
}

}  // namespace
}  // namespace modelseal
