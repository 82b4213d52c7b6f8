#include "modelseal/oms_bundle.h"

#include <algorithm>
#include <array>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/json_util.h"
#include "json/proto_json.h"
#include "manifest/strict_json.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"
#include "modelseal/v1/bundle.pb.h"
#include "util/json_writer.h"

namespace modelseal {
namespace manifest_internal {

absl::Status ParseStrictJson(absl::string_view json,
                             google::protobuf::Message* message,
                             absl::string_view what) {
  if (json.size() > limits::kMaxBundleBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, " is larger than the ", limits::kMaxBundleBytes, "-byte limit"));
  }
  const absl::Status status = json_internal::ParseJsonToMessage(json, message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not valid: ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace manifest_internal

namespace {

using manifest_internal::ParseStrictJson;

// 1 for every byte that is not a lower-case hex digit.
constexpr std::array<std::uint8_t, 256> MakeNotLowerHex() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = 1;
  for (int c = '0'; c <= '9'; ++c) table[c] = 0;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = 0;
  return table;
}
constexpr std::array<std::uint8_t, 256> kNotLowerHex = MakeNotLowerHex();

bool IsLowerHex(absl::string_view text) {
  // A table and no early exit: no branch per character. (A range test
  // accumulated in a bool was kept in memory by GCC 12 once inlined, one
  // store-to-load round trip per character: a fifth of ParseStatement.)
  unsigned not_hex = 0;
  for (const char c : text)
    not_hex |= kNotLowerHex[static_cast<unsigned char>(c)];
  return not_hex == 0;
}

// Names are relative POSIX paths: checked before any file is opened.
absl::Status CheckResourcePath(absl::string_view path) {
  if (path.empty() || path.front() == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "resource name '", path, "' is empty or an absolute path"));
  }
  if (path == ".") return absl::OkStatus();
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "resource name '", path, "' has an empty, '.' or '..' component"));
    }
  }
  if (path.find('\0') != absl::string_view::npos ||
      path.size() > limits::kMaxRelativePathBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("resource name '", path, "' is not allowed"));
  }
  return absl::OkStatus();
}

bool ParseDecimal(absl::string_view text, std::uint64_t* value) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, value);
}

}  // namespace

std::string DssePae(absl::string_view payload_type, absl::string_view payload) {
  return absl::StrCat("DSSEv1 ", payload_type.size(), " ", payload_type, " ",
                      payload.size(), " ", payload);
}

namespace {

// Python's repr() of a bytes object (CPython's bytes_repr): single quotes
// unless the bytes hold a single quote and no double quote; backslash and
// the chosen quote escaped; \t \n \r by name; other bytes below 0x20 or
// from 0x7f as \xhh. model_signing v0.2.0 put this text into what it signed.
std::string PythonBytesRepr(absl::string_view bytes) {
  const bool has_single = bytes.find('\'') != absl::string_view::npos;
  const bool has_double = bytes.find('"') != absl::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8 + 3);
  out.push_back('b');
  out.push_back(quote);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c < 0x20 || c >= 0x7f) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::string LegacyV020Pae(absl::string_view payload_type,
                          absl::string_view payload) {
  return absl::StrCat("DSSEV1 ", payload_type.size(), " ", payload_type, " ",
                      payload.size(), " ", PythonBytesRepr(payload));
}

absl::StatusOr<Statement> ParseLegacyDigestsStatement(
    absl::string_view payload) {
  v1::LegacyDigestsStatement proto;
  MODELSEAL_RETURN_IF_ERROR(
      ParseStrictJson(payload, &proto, "model_signing v0.2 statement"));
  if (proto.type() != kStatementType) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statement _type is '", proto.type(), "', expected ", kStatementType));
  }
  if (proto.predicate_type() != kLegacyDigestsPredicateType) {
    return absl::InvalidArgumentError(
        absl::StrCat("predicateType is '", proto.predicate_type(),
                     "', expected ", kLegacyDigestsPredicateType));
  }
  if (proto.subject().empty()) {
    return absl::InvalidArgumentError("the v0.2 statement has no subject");
  }
  if (static_cast<std::size_t>(proto.subject_size()) >
      limits::kMaxFilesPerModel) {
    return absl::ResourceExhaustedError("statement lists too many subjects");
  }
  Statement statement;
  statement.legacy_v0_2 = true;
  statement.serialization.method = SerializationMethod::kFiles;
  statement.serialization.hash = HashAlgorithm::kSha256;
  std::set<std::string> names;
  for (const v1::LegacySubject& subject : proto.subject()) {
    MODELSEAL_RETURN_IF_ERROR(CheckResourcePath(subject.name()));
    if (subject.name() == ".") {
      return absl::InvalidArgumentError("a v0.2 subject may not be named '.'");
    }
    if (subject.annotations().actual_hash_algorithm() != "file-sha256") {
      return absl::InvalidArgumentError(absl::StrCat(
          "v0.2 subject '", subject.name(), "' has actual_hash_algorithm '",
          subject.annotations().actual_hash_algorithm(),
          "'; only file-sha256 is read"));
    }
    auto sha256 = subject.digest().find("sha256");
    if (subject.digest_size() != 1 || sha256 == subject.digest().end() ||
        sha256->second.size() != 64 || !IsLowerHex(sha256->second)) {
      return absl::InvalidArgumentError(
          absl::StrCat("v0.2 subject '", subject.name(),
                       "' must have exactly one lower-case hex sha256 digest"));
    }
    if (!names.insert(subject.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("v0.2 subject '", subject.name(), "' is listed twice"));
    }
    ResourceDigest resource;
    resource.name = subject.name();
    resource.algorithm = "sha256";
    MODELSEAL_ASSIGN_OR_RETURN(resource.digest, HexDecode(sha256->second));
    statement.resources.push_back(std::move(resource));
  }
  std::sort(statement.resources.begin(), statement.resources.end(),
            [](const ResourceDigest& a, const ResourceDigest& b) {
              return a.name < b.name;
            });
  statement.subject_digest = ComputeRootDigest(statement.resources);
  return statement;
}

std::string BuildStatementPayload(const ModelDigest& digest) {
  const SerializationOptions& options = digest.options;
  const std::string hash(HashAlgorithmName(options.hash));
  JsonWriter json;
  json.BeginObject();
  json.Key("_type").String(kStatementType);
  json.Key("subject").BeginArray().BeginObject();
  json.Key("name").String(digest.model_name);
  json.Key("digest").BeginObject().Key("sha256").String(
      HexEncode(digest.root_digest));
  json.EndObject().EndObject().EndArray();
  json.Key("predicateType").String(kOmsPredicateType);
  json.Key("predicate").BeginObject();
  json.Key("serialization").BeginObject();
  json.Key("method").String(SerializationMethodName(options.method));
  json.Key("hash_type").String(hash);
  json.Key("allow_symlinks").Bool(options.allow_symlinks);
  json.Key("ignore_paths").BeginArray();
  for (const std::string& path : options.ignore_paths) json.String(path);
  json.EndArray();
  if (options.method == SerializationMethod::kShards) {
    json.Key("shard_size").Number(options.shard_size);
  }
  json.EndObject();
  json.Key("resources").BeginArray();
  for (const ResourceDigest& resource : digest.resources) {
    json.BeginObject();
    json.Key("name").String(resource.name);
    json.Key("algorithm").String(hash);
    json.Key("digest").String(HexEncode(resource.digest));
    json.EndObject();
  }
  json.EndArray().EndObject().EndObject();
  return json.text();
}

absl::StatusOr<ShardName> ParseShardName(absl::string_view name) {
  const std::size_t last = name.rfind(':');
  const std::size_t middle = last == absl::string_view::npos || last == 0
                                 ? absl::string_view::npos
                                 : name.rfind(':', last - 1);
  ShardName shard;
  if (middle == absl::string_view::npos || middle == 0 ||
      !ParseDecimal(name.substr(middle + 1, last - middle - 1), &shard.start) ||
      !ParseDecimal(name.substr(last + 1), &shard.end) ||
      shard.start >= shard.end) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard resource name '", name, "' is not '<path>:<start>:<end>'"));
  }
  shard.path = std::string(name.substr(0, middle));
  MODELSEAL_RETURN_IF_ERROR(CheckResourcePath(shard.path));
  return shard;
}

absl::StatusOr<Statement> ParseStatement(absl::string_view payload) {
  // On an arena: one message and two strings per resource, freed at once.
  google::protobuf::Arena arena;
  v1::Statement& proto =
      *google::protobuf::Arena::CreateMessage<v1::Statement>(&arena);
  const absl::Status parsed = ParseStrictJson(payload, &proto, "statement");
  if (!parsed.ok()) {
    if (ParseLegacyDigestsStatement(payload).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "this is a model_signing v0.2 statement (predicateType ",
          kLegacyDigestsPredicateType,
          "); modelseal reads it only in verify with --key or --ca, never "
          "for policies or logs: re-sign the model with modelseal sign"));
    }
    return parsed;
  }
  if (proto.type() != kStatementType) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statement _type is '", proto.type(), "', expected ", kStatementType));
  }
  if (proto.predicate_type() != kOmsPredicateType) {
    return absl::InvalidArgumentError(
        absl::StrCat("predicateType is '", proto.predicate_type(),
                     "', expected ", kOmsPredicateType));
  }
  if (proto.subject_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("statement has ", proto.subject_size(),
                     " subjects; OMS requires exactly one"));
  }
  Statement statement;
  const v1::Subject& subject = proto.subject(0);
  statement.subject_name = subject.name();
  auto sha256 = subject.digest().find("sha256");
  if (subject.digest_size() != 1 || sha256 == subject.digest().end() ||
      sha256->second.size() != 64 || !IsLowerHex(sha256->second)) {
    return absl::InvalidArgumentError(
        "subject digest must be exactly one lower-case hex sha256 value");
  }
  MODELSEAL_ASSIGN_OR_RETURN(statement.subject_digest,
                             HexDecode(sha256->second));

  if (!proto.has_predicate() || !proto.predicate().has_serialization()) {
    return absl::InvalidArgumentError("predicate.serialization is missing");
  }
  const v1::PredicateSerialization& serialization =
      proto.predicate().serialization();
  SerializationOptions& options = statement.serialization;
  MODELSEAL_ASSIGN_OR_RETURN(options.method,
                             ParseSerializationMethod(serialization.method()));
  MODELSEAL_ASSIGN_OR_RETURN(options.hash,
                             ParseHashAlgorithm(serialization.hash_type()));
  options.allow_symlinks = serialization.allow_symlinks();
  if (options.method == SerializationMethod::kShards) {
    if (!serialization.has_shard_size() ||
        serialization.shard_size() < limits::kMinShardSize ||
        serialization.shard_size() > limits::kMaxShardSize) {
      return absl::InvalidArgumentError(
          "shards serialization needs a valid shard_size");
    }
    options.shard_size = serialization.shard_size();
  } else if (serialization.has_shard_size()) {
    return absl::InvalidArgumentError(
        "shard_size is only allowed with method shards");
  }
  for (const std::string& path : serialization.ignore_paths()) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string normalized,
                               NormalizeIgnorePath(path));
    options.ignore_paths.push_back(normalized);
  }

  const auto& resources = proto.predicate().resources();
  if (resources.empty())
    return absl::InvalidArgumentError("predicate has no resources");
  if (static_cast<std::size_t>(resources.size()) > limits::kMaxFilesPerModel) {
    return absl::ResourceExhaustedError("predicate lists too many resources");
  }
  const std::string hash(HashAlgorithmName(options.hash));
  const std::string sharded =
      absl::StrCat(hash, "-sharded-", options.shard_size);
  absl::flat_hash_set<absl::string_view> names;
  names.reserve(static_cast<std::size_t>(resources.size()));
  statement.resources.reserve(static_cast<std::size_t>(resources.size()));
  // "." names the file of a single-file model: it cannot sit beside others.
  bool whole_file = false;
  bool other_paths = false;
  for (const v1::PredicateResource& resource : resources) {
    const bool algorithm_ok = resource.algorithm() == hash ||
                              (options.method == SerializationMethod::kShards &&
                               resource.algorithm() == sharded);
    if (!algorithm_ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource '", resource.name(), "' has algorithm '",
                       resource.algorithm(), "' but hash_type is ", hash));
    }
    if (resource.digest().size() != 2 * DigestBytes(options.hash) ||
        !IsLowerHex(resource.digest())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "resource '", resource.name(), "' digest is not ",
          2 * DigestBytes(options.hash), " lower-case hex digits"));
    }
    if (options.method == SerializationMethod::kShards) {
      MODELSEAL_ASSIGN_OR_RETURN(const ShardName shard,
                                 ParseShardName(resource.name()));
      (shard.path == "." ? whole_file : other_paths) = true;
    } else {
      MODELSEAL_RETURN_IF_ERROR(CheckResourcePath(resource.name()));
      (resource.name() == "." ? whole_file : other_paths) = true;
    }
    if (!names.insert(resource.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource '", resource.name(), "' is listed twice"));
    }
    ResourceDigest digest;
    digest.name = resource.name();
    digest.algorithm = resource.algorithm();
    MODELSEAL_ASSIGN_OR_RETURN(digest.digest, HexDecode(resource.digest()));
    statement.resources.push_back(std::move(digest));
  }
  if (whole_file && other_paths) {
    return absl::InvalidArgumentError(
        "resource '.' is only allowed for a single-file model");
  }
  if (ComputeRootDigest(statement.resources) != statement.subject_digest) {
    return absl::InvalidArgumentError(
        "subject digest does not match the digest of the listed resources");
  }
  return statement;
}

absl::StatusOr<Bundle> ParseBundle(absl::string_view json) {
  v1::Bundle proto;
  MODELSEAL_RETURN_IF_ERROR(ParseStrictJson(json, &proto, "bundle"));
  if (proto.media_type() != kBundleMediaType) {
    return absl::InvalidArgumentError(
        absl::StrCat("bundle mediaType is '", proto.media_type(),
                     "', expected ", kBundleMediaType));
  }
  if (!proto.has_dsse_envelope()) {
    return absl::InvalidArgumentError("bundle has no dsseEnvelope");
  }
  if (!proto.has_verification_material()) {
    return absl::InvalidArgumentError("bundle has no verificationMaterial");
  }
  const v1::Envelope& envelope = proto.dsse_envelope();
  if (envelope.payload_type() != kInTotoPayloadType) {
    return absl::InvalidArgumentError(
        absl::StrCat("payloadType is '", envelope.payload_type(),
                     "', expected ", kInTotoPayloadType));
  }
  if (envelope.payload().empty())
    return absl::InvalidArgumentError("DSSE payload is empty");
  if (envelope.signatures_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("envelope has ", envelope.signatures_size(),
                     " signatures; OMS bundles carry exactly one (use one "
                     "bundle per signer)"));
  }
  if (envelope.signatures(0).sig().empty()) {
    return absl::InvalidArgumentError("DSSE signature is empty");
  }
  Bundle bundle;
  bundle.payload = envelope.payload();
  bundle.payload_type = envelope.payload_type();
  bundle.signature = envelope.signatures(0).sig();

  const v1::VerificationMaterial& material = proto.verification_material();
  const int methods = material.has_public_key() +
                      material.has_x509_certificate_chain() +
                      material.has_certificate();
  if (methods != 1) {
    return absl::InvalidArgumentError(
        "verificationMaterial must hold exactly one of publicKey, "
        "x509CertificateChain, certificate");
  }
  if (material.has_public_key()) {
    const std::string& hint = material.public_key().hint();
    if (!hint.empty() && (hint.size() != 64 || !IsLowerHex(hint))) {
      return absl::InvalidArgumentError("publicKey.hint is not a hex SHA-256");
    }
    bundle.public_key_hint = hint;
    bundle.embedded_public_key_pem = material.public_key().raw_bytes();
  } else if (material.has_x509_certificate_chain()) {
    for (const v1::X509Certificate& certificate :
         material.x509_certificate_chain().certificates()) {
      if (certificate.raw_bytes().empty()) {
        return absl::InvalidArgumentError(
            "empty certificate in x509CertificateChain");
      }
      bundle.certificate_chain_der.push_back(certificate.raw_bytes());
    }
    if (bundle.certificate_chain_der.empty()) {
      return absl::InvalidArgumentError(
          "x509CertificateChain has no certificate");
    }
  } else {
    // The single-certificate form is Sigstore keyless signing, whose
    // short-lived certificate means nothing without a log entry.
    if (material.tlog_entries().empty()) {
      return absl::InvalidArgumentError(
          "a bundle with a single certificate (Sigstore keyless) needs "
          "tlogEntries");
    }
    if (material.certificate().raw_bytes().empty()) {
      return absl::InvalidArgumentError("certificate.rawBytes is empty");
    }
    bundle.certificate_chain_der.push_back(material.certificate().raw_bytes());
  }
  // Zero values stay visible ("logIndex":"0"), as Sigstore writes them.
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  for (const v1::TransparencyLogEntry& entry : material.tlog_entries()) {
    std::string entry_json;
    if (!google::protobuf::util::MessageToJsonString(entry, &entry_json, print)
             .ok()) {
      return absl::InternalError("cannot re-encode a tlogEntries item");
    }
    bundle.tlog_entries_json.push_back(std::move(entry_json));
  }
  return bundle;
}

std::string WriteBundle(const Bundle& bundle) {
  JsonWriter json;
  json.BeginObject();
  json.Key("mediaType").String(kBundleMediaType);
  json.Key("verificationMaterial").BeginObject();
  if (bundle.certificate_chain_der.empty()) {
    json.Key("publicKey")
        .BeginObject()
        .Key("hint")
        .String(bundle.public_key_hint)
        .EndObject();
  } else {
    json.Key("x509CertificateChain")
        .BeginObject()
        .Key("certificates")
        .BeginArray();
    for (const std::string& der : bundle.certificate_chain_der) {
      json.BeginObject()
          .Key("rawBytes")
          .String(absl::Base64Escape(der))
          .EndObject();
    }
    json.EndArray().EndObject();
  }
  json.Key("tlogEntries").BeginArray();
  for (const std::string& entry : bundle.tlog_entries_json) json.Raw(entry);
  json.EndArray();
  json.EndObject();
  json.Key("dsseEnvelope").BeginObject();
  json.Key("payload").String(absl::Base64Escape(bundle.payload));
  json.Key("payloadType").String(bundle.payload_type);
  json.Key("signatures").BeginArray().BeginObject();
  json.Key("sig").String(absl::Base64Escape(bundle.signature));
  json.Key("keyid").String("");
  json.EndObject().EndArray();
  json.EndObject().EndObject();
  return json.text();
}

}  // namespace modelseal
