// AVX2 BLAKE3 kernel (compiled with -mavx2 only): 8 inputs per call of the
// inner function, one per 32-bit lane. Single compressions and tails shorter
// than 8 inputs go to the SSE4.1 kernel, which any AVX2 CPU also runs.
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "hash/blake3_internal.h"

namespace modelseal::hash_internal {
namespace {

using V = __m256i;

inline V Add(V a, V b) { return _mm256_add_epi32(a, b); }
inline V Xor(V a, V b) { return _mm256_xor_si256(a, b); }
inline V Set1(std::uint32_t x) {
  return _mm256_set1_epi32(static_cast<int>(x));
}

inline V Rot16(V x) {
  return _mm256_shuffle_epi8(
      x,
      _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2,
                       3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}
inline V Rot12(V x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}
inline V Rot8(V x) {
  return _mm256_shuffle_epi8(
      x,
      _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1,
                       2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}
inline V Rot7(V x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

// Columns then diagonals: the (a, b, c, d) state indices of each G.
constexpr int kQuads[2][4][4] = {
    {{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15}},
    {{0, 5, 10, 15}, {1, 6, 11, 12}, {2, 7, 8, 13}, {3, 4, 9, 14}}};

template <int kStep>
[[gnu::always_inline]] inline void LaneStep(
    V v[16], const V m[16], const std::array<std::uint8_t, 16>& s) {
  constexpr auto& q = kQuads[kStep];
  constexpr std::size_t kFirst = std::size_t{8} * kStep;
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][0]] = Add(Add(v[q[j][0]], m[s[kFirst + 2 * j]]), v[q[j][1]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][3]] = Rot16(Xor(v[q[j][3]], v[q[j][0]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][2]] = Add(v[q[j][2]], v[q[j][3]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][1]] = Rot12(Xor(v[q[j][1]], v[q[j][2]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][0]] = Add(Add(v[q[j][0]], m[s[kFirst + 2 * j + 1]]), v[q[j][1]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][3]] = Rot8(Xor(v[q[j][3]], v[q[j][0]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][2]] = Add(v[q[j][2]], v[q[j][3]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][1]] = Rot7(Xor(v[q[j][1]], v[q[j][2]]));
  }
}

[[gnu::always_inline]] inline void LaneRounds(V v[16], const V m[16]) {
  LaneStep<0>(v, m, kBlake3Schedule[0]);
  LaneStep<1>(v, m, kBlake3Schedule[0]);
  LaneStep<0>(v, m, kBlake3Schedule[1]);
  LaneStep<1>(v, m, kBlake3Schedule[1]);
  LaneStep<0>(v, m, kBlake3Schedule[2]);
  LaneStep<1>(v, m, kBlake3Schedule[2]);
  LaneStep<0>(v, m, kBlake3Schedule[3]);
  LaneStep<1>(v, m, kBlake3Schedule[3]);
  LaneStep<0>(v, m, kBlake3Schedule[4]);
  LaneStep<1>(v, m, kBlake3Schedule[4]);
  LaneStep<0>(v, m, kBlake3Schedule[5]);
  LaneStep<1>(v, m, kBlake3Schedule[5]);
  LaneStep<0>(v, m, kBlake3Schedule[6]);
  LaneStep<1>(v, m, kBlake3Schedule[6]);
}

// r[i] word j  ->  r[j] word i, for an 8x8 matrix of 32-bit words.
[[gnu::always_inline]] inline void Transpose8(V r[8]) {
  const V a0 = _mm256_unpacklo_epi32(r[0], r[1]);
  const V a1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const V a2 = _mm256_unpacklo_epi32(r[2], r[3]);
  const V a3 = _mm256_unpackhi_epi32(r[2], r[3]);
  const V a4 = _mm256_unpacklo_epi32(r[4], r[5]);
  const V a5 = _mm256_unpackhi_epi32(r[4], r[5]);
  const V a6 = _mm256_unpacklo_epi32(r[6], r[7]);
  const V a7 = _mm256_unpackhi_epi32(r[6], r[7]);
  // b_j (rows 0-3) and b_{4+j} (rows 4-7) hold word j of each 128-bit half.
  const V b0 = _mm256_unpacklo_epi64(a0, a2);
  const V b1 = _mm256_unpackhi_epi64(a0, a2);
  const V b2 = _mm256_unpacklo_epi64(a1, a3);
  const V b3 = _mm256_unpackhi_epi64(a1, a3);
  const V b4 = _mm256_unpacklo_epi64(a4, a6);
  const V b5 = _mm256_unpackhi_epi64(a4, a6);
  const V b6 = _mm256_unpacklo_epi64(a5, a7);
  const V b7 = _mm256_unpackhi_epi64(a5, a7);
  r[0] = _mm256_permute2x128_si256(b0, b4, 0x20);
  r[1] = _mm256_permute2x128_si256(b1, b5, 0x20);
  r[2] = _mm256_permute2x128_si256(b2, b6, 0x20);
  r[3] = _mm256_permute2x128_si256(b3, b7, 0x20);
  r[4] = _mm256_permute2x128_si256(b0, b4, 0x31);
  r[5] = _mm256_permute2x128_si256(b1, b5, 0x31);
  r[6] = _mm256_permute2x128_si256(b2, b6, 0x31);
  r[7] = _mm256_permute2x128_si256(b3, b7, 0x31);
}

inline V LoadU(const std::uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const V*>(p));
}

void Hash8(const std::uint8_t* const* inputs, std::size_t blocks,
           const std::uint32_t key[8], std::uint64_t counter,
           bool increment_counter, std::uint8_t flags, std::uint8_t flags_start,
           std::uint8_t flags_end, std::uint8_t* out) {
  V h[8];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) h[i] = Set1(key[i]);
  alignas(32) std::uint32_t lo[8];
  alignas(32) std::uint32_t hi[8];
  for (std::size_t i = 0; i < 8; ++i) {
    const std::uint64_t c = counter + (increment_counter ? i : 0);
    lo[i] = static_cast<std::uint32_t>(c);
    hi[i] = static_cast<std::uint32_t>(c >> 32);
  }
  const V counter_lo = _mm256_load_si256(reinterpret_cast<const V*>(lo));
  const V counter_hi = _mm256_load_si256(reinterpret_cast<const V*>(hi));
  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint8_t block_flags = flags;
    if (b == 0) block_flags |= flags_start;
    if (b + 1 == blocks) block_flags |= flags_end;
    const std::size_t offset = b * kBlake3BlockLen;
    V m[16];
#pragma GCC unroll 8
    for (std::size_t i = 0; i < 8; ++i) {
      m[i] = LoadU(inputs[i] + offset);
      m[8 + i] = LoadU(inputs[i] + offset + 32);
      // Same block of the chunk 8 ahead: where the next batch of chunks
      // usually starts. Prefetches never fault, so overshooting is harmless.
      _mm_prefetch(reinterpret_cast<const char*>(inputs[i] + offset +
                                                 8 * kBlake3ChunkLen),
                   _MM_HINT_T1);
    }
    Transpose8(m);
    Transpose8(m + 8);
    V v[16] = {h[0],
               h[1],
               h[2],
               h[3],
               h[4],
               h[5],
               h[6],
               h[7],
               Set1(kBlake3Iv[0]),
               Set1(kBlake3Iv[1]),
               Set1(kBlake3Iv[2]),
               Set1(kBlake3Iv[3]),
               counter_lo,
               counter_hi,
               Set1(kBlake3BlockLen),
               Set1(block_flags)};
    LaneRounds(v, m);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < 8; ++i) h[i] = Xor(v[i], v[i + 8]);
  }
  Transpose8(h);
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) {
    _mm256_storeu_si256(reinterpret_cast<V*>(out + 32 * i), h[i]);
  }
}

}  // namespace

void Blake3HashManyAvx2(const std::uint8_t* const* inputs,
                        std::size_t num_inputs, std::size_t blocks,
                        const std::uint32_t key[8], std::uint64_t counter,
                        bool increment_counter, std::uint8_t flags,
                        std::uint8_t flags_start, std::uint8_t flags_end,
                        std::uint8_t* out) {
  const std::uint64_t step = increment_counter ? 8 : 0;
  while (num_inputs >= 8) {
    Hash8(inputs, blocks, key, counter, increment_counter, flags, flags_start,
          flags_end, out);
    inputs += 8;
    num_inputs -= 8;
    counter += step;
    out += 8 * kBlake3OutLen;
  }
  if (num_inputs > 0) {
    Blake3HashManySse41(inputs, num_inputs, blocks, key, counter,
                        increment_counter, flags, flags_start, flags_end, out);
  }
}

}  // namespace modelseal::hash_internal
