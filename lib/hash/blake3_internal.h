// BLAKE3 kernel interface (internal to lib/hash).
//
// Every kernel offers the same three operations; the dispatcher
// (blake3_dispatch.cc) bundles the best verified set into a Blake3Kernel and
// Blake3Hasher calls only through it:
//
//   compress_in_place  one compression, chaining value replaced by the
//                      output's first 8 words (spec §2.2, §2.4, §2.5).
//   compress_xof       one compression, all 16 output words (spec §2.6).
//   hash_many          `num_inputs` independent inputs of `blocks` full blocks
//                      each, compressed side by side in SIMD lanes; used for
//                      runs of whole chunks and for rows of parent nodes.
//
// The functions with an ISA suffix live in lib/hash/simd/blake3_<isa>.cc and
// may be called only after the dispatcher has confirmed the CPU supports that
// ISA.
#ifndef MODELSEAL_HASH_BLAKE3_INTERNAL_H_
#define MODELSEAL_HASH_BLAKE3_INTERNAL_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hash/blake3_dispatch.h"

namespace modelseal::hash_internal {

inline constexpr std::size_t kBlake3BlockLen = 64;
inline constexpr std::size_t kBlake3ChunkLen = 1024;
inline constexpr std::size_t kBlake3BlocksPerChunk = 16;
inline constexpr std::size_t kBlake3OutLen = 32;
// Widest kernel (AVX-512, 16 lanes of 32 bits).
inline constexpr std::size_t kBlake3MaxSimdDegree = 16;

// BLAKE3 spec §2.2, Table 1: the initialization vector (SHA-256's).
inline constexpr std::uint32_t kBlake3Iv[8] = {
    0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au,
    0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u};

// BLAKE3 spec §2.2, Table 3: domain separation flags.
inline constexpr std::uint8_t kBlake3ChunkStart = 1 << 0;
inline constexpr std::uint8_t kBlake3ChunkEnd = 1 << 1;
inline constexpr std::uint8_t kBlake3Parent = 1 << 2;
inline constexpr std::uint8_t kBlake3Root = 1 << 3;
inline constexpr std::uint8_t kBlake3KeyedHash = 1 << 4;
inline constexpr std::uint8_t kBlake3DeriveKeyContext = 1 << 5;
inline constexpr std::uint8_t kBlake3DeriveKeyMaterial = 1 << 6;

// BLAKE3 spec §2.2, Table 2: the message permutation applied between rounds.
inline constexpr std::uint8_t kBlake3MsgPermutation[16] = {
    2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};

inline constexpr std::size_t kBlake3Rounds = 7;

// Row r gives, for each message slot, the original word index used in round
// r: the permutation composed r times. Derived here rather than tabulated so
// that it visibly follows from Table 2.
using Blake3Schedule = std::array<std::array<std::uint8_t, 16>, kBlake3Rounds>;
constexpr Blake3Schedule MakeBlake3Schedule() {
  Blake3Schedule schedule{};
  for (std::uint8_t i = 0; i < 16; ++i) schedule[0][i] = i;
  for (std::size_t r = 1; r < kBlake3Rounds; ++r) {
    for (std::size_t i = 0; i < 16; ++i) {
      schedule[r][i] = schedule[r - 1][kBlake3MsgPermutation[i]];
    }
  }
  return schedule;
}
inline constexpr Blake3Schedule kBlake3Schedule = MakeBlake3Schedule();

inline std::uint32_t Blake3LoadLe32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) {
    v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
  }
  return v;
}

inline void Blake3StoreLe32(std::uint8_t* p, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) {
    v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
  }
  std::memcpy(p, &v, sizeof(v));
}

inline void Blake3LoadWords(const std::uint8_t* bytes, std::uint32_t* words,
                            std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    words[i] = Blake3LoadLe32(bytes + 4 * i);
  }
}

inline void Blake3StoreWords(const std::uint32_t* words, std::size_t count,
                             std::uint8_t* bytes) {
  for (std::size_t i = 0; i < count; ++i) {
    Blake3StoreLe32(bytes + 4 * i, words[i]);
  }
}

// `block` always holds 64 bytes; bytes past `block_len` must be zero.
using Blake3CompressInPlaceFn = void (*)(std::uint32_t cv[8],
                                         const std::uint8_t block[64],
                                         std::uint8_t block_len,
                                         std::uint64_t counter,
                                         std::uint8_t flags);
using Blake3CompressXofFn = void (*)(const std::uint32_t cv[8],
                                     const std::uint8_t block[64],
                                     std::uint8_t block_len,
                                     std::uint64_t counter, std::uint8_t flags,
                                     std::uint8_t out[64]);
// Input i (of `blocks` * 64 bytes at inputs[i]) starts from `key`, uses
// counter `counter + i` if `increment_counter` (else `counter`), and `flags`
// on every block plus `flags_start` on its first and `flags_end` on its last.
// Its 32-byte chaining value goes to out + 32 * i. `out` must not overlap
// the inputs.
using Blake3HashManyFn = void (*)(const std::uint8_t* const* inputs,
                                  std::size_t num_inputs, std::size_t blocks,
                                  const std::uint32_t key[8],
                                  std::uint64_t counter, bool increment_counter,
                                  std::uint8_t flags, std::uint8_t flags_start,
                                  std::uint8_t flags_end, std::uint8_t* out);

struct Blake3Kernel {
  Blake3Isa isa;
  // Inputs hash_many processes side by side at full speed.
  std::size_t simd_degree;
  Blake3CompressInPlaceFn compress_in_place;
  Blake3CompressXofFn compress_xof;
  Blake3HashManyFn hash_many;
};

// The kernel in use; selected and self-tested on first call.
const Blake3Kernel& Blake3ActiveKernel();

// --- Per-ISA entry points ----------------------------------------------

void Blake3CompressInPlacePortable(std::uint32_t cv[8],
                                   const std::uint8_t block[64],
                                   std::uint8_t block_len,
                                   std::uint64_t counter, std::uint8_t flags);
void Blake3CompressXofPortable(const std::uint32_t cv[8],
                               const std::uint8_t block[64],
                               std::uint8_t block_len, std::uint64_t counter,
                               std::uint8_t flags, std::uint8_t out[64]);
void Blake3HashManyPortable(const std::uint8_t* const* inputs,
                            std::size_t num_inputs, std::size_t blocks,
                            const std::uint32_t key[8], std::uint64_t counter,
                            bool increment_counter, std::uint8_t flags,
                            std::uint8_t flags_start, std::uint8_t flags_end,
                            std::uint8_t* out);

// SSE4.1: row-based single compression plus 4-lane hash_many. The AVX2
// kernel reuses the single compression and the 4-lane tail.
void Blake3CompressInPlaceSse41(std::uint32_t cv[8],
                                const std::uint8_t block[64],
                                std::uint8_t block_len, std::uint64_t counter,
                                std::uint8_t flags);
void Blake3CompressXofSse41(const std::uint32_t cv[8],
                            const std::uint8_t block[64],
                            std::uint8_t block_len, std::uint64_t counter,
                            std::uint8_t flags, std::uint8_t out[64]);
void Blake3HashManySse41(const std::uint8_t* const* inputs,
                         std::size_t num_inputs, std::size_t blocks,
                         const std::uint32_t key[8], std::uint64_t counter,
                         bool increment_counter, std::uint8_t flags,
                         std::uint8_t flags_start, std::uint8_t flags_end,
                         std::uint8_t* out);

// AVX2: 8-lane hash_many (needs SSE4.1 as well, for its tail).
void Blake3HashManyAvx2(const std::uint8_t* const* inputs,
                        std::size_t num_inputs, std::size_t blocks,
                        const std::uint32_t key[8], std::uint64_t counter,
                        bool increment_counter, std::uint8_t flags,
                        std::uint8_t flags_start, std::uint8_t flags_end,
                        std::uint8_t* out);

// AVX-512 F+VL: 16/8/4-lane hash_many and a single compression, all with
// native rotates.
void Blake3CompressInPlaceAvx512(std::uint32_t cv[8],
                                 const std::uint8_t block[64],
                                 std::uint8_t block_len, std::uint64_t counter,
                                 std::uint8_t flags);
void Blake3CompressXofAvx512(const std::uint32_t cv[8],
                             const std::uint8_t block[64],
                             std::uint8_t block_len, std::uint64_t counter,
                             std::uint8_t flags, std::uint8_t out[64]);
void Blake3HashManyAvx512(const std::uint8_t* const* inputs,
                          std::size_t num_inputs, std::size_t blocks,
                          const std::uint32_t key[8], std::uint64_t counter,
                          bool increment_counter, std::uint8_t flags,
                          std::uint8_t flags_start, std::uint8_t flags_end,
                          std::uint8_t* out);

}  // namespace modelseal::hash_internal

#endif  // MODELSEAL_HASH_BLAKE3_INTERNAL_H_
