// `modelseal sign`: an OMS signature bundle for a model.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/cache_flags.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "cli/log_support.h"
#include "cli/progress.h"
#include "cli/serialization_flags.h"
#include "modelseal/limits.h"
#include "modelseal/log_submit.h"
#include "modelseal/model_signing.h"
#include "modelseal/model_walk.h"
#include "modelseal/release_log.h"
#include "modelseal/status.h"

namespace modelseal::cli {
namespace {

struct SignFlags {
  std::string model;
  std::string key;
  PassphraseFlags passphrase;
  std::string cert;
  std::vector<std::string> cert_chain;
  std::string output = "model.sig";
  std::string cosign;
  SerializationFlags serialization;
  std::string log;
  std::string log_signer_key;
  std::string reuse;
  std::string reuse_key;
  CacheFlags cache;
  bool quiet = false;
};

// The file list of a --reuse summary, shortened for a terminal.
std::string ShortList(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", names[i]);
  }
  if (names.size() > 5) absl::StrAppend(&out, ", ...");
  return out;
}

// Records the bundle in a log directory (as its writer) or at a `log serve`
// URL, returning the bundle with its log entry.
absl::StatusOr<std::string> RecordInLog(const SignFlags& flags,
                                        const std::string& bundle) {
  if (absl::StartsWith(flags.log, "http://") ||
      absl::StartsWith(flags.log, "https://")) {
    return SubmitToLogServer(flags.log, bundle);
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<tlog::LogWriter> writer,
                             OpenLogWriter(flags.log, flags.log_signer_key));
  MODELSEAL_ASSIGN_OR_RETURN(
      std::vector<std::string> updated,
      AddBundlesToLog(*writer, {bundle},
                      static_cast<std::uint64_t>(std::time(nullptr))));
  return updated[0];
}

// The signature file's path relative to the model root when it lies inside.
absl::StatusOr<std::optional<std::string>> OutputInsideModel(
    Env& env, const std::string& model, const std::string& output) {
  MODELSEAL_ASSIGN_OR_RETURN(std::string real_model, env.RealPath(model));
  const std::size_t slash = output.rfind('/');
  const std::string directory = slash == std::string::npos ? "."
                                : slash == 0               ? "/"
                                             : output.substr(0, slash);
  auto real_directory = env.RealPath(directory);
  if (!real_directory.ok()) return real_directory.status();
  const std::string real_output = JoinPath(*real_directory, Basename(output));
  if (absl::StartsWith(real_output, real_model + "/")) {
    return std::optional<std::string>(
        real_output.substr(real_model.size() + 1));
  }
  return std::optional<std::string>();
}

int RunSign(const SignFlags& flags) {
  Env& env = *Env::Default();
  if (flags.cert.empty() && !flags.cert_chain.empty()) {
    return UsageError("--cert-chain needs --cert");
  }
  auto passphrase = flags.passphrase.Read();
  if (!passphrase.ok()) return ReportError(passphrase.status());
  auto signer = ReadSigner(flags.key, *passphrase);
  if (!signer.ok()) return ReportError(signer.status());
  SigningIdentity identity;
  identity.signer = signer->get();
  if (!flags.cert.empty()) {
    std::vector<std::string> paths = {flags.cert};
    paths.insert(paths.end(), flags.cert_chain.begin(), flags.cert_chain.end());
    auto chain = ReadCertificates(paths);
    if (!chain.ok()) return ReportError(chain.status());
    identity.certificate_chain_der = *std::move(chain);
  }

  absl::StatusOr<std::string> bundle;
  Progress progress(!flags.quiet);
  if (!flags.cosign.empty()) {
    if (!flags.model.empty())
      return UsageError(
          "--cosign takes no MODEL: it signs the bundle's payload");
    auto existing = env.ReadFileToString(flags.cosign, limits::kMaxBundleBytes);
    if (!existing.ok()) return ReportError(existing.status());
    bundle = CosignBundle(*existing, identity);
  } else {
    if (flags.model.empty())
      return UsageError("sign needs a MODEL (or --cosign BUNDLE)");
    auto options = flags.serialization.ToOptions(env, flags.model);
    if (!options.ok())
      return UsageError(std::string(options.status().message()));
    auto inside = OutputInsideModel(env, flags.model, flags.output);
    if (!inside.ok()) return ReportError(inside.status());
    if (inside->has_value() && !IsIgnored(**inside, options->ignore_paths)) {
      options->ignore_paths.push_back(**inside);
      std::sort(options->ignore_paths.begin(), options->ignore_paths.end());
    }
    std::optional<Statement> previous;
    if (!flags.reuse.empty()) {
      auto old = env.ReadFileToString(flags.reuse, limits::kMaxBundleBytes);
      if (!old.ok()) return ReportError(Annotate(old.status(), "--reuse"));
      auto key = flags.reuse_key.empty() ? (*signer)->MakeVerifier()
                                         : ReadVerifier(flags.reuse_key);
      if (!key.ok()) return ReportError(key.status());
      auto statement = VerifyPreviousBundle(
          *old, **key, identity.certificate_chain_der, *options);
      if (!statement.ok()) {
        return ReportError(Annotate(statement.status(),
                                    absl::StrCat("--reuse ", flags.reuse)));
      }
      previous = *std::move(statement);
    } else if (!flags.reuse_key.empty()) {
      return UsageError("--reuse-key needs --reuse OLD.sig");
    }
    // --reuse relies on the cache to vouch for unchanged files.
    std::unique_ptr<DigestCache> cache =
        flags.cache.Open(/*force=*/previous.has_value());
    HashRunOptions run;
    run.threads = flags.serialization.threads;
    run.bytes_done = progress.done();
    run.bytes_total = progress.total();
    run.cache = cache.get();
    absl::StatusOr<ModelDigest> digest =
        SerializeModel(flags.model, *options, run);
    if (!digest.ok()) return ReportError(digest.status());
    SaveCache(cache.get());
    if (previous.has_value() && !flags.quiet) {
      const PreviousComparison diff = CompareWithPrevious(*previous, *digest);
      const DigestCacheStats stats =
          cache != nullptr ? cache->stats() : DigestCacheStats{};
      std::cerr << "modelseal: since " << flags.reuse << ": " << diff.unchanged
                << " files unchanged, " << diff.changed.size() << " changed"
                << (diff.changed.empty()
                        ? ""
                        : absl::StrCat(" (", ShortList(diff.changed), ")"))
                << ", " << diff.added.size() << " added"
                << (diff.added.empty()
                        ? ""
                        : absl::StrCat(" (", ShortList(diff.added), ")"))
                << ", " << diff.removed.size() << " removed"
                << (diff.removed.empty()
                        ? ""
                        : absl::StrCat(" (", ShortList(diff.removed), ")"))
                << "; " << stats.hits << " digests from the cache, "
                << stats.misses << " hashed\n";
    }
    bundle = SignModelDigest(*digest, identity);
  }
  if (!bundle.ok()) return ReportError(bundle.status());
  if (!flags.log.empty()) {
    bundle = RecordInLog(flags, *bundle);
    if (!bundle.ok())
      return ReportError(Annotate(bundle.status(), "transparency log"));
  }
  absl::Status written =
      env.WriteFileAtomically(flags.output, *bundle, 0644, true);
  if (!written.ok()) return ReportError(written);
  if (!flags.quiet) std::cerr << "modelseal: wrote " << flags.output << "\n";
  return kExitOk;
}

}  // namespace

void RegisterSignCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SignFlags>();
  CLI::App* command = app.add_subcommand(
      "sign",
      "Sign a model folder (or file): hash it, write an in-toto statement with "
      "the OpenSSF Model Signing predicate, sign it (DSSE) and write a "
      "Sigstore "
      "bundle. With --cosign, add another signer's bundle over the same "
      "statement bytes without re-hashing. Ed25519 keys are a modelseal "
      "extension: other OMS verifiers accept only ECDSA P-256/P-384/P-521.");
  command->add_option("model", flags->model, "Model folder or single file");
  command->add_option("--key", flags->key, "Private key (PKCS#8 PEM)")
      ->required();
  flags->passphrase.Register(*command, "of the private key");
  command->add_option("--cert", flags->cert,
                      "Signing certificate (PEM) for the key: writes the "
                      "certificate form of the bundle");
  command->add_option("--cert-chain", flags->cert_chain,
                      "Intermediate certificates (PEM), leaf's issuer first; "
                      "the root is not included");
  command->add_option("-o,--output", flags->output,
                      "Bundle to write (default model.sig); when inside the "
                      "model it is added to the ignore paths");
  command->add_option("--cosign", flags->cosign,
                      "Existing bundle whose statement to sign again");
  flags->serialization.Register(*command);
  command->add_option("--log", flags->log,
                      "Record the signature in a transparency log: a log "
                      "directory (this process appends as its writer) or the "
                      "URL of `modelseal log serve`; the bundle then carries "
                      "its entry, inclusion proof and signed checkpoint");
  command->add_option("--log-signer-key", flags->log_signer_key,
                      "With --log DIR: the log's signer key (default DIR.key)");
  command->add_option(
      "--reuse", flags->reuse,
      "Incremental signing: an earlier bundle of this model (OLD.sig). It "
      "is verified first (with --reuse-key, else this signing key's public "
      "half); files the digest cache vouches unchanged are not read again, "
      "added or changed ones are hashed, removed ones dropped. Turns on "
      "--cache. The new bundle is the one a full sign would write");
  command->add_option("--reuse-key", flags->reuse_key,
                      "Public key (PEM) that signed the --reuse bundle, when "
                      "it is not the signing key");
  flags->cache.Register(*command);
  command->add_flag("-q,--quiet", flags->quiet, "No progress or status lines");
  command->callback([flags, exit_code] { *exit_code = RunSign(*flags); });
}

}  // namespace modelseal::cli
