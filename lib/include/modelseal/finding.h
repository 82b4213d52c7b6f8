// Findings: what a policy evaluation or an artifact scan reports, one record
// per problem, in one shape that every report format (text, JSON, SARIF,
// GitHub annotations; see report.h) renders.
//
//   Finding finding;
//   finding.rule = "model_card.required_section";
//   finding.severity = Severity::kError;
//   finding.message = "the card has no 'Uses' section";
//   finding.path = "README.md";
//   finding.policy_ref = "model_card.required_sections[1]";
//
// `rule` is a stable identifier (documented in docs/policy.md and
// docs/scan.md); messages may change between releases, rule ids do not.
// Plain values: copyable, no invariants beyond "rule is not empty".
#ifndef MODELSEAL_FINDING_H_
#define MODELSEAL_FINDING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal {

// Ordered: a higher value is more serious. kInfo never fails anything;
// kWarning fails only in strict mode; kError and kCritical always fail.
// kCritical marks what is known to be dangerous (code execution).
enum class Severity { kInfo = 0, kWarning = 1, kError = 2, kCritical = 3 };

// "info", "warning", "error", "critical".
absl::string_view SeverityName(Severity severity);
absl::StatusOr<Severity> ParseSeverity(absl::string_view name);

struct Finding {
  std::string
      rule;  // stable id, e.g. "signers.threshold", "scan.pickle.import"
  Severity severity = Severity::kError;
  std::string message;  // one sentence: what is wrong, and what to do
  // The file concerned, relative to the model root when there is one; empty
  // for findings about the model as a whole.
  std::string path;
  // Inside a container (zip, tar, compressed stream): the member's name,
  // nested members joined with '!'. Empty otherwise.
  std::string member;
  // Byte offset inside `member` (or `path`) when it is known.
  std::optional<std::uint64_t> offset;
  // Where in the policy the rule comes from ("thresholds[0]"); empty for
  // findings that no policy clause produced (a scan without a policy).
  std::string policy_ref;
};

// A finding from its usual fields (member and offset left empty).
Finding MakeFinding(std::string rule, Severity severity, std::string message,
                    std::string path = "", std::string policy_ref = "");

// One entry of a rule catalog: what a rule id means, for SARIF's
// tool.driver.rules and for the docs. Each producer (policy, scan) keeps its
// catalog beside its rules.
struct RuleDescription {
  std::string id;
  std::string summary;  // one line
  std::string help;     // what to do about it
};

// True when some finding fails the run: kError or worse, or kWarning too
// when `strict`.
bool FindingsFail(const std::vector<Finding>& findings, bool strict);

}  // namespace modelseal

#endif  // MODELSEAL_FINDING_H_
