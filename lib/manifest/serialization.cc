#include "modelseal/model_serialization.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "modelseal/digest_cache.h"
#include "modelseal/hash_engine.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"

namespace modelseal {

absl::string_view SerializationMethodName(SerializationMethod method) {
  return method == SerializationMethod::kShards ? "shards" : "files";
}

absl::StatusOr<SerializationMethod> ParseSerializationMethod(
    absl::string_view name) {
  if (name == "files") return SerializationMethod::kFiles;
  if (name == "shards") return SerializationMethod::kShards;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown serialization method '", name, "' (expected files or shards)"));
}

std::string ResourceAlgorithmName(const SerializationOptions& options) {
  if (options.method == SerializationMethod::kShards) {
    return absl::StrCat(HashAlgorithmName(options.hash), "-sharded-",
                        options.shard_size);
  }
  return std::string(HashAlgorithmName(options.hash));
}

std::vector<std::uint8_t> ComputeRootDigest(
    const std::vector<ResourceDigest>& resources) {
  std::unique_ptr<Hasher> hasher = Hasher::Create(HashAlgorithm::kSha256);
  for (const ResourceDigest& resource : resources)
    hasher->Update(resource.digest);
  return hasher->Finish();
}

absl::StatusOr<ModelDigest> SerializeModel(const std::string& model_path,
                                           const SerializationOptions& options,
                                           const HashRunOptions& run) {
  if (options.method == SerializationMethod::kShards) {
    if (options.hash == HashAlgorithm::kBlake3) {
      return absl::InvalidArgumentError(
          "blake3 uses the files method: it already hashes each file in "
          "parallel, so shards add nothing");
    }
    if (options.shard_size < limits::kMinShardSize ||
        options.shard_size > limits::kMaxShardSize) {
      return absl::InvalidArgumentError(
          absl::StrCat("shard size ", options.shard_size, " is outside ",
                       limits::kMinShardSize, "..", limits::kMaxShardSize));
    }
  }
  Env& env = run.env != nullptr ? *run.env : *Env::Default();
  WalkOptions walk;
  walk.ignore_paths = options.ignore_paths;
  walk.allow_symlinks = options.allow_symlinks;
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<ModelFile> files,
                             WalkModel(env, model_path, walk));

  ModelDigest result;
  result.model_name = std::string(Basename(model_path));
  if (result.model_name.empty() || result.model_name == ".") {
    MODELSEAL_ASSIGN_OR_RETURN(std::string real, env.RealPath(model_path));
    result.model_name = std::string(Basename(real));
  }
  result.options = options;
  const std::string algorithm = ResourceAlgorithmName(options);
  std::vector<HashTask> tasks;
  std::uint64_t total = 0;
  for (const ModelFile& file : files) {
    if (options.method == SerializationMethod::kFiles) {
      tasks.push_back(HashTask{file.path, 0, file.info.size, file.info});
      result.resources.push_back(
          ResourceDigest{file.name, algorithm, {}, file.info.size});
    } else {
      for (std::uint64_t start = 0; start < file.info.size;
           start += options.shard_size) {
        const std::uint64_t end =
            std::min(file.info.size, start + options.shard_size);
        tasks.push_back(HashTask{file.path, start, end - start, file.info});
        result.resources.push_back(
            ResourceDigest{absl::StrCat(file.name, ":", start, ":", end),
                           algorithm,
                           {},
                           end - start});
      }
    }
    total += file.info.size;
  }
  if (tasks.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        model_path, ": the model has only empty files, which give no shard"));
  }
  if (run.bytes_total != nullptr) run.bytes_total->store(total);

  HashEngineOptions engine_options;
  engine_options.algorithm = options.hash;
  engine_options.threads = run.threads;
  engine_options.env = &env;
  engine_options.bytes_done = run.bytes_done;
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<HashEngine> engine,
                             HashEngine::Create(engine_options));
  MODELSEAL_ASSIGN_OR_RETURN(
      std::vector<std::vector<std::uint8_t>> digests,
      RunHashTasks(*engine, options.hash, tasks, run.cache));
  for (std::size_t i = 0; i < digests.size(); ++i) {
    result.resources[i].digest = std::move(digests[i]);
  }
  result.root_digest = ComputeRootDigest(result.resources);
  return result;
}

}  // namespace modelseal
