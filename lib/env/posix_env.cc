// POSIX Env. Every system call's failure becomes a Status naming the path.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/xattr.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/status.h"
#include "util/parallel.h"

namespace modelseal {
namespace {

// ".tmp-<pid>-<random>-<n>" for a temporary file beside its target: unique
// within the process (a counter; the pid tells forked processes apart) and
// hard to guess from outside (a random value drawn once per process). The
// temporary is created with O_EXCL | O_NOFOLLOW, so a name someone else
// made first only fails the write. Not a std::random_device per write: each
// one costs ~26 us on the virtual machines of docs/benchmarks.md (a
// hypervisor exit), and a log server commits hundreds of checkpoints a
// second.
std::string TempSuffix() {
  static const std::uint64_t process_random = [] {
    std::random_device random;
    return (std::uint64_t{random()} << 32) | random();
  }();
  static std::atomic<std::uint64_t> counter{0};
  return absl::StrCat(".tmp-", ::getpid(), "-", absl::Hex(process_random), "-",
                      counter.fetch_add(1, std::memory_order_relaxed));
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path,
                         int error) {
  const std::string message =
      absl::StrCat(path, ": ", what, " failed: ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      // kPermissionDenied is kept for policy decisions; an OS refusal is an
      // I/O failure of this run.
      return absl::UnavailableError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ELOOP:
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": is a symbolic link (", what, ")"));
    case ENAMETOOLONG:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

FileInfo FromStat(const struct stat& st) {
  FileInfo info;
  if (S_ISREG(st.st_mode)) {
    info.type = FileType::kRegular;
  } else if (S_ISDIR(st.st_mode)) {
    info.type = FileType::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    info.type = FileType::kSymlink;
  } else {
    info.type = FileType::kOther;
  }
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  info.ctime_ns = st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec;
  info.inode = st.st_ino;
  info.device = st.st_dev;
  info.mode = st.st_mode & 07777;
  return info;
}

class PosixMappedRegion final : public MappedRegion {
 public:
  PosixMappedRegion(void* base, std::size_t mapped, const std::uint8_t* data,
                    std::size_t size)
      : base_(base), mapped_(mapped), data_(data), size_(size) {}
  ~PosixMappedRegion() override { ::munmap(base_, mapped_); }
  absl::Span<const std::uint8_t> bytes() const override {
    return absl::MakeConstSpan(data_, size_);
  }

 private:
  void* base_;
  std::size_t mapped_;
  const std::uint8_t* data_;
  std::size_t size_;
};

class PosixFile final : public RandomAccessFile {
 public:
  PosixFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFile() override { ::close(fd_); }

  absl::StatusOr<std::size_t> ReadAt(
      std::uint64_t offset, absl::Span<std::uint8_t> buffer) const override {
    std::size_t total = 0;
    while (total < buffer.size()) {
      const ssize_t n =
          ::pread(fd_, buffer.data() + total, buffer.size() - total,
                  static_cast<off_t>(offset + total));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (n == 0) break;
      total += static_cast<std::size_t>(n);
    }
    return total;
  }

  absl::StatusOr<FileInfo> Stat() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("fstat", path_, errno);
    return FromStat(st);
  }

  void WillNeed(std::uint64_t offset, std::uint64_t length) const override {
    ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                    POSIX_FADV_WILLNEED);
  }

  absl::StatusOr<std::unique_ptr<MappedRegion>> Map(
      std::uint64_t offset, std::size_t length) const override {
    if (length == 0) return absl::InvalidArgumentError("empty mapping");
    static const std::uint64_t page =
        static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = offset - offset % page;
    const std::size_t mapped =
        static_cast<std::size_t>(offset - start) + length;
    // MAP_POPULATE fills the page tables in one call instead of one fault
    // per few pages.
    void* base = ::mmap(nullptr, mapped, PROT_READ, MAP_SHARED | MAP_POPULATE,
                        fd_, static_cast<off_t>(start));
    if (base == MAP_FAILED) return ErrnoStatus("mmap", path_, errno);
    return std::make_unique<PosixMappedRegion>(
        base, mapped, static_cast<const std::uint8_t*>(base) + (offset - start),
        length);
  }

 private:
  std::string path_;
  int fd_;
};

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "."
         : slash == 0               ? "/"
                                    : path.substr(0, slash);
}

absl::Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return ErrnoStatus("fsync directory", dir, errno);
  return absl::OkStatus();
}

// flock() locks belong to the open file description, so the lock lives
// exactly as long as this descriptor (and dies with the process).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }

 private:
  int fd_;
};

// From this many files on, WriteFilesAtomically goes through
// ExchangeRewriter and WriteFilesThenCommit syncs whole file systems.
constexpr std::size_t kSyncFilesystemAbove = 16;
// Syncs mostly wait for the device, so more of them are kept in flight than
// there are cores.
constexpr std::size_t kMaxConcurrentFileOperations = 16;

absl::Status RunConcurrently(
    std::size_t count, absl::FunctionRef<absl::Status(std::size_t)> task) {
  return util::ForEachConcurrently(count, kMaxConcurrentFileOperations, task);
}

// The directories holding `files`, each once, in first-seen order.
std::vector<std::string> DirectoriesOf(absl::Span<const FileToWrite> files) {
  std::vector<std::string> directories;
  for (const FileToWrite& file : files) {
    std::string dir = DirectoryOf(file.path);
    if (std::find(directories.begin(), directories.end(), dir) ==
        directories.end()) {
      directories.push_back(std::move(dir));
    }
  }
  return directories;
}

#ifdef __linux__
// One syncfs() per file system holding `directories`: one device flush for
// any number of files (it reports writeback errors since Linux 5.8).
absl::Status SyncFileSystemsOf(const std::vector<std::string>& directories) {
  std::vector<dev_t> synced;
  for (const std::string& dir : directories) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open directory", dir, errno);
    FdCloser closer(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", dir, errno);
    if (std::find(synced.begin(), synced.end(), st.st_dev) != synced.end()) {
      continue;
    }
    if (::syncfs(fd) != 0) return ErrnoStatus("syncfs", dir, errno);
    synced.push_back(st.st_dev);
  }
  return absl::OkStatus();
}
#endif

// Creates (or truncates, when !exclusive) `name` in the directory open as
// `dir_fd` (AT_FDCWD: `name` is a path), writes `contents` with permission
// bits exactly `mode` and returns the open descriptor. Messages name `path`.
absl::StatusOr<int> CreateAndWriteAt(int dir_fd, const std::string& name,
                                     const std::string& path,
                                     absl::string_view contents,
                                     std::uint32_t mode, bool exclusive) {
  const int fd = ::openat(dir_fd, name.c_str(),
                          O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
                              (exclusive ? O_EXCL : O_TRUNC),
                          mode);
  if (fd < 0) return ErrnoStatus("create", path, errno);
  FdCloser closer(fd);
  // The umask may have narrowed `mode`; the caller asked for exactly it.
  if (::fchmod(fd, mode) != 0) return ErrnoStatus("fchmod", path, errno);
  MODELSEAL_RETURN_IF_ERROR(WriteAll(fd, contents, path));
  return closer.release();
}

absl::StatusOr<int> CreateAndWrite(const std::string& path,
                                   absl::string_view contents,
                                   std::uint32_t mode, bool exclusive) {
  return CreateAndWriteAt(AT_FDCWD, path, path, contents, mode, exclusive);
}

// Opens `path` (never through a symlink) with `flags` and fails unless it
// is a regular file; `st` gets its fstat.
absl::StatusOr<int> OpenRegularFile(const std::string& path, int flags,
                                    absl::string_view what, struct stat* st) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoStatus(what, path, errno);
  FdCloser closer(fd);
  if (::fstat(fd, st) != 0) return ErrnoStatus("fstat", path, errno);
  if (!S_ISREG(st->st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file"));
  }
  return closer.release();
}

#ifdef __linux__
// Replaces many existing files, each atomically, without a new inode per
// file. Replacing by rename makes the kernel allocate an inode and blocks
// for every new file and free the old ones (on ext4 without a journal each
// allocation also steps over the inodes freed in the last minute, and with
// `discard` each free waits for the device): most of `log add`'s time, see
// docs/benchmarks.md. Here each new content goes into a scratch file beside
// its target, and renameat2(RENAME_EXCHANGE) swaps the two names in one
// atomic step; the scratch name then holds the old inode, which receives a
// later file's contents once the exchange is durable. Writing over its
// blocks needs no allocation, and only about one round of scratch inodes is
// ever created or freed.
//
// An old inode is only written over when nothing but the scratch name can
// reach it: a regular file with one link, owned as a new file in that
// directory is, with no extended attributes (ACLs, security labels) and
// open nowhere else (a write lease is granted only then), so a reader that
// opened the old file before the exchange keeps reading the old bytes. Any
// doubt and it is unlinked, as a rename would have freed it. A target that
// is missing or not a regular file, or a file system without
// RENAME_EXCHANGE, gets a plain rename.
//
// Each round: write up to kFilesPerRound scratch files, syncfs() (the new
// contents are durable before any takes its place), exchange each with its
// target, then fsync() the directories (the exchanges are durable before
// any old inode is written over in the next round). Contents made by a
// caller's generator (WriteGeneratedFilesAtomically) are made for the next
// round while syncfs() waits for the device. After a crash every
// target holds its old or its whole new contents; scratch files
// (".modelseal.tmp-…") may be left beside them.
class ExchangeRewriter {
 public:
  // Writes `files`.
  ExchangeRewriter(absl::Span<const FileToWrite> files, std::uint32_t mode)
      : mode_(mode), count_(files.size()), files_(files) {}
  // Writes `paths`, the contents of path i made by generate(i).
  ExchangeRewriter(
      absl::Span<const std::string> paths,
      absl::FunctionRef<absl::StatusOr<std::string>(std::size_t)> generate,
      std::uint32_t mode)
      : mode_(mode), count_(paths.size()), paths_(paths), generate_(generate) {}
  ExchangeRewriter(const ExchangeRewriter&) = delete;
  ExchangeRewriter& operator=(const ExchangeRewriter&) = delete;
  // Removes every scratch name left, written or not.
  ~ExchangeRewriter() {
    for (Scratch& scratch : pool_) Discard(scratch);
    for (Scratch& scratch : round_) Discard(scratch);
    for (Scratch& scratch : old_) Discard(scratch);
    for (Directory& dir : dirs_) {
      if (dir.fd >= 0) ::close(dir.fd);
    }
  }

  absl::Status Run() {
    // Rounds of equal size: a short last round would leave most of the
    // pool unused, and each unused old inode is one more unlink.
    const std::size_t rounds = (count_ + kFilesPerRound - 1) / kFilesPerRound;
    for (std::size_t k = 0; k < rounds; ++k) {
      const std::size_t end = count_ * (k + 1) / rounds;
      const std::size_t next_end =
          k + 1 < rounds ? count_ * (k + 2) / rounds : end;
      MODELSEAL_RETURN_IF_ERROR(RunRound(count_ * k / rounds, end, next_end));
    }
    return absl::OkStatus();
  }

 private:
  // Up to this many scratch files are written per round (and as many old
  // inodes kept open for the next): fewer rounds mean fewer device flushes,
  // more keep more descriptors and page-cache pages in play.
  static constexpr std::size_t kFilesPerRound = 256;
  static constexpr std::size_t kThreads = 2;
  // Contents made per task while a round syncs.
  static constexpr std::size_t kMadePerTask = 16;

  // A directory holding targets, open for the *at() calls of a round that
  // has files in it (names are looked up in it, not walked from the root
  // for every call) and closed after it: the descriptors a round holds are
  // bounded by its files, however many directories the whole call spans.
  struct Directory {
    std::string path;
    int fd = -1;
    bool owner_known = false;  // uid and gid of a new file made here
    uid_t uid = 0;
    gid_t gid = 0;
  };
  struct Scratch {
    std::size_t dir = 0;  // index into dirs_
    std::string name;     // in the directory; empty once consumed
    int fd = -1;          // open while it waits in the pool
    bool fresh = false;   // a new file, not an old inode from the pool
    struct stat old {};   // the old inode it holds, as the target was
  };

  // Moves `scratch` out, leaving nothing for Discard to remove or close.
  static Scratch Take(Scratch& scratch) {
    Scratch taken = std::move(scratch);
    scratch.name.clear();
    scratch.fd = -1;
    return taken;
  }

  void Discard(Scratch& scratch) {
    if (scratch.fd >= 0) ::close(scratch.fd);
    scratch.fd = -1;
    // By path: its directory may be closed by now.
    if (!scratch.name.empty()) ::unlink(PathOf(scratch).c_str());
    scratch.name.clear();
  }

  std::string PathOf(const Scratch& scratch) const {
    return JoinPath(dirs_[scratch.dir].path, scratch.name);
  }

  // The index of directory `path` in dirs_, opened for this round.
  absl::StatusOr<std::size_t> OpenDirectory(const std::string& path) {
    auto [it, added] = dir_index_.try_emplace(path, dirs_.size());
    if (added) dirs_.push_back({path});
    Directory& dir = dirs_[it->second];
    if (dir.fd < 0) {
      dir.fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir.fd < 0) return ErrnoStatus("open directory", path, errno);
    }
    return it->second;
  }

  // Picks the scratch file for the next file of the round in directory
  // `dir`: an old inode from the pool if one is there, else a new name.
  void AssignScratch(std::size_t dir) {
    auto reused = std::find_if(pool_.begin(), pool_.end(),
                               [&](const Scratch& s) { return s.dir == dir; });
    if (reused != pool_.end()) {
      round_.push_back(Take(*reused));
      pool_.erase(reused);
      return;
    }
    Scratch scratch;
    scratch.dir = dir;
    scratch.name = absl::StrCat(".modelseal", TempSuffix());
    scratch.fresh = true;
    round_.push_back(std::move(scratch));
  }

  // Writes `contents` into `scratch` (its pool descriptor, or a new file).
  // Safe to run for different scratch files at once.
  absl::Status WriteScratch(Scratch& scratch,
                            absl::string_view contents) const {
    const std::string path = PathOf(scratch);
    if (scratch.fd < 0) {
      absl::StatusOr<int> fd =
          CreateAndWriteAt(dirs_[scratch.dir].fd, scratch.name, path, contents,
                           mode_, /*exclusive=*/true);
      if (!fd.ok()) {
        // Someone else's file by that name is not ours to remove.
        if (absl::IsAlreadyExists(fd.status())) scratch.name.clear();
        return fd.status();
      }
      if (::close(*fd) != 0) return ErrnoStatus("close", path, errno);
      return absl::OkStatus();
    }
    FdCloser closer(std::exchange(scratch.fd, -1));
    if ((scratch.old.st_mode & 07777) != mode_ &&
        ::fchmod(closer.get(), mode_) != 0) {
      return ErrnoStatus("fchmod", path, errno);
    }
    MODELSEAL_RETURN_IF_ERROR(WriteAll(closer.get(), contents, path));
    // Longer old contents: cut what the new ones did not cover.
    if (static_cast<std::uint64_t>(scratch.old.st_size) > contents.size() &&
        ::ftruncate(closer.get(), static_cast<off_t>(contents.size())) != 0) {
      return ErrnoStatus("ftruncate", path, errno);
    }
    if (::close(closer.release()) != 0)
      return ErrnoStatus("close", path, errno);
    return absl::OkStatus();
  }

  // The owner a new file in `dir` gets, from a scratch file made there.
  absl::Status LearnOwner(const Scratch& scratch) {
    Directory& dir = dirs_[scratch.dir];
    if (dir.owner_known) return absl::OkStatus();
    struct stat st;
    if (::fstatat(dir.fd, scratch.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return ErrnoStatus("fstat", PathOf(scratch), errno);
    dir.uid = st.st_uid;
    dir.gid = st.st_gid;
    dir.owner_known = true;
    return absl::OkStatus();
  }

  // Puts `scratch` in place of `path` (named `name` in the scratch's
  // directory): by exchange where it can, else by rename. True if the
  // scratch name now holds the old inode, whose lstat is then in
  // scratch.old.
  absl::StatusOr<bool> PutInPlace(Scratch& scratch, const std::string& path,
                                  const std::string& name) {
    const int dir_fd = dirs_[scratch.dir].fd;
    const bool regular = ::fstatat(dir_fd, name.c_str(), &scratch.old,
                                   AT_SYMLINK_NOFOLLOW) == 0 &&
                         S_ISREG(scratch.old.st_mode);
    if (regular && exchange_works_) {
      if (::renameat2(dir_fd, scratch.name.c_str(), dir_fd, name.c_str(),
                      RENAME_EXCHANGE) == 0) {
        return true;
      }
      if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        exchange_works_ = false;    // this file system cannot: rename from now
      } else if (errno != EXDEV) {  // EXDEV: an overlay refusing this file
        return ErrnoStatus("rename (exchange)", path, errno);
      }
    }
    if (::renameat(dir_fd, scratch.name.c_str(), dir_fd, name.c_str()) != 0)
      return ErrnoStatus("rename", path, errno);
    return false;
  }

  // Opens the old inode `scratch` names for writing over if nothing else
  // can reach it (see the class comment); else returns -1. It must still be
  // the regular file the target was (scratch.old) when it was exchanged.
  int OpenForReuse(Scratch& scratch) const {
    const Directory& dir = dirs_[scratch.dir];
    if (!dir.owner_known) return -1;
    const int fd =
        ::openat(dir.fd, scratch.name.c_str(),
                 O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return -1;
    FdCloser closer(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_ino != scratch.old.st_ino || st.st_dev != scratch.old.st_dev ||
        st.st_nlink != 1 || st.st_uid != dir.uid || st.st_gid != dir.gid) {
      return -1;
    }
    const ssize_t attributes = ::flistxattr(fd, nullptr, 0);
    if (attributes != 0 && !(attributes < 0 && errno == ENOTSUP)) return -1;
    // Granted only while no other descriptor or mapping has the file open.
    if (::fcntl(fd, F_SETLEASE, F_WRLCK) != 0) return -1;
    if (::fcntl(fd, F_SETLEASE, F_UNLCK) != 0) return -1;
    scratch.old = st;
    return closer.release();
  }

  const std::string& PathAt(std::size_t i) const {
    return generate_.has_value() ? paths_[i] : files_[i].path;
  }

  // Writes files [begin, end) over their targets; `next_end` ends the
  // round after, whose contents are made while this one syncs.
  absl::Status RunRound(std::size_t begin, std::size_t end,
                        std::size_t next_end) {
    const std::size_t count = end - begin;
    std::vector<std::size_t> dir_of;
    std::vector<std::string> names;
    dir_of.reserve(count);
    names.reserve(count);
    for (std::size_t i = begin; i < end; ++i) {
      const std::string& path = PathAt(i);
      const std::size_t slash = path.rfind('/');
      MODELSEAL_ASSIGN_OR_RETURN(const std::size_t dir,
                                 OpenDirectory(DirectoryOf(path)));
      dir_of.push_back(dir);
      names.push_back(slash == std::string::npos ? path
                                                 : path.substr(slash + 1));
      AssignScratch(dir);
    }
    // Writing files (and below, checking old inodes) runs on two threads:
    // per file they are several system calls on different inodes, while
    // the exchanges all take their directory's lock. Generated contents
    // were made while the last round synced (the first round's, here).
    const bool made_before = made_.size() == count;
    if (generate_.has_value() && !made_before) {
      made_.assign(count, absl::UnknownError("not made"));
    }
    const absl::Status all_written =
        util::ForEachConcurrently(count, kThreads, [&](std::size_t j) {
          if (!generate_.has_value()) {
            return WriteScratch(round_[j], files_[begin + j].contents);
          }
          if (!made_before) made_[j] = (*generate_)(begin + j);
          if (!made_[j].ok()) return made_[j].status();
          const absl::Status written = WriteScratch(round_[j], *made_[j]);
          made_[j] = std::string();  // not held any longer than needed
          return written;
        });
    MODELSEAL_RETURN_IF_ERROR(all_written);
    made_.clear();
    for (const Scratch& scratch : round_) {
      if (scratch.fresh) MODELSEAL_RETURN_IF_ERROR(LearnOwner(scratch));
    }
    // Old inodes left over from the last round that this one did not need.
    for (Scratch& scratch : pool_) Discard(scratch);
    pool_.clear();
    std::vector<std::size_t> round_dirs = dir_of;
    std::sort(round_dirs.begin(), round_dirs.end());
    round_dirs.erase(std::unique(round_dirs.begin(), round_dirs.end()),
                     round_dirs.end());
    std::vector<std::string> round_paths;
    for (std::size_t dir : round_dirs) round_paths.push_back(dirs_[dir].path);
    if (generate_.has_value() && end < next_end) {
      // The sync mostly waits for the device: meanwhile the other thread
      // makes the next round's contents (and this one helps once its sync
      // returns). A failure to make one is reported when it is written.
      made_.assign(next_end - end, absl::UnknownError("not made"));
      const std::size_t tasks =
          (made_.size() + kMadePerTask - 1) / kMadePerTask;
      const absl::Status synced = util::ForEachConcurrently(
          1 + tasks, kThreads, [&](std::size_t task) -> absl::Status {
            if (task == 0) return SyncFileSystemsOf(round_paths);
            const std::size_t first = (task - 1) * kMadePerTask;
            const std::size_t last =
                std::min(made_.size(), first + kMadePerTask);
            for (std::size_t j = first; j < last; ++j) {
              made_[j] = (*generate_)(end + j);
            }
            return absl::OkStatus();
          });
      MODELSEAL_RETURN_IF_ERROR(synced);
    } else {
      MODELSEAL_RETURN_IF_ERROR(SyncFileSystemsOf(round_paths));
    }
    for (std::size_t j = 0; j < count; ++j) {
      MODELSEAL_ASSIGN_OR_RETURN(
          const bool exchanged,
          PutInPlace(round_[j], PathAt(begin + j), names[j]));
      if (exchanged) old_.push_back(Take(round_[j]));
      round_[j].name.clear();  // renamed away, or moved to old_
    }
    round_.clear();
    for (std::size_t dir : round_dirs) {
      if (::fsync(dirs_[dir].fd) != 0)
        return ErrnoStatus("fsync directory", dirs_[dir].path, errno);
    }
    // After the last round no file is left to write over old inodes.
    if (end < count_) {
      util::ForEachInParallel(
          old_.size(), kFilesPerRound / kThreads,
          [&](std::size_t i) { old_[i].fd = OpenForReuse(old_[i]); });
    }
    for (Scratch& scratch : old_) {
      scratch.fresh = false;
      if (scratch.fd >= 0) {
        pool_.push_back(Take(scratch));
      } else {
        Discard(scratch);
      }
    }
    old_.clear();
    for (std::size_t dir : round_dirs) {
      ::close(std::exchange(dirs_[dir].fd, -1));
    }
    return absl::OkStatus();
  }

  const std::uint32_t mode_;
  const std::size_t count_;
  const absl::Span<const FileToWrite> files_;
  const absl::Span<const std::string> paths_;
  const std::optional<
      absl::FunctionRef<absl::StatusOr<std::string>(std::size_t)>>
      generate_;
  std::vector<absl::StatusOr<std::string>> made_;  // contents of a round
  bool exchange_works_ = true;
  std::vector<Directory> dirs_;
  std::unordered_map<std::string, std::size_t> dir_index_;  // path -> dirs_
  std::vector<Scratch> round_;  // scratch files of the current round
  std::vector<Scratch> old_;    // old inodes until their exchange is durable
  std::vector<Scratch> pool_;   // old inodes free for the next round
};
#endif

class PosixAppendFile final : public AppendFile {
 public:
  PosixAppendFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixAppendFile() override { ::close(fd_); }

  absl::Status Append(absl::string_view data) override {
    return WriteAll(fd_, data, path_);
  }

  absl::Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return absl::OkStatus();
  }

 private:
  const int fd_;
  const std::string path_;
};

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> OpenForRead(
      const std::string& path) override {
    // O_NONBLOCK keeps a FIFO from blocking the open; fstat then rejects it.
    // It is left set: on a regular file it changes nothing (as in
    // ReadFileToString), and clearing it cost two system calls per file.
    struct stat st;
    MODELSEAL_ASSIGN_OR_RETURN(
        const int fd,
        OpenRegularFile(path, O_RDONLY | O_NONBLOCK, "open", &st));
    FdCloser closer(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::make_unique<PosixFile>(path, closer.release());
  }

  // Env::ReadFileToString in four system calls (open, fstat, read, close)
  // instead of OpenForRead's eight: `log add` reads thousands of bundles.
  absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                               std::size_t max_bytes) override {
    struct stat st;
    MODELSEAL_ASSIGN_OR_RETURN(
        const int fd,
        OpenRegularFile(path, O_RDONLY | O_NONBLOCK, "open", &st));
    FdCloser closer(fd);
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    if (size > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": file is ", size, " bytes, more than the ",
                       max_bytes, "-byte limit"));
    }
    // One byte past the size, so that a file that grew since is caught; a
    // read that stops at the size seen is the whole file.
    std::string contents(static_cast<std::size_t>(size) + 1, '\0');
    std::size_t total = 0;
    while (total < contents.size()) {
      const ssize_t n =
          ::read(fd, contents.data() + total, contents.size() - total);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path, errno);
      }
      if (n == 0 || (total += static_cast<std::size_t>(n)) == size) break;
    }
    if (total > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          path, ": file is larger than the ", max_bytes, "-byte limit"));
    }
    contents.resize(total);
    return contents;
  }

  absl::StatusOr<FileInfo> LinkStat(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0)
      return ErrnoStatus("lstat", path, errno);
    return FromStat(st);
  }

  absl::StatusOr<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return FromStat(st);
  }

  absl::StatusOr<std::vector<std::string>> ListDirectory(
      const std::string& path) override {
    const int fd =
        ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      const int error = errno;
      ::close(fd);
      return ErrnoStatus("fdopendir", path, error);
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const struct dirent* entry = ::readdir(dir);
      if (entry == nullptr) {
        if (errno != 0) return ErrnoStatus("readdir", path, errno);
        break;
      }
      const absl::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    return names;
  }

  absl::StatusOr<std::string> ReadLink(const std::string& path) override {
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoStatus("readlink", path, errno);
    target.resize(static_cast<std::size_t>(n));
    return target;
  }

  absl::StatusOr<std::string> RealPath(const std::string& path) override {
    std::unique_ptr<char, void (*)(void*)> resolved(
        ::realpath(path.c_str(), nullptr), std::free);
    if (resolved == nullptr) return ErrnoStatus("realpath", path, errno);
    return std::string(resolved.get());
  }

  absl::Status CreateDirectory(const std::string& path,
                               std::uint32_t mode) override {
    if (::mkdir(path.c_str(), mode) != 0)
      return ErrnoStatus("mkdir", path, errno);
    return SyncDirectoryOf(path);
  }

  absl::Status WriteFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   std::uint32_t mode,
                                   bool overwrite) override {
    const std::string temp = absl::StrCat(path, TempSuffix());
    const int fd =
        ::open(temp.c_str(),
               O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return ErrnoStatus("create", temp, errno);
    bool keep_temp = false;
    absl::Status status = [&]() -> absl::Status {
      FdCloser closer(fd);
      // The umask may have narrowed `mode`; the caller asked for exactly it.
      if (::fchmod(fd, mode) != 0) return ErrnoStatus("fchmod", temp, errno);
      MODELSEAL_RETURN_IF_ERROR(WriteAll(fd, contents, temp));
      if (::fsync(fd) != 0) return ErrnoStatus("fsync", temp, errno);
      if (::close(closer.release()) != 0)
        return ErrnoStatus("close", temp, errno);
      if (overwrite) {
        if (::rename(temp.c_str(), path.c_str()) != 0) {
          return ErrnoStatus("rename", path, errno);
        }
        keep_temp = true;  // renamed away: nothing left to remove
      } else if (::link(temp.c_str(), path.c_str()) != 0) {
        return ErrnoStatus("create", path, errno);
      }
      return SyncDirectoryOf(path);
    }();
    if (!keep_temp) ::unlink(temp.c_str());
    return status;
  }

  absl::Status WriteGeneratedFilesAtomically(
      absl::Span<const std::string> paths,
      absl::FunctionRef<absl::StatusOr<std::string>(std::size_t)> generate,
      std::uint32_t mode) override {
#ifdef __linux__
    if (paths.size() >= kSyncFilesystemAbove) {
      ExchangeRewriter rewriter(paths, generate, mode);
      return rewriter.Run();
    }
#endif
    return Env::WriteGeneratedFilesAtomically(paths, generate, mode);
  }

  absl::Status WriteFilesAtomically(absl::Span<const FileToWrite> files,
                                    std::uint32_t mode) override {
#ifdef __linux__
    // Many files: rounds of one syncfs() each, old inodes reused.
    if (files.size() >= kSyncFilesystemAbove) {
      ExchangeRewriter rewriter(files, mode);
      return rewriter.Run();
    }
#endif
    // A few files: one fsync each, then a rename each.
    const std::string suffix = TempSuffix();
    std::vector<std::string> temps;
    temps.reserve(files.size());
    std::size_t renamed = 0;
    absl::Status status = [&]() -> absl::Status {
      for (const FileToWrite& file : files) {
        temps.push_back(file.path + suffix);
        absl::StatusOr<int> fd =
            CreateAndWrite(temps.back(), file.contents, mode,
                           /*exclusive=*/true);
        if (!fd.ok()) {
          temps.pop_back();
          return fd.status();
        }
        FdCloser temp_closer(*fd);
        if (::fsync(*fd) != 0) return ErrnoStatus("fsync", temps.back(), errno);
        if (::close(temp_closer.release()) != 0)
          return ErrnoStatus("close", temps.back(), errno);
      }
      // Every new file is durable before any takes its place.
      for (; renamed < files.size(); ++renamed) {
        const std::string& path = files[renamed].path;
        if (::rename(temps[renamed].c_str(), path.c_str()) != 0) {
          return ErrnoStatus("rename", path, errno);
        }
      }
      for (const std::string& dir : DirectoriesOf(files)) {
        MODELSEAL_RETURN_IF_ERROR(SyncDirectoryOf(JoinPath(dir, "x")));
      }
      return absl::OkStatus();
    }();
    for (std::size_t i = renamed; i < temps.size(); ++i) {
      ::unlink(temps[i].c_str());
    }
    return status;
  }

  absl::Status WriteFilesThenCommit(absl::Span<const FileToWrite> files,
                                    const FileToWrite& commit,
                                    std::uint32_t mode) override {
    const std::string temp = absl::StrCat(commit.path, TempSuffix());
    bool temp_exists = false;
    std::vector<int> descriptors;
    std::vector<std::string> names;  // of descriptors, for messages
#ifdef __linux__
    const bool sync_filesystem = files.size() >= kSyncFilesystemAbove;
#else
    const bool sync_filesystem = false;
#endif
    absl::Status status = [&]() -> absl::Status {
      // Few files: each stays open for its fsync. Many: syncfs() instead,
      // which needs no descriptors (a batch can hold thousands of tiles).
      auto keep = [&](int fd, const std::string& name) -> absl::Status {
        if (!sync_filesystem) {
          descriptors.push_back(fd);
          names.push_back(name);
          return absl::OkStatus();
        }
        if (::close(fd) != 0) return ErrnoStatus("close", name, errno);
        return absl::OkStatus();
      };
      for (const FileToWrite& file : files) {
        MODELSEAL_ASSIGN_OR_RETURN(
            int fd, CreateAndWrite(file.path, file.contents, mode,
                                   /*exclusive=*/false));
        MODELSEAL_RETURN_IF_ERROR(keep(fd, file.path));
      }
      MODELSEAL_ASSIGN_OR_RETURN(
          int fd,
          CreateAndWrite(temp, commit.contents, mode, /*exclusive=*/true));
      temp_exists = true;
      MODELSEAL_RETURN_IF_ERROR(keep(fd, temp));
      // The directories make the new names durable; syncing them together
      // with the files' contents (rather than after) is still complete
      // before the commit: the order among these syncs does not matter.
      std::vector<std::string> directories = DirectoriesOf(files);
      if (sync_filesystem) {
#ifdef __linux__
        directories.push_back(DirectoryOf(commit.path));
        MODELSEAL_RETURN_IF_ERROR(SyncFileSystemsOf(directories));
#endif
      } else {
        for (const std::string& dir : directories) {
          const int dir_fd =
              ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (dir_fd < 0) return ErrnoStatus("open directory", dir, errno);
          descriptors.push_back(dir_fd);
          names.push_back(dir);
        }
        MODELSEAL_RETURN_IF_ERROR(
            RunConcurrently(descriptors.size(), [&](std::size_t i) {
              if (::fsync(descriptors[i]) != 0)
                return ErrnoStatus("fsync", names[i], errno);
              return absl::OkStatus();
            }));
      }
      if (::rename(temp.c_str(), commit.path.c_str()) != 0) {
        return ErrnoStatus("rename", commit.path, errno);
      }
      temp_exists = false;
      return SyncDirectoryOf(commit.path);
    }();
    for (int fd : descriptors) ::close(fd);
    if (temp_exists) ::unlink(temp.c_str());
    return status;
  }

  absl::Status WriteFilesUnsynced(absl::Span<const FileToWrite> files,
                                  std::uint32_t mode) override {
    for (const FileToWrite& file : files) {
      MODELSEAL_ASSIGN_OR_RETURN(int fd,
                                 CreateAndWrite(file.path, file.contents, mode,
                                                /*exclusive=*/false));
      if (::close(fd) != 0) return ErrnoStatus("close", file.path, errno);
    }
    return absl::OkStatus();
  }

  absl::Status WriteFilesThenCommitUnsynced(absl::Span<const FileToWrite> files,
                                            const FileToWrite& commit,
                                            std::uint32_t mode) override {
    MODELSEAL_RETURN_IF_ERROR(WriteFilesUnsynced(files, mode));
    const std::string temp = absl::StrCat(commit.path, TempSuffix());
    MODELSEAL_ASSIGN_OR_RETURN(
        int fd,
        CreateAndWrite(temp, commit.contents, mode, /*exclusive=*/true));
    if (::close(fd) != 0 || ::rename(temp.c_str(), commit.path.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      return ErrnoStatus("replace", commit.path, error);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<AppendFile>> OpenForAppend(
      const std::string& path) override {
    // O_NONBLOCK: opening a FIFO for writing would wait for a reader.
    struct stat st;
    MODELSEAL_ASSIGN_OR_RETURN(
        const int fd, OpenRegularFile(path, O_WRONLY | O_APPEND | O_NONBLOCK,
                                      "open for appending", &st));
    FdCloser closer(fd);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return std::unique_ptr<AppendFile>(
        new PosixAppendFile(closer.release(), path));
  }

  absl::Status SyncFileSystem(const std::string& dir) override {
#ifdef __linux__
    MODELSEAL_RETURN_IF_ERROR(SyncFileSystemsOf({dir}));
    return SyncDirectoryOf(JoinPath(dir, "x"));
#else
    return Env::SyncFileSystem(dir);
#endif
  }

  absl::Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status DeleteDirectory(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) {
      if (errno == ENOTEMPTY || errno == EEXIST) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": directory is not empty"));
      }
      return ErrnoStatus("rmdir", path, errno);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    const int fd =
        ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return ErrnoStatus("open lock file", path, errno);
    FdCloser closer(fd);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      if (errno == EWOULDBLOCK) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": log is locked by another writer"));
      }
      return ErrnoStatus("flock", path, errno);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(closer.release()));
  }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv();
  return env;
}

}  // namespace modelseal
