// Internals of lib/sigstore shared by its files: the parsed trusted root and
// the checks each file implements. Not installed.
#ifndef MODELSEAL_SIGSTORE_INTERNAL_H_
#define MODELSEAL_SIGSTORE_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_util.h"
#include "modelseal/sigstore.h"
#include "modelseal/v1/sigstore.pb.h"

namespace modelseal::sigstore {

// A closed validity window in Unix seconds; no end = open.
struct Validity {
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  bool Contains(std::int64_t t) const {
    return t >= start && (!end.has_value() || t <= *end);
  }
};

// A Rekor log or CT log key.
struct LogKey {
  std::string base_url;
  std::string host;               // base_url without scheme or path
  std::string key_id;             // raw log ID bytes (trusted root logId.keyId)
  std::string checkpoint_key_id;  // checkpointKeyId, else key_id
  std::string spki_der;
  std::string key_details;  // PublicKeyDetails name
  Validity validity;
  crypto_internal::EvpPkeyPtr key;  // null when OpenSSL cannot load it
};

// A Fulcio CA or a timestamp authority: certificates leaf-most first.
struct Authority {
  std::string uri;
  std::vector<std::string> chain_der;
  Validity validity;
};

}  // namespace modelseal::sigstore

struct modelseal::sigstore::TrustedRoot::Impl {
  std::vector<LogKey> tlogs;
  std::vector<LogKey> ctlogs;
  std::vector<Authority> certificate_authorities;
  std::vector<Authority> timestamp_authorities;
};

namespace modelseal::sigstore::internal {

// Strict protobuf JSON parsing (unknown fields rejected), bounded by `limit`.
absl::Status ParseJson(absl::string_view json, std::size_t limit,
                       google::protobuf::Message* message,
                       absl::string_view what);

// Verifies a DER signature (ECDSA) or a raw one (Ed25519) by `key` over
// `data`, hashing with SHA-256 for EC keys unless `prehashed`, in which case
// `data` is already the digest. kUnauthenticated when it does not verify.
absl::Status VerifyWithKey(EVP_PKEY* key, absl::string_view data,
                           absl::string_view signature, bool prehashed);

// The signer: either a leaf certificate or a caller's public key.
struct SignerMaterial {
  std::string leaf_der;  // empty for key-based
  std::string spki_der;  // always set
  crypto_internal::EvpPkeyPtr key;
};

// What the signature covers, for matching tlog bodies.
struct SignedContent {
  bool dsse = false;
  std::string signature;       // raw bytes
  std::string message_digest;  // messageSignature: digest (SHA-256)
  std::string payload;         // DSSE
  std::string payload_type;    // DSSE
};

// A verified tlog entry.
struct VerifiedEntry {
  std::uint64_t log_index = 0;
  std::optional<std::int64_t> integrated_time;  // Rekor v1 only
  std::string log_id;
};

// Verifies one entry completely (log key by ID and its validity, body match,
// SET, inclusion proof and checkpoint). `bundle_minor` is 1, 2 or 3.
// `timestamp_time` (a verified RFC 3161 time) is the time a Rekor v2 log key
// must be valid at; Rekor v1 entries use their integrated time.
// kNotFound when the log ID is not in `root` (callers decide).
absl::StatusOr<VerifiedEntry> VerifyTlogEntry(
    const v1::TransparencyLogEntry& entry, const TrustedRoot::Impl& root,
    const SignerMaterial& signer, const SignedContent& content,
    int bundle_minor, std::optional<std::int64_t> timestamp_time);

// Verifies an RFC 3161 timestamp response over `signature` against the
// root's timestamp authorities; returns its genTime (Unix seconds).
absl::StatusOr<std::int64_t> VerifyRfc3161Timestamp(
    absl::string_view response_der, absl::string_view signature,
    const TrustedRoot::Impl& root);

// Fulcio certificate checks at `signing_time`: chain to a CA of the root
// valid then, code-signing EKU, no self-signed certificate in the bundle
// chain. Returns the issuer certificate (DER) of the leaf on the verified
// path.
absl::StatusOr<std::string> VerifyFulcioChain(
    absl::string_view leaf_der, const std::vector<std::string>& bundle_chain,
    const TrustedRoot::Impl& root, std::int64_t signing_time);

// At least one embedded SCT of the leaf verifies against a CT log of the root.
absl::Status VerifyEmbeddedScts(absl::string_view leaf_der,
                                absl::string_view issuer_der,
                                const TrustedRoot::Impl& root);

// The leaf's e-mail and URI SANs and its Fulcio OIDC issuer.
struct FulcioIdentity {
  std::vector<std::string> sans;
  std::string issuer;  // empty when the certificate has none
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  std::string spki_der;
};
absl::StatusOr<FulcioIdentity> ReadFulcioIdentity(absl::string_view leaf_der);

// d2i_X509 with the whole input consumed.
absl::StatusOr<crypto_internal::X509Ptr> ParseDerCertificate(
    absl::string_view der, absl::string_view role);

// "a1b2..." of raw bytes.
std::string Hex(absl::string_view bytes);
std::string Sha256(absl::string_view data);

}  // namespace modelseal::sigstore::internal

#endif  // MODELSEAL_SIGSTORE_INTERNAL_H_
