#include "modelseal/release_log.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <system_error>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "manifest/strict_json.h"
#include "modelseal/checkpoint.h"
#include "modelseal/hash.h"
#include "modelseal/hex.h"
#include "modelseal/merkle.h"
#include "modelseal/status.h"
#include "modelseal/v1/bundle.pb.h"
#include "util/json_writer.h"
#include "util/parallel.h"

namespace modelseal {
namespace {

using manifest_internal::ParseStrictJson;

// Bundles are checked and prepared on every core, a thread starting only
// for this many of them.
constexpr std::size_t kPerThreadAtLeast = 64;

std::string Sha256Hex(absl::string_view data) {
  return HexEncode(HashBytes(HashAlgorithm::kSha256, data));
}

// Does the logged entry describe exactly this bundle?
absl::Status MatchEntry(const v1::ReleaseEntry& entry, const Bundle& bundle) {
  if (entry.kind() != kReleaseEntryKind || entry.version() != 1) {
    return absl::UnauthenticatedError(
        "log entry is not a modelseal release entry");
  }
  if (entry.statement_sha256() != Sha256Hex(bundle.payload)) {
    return absl::UnauthenticatedError("log entry is for another statement");
  }
  if (entry.signature() != absl::Base64Escape(bundle.signature)) {
    return absl::UnauthenticatedError("log entry is for another signature");
  }
  const std::string signer_certificate =
      bundle.certificate_chain_der.empty()
          ? ""
          : Sha256Hex(bundle.certificate_chain_der[0]);
  if (entry.signer_key_hint() != bundle.public_key_hint ||
      entry.signer_certificate_sha256() != signer_certificate) {
    return absl::UnauthenticatedError("log entry names another signer");
  }
  return absl::OkStatus();
}

absl::StatusOr<LogInclusion> CheckItem(
    const std::string& item_json, const Bundle& bundle,
    absl::Span<const tlog::NoteVerifier> log_keys) {
  v1::TransparencyLogEntry item;
  MODELSEAL_RETURN_IF_ERROR(
      ParseStrictJson(item_json, &item, "tlogEntries item"));
  if (item.kind_version().kind() != kTlogEntryKind) {
    return absl::UnauthenticatedError(absl::StrCat("tlogEntries item of kind '",
                                                   item.kind_version().kind(),
                                                   "' is not ours"));
  }
  const v1::InclusionProof& proof = item.inclusion_proof();
  if (!item.has_inclusion_proof() || proof.checkpoint().envelope().empty()) {
    return absl::UnauthenticatedError(
        "tlogEntries item has no inclusion proof with a checkpoint");
  }
  if (proof.log_index() < 0 || proof.tree_size() <= 0 ||
      proof.log_index() != item.log_index()) {
    return absl::UnauthenticatedError(
        "tlogEntries item has inconsistent indices");
  }
  v1::ReleaseEntry entry;
  MODELSEAL_RETURN_IF_ERROR(
      ParseStrictJson(item.canonicalized_body(), &entry, "log entry"));
  MODELSEAL_RETURN_IF_ERROR(MatchEntry(entry, bundle));
  // The checkpoint must be signed by a pinned log key; its origin is the
  // signing key's name (one log, one key name).
  MODELSEAL_ASSIGN_OR_RETURN(
      tlog::SignedCheckpoint checkpoint,
      tlog::OpenCheckpoint(proof.checkpoint().envelope(), log_keys, ""));
  bool origin_matches_key = false;
  for (const tlog::NoteVerifier& key : log_keys) {
    origin_matches_key |= key.name() == checkpoint.checkpoint.origin;
  }
  if (!origin_matches_key) {
    return absl::UnauthenticatedError(absl::StrCat("checkpoint origin '",
                                                   checkpoint.checkpoint.origin,
                                                   "' is not a pinned log"));
  }
  if (checkpoint.checkpoint.size !=
      static_cast<std::uint64_t>(proof.tree_size())) {
    return absl::UnauthenticatedError(
        "inclusion proof is for another tree size than its checkpoint");
  }
  MODELSEAL_ASSIGN_OR_RETURN(tlog::Hash claimed_root,
                             tlog::HashFromBytes(proof.root_hash()));
  if (claimed_root != checkpoint.checkpoint.root) {
    return absl::UnauthenticatedError(
        "inclusion proof root differs from the checkpoint root");
  }
  std::vector<tlog::Hash> hashes;
  for (const std::string& hash : proof.hashes()) {
    MODELSEAL_ASSIGN_OR_RETURN(tlog::Hash parsed, tlog::HashFromBytes(hash));
    hashes.push_back(parsed);
  }
  absl::Status included = tlog::VerifyInclusion(
      tlog::HashLeaf(item.canonicalized_body()),
      static_cast<std::uint64_t>(proof.log_index()), checkpoint.checkpoint.size,
      hashes, checkpoint.checkpoint.root);
  if (!included.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("inclusion proof does not verify: ", included.message()));
  }
  LogInclusion inclusion;
  inclusion.origin = checkpoint.checkpoint.origin;
  inclusion.index = static_cast<std::uint64_t>(proof.log_index());
  inclusion.tree_size = checkpoint.checkpoint.size;
  inclusion.integrated_time = entry.integrated_time();
  inclusion.checkpoint_note = checkpoint.note;
  return inclusion;
}

}  // namespace

absl::StatusOr<std::string> MakeReleaseEntry(const Bundle& bundle,
                                             std::uint64_t integrated_time) {
  MODELSEAL_ASSIGN_OR_RETURN(Statement statement,
                             ParseStatement(bundle.payload));
  JsonWriter json;
  json.BeginObject();
  json.Key("kind").String(kReleaseEntryKind);
  json.Key("version").Number(1);
  json.Key("subject").BeginObject();
  json.Key("name").String(statement.subject_name);
  json.Key("digest").BeginObject().Key("sha256").String(
      HexEncode(statement.subject_digest));
  json.EndObject().EndObject();
  json.Key("statement_sha256").String(Sha256Hex(bundle.payload));
  json.Key("signature").String(absl::Base64Escape(bundle.signature));
  if (bundle.certificate_chain_der.empty()) {
    json.Key("signer_key_hint").String(bundle.public_key_hint);
  } else {
    json.Key("signer_certificate_sha256")
        .String(Sha256Hex(bundle.certificate_chain_der[0]));
  }
  json.Key("integrated_time").Number(integrated_time);
  json.EndObject();
  return json.text();
}

absl::StatusOr<PreparedRelease> PrepareRelease(absl::string_view bundle_json) {
  PreparedRelease release;
  MODELSEAL_ASSIGN_OR_RETURN(release.bundle, ParseBundle(bundle_json));
  MODELSEAL_ASSIGN_OR_RETURN(release.entry_at_time_zero,
                             MakeReleaseEntry(release.bundle, 0));
  return release;
}

std::string ReleaseEntryAt(const PreparedRelease& release,
                           std::uint64_t integrated_time) {
  // integrated_time is the entry's last member, so the entry at any time is
  // the one at time zero with its final number replaced.
  constexpr absl::string_view kTail = "\"integrated_time\":0}";
  const std::string& entry = release.entry_at_time_zero;
  if (!absl::EndsWith(entry, kTail)) {
    // Not reached: MakeReleaseEntry writes integrated_time last.
    auto made = MakeReleaseEntry(release.bundle, integrated_time);
    return made.ok() ? *std::move(made) : entry;
  }
  return absl::StrCat(
      absl::string_view(entry).substr(0, entry.size() - kTail.size()),
      "\"integrated_time\":", integrated_time, "}");
}

absl::StatusOr<std::string> AttachLogEntry(Bundle bundle,
                                           const std::string& entry,
                                           const LogPosition& position) {
  // The item is protobuf's JSON mapping of v1::TransparencyLogEntry (fields
  // in declaration order, int64 as strings, bytes as padded base64), written
  // directly: the generic printer cost more than the rest of an add.
  // Sigstore's logId.keyId: here SHA-256 of the log origin, which names the
  // log (and its checkpoint key).
  const std::vector<std::uint8_t> log_id =
      HashBytes(HashAlgorithm::kSha256, position.origin);
  const std::string index =
      absl::StrCat(static_cast<std::int64_t>(position.index));
  JsonWriter json;
  json.BeginObject();
  json.Key("logIndex").String(index);
  json.Key("logId").BeginObject();
  json.Key("keyId").String(absl::Base64Escape(absl::string_view(
      reinterpret_cast<const char*>(log_id.data()), log_id.size())));
  json.EndObject();
  json.Key("kindVersion").BeginObject();
  json.Key("kind").String(kTlogEntryKind);
  json.Key("version").String("1");
  json.EndObject();
  json.Key("integratedTime")
      .String(
          absl::StrCat(static_cast<std::int64_t>(position.integrated_time)));
  json.Key("inclusionProof").BeginObject();
  json.Key("logIndex").String(index);
  json.Key("rootHash")
      .String(absl::Base64Escape(tlog::HashBytes(position.root)));
  json.Key("treeSize")
      .String(absl::StrCat(static_cast<std::int64_t>(position.tree_size)));
  json.Key("hashes").BeginArray();
  for (const tlog::Hash& hash : position.proof) {
    json.String(absl::Base64Escape(tlog::HashBytes(hash)));
  }
  json.EndArray();
  json.Key("checkpoint").BeginObject();
  json.Key("envelope").String(position.checkpoint_note);
  json.EndObject();
  json.EndObject();
  json.Key("canonicalizedBody").String(absl::Base64Escape(entry));
  json.EndObject();
  bundle.tlog_entries_json.push_back(json.text());
  return WriteBundle(bundle);
}

absl::StatusOr<AppendedBundles> AppendBundlesToLog(
    tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
    std::uint64_t integrated_time, const std::vector<std::string>& names) {
  const std::size_t count = bundle_jsons.size();
  // Parsing and encoding bundles is independent per bundle: it runs on every
  // core; only the append and the proofs need the writer.
  std::vector<absl::StatusOr<PreparedRelease>> releases(count);
  util::ForEachInParallel(count, kPerThreadAtLeast, [&](std::size_t i) {
    releases[i] = PrepareRelease(bundle_jsons[i]);
  });
  AppendedBundles appended;
  appended.releases_.reserve(count);
  appended.entries_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    absl::StatusOr<PreparedRelease>& release = releases[i];
    if (!release.ok()) {
      return Annotate(release.status(),
                      i < names.size()
                          ? names[i]
                          : absl::StrCat("bundle ", i + 1, " of ", count));
    }
    appended.entries_.push_back(ReleaseEntryAt(*release, integrated_time));
    appended.releases_.push_back(*std::move(release));
  }
  MODELSEAL_ASSIGN_OR_RETURN(appended.indices_,
                             writer.Append(appended.entries_));
  LogPosition& base = appended.base_;
  base.origin = writer.origin();
  base.tree_size = writer.size();
  base.root = writer.root();
  MODELSEAL_ASSIGN_OR_RETURN(base.checkpoint_note, writer.CheckpointText());
  base.integrated_time = integrated_time;
  appended.proofs_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(
        appended.proofs_[i],
        writer.InclusionProof(appended.indices_[i], base.tree_size));
  }
  return appended;
}

absl::StatusOr<std::string> AppendedBundles::Attach(std::size_t i) {
  if (i >= releases_.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("bundle ", i, " of ", releases_.size()));
  }
  LogPosition position = base_;
  position.index = indices_[i];
  position.proof = std::move(proofs_[i]);
  return AttachLogEntry(std::move(releases_[i].bundle), entries_[i], position);
}

absl::StatusOr<std::vector<std::string>> AddBundlesToLog(
    tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
    std::uint64_t integrated_time, const std::vector<std::string>& names) {
  MODELSEAL_ASSIGN_OR_RETURN(
      AppendedBundles appended,
      AppendBundlesToLog(writer, bundle_jsons, integrated_time, names));
  std::vector<absl::StatusOr<std::string>> logged(appended.size());
  util::ForEachInParallel(logged.size(), kPerThreadAtLeast, [&](std::size_t i) {
    logged[i] = appended.Attach(i);
  });
  std::vector<std::string> out;
  out.reserve(logged.size());
  for (absl::StatusOr<std::string>& bundle : logged) {
    MODELSEAL_RETURN_IF_ERROR(bundle.status());
    out.push_back(*std::move(bundle));
  }
  return out;
}

absl::StatusOr<LogInclusion> VerifyLogInclusion(
    const Bundle& bundle, absl::Span<const tlog::NoteVerifier> log_keys) {
  if (log_keys.empty())
    return absl::InvalidArgumentError("no log verifier key given");
  if (bundle.tlog_entries_json.empty()) {
    return absl::UnauthenticatedError(
        "the bundle has no transparency log entry");
  }
  absl::Status last;
  for (const std::string& item : bundle.tlog_entries_json) {
    auto inclusion = CheckItem(item, bundle, log_keys);
    if (inclusion.ok()) return inclusion;
    last = inclusion.status();
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "no transparency log entry of the bundle verifies: ", last.message()));
}

}  // namespace modelseal
