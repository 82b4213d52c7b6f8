// The flags that choose an OMS serialization, shared by digest, sign and
// verify.
#ifndef MODELSEAL_CLI_SERIALIZATION_FLAGS_H_
#define MODELSEAL_CLI_SERIALIZATION_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/model_serialization.h"

namespace modelseal::cli {

struct SerializationFlags {
  std::string hash = "sha256";
  std::string method = "files";
  std::uint64_t shard_size = limits::kDefaultShardSize;
  bool shard_size_given = false;
  std::vector<std::string> ignore_paths;
  bool allow_symlinks = false;
  unsigned threads = 0;

  // Adds --hash, --method, --shard-size, --ignore-paths, --allow-symlinks,
  // --threads to `command`. The object must outlive the parse.
  void Register(CLI::App& command);
  // Validated options; ignore paths are the OMS defaults plus the given ones
  // (relative to `model`, or absolute inside it), sorted.
  absl::StatusOr<SerializationOptions> ToOptions(
      Env& env, const std::string& model) const;
};

// The OMS default ignore paths plus `given`, normalized and sorted.
absl::StatusOr<std::vector<std::string>> ResolveIgnorePaths(
    Env& env, const std::string& model, const std::vector<std::string>& given);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_SERIALIZATION_FLAGS_H_
