#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hash/sha256.h"
#include "modelseal/blake3.h"
#include "modelseal/hash_engine.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

constexpr std::size_t kBufferBytes = limits::kHashReadBufferBytes;
constexpr std::uint64_t kPrefetchBytes = limits::kHashPrefetchBytes;
constexpr std::size_t kMapWindowBytes = limits::kHashMapWindowBytes;
// What one SHA-256 worker may have in read buffers and mapped windows at a
// time, however many streams it holds (limits.h).
constexpr std::size_t kWorkerBufferBytes =
    limits::kHashBuffersPerWorker * kBufferBytes;
constexpr std::size_t kWorkerMapBytes =
    limits::kHashBuffersPerWorker * kMapWindowBytes;
constexpr std::size_t kMapWindowGranule = std::size_t{1} << 20;
static_assert(kWorkerBufferBytes / limits::kSha256StreamsPerWorker >= 65536);
static_assert(kWorkerMapBytes / limits::kSha256StreamsPerWorker >=
              kMapWindowGranule);
constexpr std::uint64_t kMapMinimumBytes = limits::kHashMapMinimumBytes;
constexpr std::size_t kNoSubtree = static_cast<std::size_t>(-1);

// A unit is what one worker hashes without interruption: a whole task, or
// one BLAKE3 subtree of a task.
struct Unit {
  std::size_t task = 0;
  std::uint64_t offset = 0;  // absolute offset in the file
  std::uint64_t length = 0;
  std::size_t subtree = kNoSubtree;
};

absl::Status CheckUnchanged(const HashTask& task, const FileInfo& now,
                            absl::string_view when) {
  if (now.SameContentsAs(task.expected)) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      task.path, ": file changed ", when,
      " (size, time or identity differs from when it was listed)"));
}

// A run of bytes of a unit, in a read buffer or a mapped window.
struct Piece {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::unique_ptr<MappedRegion> region;
};

class OpenUnit {
 public:
  static absl::StatusOr<OpenUnit> Open(Env& env, const HashTask& task,
                                       const Unit& unit, bool map) {
    MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                               env.OpenForRead(task.path));
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, file->Stat());
    MODELSEAL_RETURN_IF_ERROR(CheckUnchanged(task, info, "before hashing"));
    // Read-ahead may run past the unit, to the end of its task: the next
    // units of a split task follow it and are started right after it.
    return OpenUnit(std::move(file), unit, task.offset + task.length, map);
  }

  std::uint64_t remaining() const { return unit_.length - done_; }
  const Unit& unit() const { return unit_; }

  // The next piece of the unit: a window of up to `window_bytes` mapped from
  // the file where the Env can map (no copy out of the page cache), else up
  // to buffer.size() bytes read into `buffer`.
  absl::StatusOr<Piece> NextPiece(const HashTask& task,
                                  absl::Span<std::uint8_t> buffer,
                                  std::size_t window_bytes) {
    const std::uint64_t at = unit_.offset + done_;
    // Mapping pays only for runs of kMapMinimumBytes or more: each map and
    // unmap is a system call, and the unmap a TLB shootdown on the other
    // cores.
    const bool map = use_map_ && remaining() >= kMapMinimumBytes;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(
        map ? window_bytes : buffer.size(), remaining()));
    // Keep the kernel reading ahead of this piece in large steps: on a cold
    // cache this keeps the device busy while the CPU hashes (a mapped
    // window would otherwise be read only when it is populated), and on a
    // warm one it costs one cheap call per step.
    const std::uint64_t ahead =
        std::min<std::uint64_t>(ahead_limit_, done_ + want + kPrefetchBytes);
    if (prefetched_ < ahead &&
        prefetched_ < done_ + want + kPrefetchBytes / 2) {
      const std::uint64_t from = std::max(prefetched_, done_);
      file_->WillNeed(unit_.offset + from, ahead - from);
      prefetched_ = ahead;
    }
    Piece piece;
    if (map) {
      auto region = file_->Map(at, want);
      if (region.ok()) {
        piece.data = (*region)->bytes().data();
        piece.size = want;
        piece.region = *std::move(region);
        done_ += want;
        return piece;
      }
      // Not every file can be mapped (or every Env map); reading works.
      use_map_ = false;
    }
    const std::size_t read = static_cast<std::size_t>(
        std::min<std::uint64_t>(buffer.size(), remaining()));
    MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                               file_->ReadAt(at, buffer.first(read)));
    if (got != read) {
      return absl::DataLossError(absl::StrCat(
          task.path, ": file shrank while being hashed (short read at offset ",
          at, ")"));
    }
    done_ += got;
    piece.data = buffer.data();
    piece.size = got;
    return piece;
  }

  absl::Status Close(const HashTask& task) {
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, file_->Stat());
    return CheckUnchanged(task, info, "while being hashed");
  }

 private:
  OpenUnit(std::unique_ptr<RandomAccessFile> file, Unit unit,
           std::uint64_t task_end, bool map)
      : file_(std::move(file)),
        unit_(unit),
        ahead_limit_(task_end - unit.offset),
        use_map_(map) {}

  std::unique_ptr<RandomAccessFile> file_;
  Unit unit_;
  std::uint64_t ahead_limit_;  // relative to unit_.offset, like done_
  std::uint64_t done_ = 0;
  std::uint64_t prefetched_ = 0;
  bool use_map_;
};

// Runs `hash` over pieces, catching a bus error in their mappings (a file
// truncated while hashed) as kDataLoss naming `what`.
absl::Status HashPieces(absl::Span<const Piece> pieces, absl::string_view what,
                        absl::FunctionRef<void()> hash) {
  const MappedRegion* regions[limits::kSha256StreamsPerWorker];
  std::size_t count = 0;
  for (const Piece& piece : pieces) {
    if (piece.region != nullptr && count < std::size(regions)) {
      regions[count++] = piece.region.get();
    }
  }
  if (count == 0) {
    hash();
    return absl::OkStatus();
  }
  absl::Status status =
      RunWithMappedReads(absl::MakeConstSpan(regions, count), hash);
  if (!status.ok())
    return absl::DataLossError(absl::StrCat(what, ": ", status.message()));
  return absl::OkStatus();
}

// The shared state of one Run(): the unit queue, results and first errors.
class RunState {
 public:
  RunState(const HashEngineOptions& options, Env& env,
           const std::vector<HashTask>& tasks)
      : options_(options),
        env_(env),
        tasks_(tasks),
        digests_(tasks.size()),
        errors_(tasks.size()) {}

  void Plan(unsigned threads) {
    subtree_cvs_.resize(tasks_.size());
    subtrees_left_ =
        std::make_unique<std::atomic<std::size_t>[]>(tasks_.size());
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
      const HashTask& task = tasks_[i];
      const std::uint64_t subtree = Blake3SubtreeBytes(task.length, threads);
      if (subtree == 0) {
        units_.push_back(Unit{i, task.offset, task.length, kNoSubtree});
        continue;
      }
      const std::size_t count = (task.length + subtree - 1) / subtree;
      subtree_cvs_[i].resize(count);
      subtrees_left_[i].store(count, std::memory_order_relaxed);
      for (std::size_t s = 0; s < count; ++s) {
        const std::uint64_t start = s * subtree;
        units_.push_back(
            Unit{i, task.offset + start,
                 std::min<std::uint64_t>(subtree, task.length - start), s});
      }
    }
    // Longest first, so the last unit started is a short one and all workers
    // finish at about the same time.
    std::stable_sort(
        units_.begin(), units_.end(),
        [](const Unit& a, const Unit& b) { return a.length > b.length; });
  }

  bool Next(Unit* unit) {
    if (cancelled_.load(std::memory_order_relaxed)) return false;
    const std::size_t index = next_.fetch_add(1, std::memory_order_relaxed);
    if (index >= units_.size()) return false;
    *unit = units_[index];
    return true;
  }

  void Fail(std::size_t task, absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (errors_[task].ok()) errors_[task] = std::move(status);
    cancelled_.store(true, std::memory_order_relaxed);
  }

  void Progress(std::size_t bytes) {
    if (options_.bytes_done != nullptr) {
      options_.bytes_done->fetch_add(bytes, std::memory_order_relaxed);
    }
  }

  absl::StatusOr<OpenUnit> Open(const Unit& unit) {
    return OpenUnit::Open(env_, tasks_[unit.task], unit, map_);
  }
  void set_map(bool map) { map_ = map; }
  const HashTask& task(std::size_t i) const { return tasks_[i]; }
  std::size_t unit_count() const { return units_.size(); }
  // Units not yet handed out by Next().
  std::size_t units_left() const {
    const std::size_t next = next_.load(std::memory_order_relaxed);
    return next >= units_.size() ? 0 : units_.size() - next;
  }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  void SetDigest(std::size_t task, std::vector<std::uint8_t> digest) {
    digests_[task] = std::move(digest);
  }

  // Records one subtree's chaining value; the worker that records the last
  // one of its task merges them into the task's digest.
  void SetSubtree(const Unit& unit, const Blake3Hasher::ChainingValue& cv) {
    subtree_cvs_[unit.task][unit.subtree] = cv;
    if (subtrees_left_[unit.task].fetch_sub(1, std::memory_order_acq_rel) ==
        1) {
      const auto& cvs = subtree_cvs_[unit.task];
      std::vector<std::uint8_t> digest(Blake3Hasher::kOutBytes);
      Blake3Hasher merger;
      MergeRoot(merger, cvs, 0, cvs.size(), digest.data());
      digests_[unit.task] = std::move(digest);
    }
  }

  absl::StatusOr<std::vector<std::vector<std::uint8_t>>> Finish() {
    for (const absl::Status& error : errors_) {
      if (!error.ok()) return error;
    }
    if (cancelled())
      return absl::InternalError("hashing stopped without an error");
    return std::move(digests_);
  }

 private:
  // Subtree size (bytes) for splitting a BLAKE3 task, or 0 for no split.
  std::uint64_t Blake3SubtreeBytes(std::uint64_t length,
                                   unsigned threads) const {
    if (options_.algorithm != HashAlgorithm::kBlake3 || threads < 2) return 0;
    // At least 8 units per thread for balance, none smaller than one buffer
    // (SIMD wants whole runs of chunks) or larger than the configured cap.
    std::uint64_t size = std::bit_floor(std::max<std::uint64_t>(
        length / (std::uint64_t{threads} * 8), kBufferBytes));
    size = std::min<std::uint64_t>(size, limits::kBlake3SubtreeBytes);
    return length > size ? size : 0;
  }

  // BLAKE3 spec §2.1 tree shape: the left subtree holds the largest power of
  // two number of chunks strictly less than the total; every subtree here is
  // the same power-of-two size but the last, so the split works on counts.
  static Blake3Hasher::ChainingValue Merge(
      const Blake3Hasher& merger,
      const std::vector<Blake3Hasher::ChainingValue>& cvs, std::size_t begin,
      std::size_t end) {
    if (end - begin == 1) return cvs[begin];
    const std::size_t left = std::bit_floor(end - begin - 1);
    return merger.MergeNonRoot(Merge(merger, cvs, begin, begin + left),
                               Merge(merger, cvs, begin + left, end));
  }
  static void MergeRoot(const Blake3Hasher& merger,
                        const std::vector<Blake3Hasher::ChainingValue>& cvs,
                        std::size_t begin, std::size_t end, std::uint8_t* out) {
    const std::size_t left = std::bit_floor(end - begin - 1);
    merger.MergeRoot(Merge(merger, cvs, begin, begin + left),
                     Merge(merger, cvs, begin + left, end), out,
                     Blake3Hasher::kOutBytes);
  }

  const HashEngineOptions& options_;
  Env& env_;
  const std::vector<HashTask>& tasks_;
  bool map_ = false;
  std::vector<Unit> units_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> cancelled_{false};
  std::vector<std::vector<std::uint8_t>> digests_;
  std::vector<std::vector<Blake3Hasher::ChainingValue>> subtree_cvs_;
  std::unique_ptr<std::atomic<std::size_t>[]> subtrees_left_;
  std::mutex mu_;
  std::vector<absl::Status> errors_;
};

struct AlignedBuffer {
  explicit AlignedBuffer(std::size_t bytes = kBufferBytes)
      : data(static_cast<std::uint8_t*>(
            ::operator new (bytes, std::align_val_t{64}))),
        size(bytes) {}
  ~AlignedBuffer() { ::operator delete (data, std::align_val_t{64}); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  absl::Span<std::uint8_t> span() const { return {data, size}; }
  std::uint8_t* data;
  std::size_t size;
};

// One unit at a time with a generic incremental hasher (BLAKE2b, BLAKE3).
absl::Status HashUnit(RunState& state, const Unit& unit,
                      HashAlgorithm algorithm,
                      absl::Span<std::uint8_t> buffer) {
  const HashTask& task = state.task(unit.task);
  MODELSEAL_ASSIGN_OR_RETURN(OpenUnit open, state.Open(unit));
  if (unit.subtree != kNoSubtree) {
    Blake3Hasher hasher;
    MODELSEAL_RETURN_IF_ERROR(hasher.SetInputOffset(unit.offset - task.offset));
    while (open.remaining() > 0 && !state.cancelled()) {
      MODELSEAL_ASSIGN_OR_RETURN(Piece piece,
                                 open.NextPiece(task, buffer, kMapWindowBytes));
      MODELSEAL_RETURN_IF_ERROR(
          HashPieces(absl::MakeConstSpan(&piece, 1), task.path,
                     [&] { hasher.Update(piece.data, piece.size); }));
      state.Progress(piece.size);
    }
    MODELSEAL_RETURN_IF_ERROR(open.Close(task));
    state.SetSubtree(unit, hasher.FinalizeNonRoot());
    return absl::OkStatus();
  }
  std::unique_ptr<Hasher> hasher = Hasher::Create(algorithm);
  while (open.remaining() > 0 && !state.cancelled()) {
    MODELSEAL_ASSIGN_OR_RETURN(Piece piece,
                               open.NextPiece(task, buffer, kMapWindowBytes));
    MODELSEAL_RETURN_IF_ERROR(HashPieces(
        absl::MakeConstSpan(&piece, 1), task.path,
        [&] { hasher->Update(absl::MakeConstSpan(piece.data, piece.size)); }));
    state.Progress(piece.size);
  }
  MODELSEAL_RETURN_IF_ERROR(open.Close(task));
  state.SetDigest(unit.task, hasher->Finish());
  return absl::OkStatus();
}

void SingleLaneWorker(RunState& state, HashAlgorithm algorithm) {
  AlignedBuffer buffer;
  Unit unit;
  while (state.Next(&unit)) {
    absl::Status status = HashUnit(state, unit, algorithm, buffer.span());
    if (!status.ok()) state.Fail(unit.task, std::move(status));
  }
}

// SHA-256 streams cannot be split, so the engine keeps several in flight on
// each core and interleaves their compressions (hash/sha256.h). Streams in
// progress live in a pool shared by all workers: between two rounds a worker
// hands its streams back and takes its fair share again, so when some
// streams finish early (the last, shorter shard of a file; small files) the
// others are spread over every core instead of one core hashing its leftovers
// alone while another idles.
struct Sha256Job {
  std::size_t task = 0;
  std::optional<OpenUnit> open;
  hash_internal::Sha256Stream stream;
};

class Sha256Pool {
 public:
  Sha256Pool(RunState& state, unsigned workers, std::size_t lanes)
      : state_(state), workers_(workers), lanes_(lanes) {}

  // Returns the unfinished jobs in `held` to the pool and refills `held` with
  // this worker's share: the started jobs with the most bytes left first, then
  // new units. Blocks while other workers hold all the remaining work. An
  // empty `held` on return means there is nothing left for this worker.
  void Exchange(std::vector<std::unique_ptr<Sha256Job>>& held) {
    std::size_t to_open = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (auto& job : held) idle_.push_back(std::move(job));
      held.clear();
      for (;;) {
        if (state_.cancelled()) return;
        const std::size_t unstarted = state_.units_left();
        const std::size_t share = std::clamp<std::size_t>(
            (live_ + unstarted + workers_ - 1) / workers_, 1, lanes_);
        // Started jobs first: they hold files open and their share of the
        // remaining work only shrinks if someone advances them.
        std::sort(idle_.begin(), idle_.end(), [](const auto& a, const auto& b) {
          return a->open->remaining() < b->open->remaining();
        });
        while (held.size() < share && !idle_.empty()) {
          held.push_back(std::move(idle_.back()));
          idle_.pop_back();
        }
        to_open = std::min(share - held.size(), unstarted);
        live_ += to_open;
        if (!held.empty() || to_open > 0) break;
        if (live_ == 0) return;
        // Everything left is held by other workers; one of them hands a job
        // back at its next exchange if its share shrank.
        changed_.wait(lock);
      }
      if (!idle_.empty()) changed_.notify_all();
    }
    // Files are opened outside the lock so that one worker's open() does not
    // stall the others.
    for (std::size_t i = 0; i < to_open; ++i) {
      Unit unit;
      if (!state_.Next(&unit)) {
        Finished();
        continue;
      }
      auto open = state_.Open(unit);
      if (!open.ok()) {
        state_.Fail(unit.task, open.status());
        Finished();
        Wake();
        return;
      }
      auto job = std::make_unique<Sha256Job>();
      job->task = unit.task;
      job->open.emplace(*std::move(open));
      if (job->open->remaining() == 0) {
        Complete(*job);
        continue;
      }
      held.push_back(std::move(job));
    }
  }

  // Closes a job whose bytes are all hashed and records its digest.
  void Complete(Sha256Job& job) {
    absl::Status status = job.open->Close(state_.task(job.task));
    const auto digest = job.stream.Finish();
    job.open.reset();
    Finished();
    if (!status.ok()) {
      state_.Fail(job.task, std::move(status));
      Wake();
      return;
    }
    state_.SetDigest(job.task, {digest.begin(), digest.end()});
  }

  // Wakes waiting workers after a failure so that they see the cancellation.
  void Wake() {
    std::lock_guard<std::mutex> lock(mu_);
    changed_.notify_all();
  }

 private:
  void Finished() {
    std::lock_guard<std::mutex> lock(mu_);
    --live_;
    changed_.notify_all();
  }

  RunState& state_;
  const unsigned workers_;
  const std::size_t lanes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Sha256Job>> idle_;
  // Jobs started (taken from the unit queue) and not yet completed.
  std::size_t live_ = 0;
};

// One worker: each round reads the next piece of every job it holds and
// hashes them together.
class Sha256Worker {
 public:
  explicit Sha256Worker(RunState& state, Sha256Pool& pool)
      : state_(state), pool_(pool) {}

  void Run() {
    for (;;) {
      pool_.Exchange(held_);
      if (held_.empty() || state_.cancelled()) return;
      if (!Round()) {
        pool_.Wake();
        return;
      }
    }
  }

 private:
  bool Round() {
    const std::size_t count = held_.size();
    // The worker's read buffer and mapping budget, split between the jobs.
    const std::size_t read_bytes =
        std::min(kBufferBytes, kWorkerBufferBytes / count / 4096 * 4096);
    const std::size_t window_bytes =
        std::min(kMapWindowBytes, kWorkerMapBytes / count / kMapWindowGranule *
                                      kMapWindowGranule);
    Piece pieces[limits::kSha256StreamsPerWorker];
    hash_internal::Sha256Stream* streams[limits::kSha256StreamsPerWorker];
    const std::uint8_t* data[limits::kSha256StreamsPerWorker];
    std::size_t lengths[limits::kSha256StreamsPerWorker];
    std::string what;
    for (std::size_t i = 0; i < count; ++i) {
      Sha256Job& job = *held_[i];
      const HashTask& task = state_.task(job.task);
      auto piece = job.open->NextPiece(
          task, buffer_.span().subspan(i * read_bytes, read_bytes),
          window_bytes);
      if (!piece.ok()) {
        state_.Fail(job.task, piece.status());
        return false;
      }
      pieces[i] = *std::move(piece);
      streams[i] = &job.stream;
      data[i] = pieces[i].data;
      lengths[i] = pieces[i].size;
      absl::StrAppend(&what, i == 0 ? "" : " or ", task.path);
    }
    absl::Status hashed =
        HashPieces(absl::MakeConstSpan(pieces, count), what, [&] {
          hash_internal::Sha256UpdateMany(streams, data, lengths, count);
        });
    if (!hashed.ok()) {
      for (auto& job : held_) state_.Fail(job->task, hashed);
      return false;
    }
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < count; ++i) bytes += lengths[i];
    state_.Progress(bytes);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (held_[i]->open->remaining() == 0) {
        pool_.Complete(*held_[i]);
      } else {
        held_[kept++] = std::move(held_[i]);
      }
    }
    held_.resize(kept);
    return true;
  }

  RunState& state_;
  Sha256Pool& pool_;
  std::vector<std::unique_ptr<Sha256Job>> held_;
  // Shared by the jobs held in a round: each reads into its own slice.
  AlignedBuffer buffer_{kWorkerBufferBytes};
};

// Nanoseconds `step` took, or nullopt if it failed.
std::optional<std::int64_t> TimeOf(absl::FunctionRef<bool()> step) {
  const auto start = std::chrono::steady_clock::now();
  if (!step()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Whether mapped windows are cheaper than pread() copies on this machine
// (HashEngineOptions::LargeReads::kProbe), timed on pieces of 1 MiB (or the
// size of the largest file, if smaller) of the largest of `tasks`: four
// different parts of one file, or of the next largest files when it is too
// small to hold four. Two pieces are mapped twice each, the other two read
// twice each, and the best second tries are compared. The first tries are
// not timed: they bring the pieces into the page cache when the file is
// cold (else disk reads decide the probe), and a first mapping after reads
// was measured three times slower than the ones after it, which a run that
// maps does not pay. Reading is the answer whenever there is little to read
// or any doubt.
bool MappingIsCheaper(Env& env, const std::vector<HashTask>& tasks,
                      std::uint64_t probe_above) {
  constexpr std::size_t kSpotsPerWay = 2;
  constexpr std::size_t kSpots = 2 * kSpotsPerWay;
  std::uint64_t large_bytes = 0;
  std::vector<const HashTask*> large;
  for (const HashTask& task : tasks) {
    if (task.length < kMapMinimumBytes) continue;
    large_bytes += task.length;
    large.push_back(&task);
  }
  if (large_bytes < probe_above || large.empty()) return false;
  // The first read of a piece pays for what a later one would not, so each
  // piece is a different part of a file.
  const std::size_t considered = std::min(kSpots, large.size());
  std::partial_sort(large.begin(), large.begin() + considered, large.end(),
                    [](const HashTask* a, const HashTask* b) {
                      return a->length > b->length;
                    });
  const std::size_t piece = static_cast<std::size_t>(
      std::min<std::uint64_t>(limits::kHashReadProbeBytes, large[0]->length) /
      4096 * 4096);
  static_assert(kMapMinimumBytes % 4096 == 0);
  struct Spot {
    std::unique_ptr<RandomAccessFile> file;
    std::uint64_t offset = 0;
  };
  std::vector<Spot> spots;
  for (std::size_t i = 0; i < considered && spots.size() < kSpots; ++i) {
    const HashTask& task = *large[i];
    const std::size_t count = static_cast<std::size_t>(
        std::min<std::uint64_t>(kSpots - spots.size(), task.length / piece));
    if (count == 0) break;  // the rest are smaller still
    const std::uint64_t step = task.length / count / 4096 * 4096;
    for (std::size_t k = 0; k < count; ++k) {
      auto file = env.OpenForRead(task.path);
      if (!file.ok()) return false;
      spots.push_back(Spot{*std::move(file), task.offset + k * step});
    }
  }
  if (spots.size() < kSpots) return false;
  AlignedBuffer buffer(piece);
  const auto map = [&](const Spot& spot) {
    auto region = spot.file->Map(spot.offset, piece);
    if (!region.ok()) return false;  // this Env or file cannot map
    // Touch every page, as hashing would.
    std::uint8_t sum = 0;
    const MappedRegion* const regions[] = {region->get()};
    const absl::Status touched = RunWithMappedReads(regions, [&] {
      const absl::Span<const std::uint8_t> bytes = (*region)->bytes();
      for (std::size_t i = 0; i < bytes.size(); i += 4096) sum ^= bytes[i];
    });
    asm volatile("" : : "r"(sum));
    return touched.ok();
  };
  const auto read = [&](const Spot& spot) {
    auto got = spot.file->ReadAt(spot.offset, buffer.span());
    return got.ok() && *got == piece;
  };
  std::int64_t best_map = INT64_MAX;
  std::int64_t best_read = INT64_MAX;
  for (std::size_t k = 0; k < 2 * kSpotsPerWay; ++k) {
    const std::optional<std::int64_t> mapped =
        TimeOf([&] { return map(spots[k % kSpotsPerWay]); });
    if (!mapped.has_value()) return false;
    if (k >= kSpotsPerWay) best_map = std::min(best_map, *mapped);
  }
  for (std::size_t k = 0; k < 2 * kSpotsPerWay; ++k) {
    const std::optional<std::int64_t> got =
        TimeOf([&] { return read(spots[kSpotsPerWay + k % kSpotsPerWay]); });
    if (!got.has_value()) return false;
    if (k >= kSpotsPerWay) best_read = std::min(best_read, *got);
  }
  return best_map < best_read;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HashEngine>> HashEngine::Create(
    const HashEngineOptions& options) {
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads > limits::kMaxHashThreads) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads ", threads, " is more than the limit of ",
                     limits::kMaxHashThreads));
  }
  return std::unique_ptr<HashEngine>(new HashEngine(options, threads));
}

absl::StatusOr<std::vector<std::vector<std::uint8_t>>> HashEngine::Run(
    const std::vector<HashTask>& tasks) {
  Env& env = options_.env != nullptr ? *options_.env : *Env::Default();
  RunState state(options_, env, tasks);
  switch (options_.large_reads) {
    case HashEngineOptions::LargeReads::kRead:
      break;
    case HashEngineOptions::LargeReads::kMap:
      state.set_map(true);
      break;
    case HashEngineOptions::LargeReads::kProbe:
      state.set_map(MappingIsCheaper(env, tasks, options_.probe_above));
      break;
  }
  state.Plan(threads_);
  // No more workers than units: an idle thread would only cost a buffer.
  const unsigned workers = static_cast<unsigned>(
      std::clamp<std::size_t>(state.unit_count(), 1, threads_));
  static_assert(hash_internal::kSha256WideLanes <=
                limits::kSha256StreamsPerWorker);
  Sha256Pool streams(state, workers, hash_internal::Sha256StreamsPerCore());
  const auto work = [&state, &streams, algorithm = options_.algorithm] {
    if (algorithm == HashAlgorithm::kSha256) {
      Sha256Worker(state, streams).Run();
    } else {
      SingleLaneWorker(state, algorithm);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers > 0 ? workers - 1 : 0);
  for (unsigned i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  return state.Finish();
}

}  // namespace modelseal
