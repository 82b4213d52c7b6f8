// `modelseal card`: read Hugging Face model cards (README.md).
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/model_card.h"
#include "modelseal/policy.h"
#include "modelseal/policy_evaluation.h"
#include "modelseal/report.h"
#include "modelseal/status.h"

namespace modelseal::cli {
namespace {

struct CardShowFlags {
  std::string path;
  std::string format = "json";
};

int RunCardShow(const CardShowFlags& flags) {
  if (flags.format != "json") {
    return UsageError(absl::StrCat("card show: unknown --format '",
                                   flags.format, "' (only json)"));
  }
  absl::StatusOr<std::string> bytes =
      Env::Default()->ReadFileToString(flags.path, limits::kMaxModelCardBytes);
  // Env errors already name the path.
  if (!bytes.ok()) return ReportError(bytes.status());
  absl::StatusOr<ModelCard> card = ParseModelCard(*bytes, flags.path);
  if (!card.ok()) return ReportError(card.status());
  const std::string out = ModelCardToJson(*card) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitIoOrInternal;
}

void RegisterCardShow(CLI::App& card, int* exit_code) {
  auto flags = std::make_shared<CardShowFlags>();
  CLI::App* show = card.add_subcommand(
      "show",
      "Print the normalised card as JSON (schemas/model-card.schema.json): "
      "the front matter, its typed fields and the heading tree with each "
      "section's plain text. Exit 3 for a card that cannot be read.");
  show->add_option("card", flags->path, "The card (README.md)")->required();
  show->add_option("--format", flags->format, "json (the only format)");
  show->callback([flags, exit_code] { *exit_code = RunCardShow(*flags); });
}

struct CardLintFlags {
  std::string path;
  std::string policy;
  std::string format = "text";
  bool strict = false;
};

int RunCardLint(const CardLintFlags& flags) {
  absl::StatusOr<ReportFormat> format = ParseReportFormat(flags.format);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  Env& env = *Env::Default();
  PolicyModelCard rules = DefaultModelCardRules();
  PolicyLicenses licenses;
  if (!flags.policy.empty()) {
    auto policy_bytes =
        env.ReadFileToString(flags.policy, limits::kMaxPolicyBytes);
    if (!policy_bytes.ok()) return ReportError(policy_bytes.status());
    absl::StatusOr<Policy> policy = ParsePolicy(*policy_bytes, flags.policy);
    if (!policy.ok()) return ReportError(policy.status());
    if (policy->model_card.present) rules = policy->model_card;
    licenses = policy->licenses;
  }
  absl::StatusOr<std::string> bytes =
      env.ReadFileToString(flags.path, limits::kMaxModelCardBytes);
  // Env errors already name the path.
  if (!bytes.ok()) return ReportError(bytes.status());
  std::vector<Finding> findings;
  bool malformed = false;
  absl::StatusOr<ModelCard> card = ParseModelCard(*bytes, flags.path);
  if (!card.ok()) {
    malformed = true;
    Finding finding;
    finding.rule = "model_card.malformed";
    // The finding carries the path; the message keeps the line and column.
    std::string message(card.status().message());
    absl::string_view rest = message;
    if (absl::ConsumePrefix(&rest, flags.path + ":")) {
      message = absl::StrCat("at ", absl::StripLeadingAsciiWhitespace(rest));
    }
    finding.message = absl::StrCat(
        message, "; check the YAML front matter between the '---' lines");
    finding.path = flags.path;
    findings.push_back(std::move(finding));
  } else {
    findings = EvaluateCardRules(*card, *bytes, rules, flags.path);
    if (licenses.present) {
      std::string canonical;
      for (Finding& finding :
           EvaluateLicense(*card, licenses, flags.path, &canonical)) {
        findings.push_back(std::move(finding));
      }
    }
  }
  const bool failed = malformed || FindingsFail(findings, flags.strict);
  ReportInfo info;
  info.command = "card lint";
  info.subject = flags.path;
  info.rules = PolicyRuleCatalog();
  info.color = false;
  std::string out = RenderFindings(findings, *format, info);
  if (*format == ReportFormat::kText) {
    absl::StrAppend(
        &out, failed ? "FAILED: " : "OK: ", flags.path,
        failed ? " does not meet " : " meets ",
        flags.policy.empty()
            ? std::string("the default model-card rules")
            : absl::StrCat("the model_card rules of ", flags.policy),
        findings.empty() ? "" : " (see above)", "\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return kExitIoOrInternal;
  if (malformed) return kExitMalformedInput;
  return failed ? kExitVerificationFailed : kExitOk;
}

void RegisterCardLint(CLI::App& card, int* exit_code) {
  auto flags = std::make_shared<CardLintFlags>();
  CLI::App* lint = card.add_subcommand(
      "lint",
      "Check a card against the model_card (and licenses) rules of a policy, "
      "or against the default rules (license; Model Details, Uses, Bias "
      "Risks and Limitations, Training Details and Evaluation sections; "
      "license: other needs license_name; no '[More Information Needed]'). "
      "Exit 0 ok, 1 rules violated, 3 unreadable card or policy.");
  lint->add_option("card", flags->path, "The card (README.md)")->required();
  lint->add_option("--policy", flags->policy,
                   "Policy whose model_card/licenses sections apply (read "
                   "as a draft: its signature is not checked by lint)");
  lint->add_option("--format", flags->format,
                   "text (default), json, sarif or github");
  lint->add_flag("--strict", flags->strict, "Fail on warnings too");
  lint->callback([flags, exit_code] { *exit_code = RunCardLint(*flags); });
}

}  // namespace

void RegisterCardCommand(CLI::App& app, int* exit_code) {
  CLI::App* card = app.add_subcommand(
      "card",
      "Read Hugging Face model cards (README.md with YAML front "
      "matter and Markdown)");
  card->require_subcommand(1);
  RegisterCardShow(*card, exit_code);
  RegisterCardLint(*card, exit_code);
}

}  // namespace modelseal::cli
