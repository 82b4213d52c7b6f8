// The only file built with -mavx512f for SHA-256: sixteen independent streams
// in the sixteen 32-bit lanes of ZMM registers ("multi-buffer" SHA-256). It
// must not instantiate any inline function that other files also use, or the
// linker could keep this file's AVX-512 copy for callers on other CPUs.
//
// Why by hand: OpenSSL has no multi-stream SHA-256 API, and Debian's
// libipsec-mb hashes one whole message per job (IMB_JOB: a source and a
// length), where the engine streams shards of up to a TiB piece by piece.
// SHA-NI streams all share the core's one SHA unit; sixteen lanes of plain
// FIPS 180-4 rounds, with ternary logic for the three-input functions, do
// not use it (4.0 GiB/s per core against 2.4-2.5 GiB/s for SHA-NI on the
// machine measured; bench/sha256_bench.cc).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

#define MODELSEAL_SHA_INLINE inline __attribute__((always_inline))

// Truth tables for vpternlogd with the operands (x, y, z) as (0xf0, 0xcc,
// 0xaa): x ^ y ^ z, Ch(x, y, z) = (x & y) ^ (~x & z), Maj(x, y, z), and
// "z ? x : y" for the byte swap.
constexpr int kXor3 = 0x96;
constexpr int kChoose = 0xca;
constexpr int kMajority = 0xe8;
constexpr int kSelect = 0xe4;

// Lane l of every vector belongs to stream l. Named fields rather than an
// array so that GCC keeps the message window in registers (as in
// sha256_shani.cc).
struct Window {
  __m512i w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
};

template <int kIndex>
MODELSEAL_SHA_INLINE __m512i& Word(Window& w) {
  static_assert(kIndex >= 0 && kIndex < 16);
  if constexpr (kIndex == 0) return w.w0;
  if constexpr (kIndex == 1) return w.w1;
  if constexpr (kIndex == 2) return w.w2;
  if constexpr (kIndex == 3) return w.w3;
  if constexpr (kIndex == 4) return w.w4;
  if constexpr (kIndex == 5) return w.w5;
  if constexpr (kIndex == 6) return w.w6;
  if constexpr (kIndex == 7) return w.w7;
  if constexpr (kIndex == 8) return w.w8;
  if constexpr (kIndex == 9) return w.w9;
  if constexpr (kIndex == 10) return w.w10;
  if constexpr (kIndex == 11) return w.w11;
  if constexpr (kIndex == 12) return w.w12;
  if constexpr (kIndex == 13) return w.w13;
  if constexpr (kIndex == 14) return w.w14;
  if constexpr (kIndex == 15) return w.w15;
}

struct State {
  __m512i a, b, c, d, e, f, g, h;
};

MODELSEAL_SHA_INLINE __m512i Add(__m512i x, __m512i y) {
  return _mm512_add_epi32(x, y);
}

MODELSEAL_SHA_INLINE __m512i Xor3(__m512i x, __m512i y, __m512i z) {
  return _mm512_ternarylogic_epi32(x, y, z, kXor3);
}

// Round I of FIPS 180-4 §6.2.2 step 3, with the message word W[I] computed
// in the 16-word window first (step 1) for I >= 16. The caller rotates the
// roles of a..h instead of moving values: only d and h are written.
template <int I>
MODELSEAL_SHA_INLINE void Round(__m512i a, __m512i b, __m512i c, __m512i& d,
                                __m512i e, __m512i f, __m512i g, __m512i& h,
                                Window& w) {
  __m512i& word = Word<I % 16>(w);
  if constexpr (I >= 16) {
    const __m512i w2 = Word<(I - 2) % 16>(w);
    const __m512i w15 = Word<(I - 15) % 16>(w);
    const __m512i s1 = Xor3(_mm512_ror_epi32(w2, 17), _mm512_ror_epi32(w2, 19),
                            _mm512_srli_epi32(w2, 10));
    const __m512i s0 = Xor3(_mm512_ror_epi32(w15, 7), _mm512_ror_epi32(w15, 18),
                            _mm512_srli_epi32(w15, 3));
    word = Add(Add(word, s0), Add(Word<(I - 7) % 16>(w), s1));
  }
  const __m512i big_s1 = Xor3(_mm512_ror_epi32(e, 6), _mm512_ror_epi32(e, 11),
                              _mm512_ror_epi32(e, 25));
  const __m512i ch = _mm512_ternarylogic_epi32(e, f, g, kChoose);
  const __m512i k =
      _mm512_set1_epi32(static_cast<int>(kSha256RoundConstants[I]));
  const __m512i t1 = Add(Add(h, k), Add(word, Add(big_s1, ch)));
  const __m512i big_s0 = Xor3(_mm512_ror_epi32(a, 2), _mm512_ror_epi32(a, 13),
                              _mm512_ror_epi32(a, 22));
  const __m512i maj = _mm512_ternarylogic_epi32(a, b, c, kMajority);
  d = Add(d, t1);
  h = Add(t1, Add(big_s0, maj));
}

template <int I>
MODELSEAL_SHA_INLINE void EightRounds(State& s, Window& w) {
  Round<I + 0>(s.a, s.b, s.c, s.d, s.e, s.f, s.g, s.h, w);
  Round<I + 1>(s.h, s.a, s.b, s.c, s.d, s.e, s.f, s.g, w);
  Round<I + 2>(s.g, s.h, s.a, s.b, s.c, s.d, s.e, s.f, w);
  Round<I + 3>(s.f, s.g, s.h, s.a, s.b, s.c, s.d, s.e, w);
  Round<I + 4>(s.e, s.f, s.g, s.h, s.a, s.b, s.c, s.d, w);
  Round<I + 5>(s.d, s.e, s.f, s.g, s.h, s.a, s.b, s.c, w);
  Round<I + 6>(s.c, s.d, s.e, s.f, s.g, s.h, s.a, s.b, w);
  Round<I + 7>(s.b, s.c, s.d, s.e, s.f, s.g, s.h, s.a, w);
}

// Big-endian words (FIPS 180-4 §3.1): swaps the bytes of every 32-bit lane
// with two rotations and a bitwise select, so that AVX-512F suffices (vpshufb
// on ZMM would need AVX-512BW).
MODELSEAL_SHA_INLINE __m512i ByteSwap(__m512i x) {
  const __m512i odd_bytes = _mm512_set1_epi32(static_cast<int>(0xff00ff00u));
  return _mm512_ternarylogic_epi32(_mm512_ror_epi32(x, 8),
                                   _mm512_rol_epi32(x, 8), odd_bytes, kSelect);
}

// Transposes 4x4 blocks of words: afterwards, in 128-bit lane j, r0..r3 hold
// words 4j, 4j+1, 4j+2 and 4j+3 of the four input rows.
MODELSEAL_SHA_INLINE void Transpose4(__m512i& r0, __m512i& r1, __m512i& r2,
                                     __m512i& r3) {
  const __m512i t0 = _mm512_unpacklo_epi32(r0, r1);
  const __m512i t1 = _mm512_unpackhi_epi32(r0, r1);
  const __m512i t2 = _mm512_unpacklo_epi32(r2, r3);
  const __m512i t3 = _mm512_unpackhi_epi32(r2, r3);
  r0 = _mm512_unpacklo_epi64(t0, t2);
  r1 = _mm512_unpackhi_epi64(t0, t2);
  r2 = _mm512_unpacklo_epi64(t1, t3);
  r3 = _mm512_unpackhi_epi64(t1, t3);
}

// Words c, c+4, c+8 and c+12 of all sixteen streams, from the Transpose4
// outputs holding word c of rows 0-3 (q0), 4-7 (q1), 8-11 (q2), 12-15 (q3).
template <int C>
MODELSEAL_SHA_INLINE void GatherWords(__m512i q0, __m512i q1, __m512i q2,
                                      __m512i q3, Window& w) {
  // 0x44 / 0xee: 128-bit lanes {0, 1} / {2, 3} of each operand;
  // 0x88 / 0xdd: the even / odd lanes of each.
  const __m512i low01 = _mm512_shuffle_i32x4(q0, q1, 0x44);
  const __m512i high01 = _mm512_shuffle_i32x4(q0, q1, 0xee);
  const __m512i low23 = _mm512_shuffle_i32x4(q2, q3, 0x44);
  const __m512i high23 = _mm512_shuffle_i32x4(q2, q3, 0xee);
  Word<C>(w) = ByteSwap(_mm512_shuffle_i32x4(low01, low23, 0x88));
  Word<C + 4>(w) = ByteSwap(_mm512_shuffle_i32x4(low01, low23, 0xdd));
  Word<C + 8>(w) = ByteSwap(_mm512_shuffle_i32x4(high01, high23, 0x88));
  Word<C + 12>(w) = ByteSwap(_mm512_shuffle_i32x4(high01, high23, 0xdd));
}

// Loads block `offset` of each stream (one 64-byte row per stream) and
// transposes the 16x16 words so that word t of every stream is in W[t].
MODELSEAL_SHA_INLINE void LoadBlocks(const std::uint8_t* const data[16],
                                     std::size_t offset, Window& w) {
  __m512i r[16];
  for (int i = 0; i < 16; ++i) {
    r[i] = _mm512_loadu_si512(data[i] + offset);
    // Eight blocks ahead into L1, as in sha256_shani.cc; never faults.
    _mm_prefetch(reinterpret_cast<const char*>(data[i] + offset + 512),
                 _MM_HINT_T0);
  }
  Transpose4(r[0], r[1], r[2], r[3]);
  Transpose4(r[4], r[5], r[6], r[7]);
  Transpose4(r[8], r[9], r[10], r[11]);
  Transpose4(r[12], r[13], r[14], r[15]);
  GatherWords<0>(r[0], r[4], r[8], r[12], w);
  GatherWords<1>(r[1], r[5], r[9], r[13], w);
  GatherWords<2>(r[2], r[6], r[10], r[14], w);
  GatherWords<3>(r[3], r[7], r[11], r[15], w);
}

}  // namespace

#undef MODELSEAL_SHA_INLINE

void Sha256CompressAvx512X16(std::uint32_t* const states[16],
                             const std::uint8_t* const data[16],
                             std::size_t blocks) {
  alignas(64) std::uint32_t words[8][16];
  for (int lane = 0; lane < 16; ++lane) {
    for (int i = 0; i < 8; ++i) words[i][lane] = states[lane][i];
  }
  State s{_mm512_load_si512(words[0]), _mm512_load_si512(words[1]),
          _mm512_load_si512(words[2]), _mm512_load_si512(words[3]),
          _mm512_load_si512(words[4]), _mm512_load_si512(words[5]),
          _mm512_load_si512(words[6]), _mm512_load_si512(words[7])};
  for (std::size_t block = 0; block < blocks; ++block) {
    Window w;
    LoadBlocks(data, block * 64, w);
    // The state at the start of the block, needed only at its end: kept in
    // memory so that the 32 vector registers hold the window and the working
    // variables (left to GCC, some spills land inside the rounds; about 1%
    // slower when measured).
    alignas(64) __m512i saved[8] = {s.a, s.b, s.c, s.d, s.e, s.f, s.g, s.h};
    __asm__ volatile("" : : "r"(saved) : "memory");
    EightRounds<0>(s, w);
    EightRounds<8>(s, w);
    EightRounds<16>(s, w);
    EightRounds<24>(s, w);
    EightRounds<32>(s, w);
    EightRounds<40>(s, w);
    EightRounds<48>(s, w);
    EightRounds<56>(s, w);
    __asm__ volatile("" : : "r"(saved) : "memory");
    s.a = Add(s.a, saved[0]);
    s.b = Add(s.b, saved[1]);
    s.c = Add(s.c, saved[2]);
    s.d = Add(s.d, saved[3]);
    s.e = Add(s.e, saved[4]);
    s.f = Add(s.f, saved[5]);
    s.g = Add(s.g, saved[6]);
    s.h = Add(s.h, saved[7]);
  }
  _mm512_store_si512(words[0], s.a);
  _mm512_store_si512(words[1], s.b);
  _mm512_store_si512(words[2], s.c);
  _mm512_store_si512(words[3], s.d);
  _mm512_store_si512(words[4], s.e);
  _mm512_store_si512(words[5], s.f);
  _mm512_store_si512(words[6], s.g);
  _mm512_store_si512(words[7], s.h);
  for (int lane = 0; lane < 16; ++lane) {
    for (int i = 0; i < 8; ++i) states[lane][i] = words[i][lane];
  }
}

}  // namespace modelseal::hash_internal
