// Bundle verification: parse, then establish the signing time(s), then check
// the certificate, the identity, the log entries and the signature at those
// times. Every step fails closed; the order only chooses which reason a
// broken bundle reports first (malformed input before failed checks).
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/sigstore.h"
#include "modelseal/status.h"
#include "sigstore/internal.h"

namespace modelseal::sigstore {
namespace {

namespace pb = ::modelseal::v1::sigstore;
using internal::Hex;
using internal::SignedContent;
using internal::SignerMaterial;

// Bundle media types (sigstore_bundle.proto): v0.1 and v0.2 only in the old
// spelling, v0.3 in both.
absl::StatusOr<int> BundleMinorVersion(absl::string_view media_type) {
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1") {
    return 1;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2") {
    return 2;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3" ||
      media_type == "application/vnd.dev.sigstore.bundle.v0.3+json") {
    return 3;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported bundle media type '", media_type, "'"));
}

struct ParsedBundle {
  pb::Bundle message;
  int minor = 0;
  SignedContent content;
  std::vector<std::string> certificates;  // leaf first; empty for key bundles
};

absl::StatusOr<ParsedBundle> ParseSigstoreBundle(absl::string_view json,
                                                 absl::string_view artifact) {
  ParsedBundle bundle;
  MODELSEAL_RETURN_IF_ERROR(internal::ParseJson(json, limits::kMaxBundleBytes,
                                                &bundle.message, "bundle"));
  MODELSEAL_ASSIGN_OR_RETURN(bundle.minor,
                             BundleMinorVersion(bundle.message.media_type()));
  const pb::VerificationMaterial& material =
      bundle.message.verification_material();
  if (static_cast<std::size_t>(material.tlog_entries_size()) >
          limits::kMaxSigstoreTlogEntries ||
      static_cast<std::size_t>(
          material.timestamp_verification_data().rfc3161_timestamps_size()) >
          limits::kMaxSigstoreTimestamps) {
    return absl::ResourceExhaustedError(
        "bundle has too many tlog entries or timestamps");
  }
  if (material.has_certificate()) {
    if (material.certificate().raw_bytes().empty()) {
      return absl::InvalidArgumentError("bundle certificate is empty");
    }
    bundle.certificates.push_back(material.certificate().raw_bytes());
  } else if (material.has_x509_certificate_chain()) {
    const auto& chain = material.x509_certificate_chain().certificates();
    if (chain.empty()) {
      return absl::InvalidArgumentError("bundle certificate chain is empty");
    }
    if (static_cast<std::size_t>(chain.size()) >
        limits::kMaxSigstoreBundleCertificates) {
      return absl::ResourceExhaustedError("bundle certificate chain too long");
    }
    for (const v1::X509Certificate& certificate : chain) {
      if (certificate.raw_bytes().empty()) {
        return absl::InvalidArgumentError("bundle certificate is empty");
      }
      bundle.certificates.push_back(certificate.raw_bytes());
    }
  } else if (!material.has_public_key()) {
    return absl::InvalidArgumentError(
        "bundle has no certificate, certificate chain or public key");
  }

  SignedContent& content = bundle.content;
  if (bundle.message.has_dsse_envelope()) {
    const v1::Envelope& envelope = bundle.message.dsse_envelope();
    if (envelope.signatures_size() != 1) {
      return absl::InvalidArgumentError(
          "DSSE envelope must carry exactly one signature");
    }
    content.dsse = true;
    content.payload = envelope.payload();
    content.payload_type = envelope.payload_type();
    content.signature = envelope.signatures(0).sig();
  } else if (bundle.message.has_message_signature()) {
    const pb::MessageSignature& message = bundle.message.message_signature();
    content.signature = message.signature();
    if (artifact.empty()) {
      return absl::InvalidArgumentError(
          "a messageSignature bundle needs the artifact or its SHA-256 digest");
    }
    // The bundle's digest is a hint; the caller's artifact decides, and a
    // different hint is a mismatch, not something to trust.
    if (message.has_message_digest()) {
      if (message.message_digest().algorithm() != "SHA2_256") {
        return absl::InvalidArgumentError(
            absl::StrCat("unsupported message digest algorithm '",
                         message.message_digest().algorithm(), "'"));
      }
      if (message.message_digest().digest() != artifact) {
        return absl::UnauthenticatedError(
            "the bundle's message digest is not the artifact's SHA-256");
      }
    }
    content.message_digest = std::string(artifact);
  } else {
    return absl::InvalidArgumentError(
        "bundle has neither a DSSE envelope nor a message signature");
  }
  if (content.signature.empty()) {
    return absl::InvalidArgumentError("bundle signature is empty");
  }
  return bundle;
}

absl::Status VerifySignature(const ParsedBundle& bundle,
                             const SignerMaterial& signer) {
  const SignedContent& content = bundle.content;
  absl::Status verified =
      content.dsse
          ? internal::VerifyWithKey(
                signer.key.get(),
                DssePae(content.payload_type, content.payload),
                content.signature, /*prehashed=*/false)
          : internal::VerifyWithKey(signer.key.get(), content.message_digest,
                                    content.signature, /*prehashed=*/true);
  return Annotate(verified, "bundle signature");
}

// For DSSE bundles: `artifact` must be a sha256 subject of the statement.
absl::Status CheckStatementSubject(const SignedContent& content,
                                   absl::string_view artifact) {
  if (!content.dsse || artifact.empty()) return absl::OkStatus();
  if (content.payload_type != "application/vnd.in-toto+json") {
    return absl::UnauthenticatedError(
        "the DSSE payload is not an in-toto statement, so it names no subject");
  }
  // Strictly, as everywhere: a statement with "subject" twice names two
  // different sets of artifacts.
  google::protobuf::Struct statement;
  MODELSEAL_RETURN_IF_ERROR(
      internal::ParseJson(content.payload, limits::kMaxBundleBytes, &statement,
                          "the in-toto statement"));
  const std::string wanted = Hex(artifact);
  auto subjects = statement.fields().find("subject");
  if (subjects != statement.fields().end() &&
      subjects->second.has_list_value()) {
    for (const auto& subject : subjects->second.list_value().values()) {
      if (!subject.has_struct_value()) continue;
      auto digest = subject.struct_value().fields().find("digest");
      if (digest == subject.struct_value().fields().end() ||
          !digest->second.has_struct_value()) {
        continue;
      }
      auto sha256 = digest->second.struct_value().fields().find("sha256");
      if (sha256 != digest->second.struct_value().fields().end() &&
          sha256->second.string_value() == wanted) {
        return absl::OkStatus();
      }
    }
  }
  return absl::UnauthenticatedError(
      absl::StrCat("sha256:", wanted, " is not a subject of the statement"));
}

absl::StatusOr<bool> Matches(const std::string& value, const std::string& exact,
                             const std::string& pattern) {
  if (!exact.empty()) return value == exact;
  try {
    return std::regex_match(value, std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("regular expression '", pattern, "': ", error.what()));
  }
}

absl::Status MatchIdentity(const internal::FulcioIdentity& certificate,
                           const CertificateIdentity& identity,
                           KeylessVerification* result) {
  if (certificate.issuer.empty()) {
    return absl::UnauthenticatedError(
        "certificate has no Fulcio OIDC issuer extension");
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      bool issuer_ok,
      Matches(certificate.issuer, identity.issuer, identity.issuer_regexp));
  if (!issuer_ok) {
    return absl::UnauthenticatedError(absl::StrCat(
        "certificate issuer '", certificate.issuer, "' does not match ",
        identity.issuer.empty()
            ? absl::StrCat("--certificate-oidc-issuer-regexp '",
                           identity.issuer_regexp, "'")
            : absl::StrCat("--certificate-oidc-issuer '", identity.issuer,
                           "'")));
  }
  for (const std::string& san : certificate.sans) {
    MODELSEAL_ASSIGN_OR_RETURN(
        bool san_ok, Matches(san, identity.subject, identity.subject_regexp));
    if (san_ok) {
      result->san = san;
      result->issuer = certificate.issuer;
      return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "certificate SAN '",
      certificate.sans.empty() ? std::string("(none)") : certificate.sans[0],
      "' does not match ",
      identity.subject.empty()
          ? absl::StrCat("--certificate-identity-regexp '",
                         identity.subject_regexp, "'")
          : absl::StrCat("--certificate-identity '", identity.subject, "'")));
}

absl::StatusOr<std::vector<std::int64_t>> VerifyTimestamps(
    const ParsedBundle& bundle, const TrustedRoot::Impl& root) {
  std::vector<std::int64_t> times;
  for (const v1::Rfc3161SignedTimestamp& timestamp :
       bundle.message.verification_material()
           .timestamp_verification_data()
           .rfc3161_timestamps()) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::int64_t time,
        internal::VerifyRfc3161Timestamp(timestamp.signed_timestamp(),
                                         bundle.content.signature, root));
    times.push_back(time);
  }
  return times;
}

// Verifies every tlog entry; unknown logs are an error unless
// `skip_unknown_logs` (then counted).
absl::Status VerifyEntries(const ParsedBundle& bundle,
                           const TrustedRoot::Impl& root,
                           const SignerMaterial& signer,
                           const std::vector<std::int64_t>& timestamp_times,
                           bool skip_unknown_logs, KeylessVerification* result,
                           std::vector<std::int64_t>* times) {
  std::optional<std::int64_t> timestamp_time;
  if (!timestamp_times.empty()) {
    timestamp_time =
        *std::min_element(timestamp_times.begin(), timestamp_times.end());
  }
  bool first = true;
  for (const v1::TransparencyLogEntry& entry :
       bundle.message.verification_material().tlog_entries()) {
    absl::StatusOr<internal::VerifiedEntry> verified =
        internal::VerifyTlogEntry(entry, root, signer, bundle.content,
                                  bundle.minor, timestamp_time);
    if (!verified.ok() &&
        verified.status().code() == absl::StatusCode::kNotFound) {
      if (skip_unknown_logs) {
        ++result->unchecked_tlog_entries;
        continue;
      }
      return absl::UnauthenticatedError(verified.status().message());
    }
    MODELSEAL_RETURN_IF_ERROR(verified.status());
    if (verified->integrated_time.has_value()) {
      times->push_back(*verified->integrated_time);
    }
    if (first) {
      result->log_index = verified->log_index;
      result->integrated_time = verified->integrated_time.value_or(0);
      result->log_id_hex = Hex(verified->log_id);
      first = false;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto_internal::EvpPkeyPtr> KeyFromSpki(absl::string_view der) {
  const unsigned char* cursor = crypto_internal::Bytes(der);
  crypto_internal::EvpPkeyPtr key(
      d2i_PUBKEY(nullptr, &cursor, crypto_internal::DerLength(der)));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("cannot read the signer's public key");
  }
  return key;
}

}  // namespace

absl::Status CertificateIdentity::Validate() const {
  if (subject.empty() == subject_regexp.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --certificate-identity and "
        "--certificate-identity-regexp");
  }
  if (issuer.empty() == issuer_regexp.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --certificate-oidc-issuer and "
        "--certificate-oidc-issuer-regexp");
  }
  for (const std::string* pattern : {&subject_regexp, &issuer_regexp}) {
    if (pattern->size() > limits::kMaxIdentityPatternBytes) {
      return absl::InvalidArgumentError("identity regular expression too long");
    }
    if (pattern->empty()) continue;
    try {
      std::regex compiled(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      return absl::InvalidArgumentError(absl::StrCat(
          "regular expression '", *pattern, "' is invalid: ", error.what()));
    }
  }
  return absl::OkStatus();
}

bool IsKeylessBundle(absl::string_view bundle_json) {
  if (bundle_json.size() > limits::kMaxBundleBytes) return false;
  pb::Bundle bundle;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(bundle_json.data(),
                                         bundle_json.size()),
           &bundle, options)
           .ok()) {
    return false;
  }
  const pb::VerificationMaterial& material = bundle.verification_material();
  std::string leaf;
  if (material.has_certificate()) {
    leaf = material.certificate().raw_bytes();
  } else if (material.has_x509_certificate_chain() &&
             material.x509_certificate_chain().certificates_size() > 0) {
    leaf = material.x509_certificate_chain().certificates(0).raw_bytes();
  }
  if (leaf.empty()) return false;
  absl::StatusOr<internal::FulcioIdentity> identity =
      internal::ReadFulcioIdentity(leaf);
  return identity.ok() && !identity->issuer.empty();
}

absl::StatusOr<KeylessVerification> VerifyKeylessBundle(
    absl::string_view bundle_json, const TrustedRoot& root,
    const CertificateIdentity& identity, absl::string_view artifact_sha256) {
  MODELSEAL_RETURN_IF_ERROR(identity.Validate());
  if (!artifact_sha256.empty() && artifact_sha256.size() != 32) {
    return absl::InvalidArgumentError("artifact digest must be 32 bytes");
  }
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(ParsedBundle bundle,
                             ParseSigstoreBundle(bundle_json, artifact_sha256));
  if (bundle.certificates.empty()) {
    return absl::UnauthenticatedError(
        "bundle is signed with a public key, not a Fulcio certificate: verify "
        "it with --key");
  }
  const std::string& leaf_der = bundle.certificates.front();
  MODELSEAL_ASSIGN_OR_RETURN(internal::FulcioIdentity certificate,
                             internal::ReadFulcioIdentity(leaf_der));
  SignerMaterial signer;
  signer.leaf_der = leaf_der;
  signer.spki_der = certificate.spki_der;
  MODELSEAL_ASSIGN_OR_RETURN(signer.key, KeyFromSpki(signer.spki_der));

  KeylessVerification result;
  result.leaf_certificate_der = leaf_der;
  MODELSEAL_RETURN_IF_ERROR(MatchIdentity(certificate, identity, &result));
  MODELSEAL_RETURN_IF_ERROR(VerifySignature(bundle, signer));
  MODELSEAL_RETURN_IF_ERROR(
      CheckStatementSubject(bundle.content, artifact_sha256));

  const TrustedRoot::Impl& trust = root.impl();
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::int64_t> timestamp_times,
                             VerifyTimestamps(bundle, trust));
  if (bundle.message.verification_material().tlog_entries_size() == 0) {
    return absl::UnauthenticatedError("bundle has no transparency log entry");
  }
  std::vector<std::int64_t> times = timestamp_times;
  MODELSEAL_RETURN_IF_ERROR(
      VerifyEntries(bundle, trust, signer, timestamp_times,
                    /*skip_unknown_logs=*/false, &result, &times));
  if (times.empty()) {
    return absl::UnauthenticatedError(
        "no verified signing time (no integrated time and no RFC 3161 "
        "timestamp)");
  }
  // Every verified time must fall inside the certificate's life, and the
  // chain must hold at each of them.
  std::string issuer_der;
  for (std::int64_t time : times) {
    if (time < certificate.not_before || time > certificate.not_after) {
      return absl::UnauthenticatedError(absl::StrCat(
          "signing time ", time, " is outside the certificate's validity [",
          certificate.not_before, ", ", certificate.not_after, "]"));
    }
    const std::vector<std::string> intermediates(
        bundle.certificates.begin() + 1, bundle.certificates.end());
    MODELSEAL_ASSIGN_OR_RETURN(
        issuer_der,
        internal::VerifyFulcioChain(leaf_der, intermediates, trust, time));
  }
  MODELSEAL_RETURN_IF_ERROR(
      internal::VerifyEmbeddedScts(leaf_der, issuer_der, trust));

  result.signing_time = times.front();
  result.signing_time_source = timestamp_times.empty() ? "tlog" : "rfc3161";
  if (!timestamp_times.empty() && times.size() > timestamp_times.size()) {
    result.signing_time = times[timestamp_times.size()];
    result.signing_time_source = "tlog";
  }
  if (bundle.content.dsse) {
    result.payload_type = bundle.content.payload_type;
    result.payload = bundle.content.payload;
  } else {
    result.message_digest_sha256 = bundle.content.message_digest;
  }
  return result;
}

absl::StatusOr<KeylessVerification> VerifyKeyedBundle(
    absl::string_view bundle_json, const Verifier& key, const TrustedRoot& root,
    absl::string_view artifact_sha256) {
  if (!artifact_sha256.empty() && artifact_sha256.size() != 32) {
    return absl::InvalidArgumentError("artifact digest must be 32 bytes");
  }
  crypto_internal::ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(ParsedBundle bundle,
                             ParseSigstoreBundle(bundle_json, artifact_sha256));
  SignerMaterial signer;
  const std::string& pem = key.public_key_pem();
  crypto_internal::BioPtr bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  signer.key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (signer.key == nullptr) {
    return absl::InvalidArgumentError("cannot read the verification key");
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(signer.key.get(), &der);
  if (length <= 0) return absl::InternalError("cannot encode the key");
  signer.spki_der.assign(reinterpret_cast<char*>(der),
                         static_cast<std::size_t>(length));
  OPENSSL_free(der);

  KeylessVerification result;
  MODELSEAL_RETURN_IF_ERROR(VerifySignature(bundle, signer));
  MODELSEAL_RETURN_IF_ERROR(
      CheckStatementSubject(bundle.content, artifact_sha256));
  const TrustedRoot::Impl& trust = root.impl();
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::int64_t> timestamp_times,
                             VerifyTimestamps(bundle, trust));
  std::vector<std::int64_t> times = timestamp_times;
  MODELSEAL_RETURN_IF_ERROR(
      VerifyEntries(bundle, trust, signer, timestamp_times,
                    /*skip_unknown_logs=*/true, &result, &times));
  if (!times.empty()) {
    result.signing_time = times.front();
    result.signing_time_source = timestamp_times.empty() ? "tlog" : "rfc3161";
  }
  if (bundle.content.dsse) {
    result.payload_type = bundle.content.payload_type;
    result.payload = bundle.content.payload;
  } else {
    result.message_digest_sha256 = bundle.content.message_digest;
  }
  return result;
}

}  // namespace modelseal::sigstore
