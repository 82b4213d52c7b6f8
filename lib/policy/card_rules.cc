// The model_card and licenses sections of a policy, applied to a parsed
// card. Pure functions of their inputs, shared by `verify --policy` and
// `card lint`.
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "modelseal/licenses.h"
#include "modelseal/policy_evaluation.h"

namespace modelseal {
namespace {

std::size_t CountWords(absl::string_view text) {
  std::size_t words = 0;
  for (absl::string_view word :
       absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    (void)word;
    ++words;
  }
  return words;
}

// The front-matter values of `field` as strings (a scalar, or a list of
// scalars); empty when absent.
std::vector<std::string> FieldValues(const ModelCard& card,
                                     absl::string_view field) {
  std::vector<std::string> values;
  const YamlNode* node = card.front_matter.Find(field);
  if (node == nullptr) return values;
  if (std::optional<std::string> value = node->AsString()) {
    values.push_back(*value);
  }
  for (const YamlNode& item : node->items) {
    if (std::optional<std::string> value = item.AsString()) {
      values.push_back(*value);
    }
  }
  return values;
}

}  // namespace

std::vector<Finding> EvaluateCardRules(const ModelCard& card,
                                       absl::string_view card_bytes,
                                       const PolicyModelCard& rules,
                                       absl::string_view path) {
  std::vector<Finding> findings;
  const Severity severity = rules.severity;
  for (std::size_t i = 0; i < rules.required_fields.size(); ++i) {
    const std::string& field = rules.required_fields[i];
    if (!card.HasField(field)) {
      findings.push_back(MakeFinding(
          "model_card.field_missing", severity,
          absl::StrCat("the card's front matter has no '", field,
                       "' (or only a placeholder); add it to the YAML "
                       "header between the '---' lines"),
          std::string(path),
          absl::StrCat("model_card.required_fields[", i, "]")));
    }
  }
  for (const CardSectionRule& rule : rules.required_sections) {
    std::vector<std::string> titles = {rule.title};
    titles.insert(titles.end(), rule.aliases.begin(), rule.aliases.end());
    const CardSection* section = card.FindSection(titles);
    if (section == nullptr) {
      findings.push_back(MakeFinding(
          "model_card.section_missing", severity,
          absl::StrCat(
              "the card has no '", rule.title, "' section",
              rule.aliases.empty()
                  ? std::string()
                  : absl::StrCat(" (nor ", absl::StrJoin(rule.aliases, ", "),
                                 ")"),
              "; add a heading with that title and its text"),
          std::string(path), rule.policy_ref));
      continue;
    }
    const std::size_t index =
        static_cast<std::size_t>(section - card.sections.data());
    const std::size_t words = CountWords(card.SectionTextWithChildren(index));
    if (words < rule.min_words) {
      findings.push_back(MakeFinding(
          "model_card.section_empty", severity,
          absl::StrCat("the '", section->title, "' section (line ",
                       section->line, ") has ", words, " word",
                       words == 1 ? "" : "s", ", the policy asks for at least ",
                       rule.min_words, "; fill it in"),
          std::string(path), rule.policy_ref));
    }
  }
  for (const CardConditionalRule& rule : rules.rules) {
    bool applies = false;
    for (const std::string& value : FieldValues(card, rule.field)) {
      if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(value),
                                 rule.equals)) {
        applies = true;
      }
    }
    if (!applies) continue;
    for (const std::string& field : rule.require_fields) {
      if (!card.HasField(field)) {
        findings.push_back(MakeFinding(
            "model_card.conditional_field_missing", severity,
            absl::StrCat("the card says ", rule.field, ": ", rule.equals,
                         ", which requires '", field, "' too; add it"),
            std::string(path), rule.policy_ref));
      }
    }
  }
  // Placeholders are looked for in the raw text, line by line, so the
  // finding can say where; a placeholder is a literal string, not a pattern.
  for (std::size_t i = 0; i < rules.forbidden_placeholders.size(); ++i) {
    const std::string& placeholder = rules.forbidden_placeholders[i];
    std::size_t line_number = 0;
    std::vector<std::size_t> lines;
    for (absl::string_view line : absl::StrSplit(card_bytes, '\n')) {
      ++line_number;
      if (absl::StrContains(line, placeholder)) lines.push_back(line_number);
    }
    if (lines.empty()) continue;
    if (lines.size() > 10) lines.resize(10);
    findings.push_back(MakeFinding(
        "model_card.placeholder", severity,
        absl::StrCat("the card still contains the placeholder '", placeholder,
                     "' (line", lines.size() == 1 ? " " : "s ",
                     absl::StrJoin(lines, ", "),
                     "); replace it with real information"),
        std::string(path),
        absl::StrCat("model_card.forbidden_placeholders[", i, "]")));
  }
  return findings;
}

std::vector<Finding> EvaluateLicense(const ModelCard& card,
                                     const PolicyLicenses& licenses,
                                     absl::string_view path,
                                     std::string* canonical) {
  std::vector<Finding> findings;
  if (!card.license.has_value()) {
    findings.push_back(MakeFinding(
        "licenses.missing", Severity::kError,
        "the card names no license; add 'license: <id>' to its front matter",
        std::string(path), "licenses"));
    return findings;
  }
  std::string id = *card.license;
  // license: other names the real license in license_name.
  if (absl::EqualsIgnoreCase(id, "other") && card.license_name.has_value()) {
    id = *card.license_name;
  }
  const LicenseId resolved = ResolveLicense(id);
  *canonical = resolved.spdx;
  const auto listed = [&](const std::vector<std::string>& list) {
    for (const std::string& entry : list) {
      if (SameLicense(entry, resolved.spdx)) return true;
    }
    return false;
  };
  if (listed(licenses.deny)) {
    findings.push_back(
        MakeFinding("licenses.denied", Severity::kError,
                    absl::StrCat("the license '", id, "' (", resolved.spdx,
                                 ") is on the policy's deny list"),
                    std::string(path), "licenses.deny"));
  } else if (listed(licenses.review)) {
    findings.push_back(MakeFinding(
        "licenses.review", Severity::kWarning,
        absl::StrCat("the license '", id, "' (", resolved.spdx,
                     ") needs a review before use (policy review list)"),
        std::string(path), "licenses.review"));
  } else if (!listed(licenses.allow)) {
    if (licenses.unknown == UnknownLicense::kAllow) return findings;
    const Severity severity = licenses.unknown == UnknownLicense::kDeny
                                  ? Severity::kError
                                  : Severity::kWarning;
    findings.push_back(MakeFinding(
        "licenses.unknown", severity,
        absl::StrCat(
            "the license '", id, "' (", resolved.spdx, ") is ",
            resolved.ambiguous ? "a family name, not one license, and " : "",
            "in none of the policy's lists (unknown: ",
            licenses.unknown == UnknownLicense::kDeny ? "deny" : "review", ")"),
        std::string(path), "licenses.unknown"));
  }
  return findings;
}

}  // namespace modelseal
