// Plumbing shared by the crypto backends (internal to lib/crypto).
//
// - Owning pointers for OpenSSL objects, one deleter per type, so that no
//   object outlives an early return.
// - OpenSslError(): turns the thread's OpenSSL error queue into the message
//   of an absl::Status, and empties the queue.
// - A strict PEM reader (RFC 7468 "strict" text, RFC 1421 headers): the
//   encapsulation boundaries must match, the base64 must be canonical and
//   padded, and nothing but blank lines may follow the last block. Text
//   before the first block is ignored, as certtool writes some there.
// - The backend factories keys.cc dispatches to. They trust their caller to
//   have checked the key type (KeyTypeOf) and computed the public key PEM.
//
// Defined in keys.cc unless noted.
#ifndef MODELSEAL_CRYPTO_OPENSSL_UTIL_H_
#define MODELSEAL_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"
#include "modelseal/limits.h"

namespace modelseal::crypto_internal {

// Crypto bounds live in limits.h with every other bound.
using limits::kMaxCertificateChainDepth;
using limits::kMaxEcdsaSignatureBytes;
using limits::kMaxIntermediateCertificates;
using limits::kMaxPassphraseBytes;
using limits::kMaxRootCertificates;

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* object) const { Free(object); }
};

// BIO_free returns int, so it cannot be a Free above.
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const {
    sk_X509_pop_free(stack, X509_free);
  }
};

using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using EvpPkeyPtr =
    std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX,
                    OpenSslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr =
    std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using X509StorePtr =
    std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX,
                    OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

inline const unsigned char* Bytes(absl::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

// d2i_* functions take the input length as a long; callers bound it first.
inline long DerLength(absl::string_view der) {  // NOLINT(google-runtime-int)
  return static_cast<long>(der.size());         // NOLINT(google-runtime-int)
}

// A Status with `code` and `what`, followed by the reasons OpenSSL queued
// (at most a few). Always leaves the thread's error queue empty.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what);

// Empties the thread's OpenSSL error queue when it goes out of scope, so that
// an entry point leaves no stale reasons behind for unrelated code, even on
// success (OpenSSL's decoders queue errors for the formats they tried).
class ClearOpenSslErrorsOnExit {
 public:
  ClearOpenSslErrorsOnExit() { ERR_clear_error(); }
  ~ClearOpenSslErrorsOnExit() { ERR_clear_error(); }
  ClearOpenSslErrorsOnExit(const ClearOpenSslErrorsOnExit&) = delete;
  ClearOpenSslErrorsOnExit& operator=(const ClearOpenSslErrorsOnExit&) = delete;
};

struct PemBlock {
  std::string label;                       // "PUBLIC KEY", "CERTIFICATE", ...
  std::vector<absl::string_view> headers;  // "Proc-Type: 4,ENCRYPTED", ...
  std::vector<absl::string_view> body;     // base64 lines, trailing WSP cut
  absl::string_view text;                  // BEGIN line through END line
};

// Every block in `input`, with the text between blocks ignored. Fails with
// kInvalidArgument on a malformed block (unterminated, mismatched END,
// headers without the blank line, blank lines in the body), and with
// kResourceExhausted for input above limits::kMaxSmallFileBytes.
absl::StatusOr<std::vector<PemBlock>> ParsePemBlocks(absl::string_view input);

// The one block of a key file: text may precede it, only blank lines may
// follow it. `what` names the expected contents in error messages.
absl::StatusOr<PemBlock> ParseSinglePemBlock(absl::string_view input,
                                             absl::string_view what);

// Decodes the block body (canonical padded base64, RFC 4648 §4) into `der`;
// with `der` null it only checks the body.
absl::Status DecodePemBody(const PemBlock& block, std::string* der);

// The supported type of `key`: Ed25519, or EC on a named P-256/P-384/P-521
// curve. kInvalidArgument for anything else (RSA, other curves, explicit
// curve parameters).
absl::StatusOr<KeyType> KeyTypeOf(const EVP_PKEY* key);

// PEM_write_bio_PUBKEY output, the text `openssl pkey -pubout` prints.
absl::StatusOr<std::string> PublicKeyPem(const EVP_PKEY* key);
// The same text for the 32 raw bytes of an Ed25519 public key.
std::string Ed25519PublicKeyPem(absl::string_view raw);

// A verifier for the public half of `key` (checked with KeyTypeOf and
// EVP_PKEY_public_check). Used for SPKI input and for certificate leaves.
absl::StatusOr<std::unique_ptr<Verifier>> VerifierFromKey(EvpPkeyPtr key);

// Backends, in ecdsa_openssl.cc and ed25519_sodium.cc.
absl::StatusOr<std::unique_ptr<Verifier>> NewEcdsaVerifier(
    EvpPkeyPtr key, KeyType type, std::string public_pem);
absl::StatusOr<std::unique_ptr<Signer>> NewEcdsaSigner(EvpPkeyPtr key,
                                                       KeyType type,
                                                       std::string public_pem);
absl::StatusOr<std::unique_ptr<Verifier>> NewEd25519Verifier(
    const EVP_PKEY& key, std::string public_pem);
// From the 32 raw bytes of an RFC 8032 public key.
absl::StatusOr<std::unique_ptr<Verifier>> NewEd25519VerifierFromRaw(
    absl::string_view public_key, std::string public_pem);
absl::StatusOr<std::unique_ptr<Signer>> NewEd25519Signer(
    const EVP_PKEY& key, std::string public_pem);
// From the 32-byte RFC 8032 seed (the private key).
absl::StatusOr<std::unique_ptr<Signer>> NewEd25519SignerFromSeed(
    absl::string_view seed);

// Runs sodium_init() once per process (ed25519_sodium.cc).
absl::Status EnsureSodiumInitialized();

}  // namespace modelseal::crypto_internal

#endif  // MODELSEAL_CRYPTO_OPENSSL_UTIL_H_
