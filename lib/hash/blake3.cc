#include "modelseal/blake3.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "hash/blake3_internal.h"

namespace modelseal {
namespace {

using hash_internal::Blake3ActiveKernel;
using hash_internal::Blake3Kernel;
using hash_internal::kBlake3BlocksPerChunk;
using hash_internal::kBlake3ChunkEnd;
using hash_internal::kBlake3ChunkStart;
using hash_internal::kBlake3MaxSimdDegree;
using hash_internal::kBlake3OutLen;
using hash_internal::kBlake3Parent;
using hash_internal::kBlake3Root;

constexpr std::size_t kChunkLen = Blake3Hasher::kChunkBytes;
constexpr std::size_t kBlockLen = Blake3Hasher::kBlockBytes;

// Parents of `count` (even) adjacent chaining values, as one hash_many row.
std::size_t CompressParents(const Blake3Kernel& kernel, const std::uint8_t* cvs,
                            std::size_t count, const std::uint32_t key[8],
                            std::uint8_t flags, std::uint8_t* out) {
  const std::uint8_t* parents[kBlake3MaxSimdDegree];
  const std::size_t parent_count = count / 2;
  for (std::size_t i = 0; i < parent_count; ++i) {
    parents[i] = cvs + 2 * kBlake3OutLen * i;
  }
  kernel.hash_many(parents, parent_count, 1, key, 0, false,
                   flags | kBlake3Parent, 0, 0, out);
  return parent_count;
}

// Hashes `chunks` whole chunks (a power of two) that form one aligned
// subtree and writes up to `width` chaining values whose pairwise merging
// gives the subtree's root. Splitting down to `width` chunks keeps every
// hash_many call, for chunks and for parents alike, at full SIMD width
// (spec §5.3); the recursion depth is log2 of the subtree size.
std::size_t CompressSubtreeWide(const Blake3Kernel& kernel, std::size_t width,
                                const std::uint8_t* input, std::uint64_t chunks,
                                const std::uint32_t key[8],
                                std::uint64_t chunk_counter, std::uint8_t flags,
                                std::uint8_t* out) {
  if (chunks <= width) {
    const std::uint8_t* inputs[kBlake3MaxSimdDegree];
    for (std::size_t i = 0; i < chunks; ++i) inputs[i] = input + i * kChunkLen;
    kernel.hash_many(inputs, chunks, kBlake3BlocksPerChunk, key, chunk_counter,
                     true, flags, kBlake3ChunkStart, kBlake3ChunkEnd, out);
    return chunks;
  }
  const std::uint64_t half = chunks / 2;
  std::uint8_t cvs[2 * kBlake3MaxSimdDegree * kBlake3OutLen];
  const std::size_t left = CompressSubtreeWide(kernel, width, input, half, key,
                                               chunk_counter, flags, cvs);
  const std::size_t right = CompressSubtreeWide(
      kernel, width, input + half * kChunkLen, half, key, chunk_counter + half,
      flags, cvs + left * kBlake3OutLen);
  return CompressParents(kernel, cvs, left + right, key, flags, out);
}

// The two children of an aligned subtree's root (`chunks` >= 2, a power of
// two). The root itself is not compressed: if this subtree turns out to be
// the whole input, that compression needs the ROOT flag.
void CompressSubtreeToPair(const Blake3Kernel& kernel,
                           const std::uint8_t* input, std::uint64_t chunks,
                           const std::uint32_t key[8],
                           std::uint64_t chunk_counter, std::uint8_t flags,
                           std::uint8_t pair[2 * kBlake3OutLen]) {
  const std::size_t width = std::max<std::size_t>(kernel.simd_degree, 2);
  std::uint8_t cvs[kBlake3MaxSimdDegree * kBlake3OutLen];
  std::uint8_t parents[kBlake3MaxSimdDegree / 2 * kBlake3OutLen];
  std::size_t count = CompressSubtreeWide(kernel, width, input, chunks, key,
                                          chunk_counter, flags, cvs);
  while (count > 2) {
    count = CompressParents(kernel, cvs, count, key, flags, parents);
    std::memcpy(cvs, parents, count * kBlake3OutLen);
  }
  std::memcpy(pair, cvs, 2 * kBlake3OutLen);
}

}  // namespace

struct Blake3Hasher::Output {
  std::uint32_t input_cv[8];
  std::uint8_t block[kBlockBytes];
  std::uint8_t block_len;
  std::uint64_t counter;
  std::uint8_t flags;

  void ChainingValue(std::uint8_t out[32]) const {
    std::uint32_t cv[8];
    std::memcpy(cv, input_cv, sizeof(cv));
    Blake3ActiveKernel().compress_in_place(cv, block, block_len, counter,
                                           flags);
    hash_internal::Blake3StoreWords(cv, 8, out);
  }

  // Output block i is the root compression with counter i (spec §2.6), so a
  // seek only picks the first counter and an offset into that block.
  void RootBytes(std::uint64_t seek, std::uint8_t* out,
                 std::size_t length) const {
    const Blake3Kernel& kernel = Blake3ActiveKernel();
    std::uint64_t block_counter = seek / kBlockLen;
    std::size_t offset = static_cast<std::size_t>(seek % kBlockLen);
    while (length > 0) {
      if (offset == 0 && length >= kBlockLen) {
        kernel.compress_xof(input_cv, block, block_len, block_counter,
                            flags | kBlake3Root, out);
        out += kBlockLen;
        length -= kBlockLen;
      } else {
        std::uint8_t buffer[kBlockLen];
        kernel.compress_xof(input_cv, block, block_len, block_counter,
                            flags | kBlake3Root, buffer);
        const std::size_t take = std::min(kBlockLen - offset, length);
        std::memcpy(out, buffer + offset, take);
        out += take;
        length -= take;
        offset = 0;
      }
      ++block_counter;
    }
  }
};

Blake3Hasher::Blake3Hasher() : Blake3Hasher(hash_internal::kBlake3Iv, 0) {}

Blake3Hasher::Blake3Hasher(const std::uint32_t key_words[8], std::uint8_t flags)
    : flags_(flags) {
  std::memcpy(key_words_, key_words, sizeof(key_words_));
  ResetChunk(0);
}

Blake3Hasher Blake3Hasher::Keyed(
    const std::array<std::uint8_t, kKeyBytes>& key) {
  std::uint32_t key_words[8];
  hash_internal::Blake3LoadWords(key.data(), key_words, 8);
  return Blake3Hasher(key_words, hash_internal::kBlake3KeyedHash);
}

Blake3Hasher Blake3Hasher::DeriveKey(std::string_view context) {
  Blake3Hasher context_hasher(hash_internal::kBlake3Iv,
                              hash_internal::kBlake3DeriveKeyContext);
  context_hasher.Update(context);
  std::uint8_t context_key[kKeyBytes];
  context_hasher.Finalize(context_key, kKeyBytes);
  std::uint32_t key_words[8];
  hash_internal::Blake3LoadWords(context_key, key_words, 8);
  return Blake3Hasher(key_words, hash_internal::kBlake3DeriveKeyMaterial);
}

void Blake3Hasher::ResetChunk(std::uint64_t chunk_counter) {
  std::memcpy(chunk_.chaining_value, key_words_, sizeof(key_words_));
  chunk_.chunk_counter = chunk_counter;
  std::memset(chunk_.block, 0, sizeof(chunk_.block));
  chunk_.block_length = 0;
  chunk_.blocks_compressed = 0;
}

void Blake3Hasher::Reset() {
  input_offset_chunks_ = 0;
  input_started_ = false;
  cv_stack_length_ = 0;
  ResetChunk(0);
}

std::size_t Blake3Hasher::ChunkLength() const {
  return std::size_t{chunk_.blocks_compressed} * kBlockBytes +
         chunk_.block_length;
}

void Blake3Hasher::ChunkUpdate(const std::uint8_t* data, std::size_t length) {
  const Blake3Kernel& kernel = Blake3ActiveKernel();
  // A block is compressed only once input beyond it exists: the chunk's last
  // block needs CHUNK_END, and maybe ROOT.
  while (length > 0) {
    if (chunk_.block_length == kBlockBytes) {
      const std::uint8_t start =
          chunk_.blocks_compressed == 0 ? kBlake3ChunkStart : 0;
      kernel.compress_in_place(chunk_.chaining_value, chunk_.block, kBlockBytes,
                               chunk_.chunk_counter, flags_ | start);
      ++chunk_.blocks_compressed;
      chunk_.block_length = 0;
      std::memset(chunk_.block, 0, sizeof(chunk_.block));
    }
    if (chunk_.block_length == 0) {
      // Straight from the caller's buffer, without a copy.
      while (length > kBlockBytes) {
        const std::uint8_t start =
            chunk_.blocks_compressed == 0 ? kBlake3ChunkStart : 0;
        kernel.compress_in_place(chunk_.chaining_value, data, kBlockBytes,
                                 chunk_.chunk_counter, flags_ | start);
        ++chunk_.blocks_compressed;
        data += kBlockBytes;
        length -= kBlockBytes;
      }
    }
    const std::size_t take =
        std::min(kBlockBytes - std::size_t{chunk_.block_length}, length);
    std::memcpy(chunk_.block + chunk_.block_length, data, take);
    chunk_.block_length = static_cast<std::uint8_t>(chunk_.block_length + take);
    data += take;
    length -= take;
  }
}

Blake3Hasher::Output Blake3Hasher::ChunkOutput() const {
  Output output;
  std::memcpy(output.input_cv, chunk_.chaining_value, sizeof(output.input_cv));
  std::memcpy(output.block, chunk_.block, sizeof(output.block));
  output.block_len = chunk_.block_length;
  output.counter = chunk_.chunk_counter;
  output.flags = flags_ | kBlake3ChunkEnd |
                 (chunk_.blocks_compressed == 0 ? kBlake3ChunkStart : 0);
  return output;
}

Blake3Hasher::Output Blake3Hasher::ParentOutput(
    const std::uint8_t left[32], const std::uint8_t right[32]) const {
  Output output;
  std::memcpy(output.input_cv, key_words_, sizeof(output.input_cv));
  std::memcpy(output.block, left, kOutBytes);
  std::memcpy(output.block + kOutBytes, right, kOutBytes);
  output.block_len = kBlockBytes;
  output.counter = 0;
  output.flags = flags_ | kBlake3Parent;
  return output;
}

// Lazy merging (spec §5.1.2): merges happen only when the next CV is pushed
// or the next chunk receives input, i.e. once the merged node is known not
// to be the root. The stack then holds one entry per 1-bit of the number of
// chunks so far, counted from the subtree start set by SetInputOffset().
void Blake3Hasher::MergeCvStack(std::uint64_t total_chunks) {
  const std::size_t target =
      static_cast<std::size_t>(std::popcount(total_chunks));
  while (cv_stack_length_ > target) {
    std::uint8_t* left = cv_stack_ + (cv_stack_length_ - 2) * kOutBytes;
    ParentOutput(left, left + kOutBytes).ChainingValue(left);
    --cv_stack_length_;
  }
}

void Blake3Hasher::PushChainingValue(const std::uint8_t cv[32],
                                     std::uint64_t chunk_counter) {
  MergeCvStack(chunk_counter - input_offset_chunks_);
  std::memcpy(cv_stack_ + cv_stack_length_ * kOutBytes, cv, kOutBytes);
  ++cv_stack_length_;
}

void Blake3Hasher::Update(const std::uint8_t* data, std::size_t length) {
  input_started_ = true;
  if (length == 0) return;

  if (ChunkLength() > 0) {
    const std::size_t take = std::min(kChunkBytes - ChunkLength(), length);
    ChunkUpdate(data, take);
    data += take;
    length -= take;
    if (length == 0) {
      MergeCvStack(chunk_.chunk_counter - input_offset_chunks_);
      return;
    }
    // More input follows, so this full chunk is not the root.
    std::uint8_t cv[kOutBytes];
    ChunkOutput().ChainingValue(cv);
    PushChainingValue(cv, chunk_.chunk_counter);
    ResetChunk(chunk_.chunk_counter + 1);
  }

  // Whole aligned subtrees straight from the caller's buffer. At least one
  // byte is left for the chunk state unless the input ends exactly on a
  // subtree, whose root stays uncompressed as a pair on the stack.
  const Blake3Kernel& kernel = Blake3ActiveKernel();
  while (length > kChunkBytes) {
    const std::uint64_t position = chunk_.chunk_counter - input_offset_chunks_;
    std::uint64_t chunks = std::bit_floor(std::uint64_t{length / kChunkBytes});
    // A subtree must start at a multiple of its own size.
    while ((position & (chunks - 1)) != 0) chunks /= 2;
    if (chunks == 1) {
      std::uint8_t cv[kOutBytes];
      kernel.hash_many(&data, 1, kBlake3BlocksPerChunk, key_words_,
                       chunk_.chunk_counter, true, flags_, kBlake3ChunkStart,
                       kBlake3ChunkEnd, cv);
      PushChainingValue(cv, chunk_.chunk_counter);
    } else {
      std::uint8_t pair[2 * kOutBytes];
      CompressSubtreeToPair(kernel, data, chunks, key_words_,
                            chunk_.chunk_counter, flags_, pair);
      PushChainingValue(pair, chunk_.chunk_counter);
      PushChainingValue(pair + kOutBytes, chunk_.chunk_counter + chunks / 2);
    }
    chunk_.chunk_counter += chunks;
    data += chunks * kChunkBytes;
    length -= chunks * kChunkBytes;
  }

  if (length > 0) {
    ChunkUpdate(data, length);
    MergeCvStack(chunk_.chunk_counter - input_offset_chunks_);
  }
}

Blake3Hasher::Output Blake3Hasher::FinalOutput() const {
  if (cv_stack_length_ == 0) return ChunkOutput();
  // With an empty chunk state the input ended on a subtree boundary and the
  // top two stack entries are the children of the last node.
  std::size_t remaining = cv_stack_length_;
  Output output;
  if (ChunkLength() > 0 || remaining < 2) {
    output = ChunkOutput();
  } else {
    remaining -= 2;
    output = ParentOutput(cv_stack_ + remaining * kOutBytes,
                          cv_stack_ + (remaining + 1) * kOutBytes);
  }
  while (remaining > 0) {
    --remaining;
    std::uint8_t cv[kOutBytes];
    output.ChainingValue(cv);
    output = ParentOutput(cv_stack_ + remaining * kOutBytes, cv);
  }
  return output;
}

void Blake3Hasher::Finalize(std::uint8_t* out, std::size_t length,
                            std::uint64_t seek) const {
  FinalOutput().RootBytes(seek, out, length);
}

std::array<std::uint8_t, Blake3Hasher::kOutBytes> Blake3Hasher::Finalize()
    const {
  std::array<std::uint8_t, kOutBytes> out;
  Finalize(out.data(), out.size());
  return out;
}

absl::Status Blake3Hasher::SetInputOffset(std::uint64_t offset) {
  if (input_started_) {
    return absl::FailedPreconditionError(
        "Blake3Hasher::SetInputOffset() must come before any Update()");
  }
  if (offset % kChunkBytes != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("BLAKE3 input offset ", offset,
                     " is not a multiple of the chunk size ", kChunkBytes));
  }
  input_offset_chunks_ = offset / kChunkBytes;
  chunk_.chunk_counter = input_offset_chunks_;
  return absl::OkStatus();
}

Blake3Hasher::ChainingValue Blake3Hasher::FinalizeNonRoot() const {
  ChainingValue cv;
  FinalOutput().ChainingValue(cv.data());
  return cv;
}

Blake3Hasher::ChainingValue Blake3Hasher::MergeNonRoot(
    const ChainingValue& left, const ChainingValue& right) const {
  ChainingValue cv;
  ParentOutput(left.data(), right.data()).ChainingValue(cv.data());
  return cv;
}

void Blake3Hasher::MergeRoot(const ChainingValue& left,
                             const ChainingValue& right, std::uint8_t* out,
                             std::size_t length, std::uint64_t seek) const {
  ParentOutput(left.data(), right.data()).RootBytes(seek, out, length);
}

}  // namespace modelseal
