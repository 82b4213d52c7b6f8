// Transparency log: durable appends (batches of 1000 and single entries, in a
// temporary directory on disk, every file fsynced), and inclusion proof
// generation and verification in a log of 1,000,000 entries built once.
// Storage cost is reported as the bytes_per_entry counter.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/env.h"
#include "modelseal/merkle.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"

namespace modelseal::tlog {
namespace {

constexpr char kOrigin[] = "bench.modelseal.dev/log";

// A log entry about the size of a real one: canonical JSON with a statement
// digest, subject, key hint and signature.
std::string ReleaseEntry(std::uint64_t index) {
  const std::string digest =
      absl::StrCat(std::string(56, 'a'), 10000000 + index % 89999999);
  return absl::StrCat("{\"integratedTime\":\"", 1700000000 + index,
                      "\",\"keyHint\":\"", digest, "\",\"signature\":\"",
                      std::string(96, 'S'), "\",\"statementSha256\":\"", digest,
                      "\",\"subject\":\"model-", index, "\"}");
}

std::vector<std::string> Batch(std::uint64_t first, std::size_t count) {
  std::vector<std::string> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    entries.push_back(ReleaseEntry(first + i));
  }
  return entries;
}

std::uint64_t DirectoryBytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (file.is_regular_file()) total += file.file_size();
  }
  return total;
}

// A fresh log in a temporary directory (under TMPDIR, /tmp by default),
// removed on destruction.
class BenchLog {
 public:
  BenchLog() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "modelseal-tlog-bench-XXXXXX")
            .string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    root_ = pattern;
    dir_ = root_ + "/log";
    auto keys = GenerateNoteKey(kOrigin);
    if (!keys.ok()) return;
    if (!CreateLog(*Env::Default(), dir_, kOrigin, keys->signer_key.value())
             .ok()) {
      return;
    }
    auto writer =
        LogWriter::Open(*Env::Default(), dir_, keys->signer_key.value());
    if (writer.ok()) writer_ = *std::move(writer);
  }
  ~BenchLog() {
    writer_.reset();
    std::error_code ignored;
    if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
  }

  LogWriter* writer() { return writer_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string root_;
  std::string dir_;
  std::unique_ptr<LogWriter> writer_;
};

void BM_DurableAppend(benchmark::State& state) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  BenchLog log;
  if (log.writer() == nullptr) {
    state.SkipWithError("cannot create the log");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const std::vector<std::string> entries = Batch(log.writer()->size(), batch);
    state.ResumeTiming();
    auto indices = log.writer()->Append(entries);
    if (!indices.ok()) {
      state.SkipWithError(std::string(indices.status().message()).c_str());
      return;
    }
  }
  const double entries = static_cast<double>(log.writer()->size());
  state.SetItemsProcessed(static_cast<std::int64_t>(entries));
  state.counters["bytes_per_entry"] =
      static_cast<double>(DirectoryBytes(log.dir())) / entries;
}
BENCHMARK(BM_DurableAppend)
    ->Arg(1000)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The 1,000,000-entry log, built once for the proof benchmarks.
class MillionEntryLog {
 public:
  static constexpr std::uint64_t kSize = 1'000'000;

  // Destroyed at exit, which removes its directory.
  static MillionEntryLog& Get() {
    static MillionEntryLog log;
    return log;
  }
  LogWriter* writer() { return log_.writer(); }
  const std::string& dir() const { return log_.dir(); }
  const Hash& root() const { return root_; }

 private:
  MillionEntryLog() {
    if (log_.writer() == nullptr) return;
    while (log_.writer()->size() < kSize) {
      const std::size_t count = static_cast<std::size_t>(
          std::min<std::uint64_t>(65536, kSize - log_.writer()->size()));
      if (!log_.writer()->Append(Batch(log_.writer()->size(), count)).ok()) {
        return;
      }
    }
    root_ = log_.writer()->root();
  }

  BenchLog log_;
  Hash root_{};
};

void BM_InclusionProofGenerate1M(benchmark::State& state) {
  MillionEntryLog& log = MillionEntryLog::Get();
  if (log.writer() == nullptr || log.writer()->size() != log.kSize) {
    state.SkipWithError("cannot build the 1M-entry log");
    return;
  }
  std::mt19937_64 random(1);
  for (auto _ : state) {
    auto proof = log.writer()->InclusionProof(random() % log.kSize, log.kSize);
    if (!proof.ok()) {
      state.SkipWithError(std::string(proof.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(proof);
  }
  state.counters["bytes_per_entry"] =
      static_cast<double>(DirectoryBytes(log.dir())) /
      static_cast<double>(log.kSize);
}
BENCHMARK(BM_InclusionProofGenerate1M)->Unit(benchmark::kMicrosecond);

void BM_InclusionProofVerify1M(benchmark::State& state) {
  MillionEntryLog& log = MillionEntryLog::Get();
  if (log.writer() == nullptr || log.writer()->size() != log.kSize) {
    state.SkipWithError("cannot build the 1M-entry log");
    return;
  }
  struct Case {
    std::uint64_t index;
    Hash leaf;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  std::mt19937_64 random(2);
  for (int i = 0; i < 256; ++i) {
    const std::uint64_t index = random() % log.kSize;
    auto proof = log.writer()->InclusionProof(index, log.kSize);
    if (!proof.ok()) {
      state.SkipWithError("proof generation failed");
      return;
    }
    cases.push_back({index, HashLeaf(ReleaseEntry(index)), *proof});
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const Case& c = cases[next++ % cases.size()];
    absl::Status status =
        VerifyInclusion(c.leaf, c.index, log.kSize, c.proof, log.root());
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
  }
}
BENCHMARK(BM_InclusionProofVerify1M)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace modelseal::tlog
