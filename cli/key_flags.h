// Reading keys, passphrases and certificates named on the command line.
#ifndef MODELSEAL_CLI_KEY_FLAGS_H_
#define MODELSEAL_CLI_KEY_FLAGS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "modelseal/crypto.h"

namespace modelseal::cli {

struct PassphraseFlags {
  std::string file;
  std::string env;

  void Register(CLI::App& command, const std::string& what);
  // The passphrase from --passphrase-file (one trailing newline dropped) or
  // --passphrase-env, or nullopt when neither is given.
  absl::StatusOr<std::optional<SecretString>> Read() const;
};

absl::StatusOr<std::unique_ptr<Signer>> ReadSigner(
    const std::string& path, const std::optional<SecretString>& passphrase);
absl::StatusOr<std::unique_ptr<Verifier>> ReadVerifier(const std::string& path);
// Every certificate in each PEM file, in order (DER).
absl::StatusOr<std::vector<std::string>> ReadCertificates(
    const std::vector<std::string>& paths);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_KEY_FLAGS_H_
