// Reports of a policy evaluation, for people and machines:
//
//   PolicyReportContext context;
//   context.model_path = "models/granite";
//   context.policy_name = policy.metadata.name;
//   std::string out = RenderPolicyReport(evaluation, context,
//                                        ReportFormat::kSarif);
//
// text    a summary (policy, each signature and whether it counts, the
//         model, the card), then every finding grouped by severity, then
//         PASSED or FAILED; colour only when the context asks for it.
// json    one object (schemas/policy-report.schema.json).
// sarif   SARIF 2.1.0 (report.h): one rule per rule id (policy and scan
//         catalogs), one result per finding located at its file.
// github  GitHub Actions workflow commands, one per finding, plus a notice
//         with the verdict.
#ifndef MODELSEAL_POLICY_REPORT_H_
#define MODELSEAL_POLICY_REPORT_H_

#include <cstdint>
#include <string>

#include "modelseal/policy_evaluation.h"
#include "modelseal/report.h"

namespace modelseal {

struct PolicyReportContext {
  std::string model_path;
  std::string policy_path;
  std::string policy_name;
  std::int64_t policy_version = 0;
  // "signed by governance key <hint>" or "UNSIGNED (--allow-unsigned-policy)".
  std::string policy_trust;
  bool strict = false;
  bool color = false;
};

// True when the evaluation passes (no error finding, and no warning when
// strict).
bool PolicyPassed(const PolicyEvaluation& evaluation, bool strict);

std::string RenderPolicyReport(const PolicyEvaluation& evaluation,
                               const PolicyReportContext& context,
                               ReportFormat format);

}  // namespace modelseal

#endif  // MODELSEAL_POLICY_REPORT_H_
