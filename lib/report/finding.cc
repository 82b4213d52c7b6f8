#include "modelseal/finding.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace modelseal {

absl::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
    case Severity::kCritical:
      return "critical";
  }
  return "error";
}

absl::StatusOr<Severity> ParseSeverity(absl::string_view name) {
  for (Severity severity : {Severity::kInfo, Severity::kWarning,
                            Severity::kError, Severity::kCritical}) {
    if (name == SeverityName(severity)) return severity;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown severity '", name, "' (info, warning, error or critical)"));
}

Finding MakeFinding(std::string rule, Severity severity, std::string message,
                    std::string path, std::string policy_ref) {
  Finding finding;
  finding.rule = std::move(rule);
  finding.severity = severity;
  finding.message = std::move(message);
  finding.path = std::move(path);
  finding.policy_ref = std::move(policy_ref);
  return finding;
}

bool FindingsFail(const std::vector<Finding>& findings, bool strict) {
  for (const Finding& finding : findings) {
    if (finding.severity >= Severity::kError) return true;
    if (strict && finding.severity == Severity::kWarning) return true;
  }
  return false;
}

}  // namespace modelseal
