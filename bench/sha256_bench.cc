// SHA-256 throughput on 1 MiB buffers, the engine's read size: OpenSSL's EVP
// as the baseline, one SHA-NI stream, and two streams advanced together by
// Sha256UpdatePair (bytes of both streams are counted).
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "hash/sha256.h"
#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

constexpr std::int64_t kBufferBytes = std::int64_t{1} << 20;

enum class Variant { kOpenSsl, kShaNi, kShaNiX2 };

std::vector<std::uint8_t> Buffer(std::uint8_t seed) {
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(kBufferBytes));
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    buffer[i] = static_cast<std::uint8_t>(i * 131 + seed);
  }
  return buffer;
}

void BM_Sha256(benchmark::State& state, Variant variant) {
  const std::vector<std::uint8_t> a = Buffer(1);
  const std::vector<std::uint8_t> b = Buffer(2);
  if (variant == Variant::kOpenSsl) {
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

  if (!Sha256ShaNiUsable()) {
    state.SkipWithError("this CPU has no usable SHA-NI");
    return;
  }
  Sha256Stream first;
  Sha256Stream second;
  if (variant == Variant::kShaNi) {
    for (auto _ : state) first.Update(a.data(), a.size());
    state.SetBytesProcessed(state.iterations() * kBufferBytes);
  } else {
    for (auto _ : state) {
      Sha256UpdatePair(first, a.data(), a.size(), second, b.data(), b.size());
    }
    state.SetBytesProcessed(state.iterations() * 2 * kBufferBytes);
  }
  benchmark::DoNotOptimize(first.Finish());
  benchmark::DoNotOptimize(second.Finish());
}

BENCHMARK_CAPTURE(BM_Sha256, openssl, Variant::kOpenSsl);
BENCHMARK_CAPTURE(BM_Sha256, shani, Variant::kShaNi);
BENCHMARK_CAPTURE(BM_Sha256, shani_x2, Variant::kShaNiX2);

}  // namespace
}  // namespace modelseal::hash_internal
