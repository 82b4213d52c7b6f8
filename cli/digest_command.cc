// `modelseal digest`: the OMS root digest of a model folder.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/serialization_flags.h"
#include "modelseal/hex.h"
#include "modelseal/model_serialization.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"
#include "modelseal/v1/manifest.pb.h"

namespace modelseal::cli {

namespace {

struct DigestFlags {
  std::string model;
  SerializationFlags serialization;
  bool json = false;
  std::string format = "text";  // --format json is the same as --json
  bool quiet = false;
};

bool WantsJson(const DigestFlags& flags) {
  return flags.json || flags.format == "json";
}

int RunDigest(const DigestFlags& flags) {
  Env& env = *Env::Default();
  auto options = flags.serialization.ToOptions(env, flags.model);
  if (!options.ok()) return UsageError(std::string(options.status().message()));
  Progress progress(!flags.quiet && !WantsJson(flags));
  HashRunOptions run;
  run.threads = flags.serialization.threads;
  run.bytes_done = progress.done();
  run.bytes_total = progress.total();
  auto digest = SerializeModel(flags.model, *options, run);
  if (!digest.ok()) return ReportError(digest.status());
  std::string out;
  if (WantsJson(flags)) {
    v1::ModelDigestReport report;
    report.set_model(digest->model_name);
    report.set_root_digest(
        absl::StrCat("sha256:", HexEncode(digest->root_digest)));
    v1::Serialization* serialization = report.mutable_serialization();
    serialization->set_method(
        std::string(SerializationMethodName(options->method)));
    serialization->set_hash_type(std::string(HashAlgorithmName(options->hash)));
    serialization->set_allow_symlinks(options->allow_symlinks);
    for (const std::string& path : options->ignore_paths) {
      serialization->add_ignore_paths(path);
    }
    if (options->method == SerializationMethod::kShards) {
      serialization->set_shard_size(options->shard_size);
    }
    for (const ResourceDigest& resource : digest->resources) {
      v1::ResourceDigest* entry = report.add_resources();
      entry->set_name(resource.name);
      entry->set_algorithm(resource.algorithm);
      entry->set_digest(HexEncode(resource.digest));
      entry->set_size(resource.size);
    }
    out = ToJson(report);
  } else {
    out = absl::StrCat("sha256:", HexEncode(digest->root_digest), "\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitIoOrInternal;
}

}  // namespace

void RegisterDigestCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DigestFlags>();
  CLI::App* command = app.add_subcommand(
      "digest",
      "Print the OpenSSF Model Signing root digest of a model (file or "
      "folder) as sha256:<hex>: the digest an OMS signature's subject "
      "carries.");
  command->add_option("model", flags->model, "Model folder or single file")
      ->required();
  flags->serialization.Register(*command);
  command->add_flag("--json", flags->json,
                    "Print every resource digest as JSON "
                    "(schemas/model-digest.schema.json)");
  command
      ->add_option("--format", flags->format,
                   "text (default) or json (the same as --json)")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("-q,--quiet", flags->quiet, "No progress line");
  command->callback([flags, exit_code] { *exit_code = RunDigest(*flags); });
}

}  // namespace modelseal::cli
