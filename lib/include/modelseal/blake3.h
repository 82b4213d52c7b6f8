// BLAKE3, implemented from its specification (https://github.com/BLAKE3-team/
// BLAKE3-specs, "BLAKE3: one function, fast everywhere", 2020).
//
// Three modes (hash, keyed_hash, derive_key) and extendable output. The
// compression function runs on the best SIMD kernel the CPU supports
// (AVX-512, AVX2, SSE4.1, portable); the kernel is chosen once, after a
// known-answer self-test, and every kernel gives identical output.
//
// Besides the usual incremental interface, Blake3Hasher exposes the subtree
// operations that let callers hash one large input on several threads:
// hash each aligned power-of-two run of chunks with SetInputOffset() +
// FinalizeNonRoot(), then combine the chaining values with MergeNonRoot() /
// MergeRoot() following the BLAKE3 tree shape (left subtree = largest power of
// two chunks strictly smaller than the whole). Misusing them gives wrong
// digests, not undefined behaviour.
//
// Thread safety: a Blake3Hasher is a value type; distinct objects may be used
// from distinct threads. Not safe for concurrent use of one object.
#ifndef MODELSEAL_BLAKE3_H_
#define MODELSEAL_BLAKE3_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace modelseal {

class Blake3Hasher {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kOutBytes = 32;
  static constexpr std::size_t kBlockBytes = 64;
  static constexpr std::size_t kChunkBytes = 1024;
  using ChainingValue = std::array<std::uint8_t, 32>;

  // The plain `hash` mode.
  Blake3Hasher();
  // `keyed_hash` mode with a 32-byte key.
  static Blake3Hasher Keyed(const std::array<std::uint8_t, kKeyBytes>& key);
  // `derive_key` mode: the context string is hashed first (spec §2.6).
  static Blake3Hasher DeriveKey(std::string_view context);

  void Update(const std::uint8_t* data, std::size_t length);
  void Update(std::string_view data) {
    Update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  }

  // Writes `length` bytes of output starting at output byte `seek`. The
  // hasher is unchanged, so more input may follow.
  void Finalize(std::uint8_t* out, std::size_t length,
                std::uint64_t seek = 0) const;
  // The default 32-byte digest.
  std::array<std::uint8_t, kOutBytes> Finalize() const;

  // Returns to the freshly constructed state, keeping the mode and key.
  void Reset();

  // --- Subtree interface (for parallel hashing of one input) -------------
  //
  // Declares that the next input byte sits at `offset` of the whole input.
  // Allowed only before any Update(); `offset` must be a multiple of
  // kChunkBytes. Returns kFailedPrecondition / kInvalidArgument otherwise.
  absl::Status SetInputOffset(std::uint64_t offset);
  // Chaining value of the subtree fed so far (no ROOT flag). The input must
  // form a whole subtree: a run of chunks starting at an offset aligned to
  // its power-of-two size, or the final run of the whole input.
  ChainingValue FinalizeNonRoot() const;
  // Parent node of two subtree chaining values, without / with the ROOT flag,
  // in this hasher's mode.
  ChainingValue MergeNonRoot(const ChainingValue& left,
                             const ChainingValue& right) const;
  void MergeRoot(const ChainingValue& left, const ChainingValue& right,
                 std::uint8_t* out, std::size_t length,
                 std::uint64_t seek = 0) const;

 private:
  Blake3Hasher(const std::uint32_t key_words[8], std::uint8_t flags);

  // Chunk state (spec §5.1): the chunk being filled.
  struct ChunkState {
    std::uint32_t chaining_value[8];
    std::uint64_t chunk_counter;
    std::uint8_t block[kBlockBytes];
    std::uint8_t block_length;
    std::uint8_t blocks_compressed;
  };

  // Inputs of a node's last compression, kept so that the node can give
  // either its chaining value or root output (defined in blake3.cc).
  struct Output;

  void ResetChunk(std::uint64_t chunk_counter);
  std::size_t ChunkLength() const;
  // `length` must fit in the current chunk.
  void ChunkUpdate(const std::uint8_t* data, std::size_t length);
  Output ChunkOutput() const;
  Output ParentOutput(const std::uint8_t left[32],
                      const std::uint8_t right[32]) const;
  // The top node of everything fed so far.
  Output FinalOutput() const;
  void PushChainingValue(const std::uint8_t cv[32],
                         std::uint64_t chunk_counter);
  void MergeCvStack(std::uint64_t total_chunks);

  std::uint32_t key_words_[8];
  std::uint8_t flags_;
  std::uint64_t input_offset_chunks_ = 0;
  bool input_started_ = false;
  ChunkState chunk_;
  // Stack of subtree chaining values (spec §5.1.2); 54 entries cover 2^64
  // bytes of input, plus one for the pair left unmerged until more input
  // arrives.
  std::uint8_t cv_stack_[55 * 32];
  std::uint8_t cv_stack_length_ = 0;
};

}  // namespace modelseal

#endif  // MODELSEAL_BLAKE3_H_
