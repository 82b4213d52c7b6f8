// SHA-256 throughput on 1 MiB buffers, the engine's read size: OpenSSL's EVP
// as the baseline, one SHA-NI stream, and two, three and four streams
// advanced together by Sha256UpdateMany (bytes of all streams are counted).
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

enum class Variant { kOpenSsl, kShaNi, kShaNiX2, kShaNiX3, kShaNiX4 };

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
  const std::size_t count = variant == Variant::kShaNi     ? 1
                            : variant == Variant::kShaNiX2 ? 2
                            : variant == Variant::kShaNiX3 ? 3
                                                           : 4;
  std::vector<std::vector<std::uint8_t>> inputs;
  std::vector<Sha256Stream> streams(count);
  std::vector<Sha256Stream*> stream_pointers;
  std::vector<const std::uint8_t*> data;
  std::vector<std::size_t> lengths(count, a.size());
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back(i == 0   ? a
                     : i == 1 ? b
                              : Buffer(static_cast<std::uint8_t>(i + 1)));
  }
  for (std::size_t i = 0; i < count; ++i) {
    stream_pointers.push_back(&streams[i]);
    data.push_back(inputs[i].data());
  }
  for (auto _ : state) {
    Sha256UpdateMany(stream_pointers.data(), data.data(), lengths.data(),
                     count);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(count) * kBufferBytes);
  for (Sha256Stream& stream : streams) {
    benchmark::DoNotOptimize(stream.Finish());
  }
}

BENCHMARK_CAPTURE(BM_Sha256, openssl, Variant::kOpenSsl);
BENCHMARK_CAPTURE(BM_Sha256, shani, Variant::kShaNi);
BENCHMARK_CAPTURE(BM_Sha256, shani_x2, Variant::kShaNiX2);
BENCHMARK_CAPTURE(BM_Sha256, shani_x3, Variant::kShaNiX3);
BENCHMARK_CAPTURE(BM_Sha256, shani_x4, Variant::kShaNiX4);

}  // namespace
}  // namespace modelseal::hash_internal
