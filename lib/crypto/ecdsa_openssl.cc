// ECDSA over P-256/P-384/P-521 with OpenSSL's EVP interface. The digest
// follows the curve (SHA-256/384/512), as OMS and Sigstore specify, and
// signatures are DER ECDSA-Sig-Value (RFC 3279 §2.2.3).
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstring>
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

const char* DigestFor(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "SHA256";
    case KeyType::kEcdsaP384:
      return "SHA384";
    case KeyType::kEcdsaP521:
      return "SHA512";
    case KeyType::kEd25519:
      break;
  }
  return nullptr;
}

// OpenSSL would also refuse a malformed signature, but only as a generic
// failure; parsing first separates "cannot be parsed" (kInvalidArgument)
// from "does not verify" (kUnauthenticated). DER only: a BER variant of a
// valid signature is refused, so signatures are not malleable.
absl::Status CheckDerSignature(absl::string_view signature) {
  if (signature.empty()) {
    return absl::InvalidArgumentError("empty ECDSA signature");
  }
  if (signature.size() > kMaxEcdsaSignatureBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("ECDSA signature of ", signature.size(),
                     " bytes is longer than any DER ECDSA-Sig-Value"));
  }
  const unsigned char* cursor = Bytes(signature);
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &cursor, DerLength(signature)));
  if (parsed == nullptr || cursor != Bytes(signature) + signature.size()) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "ECDSA signature is not a DER ECDSA-Sig-Value");
  }
  unsigned char* reencoded = nullptr;
  const int length = i2d_ECDSA_SIG(parsed.get(), &reencoded);
  const bool canonical = length > 0 &&
                         static_cast<std::size_t>(length) == signature.size() &&
                         std::memcmp(reencoded, signature.data(), length) == 0;
  OPENSSL_free(reencoded);
  if (!canonical) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "ECDSA signature is not in DER form");
  }
  return absl::OkStatus();
}

class EcdsaVerifier final : public Verifier {
 public:
  static absl::StatusOr<std::unique_ptr<Verifier>> Create(
      EvpPkeyPtr key, KeyType type, std::string public_pem) {
    if (DigestFor(type) == nullptr) {
      return absl::InternalError("ECDSA backend given a non-ECDSA key type");
    }
    return std::unique_ptr<Verifier>(
        new EcdsaVerifier(std::move(key), type, std::move(public_pem)));
  }

  absl::Status Verify(absl::string_view data,
                      absl::string_view signature) const override {
    return VerifyWith(DigestFor(type_), data, signature);
  }

  absl::Status VerifyWithSha256(absl::string_view data,
                                absl::string_view signature) const override {
    return VerifyWith("SHA256", data, signature);
  }

  KeyType key_type() const override { return type_; }
  const std::string& public_key_pem() const override { return public_pem_; }

 private:
  absl::Status VerifyWith(const char* digest, absl::string_view data,
                          absl::string_view signature) const {
    ClearOpenSslErrorsOnExit clear_errors;
    MODELSEAL_RETURN_IF_ERROR(CheckDerSignature(signature));
    EvpMdCtxPtr context(EVP_MD_CTX_new());
    if (context == nullptr ||
        EVP_DigestVerifyInit_ex(context.get(), nullptr, digest, nullptr,
                                nullptr, key_.get(), nullptr) != 1) {
      return OpenSslError(absl::StatusCode::kUnauthenticated,
                          "cannot set up ECDSA verification");
    }
    const int result =
        EVP_DigestVerify(context.get(), Bytes(signature), signature.size(),
                         Bytes(data), data.size());
    if (result == 1) return absl::OkStatus();
    if (result == 0) {
      return absl::UnauthenticatedError(
          absl::StrCat(KeyTypeName(type_), " signature does not verify"));
    }
    return OpenSslError(
        absl::StatusCode::kUnauthenticated,
        absl::StrCat(KeyTypeName(type_), " signature verification failed"));
  }

  EcdsaVerifier(EvpPkeyPtr key, KeyType type, std::string public_pem)
      : key_(std::move(key)), type_(type), public_pem_(std::move(public_pem)) {}

  const EvpPkeyPtr key_;
  const KeyType type_;
  const std::string public_pem_;
};

class EcdsaSigner final : public Signer {
 public:
  static absl::StatusOr<std::unique_ptr<Signer>> Create(
      EvpPkeyPtr key, KeyType type, std::string public_pem) {
    if (DigestFor(type) == nullptr) {
      return absl::InternalError("ECDSA backend given a non-ECDSA key type");
    }
    return std::unique_ptr<Signer>(
        new EcdsaSigner(std::move(key), type, std::move(public_pem)));
  }

  absl::StatusOr<std::string> Sign(absl::string_view data) const override {
    ClearOpenSslErrorsOnExit clear_errors;
    EvpMdCtxPtr context(EVP_MD_CTX_new());
    if (context == nullptr ||
        EVP_DigestSignInit_ex(context.get(), nullptr, DigestFor(type_), nullptr,
                              nullptr, key_.get(), nullptr) != 1) {
      return OpenSslError(absl::StatusCode::kInternal,
                          "cannot set up ECDSA signing");
    }
    std::size_t length = 0;
    if (EVP_DigestSign(context.get(), nullptr, &length, Bytes(data),
                       data.size()) != 1 ||
        length == 0) {
      return OpenSslError(absl::StatusCode::kInternal,
                          "cannot size the ECDSA signature");
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(context.get(),
                       reinterpret_cast<unsigned char*>(signature.data()),
                       &length, Bytes(data), data.size()) != 1) {
      return OpenSslError(absl::StatusCode::kInternal, "ECDSA signing failed");
    }
    signature.resize(length);
    return signature;
  }

  KeyType key_type() const override { return type_; }
  const std::string& public_key_pem() const override { return public_pem_; }
  absl::StatusOr<std::unique_ptr<Verifier>> MakeVerifier() const override {
    return LoadVerifier(public_pem_);
  }

 private:
  EcdsaSigner(EvpPkeyPtr key, KeyType type, std::string public_pem)
      : key_(std::move(key)), type_(type), public_pem_(std::move(public_pem)) {}

  const EvpPkeyPtr key_;
  const KeyType type_;
  const std::string public_pem_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Verifier>> NewEcdsaVerifier(
    EvpPkeyPtr key, KeyType type, std::string public_pem) {
  return EcdsaVerifier::Create(std::move(key), type, std::move(public_pem));
}

absl::StatusOr<std::unique_ptr<Signer>> NewEcdsaSigner(EvpPkeyPtr key,
                                                       KeyType type,
                                                       std::string public_pem) {
  return EcdsaSigner::Create(std::move(key), type, std::move(public_pem));
}

}  // namespace modelseal::crypto_internal
