// SHA-256 (FIPS 180-4) streams for the hashing engine (internal to lib/hash).
//
// On CPUs with the SHA extensions the block function is this project's own
// SHA-NI kernel (lib/hash/simd/sha256_shani.cc); elsewhere OpenSSL's EVP
// SHA-256 does the work. One SHA-NI stream is bound by instruction latency,
// so Sha256UpdateMany() advances up to four independent streams with their
// block compressions interleaved: on one core they finish in much less than
// the time of hashing them one after another. Interleaving is bounded by the
// throughput of the core's one SHA unit, so where AVX-512 is available too
// and at least kSha256WideMinStreams streams have blocks to hash, they run
// in the lanes of the sixteen-stream vector kernel instead
// (lib/hash/simd/sha256_avx512.cc), which does not use that unit. Results are
// identical to OpenSSL's in every case.
#ifndef MODELSEAL_HASH_SHA256_H_
#define MODELSEAL_HASH_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace modelseal::hash_internal {

class Sha256Stream {
 public:
  static constexpr std::size_t kDigestBytes = 32;
  static constexpr std::size_t kBlockBytes = 64;

  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;

  void Update(const std::uint8_t* data, std::size_t length);
  // Pads, returns the digest and resets the stream for reuse.
  std::array<std::uint8_t, kDigestBytes> Finish();

 private:
  friend void Sha256UpdateMany(Sha256Stream* const streams[],
                               const std::uint8_t* const data[],
                               const std::size_t lengths[], std::size_t count);
  struct State;
  std::unique_ptr<State> state_;
};

// Most streams one SHA-NI kernel call interleaves.
inline constexpr std::size_t kSha256MaxInterleave = 4;
// Lanes of the AVX-512 kernel, and the fewest streams with blocks left for
// which it is used: it takes about as long as ten SHA-NI blocks on one core
// whatever the number of lanes in use (bench/sha256_bench.cc).
inline constexpr std::size_t kSha256WideLanes = 16;
inline constexpr std::size_t kSha256WideMinStreams = 10;

// How many streams one core should hash together to get the most out of the
// kernels this CPU runs: kSha256WideLanes where the AVX-512 kernel is used,
// else kSha256MaxInterleave.
std::size_t Sha256StreamsPerCore();

// Same effect as streams[i]->Update(data[i], lengths[i]) for each i < count,
// but interleaves the streams' compressions where the CPU allows (up to
// kSha256WideLanes at a time; more are done in groups). The streams must be
// distinct objects; lengths may differ.
void Sha256UpdateMany(Sha256Stream* const streams[],
                      const std::uint8_t* const data[],
                      const std::size_t lengths[], std::size_t count);

// Same effect as a.Update(data_a, length_a); b.Update(data_b, length_b), but
// interleaves the two streams' compressions where the CPU allows. `a` and `b`
// must be distinct objects.
void Sha256UpdatePair(Sha256Stream& a, const std::uint8_t* data_a,
                      std::size_t length_a, Sha256Stream& b,
                      const std::uint8_t* data_b, std::size_t length_b);

// Which block functions the streams use: "sha-ni+avx512", "sha-ni" or
// "openssl".
const char* Sha256ImplementationName();

// Test hook: when true, streams created afterwards ignore SHA-NI and use
// OpenSSL, so both paths can be tested on one machine.
void Sha256ForceOpenSslForTesting(bool force);

// Test hook: when true, Sha256UpdateMany() and Sha256StreamsPerCore() act as
// if the AVX-512 kernel were not usable.
void Sha256DisableAvx512ForTesting(bool disable);

}  // namespace modelseal::hash_internal

#endif  // MODELSEAL_HASH_SHA256_H_
