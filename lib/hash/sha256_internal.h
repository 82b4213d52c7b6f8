// SHA-256 block functions (internal to lib/hash).
//
// Every function here compresses whole 64-byte blocks into a state kept in
// the FIPS 180-4 word order (state[0] = H0 = "a" ... state[7] = H7 = "h").
// Padding and buffering live in Sha256Stream (sha256.h). The SHA-NI kernels
// are in lib/hash/simd/sha256_shani.cc, the only file built with -msha; call
// them only when Sha256ShaNiUsable(), and the AVX-512 one only when
// Sha256Avx512Usable().
#ifndef MODELSEAL_HASH_SHA256_INTERNAL_H_
#define MODELSEAL_HASH_SHA256_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace modelseal::hash_internal {

// Round constants K0..K63, FIPS 180-4 §4.2.2. Aligned so that the SHA-NI
// kernel can use them as 128-bit memory operands.
alignas(16) inline constexpr std::uint32_t kSha256RoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// Initial hash value H(0), FIPS 180-4 §5.3.3.
inline constexpr std::uint32_t kSha256InitialState[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// Plain C++ reference, FIPS 180-4 §6.2.2. Used to validate the SHA-NI kernels
// at start-up and in tests; too slow for bulk hashing.
void Sha256CompressPortable(std::uint32_t state[8], const std::uint8_t* data,
                            std::size_t blocks);

// SHA-NI kernel for one stream: `blocks` consecutive blocks from `data`.
void Sha256CompressShaNi(std::uint32_t state[8], const std::uint8_t* data,
                         std::size_t blocks);

// SHA-NI kernel for two independent streams, `blocks` blocks each, with their
// rounds interleaved. Same result as two Sha256CompressShaNi calls; the two
// states must not overlap.
void Sha256CompressShaNiX2(std::uint32_t state_a[8], const std::uint8_t* a,
                           std::uint32_t state_b[8], const std::uint8_t* b,
                           std::size_t blocks);

// The same for three and four streams (states[i] with data[i]): more
// independent rnds2 chains hide more of the instruction's latency, at the
// cost of spilling some message words (measured in bench/sha256_bench.cc).
void Sha256CompressShaNiX3(std::uint32_t* const states[3],
                           const std::uint8_t* const data[3],
                           std::size_t blocks);
void Sha256CompressShaNiX4(std::uint32_t* const states[4],
                           const std::uint8_t* const data[4],
                           std::size_t blocks);

// AVX-512 kernel for sixteen independent streams (lib/hash/simd/
// sha256_avx512.cc, the only file built with -mavx512f for SHA-256), one per
// 32-bit lane: same result as sixteen Sha256CompressShaNi calls. It costs the
// same whatever the number of distinct streams, so it pays only when most
// lanes carry one (Sha256UpdateMany decides). The states must not overlap.
void Sha256CompressAvx512X16(std::uint32_t* const states[16],
                             const std::uint8_t* const data[16],
                             std::size_t blocks);

// True when this CPU has SHA-NI and all kernels matched the portable
// compression on a fixed input (checked once, on first call).
bool Sha256ShaNiUsable();

// True when Sha256ShaNiUsable() and this CPU has AVX-512 F and VL and the
// sixteen-stream kernel matched the portable compression (checked once).
bool Sha256Avx512Usable();

}  // namespace modelseal::hash_internal

#endif  // MODELSEAL_HASH_SHA256_INTERNAL_H_
