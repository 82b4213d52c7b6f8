// Sigstore keyless verification, offline: a bundle (v0.1, v0.2 or v0.3) with a
// Fulcio certificate, Rekor entries and optional RFC 3161 timestamps, checked
// against a trusted root (dev.sigstore.trustedroot.v0.1+json) and an expected
// signer identity.
//
// What VerifyKeylessBundle() checks, all of it, failing closed:
//  1. The bundle parses (protobuf JSON mapping, unknown fields rejected), its
//     media type is a bundle v0.1-v0.3 and it carries exactly one signature
//     (a DSSE envelope or a messageSignature) and a certificate.
//  2. Signing time: every tlog entry verifies (see 5) and gives a time (Rekor
//     v1 integrated time), and every RFC 3161 timestamp verifies against a
//     timestamp authority of the root; at least one time is required. Each
//     time must lie inside the leaf's validity; the chain and the CA are
//     checked at each.
//  3. Certificate: the leaf chains (intermediates from the bundle and the
//     root) to a Fulcio CA of the trusted root whose validity contains the
//     signing time; it has the code-signing EKU; a bundle chain holding a
//     self-signed certificate is refused; at least one embedded SCT verifies
//     against a CT log key of the root valid at the SCT's time.
//  4. Identity: a SAN (e-mail or URI) equals `subject` (or fully matches
//     `subject_regexp`) and the Fulcio issuer extension (OID
//     1.3.6.1.4.1.57264.1.8, else 1.3.6.1.4.1.57264.1.1) equals `issuer` (or
//     fully matches `issuer_regexp`).
//  5. Rekor: the log is chosen by log ID from the root and its key must be
//     valid at the entry's time; the canonicalized body (hashedrekord, dsse,
//     intoto for Rekor v1; hashedrekord, dsse 0.0.2 for Rekor v2) must match
//     the bundle's signature, certificate and digests; a Rekor v1 signed
//     entry timestamp must verify when present (required in v0.1 bundles);
//     an inclusion proof must lead to the root of a checkpoint signed by the
//     log (required from v0.2 on, and always for Rekor v2).
//  6. The signature verifies with the leaf key over the DSSE PAE or the
//     artifact digest; the artifact digest, when given, must equal the
//     messageSignature digest or one of the in-toto statement's sha256
//     subject digests.
//
// Errors: kInvalidArgument for a malformed bundle, root or identity;
// kUnauthenticated for any failed check, with the reason; kResourceExhausted
// for a limit of limits.h. Everything here is thread-safe: TrustedRoot is
// immutable and cheap to copy (shared state).
#ifndef MODELSEAL_SIGSTORE_H_
#define MODELSEAL_SIGSTORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"

namespace modelseal::sigstore {

// The signer a verifier expects. Exactly one of `subject` / `subject_regexp`
// and exactly one of `issuer` / `issuer_regexp` must be set (kInvalidArgument
// otherwise: "any identity" is never the default). Regular expressions are
// ECMAScript (std::regex) and must match the whole value. They come from the
// verifier, not from the bundle, so their cost is the verifier's choice;
// they are bounded by limits::kMaxIdentityPatternBytes.
struct CertificateIdentity {
  std::string subject;
  std::string subject_regexp;
  std::string issuer;
  std::string issuer_regexp;

  absl::Status Validate() const;
};

// Sigstore trust material: Fulcio CAs, Rekor logs, CT logs and timestamp
// authorities, each with its validity window (closed interval; a missing
// start is an error, a missing end means "still valid").
class TrustedRoot {
 public:
  // Parses trusted root JSON. kInvalidArgument for malformed JSON, unknown
  // fields, a wrong media type, undecodable keys or certificates in CAs and
  // Rekor logs, or a validity window without a start. CT log keys that
  // OpenSSL cannot load (e.g. PKCS#1 RSA) are skipped.
  static absl::StatusOr<TrustedRoot> Parse(absl::string_view json);

  // The Sigstore public-good production root embedded at build time (see
  // docs/sigstore.md for its source, date and how to refresh it).
  static absl::StatusOr<TrustedRoot> PublicGood();

  struct Impl;  // defined in lib/sigstore/internal.h
  const Impl& impl() const { return *impl_; }

 private:
  explicit TrustedRoot(std::shared_ptr<const Impl> impl)
      : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// What a verified bundle says.
struct KeylessVerification {
  // DSSE bundles: the verified envelope.
  std::string payload_type;
  std::string payload;
  // messageSignature bundles: the signed digest (32 raw bytes).
  std::string message_digest_sha256;
  // The identity that matched (keyless only).
  std::string san;
  std::string issuer;
  // The first verified tlog entry (0 / empty when there is none).
  std::uint64_t log_index = 0;
  std::int64_t integrated_time = 0;  // Unix seconds; 0 for Rekor v2
  std::string log_id_hex;
  // The signing time used for the certificate checks (Unix seconds).
  std::int64_t signing_time = 0;
  // Where signing_time came from: "tlog" or "rfc3161".
  std::string signing_time_source;
  // DER of the leaf certificate (keyless only).
  std::string leaf_certificate_der;
  // Key-based verification only: tlog entries whose log is not in the trusted
  // root, which were therefore not checked.
  int unchecked_tlog_entries = 0;
};

// True when `bundle_json` is a Sigstore bundle whose leaf certificate carries
// a Fulcio OIDC issuer extension: a keyless bundle, as opposed to a key-hint
// bundle or a certificate bundle from a private CA. Never fails: anything
// unparsable is "not keyless".
bool IsKeylessBundle(absl::string_view bundle_json);

// Full offline keyless verification (see the list at the top).
// `artifact_sha256`: 32 raw bytes or empty. Required for messageSignature
// bundles; for DSSE bundles, when given, it must be a subject digest of the
// in-toto statement (empty: the caller checks the statement itself).
absl::StatusOr<KeylessVerification> VerifyKeylessBundle(
    absl::string_view bundle_json, const TrustedRoot& root,
    const CertificateIdentity& identity,
    absl::string_view artifact_sha256 = {});

// Key-based verification of a Sigstore bundle (public key hint, or any
// bundle when the caller pins the key): the signature must verify with `key`;
// a bundle certificate, if any, is ignored. Tlog entries from logs in `root`
// are fully verified (body matches `key`, SET/proof/checkpoint); entries of
// other logs are counted in unchecked_tlog_entries. `artifact_sha256` as for
// VerifyKeylessBundle.
absl::StatusOr<KeylessVerification> VerifyKeyedBundle(
    absl::string_view bundle_json, const Verifier& key, const TrustedRoot& root,
    absl::string_view artifact_sha256 = {});

}  // namespace modelseal::sigstore

#endif  // MODELSEAL_SIGSTORE_H_
