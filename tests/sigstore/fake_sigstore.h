// A fake Sigstore instance for tests: a Fulcio root + intermediate issuing
// leaf certificates with the Sigstore extensions and an embedded SCT from a
// test CT log, a Rekor v1 log (ECDSA P-256; SET + inclusion proof +
// checkpoint) and a Rekor v2 log (Ed25519; proof + checkpoint) with an RFC
// 3161 timestamp authority. Everything is generated at test time; nothing is
// a stored vector. Tests edit the returned protobuf messages to break one
// thing at a time.
#ifndef MODELSEAL_TESTS_SIGSTORE_FAKE_SIGSTORE_H_
#define MODELSEAL_TESTS_SIGSTORE_FAKE_SIGSTORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "modelseal/v1/sigstore.pb.h"

namespace modelseal::sigstore::testing {

inline constexpr char kTestIdentity[] = "signer@example.com";
inline constexpr char kTestIssuer[] = "https://issuer.example.com";
// 2025-01-01T00:00:00Z: when the fake CA, logs and TSA start.
inline constexpr std::int64_t kEpoch = 1735689600;

struct LeafOptions {
  std::string san = kTestIdentity;  // e-mail, or a URI when it has "://"
  std::string issuer = kTestIssuer;
  bool issuer_v1 = true;  // raw-string extension 1.3.6.1.4.1.57264.1.1
  bool issuer_v2 = true;  // UTF8String extension 1.3.6.1.4.1.57264.1.8
  bool code_signing = true;
  bool with_sct = true;
  bool sct_signed_by_stranger = false;  // SCT signed by a key not in the root
  std::int64_t not_before = kEpoch + 1000;
  std::int64_t lifetime = 600;  // Fulcio's ten minutes
};

struct BundleOptions {
  bool dsse = true;  // else messageSignature over `artifact`
  std::string artifact = "hello, sigstore\n";
  // DSSE only: the exact payload to sign (an OMS model statement, say);
  // empty: an in-toto statement whose one subject is `artifact`.
  std::string dsse_payload;
  bool rekor_v2 = false;  // Rekor v2 (hashedrekord 0.0.2) + RFC 3161
  int bundle_minor = 3;   // 1, 2 or 3
  bool with_set = true;   // Rekor v1 only
  bool with_proof = true;
  bool chain_form = false;  // x509CertificateChain instead of certificate
  std::int64_t integrated_time = kEpoch + 1100;  // inside the leaf's life
  LeafOptions leaf;
};

class FakeSigstore {
 public:
  static std::unique_ptr<FakeSigstore> Create();
  ~FakeSigstore();

  // A complete, valid bundle unless the options say otherwise.
  v1::sigstore::Bundle MakeBundle(const BundleOptions& options);
  // The trust material for this instance (all logs and CAs valid from
  // kEpoch, without an end).
  v1::sigstore::TrustedRoot MakeTrustedRoot() const;

  // SHA-256 of the options' artifact, and of a DSSE bundle's statement
  // subject (the same artifact).
  static std::string ArtifactSha256(const BundleOptions& options);

  // Re-signs the Rekor v1 SET of `entry` (after a test edited its time).
  void ResignSet(v1::TransparencyLogEntry* entry);
  // The leaf certificate of the most recent MakeBundle().
  const std::string& last_leaf_der() const;

  struct Impl;

 private:
  explicit FakeSigstore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::string ToJson(const google::protobuf::Message& message);

}  // namespace modelseal::sigstore::testing

#endif  // MODELSEAL_TESTS_SIGSTORE_FAKE_SIGSTORE_H_
