// The OpenSSF Model Signing (OMS) v1.0 wire format, read and written:
// a Sigstore bundle v0.3 holding one DSSE envelope whose payload is an
// in-toto v1 Statement with the predicate https://model_signing/signature/v1.0.
//
// Reading is strict and bounded: unknown fields anywhere, wrong media,
// payload, statement or predicate types, anything but exactly one subject and
// one signature, empty or duplicate resources, malformed digests and unsafe
// resource names are kInvalidArgument with a message saying which. Bundles
// of model_signing <= 1.0.1 (publicKey.rawBytes/keyDetails, null keyid, no
// tlogEntries) are accepted on read and never written.
//
// Bundles of model_signing v0.2 (predicate https://model_signing/Digests/v0.1,
// one in-toto subject per file, signed over that release's own PAE
// encoding) are read through LegacyV020Pae and ParseLegacyDigestsStatement
// only; that shape is never written.
//
// Parsing checks structure only; the DSSE signature is checked by
// model_signing.h before the statement is trusted.
#ifndef MODELSEAL_OMS_BUNDLE_H_
#define MODELSEAL_OMS_BUNDLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/model_serialization.h"

namespace modelseal {

inline constexpr absl::string_view kBundleMediaType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr absl::string_view kInTotoPayloadType =
    "application/vnd.in-toto+json";
inline constexpr absl::string_view kStatementType =
    "https://in-toto.io/Statement/v1";
inline constexpr absl::string_view kOmsPredicateType =
    "https://model_signing/signature/v1.0";

inline constexpr absl::string_view kLegacyDigestsPredicateType =
    "https://model_signing/Digests/v0.1";

// The DSSE pre-authentication encoding (DSSE v1 protocol):
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload.
std::string DssePae(absl::string_view payload_type, absl::string_view payload);

// The statement of a model digest, as the exact payload bytes we sign.
// Resource algorithms are written as the bare hash name for both methods,
// as the OMS predicate schema requires.
std::string BuildStatementPayload(const ModelDigest& digest);

// What a verified statement says.
struct Statement {
  // Read from a model_signing v0.2 statement: no model subject
  // (subject_name is empty; subject_digest is computed from the resources)
  // and no recorded ignore paths.
  bool legacy_v0_2 = false;
  std::string subject_name;
  std::vector<std::uint8_t> subject_digest;  // 32 bytes
  SerializationOptions serialization;
  std::vector<ResourceDigest> resources;  // in payload order
};

// Parses and checks payload bytes (UTF-8 JSON). Besides the structure, it
// checks that every resource name is a safe relative path (no "..", no
// absolute path, no empty component; "." only as the sole resource),
// that digests are lower-case hex of the algorithm's length, that names are
// unique, and that the subject digest equals the root digest of the
// resources.
absl::StatusOr<Statement> ParseStatement(absl::string_view payload);

// The encoding model_signing v0.2.0 signed instead of the DSSE PAE:
// "DSSEV1" SP len(type) SP type SP len(payload) SP repr(payload), where
// repr is Python's bytes literal (b'...' with escapes). Its upper-case "V"
// means no such message is ever a valid DSSE PAE, so accepting it cannot
// make a v1 signature mean something else. Verification only.
std::string LegacyV020Pae(absl::string_view payload_type,
                          absl::string_view payload);

// Parses a v0.2 statement (kLegacyDigestsPredicateType): every subject is a
// file whose name passes the same path checks as a v1.0 resource, with one
// sha256 digest and annotations.actual_hash_algorithm "file-sha256" (the
// only method this predicate used for files). The result is a files/sha256
// statement, resources sorted by name.
absl::StatusOr<Statement> ParseLegacyDigestsStatement(
    absl::string_view payload);

// Splits a shards resource name "path:start:end"; kInvalidArgument if it is
// not one (start < end, decimal, no leading zeros).
struct ShardName {
  std::string path;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};
absl::StatusOr<ShardName> ParseShardName(absl::string_view name);

// A parsed bundle.
struct Bundle {
  std::string payload;       // DSSE payload bytes (decoded)
  std::string payload_type;  // always kInTotoPayloadType after parsing
  std::string signature;     // the one DSSE signature (decoded)
  // Key method: the hint (may be empty in old bundles) and, for old bundles,
  // the embedded public key PEM.
  std::string public_key_hint;
  std::string embedded_public_key_pem;
  // Certificate method: DER certificates, leaf first.
  std::vector<std::string> certificate_chain_der;
  // Transparency log entries, kept verbatim (canonical JSON of each) so
  // that a bundle can be rewritten without loss.
  std::vector<std::string> tlog_entries_json;
};

absl::StatusOr<Bundle> ParseBundle(absl::string_view json);

// Compact JSON for a bundle (key hint or certificate chain, tlogEntries
// always present). The signature and payload are base64 with padding.
std::string WriteBundle(const Bundle& bundle);

}  // namespace modelseal

#endif  // MODELSEAL_OMS_BUNDLE_H_
