#include "cli/policy_flags.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "cli/key_flags.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/policy_signing.h"
#include "modelseal/status.h"

namespace modelseal::cli {
namespace {

// $XDG_STATE_HOME/modelseal, else ~/.local/state/modelseal (XDG Base
// Directory specification).
absl::StatusOr<std::string> DefaultStateDirectory() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && state[0] == '/') {
    return JoinPath(state, "modelseal");
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return JoinPath(home, ".local/state/modelseal");
  }
  return absl::FailedPreconditionError(
      "neither XDG_STATE_HOME nor HOME is set; give --state-dir for the "
      "policy rollback state");
}

}  // namespace

void PolicyTrustFlags::Register(CLI::App& command,
                                const std::string& policy_flag_help) {
  command.add_option("--policy", policy, policy_flag_help);
  command.add_option("--policy-signature", signature,
                     "The policy's signature bundle (modelseal policy sign)");
  command.add_option("--policy-key", key,
                     "The alliance governance public key that signs the "
                     "policy");
  command.add_flag("--allow-unsigned-policy", allow_unsigned,
                   "Accept a policy without a signature (for drafting "
                   "policies; never in production)");
  command.add_option("--state-dir", state_dir,
                     "Where the newest accepted policy versions are kept "
                     "(rollback protection; default "
                     "$XDG_STATE_HOME/modelseal)");
}

absl::StatusOr<TrustedPolicy> LoadTrustedPolicy(const PolicyTrustFlags& flags,
                                                std::time_t now,
                                                bool record_state) {
  Env& env = *Env::Default();
  TrustedPolicy trusted;
  MODELSEAL_ASSIGN_OR_RETURN(
      trusted.bytes,
      env.ReadFileToString(flags.policy, limits::kMaxPolicyBytes));
  if (flags.signature.empty() != flags.key.empty()) {
    return absl::InvalidArgumentError(
        "--policy-signature and --policy-key go together");
  }
  if (flags.signature.empty()) {
    if (!flags.allow_unsigned) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the policy ", flags.policy,
          " is not signed: give --policy-signature P.sig --policy-key "
          "GOV.pub (or --allow-unsigned-policy while drafting)"));
    }
    trusted.trust = "UNSIGNED (--allow-unsigned-policy)";
  } else {
    MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<Verifier> key,
                               ReadVerifier(flags.key));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string bundle,
        env.ReadFileToString(flags.signature, limits::kMaxBundleBytes));
    MODELSEAL_RETURN_IF_ERROR(Annotate(
        VerifyPolicySignature(trusted.bytes, bundle, *key), flags.policy));
    trusted.trust = absl::StrCat("signed by governance key ", key->Hint());
  }
  MODELSEAL_ASSIGN_OR_RETURN(trusted.policy,
                             ParsePolicy(trusted.bytes, flags.policy));
  MODELSEAL_RETURN_IF_ERROR(CheckPolicyFreshness(trusted.policy, now));
  // Only a signed policy moves the rollback state: an unsigned one could
  // claim any version and lock the real policy out.
  if (record_state && !flags.signature.empty()) {
    std::string directory = flags.state_dir;
    if (directory.empty()) {
      MODELSEAL_ASSIGN_OR_RETURN(directory, DefaultStateDirectory());
    }
    MODELSEAL_ASSIGN_OR_RETURN(PolicyStateStore store,
                               PolicyStateStore::Open(env, directory));
    MODELSEAL_RETURN_IF_ERROR(
        store.CheckAndRecord(trusted.policy, trusted.bytes));
  }
  return trusted;
}

}  // namespace modelseal::cli
