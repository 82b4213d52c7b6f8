// Evaluating a model, its signature bundles, its model card and its
// artifacts against an alliance policy (policy.h).
//
//   PolicyEvaluationOptions options;
//   options.now = std::time(nullptr);
//   absl::StatusOr<PolicyEvaluation> result =
//       EvaluatePolicy(policy, "models/granite", bundles, options);
//   if (result.ok() && result->passed) ...
//
// Every rule is evaluated and every violation reported as a Finding (rule
// ids in PolicyRuleCatalog(), documented in docs/policy.md); nothing stops
// at the first. The order, and why:
//   1. Each bundle is parsed and matched to the policy's signers: a key
//      signer by key hint and DSSE signature, a CA signer by chain to its
//      root plus the expected subject/SAN, a keyless signer through Sigstore
//      verification. A signature counts only if it verifies, its signer is
//      inside its validity window and not revoked at signing time, and (when
//      the policy requires inclusion) it is recorded in a pinned log. The
//      signing time is the log's integrated time when the record verifies,
//      otherwise the evaluation time (so an unlogged signature is judged as
//      if made now, which never helps a revoked or expired signer).
//   2. Thresholds count distinct signers and distinct keys (and
//      organisations when asked): a key listed twice, a bundle given twice,
//      or one CA signer with two certificates counts once.
//   3. The statement signed by the counted signatures (they must agree) is
//      checked against the model once: every changed, missing or unsigned
//      file is a finding.
//   4. The model card is read only from bytes whose digest equals the
//      signed one (read once, hashed, then parsed), so an unsigned or
//      edited README.md is a violation, never silently trusted.
//   5. Licenses and artifacts (scan.h, by content) are judged on the signed
//      files.
// Errors (status) are reserved for what prevents evaluation: I/O failures
// and malformed model trees. Malformed bundles and cards are findings with
// `malformed_input` set (the CLI exits 3).
#ifndef MODELSEAL_POLICY_EVALUATION_H_
#define MODELSEAL_POLICY_EVALUATION_H_

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/finding.h"
#include "modelseal/model_card.h"
#include "modelseal/model_signing.h"
#include "modelseal/policy.h"

namespace modelseal {

namespace sigstore {
class TrustedRoot;
}  // namespace sigstore

struct PolicyBundle {
  std::string path;  // for reports
  std::string json;
};

struct PolicyEvaluationOptions {
  std::time_t now = 0;
  // Added to the signer's ignore paths (normalized, relative to the root).
  std::vector<std::string> extra_ignore_paths;
  HashRunOptions run;
  // Trust material for keyless signers; nullptr: the embedded Sigstore
  // public-good root.
  const sigstore::TrustedRoot* trusted_root = nullptr;
  // Partial verification (VerifyOptions::only); a finding unless the
  // policy's verification.allow_partial is true.
  std::vector<std::string> only;
};

struct SignatureOutcome {
  std::string bundle_path;
  bool counted = false;
  std::string signer_id;  // empty when no policy signer matched
  std::string organization;
  std::string key_hint;    // of the key that signed
  std::string identity;    // "key <hint>", certificate subject, or OIDC id
  std::string log_origin;  // when a pinned log record verified
  std::uint64_t log_index = 0;
  std::uint64_t integrated_time = 0;
  std::string problem;  // why it does not count
};

struct PolicyEvaluation {
  std::vector<SignatureOutcome> signatures;
  std::vector<Finding> findings;
  // The content check of the agreed statement (empty when no signature
  // counted, as then no statement is trusted).
  bool contents_checked = false;
  VerifyReport contents;
  // The card, when the policy has a model_card or licenses section and the
  // signed card could be read.
  std::optional<ModelCard> card;
  std::string license;  // canonical id of the card's license, if any
  // Formats of the signed artifacts (path, format), when scanned.
  std::vector<std::pair<std::string, std::string>> artifact_formats;
  // A bundle or the card was malformed (findings say which).
  bool malformed_input = false;
};

absl::StatusOr<PolicyEvaluation> EvaluatePolicy(
    const Policy& policy, const std::string& model_path,
    const std::vector<PolicyBundle>& bundles,
    const PolicyEvaluationOptions& options);

// The model_card rules alone, on a parsed card and its raw bytes (for
// placeholders and line numbers). `path` names the card in findings.
std::vector<Finding> EvaluateCardRules(const ModelCard& card,
                                       absl::string_view card_bytes,
                                       const PolicyModelCard& rules,
                                       absl::string_view path);

// The licenses rules alone. Sets *canonical to the license judged.
std::vector<Finding> EvaluateLicense(const ModelCard& card,
                                     const PolicyLicenses& licenses,
                                     absl::string_view path,
                                     std::string* canonical);

}  // namespace modelseal

#endif  // MODELSEAL_POLICY_EVALUATION_H_
