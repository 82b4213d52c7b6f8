// Reading signed manifests: ParseBundle and ParseStatement on the bundle of a
// model of N files (2,000 is the cached-verify benchmark's model, where
// reading the bundle is a large part of the command), and on the bundle of a
// three-file model (one `log serve` submission).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/model_serialization.h"
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

}  // namespace
}  // namespace modelseal
