// The only file built with -msha: it must not instantiate any inline function
// that other files also use, or the linker could keep this file's SHA/SSE4.1
// copy for callers on CPUs without those instructions.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

#define MODELSEAL_SHA_INLINE inline __attribute__((always_inline))

// Named fields and parameter packs rather than arrays and loops: with arrays
// GCC kept the message window on the stack and the x2 kernel was slower.
struct Lane {
  __m128i abef;
  __m128i cdgh;
  // Two lanes need more live vectors than the 16 SSE registers. Left alone,
  // GCC spills the chaining CDGH, which puts a store-to-load forward on the
  // critical path of every block; forcing these copies, read only at the end
  // of the block, into memory instead made the x2 kernel 3-4% faster.
  volatile __m128i saved_abef;
  volatile __m128i saved_cdgh;
  __m128i m0, m1, m2, m3;
  const std::uint8_t* data;
};

template <int kIndex>
MODELSEAL_SHA_INLINE __m128i& Msg(Lane& lane) {
  static_assert(kIndex >= 0 && kIndex < 4);
  if constexpr (kIndex == 0) {
    return lane.m0;
  } else if constexpr (kIndex == 1) {
    return lane.m1;
  } else if constexpr (kIndex == 2) {
    return lane.m2;
  } else {
    return lane.m3;
  }
}

// rnds2 works on {A,B,E,F} and {C,D,G,H}, A in the top lane.
MODELSEAL_SHA_INLINE void LoadState(const std::uint32_t state[8],
                                    const std::uint8_t* data, Lane& lane) {
  const __m128i dcba = _mm_shuffle_epi32(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0])), 0x1b);
  const __m128i hgfe = _mm_shuffle_epi32(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4])), 0x1b);
  lane.abef = _mm_unpackhi_epi64(hgfe, dcba);
  lane.cdgh = _mm_unpacklo_epi64(hgfe, dcba);
  lane.data = data;
}

MODELSEAL_SHA_INLINE void StoreState(const Lane& lane, std::uint32_t state[8]) {
  const __m128i dcba = _mm_unpackhi_epi64(lane.cdgh, lane.abef);
  const __m128i hgfe = _mm_unpacklo_epi64(lane.cdgh, lane.abef);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]),
                   _mm_shuffle_epi32(dcba, 0x1b));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]),
                   _mm_shuffle_epi32(hgfe, 0x1b));
}

MODELSEAL_SHA_INLINE void StartBlock(__m128i byte_swap, Lane& lane) {
  const auto* p = reinterpret_cast<const __m128i*>(lane.data);
  lane.saved_abef = lane.abef;
  lane.saved_cdgh = lane.cdgh;
  lane.m0 = _mm_shuffle_epi8(_mm_loadu_si128(p + 0), byte_swap);
  lane.m1 = _mm_shuffle_epi8(_mm_loadu_si128(p + 1), byte_swap);
  lane.m2 = _mm_shuffle_epi8(_mm_loadu_si128(p + 2), byte_swap);
  lane.m3 = _mm_shuffle_epi8(_mm_loadu_si128(p + 3), byte_swap);
  // Eight blocks ahead, into L1: each stream is consumed slowly enough that
  // one prefetch per block keeps it ahead of use. Without it a run over
  // files in the page cache (DRAM, not cache) spent 18% more CPU than the
  // kernel needs: 4 GiB as five shards took 2.11-2.17 s of user time,
  // with it 1.79-1.81 s (2,048 bytes ahead gave the same). Prefetches
  // never fault, so reading past the end of the input is harmless.
  _mm_prefetch(reinterpret_cast<const char*>(lane.data + 512), _MM_HINT_T0);
  lane.data += 64;
}

MODELSEAL_SHA_INLINE void FinishBlock(Lane& lane) {
  lane.abef = _mm_add_epi32(lane.abef, lane.saved_abef);
  lane.cdgh = _mm_add_epi32(lane.cdgh, lane.saved_cdgh);
}

// Rounds 4G..4G+3 of one lane. Each rnds2 pair leaves the vectors in their
// original roles: the intermediate ABEF written into `cdgh` is exactly the
// CDGH of two rounds later.
template <int G>
MODELSEAL_SHA_INLINE void FourRounds(Lane& lane) {
  __m128i wk = _mm_add_epi32(Msg<G % 4>(lane),
                             _mm_load_si128(reinterpret_cast<const __m128i*>(
                                 &kSha256RoundConstants[4 * G])));
  lane.cdgh = _mm_sha256rnds2_epu32(lane.cdgh, lane.abef, wk);
  wk = _mm_shuffle_epi32(wk, 0x0e);
  lane.abef = _mm_sha256rnds2_epu32(lane.abef, lane.cdgh, wk);
}

// The message schedule runs just in time in the 16-word window: group G
// finishes the vector that group G+1 consumes (msg2 needs words up to 4G+3)
// and starts msg1 on the vector that group G+3 will reuse.
template <int G>
MODELSEAL_SHA_INLINE void ExtendSchedule(Lane& lane) {
  constexpr int kCur = G % 4;
  constexpr int kNext = (G + 1) % 4;
  constexpr int kPrev = (G + 3) % 4;
  if constexpr (G >= 3 && G <= 14) {
    __m128i& next = Msg<kNext>(lane);
    next = _mm_add_epi32(next,
                         _mm_alignr_epi8(Msg<kCur>(lane), Msg<kPrev>(lane), 4));
    next = _mm_sha256msg2_epu32(next, Msg<kCur>(lane));
  }
  if constexpr (G >= 1 && G <= 12) {
    Msg<kPrev>(lane) = _mm_sha256msg1_epu32(Msg<kPrev>(lane), Msg<kCur>(lane));
  }
}

// One lane's rnds2 chain is latency bound, so lanes alternate every four
// rounds and the core fills one chain's stalls with the other's work.
// Alternating at every rnds2 was measured slower: rnds2 reads its message
// operand from xmm0, so two live operands cost copies and spills.
template <int G, typename... Lanes>
MODELSEAL_SHA_INLINE void Rounds(Lanes&... lanes) {
  ((FourRounds<G>(lanes), ExtendSchedule<G>(lanes)), ...);
}

template <int... G, typename... Lanes>
MODELSEAL_SHA_INLINE void CompressOneBlock(std::integer_sequence<int, G...>,
                                           __m128i byte_swap, Lanes&... lanes) {
  (StartBlock(byte_swap, lanes), ...);
  (Rounds<G>(lanes...), ...);
  (FinishBlock(lanes), ...);
}

template <typename... Lanes>
MODELSEAL_SHA_INLINE void CompressBlocks(std::size_t blocks, Lanes&... lanes) {
  const __m128i byte_swap =
      _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  for (std::size_t b = 0; b < blocks; ++b) {
    CompressOneBlock(std::make_integer_sequence<int, 16>(), byte_swap,
                     lanes...);
  }
}

}  // namespace

#undef MODELSEAL_SHA_INLINE

void Sha256CompressShaNi(std::uint32_t state[8], const std::uint8_t* data,
                         std::size_t blocks) {
  Lane lane;
  LoadState(state, data, lane);
  CompressBlocks(blocks, lane);
  StoreState(lane, state);
}

void Sha256CompressShaNiX2(std::uint32_t state_a[8], const std::uint8_t* a,
                           std::uint32_t state_b[8], const std::uint8_t* b,
                           std::size_t blocks) {
  Lane lane_a;
  Lane lane_b;
  LoadState(state_a, a, lane_a);
  LoadState(state_b, b, lane_b);
  CompressBlocks(blocks, lane_a, lane_b);
  StoreState(lane_a, state_a);
  StoreState(lane_b, state_b);
}

void Sha256CompressShaNiX3(std::uint32_t* const states[3],
                           const std::uint8_t* const data[3],
                           std::size_t blocks) {
  Lane lane_a;
  Lane lane_b;
  Lane lane_c;
  LoadState(states[0], data[0], lane_a);
  LoadState(states[1], data[1], lane_b);
  LoadState(states[2], data[2], lane_c);
  CompressBlocks(blocks, lane_a, lane_b, lane_c);
  StoreState(lane_a, states[0]);
  StoreState(lane_b, states[1]);
  StoreState(lane_c, states[2]);
}

void Sha256CompressShaNiX4(std::uint32_t* const states[4],
                           const std::uint8_t* const data[4],
                           std::size_t blocks) {
  Lane lane_a;
  Lane lane_b;
  Lane lane_c;
  Lane lane_d;
  LoadState(states[0], data[0], lane_a);
  LoadState(states[1], data[1], lane_b);
  LoadState(states[2], data[2], lane_c);
  LoadState(states[3], data[3], lane_d);
  CompressBlocks(blocks, lane_a, lane_b, lane_c, lane_d);
  StoreState(lane_a, states[0]);
  StoreState(lane_b, states[1]);
  StoreState(lane_c, states[2]);
  StoreState(lane_d, states[3]);
}

}  // namespace modelseal::hash_internal
