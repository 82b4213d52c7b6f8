// HashEngine: hashes byte ranges of many files on all cores, in bounded
// memory.
//
// Callers describe the work as HashTasks (a whole file, or one shard of it);
// the engine plans it into units and runs them on a pool of worker threads.
// Each worker reads a unit in pieces of up to limits::kHashReadBufferBytes with
// pread() into buffers of its own or through mapped windows of
// limits::kHashMapWindowBytes (HashEngineOptions::large_reads).
//   * SHA-256: a stream cannot be split, so each worker hashes up to
//     limits::kSha256StreamsPerWorker tasks at once: the SHA-NI kernel
//     interleaves up to four streams' compressions on one core, and where
//     the CPU has AVX-512 ten or more run in the lanes of a sixteen-stream
//     vector kernel (the read buffers and windows are then split between
//     them, so memory stays bounded as below). Streams in progress are
//     shared by all workers: between rounds (one piece per stream) a worker
//     hands its streams back and takes its fair share, ceil(streams left /
//     workers), so when few remain (the short last shard of a file) they are
//     spread over every core instead of one core finishing alone.
//   * BLAKE3: a large file is split into aligned power-of-two subtrees that
//     different workers hash; their chaining values are merged in the BLAKE3
//     tree shape, so one huge file still uses every core.
//   * BLAKE2b: one task per worker at a time.
// Peak memory is threads x limits::kHashBuffersPerWorker x
// limits::kHashReadBufferBytes of buffers (when mapping, plus up to
// as many limits::kHashMapWindowBytes windows of mapped file pages), plus a
// small hash state per task in progress, whatever the size of the input.
//
// Files are checked for change: each task's file is fstat()ed when opened and
// again after its last byte is read, and both must match the FileInfo the
// caller observed when planning. A file that changed, shrank or was replaced
// makes Run() fail with kDataLoss instead of producing a digest of bytes
// that were never on disk at one time; a file truncated while one of its
// windows is mapped is caught (SIGBUS guard, env.h) and fails the same way.
//
// Thread safety: Run() may be called from one thread at a time.
#ifndef MODELSEAL_HASH_ENGINE_H_
#define MODELSEAL_HASH_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/limits.h"

namespace modelseal {

struct HashTask {
  // Path handed to Env::OpenForRead().
  std::string path;
  // The bytes to hash: [offset, offset + length) of the file.
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  // What the caller saw when it planned this task; the file must still match
  // it when opened and when done.
  FileInfo expected;
};

struct HashEngineOptions {
  HashAlgorithm algorithm = HashAlgorithm::kSha256;
  // Worker threads; 0 means one per online CPU. Capped at
  // limits::kMaxHashThreads.
  unsigned threads = 0;
  // Borrowed; Env::Default() when null.
  Env* env = nullptr;
  // When set, workers add the number of bytes hashed as they go (for
  // progress display); relaxed atomic adds, cheap enough per buffer.
  std::atomic<std::uint64_t>* bytes_done = nullptr;
  // How runs of limits::kHashMapMinimumBytes or more are read: copied out
  // of the page cache by pread(), or through mapped windows (no copy). Which
  // is cheaper depends on the machine: on some virtual machines every page
  // of a new mapping costs a hypervisor fault on first touch, more than the
  // copy; on others mapping costs a quarter of it (docs/benchmarks.md). By
  // default Run() times both on pieces of the largest files first (up to
  // limits::kHashReadProbeBytes each, when those runs add up to
  // probe_above; below that it reads) and uses the cheaper. A file
  // truncated while mapped is still caught.
  enum class LargeReads { kProbe, kRead, kMap };
  LargeReads large_reads = LargeReads::kProbe;
  std::uint64_t probe_above = limits::kHashReadProbeAbove;
};

class HashEngine {
 public:
  static absl::StatusOr<std::unique_ptr<HashEngine>> Create(
      const HashEngineOptions& options);

  // Digests of `tasks`, in the same order. On failure returns the error of
  // the first failing task (in task order among those that ran) and stops
  // handing out work.
  absl::StatusOr<std::vector<std::vector<std::uint8_t>>> Run(
      const std::vector<HashTask>& tasks);

  unsigned threads() const { return threads_; }

 private:
  explicit HashEngine(const HashEngineOptions& options, unsigned threads)
      : options_(options), threads_(threads) {}

  HashEngineOptions options_;
  unsigned threads_;
};

}  // namespace modelseal

#endif  // MODELSEAL_HASH_ENGINE_H_
