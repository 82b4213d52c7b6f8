#include "modelseal/model_card.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/limits.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kExhausted = absl::StatusCode::kResourceExhausted;

std::string Fixture(const std::string& name) {
  std::ifstream in(MODELSEAL_TEST_VECTORS_DIR "/cards/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> Titles(const ModelCard& card) {
  std::vector<std::string> titles;
  for (const CardSection& section : card.sections) {
    titles.push_back(section.title);
  }
  return titles;
}

// --- Hostile and malformed cards ---------------------------------------------

TEST(ModelCardTest, RejectsAFrontMatterThatNeverCloses) {
  EXPECT_THAT(ParseModelCard("---\nlicense: mit\n# Title\n", "README.md"),
              StatusIs(kInvalid,
                       "README.md:1:1: the front matter never "
                       "closes (no closing '---' line)"));
  EXPECT_THAT(ParseModelCard("---", "README.md"),
              StatusIs(kInvalid, HasSubstr("never closes")));
  EXPECT_THAT(ParseModelCard("\xEF\xBB\xBF---\r\nlicense: mit\r\n", "R.md"),
              StatusIs(kInvalid, HasSubstr("never closes")));
}

TEST(ModelCardTest, RejectsInvalidUtf8AnywhereWithItsPosition) {
  EXPECT_THAT(ParseModelCard("# Title\n\nbad \xC0\xAF byte\n", "README.md"),
              StatusIs(kInvalid, "README.md:3:5: invalid UTF-8"));
  EXPECT_THAT(ParseModelCard("---\nlicense: \xFF\n---\n", "README.md"),
              StatusIs(kInvalid, "README.md:2:10: invalid UTF-8"));
  // A surrogate encoded in UTF-8 (CESU-8) and a truncated sequence at the end.
  EXPECT_THAT(ParseModelCard("ok \xED\xA0\x80", "README.md"),
              StatusIs(kInvalid, "README.md:1:4: invalid UTF-8"));
  EXPECT_THAT(ParseModelCard("ok \xE2\x82", "README.md"),
              StatusIs(kInvalid, "README.md:1:4: invalid UTF-8"));
}

TEST(ModelCardTest, RejectsACardAboveTheSizeLimit) {
  const std::string big(limits::kMaxModelCardBytes + 1, 'a');
  EXPECT_THAT(ParseModelCard(big, "README.md"),
              StatusIs(kExhausted, HasSubstr("README.md: the model card is")));
}

TEST(ModelCardTest, RejectsA32MebibyteScalarInTheFrontMatter) {
  const std::string card =
      "---\nlicense: \"" + std::string(32 << 20, 'x') + "\"\n---\n";
  EXPECT_THAT(ParseModelCard(card, "README.md"),
              StatusIs(kExhausted, HasSubstr("README.md")));
}

TEST(ModelCardTest, RejectsAFrontMatterScalarAboveTheYamlScalarLimit) {
  const std::string card =
      "---\nlicense: \"" + std::string((1 << 20) + 1, 'x') + "\"\n---\n";
  EXPECT_THAT(ParseModelCard(card, "README.md"),
              StatusIs(kExhausted, StartsWith("README.md:2:10: a scalar of")));
}

std::string Repeat(absl::string_view text, std::size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(text.data(), text.size());
  return out;
}

TEST(ModelCardTest, RejectsATableBombBeforeMarkdownParsing) {
  // 8 KiB that would make cmark-gfm 0.29.0.gfm.6 fill 2,000 rows up to the
  // header's 1,000 columns: two million cells.
  const std::string bomb = "# T\n\n" + Repeat("|a", 1000) + "\n" +
                           Repeat("|-", 1000) + "\n" + Repeat("x\n", 2000);
  EXPECT_THAT(ParseModelCard(bomb, "README.md"),
              StatusIs(kExhausted,
                       "README.md:102:1: tables here could hold "
                       "more than 100000 cells (table cell "
                       "limit)"));
  // The same after a front matter: lines are the file's.
  EXPECT_THAT(ParseModelCard("---\nlicense: mit\n---\n" + bomb, "R.md"),
              StatusIs(kExhausted, StartsWith("R.md:105:1: tables here")));
}

TEST(ModelCardTest, RejectsARowWithTooManyColumns) {
  EXPECT_THAT(ParseModelCard("a\n\n" + Repeat("|", 1001) + "\n", "R.md"),
              StatusIs(kExhausted,
                       "R.md:3:1: more than 1000 '|' on one line "
                       "(table column limit)"));
}

TEST(ModelCardTest, RejectsMarkdownWithTooMuchMarkup) {
  EXPECT_THAT(ParseModelCard(std::string(200'000, '['), "R.md"),
              StatusIs(kExhausted, HasSubstr("R.md:1:1: the Markdown has "
                                             "more than 131072")));
  EXPECT_THAT(ParseModelCard(Repeat("a\n\n", 100'000), "R.md"),
              StatusIs(kExhausted, HasSubstr("markup limit")));
}

TEST(ModelCardTest, AcceptsLargeRealisticTablesAndProse) {
  std::string card =
      "# Results\n\n" + Repeat("| c ", 40) + "|\n" + Repeat("|---", 40) + "|\n";
  for (int row = 0; row < 500; ++row) card += Repeat("| 1.5 ", 40) + "|\n";
  card += "\n# Prose\n\n";
  for (int line = 0; line < 10'000; ++line) {
    card += "The model was evaluated on held out data and it works well\n";
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelCard parsed,
                                 ParseModelCard(card, "README.md"));
  ASSERT_EQ(parsed.sections.size(), 2u);
  EXPECT_THAT(parsed.sections[0].text, StartsWith("c c c"));
  EXPECT_EQ(parsed.sections[1].line, 506u);
}

TEST(ModelCardTest, RejectsAnAliasBombInTheFrontMatter) {
  const std::string card =
      "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
      "c: [*b, *b, *b, *b, *b, *b]\n---\n# Card\n";
  EXPECT_THAT(
      ParseModelCard(card, "README.md"),
      StatusIs(kInvalid, "README.md:2:4: anchors are not allowed (&a)"));
}

TEST(ModelCardTest, RejectsDeepNestingInTheFrontMatter) {
  for (std::size_t depth : {std::size_t{10'000}, std::size_t{1'000'000}}) {
    const std::string flow = "---\nx: " + std::string(depth, '[') + "\n---\n";
    EXPECT_THAT(ParseModelCard(flow, "README.md"),
                StatusIs(kExhausted, HasSubstr("README.md:2:")))
        << depth;
    std::string block = "---\n";
    for (std::size_t i = 0; i < depth; ++i) block += "- ";
    block += "x\n---\n";
    EXPECT_THAT(ParseModelCard(block, "README.md"),
                StatusIs(kExhausted, HasSubstr("nesting deeper")))
        << depth;
  }
}

TEST(ModelCardTest, RejectsDuplicateKeysWithTheFileLine) {
  EXPECT_THAT(
      ParseModelCard("---\nlicense: mit\nlanguage: en\nlicense: gpl-3.0\n---\n",
                     "README.md"),
      StatusIs(kInvalid, "README.md:4:1: duplicate key 'license'"));
}

TEST(ModelCardTest, RejectsPythonObjectTags) {
  EXPECT_THAT(ParseModelCard(
                  "---\nlicense: !!python/object:os.system ls\n---\n", "R.md"),
              StatusIs(kInvalid, HasSubstr("R.md:2:10: tag")));
}

TEST(ModelCardTest, RejectsTruncatedFrontMatter) {
  EXPECT_THAT(ParseModelCard("---\nlanguage: [en, fr\n---\n", "README.md"),
              StatusIs(kInvalid, StartsWith("README.md:")));
  EXPECT_THAT(ParseModelCard("---\nlicense: \"mit\n---\n", "README.md"),
              StatusIs(kInvalid, StartsWith("README.md:")));
}

TEST(ModelCardTest, RejectsAFrontMatterThatIsNotAMapping) {
  EXPECT_THAT(ParseModelCard("---\n- en\n- fr\n---\n", "README.md"),
              StatusIs(kInvalid,
                       "README.md:2:1: the front matter must be a "
                       "YAML mapping, found a list"));
  EXPECT_THAT(ParseModelCard("---\njust text\n---\n", "README.md"),
              StatusIs(kInvalid, HasSubstr("found a string")));
}

TEST(ModelCardTest, RejectsTypedFieldsOfTheWrongShape) {
  EXPECT_THAT(ParseModelCard("---\nlicense: [mit]\n---\n", "README.md"),
              StatusIs(kInvalid,
                       "README.md:2:10: license: expected a string, "
                       "found a list"));
  EXPECT_THAT(ParseModelCard("---\nlanguage: {en: 1}\n---\n", "README.md"),
              StatusIs(kInvalid, HasSubstr("README.md:2:11: language: "
                                           "expected a string or a list")));
  EXPECT_THAT(ParseModelCard("---\ntags:\n  - [a]\n---\n", "README.md"),
              StatusIs(kInvalid,
                       "README.md:3:5: tags: expected a list of "
                       "strings, found a list in it"));
  EXPECT_THAT(ParseModelCard("---\ndatasets:\n  -\n---\n", "README.md"),
              StatusIs(kInvalid, HasSubstr("found an empty item")));
  EXPECT_THAT(ParseModelCard("---\nmodel-index: {name: x}\n---\n", "R.md"),
              StatusIs(kInvalid, HasSubstr("model-index: expected a list")));
  EXPECT_THAT(
      ParseModelCard("---\nmodel-index:\n- name: x\n  results:\n  - metrics:\n"
                     "    - value: [1]\n---\n",
                     "R.md"),
      StatusIs(kInvalid,
               "R.md:6:14: metrics[].value: expected a string, found a list"));
}

// --- Real shapes
// ---------------------------------------------------------------

TEST(ModelCardTest, ReadsALlama2LikeCardWithoutFrontMatterAndBoldHeadings) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("llama2-like.md"), "README.md"));
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_TRUE(card.front_matter.IsNull());
  EXPECT_EQ(card.license, std::nullopt);
  EXPECT_EQ(card.body_first_line, 1u);
  EXPECT_THAT(Titles(card),
              ElementsAre("Llama 2", "Model Details", "Intended Use",
                          "Hardware and Software", "Training Data",
                          "Evaluation Results",
                          "Ethical Considerations and Limitations",
                          "Reporting Issues"));
  EXPECT_EQ(card.sections[0].line, 1u);
  EXPECT_EQ(card.sections[0].level, 1);
  EXPECT_EQ(card.sections[2].line, 22u);
  const CardSection* uses = card.FindSection({"Uses", "intended use"});
  ASSERT_NE(uses, nullptr);
  EXPECT_THAT(uses->text, HasSubstr("Intended Use Cases Chat assistants"));
  // Table cells become words; entities are decoded.
  EXPECT_THAT(card.sections[1].text,
              HasSubstr("Llama-like A new mix of publicly available online "
                        "data 7B 4k \xE2\x9C\x97 2.0T"));
  EXPECT_THAT(card.body_text, HasSubstr("Report problems here"));
}

TEST(ModelCardTest, ReadsALlama31LikeCardAndDropsHtmlTables) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("llama31-like.md"), "README.md"));
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_THAT(Titles(card),
              ElementsAre("Model Information", "Intended Use", "How to use",
                          "Use with transformers", "Hardware and Software",
                          "Benchmark scores", "Base pretrained models",
                          "Responsibility & Safety",
                          "Ethical Considerations and Limitations"));
  EXPECT_THAT(card.sections[0].text, Not(HasSubstr("Params")));
  EXPECT_THAT(card.sections[0].text, HasSubstr("Supported languages:"));
  EXPECT_THAT(card.sections[3].text, HasSubstr("import transformers"));
  // "How to use" (H2) has "Use with transformers" (H3) under it.
  EXPECT_THAT(card.sections[2].children, ElementsAre(3u));
  EXPECT_THAT(card.SectionTextWithChildren(2),
              HasSubstr("transformers.pipeline"));
}

TEST(ModelCardTest, ReadsAWhisperLikeCardWithNoLicense) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("whisper-like.md"), "README.md"));
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_EQ(card.license, std::nullopt);
  EXPECT_FALSE(card.HasField("license"));
  EXPECT_THAT(card.language, ElementsAre("en", "zh", "de"));
  EXPECT_EQ(card.pipeline_tag, "automatic-speech-recognition");
  ASSERT_EQ(card.eval_results.size(), 1u);
  EXPECT_EQ(card.eval_results[0].task_type, "automatic-speech-recognition");
  EXPECT_EQ(card.eval_results[0].dataset_type, "librispeech_asr");
  EXPECT_EQ(card.eval_results[0].dataset_name, "LibriSpeech (clean)");
  ASSERT_EQ(card.eval_results[0].metrics.size(), 1u);
  EXPECT_EQ(card.eval_results[0].metrics[0].type, "wer");
  EXPECT_EQ(card.eval_results[0].metrics[0].name, "Test WER");
  EXPECT_EQ(card.eval_results[0].metrics[0].value, "3.432213777886737");
  // Other keys are kept as they are.
  EXPECT_NE(card.front_matter.Find("widget"), nullptr);
  EXPECT_EQ(card.body_first_line, 32u);
  EXPECT_EQ(card.sections[0].title, "Whisper");
  EXPECT_EQ(card.sections[0].line, 33u);
}

TEST(ModelCardTest, KeepsALicenseIdThatDisagreesWithTheBodyText) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card,
      ParseModelCard(Fixture("stable-diffusion-like.md"), "README.md"));
  EXPECT_EQ(card.license, "creativeml-openrail-m");
  const CardSection* details = card.FindSection({"Model Details"});
  ASSERT_NE(details, nullptr);
  EXPECT_THAT(details->text,
              HasSubstr("License: The CreativeML OpenRAIL++-M License is an "
                        "Open RAIL++-M license"));
  EXPECT_EQ(card.front_matter.Find("inference")->AsBool(), true);
  const CardSection* uses = card.FindSection({"Uses"});
  ASSERT_NE(uses, nullptr);
  EXPECT_EQ(uses->level, 1);
  EXPECT_EQ(uses->text, "");
  EXPECT_THAT(card.SectionTextWithChildren(
                  static_cast<std::size_t>(uses - card.sections.data())),
              HasSubstr("Research only. Do not create harmful"));
}

TEST(ModelCardTest, ReadsScalarListFieldsAsOneItemLists) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card,
      ParseModelCard(Fixture("scalar-language.md"), "README.md"));
  EXPECT_THAT(card.language, ElementsAre("en"));
  EXPECT_THAT(card.tags, ElementsAre("text-classification"));
  EXPECT_THAT(card.datasets, ElementsAre("imdb"));
  EXPECT_THAT(card.base_model, ElementsAre("distilbert-base-uncased"));
  EXPECT_EQ(card.base_model_relation, "finetune");
  EXPECT_EQ(card.library_name, "transformers");
  // Sections holding only the placeholder are empty.
  const CardSection* description = card.FindSection({"model description"});
  ASSERT_NE(description, nullptr);
  EXPECT_EQ(description->text, "");
  EXPECT_EQ(card.FindSection({"Intended uses & limitations"})->text, "");
}

TEST(ModelCardTest, ReadsLicenseOtherWithItsNameAndLink) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("license-other.md"), "README.md"));
  EXPECT_EQ(card.license, "other");
  EXPECT_EQ(card.license_name, "example-research-license");
  EXPECT_EQ(card.license_link, "https://example.org/models/example-7b/LICENSE");
  EXPECT_TRUE(card.HasField("license_name"));
  EXPECT_THAT(card.language, ElementsAre("en", "fr"));
}

TEST(ModelCardTest, ReadsEveryTypedFieldOfAWellFormedCard) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("full.md"), "README.md"));
  EXPECT_EQ(card.license, "apache-2.0");
  EXPECT_EQ(card.license_name, std::nullopt);
  EXPECT_THAT(card.language, ElementsAre("en", "de"));
  EXPECT_EQ(card.library_name, "transformers");
  EXPECT_EQ(card.pipeline_tag, "text-generation");
  EXPECT_THAT(card.tags, ElementsAre("llama", "fine-tuned"));
  EXPECT_THAT(card.datasets,
              ElementsAre("org/instructions-v1", "org/preferences-v2"));
  EXPECT_THAT(card.base_model, ElementsAre("org/base-7b"));
  EXPECT_EQ(card.base_model_relation, "finetune");
  ASSERT_EQ(card.eval_results.size(), 2u);
  EXPECT_EQ(card.eval_results[0].dataset_type, "ai2_arc");
  ASSERT_EQ(card.eval_results[0].metrics.size(), 2u);
  EXPECT_EQ(card.eval_results[0].metrics[0].value, "61.2");
  EXPECT_EQ(card.eval_results[0].metrics[1].value, "58");
  EXPECT_EQ(card.eval_results[1].dataset_name, "MMLU (5-Shot)");
  EXPECT_EQ(card.eval_results[1].metrics[0].name, "accuracy");
  for (const char* title :
       {"Model Details", "Uses", "Bias, Risks, and Limitations",
        "Training Details", "Evaluation", "Environmental Impact"}) {
    EXPECT_NE(card.FindSection({title}), nullptr) << title;
  }
  EXPECT_EQ(card.FindSection({"Citation"}), nullptr);
  EXPECT_TRUE(card.HasField("model-index"));
}

TEST(ModelCardTest, ToleratesCrlfAndAByteOrderMark) {
  const std::string bytes = Fixture("crlf-bom.md");
  ASSERT_TRUE(bytes.rfind("\xEF\xBB\xBF---\r\n", 0) == 0);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelCard card,
                                 ParseModelCard(bytes, "README.md"));
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_EQ(card.license, "bsd-3-clause");
  EXPECT_THAT(card.language, ElementsAre("fr"));
  EXPECT_THAT(Titles(card), ElementsAre("Mod\xC3\xA8le", "Utilisation"));
  EXPECT_EQ(card.sections[0].line, 6u);
  EXPECT_EQ(card.sections[1].text, "Texte d'utilisation.");
}

TEST(ModelCardTest, DropsHtmlBlocksAndKeepsTableText) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card,
      ParseModelCard(Fixture("html-and-tables.md"), "README.md"));
  EXPECT_EQ(card.license, "cc-by-nc-4.0");
  EXPECT_THAT(Titles(card), ElementsAre("Overview", "Links"));
  EXPECT_THAT(card.body_text, Not(HasSubstr("Hidden Heading")));
  EXPECT_THAT(card.sections[0].text,
              HasSubstr("Benchmark Score Notes MMLU 70.1 5-shot accuracy"));
  EXPECT_THAT(card.sections[0].text,
              HasSubstr("Markdown inside details is still Markdown."));
  EXPECT_THAT(card.sections[0].text, Not(HasSubstr("summary")));
  EXPECT_EQ(card.sections[1].text, "See the paper and an image.");
}

TEST(ModelCardTest, BuildsTheHeadingTreeWhenLevelsJump) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("heading-jumps.md"), "README.md"));
  EXPECT_THAT(Titles(card), ElementsAre("Top", "Deep Under Top", "Middle", "",
                                        "Six", "Uses:", "Setext Heading"));
  const std::vector<CardSection>& s = card.sections;
  // The empty H1 closes "Top": "Uses:" nests under the empty heading.
  EXPECT_THAT(s[0].children, ElementsAre(1u, 2u));
  EXPECT_THAT(s[1].children, IsEmpty());
  EXPECT_THAT(s[3].children, ElementsAre(4u, 5u));
  EXPECT_EQ(s[3].level, 1);
  EXPECT_EQ(s[3].text, "Text under an empty heading.");
  EXPECT_EQ(s[5].text, "Uses text with emphasis and code.");
  EXPECT_EQ(card.FindSection({"uses"}), &s[5]);
  EXPECT_EQ(s[6].level, 1);
  EXPECT_EQ(card.SectionTextWithChildren(0),
            "Intro text. Deep text. Middle text.");
  EXPECT_EQ(card.SectionTextWithChildren(99), "");
}

TEST(ModelCardTest, TreatsThePlaceholderAsMissing) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard(Fixture("placeholder.md"), "README.md"));
  EXPECT_EQ(card.license, std::nullopt);
  EXPECT_FALSE(card.HasField("license"));
  EXPECT_EQ(card.library_name, std::nullopt);
  EXPECT_THAT(card.language, ElementsAre("en"));
  EXPECT_TRUE(card.HasField("language"));
  EXPECT_FALSE(card.HasField("tags"));
  EXPECT_FALSE(card.HasField("datasets"));
  EXPECT_FALSE(card.HasField("absent"));
  EXPECT_EQ(card.FindSection({"Model Description"})->text, "Developed by:");
  EXPECT_EQ(card.FindSection({"Uses"})->text, "");
}

TEST(ModelCardTest, ReadsACardWithAnEmptyFrontMatter) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelCard card,
                                 ParseModelCard("---\n---\n# T\n", "R.md"));
  EXPECT_TRUE(card.has_front_matter);
  EXPECT_TRUE(card.front_matter.IsMapping());
  EXPECT_EQ(card.body_first_line, 3u);
  EXPECT_EQ(card.sections[0].line, 3u);
}

TEST(ModelCardTest, ReadsAnEmptyCard) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelCard card, ParseModelCard("", "R.md"));
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_THAT(card.sections, IsEmpty());
  EXPECT_EQ(card.body_text, "");
}

TEST(ModelCardTest, ReadsAFirstLineThatIsNotExactlyThreeDashesAsMarkdown) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card, ParseModelCard("--- \nlicense: mit\n", "R.md"));
  EXPECT_FALSE(card.has_front_matter);
  EXPECT_EQ(card.license, std::nullopt);
}

// --- JSON
// ----------------------------------------------------------------------

TEST(ModelCardTest, WritesTheNormalisedCardAsJson) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelCard card,
      ParseModelCard("---\nlicense: mit\nlanguage: en\nn: -3\nf: 0.5\nb: yes\n"
                     "z: ~\ns: '12'\nq: 1e3\n---\n# **Hi** there\n\nText "
                     "\"quoted\".\n",
                     "R.md"));
  EXPECT_EQ(ModelCardToJson(card),
            "{\"has_front_matter\":true,\"front_matter\":{\"license\":\"mit\","
            "\"language\":\"en\",\"n\":-3,\"f\":0.5,\"b\":true,\"z\":null,"
            "\"s\":\"12\",\"q\":\"1e3\"},\"fields\":{\"license\":\"mit\","
            "\"license_name\":null,\"license_link\":null,\"language\":[\"en\"],"
            "\"library_name\":null,\"pipeline_tag\":null,\"tags\":[],"
            "\"datasets\":[],\"base_model\":[],\"base_model_relation\":null,"
            "\"eval_results\":[]},\"sections\":[{\"level\":1,\"title\":\"Hi "
            "there\",\"text\":\"Text \\\"quoted\\\".\",\"line\":11}],"
            "\"body_first_line\":11}");
}

TEST(ModelCardTest, WritesNullFrontMatterWhenThereIsNone) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelCard card, ParseModelCard("x\n", "R.md"));
  EXPECT_THAT(ModelCardToJson(card),
              StartsWith("{\"has_front_matter\":false,\"front_matter\":null,"));
}

}  // namespace
}  // namespace modelseal
