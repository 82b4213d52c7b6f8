// `modelseal keygen`: a signing key pair.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "modelseal/env.h"
#include "modelseal/status.h"

namespace modelseal::cli {
namespace {

struct KeygenFlags {
  std::string type = "ecdsa-p256";
  std::string out;
  PassphraseFlags passphrase;
};

int RunKeygen(const KeygenFlags& flags) {
  auto type = ParseKeyType(flags.type);
  if (!type.ok()) return UsageError(std::string(type.status().message()));
  auto passphrase = flags.passphrase.Read();
  if (!passphrase.ok()) return ReportError(passphrase.status());
  Env& env = *Env::Default();
  const std::string private_path = flags.out + ".key";
  const std::string public_path = flags.out + ".pub";
  // Refuse before writing anything, so a failure leaves no half pair.
  for (const std::string& path : {private_path, public_path}) {
    if (env.LinkStat(path).ok()) {
      return ReportError(absl::AlreadyExistsError(
          absl::StrCat(path,
                       " already exists; refusing to overwrite a key (choose "
                       "another --out NAME, or move the old pair away)")));
    }
  }
  // Checked here so the error names the directory, not a temporary file.
  const std::string::size_type slash = flags.out.rfind('/');
  const std::string directory =
      slash == std::string::npos ? "." : flags.out.substr(0, slash + 1);
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return ReportError(absl::NotFoundError(absl::StrCat(
        "cannot write ", private_path, ": the directory ", directory,
        " does not exist (create it, or choose "
        "another --out NAME)")));
  }
  auto pair = GenerateKeyPair(*type, *passphrase);
  if (!pair.ok()) return ReportError(pair.status());
  absl::Status status = env.WriteFileAtomically(
      private_path, pair->private_pem.value(), 0600, false);
  if (!status.ok()) return ReportError(status);
  status = env.WriteFileAtomically(public_path, pair->public_pem, 0644, false);
  if (!status.ok()) {
    (void)env.DeleteFile(private_path);
    return ReportError(status);
  }
  std::cout << "wrote " << private_path << " (private, mode 0600"
            << (passphrase->has_value() ? ", encrypted" : "") << ") and "
            << public_path << " (public)\n";
  return kExitOk;
}

}  // namespace

void RegisterKeygenCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<KeygenFlags>();
  CLI::App* command = app.add_subcommand(
      "keygen",
      "Create a signing key pair: NAME.key (PKCS#8 PEM, mode 0600, "
      "passphrase-encrypted with --passphrase-file/--passphrase-env) and "
      "NAME.pub (SPKI PEM). Existing files are never overwritten.");
  command->add_option(
      "--type", flags->type,
      "ecdsa-p256 (default), ecdsa-p384, ecdsa-p521, or ed25519 "
      "(ed25519 is a modelseal extension: OpenSSF Model Signing "
      "verifiers accept only the ECDSA types)");
  command
      ->add_option("--out", flags->out,
                   "Output name (writes NAME.key and NAME.pub)")
      ->required();
  flags->passphrase.Register(*command, "to encrypt the private key with");
  command->callback([flags, exit_code] { *exit_code = RunKeygen(*flags); });
}

}  // namespace modelseal::cli
