// Fulcio certificates: the chain to a CA of the trusted root, the
// code-signing EKU, the identity (SAN and OIDC issuer extensions) and the
// embedded SCTs.
//
// SCTs: OpenSSL parses the SCT list, but its CT_POLICY_EVAL_CTX validation
// needs a CTLOG_STORE, which OpenSSL 3 can only fill from a file; the trusted
// root's keys are in memory. So the RFC 6962 §3.2 signed data (with the
// precertificate TBS = the leaf's TBS minus the SCT extension) is rebuilt
// here, which also lets us choose the logs (trusted root keys, valid at the
// SCT's time) and say why an SCT failed.
#include <openssl/asn1.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "sigstore/internal.h"

namespace modelseal::sigstore::internal {
namespace {

using crypto_internal::Bytes;
using crypto_internal::DerLength;
using crypto_internal::EvpPkeyPtr;
using crypto_internal::OpenSslDeleter;
using crypto_internal::X509Ptr;

using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES,
                    OpenSslDeleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using SctListPtr = std::unique_ptr<STACK_OF(SCT), decltype(&SCT_LIST_free)>;
using ObjectPtr =
    std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Utf8StringPtr =
    std::unique_ptr<ASN1_UTF8STRING,
                    OpenSslDeleter<ASN1_UTF8STRING, ASN1_UTF8STRING_free>>;

// Fulcio's OID arc (github.com/sigstore/fulcio docs/oid-info.md).
constexpr char kOidIssuerV1[] = "1.3.6.1.4.1.57264.1.1";  // raw string
constexpr char kOidIssuerV2[] = "1.3.6.1.4.1.57264.1.8";  // DER UTF8String

absl::StatusOr<std::int64_t> AsnTimeToUnix(const ASN1_TIME* time) {
  struct tm parts = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    return absl::InvalidArgumentError("certificate has an unreadable time");
  }
  return static_cast<std::int64_t>(timegm(&parts));
}

// The value bytes of extension `oid`, or nullopt when absent.
absl::StatusOr<std::optional<std::string>> ExtensionValue(X509* certificate,
                                                          const char* oid) {
  ObjectPtr object(OBJ_txt2obj(oid, 1));
  if (object == nullptr) {
    return crypto_internal::OpenSslError(absl::StatusCode::kInternal,
                                         "cannot build an OID");
  }
  const int position = X509_get_ext_by_OBJ(certificate, object.get(), -1);
  if (position < 0) return std::optional<std::string>();
  if (X509_get_ext_by_OBJ(certificate, object.get(), position) >= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate repeats extension ", oid));
  }
  X509_EXTENSION* extension = X509_get_ext(certificate, position);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
  if (data == nullptr) {
    return absl::InvalidArgumentError("certificate extension without a value");
  }
  return std::optional<std::string>(
      std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                  static_cast<std::size_t>(ASN1_STRING_length(data))));
}

absl::StatusOr<std::string> SpkiDer(X509* certificate) {
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (key == nullptr) {
    return crypto_internal::OpenSslError(
        absl::StatusCode::kInvalidArgument,
        "cannot read the certificate's public key");
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) {
    return crypto_internal::OpenSslError(absl::StatusCode::kInternal,
                                         "cannot encode a public key");
  }
  std::string out(reinterpret_cast<char*>(der),
                  static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool IsSelfSigned(X509* certificate) {
  return (X509_get_extension_flags(certificate) & EXFLAG_SS) != 0;
}

}  // namespace

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Sha256(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(Bytes(data), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

absl::StatusOr<X509Ptr> ParseDerCertificate(absl::string_view der,
                                            absl::string_view role) {
  if (der.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(role, ": empty certificate"));
  }
  if (der.size() > limits::kMaxSmallFileBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(role, ": certificate too large"));
  }
  const unsigned char* cursor = Bytes(der);
  X509Ptr certificate(d2i_X509(nullptr, &cursor, DerLength(der)));
  if (certificate == nullptr || cursor != Bytes(der) + der.size()) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(role, ": certificate is not valid DER X.509"));
  }
  return certificate;
}

absl::Status VerifyWithKey(EVP_PKEY* key, absl::string_view data,
                           absl::string_view signature, bool prehashed) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_ED25519) {
    if (prehashed) {
      return absl::UnauthenticatedError(
          "an Ed25519 key cannot verify a signature over a digest");
    }
    crypto_internal::EvpMdCtxPtr context(EVP_MD_CTX_new());
    if (context == nullptr ||
        EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key) !=
            1) {
      return absl::InternalError("cannot set up Ed25519 verification");
    }
    if (EVP_DigestVerify(context.get(), Bytes(signature), signature.size(),
                         Bytes(data), data.size()) != 1) {
      return absl::UnauthenticatedError("signature does not verify");
    }
    return absl::OkStatus();
  }
  if (type != EVP_PKEY_EC) {
    return absl::UnauthenticatedError(
        "unsupported key type (ECDSA and Ed25519 only)");
  }
  if (signature.empty() || signature.size() > limits::kMaxEcdsaSignatureBytes) {
    return absl::UnauthenticatedError("signature does not verify");
  }
  const std::string digest = prehashed ? std::string(data) : Sha256(data);
  crypto_internal::EvpPkeyCtxPtr context(EVP_PKEY_CTX_new(key, nullptr));
  if (context == nullptr || EVP_PKEY_verify_init(context.get()) != 1) {
    return absl::InternalError("cannot set up ECDSA verification");
  }
  if (EVP_PKEY_verify(context.get(), Bytes(signature), signature.size(),
                      Bytes(digest), digest.size()) != 1) {
    return absl::UnauthenticatedError("signature does not verify");
  }
  return absl::OkStatus();
}

absl::StatusOr<FulcioIdentity> ReadFulcioIdentity(absl::string_view leaf_der) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr leaf,
                             ParseDerCertificate(leaf_der, "leaf certificate"));
  FulcioIdentity identity;
  MODELSEAL_ASSIGN_OR_RETURN(identity.not_before,
                             AsnTimeToUnix(X509_get0_notBefore(leaf.get())));
  MODELSEAL_ASSIGN_OR_RETURN(identity.not_after,
                             AsnTimeToUnix(X509_get0_notAfter(leaf.get())));
  MODELSEAL_ASSIGN_OR_RETURN(identity.spki_der, SpkiDer(leaf.get()));

  int critical = 0;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, &critical, nullptr)));
  if (names == nullptr && critical != -1) {
    return absl::InvalidArgumentError(
        "leaf certificate has a malformed or repeated SubjectAltName");
  }
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get());
       ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_EMAIL && name->type != GEN_URI) continue;
    const ASN1_IA5STRING* value = name->d.ia5;
    identity.sans.emplace_back(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
        static_cast<std::size_t>(ASN1_STRING_length(value)));
  }

  MODELSEAL_ASSIGN_OR_RETURN(std::optional<std::string> v2,
                             ExtensionValue(leaf.get(), kOidIssuerV2));
  if (v2.has_value()) {
    const unsigned char* cursor = Bytes(*v2);
    Utf8StringPtr text(d2i_ASN1_UTF8STRING(nullptr, &cursor, DerLength(*v2)));
    if (text == nullptr || cursor != Bytes(*v2) + v2->size()) {
      return absl::InvalidArgumentError(
          "leaf certificate's OIDC issuer (v2) is not a DER UTF8String");
    }
    identity.issuer.assign(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(text.get())),
        static_cast<std::size_t>(ASN1_STRING_length(text.get())));
  } else {
    MODELSEAL_ASSIGN_OR_RETURN(std::optional<std::string> v1,
                               ExtensionValue(leaf.get(), kOidIssuerV1));
    if (v1.has_value()) identity.issuer = *v1;
  }
  return identity;
}

absl::StatusOr<std::string> VerifyFulcioChain(
    absl::string_view leaf_der, const std::vector<std::string>& bundle_chain,
    const TrustedRoot::Impl& root, std::int64_t signing_time) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr leaf,
                             ParseDerCertificate(leaf_der, "leaf certificate"));
  if ((X509_get_extension_flags(leaf.get()) & EXFLAG_INVALID) != 0) {
    return absl::InvalidArgumentError(
        "leaf certificate has invalid extensions");
  }
  // Fulcio issues code-signing certificates only (RFC 5280 §4.2.1.12).
  if ((X509_get_extension_flags(leaf.get()) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(leaf.get()) & XKU_CODE_SIGN) == 0) {
    return absl::UnauthenticatedError(
        "leaf certificate lacks the code-signing extended key usage");
  }
  if (IsSelfSigned(leaf.get())) {
    return absl::UnauthenticatedError("leaf certificate is self-signed");
  }
  std::vector<X509Ptr> bundle_intermediates;
  for (const std::string& der : bundle_chain) {
    MODELSEAL_ASSIGN_OR_RETURN(X509Ptr certificate,
                               ParseDerCertificate(der, "bundle certificate"));
    // A root in the bundle would let the bundle pick its own trust anchor.
    if (IsSelfSigned(certificate.get())) {
      return absl::UnauthenticatedError(
          "bundle certificate chain contains a self-signed (root) certificate");
    }
    bundle_intermediates.push_back(std::move(certificate));
  }

  std::string last_error =
      "no certificate authority of the trusted root is "
      "valid at the signing time";
  for (const Authority& authority : root.certificate_authorities) {
    if (!authority.validity.Contains(signing_time)) continue;
    crypto_internal::X509StorePtr store(X509_STORE_new());
    crypto_internal::X509StackPtr untrusted(sk_X509_new_null());
    if (store == nullptr || untrusted == nullptr) {
      return absl::InternalError("cannot allocate an X.509 store");
    }
    // The CA's last certificate is its trust anchor; the others are
    // intermediates it vouches for.
    for (std::size_t i = 0; i < authority.chain_der.size(); ++i) {
      MODELSEAL_ASSIGN_OR_RETURN(
          X509Ptr certificate,
          ParseDerCertificate(authority.chain_der[i], "CA certificate"));
      if (i + 1 == authority.chain_der.size()) {
        if (X509_STORE_add_cert(store.get(), certificate.get()) != 1) {
          return absl::InternalError("cannot add a CA root to the store");
        }
      } else if (sk_X509_push(untrusted.get(), certificate.get()) > 0) {
        certificate.release();
      } else {
        return absl::InternalError("sk_X509_push failed");
      }
    }
    for (const X509Ptr& certificate : bundle_intermediates) {
      if (X509_up_ref(certificate.get()) != 1 ||
          sk_X509_push(untrusted.get(), certificate.get()) <= 0) {
        return absl::InternalError("sk_X509_push failed");
      }
    }
    crypto_internal::X509StoreCtxPtr context(X509_STORE_CTX_new());
    if (context == nullptr ||
        X509_STORE_CTX_init(context.get(), store.get(), leaf.get(),
                            untrusted.get()) != 1) {
      return absl::InternalError("cannot set up certificate verification");
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_USE_CHECK_TIME);
    X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_depth(param, limits::kMaxCertificateChainDepth);
    X509_STORE_CTX_set_time(context.get(), 0,
                            static_cast<std::time_t>(signing_time));
    if (X509_verify_cert(context.get()) != 1) {
      last_error =
          absl::StrCat("certificate chain does not verify against CA '",
                       authority.uri, "': ",
                       X509_verify_cert_error_string(
                           X509_STORE_CTX_get_error(context.get())));
      ERR_clear_error();
      continue;
    }
    STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(context.get());
    if (path == nullptr || sk_X509_num(path) < 2) {
      return absl::UnauthenticatedError("certificate chain is too short");
    }
    X509* issuer = sk_X509_value(path, 1);
    unsigned char* der = nullptr;
    const int length = i2d_X509(issuer, &der);
    if (length <= 0) return absl::InternalError("cannot encode the issuer");
    std::string issuer_der(reinterpret_cast<char*>(der),
                           static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return issuer_der;
  }
  return absl::UnauthenticatedError(last_error);
}

absl::Status VerifyEmbeddedScts(absl::string_view leaf_der,
                                absl::string_view issuer_der,
                                const TrustedRoot::Impl& root) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr leaf,
                             ParseDerCertificate(leaf_der, "leaf certificate"));
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr issuer,
                             ParseDerCertificate(issuer_der, "issuer"));
  int critical = 0;
  SctListPtr scts(static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(
                      leaf.get(), NID_ct_precert_scts, &critical, nullptr)),
                  &SCT_LIST_free);
  if (scts == nullptr || sk_SCT_num(scts.get()) == 0) {
    return absl::UnauthenticatedError("leaf certificate has no embedded SCT");
  }
  // RFC 6962 §3.2: the precertificate TBS is the leaf's TBS without the SCT
  // list extension.
  X509Ptr precert(X509_dup(leaf.get()));
  if (precert == nullptr) return absl::InternalError("X509_dup failed");
  const int position =
      X509_get_ext_by_NID(precert.get(), NID_ct_precert_scts, -1);
  X509_EXTENSION* removed = X509_delete_ext(precert.get(), position);
  if (removed == nullptr) return absl::InternalError("X509_delete_ext failed");
  X509_EXTENSION_free(removed);
  unsigned char* tbs = nullptr;
  const int tbs_length = i2d_re_X509_tbs(precert.get(), &tbs);
  if (tbs_length <= 0) return absl::InternalError("cannot encode the TBS");
  const std::string tbs_der(reinterpret_cast<char*>(tbs),
                            static_cast<std::size_t>(tbs_length));
  OPENSSL_free(tbs);
  MODELSEAL_ASSIGN_OR_RETURN(std::string issuer_spki, SpkiDer(issuer.get()));
  const std::string issuer_key_hash = Sha256(issuer_spki);

  std::string reason = "no SCT is from a CT log of the trusted root";
  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    SCT* sct = sk_SCT_value(scts.get(), i);
    if (SCT_get_version(sct) != SCT_VERSION_V1) continue;
    unsigned char* log_id = nullptr;
    const std::size_t log_id_length = SCT_get0_log_id(sct, &log_id);
    const absl::string_view id(reinterpret_cast<const char*>(log_id),
                               log_id_length);
    const std::uint64_t timestamp = SCT_get_timestamp(sct);
    unsigned char* extensions = nullptr;
    const std::size_t extensions_length = SCT_get0_extensions(sct, &extensions);
    unsigned char* signature = nullptr;
    const std::size_t signature_length = SCT_get0_signature(sct, &signature);
    if (extensions_length > 0xffff || tbs_der.size() > 0xffffff) continue;
    // RFC 6962 §3.2 digitally-signed struct for a precert_entry.
    std::string signed_data;
    signed_data.push_back(0);  // sct_version v1
    signed_data.push_back(0);  // signature_type certificate_timestamp
    for (int shift = 56; shift >= 0; shift -= 8) {
      signed_data.push_back(static_cast<char>((timestamp >> shift) & 0xff));
    }
    signed_data.append("\x00\x01", 2);  // entry_type precert_entry
    signed_data.append(issuer_key_hash);
    signed_data.push_back(static_cast<char>((tbs_der.size() >> 16) & 0xff));
    signed_data.push_back(static_cast<char>((tbs_der.size() >> 8) & 0xff));
    signed_data.push_back(static_cast<char>(tbs_der.size() & 0xff));
    signed_data.append(tbs_der);
    signed_data.push_back(static_cast<char>((extensions_length >> 8) & 0xff));
    signed_data.push_back(static_cast<char>(extensions_length & 0xff));
    signed_data.append(reinterpret_cast<const char*>(extensions),
                       extensions_length);
    const std::int64_t sct_seconds =
        static_cast<std::int64_t>(timestamp / 1000);
    for (const LogKey& log : root.ctlogs) {
      if (log.key == nullptr || log.key_id != id) continue;
      if (!log.validity.Contains(sct_seconds)) {
        reason = absl::StrCat("the SCT's CT log '", log.base_url,
                              "' was not valid at the SCT's time");
        continue;
      }
      absl::Status verified = VerifyWithKey(
          log.key.get(), signed_data,
          absl::string_view(reinterpret_cast<const char*>(signature),
                            signature_length),
          /*prehashed=*/false);
      if (verified.ok()) return absl::OkStatus();
      reason = absl::StrCat("the SCT signature of CT log '", log.base_url,
                            "' does not verify");
    }
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "no SCT verifies against the trusted root's CT logs (", reason, ")"));
}

}  // namespace modelseal::sigstore::internal
