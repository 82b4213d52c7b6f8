// Parses arbitrary bytes as an alliance policy. Nothing may crash, hang or
// leak; an error names the source; and a Policy that parses must be
// internally consistent, as policy.h promises (every reference resolved,
// every threshold satisfiable by count, every signer named one way).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "modelseal/policy.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckPolicy(const modelseal::Policy& policy) {
  Require(policy.metadata.version >= 1);
  Require(!policy.metadata.name.empty());
  Require(policy.metadata.expires > policy.metadata.issued);
  Require(!policy.signers.empty());
  Require(!policy.thresholds.empty());

  std::set<std::string> organizations;
  for (const modelseal::PolicyOrganization& organization :
       policy.organizations) {
    Require(organizations.insert(organization.id).second);
  }
  std::set<std::string> signers;
  std::set<std::string> roles;
  for (const modelseal::PolicySigner& signer : policy.signers) {
    Require(signers.insert(signer.id).second);
    Require(organizations.count(signer.organization) == 1);
    Require(policy.FindSigner(signer.id) == &signer);
    const int ways = (signer.public_key != nullptr) +
                     !signer.ca_roots_der.empty() + signer.keyless.has_value();
    Require(ways == 1);
    if (signer.public_key != nullptr) {
      Require(signer.key_hint == signer.public_key->Hint());
    }
    if (!signer.ca_roots_der.empty()) {
      Require(!signer.expected_subject.empty() || !signer.expected_san.empty());
    }
    if (signer.valid_from && signer.valid_until) {
      Require(*signer.valid_until > *signer.valid_from);
    }
    roles.insert(signer.roles.begin(), signer.roles.end());
  }
  for (const modelseal::PolicyRevocation& revocation : policy.revocations) {
    Require(revocation.signer.empty() != revocation.key_hint.empty());
    if (!revocation.signer.empty()) {
      Require(signers.count(revocation.signer) == 1);
    } else {
      Require(revocation.key_hint.size() == 64);
      Require(absl::AsciiStrToLower(revocation.key_hint) ==
              revocation.key_hint);
    }
  }
  for (const modelseal::PolicyThreshold& threshold : policy.thresholds) {
    Require(threshold.min_signatures >= 1);
    Require(threshold.min_signatures <= policy.signers.size());
    if (!threshold.of_signers.empty()) {
      Require(threshold.min_signatures <= threshold.of_signers.size());
    }
    for (const std::string& id : threshold.of_signers) {
      Require(signers.count(id) == 1);
    }
    for (const std::string& role : threshold.of_roles) {
      Require(roles.count(role) == 1);
    }
  }
  if (policy.transparency.require_inclusion) {
    Require(!policy.transparency.logs.empty());
  }
  std::set<std::string> licenses;
  for (const auto* list : {&policy.licenses.allow, &policy.licenses.review,
                           &policy.licenses.deny}) {
    for (const std::string& license : *list) {
      Require(licenses.insert(absl::AsciiStrToLower(license)).second);
    }
  }
  for (const std::string& format : policy.artifacts.forbidden_formats) {
    for (const std::string& allowed : policy.artifacts.allowed_formats) {
      Require(format != allowed);
    }
  }
  for (const modelseal::CardConditionalRule& rule : policy.model_card.rules) {
    Require(!rule.require_fields.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<modelseal::Policy> policy =
      modelseal::ParsePolicy(input, "fuzz.yaml");
  if (policy.ok()) {
    CheckPolicy(*policy);
  } else {
    Require(absl::StartsWith(policy.status().message(), "fuzz.yaml:"));
    Require(policy.status().code() == absl::StatusCode::kInvalidArgument ||
            policy.status().code() == absl::StatusCode::kResourceExhausted);
  }
  return 0;
}
