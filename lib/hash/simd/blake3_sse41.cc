// SSE4.1 BLAKE3 kernel (compiled with -msse4.1 only).
//
// Two shapes of parallelism: a single compression keeps the 4x4 state as four
// row vectors and runs the four G functions of a column (then diagonal) step
// together; hash_many instead gives each of 4 inputs its own lane, so every
// state word is one vector and no diagonal shuffles are needed.
#include <smmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "hash/blake3_internal.h"

namespace modelseal::hash_internal {
namespace {

using V = __m128i;

inline V Add(V a, V b) { return _mm_add_epi32(a, b); }
inline V Xor(V a, V b) { return _mm_xor_si128(a, b); }
inline V Set1(std::uint32_t x) { return _mm_set1_epi32(static_cast<int>(x)); }

// Whole-byte rotations are one byte shuffle; the others need shift+shift+or.
inline V Rot16(V x) {
  return _mm_shuffle_epi8(
      x, _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}
inline V Rot12(V x) {
  return _mm_or_si128(_mm_srli_epi32(x, 12), _mm_slli_epi32(x, 20));
}
inline V Rot8(V x) {
  return _mm_shuffle_epi8(
      x, _mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}
inline V Rot7(V x) {
  return _mm_or_si128(_mm_srli_epi32(x, 7), _mm_slli_epi32(x, 25));
}

// ---- Single compression, state as rows ----------------------------------

inline void RowG(V& a, V& b, V& c, V& d, V mx, V my) {
  a = Add(Add(a, mx), b);
  d = Rot16(Xor(d, a));
  c = Add(c, d);
  b = Rot12(Xor(b, c));
  a = Add(Add(a, my), b);
  d = Rot8(Xor(d, a));
  c = Add(c, d);
  b = Rot7(Xor(b, c));
}

inline V Gather4(const std::uint32_t m[16], int i0, int i1, int i2, int i3) {
  return _mm_setr_epi32(static_cast<int>(m[i0]), static_cast<int>(m[i1]),
                        static_cast<int>(m[i2]), static_cast<int>(m[i3]));
}

void RowPermute(const std::uint32_t cv[8], const std::uint8_t block[64],
                std::uint8_t block_len, std::uint64_t counter,
                std::uint8_t flags, V rows[4]) {
  alignas(16) std::uint32_t m[16];
  Blake3LoadWords(block, m, 16);
  V a = _mm_loadu_si128(reinterpret_cast<const V*>(cv));
  V b = _mm_loadu_si128(reinterpret_cast<const V*>(cv + 4));
  V c = _mm_setr_epi32(
      static_cast<int>(kBlake3Iv[0]), static_cast<int>(kBlake3Iv[1]),
      static_cast<int>(kBlake3Iv[2]), static_cast<int>(kBlake3Iv[3]));
  V d =
      _mm_setr_epi32(static_cast<int>(counter), static_cast<int>(counter >> 32),
                     static_cast<int>(block_len), static_cast<int>(flags));
  for (const auto& s : kBlake3Schedule) {
    RowG(a, b, c, d, Gather4(m, s[0], s[2], s[4], s[6]),
         Gather4(m, s[1], s[3], s[5], s[7]));
    // Lane i of rows b, c, d moves to i-1, i-2, i-3, so the columns become
    // the diagonals (0,5,10,15), (1,6,11,12), ...
    b = _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1));
    c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm_shuffle_epi32(d, _MM_SHUFFLE(2, 1, 0, 3));
    RowG(a, b, c, d, Gather4(m, s[8], s[10], s[12], s[14]),
         Gather4(m, s[9], s[11], s[13], s[15]));
    b = _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3));
    c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm_shuffle_epi32(d, _MM_SHUFFLE(0, 3, 2, 1));
  }
  rows[0] = a;
  rows[1] = b;
  rows[2] = c;
  rows[3] = d;
}

// ---- hash_many, one input per lane ---------------------------------------

// Columns then diagonals: the (a, b, c, d) state indices of each G.
constexpr int kQuads[2][4][4] = {
    {{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15}},
    {{0, 5, 10, 15}, {1, 6, 11, 12}, {2, 7, 8, 13}, {3, 4, 9, 14}}};

// The four G of a step advance in lockstep so that independent instructions
// sit next to each other.
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

[[gnu::always_inline]] inline void Transpose4(V& r0, V& r1, V& r2, V& r3) {
  const V a0 = _mm_unpacklo_epi32(r0, r1);
  const V a1 = _mm_unpackhi_epi32(r0, r1);
  const V a2 = _mm_unpacklo_epi32(r2, r3);
  const V a3 = _mm_unpackhi_epi32(r2, r3);
  r0 = _mm_unpacklo_epi64(a0, a2);
  r1 = _mm_unpackhi_epi64(a0, a2);
  r2 = _mm_unpacklo_epi64(a1, a3);
  r3 = _mm_unpackhi_epi64(a1, a3);
}

inline V LoadU(const std::uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const V*>(p));
}

void Hash4(const std::uint8_t* const* inputs, std::size_t blocks,
           const std::uint32_t key[8], std::uint64_t counter,
           bool increment_counter, std::uint8_t flags, std::uint8_t flags_start,
           std::uint8_t flags_end, std::uint8_t* out) {
  V h[8];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) h[i] = Set1(key[i]);
  alignas(16) std::uint32_t lo[4];
  alignas(16) std::uint32_t hi[4];
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint64_t c = counter + (increment_counter ? i : 0);
    lo[i] = static_cast<std::uint32_t>(c);
    hi[i] = static_cast<std::uint32_t>(c >> 32);
  }
  const V counter_lo = _mm_load_si128(reinterpret_cast<const V*>(lo));
  const V counter_hi = _mm_load_si128(reinterpret_cast<const V*>(hi));
  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint8_t block_flags = flags;
    if (b == 0) block_flags |= flags_start;
    if (b + 1 == blocks) block_flags |= flags_end;
    const std::size_t offset = b * kBlake3BlockLen;
    // Same block of the chunk 4 ahead, where the next batch of chunks
    // usually starts; prefetches never fault, so overshooting is harmless.
#pragma GCC unroll 4
    for (std::size_t i = 0; i < 4; ++i) {
      _mm_prefetch(reinterpret_cast<const char*>(inputs[i] + offset +
                                                 4 * kBlake3ChunkLen),
                   _MM_HINT_T1);
    }
    V m[16];
#pragma GCC unroll 4
    for (std::size_t q = 0; q < 4; ++q) {
      m[4 * q + 0] = LoadU(inputs[0] + offset + 16 * q);
      m[4 * q + 1] = LoadU(inputs[1] + offset + 16 * q);
      m[4 * q + 2] = LoadU(inputs[2] + offset + 16 * q);
      m[4 * q + 3] = LoadU(inputs[3] + offset + 16 * q);
      Transpose4(m[4 * q], m[4 * q + 1], m[4 * q + 2], m[4 * q + 3]);
    }
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
  Transpose4(h[0], h[1], h[2], h[3]);
  Transpose4(h[4], h[5], h[6], h[7]);
#pragma GCC unroll 4
  for (std::size_t i = 0; i < 4; ++i) {
    _mm_storeu_si128(reinterpret_cast<V*>(out + 32 * i), h[i]);
    _mm_storeu_si128(reinterpret_cast<V*>(out + 32 * i + 16), h[4 + i]);
  }
}

}  // namespace

void Blake3CompressInPlaceSse41(std::uint32_t cv[8],
                                const std::uint8_t block[64],
                                std::uint8_t block_len, std::uint64_t counter,
                                std::uint8_t flags) {
  V rows[4];
  RowPermute(cv, block, block_len, counter, flags, rows);
  _mm_storeu_si128(reinterpret_cast<V*>(cv), Xor(rows[0], rows[2]));
  _mm_storeu_si128(reinterpret_cast<V*>(cv + 4), Xor(rows[1], rows[3]));
}

void Blake3CompressXofSse41(const std::uint32_t cv[8],
                            const std::uint8_t block[64],
                            std::uint8_t block_len, std::uint64_t counter,
                            std::uint8_t flags, std::uint8_t out[64]) {
  V rows[4];
  RowPermute(cv, block, block_len, counter, flags, rows);
  const V cv_lo = _mm_loadu_si128(reinterpret_cast<const V*>(cv));
  const V cv_hi = _mm_loadu_si128(reinterpret_cast<const V*>(cv + 4));
  _mm_storeu_si128(reinterpret_cast<V*>(out), Xor(rows[0], rows[2]));
  _mm_storeu_si128(reinterpret_cast<V*>(out + 16), Xor(rows[1], rows[3]));
  _mm_storeu_si128(reinterpret_cast<V*>(out + 32), Xor(rows[2], cv_lo));
  _mm_storeu_si128(reinterpret_cast<V*>(out + 48), Xor(rows[3], cv_hi));
}

void Blake3HashManySse41(const std::uint8_t* const* inputs,
                         std::size_t num_inputs, std::size_t blocks,
                         const std::uint32_t key[8], std::uint64_t counter,
                         bool increment_counter, std::uint8_t flags,
                         std::uint8_t flags_start, std::uint8_t flags_end,
                         std::uint8_t* out) {
  const std::uint64_t step = increment_counter ? 4 : 0;
  while (num_inputs >= 4) {
    Hash4(inputs, blocks, key, counter, increment_counter, flags, flags_start,
          flags_end, out);
    inputs += 4;
    num_inputs -= 4;
    counter += step;
    out += 4 * kBlake3OutLen;
  }
  for (std::size_t i = 0; i < num_inputs; ++i) {
    std::uint32_t cv[8];
    for (std::size_t w = 0; w < 8; ++w) cv[w] = key[w];
    const std::uint64_t input_counter =
        increment_counter ? counter + i : counter;
    for (std::size_t b = 0; b < blocks; ++b) {
      std::uint8_t block_flags = flags;
      if (b == 0) block_flags |= flags_start;
      if (b + 1 == blocks) block_flags |= flags_end;
      Blake3CompressInPlaceSse41(cv, inputs[i] + b * kBlake3BlockLen,
                                 kBlake3BlockLen, input_counter, block_flags);
    }
    Blake3StoreWords(cv, 8, out + i * kBlake3OutLen);
  }
}

}  // namespace modelseal::hash_internal
