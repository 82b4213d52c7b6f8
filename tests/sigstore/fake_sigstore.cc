// The fake Sigstore instance: every key, certificate, SCT, log entry,
// checkpoint and timestamp is made here with OpenSSL at test time.
#include "tests/sigstore/fake_sigstore.h"

#include <openssl/bio.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "modelseal/checkpoint.h"
#include "modelseal/merkle.h"
#include "modelseal/oms_bundle.h"
#include "util/base64.h"

namespace modelseal::sigstore::testing {
namespace {

namespace pb = ::modelseal::v1::sigstore;

// Test setup errors are bugs in the test: stop loudly.
void Check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(absl::StrCat("fake sigstore: ", what));
  }
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

std::string Sha256(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string HexOf(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Pkey NewEcKey() {
  Pkey key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

Pkey NewEd25519Key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  Check(key != nullptr, "ED25519 keygen");
  return key;
}

std::string SpkiDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  Check(length > 0, "i2d_PUBKEY");
  std::string out(reinterpret_cast<char*>(der),
                  static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string CertDer(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  Check(length > 0, "i2d_X509");
  std::string out(reinterpret_cast<char*>(der),
                  static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string CertPem(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(bio != nullptr && PEM_write_bio_X509(bio, certificate) == 1, "PEM");
  char* data = nullptr;
  const long length =
      BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int)
  std::string out(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return out;
}

// ECDSA (SHA-256, DER) or Ed25519 (raw) signature of `data`.
std::string Sign(EVP_PKEY* key, absl::string_view data) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ed25519 = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  Check(
      context != nullptr &&
          EVP_DigestSignInit(context, nullptr, ed25519 ? nullptr : EVP_sha256(),
                             nullptr, key) == 1,
      "DigestSignInit");
  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  Check(EVP_DigestSign(context, nullptr, &length, bytes, data.size()) == 1,
        "DigestSign size");
  std::string signature(length, '\0');
  Check(EVP_DigestSign(context,
                       reinterpret_cast<unsigned char*>(signature.data()),
                       &length, bytes, data.size()) == 1,
        "DigestSign");
  EVP_MD_CTX_free(context);
  signature.resize(length);
  return signature;
}

void AddExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr && X509_add_ext(certificate, extension, -1) == 1,
        value);
  X509_EXTENSION_free(extension);
}

void AddRawExtension(X509* certificate, const char* oid,
                     absl::string_view value) {
  ASN1_OBJECT* object = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
  Check(object != nullptr && data != nullptr &&
            ASN1_OCTET_STRING_set(
                data, reinterpret_cast<const unsigned char*>(value.data()),
                static_cast<int>(value.size())) == 1,
        "raw extension");
  X509_EXTENSION* extension =
      X509_EXTENSION_create_by_OBJ(nullptr, object, 0, data);
  Check(extension != nullptr && X509_add_ext(certificate, extension, -1) == 1,
        "add raw extension");
  X509_EXTENSION_free(extension);
  ASN1_OCTET_STRING_free(data);
  ASN1_OBJECT_free(object);
}

Cert NewCertificate(const char* common_name, EVP_PKEY* subject_key,
                    std::int64_t not_before, std::int64_t not_after,
                    X509* issuer) {
  Cert certificate(X509_new());
  Check(certificate != nullptr, "X509_new");
  static long serial = 1;  // NOLINT(google-runtime-int)
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), ++serial);
  X509_NAME* name = X509_NAME_new();
  if (common_name != nullptr) {
    X509_NAME_add_entry_by_txt(
        name, "O", MBSTRING_ASC,
        reinterpret_cast<const unsigned char*>("fake.test"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC,
        reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  }
  X509_set_subject_name(certificate.get(), name);
  X509_set_issuer_name(certificate.get(), issuer == nullptr
                                              ? name
                                              : X509_get_subject_name(issuer));
  X509_NAME_free(name);
  ASN1_TIME_set(X509_getm_notBefore(certificate.get()),
                static_cast<time_t>(not_before));
  ASN1_TIME_set(X509_getm_notAfter(certificate.get()),
                static_cast<time_t>(not_after));
  X509_set_pubkey(certificate.get(), subject_key);
  return certificate;
}

Cert NewCa(const char* common_name, EVP_PKEY* key, X509* issuer,
           EVP_PKEY* issuer_key) {
  Cert certificate = NewCertificate(common_name, key, kEpoch - 86400,
                                    kEpoch + 20 * 365 * 86400, issuer);
  X509* signer = issuer == nullptr ? certificate.get() : issuer;
  AddExtension(certificate.get(), signer, NID_basic_constraints,
               "critical,CA:TRUE");
  AddExtension(certificate.get(), signer, NID_key_usage,
               "critical,keyCertSign,cRLSign");
  AddExtension(certificate.get(), signer, NID_subject_key_identifier, "hash");
  Check(X509_sign(certificate.get(), issuer_key == nullptr ? key : issuer_key,
                  EVP_sha384()) > 0,
        "sign CA");
  return certificate;
}

// In-memory tree for inclusion proofs.
class VectorSource : public tlog::SubtreeHashSource {
 public:
  explicit VectorSource(std::vector<tlog::Hash> leaves)
      : leaves_(std::move(leaves)) {}
  absl::StatusOr<tlog::Hash> SubtreeHash(int level,
                                         std::uint64_t index) override {
    const std::size_t width = std::size_t{1} << level;
    return tlog::RootFromLeafHashes(
        absl::MakeConstSpan(leaves_).subspan(index * width, width));
  }

 private:
  std::vector<tlog::Hash> leaves_;
};

int FixedTime(TS_RESP_CTX*, void* data, long* seconds,              // NOLINT
              long* microseconds) {                                 // NOLINT
  *seconds = static_cast<long>(*static_cast<std::int64_t*>(data));  // NOLINT
  *microseconds = 0;
  return 1;
}

}  // namespace

struct FakeSigstore::Impl {
  Pkey root_key, intermediate_key, leaf_key, ct_key, stranger_key, rekor_key,
      rekor_v2_key, tsa_root_key, tsa_key;
  Cert root, intermediate, tsa_root, tsa;
  std::string last_leaf;

  std::string RekorLogId() const { return Sha256(SpkiDer(rekor_key.get())); }
  std::string RekorV2LogId() const {
    return Sha256(SpkiDer(rekor_v2_key.get()));
  }

  Cert MakeLeaf(const LeafOptions& options) {
    Cert leaf = NewCertificate(nullptr, leaf_key.get(), options.not_before,
                               options.not_before + options.lifetime,
                               intermediate.get());
    X509* issuer = intermediate.get();
    AddExtension(leaf.get(), issuer, NID_key_usage,
                 "critical,digitalSignature");
    if (options.code_signing) {
      AddExtension(leaf.get(), issuer, NID_ext_key_usage, "codeSigning");
    } else {
      AddExtension(leaf.get(), issuer, NID_ext_key_usage, "emailProtection");
    }
    const std::string san = absl::StrCat(
        "critical,",
        options.san.find("://") == std::string::npos ? "email:" : "URI:",
        options.san);
    AddExtension(leaf.get(), issuer, NID_subject_alt_name, san.c_str());
    AddExtension(leaf.get(), issuer, NID_authority_key_identifier,
                 "keyid:always");
    if (options.issuer_v1) {
      AddRawExtension(leaf.get(), "1.3.6.1.4.1.57264.1.1", options.issuer);
    }
    if (options.issuer_v2) {
      ASN1_UTF8STRING* text = ASN1_UTF8STRING_new();
      ASN1_STRING_set(text, options.issuer.data(),
                      static_cast<int>(options.issuer.size()));
      unsigned char* der = nullptr;
      const int length = i2d_ASN1_UTF8STRING(text, &der);
      Check(length > 0, "UTF8String");
      AddRawExtension(leaf.get(), "1.3.6.1.4.1.57264.1.8",
                      std::string(reinterpret_cast<char*>(der),
                                  static_cast<std::size_t>(length)));
      OPENSSL_free(der);
      ASN1_UTF8STRING_free(text);
    }
    Check(X509_sign(leaf.get(), intermediate_key.get(), EVP_sha384()) > 0,
          "sign leaf");
    if (!options.with_sct) return leaf;

    // RFC 6962 §3.2: the SCT signs the TBS without the SCT extension, which
    // is this certificate's TBS now (same signature algorithm as later).
    unsigned char* tbs = nullptr;
    const int tbs_length = i2d_re_X509_tbs(leaf.get(), &tbs);
    Check(tbs_length > 0, "tbs");
    const std::uint64_t timestamp =
        static_cast<std::uint64_t>(options.not_before) * 1000 + 5;
    std::string signed_data;
    signed_data.push_back(0);
    signed_data.push_back(0);
    for (int shift = 56; shift >= 0; shift -= 8) {
      signed_data.push_back(static_cast<char>((timestamp >> shift) & 0xff));
    }
    signed_data.append("\x00\x01", 2);
    signed_data.append(Sha256(SpkiDer(intermediate_key.get())));
    signed_data.push_back(static_cast<char>((tbs_length >> 16) & 0xff));
    signed_data.push_back(static_cast<char>((tbs_length >> 8) & 0xff));
    signed_data.push_back(static_cast<char>(tbs_length & 0xff));
    signed_data.append(reinterpret_cast<char*>(tbs),
                       static_cast<std::size_t>(tbs_length));
    signed_data.append("\x00\x00", 2);  // no extensions
    OPENSSL_free(tbs);
    EVP_PKEY* ct_signer =
        options.sct_signed_by_stranger ? stranger_key.get() : ct_key.get();
    const std::string signature = Sign(ct_signer, signed_data);
    const std::string log_id = Sha256(SpkiDer(ct_key.get()));

    SCT* sct = SCT_new();
    Check(sct != nullptr && SCT_set_version(sct, SCT_VERSION_V1) == 1 &&
              SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT) == 1 &&
              SCT_set1_log_id(
                  sct, reinterpret_cast<const unsigned char*>(log_id.data()),
                  log_id.size()) == 1 &&
              SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256) == 1 &&
              SCT_set1_signature(
                  sct, reinterpret_cast<const unsigned char*>(signature.data()),
                  signature.size()) == 1,
          "SCT");
    SCT_set_timestamp(sct, timestamp);
    STACK_OF(SCT)* list = sk_SCT_new_null();
    Check(list != nullptr && sk_SCT_push(list, sct) > 0, "SCT list");
    Check(X509_add1_ext_i2d(leaf.get(), NID_ct_precert_scts, list, 0,
                            X509V3_ADD_APPEND) == 1,
          "SCT extension");
    SCT_LIST_free(list);
    Check(X509_sign(leaf.get(), intermediate_key.get(), EVP_sha384()) > 0,
          "re-sign leaf");
    return leaf;
  }

  std::string Timestamp(absl::string_view signature, std::int64_t time) {
    TS_RESP_CTX* context = TS_RESP_CTX_new();
    ASN1_OBJECT* policy = OBJ_txt2obj("1.3.6.1.4.1.57264.2", 1);
    Check(context != nullptr &&
              TS_RESP_CTX_set_signer_cert(context, tsa.get()) == 1 &&
              TS_RESP_CTX_set_signer_key(context, tsa_key.get()) == 1 &&
              TS_RESP_CTX_set_def_policy(context, policy) == 1 &&
              TS_RESP_CTX_add_md(context, EVP_sha256()) == 1 &&
              TS_RESP_CTX_set_signer_digest(context, EVP_sha256()) == 1,
          "TS_RESP_CTX");
    TS_RESP_CTX_set_time_cb(context, FixedTime, &time);
    const std::string digest = Sha256(signature);
    TS_REQ* request = TS_REQ_new();
    TS_MSG_IMPRINT* imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR* algorithm = X509_ALGOR_new();
    X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr);
    Check(TS_MSG_IMPRINT_set_algo(imprint, algorithm) == 1 &&
              TS_MSG_IMPRINT_set_msg(imprint,
                                     reinterpret_cast<unsigned char*>(
                                         const_cast<char*>(digest.data())),
                                     static_cast<int>(digest.size())) == 1 &&
              TS_REQ_set_version(request, 1) == 1 &&
              TS_REQ_set_msg_imprint(request, imprint) == 1 &&
              TS_REQ_set_cert_req(request, 1) == 1,
          "TS_REQ");
    BIO* request_bio = BIO_new(BIO_s_mem());
    Check(i2d_TS_REQ_bio(request_bio, request) == 1, "i2d_TS_REQ_bio");
    TS_RESP* response = TS_RESP_create_response(context, request_bio);
    Check(response != nullptr, "TS_RESP_create_response");
    unsigned char* der = nullptr;
    const int length = i2d_TS_RESP(response, &der);
    Check(length > 0, "i2d_TS_RESP");
    std::string out(reinterpret_cast<char*>(der),
                    static_cast<std::size_t>(length));
    OPENSSL_free(der);
    TS_RESP_free(response);
    BIO_free(request_bio);
    TS_REQ_free(request);
    TS_MSG_IMPRINT_free(imprint);
    X509_ALGOR_free(algorithm);
    ASN1_OBJECT_free(policy);
    TS_RESP_CTX_free(context);
    return out;
  }

  // An inclusion proof for `body` at index 4 of a 7-leaf tree, with a
  // checkpoint signed by `key` under `name`.
  void Prove(v1::TransparencyLogEntry* entry, EVP_PKEY* key,
             const std::string& name, const std::string& origin,
             const std::string& key_id) {
    std::vector<tlog::Hash> leaves;
    for (int i = 0; i < 7; ++i) {
      leaves.push_back(i == 4 ? tlog::HashLeaf(entry->canonicalized_body())
                              : tlog::HashLeaf(absl::StrCat("entry ", i)));
    }
    VectorSource source(leaves);
    auto proof = tlog::MakeInclusionProof(source, 4, 7);
    Check(proof.ok(), "proof");
    const tlog::Hash tree_root = tlog::RootFromLeafHashes(leaves);
    v1::InclusionProof* inclusion = entry->mutable_inclusion_proof();
    inclusion->set_log_index(4);
    inclusion->set_tree_size(7);
    inclusion->set_root_hash(std::string(tlog::HashBytes(tree_root)));
    for (const tlog::Hash& hash : *proof) {
      inclusion->add_hashes(std::string(tlog::HashBytes(hash)));
    }
    auto text =
        tlog::FormatCheckpoint(tlog::Checkpoint{origin, 7, tree_root, {}});
    Check(text.ok(), "checkpoint");
    const std::string signature = Sign(key, *text);
    inclusion->mutable_checkpoint()->set_envelope(absl::StrCat(
        *text, "\n\u2014 ", name, " ",
        util::Base64Encode(absl::StrCat(key_id.substr(0, 4), signature)),
        "\n"));
  }
};

FakeSigstore::FakeSigstore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
FakeSigstore::~FakeSigstore() = default;

std::unique_ptr<FakeSigstore> FakeSigstore::Create() {
  auto impl = std::make_unique<Impl>();
  impl->root_key = NewEcKey();
  impl->intermediate_key = NewEcKey();
  impl->leaf_key = NewEcKey();
  impl->ct_key = NewEcKey();
  impl->stranger_key = NewEcKey();
  impl->rekor_key = NewEcKey();
  impl->rekor_v2_key = NewEd25519Key();
  impl->tsa_root_key = NewEcKey();
  impl->tsa_key = NewEcKey();
  impl->root =
      NewCa("fake-fulcio-root", impl->root_key.get(), nullptr, nullptr);
  impl->intermediate =
      NewCa("fake-fulcio-intermediate", impl->intermediate_key.get(),
            impl->root.get(), impl->root_key.get());
  impl->tsa_root =
      NewCa("fake-tsa-root", impl->tsa_root_key.get(), nullptr, nullptr);
  impl->tsa = NewCertificate("fake-tsa", impl->tsa_key.get(), kEpoch - 86400,
                             kEpoch + 10 * 365 * 86400, impl->tsa_root.get());
  AddExtension(impl->tsa.get(), impl->tsa_root.get(), NID_key_usage,
               "critical,digitalSignature");
  AddExtension(impl->tsa.get(), impl->tsa_root.get(), NID_ext_key_usage,
               "critical,timeStamping");
  Check(X509_sign(impl->tsa.get(), impl->tsa_root_key.get(), EVP_sha256()) > 0,
        "sign TSA");
  return std::unique_ptr<FakeSigstore>(new FakeSigstore(std::move(impl)));
}

std::string FakeSigstore::ArtifactSha256(const BundleOptions& options) {
  return Sha256(options.artifact);
}

const std::string& FakeSigstore::last_leaf_der() const {
  return impl_->last_leaf;
}

void FakeSigstore::ResignSet(v1::TransparencyLogEntry* entry) {
  const std::string payload = absl::StrCat(
      R"({"body":")", util::Base64Encode(entry->canonicalized_body()),
      R"(","integratedTime":)", entry->integrated_time(), R"(,"logID":")",
      HexOf(entry->log_id().key_id()), R"(","logIndex":)", entry->log_index(),
      "}");
  entry->mutable_inclusion_promise()->set_signed_entry_timestamp(
      Sign(impl_->rekor_key.get(), payload));
}

pb::Bundle FakeSigstore::MakeBundle(const BundleOptions& options) {
  Impl& impl = *impl_;
  Cert leaf = impl.MakeLeaf(options.leaf);
  impl.last_leaf = CertDer(leaf.get());
  pb::Bundle bundle;
  bundle.set_media_type(
      options.bundle_minor == 3
          ? "application/vnd.dev.sigstore.bundle.v0.3+json"
          : absl::StrCat("application/vnd.dev.sigstore.bundle+json;version=0.",
                         options.bundle_minor));
  pb::VerificationMaterial* material = bundle.mutable_verification_material();
  if (options.chain_form || options.bundle_minor < 3) {
    auto* chain = material->mutable_x509_certificate_chain();
    chain->add_certificates()->set_raw_bytes(impl.last_leaf);
    chain->add_certificates()->set_raw_bytes(CertDer(impl.intermediate.get()));
  } else {
    material->mutable_certificate()->set_raw_bytes(impl.last_leaf);
  }

  const std::string artifact_digest = Sha256(options.artifact);
  std::string signature;
  std::string pae;
  if (options.dsse) {
    const std::string payload =
        !options.dsse_payload.empty()
            ? options.dsse_payload
            : absl::StrCat(
                  R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"artifact","digest":{"sha256":")",
                  HexOf(artifact_digest),
                  R"("}}],"predicateType":"https://example.com/test/v1","predicate":{}})");
    pae = DssePae("application/vnd.in-toto+json", payload);
    signature = Sign(impl.leaf_key.get(), pae);
    v1::Envelope* envelope = bundle.mutable_dsse_envelope();
    envelope->set_payload(payload);
    envelope->set_payload_type("application/vnd.in-toto+json");
    envelope->add_signatures()->set_sig(signature);
  } else {
    signature = Sign(impl.leaf_key.get(), options.artifact);
    pb::MessageSignature* message = bundle.mutable_message_signature();
    message->mutable_message_digest()->set_algorithm("SHA2_256");
    message->mutable_message_digest()->set_digest(artifact_digest);
    message->set_signature(signature);
  }

  v1::TransparencyLogEntry* entry = material->add_tlog_entries();
  entry->set_log_index(1004);
  if (!options.rekor_v2) {
    entry->mutable_log_id()->set_key_id(impl.RekorLogId());
    entry->set_integrated_time(options.integrated_time);
    const std::string pem = util::Base64Encode(CertPem(leaf.get()));
    if (options.dsse) {
      entry->mutable_kind_version()->set_kind("dsse");
      entry->mutable_kind_version()->set_version("0.0.1");
      entry->set_canonicalized_body(absl::StrCat(
          R"({"apiVersion":"0.0.1","kind":"dsse","spec":{"envelopeHash":{"algorithm":"sha256","value":")",
          HexOf(Sha256("envelope")),
          R"("},"payloadHash":{"algorithm":"sha256","value":")",
          HexOf(Sha256(bundle.dsse_envelope().payload())),
          R"("},"signatures":[{"signature":")", util::Base64Encode(signature),
          R"(","verifier":")", pem, R"("}]}})"));
    } else {
      entry->mutable_kind_version()->set_kind("hashedrekord");
      entry->mutable_kind_version()->set_version("0.0.1");
      entry->set_canonicalized_body(absl::StrCat(
          R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":")",
          HexOf(artifact_digest), R"("}},"signature":{"content":")",
          util::Base64Encode(signature), R"(","publicKey":{"content":")", pem,
          R"("}}}})"));
    }
    if (options.with_set) ResignSet(entry);
    if (options.with_proof) {
      impl.Prove(entry, impl.rekor_key.get(), "rekor.test", "rekor.test - 4242",
                 impl.RekorLogId());
    }
  } else {
    entry->mutable_log_id()->set_key_id(impl.RekorV2LogId());
    entry->mutable_kind_version()->set_kind("hashedrekord");
    entry->mutable_kind_version()->set_version("0.0.2");
    const std::string digest = options.dsse ? Sha256(pae) : artifact_digest;
    entry->set_canonicalized_body(absl::StrCat(
        R"({"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":")",
        util::Base64Encode(digest), R"("},"signature":{"content":")",
        util::Base64Encode(signature),
        R"(","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","x509Certificate":{"rawBytes":")",
        util::Base64Encode(impl.last_leaf), R"("}}}}}})"));
    if (options.with_proof) {
      impl.Prove(entry, impl.rekor_v2_key.get(), "log2.test", "log2.test",
                 impl.RekorV2LogId());
    }
    material->mutable_timestamp_verification_data()
        ->add_rfc3161_timestamps()
        ->set_signed_timestamp(
            impl.Timestamp(signature, options.integrated_time));
  }
  return bundle;
}

pb::TrustedRoot FakeSigstore::MakeTrustedRoot() const {
  const Impl& impl = *impl_;
  pb::TrustedRoot root;
  root.set_media_type(
      "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
  auto add_log = [](pb::TransparencyLogInstance* log, const char* url,
                    EVP_PKEY* key, const char* details) {
    log->set_base_url(url);
    log->set_hash_algorithm("SHA2_256");
    log->mutable_public_key()->set_raw_bytes(SpkiDer(key));
    log->mutable_public_key()->set_key_details(details);
    log->mutable_public_key()
        ->mutable_valid_for()
        ->mutable_start()
        ->set_seconds(kEpoch);
    log->mutable_log_id()->set_key_id(Sha256(SpkiDer(key)));
  };
  add_log(root.add_tlogs(), "https://rekor.test", impl.rekor_key.get(),
          "PKIX_ECDSA_P256_SHA_256");
  add_log(root.add_tlogs(), "https://log2.test", impl.rekor_v2_key.get(),
          "PKIX_ED25519");
  add_log(root.add_ctlogs(), "https://ct.test", impl.ct_key.get(),
          "PKIX_ECDSA_P256_SHA_256");
  pb::CertificateAuthority* ca = root.add_certificate_authorities();
  ca->set_uri("https://fulcio.test");
  ca->mutable_subject()->set_organization("fake.test");
  ca->mutable_cert_chain()->add_certificates()->set_raw_bytes(
      CertDer(impl.intermediate.get()));
  ca->mutable_cert_chain()->add_certificates()->set_raw_bytes(
      CertDer(impl.root.get()));
  ca->mutable_valid_for()->mutable_start()->set_seconds(kEpoch);
  pb::CertificateAuthority* tsa = root.add_timestamp_authorities();
  tsa->set_uri("https://tsa.test");
  tsa->mutable_cert_chain()->add_certificates()->set_raw_bytes(
      CertDer(impl.tsa.get()));
  tsa->mutable_cert_chain()->add_certificates()->set_raw_bytes(
      CertDer(impl.tsa_root.get()));
  tsa->mutable_valid_for()->mutable_start()->set_seconds(kEpoch);
  return root;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  Check(google::protobuf::util::MessageToJsonString(message, &json).ok(),
        "MessageToJsonString");
  return json;
}

}  // namespace modelseal::sigstore::testing
