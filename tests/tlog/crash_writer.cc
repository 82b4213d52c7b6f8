// Test-only helper for LogWriterCrashTest: opens a log and appends batches
// forever, printing each acknowledged index (one per line, flushed) only
// after Append() returned. The test kills it with SIGKILL at random moments.
//
//   crash_writer <log dir> <signer key file> <seed> [journal]
//
// With "journal", the writer is journaled (LogWriterOptions::journal).
//
// Entry i is always CrashEntry(i), so the test can check every entry.
//
//   crash_writer rewrite <dir> <first generation>
//
// For PosixEnvTest.WriteFilesAtomicallyKilledLeavesEveryFileOldOrNew:
// replaces DIR/f0…f<kRewriteFiles-1> with generation g, g+1, … through
// Env::WriteFilesAtomically (even g) or WriteGeneratedFilesAtomically (odd
// g), printing each g once it returned.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "modelseal/env.h"
#include "modelseal/transparency_log.h"
#include "tests/testing/rewrite_contents.h"

namespace {

std::string CrashEntry(std::uint64_t index) {
  return absl::StrCat("crash-entry-", index, "-",
                      std::string(index * 7919 % 200, 'c'));
}

int Rewrite(const std::string& dir, std::uint64_t generation) {
  modelseal::Env& env = *modelseal::Env::Default();
  for (;; ++generation) {
    std::vector<std::string> contents;
    std::vector<modelseal::FileToWrite> files;
    for (std::size_t i = 0; i < modelseal::testing::kRewriteFiles; ++i) {
      contents.push_back(modelseal::testing::RewriteContents(generation, i));
    }
    for (std::size_t i = 0; i < modelseal::testing::kRewriteFiles; ++i) {
      files.push_back({absl::StrCat(dir, "/f", i), contents[i]});
    }
    // Odd generations go through the generated-contents entry point, which
    // makes a round's contents while the round before syncs.
    std::vector<std::string> paths;
    for (const modelseal::FileToWrite& file : files) paths.push_back(file.path);
    const absl::Status status =
        generation % 2 == 0
            ? env.WriteFilesAtomically(files, 0644)
            : env.WriteGeneratedFilesAtomically(
                  paths,
                  [&](std::size_t i) -> absl::StatusOr<std::string> {
                    return contents[i];
                  },
                  0644);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 1;
    }
    std::printf("%llu\n", static_cast<unsigned long long>(generation));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "rewrite") {
    std::uint64_t first = 0;
    if (!absl::SimpleAtoi(argv[3], &first)) return 2;
    return Rewrite(argv[2], first);
  }
  if (argc != 4 && !(argc == 5 && std::string(argv[4]) == "journal")) {
    std::fprintf(stderr, "usage: crash_writer DIR KEYFILE SEED [journal]\n");
    return 2;
  }
  std::uint64_t seed = 0;
  if (!absl::SimpleAtoi(argv[3], &seed)) return 2;
  modelseal::Env& env = *modelseal::Env::Default();
  auto key = env.ReadFileToString(argv[2], 4096);
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", key.status().ToString().c_str());
    return 1;
  }
  modelseal::tlog::LogWriterOptions options;
  options.journal = argc == 5;
  auto writer = modelseal::tlog::LogWriter::Open(env, argv[1], *key, options);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", writer.status().ToString().c_str());
    return 1;
  }
  std::uint64_t state = seed | 1;
  while (true) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const std::size_t batch = 1 + state % 300;
    const std::uint64_t first = (*writer)->size();
    std::vector<std::string> entries;
    for (std::size_t i = 0; i < batch; ++i) {
      entries.push_back(CrashEntry(first + i));
    }
    auto indices = (*writer)->Append(entries);
    if (!indices.ok()) {
      std::fprintf(stderr, "%s\n", indices.status().ToString().c_str());
      return 1;
    }
    std::string out;
    for (std::uint64_t index : *indices) absl::StrAppend(&out, index, "\n");
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
}
