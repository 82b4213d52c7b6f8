// Rendering findings for people and machines: plain text (optionally with
// ANSI colour), a JSON array, SARIF 2.1.0 and GitHub Actions workflow
// commands. Used by `verify --policy`, `card lint` and `scan`.
//
//   ReportInfo info;
//   info.command = "scan";
//   info.subject = "models/llama";
//   info.rules = ScanRuleCatalog();
//   std::string sarif = RenderFindings(findings, ReportFormat::kSarif, info);
//
// Rendering never fails: every string is escaped for its format. Output is
// deterministic (findings keep their order), so it can be diffed and tested.
#ifndef MODELSEAL_REPORT_H_
#define MODELSEAL_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/finding.h"

namespace modelseal {

enum class ReportFormat { kText, kJson, kSarif, kGithub };

// "text", "json", "sarif", "github".
absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name);

struct ReportInfo {
  std::string tool_version = "0.1.0";
  std::string command;  // "verify", "scan", "card lint"
  // What was checked (a model folder, a card, a path); SARIF locations are
  // relative to it (uriBaseId "MODELROOT").
  std::string subject;
  // Rule ids that findings may carry, with their descriptions. A finding
  // whose rule is not in the catalog still renders (with its id as summary).
  std::vector<RuleDescription> rules;
  // Text only: colour with ANSI escapes (set it when stdout is a terminal).
  bool color = false;
};

// `text` as valid UTF-8: every invalid sequence becomes U+FFFD. Reports
// quote names and messages that may come from hostile input.
std::string ToValidUtf8(absl::string_view text);

// For terminals: ToValidUtf8, then control characters (below 0x20, and
// 0x7f) written as \xNN, so no quoted string can move the cursor, clear a
// line or start a new one (a forged "PASSED" line).
std::string ToPrintableText(absl::string_view text);

// Text: one line per finding, grouped by severity (most serious first):
//   error    model_card.required_section  README.md: the card has no 'Uses'…
std::string FindingsToText(const std::vector<Finding>& findings, bool color);

// A JSON array of {rule, severity, message, path, member, offset,
// policy_ref} objects (empty strings and absent offsets are left out).
std::string FindingsToJsonArray(const std::vector<Finding>& findings);

// A complete SARIF 2.1.0 log (one run; one reportingDescriptor per rule id in
// the catalog or in the findings; one result per finding, located at its
// path when it has one). Valid against the OASIS 2.1.0 schema.
std::string FindingsToSarif(const std::vector<Finding>& findings,
                            const ReportInfo& info);

// GitHub Actions workflow commands, one per finding:
//   ::error file=README.md,title=model_card.required_section::the card…
// (info → ::notice, warning → ::warning, error/critical → ::error), with
// the properties and message escaped as the runner expects.
std::string FindingsToGithub(const std::vector<Finding>& findings);

// Dispatches on `format`; kJson gives FindingsToJsonArray.
std::string RenderFindings(const std::vector<Finding>& findings,
                           ReportFormat format, const ReportInfo& info);

}  // namespace modelseal

#endif  // MODELSEAL_REPORT_H_
