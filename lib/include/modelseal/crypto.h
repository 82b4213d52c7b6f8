// Keys, signers and verifiers: the cryptography behind OMS signatures.
//
// Key types are the OpenSSF Model Signing set (ECDSA P-256/P-384/P-521, with
// the hash following the curve: SHA-256/384/512, DER signatures) plus Ed25519
// (raw 64-byte signatures; a modelseal extension that OMS verifiers reject).
// ECDSA and X.509 use OpenSSL; Ed25519 signs and verifies with libsodium.
//
// Private keys are PKCS#8 PEM, optionally passphrase-encrypted (AES-256-CBC
// with PBKDF2, readable by `openssl pkey -passin`); public keys are SPKI PEM.
// Secret material is held in SecretString, wiped on destruction.
//
// Every object that exists is valid: constructors are private behind
// factories returning StatusOr. Verify() returns kUnauthenticated for a
// signature that does not verify and kInvalidArgument for one that cannot be
// parsed; anything unexpected fails closed. All objects are immutable and
// thread-safe after creation.
#ifndef MODELSEAL_CRYPTO_H_
#define MODELSEAL_CRYPTO_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal {

// A std::string whose bytes are wiped (sodium_memzero) when destroyed or
// reassigned. Move-only.
class SecretString {
 public:
  SecretString() = default;
  // Takes the bytes of `value` and wipes the moved-from string, which may
  // still hold them (short strings are copied, not moved).
  explicit SecretString(std::string&& value);
  ~SecretString();
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

// Constant-time equality of two byte strings (lengths are not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

enum class KeyType { kEcdsaP256, kEcdsaP384, kEcdsaP521, kEd25519 };

// "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519".
absl::string_view KeyTypeName(KeyType type);
absl::StatusOr<KeyType> ParseKeyType(absl::string_view name);

class Verifier {
 public:
  virtual ~Verifier() = default;
  // OK only if `signature` is a valid signature of `data` by this key.
  virtual absl::Status Verify(absl::string_view data,
                              absl::string_view signature) const = 0;
  virtual KeyType key_type() const = 0;
  // SPKI PEM exactly as `openssl pkey -pubin -outform PEM` prints it.
  virtual const std::string& public_key_pem() const = 0;
  // Lower-case hex SHA-256 of public_key_pem(): the OMS key hint.
  std::string Hint() const;
  // ECDSA keys only: verifies over SHA-256 whatever the curve, as
  // model_signing v0.2 signed with P-384 and P-521 keys; used only for that
  // release's bundles (oms_bundle.h LegacyV020Pae). kUnauthenticated for
  // other key types.
  virtual absl::Status VerifyWithSha256(absl::string_view data,
                                        absl::string_view signature) const;
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual absl::StatusOr<std::string> Sign(absl::string_view data) const = 0;
  virtual KeyType key_type() const = 0;
  virtual const std::string& public_key_pem() const = 0;
  // A verifier for this signer's public key.
  virtual absl::StatusOr<std::unique_ptr<Verifier>> MakeVerifier() const = 0;
};

struct KeyPairPem {
  SecretString private_pem;  // PKCS#8, encrypted when a passphrase was given
  std::string public_pem;    // SPKI
};

// A fresh key pair. With a passphrase the private key is encrypted PKCS#8.
absl::StatusOr<KeyPairPem> GenerateKeyPair(
    KeyType type, const std::optional<SecretString>& passphrase);

// Loads a PKCS#8 (or traditional EC) private key PEM. An encrypted key needs
// the passphrase (kInvalidArgument without it, kUnauthenticated for a wrong
// one). Unsupported key types (RSA, other curves) are kInvalidArgument.
absl::StatusOr<std::unique_ptr<Signer>> LoadSigner(
    absl::string_view private_pem,
    const std::optional<SecretString>& passphrase);

// Loads an SPKI public key PEM. Tolerates text before the PEM block (as
// `certtool` writes) but nothing malformed inside it; a certificate PEM is
// refused (use VerifyCertificateChain).
absl::StatusOr<std::unique_ptr<Verifier>> LoadVerifier(
    absl::string_view public_pem);

// Builds a verifier from DER SubjectPublicKeyInfo bytes.
absl::StatusOr<std::unique_ptr<Verifier>> VerifierFromSpkiDer(
    absl::string_view der);

// Parses every "-----BEGIN CERTIFICATE-----" block in `pem` to DER.
absl::StatusOr<std::vector<std::string>> CertificatesFromPem(
    absl::string_view pem);

// Verifies `leaf_der` against `roots_der` through `intermediates_der`, at
// time `at` (validity periods enforced for the whole chain), requiring the
// leaf's key usage to allow digitalSignature when present. Returns a verifier
// for the leaf's public key. kUnauthenticated when the chain does not verify
// (wrong CA, expired, missing intermediate), kInvalidArgument for unparsable
// certificates.
absl::StatusOr<std::unique_ptr<Verifier>> VerifyCertificateChain(
    absl::string_view leaf_der,
    const std::vector<std::string>& intermediates_der,
    const std::vector<std::string>& roots_der, std::time_t at);

// The names a certificate carries, for matching it against an expected
// identity: the subject as an RFC 2253 string ("CN=Release,O=IBM") and the
// subject alternative names by kind. kInvalidArgument for unparsable DER.
// Reading names proves nothing by itself: match them only on a certificate
// whose chain VerifyCertificateChain accepted.
struct CertificateNames {
  std::string subject;
  std::vector<std::string> email_sans;
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
};
absl::StatusOr<CertificateNames> ReadCertificateNames(absl::string_view der);

}  // namespace modelseal

#endif  // MODELSEAL_CRYPTO_H_
