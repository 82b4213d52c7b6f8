// Env: the only code in modelseal that touches the operating system.
//
// Everything that reads or writes files, lists directories or asks for the
// time goes through an Env, so tests can substitute an in-memory one
// (NewMemoryEnv) or one that injects faults. Env::Default() is the POSIX
// implementation; it is thread-safe and lives for the whole process.
//
// Paths are plain strings as the OS sees them (bytes, '/' separated). Errors
// are absl::Status values whose messages name the path and the OS reason:
// kNotFound for a missing file, kUnavailable for EACCES/EPERM,
// kFailedPrecondition for the wrong kind of file, kDataLoss for short reads
// of a file that shrank, kInternal for anything else.
#ifndef MODELSEAL_ENV_H_
#define MODELSEAL_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace modelseal {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

// What lstat()/fstat() tell about a file. Two FileInfo values with equal
// identity fields describe the same, unchanged file.
struct FileInfo {
  FileType type = FileType::kOther;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  std::uint32_t mode = 0;  // permission bits

  // True when size, times and identity all match: the file was not replaced
  // or modified between the two observations.
  bool SameContentsAs(const FileInfo& other) const {
    return size == other.size && mtime_ns == other.mtime_ns &&
           ctime_ns == other.ctime_ns && inode == other.inode &&
           device == other.device;
  }
};

// Part of a file mapped read-only into memory. Touching it after the file
// shrank raises SIGBUS, so read it only inside RunWithMappedReads().
class MappedRegion {
 public:
  virtual ~MappedRegion() = default;
  virtual absl::Span<const std::uint8_t> bytes() const = 0;
};

// Runs `reader`, which reads from `regions`. If one of those files shrinks
// meanwhile and a read hits a page past its new end, the bus error is caught
// and the result is kDataLoss instead of the process dying; a bus error
// anywhere else is left to crash as usual. Thread-safe; not reentrant.
absl::Status RunWithMappedReads(absl::Span<const MappedRegion* const> regions,
                                absl::FunctionRef<void()> reader);

// A file opened for positional reads. Safe for concurrent ReadAt() calls.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to buffer.size() bytes at `offset`; returns the count read,
  // which is smaller only at end of file.
  virtual absl::StatusOr<std::size_t> ReadAt(
      std::uint64_t offset, absl::Span<std::uint8_t> buffer) const = 0;
  // fstat() of the open file.
  virtual absl::StatusOr<FileInfo> Stat() const = 0;
  // Hints that [offset, offset+length) will be read soon; never fails.
  virtual void WillNeed(std::uint64_t offset, std::uint64_t length) const {
    (void)offset;
    (void)length;
  }
  // Maps [offset, offset+length) read-only (no copy out of the page cache).
  // kUnimplemented where the Env cannot map; callers then use ReadAt().
  virtual absl::StatusOr<std::unique_ptr<MappedRegion>> Map(
      std::uint64_t offset, std::size_t length) const {
    (void)offset;
    (void)length;
    return absl::UnimplementedError("this file cannot be memory-mapped");
  }
};

// One file for Env::WriteFilesAtomically.
struct FileToWrite {
  std::string path;
  absl::string_view contents;
};

// A file opened for appending (a journal). Not thread-safe.
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  // Appends all of `data` at the end of the file.
  virtual absl::Status Append(absl::string_view data) = 0;
  // Makes everything appended so far durable (POSIX: fdatasync).
  virtual absl::Status Sync() = 0;
};

// An exclusive lock on a file, held until this object is destroyed (or the
// process exits: a crash never leaves a lock behind).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment.
  static Env* Default();

  // Opens a regular file for reading without following a final symlink and
  // without blocking on FIFOs; any non-regular file is kFailedPrecondition.
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> OpenForRead(
      const std::string& path) = 0;
  // lstat(): does not follow a final symlink.
  virtual absl::StatusOr<FileInfo> LinkStat(const std::string& path) = 0;
  // stat(): follows symlinks.
  virtual absl::StatusOr<FileInfo> Stat(const std::string& path) = 0;
  // Names in a directory, without "." and "..", in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> ListDirectory(
      const std::string& path) = 0;
  // The target of a symlink, as stored.
  virtual absl::StatusOr<std::string> ReadLink(const std::string& path) = 0;
  // Absolute path with every symlink, "." and ".." resolved.
  virtual absl::StatusOr<std::string> RealPath(const std::string& path) = 0;

  virtual absl::Status CreateDirectory(const std::string& path,
                                       std::uint32_t mode) = 0;
  // Writes `contents` so that readers see either the old file or the whole
  // new one, even across a crash: temp file in the same directory, fsync,
  // rename (or link when !overwrite, failing with kAlreadyExists), then fsync
  // of the directory. The file gets permission bits `mode`.
  virtual absl::Status WriteFileAtomically(const std::string& path,
                                           absl::string_view contents,
                                           std::uint32_t mode,
                                           bool overwrite) = 0;
  // WriteFileAtomically (overwriting) for many files with the syncs grouped:
  // new contents are written to temporary files, made durable together, put
  // in place of their paths, then each containing directory is synced. The
  // POSIX Env does this in rounds and may reuse a replaced file's inode for
  // a later file, only when nothing else reaches it (lib/env/posix_env.cc,
  // ExchangeRewriter). After a crash every path holds its old or its whole
  // new contents. On an error some paths may already hold their new
  // contents, and no temporary file is left unless the process dies. The
  // base implementation calls WriteFileAtomically for one file after
  // another.
  virtual absl::Status WriteFilesAtomically(absl::Span<const FileToWrite> files,
                                            std::uint32_t mode);
  // WriteFilesAtomically for `paths`, the contents of path i made by
  // `generate(i)` just before they are written, for callers whose contents
  // take time to make: the POSIX Env makes the next round's contents while
  // the device syncs the current one, and never holds more than two
  // rounds' worth. `generate` may run on several threads at once (for
  // different i) and runs at most once per i; an error from it ends the
  // call with WriteFilesAtomically's guarantees (some paths may already be
  // new, each whole). The base implementation makes every file's contents,
  // then calls WriteFilesAtomically.
  virtual absl::Status WriteGeneratedFilesAtomically(
      absl::Span<const std::string> paths,
      absl::FunctionRef<absl::StatusOr<std::string>(std::size_t)> generate,
      std::uint32_t mode);
  // For stores with one entry point (a log's checkpoint, which names the
  // tiles it covers): writes `files` in place, then replaces `commit`
  // atomically once they are all durable. Each of `files` is created or
  // truncated and written where it is, so a reader or a crash may find it
  // partly written: only use it for paths nothing reads until the new
  // `commit` names them. `commit` is written to a temporary file beside its
  // path. The syncs of `files`, of their directories and of that temporary
  // file are issued together; only after all of them succeed is the
  // temporary file renamed over commit.path and its directory synced. After
  // a crash commit.path holds its old or its whole new contents, and the new
  // contents are never durable before `files` are. On an error before the
  // rename commit.path keeps its old contents and no temporary file is left
  // (unless the process dies). The base implementation calls
  // WriteFileAtomically for each of `files`, then for `commit`.
  virtual absl::Status WriteFilesThenCommit(absl::Span<const FileToWrite> files,
                                            const FileToWrite& commit,
                                            std::uint32_t mode);
  // Writes each of `files` in place (created or truncated) without any
  // sync, as WriteFilesThenCommitUnsynced does before its commit. Only for
  // paths nothing reads yet and callers that made the change durable
  // elsewhere first. The base implementation calls WriteFilesAtomically.
  virtual absl::Status WriteFilesUnsynced(absl::Span<const FileToWrite> files,
                                          std::uint32_t mode);
  // WriteFilesThenCommit without any sync: readers see the same files and
  // the same atomic replacement of `commit`, but a crash may lose or tear
  // any of it. Only for callers that made the change durable elsewhere
  // first (a write-ahead journal). The base implementation calls
  // WriteFilesThenCommit.
  virtual absl::Status WriteFilesThenCommitUnsynced(
      absl::Span<const FileToWrite> files, const FileToWrite& commit,
      std::uint32_t mode);
  // Opens the existing regular file `path` for appending (not through a
  // symlink). The base implementation returns kUnimplemented.
  virtual absl::StatusOr<std::unique_ptr<AppendFile>> OpenForAppend(
      const std::string& path);
  // Makes everything written so far to the file system that holds the
  // directory `dir` durable, the directory's own entries included (POSIX:
  // syncfs, then fsync of `dir`). The base implementation returns
  // kUnimplemented.
  virtual absl::Status SyncFileSystem(const std::string& dir);
  virtual absl::Status DeleteFile(const std::string& path) = 0;
  // Removes an empty directory (kFailedPrecondition if it is not empty). The
  // base implementation returns kUnimplemented.
  virtual absl::Status DeleteDirectory(const std::string& path);

  // Takes an exclusive lock on `path`, creating it (mode 0644) if missing,
  // without waiting: if another holder has it, fails at once with
  // kFailedPrecondition. The lock is released when the returned object is
  // destroyed or the process dies. POSIX: flock(LOCK_EX | LOCK_NB), so two
  // opens in one process also exclude each other. The base implementation
  // returns kUnimplemented.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path);

  // Creates `path` and every missing parent (`mkdir -p`) with permission bits
  // `mode`; each new directory is made durable (CreateDirectory). Existing
  // directories are fine; an existing non-directory is kFailedPrecondition.
  absl::Status CreateDirectories(const std::string& path, std::uint32_t mode);

  // Reads a whole file of at most `max_bytes` (kResourceExhausted if larger).
  // The base implementation reads through OpenForRead.
  virtual absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                                       std::size_t max_bytes);
};

// A thread-safe in-memory Env for tests. Paths are absolute, '/'-separated;
// "/" exists. Symlinks are stored and reported by LinkStat/ReadLink; Stat and
// RealPath resolve them.
std::unique_ptr<Env> NewMemoryEnv();

// Helpers on a memory env created by NewMemoryEnv() (kInvalidArgument for any
// other Env). Parent directories are created as needed.
absl::Status MemoryEnvAddFile(Env& env, const std::string& path,
                              absl::string_view contents);
absl::Status MemoryEnvAddSymlink(Env& env, const std::string& path,
                                 const std::string& target);
absl::Status MemoryEnvAddSpecialFile(Env& env, const std::string& path);

// Joins two path pieces with exactly one '/' between them.
std::string JoinPath(absl::string_view base, absl::string_view relative);
// The last component of a path ("" for "/").
absl::string_view Basename(absl::string_view path);

}  // namespace modelseal

#endif  // MODELSEAL_ENV_H_
