// Shared OMS serialization flags (see serialization_flags.h).
#include "cli/serialization_flags.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"

namespace modelseal::cli {

absl::StatusOr<std::vector<std::string>> ResolveIgnorePaths(
    Env& env, const std::string& model, const std::vector<std::string>& given) {
  std::vector<std::string> result = DefaultIgnorePaths();
  std::string real_model;
  for (const std::string& path : given) {
    std::string relative = path;
    if (absl::StartsWith(path, "/")) {
      // Absolute paths must lie inside the model.
      if (real_model.empty()) {
        MODELSEAL_ASSIGN_OR_RETURN(real_model, env.RealPath(model));
      }
      if (!absl::StartsWith(path, real_model + "/")) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--ignore-paths ", path, " is not inside the model ", real_model));
      }
      relative = path.substr(real_model.size() + 1);
    }
    MODELSEAL_ASSIGN_OR_RETURN(std::string normalized,
                               NormalizeIgnorePath(relative));
    result.push_back(normalized);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

absl::StatusOr<SerializationOptions> SerializationFlags::ToOptions(
    Env& env, const std::string& model) const {
  SerializationOptions options;
  MODELSEAL_ASSIGN_OR_RETURN(options.hash, ParseHashAlgorithm(hash));
  MODELSEAL_ASSIGN_OR_RETURN(options.method, ParseSerializationMethod(method));
  if (options.method != SerializationMethod::kShards && shard_size_given) {
    return absl::InvalidArgumentError("--shard-size needs --method shards");
  }
  options.shard_size = shard_size;
  options.allow_symlinks = allow_symlinks;
  MODELSEAL_ASSIGN_OR_RETURN(options.ignore_paths,
                             ResolveIgnorePaths(env, model, ignore_paths));
  return options;
}

void SerializationFlags::Register(CLI::App& command) {
  command.add_option("--hash", hash, "sha256 (default), blake2b or blake3");
  command.add_option("--method", method,
                     "files (default: one digest per file) or shards (one per "
                     "--shard-size byte range; not with blake3)");
  command
      .add_option(
          "--shard-size", shard_size,
          "Shard size in bytes for --method shards (default 1000000000)")
      ->check(CLI::Range(limits::kMinShardSize, limits::kMaxShardSize))
      ->each([this](const std::string&) { shard_size_given = true; });
  command.add_option("--ignore-paths", ignore_paths,
                     "Paths to leave out, relative to the model root or "
                     "absolute inside it (added to .git, .gitattributes, "
                     ".github, .gitignore)");
  command.add_flag("--allow-symlinks", allow_symlinks,
                   "Follow symbolic links that stay inside the model root");
  command
      .add_option("-t,--threads", threads,
                  "Worker threads (default: one per CPU)")
      ->check(CLI::Range(1u, limits::kMaxHashThreads));
}

}  // namespace modelseal::cli
