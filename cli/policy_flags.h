// The flags that say which policy to trust, shared by `verify --policy` and
// `card lint --policy`, and the one function that loads a policy the way a
// verifier must: read once, signature checked over those bytes, parsed,
// freshness and rollback checked.
#ifndef MODELSEAL_CLI_POLICY_FLAGS_H_
#define MODELSEAL_CLI_POLICY_FLAGS_H_

#include <ctime>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "modelseal/policy.h"

namespace modelseal::cli {

struct PolicyTrustFlags {
  std::string policy;
  std::string signature;
  std::string key;
  bool allow_unsigned = false;
  std::string state_dir;

  // Adds --policy (named `policy_flag_help`), --policy-signature,
  // --policy-key, --allow-unsigned-policy and --state-dir.
  void Register(CLI::App& command, const std::string& policy_flag_help);
};

struct TrustedPolicy {
  Policy policy;
  std::string bytes;
  // "signed by governance key <hint>" or the unsigned warning.
  std::string trust;
};

// kUnauthenticated for an unsigned (without --allow-unsigned-policy) or
// badly signed policy, kPermissionDenied for an expired one or a rollback,
// kInvalidArgument for a malformed one. `record_state`: remember the
// version (verify does; lint does not).
absl::StatusOr<TrustedPolicy> LoadTrustedPolicy(const PolicyTrustFlags& flags,
                                                std::time_t now,
                                                bool record_state);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_POLICY_FLAGS_H_
