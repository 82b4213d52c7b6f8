// The tree is built from libyaml events rather than its document loader
// because the loader expands aliases and materialises the whole tree before
// anything can be checked; events let every limit be enforced the moment it
// is crossed, before the parser has read much further.
#include "modelseal/yaml_tree.h"

#include <yaml.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

constexpr absl::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;
  }
};
using ParserPtr = std::unique_ptr<yaml_parser_t, ParserDeleter>;

// Owns one event from yaml_parser_parse until the next is read.
class Event {
 public:
  Event() = default;
  ~Event() { Reset(); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  yaml_event_t* get() { return &event_; }
  const yaml_event_t& operator*() const { return event_; }
  // Marks the event as filled by a successful yaml_parser_parse.
  void Filled() { filled_ = true; }
  void Reset() {
    if (filled_) yaml_event_delete(&event_);
    filled_ = false;
  }

 private:
  yaml_event_t event_{};
  bool filled_ = false;
};

absl::string_view CharsView(const yaml_char_t* text) {
  return text == nullptr
             ? absl::string_view()
             : absl::string_view(reinterpret_cast<const char*>(text));
}

// A collection under construction, with the key waiting for its value when
// the collection is a mapping.
struct Frame {
  YamlNode node;
  std::optional<std::string> pending_key;
  YamlMark pending_key_mark;
  absl::flat_hash_set<std::string> keys;
};

class TreeBuilder {
 public:
  TreeBuilder(absl::string_view source, const YamlLimits& limits,
              std::size_t line_offset)
      : source_(source), limits_(limits), line_offset_(line_offset) {}

  absl::StatusOr<YamlNode> Build(absl::string_view text) {
    ParserPtr parser(new yaml_parser_t);
    if (yaml_parser_initialize(parser.get()) == 0) {
      return absl::ResourceExhaustedError(
          absl::StrCat(source_, ": cannot initialise the YAML parser"));
    }
    // Forcing UTF-8 stops libyaml from decoding a UTF-16 input, which the
    // contract refuses; a UTF-8 BOM was dropped by the caller.
    yaml_parser_set_encoding(parser.get(), YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(
        parser.get(), reinterpret_cast<const unsigned char*>(text.data()),
        text.size());

    Event event;
    bool done = false;
    while (!done) {
      event.Reset();
      if (yaml_parser_parse(parser.get(), event.get()) == 0) {
        return ParserError(*parser, text);
      }
      event.Filled();
      const yaml_event_t& e = *event;
      const YamlMark mark = Mark(e.start_mark);
      switch (e.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
          break;
        case YAML_STREAM_END_EVENT:
          done = true;
          break;
        case YAML_DOCUMENT_START_EVENT:
          if (++documents_ > 1) {
            return Error(absl::StatusCode::kInvalidArgument, mark,
                         "expected a single YAML document, found a second "
                         "one");
          }
          break;
        case YAML_DOCUMENT_END_EVENT:
          break;
        case YAML_ALIAS_EVENT:
          return Error(absl::StatusCode::kInvalidArgument, mark,
                       absl::StrCat("aliases are not allowed (*",
                                    CharsView(e.data.alias.anchor), ")"));
        case YAML_SCALAR_EVENT: {
          MODELSEAL_RETURN_IF_ERROR(CheckNewNode(mark, e.data.scalar.anchor));
          if (e.data.scalar.length > limits_.max_scalar_bytes) {
            return Error(absl::StatusCode::kResourceExhausted, mark,
                         absl::StrCat("a scalar of ", e.data.scalar.length,
                                      " bytes is above the limit of ",
                                      limits_.max_scalar_bytes));
          }
          YamlNode node;
          node.kind = YamlNode::Kind::kScalar;
          node.mark = mark;
          node.scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value),
                             e.data.scalar.length);
          node.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
          node.tag = std::string(CharsView(e.data.scalar.tag));
          MODELSEAL_RETURN_IF_ERROR(CheckTag(node));
          MODELSEAL_RETURN_IF_ERROR(Attach(std::move(node)));
          break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
          const bool sequence = e.type == YAML_SEQUENCE_START_EVENT;
          MODELSEAL_RETURN_IF_ERROR(
              CheckNewNode(mark, sequence ? e.data.sequence_start.anchor
                                          : e.data.mapping_start.anchor));
          if (!stack_.empty() && stack_.back().node.IsMapping() &&
              !stack_.back().pending_key.has_value()) {
            return Error(absl::StatusCode::kInvalidArgument, mark,
                         "a mapping key must be a scalar");
          }
          if (stack_.size() >= limits_.max_depth) {
            return Error(absl::StatusCode::kResourceExhausted, mark,
                         absl::StrCat("nesting deeper than the limit of ",
                                      limits_.max_depth, " levels"));
          }
          Frame frame;
          frame.node.kind =
              sequence ? YamlNode::Kind::kSequence : YamlNode::Kind::kMapping;
          frame.node.mark = mark;
          frame.node.tag = std::string(CharsView(
              sequence ? e.data.sequence_start.tag : e.data.mapping_start.tag));
          MODELSEAL_RETURN_IF_ERROR(CheckTag(frame.node));
          stack_.push_back(std::move(frame));
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
          // libyaml pairs start and end events, so the stack is never empty
          // here; the check keeps a broken invariant from becoming UB.
          if (stack_.empty()) {
            return Error(absl::StatusCode::kInternal, mark,
                         "unbalanced YAML collection events");
          }
          YamlNode node = std::move(stack_.back().node);
          stack_.pop_back();
          MODELSEAL_RETURN_IF_ERROR(Attach(std::move(node)));
          break;
        }
      }
    }
    if (!root_.has_value()) {
      // An empty stream is one null document.
      YamlNode null_node;
      null_node.mark = YamlMark{1 + line_offset_, 1};
      return null_node;
    }
    return *std::move(root_);
  }

 private:
  YamlMark Mark(const yaml_mark_t& mark) const {
    return YamlMark{mark.line + 1 + line_offset_, mark.column + 1};
  }

  absl::Status Error(absl::StatusCode code, const YamlMark& mark,
                     absl::string_view what) const {
    return absl::Status(code, absl::StrCat(source_, ":", mark.line, ":",
                                           mark.column, ": ", what));
  }

  // libyaml's reader reports a byte offset instead of a mark.
  YamlMark MarkOfOffset(absl::string_view text, std::size_t offset) const {
    YamlMark mark{1 + line_offset_, 1};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == '\n') {
        ++mark.line;
        mark.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++mark.column;
      }
    }
    return mark;
  }

  absl::Status ParserError(const yaml_parser_t& parser,
                           absl::string_view text) const {
    const absl::string_view problem =
        parser.problem != nullptr ? parser.problem : "malformed YAML";
    if (parser.error == YAML_MEMORY_ERROR) {
      return Error(absl::StatusCode::kResourceExhausted, YamlMark{1, 1},
                   "out of memory while parsing YAML");
    }
    if (parser.error == YAML_READER_ERROR) {
      std::string what(problem);
      if (parser.problem_value != -1) {
        absl::StrAppend(&what, " (byte 0x",
                        absl::Hex(parser.problem_value, absl::kZeroPad2), ")");
      }
      return Error(absl::StatusCode::kInvalidArgument,
                   MarkOfOffset(text, parser.problem_offset), what);
    }
    std::string what(problem);
    if (parser.context != nullptr) {
      const YamlMark context = Mark(parser.context_mark);
      absl::StrAppend(&what, " (", parser.context, " at line ", context.line,
                      ", column ", context.column, ")");
    }
    return Error(absl::StatusCode::kInvalidArgument, Mark(parser.problem_mark),
                 what);
  }

  absl::Status CheckNewNode(const YamlMark& mark, const yaml_char_t* anchor) {
    if (anchor != nullptr) {
      return Error(
          absl::StatusCode::kInvalidArgument, mark,
          absl::StrCat("anchors are not allowed (&", CharsView(anchor), ")"));
    }
    if (++nodes_ > limits_.max_nodes) {
      return Error(
          absl::StatusCode::kResourceExhausted, mark,
          absl::StrCat("more than ", limits_.max_nodes, " YAML nodes"));
    }
    return absl::OkStatus();
  }

  // YAML 1.1 core tags only, each on the kind of node it names: anything
  // else asks a loader to construct an object, which a safe reader must not
  // pretend to understand.
  absl::Status CheckTag(const YamlNode& node) const {
    if (node.tag.empty() || node.tag == "!") return absl::OkStatus();
    bool allowed = false;
    if (absl::StartsWith(node.tag, kCoreTagPrefix)) {
      const absl::string_view name =
          absl::string_view(node.tag).substr(kCoreTagPrefix.size());
      switch (node.kind) {
        case YamlNode::Kind::kScalar:
          allowed = name == "str" || name == "int" || name == "float" ||
                    name == "bool" || name == "null";
          break;
        case YamlNode::Kind::kSequence:
          allowed = name == "seq";
          break;
        case YamlNode::Kind::kMapping:
          allowed = name == "map";
          break;
      }
    }
    if (allowed) return absl::OkStatus();
    return Error(
        absl::StatusCode::kInvalidArgument, node.mark,
        absl::StrCat("tag '", node.tag, "' is not allowed on ", node.KindName(),
                     " (only the YAML core tags are accepted)"));
  }

  absl::Status Attach(YamlNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return absl::OkStatus();
    }
    Frame& parent = stack_.back();
    if (parent.node.IsSequence()) {
      parent.node.items.push_back(std::move(node));
      return absl::OkStatus();
    }
    if (parent.pending_key.has_value()) {
      parent.node.members.emplace_back(*std::move(parent.pending_key),
                                       std::move(node));
      parent.pending_key.reset();
      return absl::OkStatus();
    }
    // `node` is a key (collections as keys were refused at their start).
    if (node.IsNull()) {
      return Error(absl::StatusCode::kInvalidArgument, node.mark,
                   "a mapping key must not be null or empty");
    }
    // PyYAML merges a plain "<<" key into its mapping; reading it as a
    // literal key instead would make this tree disagree with the Hub's.
    if (node.plain && node.tag.empty() && node.scalar == "<<") {
      return Error(absl::StatusCode::kInvalidArgument, node.mark,
                   "merge keys ('<<') are not allowed");
    }
    if (!parent.keys.insert(node.scalar).second) {
      return Error(absl::StatusCode::kInvalidArgument, node.mark,
                   absl::StrCat("duplicate key '", node.scalar, "'"));
    }
    parent.pending_key = std::move(node.scalar);
    parent.pending_key_mark = node.mark;
    return absl::OkStatus();
  }

  absl::string_view source_;
  const YamlLimits& limits_;
  std::size_t line_offset_;
  std::vector<Frame> stack_;
  std::optional<YamlNode> root_;
  std::size_t nodes_ = 0;
  int documents_ = 0;
};

bool IsPlainNull(absl::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" ||
         text == "NULL";
}

}  // namespace

YamlNode::YamlNode() = default;
YamlNode::~YamlNode() = default;
YamlNode::YamlNode(const YamlNode&) = default;
YamlNode::YamlNode(YamlNode&&) noexcept = default;
YamlNode& YamlNode::operator=(const YamlNode&) = default;
YamlNode& YamlNode::operator=(YamlNode&&) noexcept = default;

bool YamlNode::IsNull() const {
  if (kind != Kind::kScalar) return false;
  if (tag == absl::StrCat(kCoreTagPrefix, "null")) return true;
  return plain && tag.empty() && IsPlainNull(scalar);
}

const YamlNode* YamlNode::Find(absl::string_view key) const {
  if (kind != Kind::kMapping) return nullptr;
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::optional<std::string> YamlNode::AsString() const {
  if (kind != Kind::kScalar || IsNull()) return std::nullopt;
  return scalar;
}

std::optional<bool> YamlNode::AsBool() const {
  if (kind != Kind::kScalar || !plain) return std::nullopt;
  if (!tag.empty() && tag != absl::StrCat(kCoreTagPrefix, "bool")) {
    return std::nullopt;
  }
  // PyYAML's YAML 1.1 bool resolver: these spellings and no others.
  for (absl::string_view yes :
       {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    if (scalar == yes) return true;
  }
  for (absl::string_view no :
       {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    if (scalar == no) return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> YamlNode::AsInt() const {
  if (kind != Kind::kScalar || !plain) return std::nullopt;
  if (!tag.empty() && tag != absl::StrCat(kCoreTagPrefix, "int")) {
    return std::nullopt;
  }
  absl::string_view digits = scalar;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return std::nullopt;
  // YAML 1.1 reads a leading zero as octal; refusing it keeps this reading
  // from disagreeing with PyYAML's.
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  // Accumulate negatively so that INT64_MIN is representable.
  std::int64_t value = 0;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    const int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == kMin) return std::nullopt;
    value = -value;
  }
  return value;
}

std::string YamlNode::Where() const {
  return absl::StrCat("line ", mark.line, ", column ", mark.column);
}

absl::string_view YamlNode::KindName() const {
  switch (kind) {
    case Kind::kScalar:
      return "a string";
    case Kind::kSequence:
      return "a list";
    case Kind::kMapping:
      return "a mapping";
  }
  return "a node";
}

absl::StatusOr<YamlNode> ParseYaml(absl::string_view text,
                                   absl::string_view source,
                                   const YamlLimits& limits,
                                   std::size_t line_offset) {
  if (text.size() > limits.max_input_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        source, ":", 1 + line_offset, ":1: YAML input of ", text.size(),
        " bytes is above the limit of ", limits.max_input_bytes));
  }
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  TreeBuilder builder(source, limits, line_offset);
  return builder.Build(text);
}

}  // namespace modelseal
