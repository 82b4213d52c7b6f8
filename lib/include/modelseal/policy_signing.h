// Publishing and trusting a policy: signatures, freshness and rollback
// protection.
//
//   // Governance (publisher) side:
//   absl::StatusOr<std::string> bundle =
//       SignPolicy(bytes, "alliance.yaml", identity);
//   // Verifier side, before evaluating anything:
//   MODELSEAL_RETURN_IF_ERROR(VerifyPolicySignature(bytes, bundle, gov_key));
//   MODELSEAL_RETURN_IF_ERROR(CheckPolicyFreshness(policy, now));
//   MODELSEAL_ASSIGN_OR_RETURN(auto store, PolicyStateStore::Open(env, dir));
//   MODELSEAL_RETURN_IF_ERROR(store.CheckAndRecord(policy, bytes));
//
// A policy is signed exactly like a one-file model (same bundle format, same
// code): an OMS statement whose single resource "." is the SHA-256 of the
// policy bytes, in a DSSE envelope. Verification reads the bytes once and
// checks those bytes, so what is parsed is what was signed.
//
// Rollback protection: the store remembers, per policy name, the highest
// version accepted on this machine and the digest of its bytes. An older
// version is refused (kPermissionDenied), and so is the same version with
// different bytes (two documents claiming one version). The state is one
// small text file (`policy-versions`, lines "<hex name> <version>
// <sha256 hex>"), rewritten atomically; a state file that does not parse is
// kDataLoss, never silently reset.
#ifndef MODELSEAL_POLICY_SIGNING_H_
#define MODELSEAL_POLICY_SIGNING_H_

#include <cstdint>
#include <ctime>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"
#include "modelseal/env.h"
#include "modelseal/model_signing.h"
#include "modelseal/policy.h"

namespace modelseal {

// Signs `policy_bytes` (which must parse as a policy: a broken rulebook is
// never published). `name` becomes the statement's subject.
absl::StatusOr<std::string> SignPolicy(absl::string_view policy_bytes,
                                       absl::string_view name,
                                       const SigningIdentity& identity);

// OK when `bundle_json` is a valid signature by `governance_key` over
// exactly `policy_bytes`. kUnauthenticated otherwise (wrong key, bad
// signature, other bytes), kInvalidArgument for a malformed bundle.
absl::Status VerifyPolicySignature(absl::string_view policy_bytes,
                                   absl::string_view bundle_json,
                                   const Verifier& governance_key);

// kPermissionDenied when the policy has expired at `now` or is issued more
// than five minutes in the future (a clock or a document that is wrong).
absl::Status CheckPolicyFreshness(const Policy& policy, std::time_t now);

class PolicyStateStore {
 public:
  // Opens (without creating) the state in `directory`; a missing file is an
  // empty state. The directory is created on the first record.
  static absl::StatusOr<PolicyStateStore> Open(Env& env, std::string directory);

  // Refuses a rollback or an equivocation (see above); otherwise records
  // the version (durably) and returns OK.
  absl::Status CheckAndRecord(const Policy& policy,
                              absl::string_view policy_bytes);

 private:
  struct Entry {
    std::int64_t version = 0;
    std::string sha256_hex;
  };
  PolicyStateStore(Env& env, std::string directory,
                   std::map<std::string, Entry> entries)
      : env_(&env),
        directory_(std::move(directory)),
        entries_(std::move(entries)) {}

  Env* env_;
  std::string directory_;
  std::map<std::string, Entry> entries_;
};

}  // namespace modelseal

#endif  // MODELSEAL_POLICY_SIGNING_H_
