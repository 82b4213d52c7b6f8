// `modelseal policy lint|sign`: check and publish an alliance policy.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/policy.h"
#include "modelseal/policy_signing.h"
#include "modelseal/status.h"
#include "util/json_writer.h"

namespace modelseal::cli {
namespace {

struct PolicyLintFlags {
  std::string path;
  std::string format = "text";
};

int RunPolicyLint(const PolicyLintFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    return UsageError("--format must be text or json");
  }
  auto bytes =
      Env::Default()->ReadFileToString(flags.path, limits::kMaxPolicyBytes);
  if (!bytes.ok()) return ReportError(bytes.status());
  absl::StatusOr<Policy> policy = ParsePolicy(*bytes, flags.path);
  const absl::Status fresh =
      policy.ok() ? CheckPolicyFreshness(*policy, std::time(nullptr))
                  : absl::OkStatus();
  if (flags.format == "json") {
    JsonWriter json;
    json.BeginObject();
    json.Key("ok").Bool(policy.ok() && fresh.ok());
    json.Key("policy").String(flags.path);
    if (!policy.ok()) {
      json.Key("error").String(policy.status().message());
    } else {
      json.Key("name").String(policy->metadata.name);
      json.Key("version").Number(
          static_cast<std::uint64_t>(policy->metadata.version));
      json.Key("signers").Number(policy->signers.size());
      json.Key("thresholds").Number(policy->thresholds.size());
      if (!fresh.ok()) json.Key("error").String(fresh.message());
    }
    json.EndObject();
    std::cout << json.text() << "\n";
    if (!policy.ok()) return ExitCodeFor(policy.status());
    return ExitCodeFor(fresh);
  }
  if (!policy.ok()) return ReportError(policy.status());
  if (!fresh.ok()) return ReportError(fresh);
  std::cout << "OK: " << flags.path << ": policy '" << policy->metadata.name
            << "' version " << policy->metadata.version << ", "
            << policy->organizations.size() << " organizations, "
            << policy->signers.size() << " signers, "
            << policy->thresholds.size() << " thresholds"
            << (policy->model_card.present ? ", model card rules" : "")
            << (policy->licenses.present ? ", license lists" : "")
            << (policy->artifacts.present ? ", artifact rules" : "") << "\n";
  return kExitOk;
}

struct PolicySignFlags {
  std::string path;
  std::string key;
  PassphraseFlags passphrase;
  std::string output;
};

int RunPolicySign(const PolicySignFlags& flags) {
  Env& env = *Env::Default();
  auto passphrase = flags.passphrase.Read();
  if (!passphrase.ok()) return ReportError(passphrase.status());
  auto signer = ReadSigner(flags.key, *passphrase);
  if (!signer.ok()) return ReportError(signer.status());
  auto bytes = env.ReadFileToString(flags.path, limits::kMaxPolicyBytes);
  if (!bytes.ok()) return ReportError(bytes.status());
  SigningIdentity identity;
  identity.signer = signer->get();
  auto bundle = SignPolicy(*bytes, std::string(Basename(flags.path)), identity);
  if (!bundle.ok()) return ReportError(bundle.status());
  const std::string output =
      flags.output.empty() ? flags.path + ".sig" : flags.output;
  absl::Status written = env.WriteFileAtomically(output, *bundle, 0644, true);
  if (!written.ok()) return ReportError(written);
  std::cerr << "modelseal: wrote " << output << "\n";
  return kExitOk;
}

}  // namespace

void RegisterPolicyCommand(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand(
      "policy",
      "Alliance policies (docs/policy.md): check one, or sign it with the "
      "governance key so verifiers can trust it");
  policy->require_subcommand(1);

  auto lint = std::make_shared<PolicyLintFlags>();
  CLI::App* lint_command = policy->add_subcommand(
      "lint",
      "Check a policy document: closed schema (unknown keys, wrong types and "
      "duplicate keys are errors with file:line:column), keys and "
      "certificates parse, references resolve, not expired. Exit 0 valid, "
      "1 expired, 3 malformed.");
  lint_command->add_option("policy", lint->path, "Policy (YAML or JSON)")
      ->required();
  lint_command->add_option("--format", lint->format, "text (default) or json");
  lint_command->callback(
      [lint, exit_code] { *exit_code = RunPolicyLint(*lint); });

  auto sign = std::make_shared<PolicySignFlags>();
  CLI::App* sign_command = policy->add_subcommand(
      "sign",
      "Sign a policy with the alliance governance key (the same bundle "
      "format as model signatures). The policy must lint clean.");
  sign_command->add_option("policy", sign->path, "Policy (YAML or JSON)")
      ->required();
  sign_command
      ->add_option("--key", sign->key, "Governance private key (PKCS#8 PEM)")
      ->required();
  sign->passphrase.Register(*sign_command, "of the governance key");
  sign_command->add_option("-o,--output", sign->output,
                           "Bundle to write (default POLICY.sig)");
  sign_command->callback(
      [sign, exit_code] { *exit_code = RunPolicySign(*sign); });
}

}  // namespace modelseal::cli
