// `modelseal verify-blob`: verifies a Sigstore bundle over any artifact, by
// key or keyless (cosign's flag names). It is also what the Sigstore
// conformance adapter (scripts/sigstore-conformance.py) calls.
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "cli/keyless_flags.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/sigstore.h"
#include "modelseal/status.h"
#include "util/json_writer.h"

namespace modelseal::cli {
namespace {

struct VerifyBlobFlags {
  std::string artifact;
  std::string bundle;
  std::string key;
  KeylessFlags keyless;
  std::string format = "text";
};

bool IsSha256Reference(const std::string& artifact) {
  if (!absl::StartsWith(artifact, "sha256:") || artifact.size() != 7 + 64) {
    return false;
  }
  for (char c : artifact.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  // The conformance protocol: an existing file of that name is a file.
  return !Env::Default()->Stat(artifact).ok();
}

// SHA-256 of the artifact, streamed in bounded reads.
absl::StatusOr<std::string> ArtifactDigest(const std::string& artifact) {
  if (IsSha256Reference(artifact)) {
    std::string hex = artifact.substr(7);
    for (char& c : hex) c = static_cast<char>(std::tolower(c));
    MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, HexDecode(hex));
    return std::string(bytes.begin(), bytes.end());
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                             Env::Default()->OpenForRead(artifact));
  std::unique_ptr<Hasher> hasher = Hasher::Create(HashAlgorithm::kSha256);
  std::vector<std::uint8_t> buffer(std::size_t{1} << 20);
  std::uint64_t offset = 0;
  while (true) {
    MODELSEAL_ASSIGN_OR_RETURN(std::size_t count,
                               file->ReadAt(offset, absl::MakeSpan(buffer)));
    if (count == 0) break;
    hasher->Update(absl::MakeConstSpan(buffer.data(), count));
    offset += count;
  }
  const std::vector<std::uint8_t> digest = hasher->Finish();
  return std::string(digest.begin(), digest.end());
}

std::string FormatTime(std::int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

int Report(const VerifyBlobFlags& flags,
           const sigstore::KeylessVerification& result, bool keyless) {
  std::string out;
  if (flags.format == "json") {
    JsonWriter json;
    json.BeginObject().Key("verified").Bool(true);
    json.Key("method").String(keyless ? "keyless" : "key");
    if (keyless) {
      json.Key("identity").String(result.san);
      json.Key("issuer").String(result.issuer);
    }
    if (!result.log_id_hex.empty()) {
      json.Key("log_index").Number(result.log_index);
      json.Key("log_id").String(result.log_id_hex);
      if (result.integrated_time > 0) {
        json.Key("integrated_time").String(FormatTime(result.integrated_time));
      }
    }
    if (result.signing_time > 0) {
      json.Key("signing_time").String(FormatTime(result.signing_time));
      json.Key("signing_time_source").String(result.signing_time_source);
    }
    if (!result.payload_type.empty()) {
      json.Key("payload_type").String(result.payload_type);
    }
    if (result.unchecked_tlog_entries > 0) {
      json.Key("unchecked_tlog_entries")
          .Number(static_cast<std::uint64_t>(result.unchecked_tlog_entries));
    }
    json.EndObject();
    out = absl::StrCat(json.text(), "\n");
  } else {
    out = absl::StrCat("Verified OK: ", flags.artifact, "\n");
    if (keyless) {
      absl::StrAppend(&out, "  identity:        ", result.san, "\n",
                      "  issuer:          ", result.issuer, "\n");
    } else {
      absl::StrAppend(&out, "  key:             ", flags.key, "\n");
    }
    if (!result.log_id_hex.empty()) {
      absl::StrAppend(&out, "  log index:       ", result.log_index, "\n");
      if (result.integrated_time > 0) {
        absl::StrAppend(&out, "  integrated time: ",
                        FormatTime(result.integrated_time), "\n");
      }
    }
    if (result.signing_time > 0) {
      absl::StrAppend(&out,
                      "  signing time:    ", FormatTime(result.signing_time),
                      " (", result.signing_time_source, ")\n");
    }
    if (result.unchecked_tlog_entries > 0) {
      absl::StrAppend(&out, "  note: ", result.unchecked_tlog_entries,
                      " tlog entries from logs outside the trusted root were "
                      "not checked\n");
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitIoOrInternal;
}

// Names the bundle in a verification error and says what to check next.
absl::Status BundleError(const absl::Status& status,
                         const VerifyBlobFlags& flags) {
  absl::Status named = WithPath(status, flags.bundle);
  if (absl::StrContains(named.message(), "is not a subject")) {
    return absl::Status(
        named.code(),
        absl::StrCat(named.message(),
                     ": the bundle was made for another "
                     "artifact; check that ",
                     flags.artifact, " is the file that was signed"));
  }
  return named;
}

int RunVerifyBlob(const VerifyBlobFlags& flags) {
  if (!flags.key.empty() && flags.keyless.given()) {
    return UsageError(
        "give either --key or the --certificate-identity/--certificate-oidc-"
        "issuer flags, not both");
  }
  absl::StatusOr<std::string> bundle =
      Env::Default()->ReadFileToString(flags.bundle, limits::kMaxBundleBytes);
  if (!bundle.ok()) return ReportError(WithPath(bundle.status(), flags.bundle));
  absl::StatusOr<std::string> digest = ArtifactDigest(flags.artifact);
  if (!digest.ok())
    return ReportError(WithPath(digest.status(), flags.artifact));
  absl::StatusOr<sigstore::TrustedRoot> root = flags.keyless.LoadRoot();
  if (!root.ok()) return ReportError(root.status());

  if (!flags.key.empty()) {
    if (sigstore::IsKeylessBundle(*bundle)) {
      return UsageError(
          "this bundle is keyless (Fulcio certificate): verify it with "
          "--certificate-identity[-regexp] and "
          "--certificate-oidc-issuer[-regexp] instead of --key");
    }
    absl::StatusOr<std::unique_ptr<Verifier>> key = ReadVerifier(flags.key);
    if (!key.ok()) return ReportError(key.status());
    absl::StatusOr<sigstore::KeylessVerification> result =
        sigstore::VerifyKeyedBundle(*bundle, **key, *root, *digest);
    if (!result.ok()) return ReportError(BundleError(result.status(), flags));
    return Report(flags, *result, /*keyless=*/false);
  }
  if (!sigstore::IsKeylessBundle(*bundle) && !flags.keyless.given()) {
    return UsageError(
        "this bundle is not keyless: verify it with --key PUB (a bundle from a "
        "private CA is checked by `modelseal verify --ca`)");
  }
  absl::StatusOr<sigstore::CertificateIdentity> identity =
      flags.keyless.Identity();
  if (!identity.ok())
    return UsageError(std::string(identity.status().message()));
  absl::StatusOr<sigstore::KeylessVerification> result =
      sigstore::VerifyKeylessBundle(*bundle, *root, *identity, *digest);
  if (!result.ok()) return ReportError(BundleError(result.status(), flags));
  return Report(flags, *result, /*keyless=*/true);
}

}  // namespace

void RegisterVerifyBlobCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VerifyBlobFlags>();
  CLI::App* command = app.add_subcommand(
      "verify-blob",
      "Verify a Sigstore bundle (v0.1-v0.3, DSSE or message signature) over "
      "a file or a sha256:HEX digest, with a public key or keyless (Fulcio "
      "certificate + Rekor entry, checked offline against a trusted root)");
  command
      ->add_option("artifact", flags->artifact,
                   "The artifact file, or sha256:<64 hex> (for a DSSE "
                   "bundle: a subject of its in-toto statement)")
      ->required();
  command->add_option("--bundle", flags->bundle, "The Sigstore bundle JSON")
      ->required();
  command->add_option("--key", flags->key,
                      "Verify with this public key (SPKI PEM) instead of an "
                      "identity");
  flags->keyless.Register(*command);
  command->add_option("--format", flags->format, "Report format")
      ->check(CLI::IsMember({"text", "json"}));
  command->callback([flags, exit_code] { *exit_code = RunVerifyBlob(*flags); });
}

}  // namespace modelseal::cli
