// AVX-512 F+VL BLAKE3 kernel (compiled with -mavx512f -mavx512vl only).
//
// VL gives the 32-bit rotate (vprord) at every vector width, which replaces
// the two shifts and an OR (or a byte shuffle) that the older kernels spend
// on each rotation. So this file carries its own 16-, 8- and 4-lane versions
// of hash_many and its own single compression instead of reusing AVX2/SSE4.1.
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "hash/blake3_internal.h"

namespace modelseal::hash_internal {
namespace {

// Columns then diagonals: the (a, b, c, d) state indices of each G.
constexpr int kQuads[2][4][4] = {
    {{0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15}},
    {{0, 5, 10, 15}, {1, 6, 11, 12}, {2, 7, 8, 13}, {3, 4, 9, 14}}};

// 512-bit shuffles (and Zmm::Ror below) in their maskz form with every lane
// kept: the same instructions, but unlike the plain intrinsics they do not
// trip GCC 12's -Wuninitialized on the headers' placeholder vectors (GCC
// bug 105593).
constexpr __mmask16 kAll16 = 0xFFFF;
constexpr __mmask8 kAll8 = 0xFF;
inline __m512i Unpacklo32(__m512i a, __m512i b) {
  return _mm512_maskz_unpacklo_epi32(kAll16, a, b);
}
inline __m512i Unpackhi32(__m512i a, __m512i b) {
  return _mm512_maskz_unpackhi_epi32(kAll16, a, b);
}
inline __m512i Unpacklo64(__m512i a, __m512i b) {
  return _mm512_maskz_unpacklo_epi64(kAll8, a, b);
}
inline __m512i Unpackhi64(__m512i a, __m512i b) {
  return _mm512_maskz_unpackhi_epi64(kAll8, a, b);
}
template <int kImm>
inline __m512i ShuffleLanes(__m512i a, __m512i b) {
  return _mm512_maskz_shuffle_i32x4(kAll16, a, b, kImm);
}
template <int kHalf>
inline __m256i Half(__m512i a) {
  return _mm512_maskz_extracti64x4_epi64(kAll8, a, kHalf);
}

// ---- Vector widths -------------------------------------------------------
//
// Each width supplies the arithmetic and the transposes between "one input
// per row" (memory layout) and "one input per lane" (compute layout).

struct Zmm {
  using V = __m512i;
  static constexpr std::size_t kLanes = 16;
  static V Add(V a, V b) { return _mm512_add_epi32(a, b); }
  static V Xor(V a, V b) { return _mm512_xor_si512(a, b); }
  static V Set1(std::uint32_t x) {
    return _mm512_set1_epi32(static_cast<int>(x));
  }
  template <int kBits>
  static V Ror(V x) {
    return _mm512_maskz_ror_epi32(kAll16, x, kBits);
  }
  static V Load(const void* p) { return _mm512_loadu_si512(p); }

  [[gnu::always_inline]] static void LoadMessage(
      const std::uint8_t* const* inputs, std::size_t offset, V m[16]) {
    V r[16];
#pragma GCC unroll 16
    for (std::size_t i = 0; i < 16; ++i) {
      r[i] = Load(inputs[i] + offset);
      // Same block of the chunk 16 ahead: where the next batch of chunks
      // usually starts. Prefetches never fault, so overshooting is harmless.
      // Into L1 (T0): one thread on 4 GiB from the page cache took 0.84-0.86 s
      // against 0.88-0.95 s with T1 (L2); 24 or 32 chunks ahead were no better
      // and 8, inside the batch in hand, much worse.
      _mm_prefetch(reinterpret_cast<const char*>(inputs[i] + offset +
                                                 16 * kBlake3ChunkLen),
                   _MM_HINT_T0);
    }
    // After the two unpack stages, b[g][j] holds, in 128-bit lane L, word
    // 4L+j of rows 4g..4g+3; two lane shuffles then gather each word's four
    // lanes into one vector.
    V b[4][4];
#pragma GCC unroll 4
    for (std::size_t g = 0; g < 4; ++g) {
      const V a0 = Unpacklo32(r[4 * g], r[4 * g + 1]);
      const V a1 = Unpackhi32(r[4 * g], r[4 * g + 1]);
      const V a2 = Unpacklo32(r[4 * g + 2], r[4 * g + 3]);
      const V a3 = Unpackhi32(r[4 * g + 2], r[4 * g + 3]);
      b[g][0] = Unpacklo64(a0, a2);
      b[g][1] = Unpackhi64(a0, a2);
      b[g][2] = Unpacklo64(a1, a3);
      b[g][3] = Unpackhi64(a1, a3);
    }
#pragma GCC unroll 4
    for (std::size_t j = 0; j < 4; ++j) {
      const V c0 = ShuffleLanes<0x44>(b[0][j], b[1][j]);
      const V c1 = ShuffleLanes<0xEE>(b[0][j], b[1][j]);
      const V c2 = ShuffleLanes<0x44>(b[2][j], b[3][j]);
      const V c3 = ShuffleLanes<0xEE>(b[2][j], b[3][j]);
      m[j] = ShuffleLanes<0x88>(c0, c2);
      m[4 + j] = ShuffleLanes<0xDD>(c0, c2);
      m[8 + j] = ShuffleLanes<0x88>(c1, c3);
      m[12 + j] = ShuffleLanes<0xDD>(c1, c3);
    }
  }

  [[gnu::always_inline]] static void StoreChainingValues(V h[8],
                                                         std::uint8_t* out) {
    // u[j] / w[j]: 128-bit lane L holds words 0-3 / 4-7 of input 4L+j.
    V u[4];
    V w[4];
#pragma GCC unroll 2
    for (std::size_t half = 0; half < 2; ++half) {
      V* dst = half == 0 ? u : w;
      const V* src = h + 4 * half;
      const V a0 = Unpacklo32(src[0], src[1]);
      const V a1 = Unpackhi32(src[0], src[1]);
      const V a2 = Unpacklo32(src[2], src[3]);
      const V a3 = Unpackhi32(src[2], src[3]);
      dst[0] = Unpacklo64(a0, a2);
      dst[1] = Unpackhi64(a0, a2);
      dst[2] = Unpacklo64(a1, a3);
      dst[3] = Unpackhi64(a1, a3);
    }
    const V low = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const V high = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
#pragma GCC unroll 4
    for (std::size_t j = 0; j < 4; ++j) {
      const V x = _mm512_permutex2var_epi64(u[j], low, w[j]);
      const V y = _mm512_permutex2var_epi64(u[j], high, w[j]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * j), Half<0>(x));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * (4 + j)),
                          Half<1>(x));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * (8 + j)),
                          Half<0>(y));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * (12 + j)),
                          Half<1>(y));
    }
  }
};

// r[i] word j  ->  r[j] word i, for an 8x8 matrix of 32-bit words.
[[gnu::always_inline]] inline void Transpose8(__m256i r[8]) {
  const __m256i a0 = _mm256_unpacklo_epi32(r[0], r[1]);
  const __m256i a1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i a2 = _mm256_unpacklo_epi32(r[2], r[3]);
  const __m256i a3 = _mm256_unpackhi_epi32(r[2], r[3]);
  const __m256i a4 = _mm256_unpacklo_epi32(r[4], r[5]);
  const __m256i a5 = _mm256_unpackhi_epi32(r[4], r[5]);
  const __m256i a6 = _mm256_unpacklo_epi32(r[6], r[7]);
  const __m256i a7 = _mm256_unpackhi_epi32(r[6], r[7]);
  const __m256i b0 = _mm256_unpacklo_epi64(a0, a2);
  const __m256i b1 = _mm256_unpackhi_epi64(a0, a2);
  const __m256i b2 = _mm256_unpacklo_epi64(a1, a3);
  const __m256i b3 = _mm256_unpackhi_epi64(a1, a3);
  const __m256i b4 = _mm256_unpacklo_epi64(a4, a6);
  const __m256i b5 = _mm256_unpackhi_epi64(a4, a6);
  const __m256i b6 = _mm256_unpacklo_epi64(a5, a7);
  const __m256i b7 = _mm256_unpackhi_epi64(a5, a7);
  r[0] = _mm256_permute2x128_si256(b0, b4, 0x20);
  r[1] = _mm256_permute2x128_si256(b1, b5, 0x20);
  r[2] = _mm256_permute2x128_si256(b2, b6, 0x20);
  r[3] = _mm256_permute2x128_si256(b3, b7, 0x20);
  r[4] = _mm256_permute2x128_si256(b0, b4, 0x31);
  r[5] = _mm256_permute2x128_si256(b1, b5, 0x31);
  r[6] = _mm256_permute2x128_si256(b2, b6, 0x31);
  r[7] = _mm256_permute2x128_si256(b3, b7, 0x31);
}

struct Ymm {
  using V = __m256i;
  static constexpr std::size_t kLanes = 8;
  static V Add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V Xor(V a, V b) { return _mm256_xor_si256(a, b); }
  static V Set1(std::uint32_t x) {
    return _mm256_set1_epi32(static_cast<int>(x));
  }
  template <int kBits>
  static V Ror(V x) {
    return _mm256_ror_epi32(x, kBits);
  }
  static V Load(const void* p) {
    return _mm256_loadu_si256(static_cast<const V*>(p));
  }

  [[gnu::always_inline]] static void LoadMessage(
      const std::uint8_t* const* inputs, std::size_t offset, V m[16]) {
#pragma GCC unroll 8
    for (std::size_t i = 0; i < 8; ++i) {
      m[i] = Load(inputs[i] + offset);
      m[8 + i] = Load(inputs[i] + offset + 32);
      _mm_prefetch(reinterpret_cast<const char*>(inputs[i] + offset +
                                                 8 * kBlake3ChunkLen),
                   _MM_HINT_T1);
    }
    Transpose8(m);
    Transpose8(m + 8);
  }

  [[gnu::always_inline]] static void StoreChainingValues(V h[8],
                                                         std::uint8_t* out) {
    Transpose8(h);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < 8; ++i) {
      _mm256_storeu_si256(reinterpret_cast<V*>(out + 32 * i), h[i]);
    }
  }
};

[[gnu::always_inline]] inline void Transpose4(__m128i& r0, __m128i& r1,
                                              __m128i& r2, __m128i& r3) {
  const __m128i a0 = _mm_unpacklo_epi32(r0, r1);
  const __m128i a1 = _mm_unpackhi_epi32(r0, r1);
  const __m128i a2 = _mm_unpacklo_epi32(r2, r3);
  const __m128i a3 = _mm_unpackhi_epi32(r2, r3);
  r0 = _mm_unpacklo_epi64(a0, a2);
  r1 = _mm_unpackhi_epi64(a0, a2);
  r2 = _mm_unpacklo_epi64(a1, a3);
  r3 = _mm_unpackhi_epi64(a1, a3);
}

struct Xmm {
  using V = __m128i;
  static constexpr std::size_t kLanes = 4;
  static V Add(V a, V b) { return _mm_add_epi32(a, b); }
  static V Xor(V a, V b) { return _mm_xor_si128(a, b); }
  static V Set1(std::uint32_t x) { return _mm_set1_epi32(static_cast<int>(x)); }
  template <int kBits>
  static V Ror(V x) {
    return _mm_ror_epi32(x, kBits);
  }
  static V Load(const void* p) {
    return _mm_loadu_si128(static_cast<const V*>(p));
  }

  [[gnu::always_inline]] static void LoadMessage(
      const std::uint8_t* const* inputs, std::size_t offset, V m[16]) {
#pragma GCC unroll 4
    for (std::size_t q = 0; q < 4; ++q) {
#pragma GCC unroll 4
      for (std::size_t i = 0; i < 4; ++i) {
        m[4 * q + i] = Load(inputs[i] + offset + 16 * q);
      }
      Transpose4(m[4 * q], m[4 * q + 1], m[4 * q + 2], m[4 * q + 3]);
    }
  }

  [[gnu::always_inline]] static void StoreChainingValues(V h[8],
                                                         std::uint8_t* out) {
    Transpose4(h[0], h[1], h[2], h[3]);
    Transpose4(h[4], h[5], h[6], h[7]);
#pragma GCC unroll 4
    for (std::size_t i = 0; i < 4; ++i) {
      _mm_storeu_si128(reinterpret_cast<V*>(out + 32 * i), h[i]);
      _mm_storeu_si128(reinterpret_cast<V*>(out + 32 * i + 16), h[4 + i]);
    }
  }
};

// ---- Lane-parallel compression, shared by the three widths ---------------

template <class W, int kStep>
[[gnu::always_inline]] inline void LaneStep(
    typename W::V v[16], const typename W::V m[16],
    const std::array<std::uint8_t, 16>& s) {
  constexpr auto& q = kQuads[kStep];
  constexpr std::size_t kFirst = std::size_t{8} * kStep;
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][0]] = W::Add(W::Add(v[q[j][0]], m[s[kFirst + 2 * j]]), v[q[j][1]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][3]] = W::template Ror<16>(W::Xor(v[q[j][3]], v[q[j][0]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][2]] = W::Add(v[q[j][2]], v[q[j][3]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][1]] = W::template Ror<12>(W::Xor(v[q[j][1]], v[q[j][2]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][0]] =
        W::Add(W::Add(v[q[j][0]], m[s[kFirst + 2 * j + 1]]), v[q[j][1]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][3]] = W::template Ror<8>(W::Xor(v[q[j][3]], v[q[j][0]]));
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][2]] = W::Add(v[q[j][2]], v[q[j][3]]);
  }
#pragma GCC unroll 4
  for (std::size_t j = 0; j < 4; ++j) {
    v[q[j][1]] = W::template Ror<7>(W::Xor(v[q[j][1]], v[q[j][2]]));
  }
}

template <class W>
[[gnu::always_inline]] inline void LaneRounds(typename W::V v[16],
                                              const typename W::V m[16]) {
  LaneStep<W, 0>(v, m, kBlake3Schedule[0]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[0]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[1]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[1]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[2]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[2]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[3]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[3]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[4]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[4]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[5]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[5]);
  LaneStep<W, 0>(v, m, kBlake3Schedule[6]);
  LaneStep<W, 1>(v, m, kBlake3Schedule[6]);
}

template <class W>
void HashLanes(const std::uint8_t* const* inputs, std::size_t blocks,
               const std::uint32_t key[8], std::uint64_t counter,
               bool increment_counter, std::uint8_t flags,
               std::uint8_t flags_start, std::uint8_t flags_end,
               std::uint8_t* out) {
  using V = typename W::V;
  V h[8];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < 8; ++i) h[i] = W::Set1(key[i]);
  alignas(64) std::uint32_t lo[W::kLanes];
  alignas(64) std::uint32_t hi[W::kLanes];
  for (std::size_t i = 0; i < W::kLanes; ++i) {
    const std::uint64_t c = counter + (increment_counter ? i : 0);
    lo[i] = static_cast<std::uint32_t>(c);
    hi[i] = static_cast<std::uint32_t>(c >> 32);
  }
  const V counter_lo = W::Load(lo);
  const V counter_hi = W::Load(hi);
  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint8_t block_flags = flags;
    if (b == 0) block_flags |= flags_start;
    if (b + 1 == blocks) block_flags |= flags_end;
    V m[16];
    W::LoadMessage(inputs, b * kBlake3BlockLen, m);
    V v[16] = {h[0],
               h[1],
               h[2],
               h[3],
               h[4],
               h[5],
               h[6],
               h[7],
               W::Set1(kBlake3Iv[0]),
               W::Set1(kBlake3Iv[1]),
               W::Set1(kBlake3Iv[2]),
               W::Set1(kBlake3Iv[3]),
               counter_lo,
               counter_hi,
               W::Set1(kBlake3BlockLen),
               W::Set1(block_flags)};
    LaneRounds<W>(v, m);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < 8; ++i) h[i] = W::Xor(v[i], v[i + 8]);
  }
  W::StoreChainingValues(h, out);
}

// ---- Single compression, state as rows ----------------------------------

// Per round, the word order that lines the message up with the row layout:
// x and y words of the column step, then of the diagonal step.
struct RowMessageIndex {
  alignas(64) std::int32_t index[kBlake3Rounds][16];
};
constexpr RowMessageIndex MakeRowMessageIndex() {
  RowMessageIndex out{};
  constexpr int kSlots[16] = {0, 2,  4,  6,  1, 3,  5,  7,
                              8, 10, 12, 14, 9, 11, 13, 15};
  for (std::size_t r = 0; r < kBlake3Rounds; ++r) {
    for (std::size_t i = 0; i < 16; ++i) {
      out.index[r][i] = kBlake3Schedule[r][kSlots[i]];
    }
  }
  return out;
}
constexpr RowMessageIndex kRowMessageIndex = MakeRowMessageIndex();

inline void RowG(__m128i& a, __m128i& b, __m128i& c, __m128i& d, __m128i mx,
                 __m128i my) {
  a = _mm_add_epi32(_mm_add_epi32(a, mx), b);
  d = _mm_ror_epi32(_mm_xor_si128(d, a), 16);
  c = _mm_add_epi32(c, d);
  b = _mm_ror_epi32(_mm_xor_si128(b, c), 12);
  a = _mm_add_epi32(_mm_add_epi32(a, my), b);
  d = _mm_ror_epi32(_mm_xor_si128(d, a), 8);
  c = _mm_add_epi32(c, d);
  b = _mm_ror_epi32(_mm_xor_si128(b, c), 7);
}

void RowPermute(const std::uint32_t cv[8], const std::uint8_t block[64],
                std::uint8_t block_len, std::uint64_t counter,
                std::uint8_t flags, __m128i rows[4]) {
  const __m256i message_lo =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
  const __m256i message_hi =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32));
  __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv));
  __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv + 4));
  __m128i c = _mm_setr_epi32(
      static_cast<int>(kBlake3Iv[0]), static_cast<int>(kBlake3Iv[1]),
      static_cast<int>(kBlake3Iv[2]), static_cast<int>(kBlake3Iv[3]));
  __m128i d =
      _mm_setr_epi32(static_cast<int>(counter), static_cast<int>(counter >> 32),
                     static_cast<int>(block_len), static_cast<int>(flags));
  for (std::size_t r = 0; r < kBlake3Rounds; ++r) {
    // One two-source permute per step picks its 8 message words in order.
    const __m256i column = _mm256_permutex2var_epi32(
        message_lo,
        _mm256_load_si256(
            reinterpret_cast<const __m256i*>(kRowMessageIndex.index[r])),
        message_hi);
    const __m256i diagonal = _mm256_permutex2var_epi32(
        message_lo,
        _mm256_load_si256(
            reinterpret_cast<const __m256i*>(kRowMessageIndex.index[r] + 8)),
        message_hi);
    RowG(a, b, c, d, _mm256_castsi256_si128(column),
         _mm256_extracti128_si256(column, 1));
    // Lane i of rows b, c, d moves to i-1, i-2, i-3: columns become the
    // diagonals (0,5,10,15), (1,6,11,12), ...
    b = _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1));
    c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm_shuffle_epi32(d, _MM_SHUFFLE(2, 1, 0, 3));
    RowG(a, b, c, d, _mm256_castsi256_si128(diagonal),
         _mm256_extracti128_si256(diagonal, 1));
    b = _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3));
    c = _mm_shuffle_epi32(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm_shuffle_epi32(d, _MM_SHUFFLE(0, 3, 2, 1));
  }
  rows[0] = a;
  rows[1] = b;
  rows[2] = c;
  rows[3] = d;
}

}  // namespace

void Blake3CompressInPlaceAvx512(std::uint32_t cv[8],
                                 const std::uint8_t block[64],
                                 std::uint8_t block_len, std::uint64_t counter,
                                 std::uint8_t flags) {
  __m128i rows[4];
  RowPermute(cv, block, block_len, counter, flags, rows);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(cv),
                   _mm_xor_si128(rows[0], rows[2]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(cv + 4),
                   _mm_xor_si128(rows[1], rows[3]));
}

void Blake3CompressXofAvx512(const std::uint32_t cv[8],
                             const std::uint8_t block[64],
                             std::uint8_t block_len, std::uint64_t counter,
                             std::uint8_t flags, std::uint8_t out[64]) {
  __m128i rows[4];
  RowPermute(cv, block, block_len, counter, flags, rows);
  const __m128i cv_lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv));
  const __m128i cv_hi =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv + 4));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm_xor_si128(rows[0], rows[2]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16),
                   _mm_xor_si128(rows[1], rows[3]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32),
                   _mm_xor_si128(rows[2], cv_lo));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 48),
                   _mm_xor_si128(rows[3], cv_hi));
}

void Blake3HashManyAvx512(const std::uint8_t* const* inputs,
                          std::size_t num_inputs, std::size_t blocks,
                          const std::uint32_t key[8], std::uint64_t counter,
                          bool increment_counter, std::uint8_t flags,
                          std::uint8_t flags_start, std::uint8_t flags_end,
                          std::uint8_t* out) {
  const std::uint64_t step = increment_counter ? 1 : 0;
  while (num_inputs >= 16) {
    HashLanes<Zmm>(inputs, blocks, key, counter, increment_counter, flags,
                   flags_start, flags_end, out);
    inputs += 16;
    num_inputs -= 16;
    counter += 16 * step;
    out += 16 * kBlake3OutLen;
  }
  if (num_inputs >= 8) {
    HashLanes<Ymm>(inputs, blocks, key, counter, increment_counter, flags,
                   flags_start, flags_end, out);
    inputs += 8;
    num_inputs -= 8;
    counter += 8 * step;
    out += 8 * kBlake3OutLen;
  }
  if (num_inputs >= 4) {
    HashLanes<Xmm>(inputs, blocks, key, counter, increment_counter, flags,
                   flags_start, flags_end, out);
    inputs += 4;
    num_inputs -= 4;
    counter += 4 * step;
    out += 4 * kBlake3OutLen;
  }
  for (std::size_t i = 0; i < num_inputs; ++i) {
    std::uint32_t cv[8];
    for (std::size_t w = 0; w < 8; ++w) cv[w] = key[w];
    const std::uint64_t input_counter = counter + i * step;
    for (std::size_t b = 0; b < blocks; ++b) {
      std::uint8_t block_flags = flags;
      if (b == 0) block_flags |= flags_start;
      if (b + 1 == blocks) block_flags |= flags_end;
      Blake3CompressInPlaceAvx512(cv, inputs[i] + b * kBlake3BlockLen,
                                  kBlake3BlockLen, input_counter, block_flags);
    }
    Blake3StoreWords(cv, 8, out + i * kBlake3OutLen);
  }
}

}  // namespace modelseal::hash_internal
