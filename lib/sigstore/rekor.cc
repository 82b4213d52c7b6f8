// Rekor transparency log entries (v1 and v2): the entry must be the log's
// record of *this* signature (body match), and the log must vouch for it
// (signed entry timestamp, or inclusion proof up to a signed checkpoint).
// Bodies are read through google.protobuf.Struct: their layouts are Rekor's
// (rekor pkg/types/*, rekor-tiles api/proto) and only a few fields matter.
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "modelseal/checkpoint.h"
#include "modelseal/crypto.h"
#include "modelseal/limits.h"
#include "modelseal/merkle.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "sigstore/internal.h"
#include "util/base64.h"

namespace modelseal::sigstore::internal {
namespace {

namespace pb = ::modelseal::v1::sigstore;
using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Mismatch(absl::string_view what) {
  return absl::UnauthenticatedError(
      absl::StrCat("tlog entry body does not match the bundle: ", what));
}

// The string at `path` inside `root`, or an error naming the path.
absl::StatusOr<std::string> StringAt(const Struct& root,
                                     std::initializer_list<const char*> path) {
  const Struct* node = &root;
  std::string where;
  std::size_t depth = 0;
  for (const char* key : path) {
    absl::StrAppend(&where, where.empty() ? "" : ".", key);
    auto field = node->fields().find(key);
    if (field == node->fields().end()) {
      return Mismatch(absl::StrCat("no ", where));
    }
    if (++depth == path.size()) {
      if (field->second.kind_case() != Value::kStringValue) {
        return Mismatch(absl::StrCat(where, " is not a string"));
      }
      return field->second.string_value();
    }
    if (field->second.kind_case() != Value::kStructValue) {
      return Mismatch(absl::StrCat(where, " is not an object"));
    }
    node = &field->second.struct_value();
  }
  return Mismatch("empty path");
}

absl::StatusOr<const google::protobuf::ListValue*> ListAt(
    const Struct& root, std::initializer_list<const char*> path) {
  const Struct* node = &root;
  std::size_t depth = 0;
  for (const char* key : path) {
    auto field = node->fields().find(key);
    if (field == node->fields().end())
      return Mismatch(absl::StrCat("no ", key));
    if (++depth == path.size()) {
      if (field->second.kind_case() != Value::kListValue) {
        return Mismatch(absl::StrCat(key, " is not a list"));
      }
      return &field->second.list_value();
    }
    if (field->second.kind_case() != Value::kStructValue) {
      return Mismatch(absl::StrCat(key, " is not an object"));
    }
    node = &field->second.struct_value();
  }
  return Mismatch("empty path");
}

absl::StatusOr<std::string> Base64At(const Struct& root,
                                     std::initializer_list<const char*> path) {
  MODELSEAL_ASSIGN_OR_RETURN(std::string text, StringAt(root, path));
  absl::StatusOr<std::string> bytes = util::Base64Decode(text);
  if (!bytes.ok()) return Mismatch("a field is not base64");
  return *bytes;
}

// `pem_or_der` names the signer: a PEM certificate or public key (Rekor v1),
// checked against the bundle's leaf or the caller's key.
absl::Status MatchPemSigner(absl::string_view pem,
                            const SignerMaterial& signer) {
  if (!signer.leaf_der.empty()) {
    absl::StatusOr<std::vector<std::string>> certificates =
        CertificatesFromPem(pem);
    if (!certificates.ok() || certificates->size() != 1 ||
        (*certificates)[0] != signer.leaf_der) {
      return Mismatch("the logged certificate is not the bundle's");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<Verifier>> logged = LoadVerifier(pem);
  absl::StatusOr<std::unique_ptr<Verifier>> expected =
      VerifierFromSpkiDer(signer.spki_der);
  if (!logged.ok() || !expected.ok() ||
      (*logged)->public_key_pem() != (*expected)->public_key_pem()) {
    return Mismatch("the logged public key is not the verifier's");
  }
  return absl::OkStatus();
}

// Rekor v2 verifier: {keyDetails, x509Certificate{rawBytes} |
// publicKey{rawBytes}}.
absl::Status MatchV2Signer(const Struct& verifier,
                           const SignerMaterial& signer) {
  if (!signer.leaf_der.empty()) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string der, Base64At(verifier, {"x509Certificate", "rawBytes"}));
    if (der != signer.leaf_der) {
      return Mismatch("the logged certificate is not the bundle's");
    }
    return absl::OkStatus();
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::string der,
                             Base64At(verifier, {"publicKey", "rawBytes"}));
  if (der != signer.spki_der) {
    return Mismatch("the logged public key is not the verifier's");
  }
  return absl::OkStatus();
}

const Struct* StructIn(const Value& value) {
  return value.kind_case() == Value::kStructValue ? &value.struct_value()
                                                  : nullptr;
}

absl::Status MatchBody(const v1::TransparencyLogEntry& entry,
                       const SignerMaterial& signer,
                       const SignedContent& content) {
  const std::string& body_json = entry.canonicalized_body();
  if (body_json.empty()) return Mismatch("the entry has no body");
  if (body_json.size() > limits::kMaxRekorBodyBytes) {
    return absl::ResourceExhaustedError("tlog entry body is too large");
  }
  // Strictly: a body with a key given twice has two readings, and the log
  // and this verifier might take different ones.
  Struct body;
  MODELSEAL_RETURN_IF_ERROR(internal::ParseJson(
      body_json, limits::kMaxRekorBodyBytes, &body, "tlog entry body"));
  const std::string& kind = entry.kind_version().kind();
  const std::string& version = entry.kind_version().version();
  MODELSEAL_ASSIGN_OR_RETURN(std::string body_kind, StringAt(body, {"kind"}));
  MODELSEAL_ASSIGN_OR_RETURN(std::string body_version,
                             StringAt(body, {"apiVersion"}));
  if (body_kind != kind || body_version != version) {
    return Mismatch("kind or version differ from kindVersion");
  }

  if (kind == "hashedrekord" && version == "0.0.1") {
    if (content.dsse) return Mismatch("a hashedrekord entry for a DSSE bundle");
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string algorithm,
        StringAt(body, {"spec", "data", "hash", "algorithm"}));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string digest, StringAt(body, {"spec", "data", "hash", "value"}));
    if (algorithm != "sha256" || digest != Hex(content.message_digest)) {
      return Mismatch("the logged artifact digest differs");
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string signature,
        Base64At(body, {"spec", "signature", "content"}));
    if (signature != content.signature) {
      return Mismatch("the logged signature differs");
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string pem,
        Base64At(body, {"spec", "signature", "publicKey", "content"}));
    return MatchPemSigner(pem, signer);
  }

  if (kind == "hashedrekord" && version == "0.0.2") {
    // Rekor v2 logs DSSE as a hashedrekord over SHA-256(PAE).
    const std::string digest =
        content.dsse ? Sha256(DssePae(content.payload_type, content.payload))
                     : content.message_digest;
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string algorithm,
        StringAt(body, {"spec", "hashedRekordV002", "data", "algorithm"}));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string logged_digest,
        Base64At(body, {"spec", "hashedRekordV002", "data", "digest"}));
    if (algorithm != "SHA2_256" || logged_digest != digest) {
      return Mismatch("the logged digest differs");
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string signature,
        Base64At(body, {"spec", "hashedRekordV002", "signature", "content"}));
    if (signature != content.signature) {
      return Mismatch("the logged signature differs");
    }
    const Struct& spec = body.fields().at("spec").struct_value();
    const Struct& record = spec.fields().at("hashedRekordV002").struct_value();
    const Struct& signature_node =
        record.fields().at("signature").struct_value();
    auto verifier = signature_node.fields().find("verifier");
    if (verifier == signature_node.fields().end() ||
        StructIn(verifier->second) == nullptr) {
      return Mismatch("no signature.verifier");
    }
    return MatchV2Signer(*StructIn(verifier->second), signer);
  }

  if (!content.dsse) {
    return Mismatch(absl::StrCat("a ", kind, " entry for a messageSignature"));
  }
  const std::string payload_hash = Hex(Sha256(content.payload));

  if (kind == "dsse" && (version == "0.0.1" || version == "0.0.2")) {
    const bool v2 = version == "0.0.2";
    std::vector<std::pair<std::string, std::string>> logged;  // sig, signer
    if (v2) {
      MODELSEAL_ASSIGN_OR_RETURN(
          std::string algorithm,
          StringAt(body, {"spec", "dsseV002", "payloadHash", "algorithm"}));
      MODELSEAL_ASSIGN_OR_RETURN(
          std::string digest,
          Base64At(body, {"spec", "dsseV002", "payloadHash", "digest"}));
      if (algorithm != "SHA2_256" || Hex(digest) != payload_hash) {
        return Mismatch("the logged payload hash differs");
      }
    } else {
      MODELSEAL_ASSIGN_OR_RETURN(
          std::string algorithm,
          StringAt(body, {"spec", "payloadHash", "algorithm"}));
      MODELSEAL_ASSIGN_OR_RETURN(
          std::string digest, StringAt(body, {"spec", "payloadHash", "value"}));
      if (algorithm != "sha256" || digest != payload_hash) {
        return Mismatch("the logged payload hash differs");
      }
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        const google::protobuf::ListValue* signatures,
        v2 ? ListAt(body, {"spec", "dsseV002", "signatures"})
           : ListAt(body, {"spec", "signatures"}));
    // The bundle carries one signature; the entry must log exactly it.
    if (signatures->values_size() != 1 ||
        StructIn(signatures->values(0)) == nullptr) {
      return Mismatch("the entry does not log exactly one signature");
    }
    const Struct& logged_signature = *StructIn(signatures->values(0));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string signature,
        Base64At(logged_signature, {v2 ? "content" : "signature"}));
    if (signature != content.signature) {
      return Mismatch("the logged signature differs");
    }
    if (v2) {
      auto verifier = logged_signature.fields().find("verifier");
      if (verifier == logged_signature.fields().end() ||
          StructIn(verifier->second) == nullptr) {
        return Mismatch("no verifier");
      }
      return MatchV2Signer(*StructIn(verifier->second), signer);
    }
    MODELSEAL_ASSIGN_OR_RETURN(std::string pem,
                               Base64At(logged_signature, {"verifier"}));
    return MatchPemSigner(pem, signer);
  }

  if (kind == "intoto" && version == "0.0.2") {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string algorithm,
        StringAt(body, {"spec", "content", "payloadHash", "algorithm"}));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string digest,
        StringAt(body, {"spec", "content", "payloadHash", "value"}));
    if (algorithm != "sha256" || digest != payload_hash) {
      return Mismatch("the logged payload hash differs");
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string payload_type,
        StringAt(body, {"spec", "content", "envelope", "payloadType"}));
    if (payload_type != content.payload_type) {
      return Mismatch("the logged payload type differs");
    }
    // intoto v0.0.2 stores the envelope's base64 fields base64-encoded again.
    absl::StatusOr<std::string> payload =
        Base64At(body, {"spec", "content", "envelope", "payload"});
    if (payload.ok()) {
      absl::StatusOr<std::string> inner = util::Base64Decode(*payload);
      if (!inner.ok() || *inner != content.payload) {
        return Mismatch("the logged payload differs");
      }
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        const google::protobuf::ListValue* signatures,
        ListAt(body, {"spec", "content", "envelope", "signatures"}));
    if (signatures->values_size() != 1 ||
        StructIn(signatures->values(0)) == nullptr) {
      return Mismatch("the entry does not log exactly one signature");
    }
    const Struct& logged_signature = *StructIn(signatures->values(0));
    MODELSEAL_ASSIGN_OR_RETURN(std::string outer,
                               Base64At(logged_signature, {"sig"}));
    absl::StatusOr<std::string> signature = util::Base64Decode(outer);
    if (!signature.ok() || *signature != content.signature) {
      return Mismatch("the logged signature differs");
    }
    MODELSEAL_ASSIGN_OR_RETURN(std::string pem,
                               Base64At(logged_signature, {"publicKey"}));
    return MatchPemSigner(pem, signer);
  }
  return absl::UnauthenticatedError(
      absl::StrCat("unsupported tlog entry kind ", kind, " version ", version));
}

std::uint32_t KeyHint(absl::string_view key_id) {
  std::uint32_t hint = 0;
  for (std::size_t i = 0; i < 4 && i < key_id.size(); ++i) {
    hint = (hint << 8) | static_cast<std::uint8_t>(key_id[i]);
  }
  return hint;
}

// A checkpoint is a C2SP signed note; Rekor signs it with the log key
// (ECDSA over SHA-256 of the text for v1, Ed25519 for v2), naming the key by
// the log's host and a hint = the first four bytes of its (checkpoint) key ID.
absl::StatusOr<tlog::Checkpoint> VerifyRekorCheckpoint(absl::string_view note,
                                                       const LogKey& log) {
  MODELSEAL_ASSIGN_OR_RETURN(tlog::ParsedNote parsed, tlog::ParseNote(note));
  const std::uint32_t hint = KeyHint(log.checkpoint_key_id);
  bool verified = false;
  for (const tlog::ParsedNoteSignature& signature : parsed.signatures) {
    if (signature.name != log.host || signature.key_id != hint) continue;
    MODELSEAL_RETURN_IF_ERROR(
        Annotate(VerifyWithKey(log.key.get(), parsed.text, signature.signature,
                               /*prehashed=*/false),
                 "checkpoint signature"));
    verified = true;
  }
  if (!verified) {
    return absl::UnauthenticatedError(absl::StrCat(
        "checkpoint has no signature by the log '", log.host, "'"));
  }
  MODELSEAL_ASSIGN_OR_RETURN(tlog::Checkpoint checkpoint,
                             tlog::ParseCheckpoint(parsed.text));
  if (checkpoint.origin != log.host &&
      !absl::StartsWith(checkpoint.origin, absl::StrCat(log.host, " - "))) {
    return absl::UnauthenticatedError(
        absl::StrCat("checkpoint origin '", checkpoint.origin,
                     "' is not the log '", log.host, "'"));
  }
  return checkpoint;
}

absl::Status VerifyInclusionProof(const v1::TransparencyLogEntry& entry,
                                  const LogKey& log) {
  const v1::InclusionProof& proof = entry.inclusion_proof();
  if (proof.log_index() < 0 || proof.tree_size() <= 0) {
    return absl::InvalidArgumentError("inclusion proof has a negative index");
  }
  if (static_cast<std::size_t>(proof.hashes_size()) >
      limits::kMaxRekorProofHashes) {
    return absl::ResourceExhaustedError("inclusion proof is too long");
  }
  if (!proof.has_checkpoint() || proof.checkpoint().envelope().empty()) {
    return absl::UnauthenticatedError("inclusion proof has no checkpoint");
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      tlog::Checkpoint checkpoint,
      VerifyRekorCheckpoint(proof.checkpoint().envelope(), log));
  absl::StatusOr<tlog::Hash> root = tlog::HashFromBytes(proof.root_hash());
  if (!root.ok())
    return absl::InvalidArgumentError("root hash is not 32 bytes");
  if (checkpoint.size != static_cast<std::uint64_t>(proof.tree_size()) ||
      checkpoint.root != *root) {
    return absl::UnauthenticatedError(
        "the checkpoint is not for the inclusion proof's tree");
  }
  std::vector<tlog::Hash> hashes;
  for (const std::string& hash : proof.hashes()) {
    absl::StatusOr<tlog::Hash> parsed = tlog::HashFromBytes(hash);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError("proof hash is not 32 bytes");
    }
    hashes.push_back(*parsed);
  }
  absl::Status included = tlog::VerifyInclusion(
      tlog::HashLeaf(entry.canonicalized_body()),
      static_cast<std::uint64_t>(proof.log_index()),
      static_cast<std::uint64_t>(proof.tree_size()), hashes, *root);
  if (!included.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("inclusion proof does not verify: ", included.message()));
  }
  return absl::OkStatus();
}

// The SET: the log's signature over the canonical JSON (RFC 8785 key order)
// of {body, integratedTime, logID, logIndex} (rekor pkg/api/entries.go).
absl::Status VerifySignedEntryTimestamp(const v1::TransparencyLogEntry& entry,
                                        const LogKey& log) {
  const std::string payload = absl::StrCat(
      R"({"body":")", util::Base64Encode(entry.canonicalized_body()),
      R"(","integratedTime":)", entry.integrated_time(), R"(,"logID":")",
      Hex(entry.log_id().key_id()), R"(","logIndex":)", entry.log_index(), "}");
  return Annotate(
      VerifyWithKey(log.key.get(), payload,
                    entry.inclusion_promise().signed_entry_timestamp(),
                    /*prehashed=*/false),
      "signed entry timestamp");
}

}  // namespace

absl::StatusOr<VerifiedEntry> VerifyTlogEntry(
    const v1::TransparencyLogEntry& entry, const TrustedRoot::Impl& root,
    const SignerMaterial& signer, const SignedContent& content,
    int bundle_minor, std::optional<std::int64_t> timestamp_time) {
  if (entry.log_index() < 0 || entry.integrated_time() < 0) {
    return absl::InvalidArgumentError(
        "tlog entry has a negative log index or integrated time");
  }
  const LogKey* log = nullptr;
  for (const LogKey& candidate : root.tlogs) {
    if (candidate.key_id == entry.log_id().key_id()) log = &candidate;
  }
  if (log == nullptr) {
    return absl::NotFoundError(absl::StrCat("tlog entry's log ",
                                            Hex(entry.log_id().key_id()),
                                            " is not in the trusted root"));
  }
  const std::string& version = entry.kind_version().version();
  const bool rekor_v2 =
      version == "0.0.2" && (entry.kind_version().kind() == "hashedrekord" ||
                             entry.kind_version().kind() == "dsse");
  VerifiedEntry verified;
  verified.log_index = static_cast<std::uint64_t>(entry.log_index());
  verified.log_id = entry.log_id().key_id();

  // The time the log key must be valid at.
  std::int64_t log_time = 0;
  if (rekor_v2) {
    if (!timestamp_time.has_value()) {
      return absl::UnauthenticatedError(
          "a Rekor v2 entry has no integrated time: an RFC 3161 timestamp is "
          "required");
    }
    log_time = *timestamp_time;
  } else {
    if (entry.integrated_time() == 0) {
      return absl::UnauthenticatedError("tlog entry has no integrated time");
    }
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    if (entry.integrated_time() > now + limits::kMaxSigstoreClockSkewSeconds) {
      return absl::UnauthenticatedError(
          "tlog entry's integrated time is in the future");
    }
    log_time = entry.integrated_time();
    verified.integrated_time = entry.integrated_time();
  }
  if (!log->validity.Contains(log_time)) {
    return absl::UnauthenticatedError(
        absl::StrCat("the log key of '", log->base_url,
                     "' was not valid at the entry's time ", log_time));
  }
  MODELSEAL_RETURN_IF_ERROR(MatchBody(entry, signer, content));

  const bool has_set =
      !entry.inclusion_promise().signed_entry_timestamp().empty();
  const bool has_proof = entry.has_inclusion_proof();
  if (rekor_v2 && has_set) {
    return absl::InvalidArgumentError(
        "a Rekor v2 entry has an inclusion promise");
  }
  if (has_set)
    MODELSEAL_RETURN_IF_ERROR(VerifySignedEntryTimestamp(entry, *log));
  // Bundle v0.1 needs the SET; v0.2 and later need the inclusion proof.
  if (bundle_minor == 1 && !has_set) {
    return absl::UnauthenticatedError(
        "a v0.1 bundle's tlog entry has no signed entry timestamp");
  }
  if ((bundle_minor >= 2 || rekor_v2) && !has_proof) {
    return absl::UnauthenticatedError("tlog entry has no inclusion proof");
  }
  if (has_proof) MODELSEAL_RETURN_IF_ERROR(VerifyInclusionProof(entry, *log));
  return verified;
}

}  // namespace modelseal::sigstore::internal
