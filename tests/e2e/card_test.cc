// `modelseal card show` end to end: fixtures, hostile cards, the schema.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"

namespace modelseal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kCards = MODELSEAL_TEST_VECTORS_DIR "/cards";
const std::string kSchema =
    std::string(MODELSEAL_EXAMPLES_DIR) + "/../schemas/model-card.schema.json";

// Validates every JSON document in `json_files` against the card schema in
// one python3 run (each run costs ~100 ms).
void ExpectValidCards(const std::vector<std::string>& json_files) {
  const Result check = RunShell(
      absl::StrCat("/usr/bin/python3 -c 'import json,sys,jsonschema\n"
                   "schema = json.load(open(sys.argv[1]))\n"
                   "jsonschema.Draft202012Validator.check_schema(schema)\n"
                   "for name in sys.argv[2:]:\n"
                   "    jsonschema.Draft202012Validator(schema).validate("
                   "json.load(open(name)))\n"
                   "print(len(sys.argv) - 2)' ",
                   Quote(kSchema), JoinQuoted(json_files)));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, absl::StrCat(json_files.size(), "\n"));
}

TEST(CardShowTest, RejectsHostileCardsWithExitThreeAndAPosition) {
  TempDir dir;
  std::string deep_flow = "---\nx: " + std::string(1'000'000, '[') + "\n---\n";
  std::string deep_block = "---\n";
  for (int i = 0; i < 1'000'000; ++i) deep_block += "- ";
  deep_block += "x\n---\n";
  const struct {
    const char* name;
    std::string bytes;
    const char* message;
  } cases[] = {
      {"never-closes.md", "---\nlicense: mit\n\n# Title\n",
       "never-closes.md:1:1: the front matter never closes"},
      {"alias-bomb.md",
       "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n",
       "alias-bomb.md:2:4: anchors are not allowed"},
      {"deep-flow.md", deep_flow, "deep-flow.md:2:67: nesting deeper"},
      {"deep-block.md", deep_block, "deep-block.md:2:129: nesting deeper"},
      {"big-scalar.md",
       "---\nlicense: \"" + std::string(32 << 20, 'x') + "\"\n---\n",
       "big-scalar.md: "},
      {"duplicate.md", "---\nlicense: mit\nlicense: gpl-3.0\n---\n",
       "duplicate.md:3:1: duplicate key 'license'"},
      {"python-tag.md", "---\nx: !!python/object:os.system ls\n---\n",
       "python-tag.md:2:4: tag 'tag:yaml.org,2002:python/object:os.system'"},
      {"truncated.md", "---\nlanguage: [en, fr\n",
       "truncated.md:1:1: the front matter never closes"},
      {"truncated-yaml.md", "---\nlanguage: [en, fr\n---\n",
       "truncated-yaml.md:3:1: did not find expected"},
      {"bad-utf8.md", "# Title\n\ncaf\xC3\x28\n",
       "bad-utf8.md:3:4: invalid UTF-8"},
      {"wrong-type.md", "---\nlicense: [mit]\n---\n",
       "wrong-type.md:2:10: license: expected a string, found a list"},
  };
  for (const auto& c : cases) {
    const std::string path = dir.Write(c.name, c.bytes);
    const Result result = Modelseal("card show " + Quote(path));
    EXPECT_EQ(result.exit_code, 3) << c.name << ": " << result.err;
    EXPECT_THAT(result.err, StartsWith("modelseal: ")) << c.name;
    EXPECT_THAT(result.err, HasSubstr(c.message)) << c.name;
    EXPECT_EQ(result.out, "") << c.name;
  }
}

TEST(CardShowTest, RejectsAMissingFileAndABadFormat) {
  const Result missing = Modelseal("card show /nonexistent/README.md");
  EXPECT_EQ(missing.exit_code, 4) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/README.md"));
  const Result format =
      Modelseal("card show " + Quote(kCards + "/full.md") + " --format yaml");
  EXPECT_EQ(format.exit_code, 2);
  const Result no_card = Modelseal("card show");
  EXPECT_EQ(no_card.exit_code, 2);
  const Result no_subcommand = Modelseal("card");
  EXPECT_EQ(no_subcommand.exit_code, 2);
}

TEST(CardShowTest, PrintsEveryFixtureAsJsonThatMatchesTheSchema) {
  TempDir dir;
  std::vector<std::string> outputs;
  for (const char* name :
       {"llama2-like.md", "llama31-like.md", "whisper-like.md",
        "stable-diffusion-like.md", "scalar-language.md", "license-other.md",
        "full.md", "html-and-tables.md", "heading-jumps.md", "placeholder.md",
        "crlf-bom.md"}) {
    const Result result =
        Modelseal("card show --format json " + Quote(kCards + "/" + name));
    ASSERT_EQ(result.exit_code, 0) << name << ": " << result.err;
    ASSERT_FALSE(result.out.empty());
    EXPECT_EQ(result.out.back(), '\n') << name;
    EXPECT_EQ(result.err, "") << name;
    outputs.push_back(dir.Write(std::string(name) + ".json", result.out));
  }
  ASSERT_EQ(outputs.size(), 11u);
  ExpectValidCards(outputs);
}

TEST(CardShowTest, PrintsTheTypedFieldsOfAWellFormedCard) {
  const Result result = Modelseal("card show " + Quote(kCards + "/full.md"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("{\"has_front_matter\":true,"));
  EXPECT_THAT(result.out, HasSubstr("\"license\":\"apache-2.0\""));
  EXPECT_THAT(result.out,
              HasSubstr("\"metrics\":[{\"type\":\"acc_norm\",\"name\":"
                        "\"normalized accuracy\",\"value\":\"61.2\"}"));
  EXPECT_THAT(result.out,
              HasSubstr("{\"level\":2,\"title\":\"Uses\",\"text\":\"\","
                        "\"line\":58}"));
}

TEST(CardShowTest, PrintsBoldHeadingsWithoutMarkup) {
  const Result result =
      Modelseal("card show " + Quote(kCards + "/llama2-like.md"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"front_matter\":null"));
  EXPECT_THAT(result.out,
              HasSubstr("{\"level\":1,\"title\":\"Intended Use\",\"text\":"));
}

}  // namespace
}  // namespace modelseal
