// Ed25519 (RFC 8032, pure: the message is signed as is) with libsodium.
// OpenSSL only parses and writes the PKCS#8/SPKI containers (RFC 8410); the
// raw 32-byte seed and public key go to crypto_sign_*. libsodium's verifier
// also refuses non-canonical and small-order encodings.
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_util.h"
#include "modelseal/crypto.h"
#include "modelseal/status.h"

namespace modelseal::crypto_internal {
namespace {

using PublicKeyBytes = std::array<unsigned char, crypto_sign_PUBLICKEYBYTES>;

absl::StatusOr<PublicKeyBytes> RawPublicKey(const EVP_PKEY& key) {
  PublicKeyBytes public_key;
  std::size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(&key, public_key.data(), &length) != 1 ||
      length != public_key.size()) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "cannot read the Ed25519 public key");
  }
  return public_key;
}

class Ed25519Verifier final : public Verifier {
 public:
  static absl::StatusOr<std::unique_ptr<Verifier>> Create(
      const EVP_PKEY& key, std::string public_pem) {
    MODELSEAL_RETURN_IF_ERROR(EnsureSodiumInitialized());
    MODELSEAL_ASSIGN_OR_RETURN(const PublicKeyBytes public_key,
                               RawPublicKey(key));
    return std::unique_ptr<Verifier>(
        new Ed25519Verifier(public_key, std::move(public_pem)));
  }

  static absl::StatusOr<std::unique_ptr<Verifier>> CreateFromRaw(
      absl::string_view raw, std::string public_pem) {
    MODELSEAL_RETURN_IF_ERROR(EnsureSodiumInitialized());
    PublicKeyBytes public_key;
    if (raw.size() != public_key.size()) {
      return absl::InvalidArgumentError("an Ed25519 public key is 32 bytes");
    }
    std::copy(raw.begin(), raw.end(), public_key.begin());
    return std::unique_ptr<Verifier>(
        new Ed25519Verifier(public_key, std::move(public_pem)));
  }

  absl::Status Verify(absl::string_view data,
                      absl::string_view signature) const override {
    if (signature.size() != crypto_sign_BYTES) {
      return absl::InvalidArgumentError(
          absl::StrCat("Ed25519 signature must be ", crypto_sign_BYTES,
                       " bytes, got ", signature.size()));
    }
    if (crypto_sign_verify_detached(Bytes(signature), Bytes(data), data.size(),
                                    public_key_.data()) != 0) {
      return absl::UnauthenticatedError("ed25519 signature does not verify");
    }
    return absl::OkStatus();
  }

  KeyType key_type() const override { return KeyType::kEd25519; }
  const std::string& public_key_pem() const override { return public_pem_; }

 private:
  Ed25519Verifier(const PublicKeyBytes& public_key, std::string public_pem)
      : public_key_(public_key), public_pem_(std::move(public_pem)) {}

  const PublicKeyBytes public_key_;
  const std::string public_pem_;
};

class Ed25519Signer final : public Signer {
 public:
  static absl::StatusOr<std::unique_ptr<Signer>> Create(
      const EVP_PKEY& key, std::string public_pem) {
    MODELSEAL_RETURN_IF_ERROR(EnsureSodiumInitialized());
    MODELSEAL_ASSIGN_OR_RETURN(const PublicKeyBytes expected_public_key,
                               RawPublicKey(key));
    // Constructed before the seed is read, so that the expanded secret key
    // lands in its final place and is wiped by the destructor on any path.
    std::unique_ptr<Ed25519Signer> signer(
        new Ed25519Signer(std::move(public_pem)));
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed;
    std::size_t seed_length = seed.size();
    const bool have_seed =
        EVP_PKEY_get_raw_private_key(&key, seed.data(), &seed_length) == 1 &&
        seed_length == seed.size();
    const bool expanded =
        have_seed &&
        crypto_sign_seed_keypair(signer->public_key_.data(),
                                 signer->secret_key_.data(), seed.data()) == 0;
    sodium_memzero(seed.data(), seed.size());
    if (!expanded) {
      return OpenSslError(absl::StatusCode::kInvalidArgument,
                          "cannot read the Ed25519 private key");
    }
    // The container may carry a public key of its own (PKCS#8 v2); it must
    // be the one the seed derives.
    if (sodium_memcmp(signer->public_key_.data(), expected_public_key.data(),
                      expected_public_key.size()) != 0) {
      return absl::InvalidArgumentError(
          "Ed25519 private key does not match its public key");
    }
    return std::unique_ptr<Signer>(std::move(signer));
  }

  static absl::StatusOr<std::unique_ptr<Signer>> CreateFromSeed(
      absl::string_view seed) {
    MODELSEAL_RETURN_IF_ERROR(EnsureSodiumInitialized());
    if (seed.size() != crypto_sign_SEEDBYTES) {
      return absl::InvalidArgumentError("an Ed25519 seed is 32 bytes");
    }
    std::unique_ptr<Ed25519Signer> signer(new Ed25519Signer(""));
    if (crypto_sign_seed_keypair(signer->public_key_.data(),
                                 signer->secret_key_.data(),
                                 Bytes(seed)) != 0) {
      return absl::InvalidArgumentError("cannot read the Ed25519 private key");
    }
    signer->public_pem_ = Ed25519PublicKeyPem(absl::string_view(
        reinterpret_cast<const char*>(signer->public_key_.data()),
        signer->public_key_.size()));
    return std::unique_ptr<Signer>(std::move(signer));
  }

  ~Ed25519Signer() override {
    sodium_memzero(secret_key_.data(), secret_key_.size());
  }
  Ed25519Signer(const Ed25519Signer&) = delete;
  Ed25519Signer& operator=(const Ed25519Signer&) = delete;

  absl::StatusOr<std::string> Sign(absl::string_view data) const override {
    std::string signature(crypto_sign_BYTES, '\0');
    unsigned long long length = 0;  // NOLINT(google-runtime-int): sodium's
    if (crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()),
                             &length, Bytes(data), data.size(),
                             secret_key_.data()) != 0 ||
        length != crypto_sign_BYTES) {
      return absl::InternalError("Ed25519 signing failed");
    }
    return signature;
  }

  KeyType key_type() const override { return KeyType::kEd25519; }
  const std::string& public_key_pem() const override { return public_pem_; }
  absl::StatusOr<std::unique_ptr<Verifier>> MakeVerifier() const override {
    return LoadVerifier(public_pem_);
  }

 private:
  explicit Ed25519Signer(std::string public_pem)
      : public_pem_(std::move(public_pem)) {}

  PublicKeyBytes public_key_{};
  // libsodium's 64-byte secret key: the seed followed by the public key.
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key_{};
  std::string public_pem_;  // set once, by Create or CreateFromSeed
};

}  // namespace

absl::Status EnsureSodiumInitialized() {
  static const int result = sodium_init();  // 0, or 1 if already done
  if (result < 0) return absl::InternalError("libsodium failed to initialize");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Verifier>> NewEd25519Verifier(
    const EVP_PKEY& key, std::string public_pem) {
  return Ed25519Verifier::Create(key, std::move(public_pem));
}

absl::StatusOr<std::unique_ptr<Verifier>> NewEd25519VerifierFromRaw(
    absl::string_view public_key, std::string public_pem) {
  return Ed25519Verifier::CreateFromRaw(public_key, std::move(public_pem));
}

absl::StatusOr<std::unique_ptr<Signer>> NewEd25519SignerFromSeed(
    absl::string_view seed) {
  return Ed25519Signer::CreateFromSeed(seed);
}

absl::StatusOr<std::unique_ptr<Signer>> NewEd25519Signer(
    const EVP_PKEY& key, std::string public_pem) {
  return Ed25519Signer::Create(key, std::move(public_pem));
}

}  // namespace modelseal::crypto_internal
