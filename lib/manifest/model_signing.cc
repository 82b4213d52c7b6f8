#include "modelseal/model_signing.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "modelseal/hash_engine.h"
#include "modelseal/hex.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

absl::StatusOr<std::string> SignPayload(const std::string& payload,
                                        const SigningIdentity& identity,
                                        std::string* hint) {
  if (identity.signer == nullptr)
    return absl::InvalidArgumentError("no signing key");
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string signature,
      identity.signer->Sign(DssePae(kInTotoPayloadType, payload)));
  // Check our own work before publishing it: a signature that does not
  // verify with the signer's public key is never written.
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<Verifier> verifier,
                             identity.signer->MakeVerifier());
  MODELSEAL_RETURN_IF_ERROR(
      verifier->Verify(DssePae(kInTotoPayloadType, payload), signature));
  *hint = verifier->Hint();
  return signature;
}

std::string WriteSignedBundle(const std::string& payload, std::string signature,
                              const std::string& hint,
                              const SigningIdentity& identity) {
  Bundle bundle;
  bundle.payload = payload;
  bundle.payload_type = std::string(kInTotoPayloadType);
  bundle.signature = std::move(signature);
  if (identity.certificate_chain_der.empty()) {
    bundle.public_key_hint = hint;
  } else {
    bundle.certificate_chain_der = identity.certificate_chain_der;
  }
  return WriteBundle(bundle);
}

// The key that must have signed: the caller's (borrowed) or a certificate's
// (owned).
struct EstablishedSigner {
  std::unique_ptr<Verifier> owned;
  const Verifier* verifier = nullptr;
};

absl::StatusOr<EstablishedSigner> EstablishSigner(const Bundle& bundle,
                                                  const VerifyOptions& options,
                                                  std::string* who) {
  if (!bundle.certificate_chain_der.empty()) {
    if (options.ca_roots_der.empty()) {
      return absl::UnauthenticatedError(
          "the bundle is signed with a certificate; give the trusted CA roots "
          "(--ca)");
    }
    std::vector<std::string> intermediates(
        bundle.certificate_chain_der.begin() + 1,
        bundle.certificate_chain_der.end());
    MODELSEAL_ASSIGN_OR_RETURN(
        std::unique_ptr<Verifier> verifier,
        VerifyCertificateChain(bundle.certificate_chain_der[0], intermediates,
                               options.ca_roots_der, options.now));
    *who = absl::StrCat("certificate (leaf SHA-256 ",
                        HexEncode(HashBytes(HashAlgorithm::kSha256,
                                            bundle.certificate_chain_der[0])),
                        ", key ", verifier->Hint(), ")");
    EstablishedSigner established;
    established.verifier = verifier.get();
    established.owned = std::move(verifier);
    return established;
  }
  if (options.public_key == nullptr) {
    return absl::UnauthenticatedError(
        "the bundle is signed with a key; give the trusted public key (--key)");
  }
  const std::string expected = options.public_key->Hint();
  if (!bundle.public_key_hint.empty() &&
      !ConstantTimeEquals(bundle.public_key_hint, expected)) {
    return absl::UnauthenticatedError(
        absl::StrCat("the bundle was signed by key ", bundle.public_key_hint,
                     ", not by the trusted key ", expected));
  }
  if (!bundle.embedded_public_key_pem.empty()) {
    auto embedded = LoadVerifier(bundle.embedded_public_key_pem);
    if (!embedded.ok() ||
        (*embedded)->public_key_pem() != options.public_key->public_key_pem()) {
      return absl::UnauthenticatedError(
          "the public key embedded in the bundle is not the trusted key");
    }
  }
  *who = absl::StrCat("key ", expected);
  EstablishedSigner established;
  established.verifier = options.public_key;
  return established;
}

// The file a resource belongs to.
std::string FileOf(const ResourceDigest& resource, SerializationMethod method) {
  if (method == SerializationMethod::kFiles) return resource.name;
  return ParseShardName(resource.name)->path;
}

}  // namespace

absl::StatusOr<std::string> SignModel(const std::string& model_path,
                                      const SerializationOptions& options,
                                      const HashRunOptions& run,
                                      const SigningIdentity& identity) {
  MODELSEAL_ASSIGN_OR_RETURN(ModelDigest digest,
                             SerializeModel(model_path, options, run));
  return SignModelDigest(digest, identity);
}

absl::StatusOr<std::string> SignModelDigest(const ModelDigest& digest,
                                            const SigningIdentity& identity) {
  const std::string payload = BuildStatementPayload(digest);
  // The statement we write must be one we accept.
  MODELSEAL_RETURN_IF_ERROR(ParseStatement(payload).status());
  std::string hint;
  MODELSEAL_ASSIGN_OR_RETURN(std::string signature,
                             SignPayload(payload, identity, &hint));
  return WriteSignedBundle(payload, std::move(signature), hint, identity);
}

absl::StatusOr<std::string> CosignBundle(absl::string_view bundle_json,
                                         const SigningIdentity& identity) {
  MODELSEAL_ASSIGN_OR_RETURN(Bundle existing, ParseBundle(bundle_json));
  MODELSEAL_RETURN_IF_ERROR(ParseStatement(existing.payload).status());
  std::string hint;
  MODELSEAL_ASSIGN_OR_RETURN(std::string signature,
                             SignPayload(existing.payload, identity, &hint));
  return WriteSignedBundle(existing.payload, std::move(signature), hint,
                           identity);
}

absl::StatusOr<VerifiedSignature> VerifyBundleSignature(
    const Bundle& bundle, const VerifyOptions& options) {
  VerifiedSignature verified;
  MODELSEAL_ASSIGN_OR_RETURN(
      EstablishedSigner signer,
      EstablishSigner(bundle, options, &verified.signer));
  const Verifier* verifier = signer.verifier;
  absl::Status signature = verifier->Verify(
      DssePae(bundle.payload_type, bundle.payload), bundle.signature);
  if (!signature.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("the DSSE signature does not verify with ",
                     verified.signer, ": ", signature.message()));
  }
  verified.payload = bundle.payload;
  verified.key_hint = verifier->Hint();
  if (!bundle.certificate_chain_der.empty()) {
    verified.leaf_certificate_der = bundle.certificate_chain_der[0];
  }
  return verified;
}

absl::Status VerifyModel(const std::string& model_path,
                         absl::string_view bundle_json,
                         const VerifyOptions& options, VerifyReport* report) {
  const auto start = std::chrono::steady_clock::now();
  MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(bundle_json));
  MODELSEAL_ASSIGN_OR_RETURN(VerifiedSignature verified,
                             VerifyBundleSignature(bundle, options));
  report->signer = verified.signer;
  const absl::Status contents =
      VerifyModelContents(model_path, verified.payload, options, report);
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return contents;
}

absl::Status VerifyModelContents(const std::string& model_path,
                                 absl::string_view verified_payload,
                                 const VerifyOptions& options,
                                 VerifyReport* report) {
  MODELSEAL_ASSIGN_OR_RETURN(Statement statement,
                             ParseStatement(verified_payload));
  return VerifyModelStatement(model_path, std::move(statement), options,
                              report);
}

absl::Status VerifyModelStatement(const std::string& model_path,
                                  Statement statement,
                                  const VerifyOptions& options,
                                  VerifyReport* report) {
  const auto start = std::chrono::steady_clock::now();
  report->model_name = statement.subject_name;
  report->root_digest_hex = HexEncode(statement.subject_digest);
  report->resources = statement.resources.size();
  SerializationOptions& serialization = statement.serialization;
  for (const std::string& extra : options.extra_ignore_paths) {
    serialization.ignore_paths.push_back(extra);
  }
  report->serialization = serialization;

  Env& env = options.run.env != nullptr ? *options.run.env : *Env::Default();
  WalkOptions walk;
  walk.ignore_paths = serialization.ignore_paths;
  walk.allow_symlinks = serialization.allow_symlinks;
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                             WalkModel(env, model_path, walk));
  // A one-file model may name its resource "." or by its basename.
  if (files.size() == 1 && files[0].name == ".") {
    const std::string base(Basename(model_path));
    for (ResourceDigest& resource : statement.resources) {
      if (FileOf(resource, serialization.method) == base) {
        resource.name =
            serialization.method == SerializationMethod::kFiles
                ? "."
                : absl::StrCat(".", resource.name.substr(base.size()));
      }
    }
  }

  std::map<std::string, std::vector<const ResourceDigest*>> signed_files;
  for (const ResourceDigest& resource : statement.resources) {
    signed_files[FileOf(resource, serialization.method)].push_back(&resource);
  }
  std::vector<HashTask> tasks;
  std::vector<const ResourceDigest*> expected;
  std::vector<std::string> task_file;
  std::set<std::string> seen;
  std::set<std::string> changed;
  for (const ModelFile& file : files) {
    auto it = signed_files.find(file.name);
    if (it == signed_files.end()) {
      report->extra.push_back(file.name);
      continue;
    }
    seen.insert(file.name);
    if (serialization.method == SerializationMethod::kFiles) {
      tasks.push_back(HashTask{file.path, 0, file.info.size, file.info});
      expected.push_back(it->second[0]);
      task_file.push_back(file.name);
      continue;
    }
    // Shards: the file's current size must give exactly the signed ranges.
    std::vector<std::string> names;
    for (std::uint64_t at = 0; at < file.info.size;
         at += serialization.shard_size) {
      names.push_back(absl::StrCat(
          file.name, ":", at, ":",
          std::min(file.info.size, at + serialization.shard_size)));
    }
    std::vector<std::string> signed_names;
    for (const ResourceDigest* resource : it->second)
      signed_names.push_back(resource->name);
    std::sort(signed_names.begin(), signed_names.end());
    std::vector<std::string> sorted_names = names;
    std::sort(sorted_names.begin(), sorted_names.end());
    if (sorted_names != signed_names) {
      changed.insert(file.name);
      continue;
    }
    std::map<std::string, const ResourceDigest*> by_name;
    for (const ResourceDigest* resource : it->second)
      by_name[resource->name] = resource;
    for (std::uint64_t at = 0; at < file.info.size;
         at += serialization.shard_size) {
      const std::uint64_t end =
          std::min(file.info.size, at + serialization.shard_size);
      tasks.push_back(HashTask{file.path, at, end - at, file.info});
      expected.push_back(by_name[absl::StrCat(file.name, ":", at, ":", end)]);
      task_file.push_back(file.name);
    }
  }
  for (const auto& [name, resources] : signed_files) {
    if (!seen.count(name) && !changed.count(name))
      report->missing.push_back(name);
  }

  HashEngineOptions engine_options;
  engine_options.algorithm = serialization.hash;
  engine_options.threads = options.run.threads;
  engine_options.env = &env;
  engine_options.bytes_done = options.run.bytes_done;
  std::uint64_t total = 0;
  for (const HashTask& task : tasks) total += task.length;
  if (options.run.bytes_total != nullptr) options.run.bytes_total->store(total);
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<HashEngine> engine,
                             HashEngine::Create(engine_options));
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::vector<std::uint8_t>> digests,
                             engine->Run(tasks));
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (digests[i] != expected[i]->digest) changed.insert(task_file[i]);
  }
  report->bytes_hashed = total;
  report->changed.assign(changed.begin(), changed.end());
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  const bool extras_fail =
      !report->extra.empty() && !options.ignore_unsigned_files;
  if (report->changed.empty() && report->missing.empty() && !extras_fail) {
    return absl::OkStatus();
  }
  std::vector<std::string> parts;
  if (!report->changed.empty()) {
    parts.push_back(absl::StrCat(report->changed.size(), " changed (",
                                 absl::StrJoin(report->changed, ", "), ")"));
  }
  if (!report->missing.empty()) {
    parts.push_back(absl::StrCat(report->missing.size(), " missing (",
                                 absl::StrJoin(report->missing, ", "), ")"));
  }
  if (extras_fail) {
    parts.push_back(absl::StrCat(report->extra.size(), " not signed (",
                                 absl::StrJoin(report->extra, ", "),
                                 "; --ignore-unsigned-files tolerates them)"));
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "the model does not match its signature: ", absl::StrJoin(parts, "; ")));
}

}  // namespace modelseal
