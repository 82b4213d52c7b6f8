// Scalar BLAKE3 kernel: the reference every SIMD kernel is checked against
// at start-up, so it stays a direct transcription of the spec.
#include <cstddef>
#include <cstdint>

#include "hash/blake3_internal.h"

namespace modelseal::hash_internal {
namespace {

inline std::uint32_t Rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

// BLAKE3 spec §2.2: G with rotations 16, 12, 8, 7.
inline void G(std::uint32_t s[16], int a, int b, int c, int d, std::uint32_t x,
              std::uint32_t y) {
  s[a] = s[a] + s[b] + x;
  s[d] = Rotr(s[d] ^ s[a], 16);
  s[c] = s[c] + s[d];
  s[b] = Rotr(s[b] ^ s[c], 12);
  s[a] = s[a] + s[b] + y;
  s[d] = Rotr(s[d] ^ s[a], 8);
  s[c] = s[c] + s[d];
  s[b] = Rotr(s[b] ^ s[c], 7);
}

void Permute(const std::uint32_t cv[8], const std::uint8_t block[64],
             std::uint8_t block_len, std::uint64_t counter, std::uint8_t flags,
             std::uint32_t s[16]) {
  std::uint32_t m[16];
  Blake3LoadWords(block, m, 16);
  for (int i = 0; i < 8; ++i) s[i] = cv[i];
  s[8] = kBlake3Iv[0];
  s[9] = kBlake3Iv[1];
  s[10] = kBlake3Iv[2];
  s[11] = kBlake3Iv[3];
  s[12] = static_cast<std::uint32_t>(counter);
  s[13] = static_cast<std::uint32_t>(counter >> 32);
  s[14] = block_len;
  s[15] = flags;
  for (const auto& sched : kBlake3Schedule) {
    G(s, 0, 4, 8, 12, m[sched[0]], m[sched[1]]);
    G(s, 1, 5, 9, 13, m[sched[2]], m[sched[3]]);
    G(s, 2, 6, 10, 14, m[sched[4]], m[sched[5]]);
    G(s, 3, 7, 11, 15, m[sched[6]], m[sched[7]]);
    G(s, 0, 5, 10, 15, m[sched[8]], m[sched[9]]);
    G(s, 1, 6, 11, 12, m[sched[10]], m[sched[11]]);
    G(s, 2, 7, 8, 13, m[sched[12]], m[sched[13]]);
    G(s, 3, 4, 9, 14, m[sched[14]], m[sched[15]]);
  }
}

}  // namespace

void Blake3CompressInPlacePortable(std::uint32_t cv[8],
                                   const std::uint8_t block[64],
                                   std::uint8_t block_len,
                                   std::uint64_t counter, std::uint8_t flags) {
  std::uint32_t s[16];
  Permute(cv, block, block_len, counter, flags, s);
  for (int i = 0; i < 8; ++i) cv[i] = s[i] ^ s[i + 8];
}

void Blake3CompressXofPortable(const std::uint32_t cv[8],
                               const std::uint8_t block[64],
                               std::uint8_t block_len, std::uint64_t counter,
                               std::uint8_t flags, std::uint8_t out[64]) {
  std::uint32_t s[16];
  Permute(cv, block, block_len, counter, flags, s);
  std::uint32_t words[16];
  for (int i = 0; i < 8; ++i) {
    words[i] = s[i] ^ s[i + 8];
    words[i + 8] = s[i + 8] ^ cv[i];
  }
  Blake3StoreWords(words, 16, out);
}

void Blake3HashManyPortable(const std::uint8_t* const* inputs,
                            std::size_t num_inputs, std::size_t blocks,
                            const std::uint32_t key[8], std::uint64_t counter,
                            bool increment_counter, std::uint8_t flags,
                            std::uint8_t flags_start, std::uint8_t flags_end,
                            std::uint8_t* out) {
  for (std::size_t i = 0; i < num_inputs; ++i) {
    std::uint32_t cv[8];
    for (int w = 0; w < 8; ++w) cv[w] = key[w];
    const std::uint64_t input_counter =
        increment_counter ? counter + i : counter;
    for (std::size_t b = 0; b < blocks; ++b) {
      std::uint8_t block_flags = flags;
      if (b == 0) block_flags |= flags_start;
      if (b + 1 == blocks) block_flags |= flags_end;
      Blake3CompressInPlacePortable(cv, inputs[i] + b * kBlake3BlockLen,
                                    kBlake3BlockLen, input_counter,
                                    block_flags);
    }
    Blake3StoreWords(cv, 8, out + i * kBlake3OutLen);
  }
}

}  // namespace modelseal::hash_internal
