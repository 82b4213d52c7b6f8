// Cards are read the way the Hub reads them (PyYAML-compatible front matter,
// GitHub-flavoured Markdown) but refuse what the Hub would silently accept
// when a linter needs to see it: a field of the wrong shape is an error here,
// not an absence.
#include "modelseal/model_card.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "util/json_writer.h"
#include "util/utf8.h"

namespace modelseal {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr absl::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

struct CmarkParserDeleter {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct CmarkNodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct CmarkIterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
using CmarkParserPtr = std::unique_ptr<cmark_parser, CmarkParserDeleter>;
using CmarkNodePtr = std::unique_ptr<cmark_node, CmarkNodeDeleter>;
using CmarkIterPtr = std::unique_ptr<cmark_iter, CmarkIterDeleter>;

absl::Status CardError(absl::string_view source, std::size_t line,
                       std::size_t column, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ":", line, ":", column, ": ", what));
}

absl::Status FieldError(absl::string_view source, absl::string_view key,
                        const YamlNode& node, absl::string_view expected) {
  return CardError(
      source, node.mark.line, node.mark.column,
      absl::StrCat(key, ": expected ", expected, ", found ", node.KindName()));
}

std::string CollapseWhitespace(absl::string_view text) {
  return absl::StrJoin(
      absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty()),
      " ");
}

std::string WithoutPlaceholder(absl::string_view text) {
  if (!absl::StrContains(text, kCardPlaceholder)) {
    return std::string(text);
  }
  return CollapseWhitespace(
      absl::StrReplaceAll(text, {{kCardPlaceholder, " "}}));
}

bool IsPlaceholder(absl::string_view text) {
  return absl::StripAsciiWhitespace(text) == kCardPlaceholder;
}

// For the message, find where the first bad sequence starts.
absl::Status CheckUtf8(absl::string_view bytes, absl::string_view source) {
  std::size_t line = 1;
  std::size_t column = 1;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const unsigned char byte = static_cast<unsigned char>(bytes[i]);
    const std::size_t width = util::Utf8SequenceLength(bytes, i);
    if (width == 0) break;
    if (byte == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += width;
  }
  if (i == bytes.size()) return absl::OkStatus();
  return CardError(source, line, column, "invalid UTF-8");
}

// The front matter and the Markdown of a card, as views into its bytes.
struct CardParts {
  bool has_front_matter = false;
  absl::string_view yaml;
  absl::string_view markdown;
  std::size_t body_first_line = 1;
};

absl::string_view WithoutCarriageReturn(absl::string_view line) {
  if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
  return line;
}

// The Hub's rule: the file starts with a "---" line and the front matter
// runs to the next "---" line.
absl::StatusOr<CardParts> SplitCard(absl::string_view text,
                                    absl::string_view source) {
  CardParts parts;
  parts.markdown = text;
  const std::size_t first_end = text.find('\n');
  const absl::string_view first_line = text.substr(
      0, first_end == absl::string_view::npos ? text.size() : first_end);
  if (WithoutCarriageReturn(first_line) != "---") return parts;
  if (first_end == absl::string_view::npos) {
    return CardError(source, 1, 1, "the front matter never closes");
  }
  std::size_t line_start = first_end + 1;
  std::size_t line_number = 2;
  while (line_start <= text.size()) {
    const std::size_t end = text.find('\n', line_start);
    const std::size_t line_end =
        end == absl::string_view::npos ? text.size() : end;
    const absl::string_view line =
        text.substr(line_start, line_end - line_start);
    if (WithoutCarriageReturn(line) == "---") {
      parts.has_front_matter = true;
      parts.yaml = text.substr(first_end + 1, line_start - (first_end + 1));
      parts.markdown = end == absl::string_view::npos ? absl::string_view()
                                                      : text.substr(end + 1);
      parts.body_first_line = line_number + 1;
      return parts;
    }
    if (end == absl::string_view::npos) break;
    line_start = end + 1;
    ++line_number;
  }
  return CardError(source, 1, 1,
                   "the front matter never closes (no closing '---' line)");
}

// --- Typed fields -----------------------------------------------------------

absl::StatusOr<std::optional<std::string>> StringField(
    const YamlNode& front_matter, absl::string_view key,
    absl::string_view source) {
  const YamlNode* node = front_matter.Find(key);
  if (node == nullptr || node->IsNull()) return std::nullopt;
  if (!node->IsScalar()) return FieldError(source, key, *node, "a string");
  if (IsPlaceholder(node->scalar)) return std::nullopt;
  return node->scalar;
}

// A scalar is read as a one-item list: real cards write `language: en` as
// often as `language: [en]`.
absl::StatusOr<std::vector<std::string>> ListField(const YamlNode& front_matter,
                                                   absl::string_view key,
                                                   absl::string_view source) {
  std::vector<std::string> values;
  const YamlNode* node = front_matter.Find(key);
  if (node == nullptr || node->IsNull()) return values;
  if (node->IsMapping()) {
    return FieldError(source, key, *node, "a string or a list of strings");
  }
  if (node->IsScalar()) {
    if (!IsPlaceholder(node->scalar)) values.push_back(node->scalar);
    return values;
  }
  for (const YamlNode& item : node->items) {
    if (!item.IsScalar() || item.IsNull()) {
      return CardError(
          source, item.mark.line, item.mark.column,
          absl::StrCat(key, ": expected a list of strings, found ",
                       item.IsNull() ? "an empty item" : item.KindName(),
                       " in it"));
    }
    if (!IsPlaceholder(item.scalar)) values.push_back(item.scalar);
  }
  return values;
}

// An optional mapping member that must be a string when present.
absl::StatusOr<std::string> MemberString(const YamlNode& mapping,
                                         absl::string_view key,
                                         absl::string_view path,
                                         absl::string_view source) {
  const YamlNode* node = mapping.Find(key);
  if (node == nullptr || node->IsNull()) return std::string();
  if (!node->IsScalar()) {
    return FieldError(source, absl::StrCat(path, ".", key), *node, "a string");
  }
  if (IsPlaceholder(node->scalar)) return std::string();
  return node->scalar;
}

absl::Status ExpectMapping(const YamlNode& node, absl::string_view path,
                           absl::string_view source) {
  if (node.IsMapping()) return absl::OkStatus();
  return FieldError(source, path, node, "a mapping");
}

absl::Status ExpectList(const YamlNode& node, absl::string_view path,
                        absl::string_view source) {
  if (node.IsSequence()) return absl::OkStatus();
  return FieldError(source, path, node, "a list");
}

// model-index: [{name, results: [{task: {type}, dataset: {type, name},
// metrics: [{type, name, value}]}]}], the Hub's evaluation-results layout.
absl::StatusOr<std::vector<CardEvalResult>> EvalResults(
    const YamlNode& front_matter, absl::string_view source) {
  std::vector<CardEvalResult> results;
  const YamlNode* index = front_matter.Find("model-index");
  if (index == nullptr || index->IsNull()) return results;
  MODELSEAL_RETURN_IF_ERROR(ExpectList(*index, "model-index", source));
  for (const YamlNode& model : index->items) {
    MODELSEAL_RETURN_IF_ERROR(ExpectMapping(model, "model-index[]", source));
    const YamlNode* model_results = model.Find("results");
    if (model_results == nullptr || model_results->IsNull()) continue;
    MODELSEAL_RETURN_IF_ERROR(
        ExpectList(*model_results, "model-index[].results", source));
    for (const YamlNode& entry : model_results->items) {
      MODELSEAL_RETURN_IF_ERROR(
          ExpectMapping(entry, "model-index[].results[]", source));
      CardEvalResult result;
      if (const YamlNode* task = entry.Find("task");
          task != nullptr && !task->IsNull()) {
        MODELSEAL_RETURN_IF_ERROR(ExpectMapping(*task, "task", source));
        MODELSEAL_ASSIGN_OR_RETURN(result.task_type,
                                   MemberString(*task, "type", "task", source));
      }
      if (const YamlNode* dataset = entry.Find("dataset");
          dataset != nullptr && !dataset->IsNull()) {
        MODELSEAL_RETURN_IF_ERROR(ExpectMapping(*dataset, "dataset", source));
        MODELSEAL_ASSIGN_OR_RETURN(
            result.dataset_type,
            MemberString(*dataset, "type", "dataset", source));
        MODELSEAL_ASSIGN_OR_RETURN(
            result.dataset_name,
            MemberString(*dataset, "name", "dataset", source));
      }
      if (const YamlNode* metrics = entry.Find("metrics");
          metrics != nullptr && !metrics->IsNull()) {
        MODELSEAL_RETURN_IF_ERROR(ExpectList(*metrics, "metrics", source));
        for (const YamlNode& metric : metrics->items) {
          MODELSEAL_RETURN_IF_ERROR(ExpectMapping(metric, "metrics[]", source));
          CardMetric out;
          MODELSEAL_ASSIGN_OR_RETURN(
              out.type, MemberString(metric, "type", "metrics[]", source));
          MODELSEAL_ASSIGN_OR_RETURN(
              out.name, MemberString(metric, "name", "metrics[]", source));
          MODELSEAL_ASSIGN_OR_RETURN(
              out.value, MemberString(metric, "value", "metrics[]", source));
          result.metrics.push_back(std::move(out));
        }
      }
      results.push_back(std::move(result));
    }
  }
  return results;
}

absl::Status ReadTypedFields(ModelCard& card, absl::string_view source) {
  const YamlNode& fm = card.front_matter;
  MODELSEAL_ASSIGN_OR_RETURN(card.license, StringField(fm, "license", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.license_name,
                             StringField(fm, "license_name", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.license_link,
                             StringField(fm, "license_link", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.language, ListField(fm, "language", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.library_name,
                             StringField(fm, "library_name", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.pipeline_tag,
                             StringField(fm, "pipeline_tag", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.tags, ListField(fm, "tags", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.datasets, ListField(fm, "datasets", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.base_model,
                             ListField(fm, "base_model", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.base_model_relation,
                             StringField(fm, "base_model_relation", source));
  MODELSEAL_ASSIGN_OR_RETURN(card.eval_results, EvalResults(fm, source));
  return absl::OkStatus();
}

// --- Markdown ----------------------------------------------------------------

// The plain text of a subtree: literal text and code, with a space wherever
// a block or a line break ends; raw HTML is dropped.
std::string PlainText(cmark_node* root) {
  std::string text;
  CmarkIterPtr iter(cmark_iter_new(root));
  cmark_event_type event;
  while ((event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(iter.get());
    const cmark_node_type type = cmark_node_get_type(node);
    if (event == CMARK_EVENT_ENTER) {
      switch (type) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_CODE_BLOCK: {
          const char* literal = cmark_node_get_literal(node);
          if (literal != nullptr) text += literal;
          if (type == CMARK_NODE_CODE_BLOCK) text += ' ';
          break;
        }
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
          text += ' ';
          break;
        default:
          break;
      }
    } else if (event == CMARK_EVENT_EXIT) {
      // Table rows and cells are extension blocks; any block's end
      // separates words.
      if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK) text += ' ';
    }
  }
  return CollapseWhitespace(text);
}

absl::Status Exhausted(absl::string_view source, std::size_t line,
                       absl::string_view what) {
  return absl::ResourceExhaustedError(
      absl::StrCat(source, ":", line, ":1: ", what));
}

// Bounds what cmark-gfm will allocate and how long it will run before it is
// given the text: a byte scan, no Markdown parsing (see limits.h).
absl::Status CheckMarkdownWork(absl::string_view markdown,
                               absl::string_view source,
                               std::size_t first_line) {
  std::size_t markup = 0;
  std::size_t cells = 0;
  // The current run of non-blank lines: its length, its widest line in
  // '|', and whether it has any '|' (no '|', no table).
  std::size_t run_lines = 0;
  std::size_t run_pipes = 0;
  bool run_has_pipe = false;
  const auto end_run = [&] {
    if (run_has_pipe) cells += run_lines * (run_pipes + 1);
    run_lines = 0;
    run_pipes = 0;
    run_has_pipe = false;
  };
  std::size_t line = first_line;
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == absl::string_view::npos) end = markdown.size();
    std::size_t pipes = 0;
    bool blank = true;
    for (std::size_t i = start; i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(markdown[i]);
      if (c == '|') ++pipes;
      if (absl::ascii_ispunct(c)) ++markup;
      if (!absl::ascii_isspace(c)) blank = false;
    }
    ++markup;  // the line break
    if (pipes > limits::kMaxCardTableColumns) {
      return Exhausted(source, line,
                       absl::StrCat("more than ", limits::kMaxCardTableColumns,
                                    " '|' on one line (table column limit)"));
    }
    if (blank) {
      end_run();
    } else {
      ++run_lines;
      run_pipes = std::max(run_pipes, pipes);
      run_has_pipe = run_has_pipe || pipes > 0;
    }
    if (markup > limits::kMaxCardMarkupCharacters) {
      return Exhausted(
          source, line,
          absl::StrCat("the Markdown has more than ",
                       limits::kMaxCardMarkupCharacters,
                       " line breaks and punctuation characters (markup "
                       "limit)"));
    }
    if (run_has_pipe &&
        cells + run_lines * (run_pipes + 1) > limits::kMaxCardTableCells) {
      return Exhausted(source, line,
                       absl::StrCat("tables here could hold more than ",
                                    limits::kMaxCardTableCells,
                                    " cells (table cell limit)"));
    }
    start = end + 1;
    ++line;
  }
  return absl::OkStatus();
}

cmark_syntax_extension* TableExtension() {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { cmark_gfm_core_extensions_ensure_registered(); });
  return cmark_find_syntax_extension("table");
}

absl::Status ParseMarkdown(absl::string_view markdown, absl::string_view source,
                           ModelCard& card) {
  MODELSEAL_RETURN_IF_ERROR(
      CheckMarkdownWork(markdown, source, card.body_first_line));
  CmarkParserPtr parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  if (parser == nullptr) {
    return absl::ResourceExhaustedError("cannot create a Markdown parser");
  }
  cmark_syntax_extension* table = TableExtension();
  if (table == nullptr ||
      cmark_parser_attach_syntax_extension(parser.get(), table) == 0) {
    return absl::InternalError("cmark-gfm has no table extension");
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  CmarkNodePtr document(cmark_parser_finish(parser.get()));
  if (document == nullptr) {
    return absl::ResourceExhaustedError("cannot parse the Markdown body");
  }
  std::vector<std::string> body;
  for (cmark_node* node = cmark_node_first_child(document.get());
       node != nullptr; node = cmark_node_next(node)) {
    if (cmark_node_get_type(node) == CMARK_NODE_HEADING) {
      CardSection section;
      section.level = cmark_node_get_heading_level(node);
      section.title = PlainText(node);
      section.line = static_cast<std::size_t>(cmark_node_get_start_line(node)) +
                     card.body_first_line - 1;
      body.push_back(section.title);
      card.sections.push_back(std::move(section));
      continue;
    }
    std::string text = PlainText(node);
    if (text.empty()) continue;
    if (!card.sections.empty()) {
      std::string& section_text = card.sections.back().text;
      if (!section_text.empty()) section_text += ' ';
      section_text += text;
    }
    body.push_back(std::move(text));
  }
  for (CardSection& section : card.sections) {
    section.text = WithoutPlaceholder(section.text);
  }
  card.body_text = absl::StrJoin(body, " ");
  // Parents by level, so that a jump from # to ### still nests.
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < card.sections.size(); ++i) {
    while (!open.empty() &&
           card.sections[open.back()].level >= card.sections[i].level) {
      open.pop_back();
    }
    if (!open.empty()) card.sections[open.back()].children.push_back(i);
    open.push_back(i);
  }
  return absl::OkStatus();
}

// Surrounding ASCII punctuation and whitespace do not distinguish titles
// ("Uses:" is "Uses"); case does not either.
std::string TitleKey(absl::string_view title) {
  std::size_t begin = 0;
  std::size_t end = title.size();
  const auto trimmed = [](char c) {
    return absl::ascii_ispunct(static_cast<unsigned char>(c)) ||
           absl::ascii_isspace(static_cast<unsigned char>(c));
  };
  while (begin < end && trimmed(title[begin])) ++begin;
  while (end > begin && trimmed(title[end - 1])) --end;
  return absl::AsciiStrToLower(
      CollapseWhitespace(title.substr(begin, end - begin)));
}

bool HasValue(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kScalar:
      return !node.IsNull() &&
             !absl::StripAsciiWhitespace(node.scalar).empty() &&
             !IsPlaceholder(node.scalar);
    case YamlNode::Kind::kSequence:
      for (const YamlNode& item : node.items) {
        if (HasValue(item)) return true;
      }
      return false;
    case YamlNode::Kind::kMapping:
      return !node.members.empty();
  }
  return false;
}

// --- JSON --------------------------------------------------------------------

// JSON's number grammar with a fraction, which PyYAML's float resolver also
// requires; anything else stays a string rather than be guessed at.
bool IsJsonDecimalFraction(absl::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    return i - start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  const std::size_t whole_start = i;
  const std::size_t whole = digits();
  if (whole == 0 || (whole > 1 && text[whole_start] == '0')) return false;
  if (i >= text.size() || text[i] != '.') return false;
  ++i;
  if (digits() == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

void WriteYaml(JsonWriter& json, const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kMapping:
      json.BeginObject();
      for (const auto& [key, value] : node.members) {
        json.Key(key);
        WriteYaml(json, value);
      }
      json.EndObject();
      return;
    case YamlNode::Kind::kSequence:
      json.BeginArray();
      for (const YamlNode& item : node.items) WriteYaml(json, item);
      json.EndArray();
      return;
    case YamlNode::Kind::kScalar:
      break;
  }
  if (node.IsNull()) {
    json.Raw("null");
  } else if (std::optional<bool> flag = node.AsBool()) {
    json.Bool(*flag);
  } else if (std::optional<std::int64_t> number = node.AsInt()) {
    json.Raw(absl::StrCat(*number));
  } else if (node.plain &&
             (node.tag.empty() ||
              node.tag == absl::StrCat(kCoreTagPrefix, "float")) &&
             IsJsonDecimalFraction(node.scalar)) {
    json.Raw(node.scalar);
  } else {
    json.String(node.scalar);
  }
}

void WriteOptional(JsonWriter& json, absl::string_view key,
                   const std::optional<std::string>& value) {
  json.Key(key);
  if (value.has_value()) {
    json.String(*value);
  } else {
    json.Raw("null");
  }
}

void WriteList(JsonWriter& json, absl::string_view key,
               const std::vector<std::string>& values) {
  json.Key(key).BeginArray();
  for (const std::string& value : values) json.String(value);
  json.EndArray();
}

}  // namespace

const CardSection* ModelCard::FindSection(
    const std::vector<std::string>& titles) const {
  std::vector<std::string> keys;
  keys.reserve(titles.size());
  for (const std::string& title : titles) keys.push_back(TitleKey(title));
  for (const CardSection& section : sections) {
    const std::string key = TitleKey(section.title);
    for (const std::string& wanted : keys) {
      if (key == wanted) return &section;
    }
  }
  return nullptr;
}

bool ModelCard::HasField(absl::string_view key) const {
  const YamlNode* node = front_matter.Find(key);
  return node != nullptr && HasValue(*node);
}

std::string ModelCard::SectionTextWithChildren(std::size_t index) const {
  if (index >= sections.size()) return std::string();
  std::vector<absl::string_view> texts;
  if (!sections[index].text.empty()) texts.push_back(sections[index].text);
  for (std::size_t i = index + 1;
       i < sections.size() && sections[i].level > sections[index].level; ++i) {
    if (!sections[i].text.empty()) texts.push_back(sections[i].text);
  }
  return absl::StrJoin(texts, " ");
}

absl::StatusOr<ModelCard> ParseModelCard(absl::string_view bytes,
                                         absl::string_view source) {
  if (bytes.size() > limits::kMaxModelCardBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        source, ": the model card is ", bytes.size(),
        " bytes, above the limit of ", limits::kMaxModelCardBytes));
  }
  MODELSEAL_RETURN_IF_ERROR(CheckUtf8(bytes, source));
  if (absl::StartsWith(bytes, kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
  MODELSEAL_ASSIGN_OR_RETURN(CardParts parts, SplitCard(bytes, source));

  ModelCard card;
  card.has_front_matter = parts.has_front_matter;
  card.body_first_line = parts.body_first_line;
  if (parts.has_front_matter) {
    MODELSEAL_ASSIGN_OR_RETURN(
        card.front_matter,
        ParseYaml(parts.yaml, source, YamlLimits(), /*line_offset=*/1));
    if (card.front_matter.IsNull()) {
      // An empty front matter has no keys; keep it a mapping so that
      // "front matter present" always means "a mapping".
      const YamlMark mark = card.front_matter.mark;
      card.front_matter = YamlNode();
      card.front_matter.kind = YamlNode::Kind::kMapping;
      card.front_matter.mark = mark;
    } else if (!card.front_matter.IsMapping()) {
      return CardError(source, card.front_matter.mark.line,
                       card.front_matter.mark.column,
                       absl::StrCat("the front matter must be a YAML mapping, "
                                    "found ",
                                    card.front_matter.KindName()));
    }
    MODELSEAL_RETURN_IF_ERROR(ReadTypedFields(card, source));
  }
  MODELSEAL_RETURN_IF_ERROR(ParseMarkdown(parts.markdown, source, card));
  return card;
}

std::string ModelCardToJson(const ModelCard& card) {
  JsonWriter json;
  json.BeginObject();
  json.Key("has_front_matter").Bool(card.has_front_matter);
  json.Key("front_matter");
  if (card.has_front_matter) {
    WriteYaml(json, card.front_matter);
  } else {
    json.Raw("null");
  }
  json.Key("fields").BeginObject();
  WriteOptional(json, "license", card.license);
  WriteOptional(json, "license_name", card.license_name);
  WriteOptional(json, "license_link", card.license_link);
  WriteList(json, "language", card.language);
  WriteOptional(json, "library_name", card.library_name);
  WriteOptional(json, "pipeline_tag", card.pipeline_tag);
  WriteList(json, "tags", card.tags);
  WriteList(json, "datasets", card.datasets);
  WriteList(json, "base_model", card.base_model);
  WriteOptional(json, "base_model_relation", card.base_model_relation);
  json.Key("eval_results").BeginArray();
  for (const CardEvalResult& result : card.eval_results) {
    json.BeginObject();
    json.Key("task_type").String(result.task_type);
    json.Key("dataset_type").String(result.dataset_type);
    json.Key("dataset_name").String(result.dataset_name);
    json.Key("metrics").BeginArray();
    for (const CardMetric& metric : result.metrics) {
      json.BeginObject();
      json.Key("type").String(metric.type);
      json.Key("name").String(metric.name);
      json.Key("value").String(metric.value);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  json.Key("sections").BeginArray();
  for (const CardSection& section : card.sections) {
    json.BeginObject();
    json.Key("level").Number(static_cast<std::uint64_t>(section.level));
    json.Key("title").String(section.title);
    json.Key("text").String(section.text);
    json.Key("line").Number(section.line);
    json.EndObject();
  }
  json.EndArray();
  json.Key("body_first_line").Number(card.body_first_line);
  json.EndObject();
  return json.text();
}

}  // namespace modelseal
