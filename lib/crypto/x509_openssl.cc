// X.509 certificate chains (RFC 5280 path validation by OpenSSL's
// X509_verify_cert). Only the caller's roots are trusted (no system store),
// a path must end at one of them (no partial chains), and every validity
// period is checked at the caller's time, not the clock's.
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_util.h"
#include "modelseal/crypto.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal {

using crypto_internal::Bytes;
using crypto_internal::ClearOpenSslErrorsOnExit;
using crypto_internal::EvpPkeyPtr;
using crypto_internal::OpenSslError;
using crypto_internal::X509Ptr;

namespace {

absl::StatusOr<X509Ptr> ParseCertificate(absl::string_view der,
                                         absl::string_view role) {
  if (der.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("empty ", role));
  }
  if (der.size() > limits::kMaxSmallFileBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(role, " of ", der.size(), " bytes exceeds the ",
                     limits::kMaxSmallFileBytes, "-byte limit"));
  }
  const unsigned char* cursor = Bytes(der);
  X509Ptr certificate(
      d2i_X509(nullptr, &cursor, crypto_internal::DerLength(der)));
  if (certificate == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat("cannot parse the ", role));
  }
  if (cursor != Bytes(der) + der.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("trailing bytes after the ", role));
  }
  return certificate;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CertificatesFromPem(
    absl::string_view pem) {
  MODELSEAL_ASSIGN_OR_RETURN(
      const std::vector<crypto_internal::PemBlock> blocks,
      crypto_internal::ParsePemBlocks(pem));
  ClearOpenSslErrorsOnExit clear_errors;
  std::vector<std::string> certificates;
  for (const crypto_internal::PemBlock& block : blocks) {
    if (block.label != "CERTIFICATE") continue;
    if (!block.headers.empty()) {
      return absl::InvalidArgumentError("unexpected headers in a certificate");
    }
    std::string der;
    MODELSEAL_RETURN_IF_ERROR(crypto_internal::DecodePemBody(block, &der));
    MODELSEAL_RETURN_IF_ERROR(
        ParseCertificate(der,
                         absl::StrCat("certificate ", certificates.size() + 1))
            .status());
    certificates.push_back(std::move(der));
  }
  if (certificates.empty()) {
    return absl::InvalidArgumentError("no CERTIFICATE block found");
  }
  return certificates;
}

absl::StatusOr<std::unique_ptr<Verifier>> VerifyCertificateChain(
    absl::string_view leaf_der,
    const std::vector<std::string>& intermediates_der,
    const std::vector<std::string>& roots_der, std::time_t at) {
  if (roots_der.empty()) {
    return absl::InvalidArgumentError("no trusted root certificate given");
  }
  if (roots_der.size() > crypto_internal::kMaxRootCertificates) {
    return absl::ResourceExhaustedError(absl::StrCat(
        roots_der.size(), " root certificates exceed the limit of ",
        crypto_internal::kMaxRootCertificates));
  }
  if (intermediates_der.size() >
      crypto_internal::kMaxIntermediateCertificates) {
    return absl::ResourceExhaustedError(
        absl::StrCat(intermediates_der.size(),
                     " intermediate certificates exceed the limit of ",
                     crypto_internal::kMaxIntermediateCertificates));
  }
  ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr leaf,
                             ParseCertificate(leaf_der, "leaf certificate"));

  // A fresh store holds the caller's roots and nothing else.
  crypto_internal::X509StorePtr store(X509_STORE_new());
  if (store == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "X509_STORE_new failed");
  }
  for (std::size_t i = 0; i < roots_der.size(); ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(
        X509Ptr root,
        ParseCertificate(roots_der[i],
                         absl::StrCat("root certificate ", i + 1)));
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) {
      return OpenSslError(absl::StatusCode::kInternal,
                          "cannot add a root certificate to the store");
    }
  }

  crypto_internal::X509StackPtr untrusted(sk_X509_new_null());
  if (untrusted == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "sk_X509_new failed");
  }
  for (std::size_t i = 0; i < intermediates_der.size(); ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(
        X509Ptr intermediate,
        ParseCertificate(intermediates_der[i],
                         absl::StrCat("intermediate certificate ", i + 1)));
    X509* owned_by_stack = intermediate.release();
    if (sk_X509_push(untrusted.get(), owned_by_stack) <= 0) {
      X509_free(owned_by_stack);
      return OpenSslError(absl::StatusCode::kInternal, "sk_X509_push failed");
    }
  }

  crypto_internal::X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (context == nullptr ||
      X509_STORE_CTX_init(context.get(), store.get(), leaf.get(),
                          untrusted.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot set up certificate verification");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
  if (param == nullptr ||
      X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_USE_CHECK_TIME) != 1 ||
      X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot set certificate verification flags");
  }
  X509_STORE_CTX_set_time(context.get(), 0, at);
  X509_VERIFY_PARAM_set_depth(param,
                              crypto_internal::kMaxCertificateChainDepth);

  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    ERR_clear_error();
    return absl::UnauthenticatedError(
        absl::StrCat("certificate chain does not verify: ",
                     X509_verify_cert_error_string(error), " (at depth ",
                     X509_STORE_CTX_get_error_depth(context.get()), ")"));
  }

  // RFC 5280 §4.2.1.3: when the extension is present it limits the key's use.
  const std::uint32_t extension_flags = X509_get_extension_flags(leaf.get());
  if ((extension_flags & EXFLAG_INVALID) != 0) {
    return absl::InvalidArgumentError(
        "leaf certificate has invalid extensions");
  }
  if ((extension_flags & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) == 0) {
    return absl::UnauthenticatedError(
        "leaf certificate's key usage does not allow digitalSignature");
  }

  EvpPkeyPtr key(X509_get_pubkey(leaf.get()));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "cannot read the leaf certificate's public key");
  }
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      crypto_internal::VerifierFromKey(std::move(key));
  if (!verifier.ok()) return Annotate(verifier.status(), "leaf certificate");
  return verifier;
}

absl::StatusOr<CertificateNames> ReadCertificateNames(absl::string_view der) {
  ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(X509Ptr certificate,
                             ParseCertificate(der, "certificate"));
  CertificateNames names;
  crypto_internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate.get()), 0,
                         XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot print the certificate subject");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  if (length > 0) names.subject.assign(data, static_cast<std::size_t>(length));

  using GeneralNamesPtr = std::unique_ptr<
      GENERAL_NAMES,
      crypto_internal::OpenSslDeleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
  int critical = 0;
  GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(
      certificate.get(), NID_subject_alt_name, &critical, nullptr)));
  if (sans == nullptr && critical != -1) {
    return absl::InvalidArgumentError(
        "the certificate's subjectAltName extension cannot be parsed");
  }
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    std::vector<std::string>* into = nullptr;
    if (name->type == GEN_EMAIL) into = &names.email_sans;
    if (name->type == GEN_URI) into = &names.uri_sans;
    if (name->type == GEN_DNS) into = &names.dns_sans;
    if (into == nullptr) continue;
    const ASN1_IA5STRING* text = name->d.ia5;
    into->emplace_back(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
        static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return names;
}

}  // namespace modelseal
