// Trusted root parsing: the JSON goes through the protobuf mapping (unknown
// fields rejected), then every key and certificate is decoded once so that a
// verification never meets a malformed one.
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "manifest/strict_json.h"
#include "modelseal/limits.h"
#include "modelseal/sigstore.h"
#include "modelseal/status.h"
#include "sigstore/internal.h"
#include "sigstore/public_good_trusted_root.h"

namespace modelseal::sigstore {
namespace {

namespace pb = ::modelseal::v1::sigstore;
using crypto_internal::EvpPkeyPtr;

// Media types of sigstore_trustroot.proto (v0.1 and the v0.2 spelling).
constexpr absl::string_view kTrustedRootMediaTypes[] = {
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

absl::StatusOr<Validity> ToValidity(const pb::TimeRange& range, bool present,
                                    absl::string_view what) {
  // A window without a start cannot be trusted as "always" (fail closed).
  if (!present || !range.has_start()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has a validity window without a start"));
  }
  Validity validity;
  validity.start = range.start().seconds();
  if (range.has_end()) {
    validity.end = range.end().seconds();
    if (*validity.end < validity.start) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " has a validity window that ends before it starts"));
    }
  }
  return validity;
}

// The log's note name: its base URL without scheme or path (the port stays:
// a log at http://localhost:8000 signs as "localhost:8000").
std::string HostOf(absl::string_view url) {
  if (absl::StartsWith(url, "https://")) url.remove_prefix(8);
  if (absl::StartsWith(url, "http://")) url.remove_prefix(7);
  return std::string(url.substr(0, url.find('/')));
}

absl::StatusOr<LogKey> ToLogKey(const pb::TransparencyLogInstance& log,
                                absl::string_view what, bool require_key) {
  LogKey key;
  key.base_url = log.base_url();
  key.host = HostOf(log.base_url());
  key.key_id = log.log_id().key_id();
  key.checkpoint_key_id = log.has_checkpoint_key_id()
                              ? log.checkpoint_key_id().key_id()
                              : key.key_id;
  key.spki_der = log.public_key().raw_bytes();
  key.key_details = log.public_key().key_details();
  const std::string name = absl::StrCat(what, " '", log.base_url(), "'");
  if (key.key_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, " has no log ID"));
  }
  if (!log.hash_algorithm().empty() && log.hash_algorithm() != "SHA2_256") {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " uses hash algorithm ", log.hash_algorithm(),
                     "; only SHA2_256 is supported"));
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      key.validity, ToValidity(log.public_key().valid_for(),
                               log.public_key().has_valid_for(), name));
  if (key.spki_der.size() > limits::kMaxSmallFileBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(name, " key too large"));
  }
  const unsigned char* cursor = crypto_internal::Bytes(key.spki_der);
  key.key.reset(
      d2i_PUBKEY(nullptr, &cursor, crypto_internal::DerLength(key.spki_der)));
  if (key.key == nullptr ||
      cursor != crypto_internal::Bytes(key.spki_der) + key.spki_der.size()) {
    key.key.reset();
    ERR_clear_error();
    if (require_key) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " has a public key that is not DER SPKI"));
    }
  }
  return key;
}

absl::StatusOr<Authority> ToAuthority(const pb::CertificateAuthority& ca,
                                      absl::string_view what) {
  Authority authority;
  authority.uri = ca.uri();
  const std::string name = absl::StrCat(what, " '", ca.uri(), "'");
  MODELSEAL_ASSIGN_OR_RETURN(
      authority.validity, ToValidity(ca.valid_for(), ca.has_valid_for(), name));
  const auto& certificates = ca.cert_chain().certificates();
  if (certificates.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " has no certificates"));
  }
  if (static_cast<std::size_t>(certificates.size()) >
      limits::kMaxCertificateChainDepth) {
    return absl::ResourceExhaustedError(
        absl::StrCat(name, " has too many certificates"));
  }
  for (const v1::X509Certificate& certificate : certificates) {
    MODELSEAL_RETURN_IF_ERROR(
        internal::ParseDerCertificate(certificate.raw_bytes(), name).status());
    authority.chain_der.push_back(certificate.raw_bytes());
  }
  return authority;
}

template <typename List>
absl::Status CheckCount(const List& list, absl::string_view what) {
  if (static_cast<std::size_t>(list.size()) > limits::kMaxTrustedRootEntries) {
    return absl::ResourceExhaustedError(
        absl::StrCat("trusted root has more than ",
                     limits::kMaxTrustedRootEntries, " ", what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrustedRoot> TrustedRoot::Parse(absl::string_view json) {
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  pb::TrustedRoot message;
  MODELSEAL_RETURN_IF_ERROR(internal::ParseJson(
      json, limits::kMaxTrustedRootBytes, &message, "trusted root"));
  bool known_media_type = false;
  for (absl::string_view media_type : kTrustedRootMediaTypes) {
    known_media_type |= message.media_type() == media_type;
  }
  if (!known_media_type) {
    return absl::InvalidArgumentError(
        absl::StrCat("trusted root has an unsupported media type '",
                     message.media_type(), "'"));
  }
  MODELSEAL_RETURN_IF_ERROR(CheckCount(message.tlogs(), "tlogs"));
  MODELSEAL_RETURN_IF_ERROR(CheckCount(message.ctlogs(), "ctlogs"));
  MODELSEAL_RETURN_IF_ERROR(
      CheckCount(message.certificate_authorities(), "certificate authorities"));
  MODELSEAL_RETURN_IF_ERROR(
      CheckCount(message.timestamp_authorities(), "timestamp authorities"));
  auto impl = std::make_shared<Impl>();
  for (const auto& log : message.tlogs()) {
    MODELSEAL_ASSIGN_OR_RETURN(LogKey key,
                               ToLogKey(log, "transparency log", true));
    impl->tlogs.push_back(std::move(key));
  }
  for (const auto& log : message.ctlogs()) {
    MODELSEAL_ASSIGN_OR_RETURN(LogKey key, ToLogKey(log, "CT log", false));
    impl->ctlogs.push_back(std::move(key));
  }
  for (const auto& ca : message.certificate_authorities()) {
    MODELSEAL_ASSIGN_OR_RETURN(Authority authority,
                               ToAuthority(ca, "certificate authority"));
    impl->certificate_authorities.push_back(std::move(authority));
  }
  for (const auto& tsa : message.timestamp_authorities()) {
    MODELSEAL_ASSIGN_OR_RETURN(Authority authority,
                               ToAuthority(tsa, "timestamp authority"));
    impl->timestamp_authorities.push_back(std::move(authority));
  }
  return TrustedRoot(std::move(impl));
}

absl::StatusOr<TrustedRoot> TrustedRoot::PublicGood() {
  absl::StatusOr<TrustedRoot> root =
      Parse(internal::PublicGoodTrustedRootJson());
  if (!root.ok()) {
    return absl::InternalError(
        absl::StrCat("the embedded public-good trusted root does not parse: ",
                     root.status().message()));
  }
  return root;
}

namespace internal {

absl::Status ParseJson(absl::string_view json, std::size_t limit,
                       google::protobuf::Message* message,
                       absl::string_view what) {
  if (json.size() > limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, " is larger than the ", limit, "-byte limit"));
  }
  return manifest_internal::ParseStrictJson(json, message, what);
}

}  // namespace internal
}  // namespace modelseal::sigstore
