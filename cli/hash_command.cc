// `modelseal hash`: sha256sum / b3sum compatible file hashing.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "modelseal/checksum_file.h"
#include "modelseal/hash_engine.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"
#include "modelseal/v1/manifest.pb.h"

namespace modelseal::cli {
namespace {

struct HashFlags {
  std::vector<std::string> paths;
  std::string algorithm = "sha256";
  std::uint64_t shard_size = 0;
  unsigned threads = 0;
  std::string check;
  bool json = false;
  std::string format = "text";  // --format json is the same as --json
  bool quiet = false;
};

bool WantsJson(const HashFlags& flags) {
  return flags.json || flags.format == "json";
}

struct Planned {
  std::vector<HashTask> tasks;
  std::vector<std::string> names;
};

// Adds `path` (a file, or a directory walked like a model) to `plan`.
absl::Status PlanPath(Env& env, const std::string& path,
                      std::uint64_t shard_size, Planned& plan) {
  MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env.Stat(path));
  std::vector<std::pair<std::string, ModelFile>> files;
  if (info.type == FileType::kDirectory) {
    WalkOptions walk;
    walk.ignore_paths = DefaultIgnorePaths();
    MODELSEAL_ASSIGN_OR_RETURN(std::vector<ModelFile> listed,
                               WalkModel(env, path, walk));
    for (ModelFile& file : listed) {
      files.emplace_back(JoinPath(path, file.name), std::move(file));
    }
  } else if (info.type == FileType::kRegular) {
    // Like sha256sum, a named symlink is followed; open its real path.
    MODELSEAL_ASSIGN_OR_RETURN(std::string real, env.RealPath(path));
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo real_info, env.LinkStat(real));
    files.emplace_back(path, ModelFile{path, real, real_info});
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": not a regular file or directory (FIFOs, sockets and devices "
        "are not hashed)"));
  }
  for (auto& [name, file] : files) {
    if (shard_size == 0) {
      plan.tasks.push_back(HashTask{file.path, 0, file.info.size, file.info});
      plan.names.push_back(name);
      continue;
    }
    for (std::uint64_t start = 0; start < file.info.size; start += shard_size) {
      const std::uint64_t end = std::min(file.info.size, start + shard_size);
      plan.tasks.push_back(HashTask{file.path, start, end - start, file.info});
      plan.names.push_back(absl::StrCat(name, ":", start, ":", end));
    }
  }
  if (plan.tasks.size() > limits::kMaxFilesPerModel) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "more than ", limits::kMaxFilesPerModel, " files to hash"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::uint8_t>>> RunEngine(
    const HashFlags& flags, HashAlgorithm algorithm,
    const std::vector<HashTask>& tasks, Progress& progress, unsigned* threads) {
  std::uint64_t total = 0;
  for (const HashTask& task : tasks) total += task.length;
  progress.total()->store(total);
  HashEngineOptions options;
  options.algorithm = algorithm;
  options.threads = flags.threads;
  options.bytes_done = progress.done();
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<HashEngine> engine,
                             HashEngine::Create(options));
  *threads = engine->threads();
  return engine->Run(tasks);
}

int RunCheck(const HashFlags& flags, HashAlgorithm algorithm) {
  Env& env = *Env::Default();
  auto contents = env.ReadFileToString(flags.check, limits::kMaxCheckFileBytes);
  if (!contents.ok()) return ReportError(contents.status());
  auto lines = ParseChecksumFile(*contents, DigestBytes(algorithm));
  if (!lines.ok()) return ReportError(WithPath(lines.status(), flags.check));

  Planned plan;
  std::vector<std::size_t> line_of_task;
  std::vector<bool> unreadable(lines->size(), false);
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const std::string& path = (*lines)[i].path;
    auto info = env.Stat(path);
    absl::Status status = info.ok() && info->type != FileType::kRegular
                              ? absl::FailedPreconditionError(
                                    absl::StrCat(path, ": not a regular file"))
                              : info.status();
    if (status.ok()) {
      const std::size_t before = plan.tasks.size();
      status = PlanPath(env, path, 0, plan);
      if (status.ok() && plan.tasks.size() == before + 1) {
        line_of_task.push_back(i);
        continue;
      }
    }
    std::cerr << "modelseal: " << status.message() << "\n";
    unreadable[i] = true;
  }
  Progress progress(!flags.quiet);
  unsigned threads = 0;
  auto digests = RunEngine(flags, algorithm, plan.tasks, progress, &threads);
  if (!digests.ok()) return ReportError(digests.status());

  std::vector<int> verdict(lines->size(), -1);  // 1 ok, 0 mismatch, -1 unread
  for (std::size_t t = 0; t < line_of_task.size(); ++t) {
    verdict[line_of_task[t]] =
        (*digests)[t] == (*lines)[line_of_task[t]].digest;
  }
  std::size_t failed = 0, not_read = 0;
  std::string out;
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const std::string& path = (*lines)[i].path;
    if (verdict[i] == 1) {
      if (!flags.quiet) absl::StrAppend(&out, path, ": OK\n");
    } else if (verdict[i] == 0) {
      ++failed;
      absl::StrAppend(&out, path, ": FAILED\n");
    } else {
      ++not_read;
      absl::StrAppend(&out, path, ": FAILED open or read\n");
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (not_read > 0) {
    std::cerr << "modelseal: WARNING: " << not_read << " listed file"
              << (not_read == 1 ? " could" : "s could") << " not be read\n";
  }
  if (failed > 0) {
    std::cerr << "modelseal: WARNING: " << failed << " computed checksum"
              << (failed == 1 ? " did" : "s did") << " NOT match\n";
  }
  return failed + not_read == 0 ? kExitOk : kExitVerificationFailed;
}

int RunHash(const HashFlags& flags) {
  auto algorithm = ParseHashAlgorithm(flags.algorithm);
  if (!algorithm.ok())
    return UsageError(std::string(algorithm.status().message()));
  if (!flags.check.empty()) {
    if (!flags.paths.empty() || flags.shard_size != 0 || WantsJson(flags)) {
      return UsageError(
          "--check takes no PATH, --shard-size or --json/--format json");
    }
    return RunCheck(flags, *algorithm);
  }
  if (flags.paths.empty())
    return UsageError("hash needs at least one PATH (or --check FILE)");
  Env& env = *Env::Default();
  Planned plan;
  for (const std::string& path : flags.paths) {
    absl::Status status = PlanPath(env, path, flags.shard_size, plan);
    if (!status.ok()) return ReportError(status);
  }
  const auto start = std::chrono::steady_clock::now();
  Progress progress(!flags.quiet && !WantsJson(flags));
  unsigned threads = 0;
  auto digests = RunEngine(flags, *algorithm, plan.tasks, progress, &threads);
  if (!digests.ok()) return ReportError(digests.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::string out;
  if (WantsJson(flags)) {
    v1::HashReport report;
    report.set_algorithm(flags.algorithm);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < digests->size(); ++i) {
      v1::ResourceDigest* file = report.add_files();
      file->set_name(plan.names[i]);
      file->set_algorithm(
          flags.shard_size == 0
              ? flags.algorithm
              : absl::StrCat(flags.algorithm, "-sharded-", flags.shard_size));
      file->set_digest(HexEncode((*digests)[i]));
      file->set_size(plan.tasks[i].length);
      total += plan.tasks[i].length;
    }
    report.set_total_bytes(total);
    report.set_threads(threads);
    report.set_seconds(seconds);
    report.set_kernels(HashKernelsDescription());
    out = ToJson(report);
  } else {
    for (std::size_t i = 0; i < digests->size(); ++i) {
      out += FormatChecksumLine((*digests)[i], plan.names[i]);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitIoOrInternal;
}

}  // namespace

void RegisterHashCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* command = app.add_subcommand(
      "hash",
      "Hash files (or every file below a directory) on all cores and print "
      "'<hex>  <path>' lines, like sha256sum and b3sum; --check verifies such "
      "a list. Directories are walked like models: sorted, .git/.github/"
      ".gitattributes/.gitignore at their top skipped, symlinks and special "
      "files refused.");
  command->add_option("paths", flags->paths, "Files or directories to hash");
  command->add_option("-a,--algorithm", flags->algorithm,
                      "sha256 (default), blake2b (BLAKE2b-512) or blake3");
  command
      ->add_option("--shard-size", flags->shard_size,
                   "Hash each file in ranges of N bytes, printed as "
                   "'<path>:<start>:<end>' (as the OMS shards method)")
      ->check(CLI::Range(std::uint64_t{1}, limits::kMaxShardSize));
  command
      ->add_option("-t,--threads", flags->threads,
                   "Worker threads (default: one per CPU)")
      ->check(CLI::Range(1u, limits::kMaxHashThreads));
  command->add_option("-c,--check", flags->check,
                      "Read '<hex>  <path>' lines from FILE and check them; "
                      "exit 1 if any file differs or cannot be read");
  command->add_flag("--json", flags->json,
                    "Print a JSON report (schemas/hash-report.schema.json)");
  command
      ->add_option("--format", flags->format,
                   "text (default) or json (the same as --json)")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag("-q,--quiet", flags->quiet,
                    "No progress line; with --check, print only failures");
  command->callback([flags, exit_code] { *exit_code = RunHash(*flags); });
}

}  // namespace modelseal::cli
