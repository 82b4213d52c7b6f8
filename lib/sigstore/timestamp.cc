// RFC 3161 timestamps: the signed time a Rekor v2 bundle needs (Rekor v2 has
// no integrated time). OpenSSL's TS API checks the CMS signature, the ESS
// signing-certificate binding, the timeStamping EKU and that the imprint is
// the digest of our signature; we choose the authorities (trusted root, valid
// at genTime) and check the chain at genTime rather than now, since TSA
// certificates may expire after they sign.
#include <openssl/bio.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "sigstore/internal.h"

namespace modelseal::sigstore::internal {
namespace {

using crypto_internal::Bytes;
using crypto_internal::DerLength;
using crypto_internal::OpenSslDeleter;
using crypto_internal::X509Ptr;

using TsRespPtr =
    std::unique_ptr<TS_RESP, OpenSslDeleter<TS_RESP, TS_RESP_free>>;
using TsVerifyCtxPtr =
    std::unique_ptr<TS_VERIFY_CTX,
                    OpenSslDeleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;

}  // namespace

absl::StatusOr<std::int64_t> VerifyRfc3161Timestamp(
    absl::string_view response_der, absl::string_view signature,
    const TrustedRoot::Impl& root) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  if (response_der.empty() ||
      response_der.size() > limits::kMaxSmallFileBytes) {
    return absl::InvalidArgumentError(
        "RFC 3161 timestamp is empty or too large");
  }
  const unsigned char* cursor = Bytes(response_der);
  TsRespPtr response(d2i_TS_RESP(nullptr, &cursor, DerLength(response_der)));
  if (response == nullptr ||
      cursor != Bytes(response_der) + response_der.size()) {
    return absl::InvalidArgumentError(
        "RFC 3161 timestamp is not a DER TimeStampResp");
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(response.get());
  if (info == nullptr) {
    return absl::UnauthenticatedError("RFC 3161 response holds no token");
  }
  const ASN1_GENERALIZEDTIME* generalized = TS_TST_INFO_get_time(info);
  struct tm parts = {};
  if (generalized == nullptr || ASN1_TIME_to_tm(generalized, &parts) != 1) {
    return absl::InvalidArgumentError("RFC 3161 token has an unreadable time");
  }
  const std::int64_t time = static_cast<std::int64_t>(timegm(&parts));

  std::string reason =
      "no timestamp authority of the trusted root was valid "
      "at the timestamp's time";
  for (const Authority& authority : root.timestamp_authorities) {
    if (!authority.validity.Contains(time)) continue;
    crypto_internal::X509StorePtr store(X509_STORE_new());
    crypto_internal::X509StackPtr certificates(sk_X509_new_null());
    if (store == nullptr || certificates == nullptr) {
      return absl::InternalError("cannot allocate an X.509 store");
    }
    for (std::size_t i = 0; i < authority.chain_der.size(); ++i) {
      MODELSEAL_ASSIGN_OR_RETURN(
          X509Ptr certificate,
          ParseDerCertificate(authority.chain_der[i], "TSA certificate"));
      if (i + 1 == authority.chain_der.size()) {
        if (X509_STORE_add_cert(store.get(), certificate.get()) != 1) {
          return absl::InternalError("cannot add a TSA root");
        }
      } else if (sk_X509_push(certificates.get(), certificate.get()) > 0) {
        certificate.release();
      } else {
        return absl::InternalError("sk_X509_push failed");
      }
    }
    X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<std::time_t>(time));
    X509_VERIFY_PARAM_set_depth(param, limits::kMaxCertificateChainDepth);

    TsVerifyCtxPtr context(TS_VERIFY_CTX_new());
    BIO* data =
        BIO_new_mem_buf(signature.data(), static_cast<int>(signature.size()));
    if (context == nullptr || data == nullptr) {
      BIO_free(data);
      return absl::InternalError("cannot set up timestamp verification");
    }
    TS_VERIFY_CTX_set_flags(context.get(),
                            TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
    TS_VERIFY_CTX_set_data(context.get(), data);  // owned by the context
    TS_VERIFY_CTX_set_store(context.get(), store.release());
    TS_VERIFY_CTX_set_certs(context.get(), certificates.release());
    if (TS_RESP_verify_response(context.get(), response.get()) == 1) {
      return time;
    }
    reason = std::string(crypto_internal::OpenSslError(
                             absl::StatusCode::kUnauthenticated,
                             absl::StrCat("it does not verify against TSA '",
                                          authority.uri, "'"))
                             .message());
  }
  return absl::UnauthenticatedError(
      absl::StrCat("RFC 3161 timestamp rejected: ", reason));
}

}  // namespace modelseal::sigstore::internal
