#include "modelseal/policy_signing.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "modelseal/hash.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

constexpr absl::string_view kStateFile = "policy-versions";
// Clocks disagree a little; a document dated further ahead is suspect.
constexpr std::time_t kAllowedClockSkewSeconds = 300;

std::string TimeText(std::time_t time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromTimeT(time),
                          absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::string> SignPolicy(absl::string_view policy_bytes,
                                       absl::string_view name,
                                       const SigningIdentity& identity) {
  MODELSEAL_RETURN_IF_ERROR(ParsePolicy(policy_bytes, name).status());
  ModelDigest digest;
  digest.model_name = std::string(name);
  digest.options.method = SerializationMethod::kFiles;
  digest.options.hash = HashAlgorithm::kSha256;
  ResourceDigest resource;
  resource.name = ".";
  resource.algorithm = ResourceAlgorithmName(digest.options);
  resource.digest = HashBytes(HashAlgorithm::kSha256, policy_bytes);
  resource.size = policy_bytes.size();
  digest.resources.push_back(std::move(resource));
  digest.root_digest = ComputeRootDigest(digest.resources);
  return SignModelDigest(digest, identity);
}

absl::Status VerifyPolicySignature(absl::string_view policy_bytes,
                                   absl::string_view bundle_json,
                                   const Verifier& governance_key) {
  MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(bundle_json));
  if (!bundle.certificate_chain_der.empty()) {
    return absl::UnauthenticatedError(
        "the policy signature uses a certificate; policies are signed with "
        "the governance key");
  }
  VerifyOptions options;
  options.public_key = &governance_key;
  absl::StatusOr<VerifiedSignature> verified =
      VerifyBundleSignature(bundle, options);
  if (!verified.ok()) {
    return Annotate(verified.status(), "policy signature");
  }
  MODELSEAL_ASSIGN_OR_RETURN(Statement statement,
                             ParseStatement(verified->payload));
  if (statement.resources.size() != 1 ||
      statement.serialization.method != SerializationMethod::kFiles) {
    return absl::UnauthenticatedError(
        "the policy signature does not cover a single document");
  }
  const ResourceDigest& resource = statement.resources[0];
  if (HashBytes(statement.serialization.hash, policy_bytes) !=
      resource.digest) {
    return absl::UnauthenticatedError(
        "the policy signature covers other bytes than this policy file "
        "(edited after signing, or the wrong signature)");
  }
  return absl::OkStatus();
}

absl::Status CheckPolicyFreshness(const Policy& policy, std::time_t now) {
  if (now >= policy.metadata.expires) {
    return absl::PermissionDeniedError(absl::StrCat(
        "policy '", policy.metadata.name, "' version ", policy.metadata.version,
        " expired on ", TimeText(policy.metadata.expires),
        "; get the alliance's current policy"));
  }
  if (policy.metadata.issued > now + kAllowedClockSkewSeconds) {
    return absl::PermissionDeniedError(
        absl::StrCat("policy '", policy.metadata.name, "' is issued on ",
                     TimeText(policy.metadata.issued),
                     ", in the future; check this machine's clock"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PolicyStateStore> PolicyStateStore::Open(Env& env,
                                                        std::string directory) {
  const std::string path = JoinPath(directory, kStateFile);
  std::map<std::string, Entry> entries;
  absl::StatusOr<std::string> text =
      env.ReadFileToString(path, limits::kMaxPolicyStateBytes);
  if (!text.ok()) {
    if (text.status().code() == absl::StatusCode::kNotFound) {
      return PolicyStateStore(env, std::move(directory), std::move(entries));
    }
    return Annotate(text.status(), "policy state");
  }
  std::size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    if (line.empty()) continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    Entry entry;
    absl::StatusOr<std::vector<std::uint8_t>> name =
        fields.size() == 3 ? HexDecode(fields[0])
                           : absl::InvalidArgumentError("fields");
    const bool valid = name.ok() && !name->empty() &&
                       absl::SimpleAtoi(fields[1], &entry.version) &&
                       entry.version >= 1 && fields[2].size() == 64 &&
                       HexDecode(fields[2]).ok();
    if (!valid) {
      return absl::DataLossError(absl::StrCat(
          path, ":", line_number,
          ": the policy state is corrupted; rollback protection cannot work "
          "from it. Inspect it, and remove it only if you trust every policy "
          "this machine will see next"));
    }
    entry.sha256_hex = std::string(fields[2]);
    entries[std::string(name->begin(), name->end())] = entry;
  }
  return PolicyStateStore(env, std::move(directory), std::move(entries));
}

absl::Status PolicyStateStore::CheckAndRecord(const Policy& policy,
                                              absl::string_view policy_bytes) {
  const std::string digest =
      HexEncode(HashBytes(HashAlgorithm::kSha256, policy_bytes));
  const std::string& name = policy.metadata.name;
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    if (policy.metadata.version < it->second.version) {
      return absl::PermissionDeniedError(absl::StrCat(
          "policy '", name, "' version ", policy.metadata.version,
          " is older than version ", it->second.version,
          " already accepted on this machine (a rollback); get the current "
          "policy"));
    }
    if (policy.metadata.version == it->second.version) {
      if (it->second.sha256_hex != digest) {
        return absl::PermissionDeniedError(absl::StrCat(
            "policy '", name, "' version ", policy.metadata.version,
            " differs from the version ", policy.metadata.version,
            " accepted earlier on this machine; a changed policy must carry "
            "a new version"));
      }
      return absl::OkStatus();
    }
  }
  entries_[name] = Entry{policy.metadata.version, digest};
  std::string text;
  for (const auto& [entry_name, entry] : entries_) {
    absl::StrAppend(
        &text,
        HexEncode(absl::MakeConstSpan(
            reinterpret_cast<const std::uint8_t*>(entry_name.data()),
            entry_name.size())),
        " ", entry.version, " ", entry.sha256_hex, "\n");
  }
  MODELSEAL_RETURN_IF_ERROR(env_->CreateDirectories(directory_, 0700));
  return Annotate(env_->WriteFileAtomically(JoinPath(directory_, kStateFile),
                                            text, 0600, /*overwrite=*/true),
                  "policy state");
}

}  // namespace modelseal
