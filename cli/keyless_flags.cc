// Keyless flags: identity flags are validated here so that every command
// gives the same usage message for a missing or doubled flag.
#include "cli/keyless_flags.h"

#include <string>

#include "cli/common.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::cli {

void KeylessFlags::Register(CLI::App& command) {
  command.add_option("--certificate-identity", identity,
                     "Keyless: the signer's identity, exactly as in the "
                     "certificate's SAN (e-mail or URI)");
  command.add_option("--certificate-identity-regexp", identity_regexp,
                     "Keyless: an ECMAScript regular expression that must "
                     "match the whole SAN");
  command.add_option("--certificate-oidc-issuer", issuer,
                     "Keyless: the OIDC issuer in the certificate, e.g. "
                     "https://token.actions.githubusercontent.com");
  command.add_option("--certificate-oidc-issuer-regexp", issuer_regexp,
                     "Keyless: a regular expression that must match the whole "
                     "OIDC issuer");
  command.add_option("--trusted-root", trusted_root,
                     "Sigstore trusted root JSON (default: the public-good "
                     "root embedded in modelseal)");
}

bool KeylessFlags::given() const {
  return !identity.empty() || !identity_regexp.empty() || !issuer.empty() ||
         !issuer_regexp.empty();
}

absl::StatusOr<sigstore::CertificateIdentity> KeylessFlags::Identity() const {
  if (identity.empty() && identity_regexp.empty()) {
    return absl::InvalidArgumentError(
        "a keyless bundle needs --certificate-identity or "
        "--certificate-identity-regexp, and --certificate-oidc-issuer or "
        "--certificate-oidc-issuer-regexp");
  }
  if (issuer.empty() && issuer_regexp.empty()) {
    return absl::InvalidArgumentError(
        "a keyless bundle needs --certificate-oidc-issuer or "
        "--certificate-oidc-issuer-regexp");
  }
  sigstore::CertificateIdentity result{identity, identity_regexp, issuer,
                                       issuer_regexp};
  MODELSEAL_RETURN_IF_ERROR(result.Validate());
  return result;
}

absl::StatusOr<sigstore::TrustedRoot> KeylessFlags::LoadRoot() const {
  if (trusted_root.empty()) return sigstore::TrustedRoot::PublicGood();
  MODELSEAL_ASSIGN_OR_RETURN(std::string json,
                             Env::Default()->ReadFileToString(
                                 trusted_root, limits::kMaxTrustedRootBytes));
  absl::StatusOr<sigstore::TrustedRoot> root =
      sigstore::TrustedRoot::Parse(json);
  if (!root.ok()) return WithPath(root.status(), trusted_root);
  return root;
}

}  // namespace modelseal::cli
