// `modelseal verify`: check a model against its OMS signature bundle(s).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/cache_flags.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "cli/keyless_flags.h"
#include "cli/log_support.h"
#include "cli/policy_flags.h"
#include "cli/progress.h"
#include "cli/serialization_flags.h"
#include "modelseal/limits.h"
#include "modelseal/log_client.h"
#include "modelseal/model_signing.h"
#include "modelseal/model_walk.h"
#include "modelseal/policy_evaluation.h"
#include "modelseal/policy_report.h"
#include "modelseal/release_log.h"
#include "modelseal/sigstore.h"
#include "modelseal/status.h"
#include "modelseal/v1/manifest.pb.h"

namespace modelseal::cli {
namespace {

struct VerifyFlags {
  std::string model;
  std::vector<std::string> signatures;
  std::string key;
  std::vector<std::string> ca;
  std::vector<std::string> ignore_paths;
  bool ignore_unsigned_files = false;
  std::string format = "text";
  unsigned threads = 0;
  std::vector<std::string> log_keys;
  std::string log_url;
  bool quiet = false;
  PolicyTrustFlags policy;
  bool strict = false;
  KeylessFlags keyless;
  std::vector<std::string> only;
  CacheFlags cache;
};

absl::Status KeylessBundleNeedsIdentity() {
  return absl::UnauthenticatedError(
      "this bundle is a Sigstore keyless signature (a Fulcio certificate): "
      "verify it with --certificate-identity[-regexp] and "
      "--certificate-oidc-issuer[-regexp] (and --trusted-root for a private "
      "Sigstore), not --key/--ca");
}

// Sigstore keyless signatures of a model: the bundle is verified against the
// trusted root and the expected identity, then the model against the
// statement it carries. The report's signer names the identity and the
// Rekor record.
absl::Status VerifyKeylessModel(const std::string& model,
                                const std::string& bundle,
                                const sigstore::TrustedRoot& root,
                                const sigstore::CertificateIdentity& identity,
                                const VerifyOptions& options,
                                VerifyReport* details) {
  MODELSEAL_ASSIGN_OR_RETURN(
      sigstore::KeylessVerification verified,
      sigstore::VerifyKeylessBundle(bundle, root, identity));
  if (verified.payload.empty() || verified.payload_type != kInTotoPayloadType) {
    return absl::InvalidArgumentError(
        "the keyless bundle does not carry an in-toto model statement (a "
        "message signature or another payload type); use modelseal "
        "verify-blob");
  }
  details->signer = absl::StrCat(
      "keyless ", verified.san, " (issuer ", verified.issuer, "), Rekor log ",
      verified.log_id_hex.substr(0, 16), " index ", verified.log_index,
      ", signed at ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                       absl::FromUnixSeconds(verified.signing_time),
                       absl::UTCTimeZone()),
      " (", verified.signing_time_source, ")");
  return VerifyModelContents(model, verified.payload, options, details);
}

// The bundle's transparency-log record, checked offline against the pinned
// log keys and, with a URL, against the live log too (the entry is in its
// current tree, and the bundle's checkpoint is consistent with it).
absl::StatusOr<LogInclusion> CheckLogRecord(
    const VerifyFlags& flags, const std::vector<std::string>& keys,
    absl::string_view bundle_json) {
  std::vector<tlog::NoteVerifier> verifiers;
  for (const std::string& key : keys) {
    MODELSEAL_ASSIGN_OR_RETURN(tlog::NoteVerifier verifier,
                               tlog::NoteVerifier::Parse(key));
    verifiers.push_back(verifier);
  }
  MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(bundle_json));
  MODELSEAL_ASSIGN_OR_RETURN(LogInclusion inclusion,
                             VerifyLogInclusion(bundle, verifiers));
  if (!flags.log_url.empty()) {
    tlog::LogClientOptions options;
    options.verifier_keys = keys;
    options.origin = inclusion.origin;
    MODELSEAL_ASSIGN_OR_RETURN(
        std::unique_ptr<tlog::LogClient> client,
        tlog::LogClient::Open(*Env::Default(), flags.log_url, options));
    MODELSEAL_RETURN_IF_ERROR(Annotate(
        client->VerifyConsistencyWith(inclusion.checkpoint_note),
        "the live log is not consistent with the bundle's checkpoint"));
    MODELSEAL_ASSIGN_OR_RETURN(std::string entry,
                               client->ReadEntry(inclusion.index));
    MODELSEAL_RETURN_IF_ERROR(
        client->VerifyEntryInclusion(entry, inclusion.index));
    inclusion.tree_size = client->checkpoint().size;
  }
  return inclusion;
}

void Describe(const VerifyReport& report, v1::SignatureResult* result) {
  result->set_model(report.model_name);
  if (!report.root_digest_hex.empty()) {
    result->set_root_digest(absl::StrCat("sha256:", report.root_digest_hex));
  }
  result->set_signer(report.signer);
  v1::Serialization* serialization = result->mutable_serialization();
  serialization->set_method(
      std::string(SerializationMethodName(report.serialization.method)));
  serialization->set_hash_type(
      std::string(HashAlgorithmName(report.serialization.hash)));
  serialization->set_allow_symlinks(report.serialization.allow_symlinks);
  for (const std::string& path : report.serialization.ignore_paths) {
    serialization->add_ignore_paths(path);
  }
  if (report.serialization.method == SerializationMethod::kShards) {
    serialization->set_shard_size(report.serialization.shard_size);
  }
  result->set_resources(report.resources);
  result->set_bytes_hashed(report.bytes_hashed);
  result->set_bytes_from_cache(report.bytes_from_cache);
  for (const auto& path : report.changed) result->add_changed(path);
  for (const auto& path : report.missing) result->add_missing(path);
  for (const auto& path : report.extra) result->add_extra(path);
  result->set_seconds(report.seconds);
  result->set_partial(report.partial);
  for (const auto& path : report.not_checked) result->add_not_checked(path);
  result->set_files_checked(report.files_checked);
  result->set_legacy_v0_2(report.legacy_v0_2);
}

// What --only left out, spelled so that nobody reads it as verified.
std::string NotCheckedText(const v1::SignatureResult& result) {
  if (!result.partial()) return "";
  std::string text =
      absl::StrCat("  PARTIAL: only ", result.files_checked(), " of ",
                   result.files_checked() + result.not_checked_size(),
                   " signed files were checked (--only); ",
                   result.not_checked_size(), " NOT checked:\n");
  for (const auto& path : result.not_checked())
    absl::StrAppend(&text, "  not checked: ", path, "\n");
  return text;
}

std::string TextFor(const v1::SignatureResult& result) {
  const std::string legacy =
      result.legacy_v0_2()
          ? "  note: a model_signing v0.2 bundle (read for compatibility; "
            "re-sign to get the current format)\n"
          : "";
  if (result.ok()) {
    return absl::StrCat(
        result.partial() ? "OK (partial): " : "OK: ", result.signature(),
        ": model '", result.model(), "' (", result.resources(), " resources, ",
        result.serialization().hash_type(), " ",
        result.serialization().method(), ", ", result.bytes_hashed(),
        result.bytes_from_cache() == 0
            ? " bytes re-hashed"
            : absl::StrCat(" bytes checked, ", result.bytes_from_cache(),
                           " of them by the digest cache"),
        " in ", absl::StrFormat("%.2f", result.seconds()), "s) ",
        result.root_digest(), " signed by ", result.signer(), "\n", legacy,
        NotCheckedText(result));
  }
  std::string text = absl::StrCat("FAILED: ", result.signature(), ": ",
                                  result.error(), "\n", legacy);
  for (const auto& path : result.changed())
    absl::StrAppend(&text, "  changed: ", path, "\n");
  for (const auto& path : result.missing())
    absl::StrAppend(&text, "  missing: ", path, "\n");
  for (const auto& path : result.extra())
    absl::StrAppend(&text, "  not signed: ", path, "\n");
  absl::StrAppend(&text, NotCheckedText(result));
  return text;
}

// The bundles' paths relative to the model root, for those inside it.
std::vector<std::string> BundlesInsideModel(Env& env,
                                            const VerifyFlags& flags) {
  std::vector<std::string> inside;
  auto real_model = env.RealPath(flags.model);
  if (!real_model.ok()) return inside;
  for (const std::string& signature : flags.signatures) {
    auto real_signature = env.RealPath(signature);
    if (real_signature.ok() &&
        real_signature->rfind(*real_model + "/", 0) == 0) {
      inside.push_back(real_signature->substr(real_model->size() + 1));
    }
  }
  return inside;
}

int RunPolicyVerify(const VerifyFlags& flags) {
  Env& env = *Env::Default();
  if (!flags.key.empty() || !flags.ca.empty() || !flags.log_keys.empty()) {
    return UsageError(
        "with --policy the trusted signers and logs come from the policy; "
        "drop --key, --ca and --log-key");
  }
  if (flags.ignore_unsigned_files) {
    return UsageError(
        "--ignore-unsigned-files does not apply with --policy: unsigned "
        "files are policy findings");
  }
  if (!flags.log_url.empty()) {
    return UsageError(
        "--log-url does not apply with --policy: the policy's pinned logs "
        "are checked offline from each bundle's inclusion proof; check a "
        "live log with `modelseal log verify URL --vkey KEY`");
  }
  absl::StatusOr<ReportFormat> format = ParseReportFormat(flags.format);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  const std::time_t now = std::time(nullptr);
  absl::StatusOr<TrustedPolicy> trusted =
      LoadTrustedPolicy(flags.policy, now, /*record_state=*/true);
  if (!trusted.ok()) return ReportError(trusted.status());

  PolicyEvaluationOptions options;
  options.now = now;
  std::optional<sigstore::TrustedRoot> root;
  if (!flags.keyless.trusted_root.empty()) {
    auto loaded = flags.keyless.LoadRoot();
    if (!loaded.ok()) return ReportError(loaded.status());
    root = *std::move(loaded);
    options.trusted_root = &*root;
  }
  if (flags.keyless.given()) {
    return UsageError(
        "with --policy, keyless identities come from the policy's signers; "
        "drop --certificate-identity/--certificate-oidc-issuer");
  }
  auto ignore = ResolveIgnorePaths(env, flags.model, flags.ignore_paths);
  if (!ignore.ok()) return UsageError(std::string(ignore.status().message()));
  options.extra_ignore_paths = *std::move(ignore);
  for (std::string& inside : BundlesInsideModel(env, flags)) {
    options.extra_ignore_paths.push_back(std::move(inside));
  }
  options.run.threads = flags.threads;
  options.only = flags.only;
  std::unique_ptr<DigestCache> cache = flags.cache.Open();
  options.run.cache = cache.get();
  std::vector<PolicyBundle> bundles;
  for (const std::string& signature : flags.signatures) {
    auto json = env.ReadFileToString(signature, limits::kMaxBundleBytes);
    if (!json.ok()) return ReportError(json.status());
    bundles.push_back(PolicyBundle{signature, *std::move(json)});
  }
  absl::StatusOr<PolicyEvaluation> evaluation;
  {
    Progress progress(!flags.quiet && *format == ReportFormat::kText);
    options.run.bytes_done = progress.done();
    options.run.bytes_total = progress.total();
    evaluation = EvaluatePolicy(trusted->policy, flags.model, bundles, options);
  }
  SaveCache(cache.get());
  if (!evaluation.ok()) return ReportError(evaluation.status());

  PolicyReportContext context;
  context.model_path = flags.model;
  context.policy_path = flags.policy.policy;
  context.policy_name = trusted->policy.metadata.name;
  context.policy_version = trusted->policy.metadata.version;
  context.policy_trust = trusted->trust;
  context.strict = flags.strict;
  context.color = *format == ReportFormat::kText && StdoutIsTerminal();
  const std::string out = RenderPolicyReport(*evaluation, context, *format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return kExitIoOrInternal;
  if (evaluation->malformed_input) return kExitMalformedInput;
  return PolicyPassed(*evaluation, flags.strict) ? kExitOk
                                                 : kExitVerificationFailed;
}

int RunVerify(const VerifyFlags& flags) {
  Env& env = *Env::Default();
  if (!flags.policy.policy.empty()) return RunPolicyVerify(flags);
  const bool keyless = flags.keyless.given();
  if ((!flags.key.empty()) + (!flags.ca.empty()) + keyless != 1) {
    return UsageError(
        "verify needs exactly one of --key PUB, --ca ROOT…, "
        "--certificate-identity[-regexp] ID --certificate-oidc-issuer[-regexp] "
        "URL (Sigstore keyless), or --policy P");
  }
  std::optional<sigstore::TrustedRoot> root;
  sigstore::CertificateIdentity identity;
  if (keyless) {
    auto expected = flags.keyless.Identity();
    if (!expected.ok())
      return UsageError(std::string(expected.status().message()));
    identity = *std::move(expected);
    auto loaded = flags.keyless.LoadRoot();
    if (!loaded.ok()) return ReportError(loaded.status());
    root = *std::move(loaded);
    if (!flags.log_keys.empty()) {
      return UsageError(
          "--log-key pins a modelseal log; a keyless bundle's Rekor record is "
          "checked against the trusted root");
    }
  }
  if (flags.format != "text" && flags.format != "json") {
    return UsageError(
        "--format must be text or json (sarif and github need --policy)");
  }
  VerifyOptions options;
  std::unique_ptr<Verifier> key;
  if (keyless) {
    // Trust comes from the Sigstore root and identity (VerifyKeylessModel).
  } else if (!flags.key.empty()) {
    auto loaded = ReadVerifier(flags.key);
    if (!loaded.ok()) return ReportError(loaded.status());
    key = *std::move(loaded);
    options.public_key = key.get();
  } else {
    auto roots = ReadCertificates(flags.ca);
    if (!roots.ok()) return ReportError(roots.status());
    if (roots->empty())
      return ReportError(absl::InvalidArgumentError("no certificate in --ca"));
    options.ca_roots_der = *std::move(roots);
  }
  options.now = std::time(nullptr);
  auto ignore = ResolveIgnorePaths(env, flags.model, flags.ignore_paths);
  if (!ignore.ok()) return UsageError(std::string(ignore.status().message()));
  options.extra_ignore_paths = *std::move(ignore);
  // The bundles themselves may sit inside the model folder.
  for (std::string& inside : BundlesInsideModel(env, flags)) {
    options.extra_ignore_paths.push_back(std::move(inside));
  }
  options.ignore_unsigned_files = flags.ignore_unsigned_files;
  std::vector<std::string> log_keys;
  if (!flags.log_keys.empty()) {
    auto keys = ReadVerifierKeys(flags.log_keys);
    if (!keys.ok()) return ReportError(keys.status());
    log_keys = *std::move(keys);
  } else if (!flags.log_url.empty()) {
    return UsageError("--log-url needs --log-key");
  }
  options.run.threads = flags.threads;
  options.only = flags.only;
  std::unique_ptr<DigestCache> cache = flags.cache.Open();
  options.run.cache = cache.get();

  v1::VerifyReport report;
  report.set_ok(true);
  int exit_code = kExitOk;
  for (const std::string& signature : flags.signatures) {
    v1::SignatureResult* result = report.add_signatures();
    result->set_signature(signature);
    absl::Status status;
    VerifyReport details;
    auto bundle = env.ReadFileToString(signature, limits::kMaxBundleBytes);
    if (!bundle.ok()) {
      // The report line already names the bundle: keep the reason only.
      std::string reason(bundle.status().message());
      if (absl::StartsWith(reason, signature + ": ")) {
        reason = reason.substr(signature.size() + 2);
      }
      status = absl::Status(bundle.status().code(),
                            absl::StrCat("cannot read the bundle (", reason,
                                         "); check the --signature path"));
    } else {
      Progress progress(!flags.quiet && flags.format == "text");
      options.run.bytes_done = progress.done();
      options.run.bytes_total = progress.total();
      if (keyless) {
        status = VerifyKeylessModel(flags.model, *bundle, *root, identity,
                                    options, &details);
      } else {
        // With --ca the probe must come first: a Fulcio root given as a CA
        // would otherwise accept any keyless signer without an identity
        // check. With --key a certificate bundle is refused anyway, so the
        // probe (a full parse) only runs to explain a failure.
        const bool ca_trust = !options.ca_roots_der.empty();
        if (ca_trust && sigstore::IsKeylessBundle(*bundle)) {
          status = KeylessBundleNeedsIdentity();
        } else {
          status = VerifyModel(flags.model, *bundle, options, &details);
          if (!status.ok() && !ca_trust && sigstore::IsKeylessBundle(*bundle)) {
            status = KeylessBundleNeedsIdentity();
          }
        }
      }
      if (status.ok() && !log_keys.empty()) {
        auto inclusion = CheckLogRecord(flags, log_keys, *bundle);
        if (inclusion.ok()) {
          details.signer += absl::StrCat(
              "; logged in ", inclusion->origin, " at index ", inclusion->index,
              " (tree size ", inclusion->tree_size, ")");
        } else {
          status = absl::UnauthenticatedError(
              absl::StrCat("transparency log: ", inclusion.status().message()));
        }
      }
    }
    Describe(details, result);
    result->set_ok(status.ok());
    if (!status.ok()) {
      result->set_error(std::string(status.message()));
      report.set_ok(false);
      // The most serious failure decides the exit code: a failed check (1)
      // outranks malformed input (3) only when nothing worse happened.
      const int code = ExitCodeFor(status);
      if (exit_code == kExitOk || code > exit_code) exit_code = code;
    }
  }
  SaveCache(cache.get());
  const std::string out = flags.format == "json" ? ToJson(report) : [&report] {
    std::string text;
    for (const auto& result : report.signatures()) {
      text += TextFor(result);
    }
    return text;
  }();
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Verify a model against OpenSSF Model Signing bundle(s): the signature "
      "(by --key, or a certificate chained to --ca roots), the statement, and "
      "every file, re-hashed with the signer's serialization. Names every "
      "changed, missing and unsigned file. Exit 0 only if every --signature "
      "verifies.");
  command->add_option("model", flags->model, "Model folder or single file")
      ->required();
  command
      ->add_option("-s,--signature", flags->signatures,
                   "Bundle(s) to check (default model.sig)")
      ->default_val(std::vector<std::string>{"model.sig"});
  command->add_option("--key", flags->key, "Trusted public key (SPKI PEM)");
  command->add_option("--ca", flags->ca,
                      "Trusted CA root certificate(s) (PEM)");
  command->add_option("--ignore-paths", flags->ignore_paths,
                      "More paths to leave out, relative to the model root or "
                      "absolute inside it (added to the signer's)");
  command->add_flag("--ignore-unsigned-files", flags->ignore_unsigned_files,
                    "Do not fail on files the signature does not list");
  command->add_option("--format", flags->format,
                      "text (default) or json "
                      "(schemas/verify-report.schema.json); with --policy "
                      "also sarif (SARIF 2.1.0) or github (workflow "
                      "annotations), json then following "
                      "schemas/policy-report.schema.json");
  command
      ->add_option("-t,--threads", flags->threads,
                   "Worker threads (default: one per CPU, and the model is "
                   "listed on another core while the signature is checked; "
                   "1: everything on one thread)")
      ->check(CLI::Range(1u, limits::kMaxHashThreads));
  command->add_option("--log-key", flags->log_keys,
                      "Require the bundle to be recorded in a transparency log "
                      "whose checkpoints this key signs (key string or file; "
                      "checked offline from the bundle)");
  command->add_option("--log-url", flags->log_url,
                      "Also check the record against the live log (directory "
                      "or http(s) URL): entry present, checkpoints consistent");
  command->add_option(
      "--only", flags->only,
      "Partial verification: check the signature and statement as always, "
      "then hash only the signed files whose path matches one of these globs "
      "(e.g. '*Q4_K_M.gguf'; '*' also matches '/'). Each pattern must match "
      "a signed file and every match must be present and unchanged; the "
      "other files are reported as NOT checked. With --policy, the policy "
      "must allow partial verification");
  flags->cache.Register(*command);
  command->add_flag("-q,--quiet", flags->quiet, "No progress line");
  flags->keyless.Register(*command);
  flags->policy.Register(
      *command,
      "Evaluate an alliance policy (docs/policy.md) instead of --key/--ca: "
      "its signers, thresholds, logs, model-card, license and artifact "
      "rules; every violation is reported. Exit 0 pass, 1 violated, "
      "3 malformed policy/card/bundle, 4 I/O");
  command->add_flag("--strict", flags->strict,
                    "With --policy: warnings (e.g. a license on the review "
                    "list) fail too");
  command->callback([flags, exit_code] { *exit_code = RunVerify(*flags); });
}

}  // namespace modelseal::cli
