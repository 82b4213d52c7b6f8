// SHA-256 throughput on 1 MiB buffers, the engine's read size: OpenSSL's EVP
// as the baseline, one SHA-NI stream, and two, three and four streams
// advanced together by Sha256UpdateMany (bytes of all streams are counted);
// then 10 and 16 streams with and without the AVX-512 kernel. Last, the two
// numbers that bound SHA-NI interleaving on this core: the latency of one
// sha256rnds2 and its throughput with eight independent chains (the
// interleaving gain can be at most their ratio).
#include <openssl/evp.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "hash/sha256.h"
#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

constexpr std::int64_t kBufferBytes = std::int64_t{1} << 20;

std::vector<std::uint8_t> Buffer(std::uint8_t seed) {
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(kBufferBytes));
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    buffer[i] = static_cast<std::uint8_t>(i * 131 + seed);
  }
  return buffer;
}

// `count` streams of 1 MiB each through Sha256UpdateMany, with the AVX-512
// kernel allowed or not (SHA-NI groups of up to four); count 0 is OpenSSL's
// EVP on one stream.
void BM_Sha256(benchmark::State& state, std::size_t count, bool avx512) {
  if (count == 0) {
    const std::vector<std::uint8_t> a = Buffer(1);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
      state.SkipWithError("OpenSSL SHA-256 context could not be set up");
      EVP_MD_CTX_free(ctx);
      return;
    }
    for (auto _ : state) {
      if (EVP_DigestUpdate(ctx, a.data(), a.size()) != 1) {
        state.SkipWithError("EVP_DigestUpdate failed");
        break;
      }
    }
    EVP_MD_CTX_free(ctx);
    state.SetBytesProcessed(state.iterations() * kBufferBytes);
    return;
  }
  if (!Sha256ShaNiUsable() || (avx512 && !Sha256Avx512Usable())) {
    state.SkipWithError("this CPU lacks SHA-NI or AVX-512");
    return;
  }
  Sha256DisableAvx512ForTesting(!avx512);
  std::vector<std::vector<std::uint8_t>> inputs;
  std::vector<Sha256Stream> streams(count);
  std::vector<Sha256Stream*> stream_pointers;
  std::vector<const std::uint8_t*> data;
  const std::vector<std::size_t> lengths(
      count, static_cast<std::size_t>(kBufferBytes));
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back(Buffer(static_cast<std::uint8_t>(i + 1)));
  }
  for (std::size_t i = 0; i < count; ++i) {
    stream_pointers.push_back(&streams[i]);
    data.push_back(inputs[i].data());
  }
  for (auto _ : state) {
    Sha256UpdateMany(stream_pointers.data(), data.data(), lengths.data(),
                     count);
  }
  Sha256DisableAvx512ForTesting(false);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(count) * kBufferBytes);
  for (Sha256Stream& stream : streams) {
    benchmark::DoNotOptimize(stream.Finish());
  }
}

BENCHMARK_CAPTURE(BM_Sha256, openssl, 0, false);
BENCHMARK_CAPTURE(BM_Sha256, shani, 1, false);
BENCHMARK_CAPTURE(BM_Sha256, shani_x2, 2, false);
BENCHMARK_CAPTURE(BM_Sha256, shani_x3, 3, false);
BENCHMARK_CAPTURE(BM_Sha256, shani_x4, 4, false);
BENCHMARK_CAPTURE(BM_Sha256, shani_x10, 10, false);
BENCHMARK_CAPTURE(BM_Sha256, avx512_x10, 10, true);
BENCHMARK_CAPTURE(BM_Sha256, shani_x16, 16, false);
BENCHMARK_CAPTURE(BM_Sha256, avx512_x16, 16, true);

#if defined(__x86_64__)
// Seconds per sha256rnds2: one dependent chain (latency) or eight
// independent ones (throughput). Written in assembly because only the
// instruction is measured; the mnemonic needs no -msha, and it runs only
// where the CPU has SHA-NI.
void BM_Sha256Rnds2(benchmark::State& state, bool independent) {
  if (!Sha256ShaNiUsable()) {
    state.SkipWithError("this CPU has no usable SHA-NI");
    return;
  }
  constexpr std::int64_t kPerIteration = 8;
  __m128i v0 = _mm_set1_epi32(1), v1 = _mm_set1_epi32(2),
          v2 = _mm_set1_epi32(3), v3 = _mm_set1_epi32(4),
          v4 = _mm_set1_epi32(5), v5 = _mm_set1_epi32(6),
          v6 = _mm_set1_epi32(7), v7 = _mm_set1_epi32(8);
  register __m128i wk asm("xmm0") = _mm_set1_epi32(9);
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) {
      if (independent) {
        asm volatile(
            "sha256rnds2 %8, %0\n\tsha256rnds2 %8, %1\n\t"
            "sha256rnds2 %8, %2\n\tsha256rnds2 %8, %3\n\t"
            "sha256rnds2 %8, %4\n\tsha256rnds2 %8, %5\n\t"
            "sha256rnds2 %8, %6\n\tsha256rnds2 %8, %7"
            : "+x"(v0), "+x"(v1), "+x"(v2), "+x"(v3), "+x"(v4), "+x"(v5),
              "+x"(v6), "+x"(v7)
            : "x"(wk));
      } else {
        asm volatile(
            "sha256rnds2 %1, %0\n\tsha256rnds2 %0, %1\n\t"
            "sha256rnds2 %1, %0\n\tsha256rnds2 %0, %1\n\t"
            "sha256rnds2 %1, %0\n\tsha256rnds2 %0, %1\n\t"
            "sha256rnds2 %1, %0\n\tsha256rnds2 %0, %1"
            : "+x"(v0), "+x"(v1)
            : "x"(wk));
      }
    }
  }
  benchmark::DoNotOptimize(v0);
  benchmark::DoNotOptimize(v1);
  benchmark::DoNotOptimize(v2);
  benchmark::DoNotOptimize(v3);
  benchmark::DoNotOptimize(v4);
  benchmark::DoNotOptimize(v5);
  benchmark::DoNotOptimize(v6);
  benchmark::DoNotOptimize(v7);
  const std::int64_t instructions = state.iterations() * 1000 * kPerIteration;
  state.SetItemsProcessed(instructions);
  state.counters["seconds_per_rnds2"] = benchmark::Counter(
      static_cast<double>(instructions),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(BM_Sha256Rnds2, latency, false);
BENCHMARK_CAPTURE(BM_Sha256Rnds2, throughput, true);
#endif

}  // namespace
}  // namespace modelseal::hash_internal
