#include "cli/key_flags.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/common.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::cli {

void PassphraseFlags::Register(CLI::App& command, const std::string& what) {
  auto* file_option = command.add_option(
      "--passphrase-file", file,
      "Read the passphrase " + what + " from this file (first line)");
  command
      .add_option(
          "--passphrase-env", env,
          "Read the passphrase " + what + " from this environment variable")
      ->excludes(file_option);
}

absl::StatusOr<std::optional<SecretString>> PassphraseFlags::Read() const {
  if (!file.empty()) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string contents,
        Env::Default()->ReadFileToString(file, limits::kMaxSmallFileBytes));
    SecretString secret(std::move(contents));
    std::string value = secret.value();
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (value.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": passphrase is empty"));
    }
    return std::optional<SecretString>(SecretString(std::move(value)));
  }
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", env, " is not set or empty"));
    }
    return std::optional<SecretString>(SecretString(value));
  }
  return std::optional<SecretString>();
}

absl::StatusOr<std::unique_ptr<Signer>> ReadSigner(
    const std::string& path, const std::optional<SecretString>& passphrase) {
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string pem,
      Env::Default()->ReadFileToString(path, limits::kMaxSmallFileBytes));
  SecretString secret(std::move(pem));
  auto signer = LoadSigner(secret.value(), passphrase);
  if (!signer.ok()) {
    absl::Status status = WithPath(signer.status(), path);
    if (absl::StrContains(status.message(), "passphrase")) {
      status = absl::Status(
          status.code(),
          absl::StrCat(status.message(),
                       "; give the key's passphrase with --passphrase-file "
                       "or --passphrase-env"));
    }
    return status;
  }
  return signer;
}

absl::StatusOr<std::unique_ptr<Verifier>> ReadVerifier(
    const std::string& path) {
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string pem,
      Env::Default()->ReadFileToString(path, limits::kMaxSmallFileBytes));
  auto verifier = LoadVerifier(pem);
  if (!verifier.ok()) {
    const absl::Status status = WithPath(verifier.status(), path);
    if (absl::StrContains(status.message(), "public key")) return status;
    return absl::Status(
        status.code(),
        absl::StrCat(status.message(),
                     "; expected a public key in SPKI PEM (the NAME.pub "
                     "that modelseal keygen writes)"));
  }
  return verifier;
}

absl::StatusOr<std::vector<std::string>> ReadCertificates(
    const std::vector<std::string>& paths) {
  std::vector<std::string> all;
  for (const std::string& path : paths) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string pem,
        Env::Default()->ReadFileToString(path, limits::kMaxSmallFileBytes));
    auto certificates = CertificatesFromPem(pem);
    if (!certificates.ok()) return WithPath(certificates.status(), path);
    all.insert(all.end(), certificates->begin(), certificates->end());
  }
  return all;
}

}  // namespace modelseal::cli
