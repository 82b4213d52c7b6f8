// The parts of a cached verify other than start-up, each on the cached-verify
// benchmark's model of 2,000 files (bench/cache_bench.sh), where none of them
// is small next to the whole command:
//   * ParseBundle and ParseStatement on the bundle of a model of N files
//     (also of a three-file model: one `log serve` submission);
//   * WalkModel over 20 directories of 100 files;
//   * DigestCache::Open and one Lookup per file, every tag checked.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/digest_cache.h"
#include "modelseal/env.h"
#include "modelseal/model_serialization.h"
#include "modelseal/model_walk.h"
#include "modelseal/oms_bundle.h"

namespace modelseal {
namespace {

ModelDigest DigestOf(std::size_t files) {
  ModelDigest digest;
  digest.model_name = "bench-model";
  digest.options.ignore_paths = {".git", ".gitattributes", ".github",
                                 ".gitignore"};
  for (std::size_t i = 0; i < files; ++i) {
    ResourceDigest resource;
    resource.name =
        absl::StrCat("shard-", i / 100, "/part-", 100000 + i, ".safetensors");
    resource.algorithm = "sha256";
    resource.digest.resize(32);
    for (std::size_t j = 0; j < 32; ++j) {
      resource.digest[j] = static_cast<std::uint8_t>(i * 31 + j * 7);
    }
    digest.resources.push_back(std::move(resource));
  }
  digest.root_digest = ComputeRootDigest(digest.resources);
  return digest;
}

std::string BundleOf(std::size_t files) {
  Bundle bundle;
  bundle.payload = BuildStatementPayload(DigestOf(files));
  bundle.payload_type = std::string(kInTotoPayloadType);
  bundle.signature = std::string(64, '\x5a');
  bundle.public_key_hint = std::string(64, 'a');
  return WriteBundle(bundle);
}

void BM_ParseBundle(benchmark::State& state) {
  const std::string json = BundleOf(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto bundle = ParseBundle(json);
    if (!bundle.ok()) state.SkipWithError("ParseBundle failed");
    benchmark::DoNotOptimize(bundle);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(json.size()));
}
BENCHMARK(BM_ParseBundle)->Arg(3)->Arg(2000)->Unit(benchmark::kMicrosecond);

void BM_ParseStatement(benchmark::State& state) {
  const std::string payload =
      BuildStatementPayload(DigestOf(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto statement = ParseStatement(payload);
    if (!statement.ok()) state.SkipWithError("ParseStatement failed");
    benchmark::DoNotOptimize(statement);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(payload.size()));
}
BENCHMARK(BM_ParseStatement)->Arg(3)->Arg(2000)->Unit(benchmark::kMicrosecond);

// A model of 2,000 files of a few bytes in 20 directories, made once per
// process under TMPDIR and removed at exit.
const std::string& BenchTree() {
  static const std::string* root = [] {
    const char* tmp = getenv("TMPDIR");
    std::string templ = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                     "/modelseal-walk-bench.XXXXXX");
    if (mkdtemp(templ.data()) == nullptr) abort();
    for (int i = 0; i < 2000; ++i) {
      const std::string dir = absl::StrCat(templ, "/model/shard-", i / 100);
      if (i % 100 == 0) std::filesystem::create_directories(dir);
      std::ofstream(absl::StrCat(dir, "/part-", i, ".bin")) << i;
    }
    auto* path = new std::string(templ);
    std::atexit([] { std::filesystem::remove_all(BenchTree()); });
    return path;
  }();
  return *root;
}

void BM_WalkModel(benchmark::State& state) {
  const std::string model = BenchTree() + "/model";
  WalkOptions options;
  options.ignore_paths = DefaultIgnorePaths();
  for (auto _ : state) {
    auto files = WalkModel(*Env::Default(), model, options);
    if (!files.ok() || files->size() != 2000) {
      state.SkipWithError("WalkModel failed");
    }
    benchmark::DoNotOptimize(files);
  }
}
BENCHMARK(BM_WalkModel)->Unit(benchmark::kMicrosecond);

void BM_DigestCacheLookups(benchmark::State& state) {
  const std::string directory = BenchTree() + "/cache";
  WalkOptions walk;
  auto files = WalkModel(*Env::Default(), BenchTree() + "/model", walk);
  if (!files.ok()) {
    state.SkipWithError("WalkModel failed");
    return;
  }
  std::vector<HashTask> tasks;
  for (const ModelFile& file : *files) {
    tasks.push_back(HashTask{file.path, 0, file.info.size, file.info});
  }
  {
    // Files just written count as racy for 2 s; record as if from later.
    DigestCacheOptions later;
    later.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch() +
                       std::chrono::seconds(10))
                       .count();
    auto cache = DigestCache::Open(directory, later);
    if (!cache.ok()) {
      state.SkipWithError("DigestCache::Open failed");
      return;
    }
    for (const HashTask& task : tasks) {
      (*cache)->Record(HashAlgorithm::kSha256, task,
                       std::vector<std::uint8_t>(32, 7));
    }
    if (!(*cache)->Save().ok()) state.SkipWithError("Save failed");
  }
  for (auto _ : state) {
    auto cache = DigestCache::Open(directory);
    if (!cache.ok()) {
      state.SkipWithError("DigestCache::Open failed");
      break;
    }
    for (const HashTask& task : tasks) {
      benchmark::DoNotOptimize((*cache)->Lookup(HashAlgorithm::kSha256, task));
    }
    if ((*cache)->stats().hits != tasks.size()) {
      state.SkipWithError("not every lookup hit");
    }
  }
}
BENCHMARK(BM_DigestCacheLookups)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace modelseal
