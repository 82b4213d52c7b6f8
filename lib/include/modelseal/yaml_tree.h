// A bounded YAML document tree, parsed with libyaml's event API (the parser
// behind PyYAML, and so behind the Hugging Face Hub's reading of model-card
// front matter). JSON documents parse too: JSON is YAML's flow style.
//
//   YamlLimits limits;  // defaults suit cards and policies
//   absl::StatusOr<YamlNode> doc = ParseYaml(text, "policy.yaml", limits);
//   if (!doc.ok()) ...  // message: "policy.yaml:3:7: duplicate key 'name'"
//   const YamlNode* license = doc->Find("license");
//
// Only a strict, safe subset is accepted; everything else is
// kInvalidArgument (or kResourceExhausted for a limit) naming the source,
// line and column:
//   - exactly one document (an empty input is one null document);
//   - mapping keys are scalars, unique within their mapping;
//   - no aliases or anchors (so no "billion laughs": nothing is expanded);
//   - tags: none, the non-specific "!", or the YAML core tags
//     (tag:yaml.org,2002:str|int|float|bool|null|seq|map); anything else,
//     such as !!python/object, is refused;
//   - valid UTF-8 (libyaml checks; a BOM is allowed and dropped);
//   - depth, node count, scalar size and input size within YamlLimits.
// Nesting depth is checked as events arrive, so a 1,000,000-deep input fails
// fast in constant memory.
//
// Values stay as written: a scalar keeps its text and whether it was plain
// (unquoted), so callers decide how to type it (see the As* helpers, which
// follow YAML 1.1 as PyYAML resolves it for the few types they read).
// YamlNode is a plain value type; copying copies the subtree.
#ifndef MODELSEAL_YAML_TREE_H_
#define MODELSEAL_YAML_TREE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal {

struct YamlLimits {
  std::size_t max_input_bytes = std::size_t{4} << 20;
  std::size_t max_depth = 64;
  std::size_t max_nodes = 100'000;
  std::size_t max_scalar_bytes = std::size_t{1} << 20;
};

// A position in the source: 1-based line and column.
struct YamlMark {
  std::size_t line = 0;
  std::size_t column = 0;
};

class YamlNode {
 public:
  enum class Kind { kScalar, kSequence, kMapping };

  // Declared here and defaulted in yaml_tree.cc: with `members` holding
  // pairs of this very type, implicit members would make clang instantiate
  // std::pair<std::string, YamlNode> before YamlNode is complete (a hard
  // error with libstdc++ as soon as StatusOr<YamlNode> is used).
  YamlNode();
  ~YamlNode();
  YamlNode(const YamlNode&);
  YamlNode(YamlNode&&) noexcept;
  YamlNode& operator=(const YamlNode&);
  YamlNode& operator=(YamlNode&&) noexcept;

  Kind kind = Kind::kScalar;
  YamlMark mark;
  // kScalar: the text as parsed (escapes resolved), and whether it was plain
  // (unquoted, no block style). A plain "", "~", "null", "Null" or "NULL" is
  // YAML's null.
  std::string scalar;
  bool plain = true;
  // The explicit tag, if any, as libyaml reports it (full form).
  std::string tag;
  // kSequence: the items, in order.
  std::vector<YamlNode> items;
  // kMapping: key text and value, in document order.
  std::vector<std::pair<std::string, YamlNode>> members;

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMapping() const { return kind == Kind::kMapping; }
  bool IsNull() const;

  // kMapping: the value of `key`, or nullptr (also for other kinds).
  const YamlNode* Find(absl::string_view key) const;

  // Typed readings of a scalar; nullopt when the node is not a scalar of that
  // type. Strings: any non-null scalar (quoted or not). Bool: plain
  // true/false/yes/no/on/off in any of YAML 1.1's spellings. Integers:
  // plain decimal, optionally signed, no overflow.
  std::optional<std::string> AsString() const;
  std::optional<bool> AsBool() const;
  std::optional<std::int64_t> AsInt() const;

  // "line L, column C".
  std::string Where() const;
  // A short name of the kind for messages: "a string", "a list", "a mapping".
  absl::string_view KindName() const;
};

// Parses `text`. `source` names it in error messages ("README.md",
// "policy.yaml"); `line_offset` is added to every line number (a card's front
// matter starts on line 2 of the file).
absl::StatusOr<YamlNode> ParseYaml(absl::string_view text,
                                   absl::string_view source,
                                   const YamlLimits& limits = YamlLimits(),
                                   std::size_t line_offset = 0);

}  // namespace modelseal

#endif  // MODELSEAL_YAML_TREE_H_
