#include "modelseal/release_log.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "manifest/strict_json.h"
#include "modelseal/checkpoint.h"
#include "modelseal/hash.h"
#include "modelseal/hex.h"
#include "modelseal/merkle.h"
#include "modelseal/status.h"
#include "modelseal/v1/bundle.pb.h"
#include "util/json_writer.h"

namespace modelseal {
namespace {

using manifest_internal::ParseStrictJson;

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

absl::StatusOr<std::vector<std::string>> AddBundlesToLog(
    tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
    std::uint64_t integrated_time) {
  std::vector<Bundle> bundles;
  std::vector<std::string> entries;
  for (const std::string& json : bundle_jsons) {
    MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(json));
    MODELSEAL_ASSIGN_OR_RETURN(std::string entry,
                               MakeReleaseEntry(bundle, integrated_time));
    bundles.push_back(std::move(bundle));
    entries.push_back(std::move(entry));
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::uint64_t> indices,
                             writer.Append(entries));
  MODELSEAL_ASSIGN_OR_RETURN(std::string checkpoint, writer.CheckpointText());
  const std::uint64_t size = writer.size();
  const tlog::Hash root = writer.root();
  std::vector<std::string> out;
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(std::vector<tlog::Hash> proof,
                               writer.InclusionProof(indices[i], size));
    v1::TransparencyLogEntry item;
    item.set_log_index(static_cast<std::int64_t>(indices[i]));
    // Sigstore's logId.keyId: here SHA-256 of the log origin, which names
    // the log (and its checkpoint key).
    const std::vector<std::uint8_t> log_id =
        HashBytes(HashAlgorithm::kSha256, writer.origin());
    item.mutable_log_id()->set_key_id(
        std::string(log_id.begin(), log_id.end()));
    item.mutable_kind_version()->set_kind(std::string(kTlogEntryKind));
    item.mutable_kind_version()->set_version("1");
    item.set_integrated_time(static_cast<std::int64_t>(integrated_time));
    v1::InclusionProof* inclusion = item.mutable_inclusion_proof();
    inclusion->set_log_index(static_cast<std::int64_t>(indices[i]));
    inclusion->set_root_hash(std::string(tlog::HashBytes(root)));
    inclusion->set_tree_size(static_cast<std::int64_t>(size));
    for (const tlog::Hash& hash : proof)
      inclusion->add_hashes(std::string(tlog::HashBytes(hash)));
    inclusion->mutable_checkpoint()->set_envelope(checkpoint);
    item.set_canonicalized_body(entries[i]);
    std::string item_json;
    google::protobuf::util::JsonPrintOptions print;
    print.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(item, &item_json, print)
             .ok()) {
      return absl::InternalError("cannot encode a tlogEntries item");
    }
    bundles[i].tlog_entries_json.push_back(std::move(item_json));
    out.push_back(WriteBundle(bundles[i]));
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
