#include "modelseal/model_signing.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "modelseal/digest_cache.h"
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

Env& EnvOf(const VerifyOptions& options) {
  return options.run.env != nullptr ? *options.run.env : *Env::Default();
}

// The walk options of a statement that keeps the default serialization,
// as VerifyStatement completes them with the caller's extra ignore paths.
WalkOptions GuessWalkOptions(const VerifyOptions& options) {
  WalkOptions guess;
  guess.ignore_paths = DefaultIgnorePaths();
  guess.ignore_paths.insert(guess.ignore_paths.end(),
                            options.extra_ignore_paths.begin(),
                            options.extra_ignore_paths.end());
  return guess;
}

// VerifyModelStatement, with the listing taken from `early` (may be null).
absl::Status VerifyStatement(const std::string& model_path, Statement statement,
                             const VerifyOptions& options,
                             BackgroundWalk* early, VerifyReport* report);

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

absl::StatusOr<Statement> VerifyPreviousBundle(
    absl::string_view bundle_json, const Verifier& key,
    const std::vector<std::string>& certificate_chain_der,
    const SerializationOptions& options) {
  MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(bundle_json));
  if (!bundle.certificate_chain_der.empty()) {
    if (certificate_chain_der.empty() ||
        bundle.certificate_chain_der[0] != certificate_chain_der[0]) {
      return absl::UnauthenticatedError(
          "the previous bundle was signed with another certificate than the "
          "--cert given now; sign without --reuse");
    }
  } else if (!bundle.public_key_hint.empty() &&
             !ConstantTimeEquals(bundle.public_key_hint, key.Hint())) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the previous bundle was signed by key ", bundle.public_key_hint,
        ", not by ", key.Hint(), " (give its public key with --reuse-key)"));
  }
  const absl::Status signature = key.Verify(
      DssePae(bundle.payload_type, bundle.payload), bundle.signature);
  if (!signature.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the previous bundle's signature does not verify with key ", key.Hint(),
        ": ", signature.message(),
        " (tampered, or signed by another key: give it with --reuse-key)"));
  }
  MODELSEAL_ASSIGN_OR_RETURN(Statement statement,
                             ParseStatement(bundle.payload));
  const SerializationOptions& old = statement.serialization;
  if (old.method != options.method || old.hash != options.hash ||
      (old.method == SerializationMethod::kShards &&
       old.shard_size != options.shard_size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the previous bundle uses ", ResourceAlgorithmName(old),
                     " (method ", SerializationMethodName(old.method),
                     "), not ", ResourceAlgorithmName(options),
                     "; give the same --method, --hash "
                     "and --shard-size, or sign without --reuse"));
  }
  return statement;
}

PreviousComparison CompareWithPrevious(const Statement& previous,
                                       const ModelDigest& current) {
  const SerializationMethod method = current.options.method;
  std::map<std::string, std::vector<const ResourceDigest*>> before;
  std::map<std::string, std::vector<const ResourceDigest*>> after;
  for (const ResourceDigest& r : previous.resources)
    before[FileOf(r, previous.serialization.method)].push_back(&r);
  for (const ResourceDigest& r : current.resources)
    after[FileOf(r, method)].push_back(&r);
  PreviousComparison result;
  for (const auto& [name, resources] : after) {
    auto it = before.find(name);
    if (it == before.end()) {
      result.added.push_back(name);
      continue;
    }
    bool same = it->second.size() == resources.size();
    for (std::size_t i = 0; same && i < resources.size(); ++i) {
      same = resources[i]->name == it->second[i]->name &&
             resources[i]->digest == it->second[i]->digest;
    }
    if (same) {
      ++result.unchanged;
    } else {
      result.changed.push_back(name);
    }
  }
  for (const auto& [name, resources] : before) {
    if (!after.count(name)) result.removed.push_back(name);
  }
  return result;
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
  if (!signature.ok() &&
      absl::StrContains(bundle.payload, kLegacyDigestsPredicateType)) {
    // model_signing v0.2 signed its own encoding, and hashed with SHA-256
    // for every ECDSA curve.
    const std::string legacy =
        LegacyV020Pae(bundle.payload_type, bundle.payload);
    if (verifier->Verify(legacy, bundle.signature).ok() ||
        verifier->VerifyWithSha256(legacy, bundle.signature).ok()) {
      signature = absl::OkStatus();
      verified.legacy_v0_2_pae = true;
    }
  }
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
  // Listing the model needs the statement's ignore paths, known only once
  // the signature is checked; most statements keep the default ones, so the
  // listing starts now with those, on another core (on a cached verify of
  // 2,000 files it took as long as reading and checking the bundle).
  std::unique_ptr<BackgroundWalk> own;
  BackgroundWalk* early = options.early_walk;
  if (early == nullptr) {
    own = StartEarlyWalk(model_path, options);
    early = own.get();
  }
  MODELSEAL_ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(bundle_json));
  MODELSEAL_ASSIGN_OR_RETURN(VerifiedSignature verified,
                             VerifyBundleSignature(bundle, options));
  report->signer = verified.signer;
  absl::StatusOr<Statement> statement = ParseVerifiedStatement(verified);
  const absl::Status contents =
      statement.ok() ? VerifyStatement(model_path, *std::move(statement),
                                       options, early, report)
                     : statement.status();
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return contents;
}

absl::StatusOr<Statement> ParseVerifiedStatement(
    const VerifiedSignature& verified) {
  if (verified.legacy_v0_2_pae) {
    return ParseLegacyDigestsStatement(verified.payload);
  }
  return ParseStatement(verified.payload);
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
  return VerifyStatement(model_path, std::move(statement), options,
                         options.early_walk, report);
}

std::unique_ptr<BackgroundWalk> StartEarlyWalk(const std::string& model_path,
                                               const VerifyOptions& options) {
  if (options.run.threads == 1) return nullptr;
  return std::make_unique<BackgroundWalk>(EnvOf(options), model_path,
                                          GuessWalkOptions(options));
}

namespace {

absl::Status VerifyStatement(const std::string& model_path, Statement statement,
                             const VerifyOptions& options,
                             BackgroundWalk* early, VerifyReport* report) {
  const auto start = std::chrono::steady_clock::now();
  report->model_name = statement.subject_name.empty()
                           ? std::string(Basename(model_path))
                           : statement.subject_name;
  report->root_digest_hex = HexEncode(statement.subject_digest);
  report->resources = statement.resources.size();
  SerializationOptions& serialization = statement.serialization;
  for (const std::string& extra : options.extra_ignore_paths) {
    if (std::find(serialization.ignore_paths.begin(),
                  serialization.ignore_paths.end(),
                  extra) == serialization.ignore_paths.end()) {
      serialization.ignore_paths.push_back(extra);
    }
  }
  report->serialization = serialization;

  Env& env = EnvOf(options);
  WalkOptions walk;
  walk.ignore_paths = serialization.ignore_paths;
  walk.allow_symlinks = serialization.allow_symlinks;
  MODELSEAL_ASSIGN_OR_RETURN(
      std::vector<ModelFile> files,
      early != nullptr ? early->Take(walk) : WalkModel(env, model_path, walk));
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

  report->legacy_v0_2 = statement.legacy_v0_2;
  // Hash containers of views (into the statement and the walk's files),
  // with the lists they produce sorted afterwards: with thousands of files
  // ordered maps and sets of copied names were a tenth of a cached verify.
  std::deque<std::string> shard_files;  // the names views point to, shards
  absl::flat_hash_map<absl::string_view,
                      absl::InlinedVector<const ResourceDigest*, 1>>
      signed_files;
  signed_files.reserve(statement.resources.size());
  for (const ResourceDigest& resource : statement.resources) {
    absl::string_view file = resource.name;
    if (serialization.method != SerializationMethod::kFiles) {
      file = shard_files.emplace_back(FileOf(resource, serialization.method));
    }
    signed_files[file].push_back(&resource);
  }
  // Partial verification: the signed files to check; every pattern must
  // select something, so a typo cannot pass as "nothing to check".
  const bool partial = !options.only.empty();
  const auto matches = [](const std::string& pattern, absl::string_view name) {
    return fnmatch(pattern.c_str(), std::string(name).c_str(), 0) == 0;
  };
  const auto selected = [&options, &matches](absl::string_view name) {
    for (const std::string& pattern : options.only) {
      if (matches(pattern, name)) return true;
    }
    return false;
  };
  report->partial = partial;
  if (partial) {
    for (const std::string& pattern : options.only) {
      bool any = false;
      for (const auto& [name, resources] : signed_files) {
        if (matches(pattern, name)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--only '", pattern, "' matches none of the ", signed_files.size(),
            " signed files (patterns match paths relative to the model "
            "root; '*' also matches '/')"));
      }
    }
    for (const auto& [name, resources] : signed_files) {
      if (!selected(name)) {
        report->not_checked.emplace_back(name);
      }
    }
    std::sort(report->not_checked.begin(), report->not_checked.end());
  }
  std::vector<HashTask> tasks;
  std::vector<const ResourceDigest*> expected;
  std::vector<absl::string_view> task_file;
  absl::flat_hash_set<absl::string_view> seen;
  absl::flat_hash_set<absl::string_view> changed;
  seen.reserve(files.size());
  for (const ModelFile& file : files) {
    if (partial && !selected(file.name)) continue;
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
    if (!seen.contains(name) && !changed.contains(name) &&
        !(partial && !selected(name))) {
      report->missing.emplace_back(name);
    }
  }
  std::sort(report->missing.begin(), report->missing.end());
  report->files_checked = signed_files.size() - report->not_checked.size();

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
  MODELSEAL_ASSIGN_OR_RETURN(
      std::vector<std::vector<std::uint8_t>> digests,
      RunHashTasks(*engine, serialization.hash, tasks, options.run.cache,
                   &report->bytes_from_cache));
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (digests[i] != expected[i]->digest) changed.insert(task_file[i]);
  }
  report->bytes_hashed = total;
  report->changed.clear();
  for (absl::string_view name : changed) report->changed.emplace_back(name);
  std::sort(report->changed.begin(), report->changed.end());
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

}  // namespace
}  // namespace modelseal
