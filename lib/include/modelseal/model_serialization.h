// The OMS model serialization: from a model on disk to the list of resource
// digests and the root digest that an OMS signature covers
// (OpenSSF Model Signing v1.0, predicate https://model_signing/signature/v1.0).
//
//   files   one resource per file: name = path relative to the root,
//           algorithm = hash_type, digest = hash of the whole file.
//   shards  one resource per shard_size byte range of each file:
//           name = "<path>:<start>:<end>" (end exclusive), algorithm =
//           "<hash_type>-sharded-<shard_size>". Empty files give no shard.
//
// Resources are sorted by file name, shards by offset within a file. The
// root digest is SHA-256 over the concatenated raw resource digests, in
// resource order, whatever hash_type is.
#ifndef MODELSEAL_MODEL_SERIALIZATION_H_
#define MODELSEAL_MODEL_SERIALIZATION_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/limits.h"

namespace modelseal {

enum class SerializationMethod { kFiles, kShards };

absl::string_view SerializationMethodName(SerializationMethod method);
absl::StatusOr<SerializationMethod> ParseSerializationMethod(
    absl::string_view name);

struct SerializationOptions {
  SerializationMethod method = SerializationMethod::kFiles;
  HashAlgorithm hash = HashAlgorithm::kSha256;
  // Only for kShards; limits::kMinShardSize..kMaxShardSize.
  std::uint64_t shard_size = limits::kDefaultShardSize;
  bool allow_symlinks = false;
  // Complete list (the caller adds DefaultIgnorePaths() if it wants them),
  // normalized as NormalizeIgnorePath() does.
  std::vector<std::string> ignore_paths;
};

struct ResourceDigest {
  std::string name;
  std::string algorithm;
  std::vector<std::uint8_t> digest;
  // Bytes covered (not part of the OMS statement; for reports).
  std::uint64_t size = 0;
};

struct ModelDigest {
  // Basename of the model path: the in-toto subject name.
  std::string model_name;
  SerializationOptions options;
  std::vector<ResourceDigest> resources;
  // SHA-256 over the concatenated resource digests.
  std::vector<std::uint8_t> root_digest;
};

// The OMS resource algorithm string for `options` ("sha256",
// "sha256-sharded-1000000000", ...).
std::string ResourceAlgorithmName(const SerializationOptions& options);

// SHA-256 over the concatenation of every resource's raw digest.
std::vector<std::uint8_t> ComputeRootDigest(
    const std::vector<ResourceDigest>& resources);

class DigestCache;

struct HashRunOptions {
  unsigned threads = 0;  // 0: one per CPU
  Env* env = nullptr;    // Env::Default() when null
  // Borrowed; when set, digests of unchanged files come from it and new
  // ones are recorded (digest_cache.h; the caller saves it).
  DigestCache* cache = nullptr;
  std::atomic<std::uint64_t>* bytes_done = nullptr;
  std::atomic<std::uint64_t>* bytes_total = nullptr;  // set once planned
};

// Walks and hashes the model at `model_path`. Errors as WalkModel() and
// HashEngine::Run(); kInvalidArgument for options that do not go together
// (blake3 with shards: BLAKE3 is already parallel within a file).
absl::StatusOr<ModelDigest> SerializeModel(const std::string& model_path,
                                           const SerializationOptions& options,
                                           const HashRunOptions& run);

}  // namespace modelseal

#endif  // MODELSEAL_MODEL_SERIALIZATION_H_
