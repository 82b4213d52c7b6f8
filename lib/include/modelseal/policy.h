// The alliance policy document: who may sign a model, how many must, which
// transparency logs count, and what a model card, its license and its
// artifacts must satisfy (docs/formats/policy.md,
// schemas/policy.schema.json).
//
//   absl::StatusOr<Policy> policy = ParsePolicy(bytes, "alliance.yaml");
//   if (!policy.ok()) ...  // "alliance.yaml:12:5: unknown key 'sigers'"
//
// The document is YAML or JSON (apiVersion modelseal.dev/v1, kind
// AlliancePolicy) and closed: unknown keys, wrong types, duplicate keys,
// unknown references (a signer's organisation, a threshold's signer or role)
// and missing required keys are kInvalidArgument naming the file, line and
// column. Key material (public keys, CA roots) is inline PEM, so that the
// policy's own signature covers it; every key and certificate is parsed
// here, and a Policy that exists is internally consistent.
//
// Times are RFC 3339 ("2026-11-30T00:00:00Z") or plain dates (midnight
// UTC). A Policy is an immutable value; evaluation lives in
// policy_evaluation.h.
#ifndef MODELSEAL_POLICY_H_
#define MODELSEAL_POLICY_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"
#include "modelseal/finding.h"
#include "modelseal/hash.h"

namespace modelseal {

inline constexpr absl::string_view kPolicyApiVersion = "modelseal.dev/v1";
inline constexpr absl::string_view kPolicyKind = "AlliancePolicy";

struct PolicyMetadata {
  std::string name;
  std::int64_t version = 0;  // >= 1; a verifier never accepts a lower one
  std::time_t issued = 0;
  std::time_t expires = 0;
  std::string description;
};

struct PolicyOrganization {
  std::string id;
  std::string name;
};

// A Sigstore keyless identity: the OIDC issuer and the certificate subject
// (SAN), each exact or a fully anchored regular expression.
struct KeylessIdentity {
  std::string issuer;
  std::string issuer_regexp;
  std::string subject;
  std::string subject_regexp;
};

struct PolicySigner {
  std::string id;
  std::string organization;  // an organizations[].id
  std::vector<std::string> roles;
  std::optional<std::time_t> valid_from;
  std::optional<std::time_t> valid_until;
  // Exactly one of the three ways to name the signer.
  std::shared_ptr<const Verifier> public_key;  // key method
  std::string key_hint;                        // of public_key
  std::vector<std::string> ca_roots_der;       // certificate method…
  std::string expected_subject;                // …with at least one of these
  std::string expected_san;
  std::optional<KeylessIdentity> keyless;  // Sigstore keyless
  std::string policy_ref;                  // "signers[2]"
};

struct PolicyRevocation {
  std::string signer;    // a signer id, or
  std::string key_hint;  // a key id (hex SHA-256 of the SPKI PEM)
  std::time_t date = 0;  // signatures made at or after it do not count
  std::string reason;
  std::string policy_ref;
};

struct PolicyThreshold {
  std::string name;
  std::size_t min_signatures = 1;
  std::vector<std::string> of_signers;  // empty: any signer
  std::vector<std::string> of_roles;    // empty: any role
  bool distinct_organizations = false;
  std::string policy_ref;
};

struct PolicyLog {
  std::string origin;
  std::string verifier_key;  // C2SP note verifier key string
};

struct PolicyTransparency {
  bool require_inclusion = false;
  std::vector<PolicyLog> logs;
  std::string policy_ref = "transparency";
};

struct CardSectionRule {
  std::string title;
  std::vector<std::string> aliases;
  std::size_t min_words = 1;
  std::string policy_ref;
};

// "when <field> equals <value>, require <fields>".
struct CardConditionalRule {
  std::string field;
  std::string equals;
  std::vector<std::string> require_fields;
  std::string policy_ref;
};

struct PolicyModelCard {
  bool present = false;  // the section is in the policy
  std::string path = "README.md";
  Severity severity = Severity::kError;
  std::vector<std::string> required_fields;
  std::vector<CardSectionRule> required_sections;
  std::vector<CardConditionalRule> rules;
  std::vector<std::string> forbidden_placeholders;
};

// How a license that is in none of the lists is treated.
enum class UnknownLicense { kDeny, kReview, kAllow };

struct PolicyLicenses {
  bool present = false;
  // SPDX ids (Hub ids are mapped when the policy is parsed), compared
  // case-insensitively.
  std::vector<std::string> allow;
  std::vector<std::string> review;
  std::vector<std::string> deny;
  UnknownLicense unknown = UnknownLicense::kDeny;
};

struct PolicyArtifacts {
  bool present = false;
  std::vector<std::string> forbidden_formats;  // scan.h format names
  std::vector<std::string> allowed_formats;    // empty: any not forbidden
  Severity fail_on = Severity::kError;  // scanner findings at or above fail
};

// How much of a model a verification must check.
struct PolicyVerification {
  // `verify --only`: check only the files a user downloaded. Off by
  // default: a partial check is not a check of the release.
  bool allow_partial = false;
};

struct Policy {
  PolicyMetadata metadata;
  std::vector<PolicyOrganization> organizations;
  std::vector<PolicySigner> signers;
  std::vector<PolicyRevocation> revocations;
  std::vector<PolicyThreshold> thresholds;
  PolicyTransparency transparency;
  std::vector<HashAlgorithm> allowed_hashes;  // empty: any
  PolicyModelCard model_card;
  PolicyLicenses licenses;
  PolicyArtifacts artifacts;
  PolicyVerification verification;

  const PolicySigner* FindSigner(absl::string_view id) const;
  const PolicyOrganization* FindOrganization(absl::string_view id) const;
};

// Parses and checks a policy document. `source` names it in messages.
absl::StatusOr<Policy> ParsePolicy(absl::string_view bytes,
                                   absl::string_view source);

// The built-in model-card section used by `card lint` without a policy: the
// Hub template's core (license; Model Details, Uses, Bias/Risks/Limitations,
// Training Details, Evaluation sections; license: other ⇒ license_name).
PolicyModelCard DefaultModelCardRules();

// Every rule id that policy evaluation can report, with what it means.
const std::vector<RuleDescription>& PolicyRuleCatalog();

}  // namespace modelseal

#endif  // MODELSEAL_POLICY_H_
