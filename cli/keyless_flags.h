// The Sigstore keyless flags, cosign's spelling, shared by `verify-blob` and
// `verify`: --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp]
// and --trusted-root.
#ifndef MODELSEAL_CLI_KEYLESS_FLAGS_H_
#define MODELSEAL_CLI_KEYLESS_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "modelseal/sigstore.h"

namespace modelseal::cli {

struct KeylessFlags {
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::string trusted_root;

  // Adds the five flags to `command`.
  void Register(CLI::App& command);
  // True when any identity or issuer flag was given.
  bool given() const;
  // The identity to expect; kInvalidArgument (a usage error) naming the
  // missing or conflicting flags.
  absl::StatusOr<sigstore::CertificateIdentity> Identity() const;
  // --trusted-root FILE, or the embedded public-good root.
  absl::StatusOr<sigstore::TrustedRoot> LoadRoot() const;
};

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_KEYLESS_FLAGS_H_
