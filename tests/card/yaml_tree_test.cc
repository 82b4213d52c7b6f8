#include "modelseal/yaml_tree.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kExhausted = absl::StatusCode::kResourceExhausted;

// --- Hostile and malformed input -------------------------------------------

TEST(YamlTreeTest, RejectsDuplicateKeysWithLineAndColumn) {
  EXPECT_THAT(ParseYaml("name: a\nother: b\nname: c\n", "policy.yaml"),
              StatusIs(kInvalid, "policy.yaml:3:1: duplicate key 'name'"));
}

TEST(YamlTreeTest, RejectsDuplicateKeysInNestedMappings) {
  EXPECT_THAT(ParseYaml("a:\n  x: 1\n  y: 2\n  x: 3\n", "p.yaml"),
              StatusIs(kInvalid, "p.yaml:4:3: duplicate key 'x'"));
}

TEST(YamlTreeTest, RejectsDuplicateKeysSpelledDifferentlyButEqual) {
  EXPECT_THAT(ParseYaml("{\"a\": 1, 'a': 2}", "p.json"),
              StatusIs(kInvalid, HasSubstr("duplicate key 'a'")));
}

TEST(YamlTreeTest, AddsTheLineOffsetToEveryLine) {
  EXPECT_THAT(ParseYaml("a: 1\na: 2\n", "README.md", YamlLimits(), 1),
              StatusIs(kInvalid, "README.md:3:1: duplicate key 'a'"));
}

TEST(YamlTreeTest, RejectsAnAliasBomb) {
  // "Billion laughs": nine levels of nine aliases would expand to 9^9 nodes.
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'i'; ++name) {
    bomb += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) {
      bomb += std::string(i == 0 ? "" : ",") + "*" + previous;
    }
    bomb += "]\n";
    previous = name;
  }
  EXPECT_THAT(
      ParseYaml(bomb, "bomb.yaml"),
      StatusIs(kInvalid, "bomb.yaml:1:4: anchors are not allowed (&a)"));
}

TEST(YamlTreeTest, RejectsAnAliasEvenWithoutAnAnchorBeingKept) {
  EXPECT_THAT(ParseYaml("a: *undefined\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("p.yaml:1:4:")));
}

TEST(YamlTreeTest, RejectsTenThousandDeepFlowNesting) {
  const std::string deep = std::string(10'000, '[') + std::string(10'000, ']');
  EXPECT_THAT(ParseYaml(deep, "deep.yaml"),
              StatusIs(kExhausted,
                       "deep.yaml:1:65: nesting deeper than the limit of 64 "
                       "levels"));
}

TEST(YamlTreeTest, RejectsAMillionDeepFlowNestingWithoutReadingItAll) {
  // 2 MB of brackets, well inside the input limit: only the depth check
  // stops it, and it must do so after 65 brackets.
  const std::string deep =
      std::string(1'000'000, '[') + std::string(1'000'000, ']');
  EXPECT_THAT(ParseYaml(deep, "deep.yaml"),
              StatusIs(kExhausted, HasSubstr("deep.yaml:1:65: nesting")));
}

TEST(YamlTreeTest, RejectsAMillionDeepBlockSequenceNesting) {
  std::string deep;
  deep.reserve(2'000'002);
  for (int i = 0; i < 1'000'000; ++i) deep += "- ";
  deep += "x\n";
  EXPECT_THAT(ParseYaml(deep, "deep.yaml"),
              StatusIs(kExhausted, HasSubstr("nesting deeper than the limit")));
}

TEST(YamlTreeTest, RejectsAThousandDeepBlockMappings) {
  std::string deep;
  for (int i = 0; i < 1'000; ++i) {
    deep += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  }
  EXPECT_THAT(ParseYaml(deep, "deep.yaml"),
              StatusIs(kExhausted, HasSubstr("deep.yaml:65:")));
}

TEST(YamlTreeTest, RejectsInputAboveTheByteLimitBeforeParsing) {
  const std::string huge = "a: \"" + std::string(32 << 20, 'x') + "\"\n";
  EXPECT_THAT(ParseYaml(huge, "big.yaml"),
              StatusIs(kExhausted, HasSubstr("big.yaml:1:1: YAML input of")));
}

TEST(YamlTreeTest, RejectsAScalarAboveTheScalarLimit) {
  YamlLimits limits;
  limits.max_scalar_bytes = 16;
  EXPECT_THAT(
      ParseYaml("short: ok\nlong: 01234567890123456789\n", "p.yaml", limits),
      StatusIs(kExhausted,
               "p.yaml:2:7: a scalar of 20 bytes is above the "
               "limit of 16"));
}

TEST(YamlTreeTest, RejectsTooManyNodes) {
  YamlLimits limits;
  limits.max_nodes = 10;
  EXPECT_THAT(ParseYaml("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "p.yaml", limits),
              StatusIs(kExhausted, "p.yaml:1:29: more than 10 YAML nodes"));
}

TEST(YamlTreeTest, RejectsPythonObjectTags) {
  EXPECT_THAT(
      ParseYaml("x: !!python/object/apply:os.system [\"id\"]\n", "p.yaml"),
      StatusIs(kInvalid,
               HasSubstr("p.yaml:1:4: tag "
                         "'tag:yaml.org,2002:python/object/apply:os.system' "
                         "is not allowed")));
  EXPECT_THAT(ParseYaml("!!python/object:os.system {}\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("is not allowed")));
}

TEST(YamlTreeTest, RejectsLocalAndNonCoreTags) {
  EXPECT_THAT(ParseYaml("x: !custom 1\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("tag '!custom' is not allowed")));
  EXPECT_THAT(ParseYaml("x: !!binary aGVsbG8=\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("is not allowed")));
  EXPECT_THAT(ParseYaml("x: !!timestamp 2024-01-01\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("is not allowed")));
}

TEST(YamlTreeTest, RejectsATagDirectiveThatRedefinesTheCorePrefix) {
  EXPECT_THAT(
      ParseYaml("%TAG !! tag:evil.example,2024:\n---\nx: !!str a\n", "p.yaml"),
      StatusIs(kInvalid, HasSubstr("tag:evil.example,2024:str")));
}

TEST(YamlTreeTest, RejectsACoreTagOnTheWrongKindOfNode) {
  EXPECT_THAT(ParseYaml("x: !!map [1]\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("is not allowed on a list")));
  EXPECT_THAT(ParseYaml("x: !!seq a\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("is not allowed on a string")));
}

TEST(YamlTreeTest, RejectsMoreThanOneDocument) {
  EXPECT_THAT(ParseYaml("a: 1\n---\nb: 2\n", "p.yaml"),
              StatusIs(kInvalid,
                       "p.yaml:2:1: expected a single YAML "
                       "document, found a second one"));
}

TEST(YamlTreeTest, RejectsCollectionKeys) {
  EXPECT_THAT(ParseYaml("? [a, b]\n: c\n", "p.yaml"),
              StatusIs(kInvalid, "p.yaml:1:3: a mapping key must be a scalar"));
  EXPECT_THAT(ParseYaml("{{a: 1}: 2}", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("a mapping key must be a scalar")));
}

TEST(YamlTreeTest, RejectsNullKeysAndMergeKeys) {
  EXPECT_THAT(ParseYaml("~: a\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("must not be null")));
  EXPECT_THAT(ParseYaml("<<: {a: 1}\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("merge keys")));
}

TEST(YamlTreeTest, RejectsInvalidUtf8WithItsPosition) {
  // libyaml points at the octet that breaks the sequence.
  EXPECT_THAT(ParseYaml("a: ok\nb: \xC3\x28\n", "p.yaml"),
              StatusIs(kInvalid,
                       "p.yaml:2:5: invalid trailing UTF-8 octet "
                       "(byte 0x28)"));
  EXPECT_THAT(ParseYaml("a: \xFF\n", "p.yaml"),
              StatusIs(kInvalid, StartsWith("p.yaml:1:4: ")));
}

TEST(YamlTreeTest, RejectsUtf16EvenWithItsByteOrderMark) {
  const std::string utf16(
      "\xFF\xFE"
      "a\0:\0 \0"
      "1\0",
      10);
  EXPECT_THAT(ParseYaml(utf16, "p.yaml"),
              StatusIs(kInvalid, HasSubstr("p.yaml:1:1:")));
}

TEST(YamlTreeTest, RejectsTruncatedInput) {
  EXPECT_THAT(ParseYaml("a: [1, 2\n", "p.yaml"),
              StatusIs(kInvalid, StartsWith("p.yaml:2:1: did not find "
                                            "expected ',' or ']'")));
  EXPECT_THAT(ParseYaml("a: \"unterminated\n", "p.yaml"),
              StatusIs(kInvalid, HasSubstr("p.yaml:2:1: found unexpected end "
                                           "of stream")));
}

TEST(YamlTreeTest, RejectsBadIndentation) {
  EXPECT_THAT(ParseYaml("a:\n  b: 1\n c: 2\n", "p.yaml"),
              StatusIs(kInvalid, StartsWith("p.yaml:3:")));
}

// --- Accepted input ----------------------------------------------------------

TEST(YamlTreeTest, ParsesAnEmptyInputAsOneNullDocument) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode doc, ParseYaml("", "p.yaml"));
  EXPECT_TRUE(doc.IsNull());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode comment,
                                 ParseYaml("# only a comment\n", "p.yaml"));
  EXPECT_TRUE(comment.IsNull());
}

TEST(YamlTreeTest, ParsesMappingsSequencesAndScalarsInOrder) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc, ParseYaml("license: apache-2.0\nlanguage:\n  - en\n  - fr\n"
                              "meta: {a: 1, b: \"two\"}\n",
                              "card"));
  ASSERT_TRUE(doc.IsMapping());
  ASSERT_EQ(doc.members.size(), 3u);
  EXPECT_EQ(doc.members[0].first, "license");
  EXPECT_EQ(doc.members[1].first, "language");
  EXPECT_EQ(doc.members[2].first, "meta");
  EXPECT_EQ(doc.Find("license")->AsString(), "apache-2.0");
  const YamlNode* language = doc.Find("language");
  ASSERT_NE(language, nullptr);
  ASSERT_TRUE(language->IsSequence());
  ASSERT_EQ(language->items.size(), 2u);
  EXPECT_EQ(language->items[1].scalar, "fr");
  EXPECT_EQ(language->items[1].mark.line, 4u);
  EXPECT_EQ(language->items[1].mark.column, 5u);
  const YamlNode* b = doc.Find("meta")->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->scalar, "two");
  EXPECT_FALSE(b->plain);
  EXPECT_EQ(doc.Find("missing"), nullptr);
  EXPECT_EQ(language->Find("en"), nullptr);
}

TEST(YamlTreeTest, ParsesJsonAsFlowYaml) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc,
      ParseYaml("{\"apiVersion\": \"modelseal.dev/v1\", \"n\": [1, true, "
                "null], \"s\": \"\\u00e9\\n\"}",
                "policy.json"));
  EXPECT_EQ(doc.Find("apiVersion")->AsString(), "modelseal.dev/v1");
  const YamlNode& items = *doc.Find("n");
  EXPECT_EQ(items.items[0].AsInt(), 1);
  EXPECT_EQ(items.items[1].AsBool(), true);
  EXPECT_TRUE(items.items[2].IsNull());
  EXPECT_EQ(doc.Find("s")->scalar, "\xC3\xA9\n");
}

TEST(YamlTreeTest, DropsAByteOrderMark) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode doc,
                                 ParseYaml("\xEF\xBB\xBFkey: v\n", "p.yaml"));
  ASSERT_TRUE(doc.IsMapping());
  EXPECT_EQ(doc.members[0].first, "key");
  EXPECT_EQ(doc.members[0].second.mark.column, 6u);
}

TEST(YamlTreeTest, AcceptsCoreTagsAndTheNonSpecificTag) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc,
      ParseYaml("a: !!str 123\nb: !!int 7\nc: !!map {x: 1}\nd: !!seq [1]\n"
                "e: ! null\nf: !!null ''\ng: !!str null\n",
                "p.yaml"));
  EXPECT_EQ(doc.Find("a")->tag, "tag:yaml.org,2002:str");
  EXPECT_EQ(doc.Find("a")->AsInt(), std::nullopt);
  EXPECT_EQ(doc.Find("b")->AsInt(), 7);
  EXPECT_TRUE(doc.Find("c")->IsMapping());
  EXPECT_TRUE(doc.Find("d")->IsSequence());
  EXPECT_FALSE(doc.Find("e")->IsNull());
  EXPECT_TRUE(doc.Find("f")->IsNull());
  EXPECT_FALSE(doc.Find("g")->IsNull());
  EXPECT_EQ(doc.Find("g")->AsString(), "null");
}

TEST(YamlTreeTest, ReadsNullsTheWayYamlDoes) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc,
      ParseYaml("a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: ''\ng: \"null\"\n"
                "h: nULL\n",
                "p.yaml"));
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    EXPECT_TRUE(doc.Find(key)->IsNull()) << key;
    EXPECT_EQ(doc.Find(key)->AsString(), std::nullopt) << key;
  }
  for (const char* key : {"f", "g", "h"}) {
    EXPECT_FALSE(doc.Find(key)->IsNull()) << key;
  }
  EXPECT_EQ(doc.Find("f")->AsString(), "");
  EXPECT_FALSE(doc.IsNull());
}

TEST(YamlTreeTest, ReadsBoolsWithYaml11Spellings) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc,
      ParseYaml("[yes, No, TRUE, off, On, 'true', y, n, 1, tRUE]", "p.yaml"));
  const auto& items = doc.items;
  EXPECT_EQ(items[0].AsBool(), true);
  EXPECT_EQ(items[1].AsBool(), false);
  EXPECT_EQ(items[2].AsBool(), true);
  EXPECT_EQ(items[3].AsBool(), false);
  EXPECT_EQ(items[4].AsBool(), true);
  for (std::size_t i = 5; i < items.size(); ++i) {
    EXPECT_EQ(items[i].AsBool(), std::nullopt) << items[i].scalar;
  }
}

TEST(YamlTreeTest, ReadsDecimalIntegersOnly) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc,
      ParseYaml("[0, -12, +7, 9223372036854775807, -9223372036854775808, "
                "9223372036854775808, 0x10, 010, 1_000, 1.5, '3', -, '']",
                "p.yaml"));
  const auto& items = doc.items;
  EXPECT_EQ(items[0].AsInt(), 0);
  EXPECT_EQ(items[1].AsInt(), -12);
  EXPECT_EQ(items[2].AsInt(), 7);
  EXPECT_EQ(items[3].AsInt(), INT64_MAX);
  EXPECT_EQ(items[4].AsInt(), INT64_MIN);
  for (std::size_t i = 5; i < items.size(); ++i) {
    EXPECT_EQ(items[i].AsInt(), std::nullopt) << items[i].scalar;
  }
}

TEST(YamlTreeTest, KeepsBlockScalarsAsNotPlain) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      YamlNode doc, ParseYaml("text: |\n  line one\n  line two\n", "p.yaml"));
  EXPECT_EQ(doc.Find("text")->scalar, "line one\nline two\n");
  EXPECT_FALSE(doc.Find("text")->plain);
}

TEST(YamlTreeTest, AcceptsNestingUpToTheDepthLimit) {
  YamlLimits limits;
  limits.max_depth = 3;
  MODELSEAL_EXPECT_OK(ParseYaml("[[[1]]]", "p.yaml", limits));
  EXPECT_THAT(ParseYaml("[[[[1]]]]", "p.yaml", limits),
              StatusIs(kExhausted, HasSubstr("p.yaml:1:4:")));
}

TEST(YamlTreeTest, AcceptsAPlainScalarDocument) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode doc, ParseYaml("hello", "p.yaml"));
  EXPECT_EQ(doc.AsString(), "hello");
  EXPECT_EQ(doc.KindName(), "a string");
}

TEST(YamlTreeTest, DescribesNodesForMessages) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode doc,
                                 ParseYaml("a:\n  - 1\nb: {}\n", "p.yaml"));
  EXPECT_EQ(doc.KindName(), "a mapping");
  EXPECT_EQ(doc.Find("a")->KindName(), "a list");
  EXPECT_EQ(doc.Find("a")->items[0].Where(), "line 2, column 5");
}

TEST(YamlTreeTest, CopiesAreDeep) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(YamlNode doc, ParseYaml("a: [1]", "p.yaml"));
  YamlNode copy = doc;
  copy.members[0].second.items[0].scalar = "2";
  EXPECT_EQ(doc.Find("a")->items[0].scalar, "1");
}

}  // namespace
}  // namespace modelseal
