// Model cards in the Hugging Face format: a README.md with optional YAML
// front matter ("---" line, YAML, "---" line) followed by Markdown.
//
//   absl::StatusOr<ModelCard> card = ParseModelCard(bytes, "README.md");
//   if (card.ok() && card->license) ...
//   const CardSection* uses = card->FindSection({"Uses", "Intended Uses"});
//
// The front matter is parsed with ParseYaml (yaml_tree.h: bounded, strict,
// no aliases or foreign tags) and the Markdown with cmark-gfm (tables
// extension on); nothing is read with regular expressions. Real cards are
// tolerated as they are: no front matter, CRLF line ends, a UTF-8 BOM, HTML
// blocks, tables, heading levels that jump.
//
// Errors: kInvalidArgument for a card that cannot be read (invalid UTF-8, a
// front matter that never closes, YAML that is malformed or not a mapping,
// a typed field of the wrong shape), naming the file, line and column;
// kResourceExhausted above limits::kMaxModelCardBytes or a YAML limit.
// Fields that are present but typed wrongly are errors, not silently
// dropped: a linter must see them.
//
// "[More Information Needed]" (the Hub template's placeholder) counts as
// missing wherever it stands: a field whose value is only the placeholder is
// absent, and a section whose text is only the placeholder is empty.
#ifndef MODELSEAL_MODEL_CARD_H_
#define MODELSEAL_MODEL_CARD_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/yaml_tree.h"

namespace modelseal {

inline constexpr absl::string_view kCardPlaceholder =
    "[More Information Needed]";

// One metric of a model-index result.
struct CardMetric {
  std::string type;
  std::string name;
  std::string value;  // as written (number or string)
};

// One model-index result: task, dataset and metrics.
struct CardEvalResult {
  std::string task_type;
  std::string dataset_type;
  std::string dataset_name;
  std::vector<CardMetric> metrics;
};

// A Markdown heading and the plain text under it (up to the next heading of
// any level). `title` is the heading's text with markup stripped
// ("# **Model Details**" → "Model Details"), whitespace collapsed; it may be
// empty. `text` is the section's plain text (paragraphs, lists, tables and
// code as text; HTML blocks dropped), whitespace collapsed, with the
// placeholder removed.
struct CardSection {
  int level = 1;  // 1..6
  std::string title;
  std::string text;
  std::size_t line = 0;  // of the heading, in the whole file (1-based)
  // Indexes into ModelCard::sections of the headings nested under this one
  // (the next headings of a deeper level, up to one of this level or
  // higher).
  std::vector<std::size_t> children;
};

struct ModelCard {
  bool has_front_matter = false;
  // The whole front matter (a mapping) or a null node when there is none.
  YamlNode front_matter;

  // Typed fields (absent, or only the placeholder: nullopt / empty).
  std::optional<std::string> license;
  std::optional<std::string> license_name;
  std::optional<std::string> license_link;
  std::vector<std::string> language;  // scalar or list in the YAML
  std::optional<std::string> library_name;
  std::optional<std::string> pipeline_tag;
  std::vector<std::string> tags;
  std::vector<std::string> datasets;
  std::vector<std::string> base_model;  // scalar or list in the YAML
  std::optional<std::string> base_model_relation;
  std::vector<CardEvalResult> eval_results;  // model-index[*].results

  // Every heading, in document order.
  std::vector<CardSection> sections;
  // Plain text of the whole Markdown body (for searches).
  std::string body_text;
  std::size_t body_first_line = 1;  // where the Markdown starts in the file

  // The first section whose normalised title equals one of `titles`
  // (comparison ignores ASCII case and surrounding punctuation such as a
  // trailing ':'), or nullptr.
  const CardSection* FindSection(const std::vector<std::string>& titles) const;
  // True when the front matter has `key` with a value that is not null,
  // not empty (string, list or mapping) and not the placeholder.
  bool HasField(absl::string_view key) const;
  // The text of the section with the given index plus all its descendants.
  std::string SectionTextWithChildren(std::size_t index) const;
};

// Parses a card. `source` names it in messages.
absl::StatusOr<ModelCard> ParseModelCard(absl::string_view bytes,
                                         absl::string_view source);

// The normalised card as compact JSON (schemas/model-card.schema.json):
// {"front_matter": {...as JSON...}, "fields": {...typed...},
//  "sections": [{"level","title","text","line"}...]}.
std::string ModelCardToJson(const ModelCard& card);

}  // namespace modelseal

#endif  // MODELSEAL_MODEL_CARD_H_
