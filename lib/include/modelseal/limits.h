// Every bound that modelseal enforces on untrusted input or on its own
// resource use, in one place so that reviewers can see them together.
//
// Inputs above a limit are rejected with absl::StatusCode::kResourceExhausted
// and a message naming the limit; nothing is truncated silently.
#ifndef MODELSEAL_LIMITS_H_
#define MODELSEAL_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace modelseal::limits {

// Files and directories a single model walk may visit. A model with more files
// than this is almost certainly a mistake (a dataset or a home directory).
inline constexpr std::size_t kMaxFilesPerModel = 1'000'000;
// Depth of nested directories below the model root.
inline constexpr std::size_t kMaxDirectoryDepth = 256;
// Bytes in one path relative to the model root (PATH_MAX on Linux).
inline constexpr std::size_t kMaxRelativePathBytes = 4096;

// Size of one read issued by the hashing engine. Each worker owns a small
// fixed number of buffers of this size, so peak memory is bounded by
// threads x kHashReadBufferBytes x kHashBuffersPerWorker, never by model size.
inline constexpr std::size_t kHashReadBufferBytes = std::size_t{1} << 20;
inline constexpr std::size_t kHashBuffersPerWorker = 2;
// Worker threads the engine will start at most, whatever --threads says.
inline constexpr unsigned kMaxHashThreads = 256;
// BLAKE3 files at least this large are split into power-of-two subtrees that
// are hashed in parallel. Must be a power of two and a multiple of 1 KiB.
inline constexpr std::uint64_t kBlake3SubtreeBytes = std::uint64_t{1} << 24;

// Default and bounds of the OMS `shards` serialization.
inline constexpr std::uint64_t kDefaultShardSize = 1'000'000'000;
inline constexpr std::uint64_t kMinShardSize = 1;
inline constexpr std::uint64_t kMaxShardSize = std::uint64_t{1} << 40;

// A `--check` file (sha256sum / b3sum format) is read whole: bound it.
inline constexpr std::size_t kMaxCheckFileBytes = std::size_t{64} << 20;
// A signature bundle, checked before parsing (real ones are a few KiB; the
// protobuf JSON parser also bounds nesting depth).
inline constexpr std::size_t kMaxBundleBytes = std::size_t{4} << 20;

// Small text files the CLI reads whole (keys, policies, bundles).
inline constexpr std::size_t kMaxSmallFileBytes = std::size_t{16} << 20;

}  // namespace modelseal::limits

#endif  // MODELSEAL_LIMITS_H_
