// BLAKE3 throughput per kernel: BM_Blake3/<isa>/<bytes>.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hash/blake3_dispatch.h"
#include "modelseal/blake3.h"

namespace modelseal {
namespace {

using hash_internal::Blake3Isa;

void BM_Blake3(benchmark::State& state, Blake3Isa isa, std::size_t size) {
  const Blake3Isa previous = hash_internal::Blake3ActiveIsa();
  if (!hash_internal::Blake3ForceIsaForTesting(isa).ok()) {
    state.SkipWithError("kernel not supported");
    return;
  }
  std::vector<std::uint8_t> input(size);
  for (std::size_t i = 0; i < size; ++i) {
    input[i] = static_cast<std::uint8_t>(i * 7 + (i >> 10));
  }
  for (auto _ : state) {
    Blake3Hasher hasher;
    hasher.Update(input.data(), input.size());
    auto digest = hasher.Finalize();
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(size));
  (void)hash_internal::Blake3ForceIsaForTesting(previous);
}

bool RegisterAll() {
  for (Blake3Isa isa : hash_internal::Blake3SupportedIsas()) {
    for (std::size_t size :
         {std::size_t{16} << 10, std::size_t{1} << 20, std::size_t{16} << 20}) {
      const std::string name = std::string("BM_Blake3/") +
                               hash_internal::Blake3IsaName(isa) + "/" +
                               std::to_string(size);
      benchmark::RegisterBenchmark(name.c_str(), BM_Blake3, isa, size);
    }
  }
  return true;
}

const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace modelseal
