// POSIX Env. Every system call's failure becomes a Status naming the path.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>
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

// From this many files on, WriteFilesAtomically syncs whole file systems.
constexpr std::size_t kSyncFilesystemAbove = 16;
// Syncs mostly wait for the device, so more of them are kept in flight than
// there are cores.
constexpr std::size_t kMaxConcurrentFileOperations = 16;

absl::Status RunConcurrently(
    std::size_t count, absl::FunctionRef<absl::Status(std::size_t)> task) {
  return util::ForEachConcurrently(count, kMaxConcurrentFileOperations, task);
}

// Closes descriptors on helper threads. A file renamed over while a
// descriptor still references it is freed by the last close instead of by
// the rename: its blocks released and, on a file system mounted with
// `discard`, the device waited for. Closing there lets the next rename go
// ahead (and the frees overlap) instead of queueing behind the directory
// lock every rename in that directory takes. Closing an unlinked file has
// no bearing on what is durable.
class BackgroundCloser {
 public:
  BackgroundCloser() = default;
  BackgroundCloser(const BackgroundCloser&) = delete;
  BackgroundCloser& operator=(const BackgroundCloser&) = delete;
  // Closes everything handed over before returning.
  ~BackgroundCloser() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finishing_ = true;
    }
    work_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    for (int fd : pending_) ::close(fd);
  }

  // Takes ownership of `fd`. Waits while kMaxPending descriptors are
  // queued, so a long batch never holds more than that many open.
  void Close(int fd) {
    std::unique_lock<std::mutex> lock(mu_);
    if (threads_.size() < kThreads) {
      try {
        threads_.emplace_back([this] { Work(); });
      } catch (const std::system_error&) {
        if (threads_.empty()) {
          lock.unlock();
          ::close(fd);
          return;
        }
      }
    }
    room_.wait(lock, [this] { return pending_.size() < kMaxPending; });
    pending_.push_back(fd);
    work_.notify_one();
  }

 private:
  static constexpr std::size_t kThreads = 4;
  static constexpr std::size_t kMaxPending = 256;

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      work_.wait(lock, [this] { return finishing_ || !pending_.empty(); });
      if (pending_.empty()) return;
      const int fd = pending_.front();
      pending_.pop_front();
      room_.notify_one();
      lock.unlock();
      ::close(fd);
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable room_;
  std::deque<int> pending_;
  bool finishing_ = false;
  std::vector<std::thread> threads_;
};

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

// Creates (or truncates, when !exclusive) `path`, writes `contents` with
// permission bits exactly `mode` and returns the open descriptor.
absl::StatusOr<int> CreateAndWrite(const std::string& path,
                                   absl::string_view contents,
                                   std::uint32_t mode, bool exclusive) {
  const int fd = ::open(path.c_str(),
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
    struct stat st;
    MODELSEAL_ASSIGN_OR_RETURN(
        const int fd,
        OpenRegularFile(path, O_RDONLY | O_NONBLOCK, "open", &st));
    FdCloser closer(fd);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::make_unique<PosixFile>(path, closer.release());
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

  absl::Status WriteFilesAtomically(absl::Span<const FileToWrite> files,
                                    std::uint32_t mode) override {
    const std::string suffix = TempSuffix();
    std::vector<std::string> temps;
    temps.reserve(files.size());
    std::size_t renamed = 0;
    // A few files: one fsync each. Many: one syncfs() per file system
    // commits them all at once, instead of a device flush per file.
#ifdef __linux__
    const bool sync_each = files.size() < kSyncFilesystemAbove;
#else
    const bool sync_each = true;
#endif
    BackgroundCloser closer;
    absl::Status status = [&]() -> absl::Status {
      // One thread: creating and renaming in one directory take its lock,
      // so more threads would only wait (spinning) for it.
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
        if (sync_each && ::fsync(*fd) != 0)
          return ErrnoStatus("fsync", temps.back(), errno);
        if (::close(temp_closer.release()) != 0)
          return ErrnoStatus("close", temps.back(), errno);
      }
      const std::vector<std::string> directories = DirectoriesOf(files);
#ifdef __linux__
      if (!sync_each) MODELSEAL_RETURN_IF_ERROR(SyncFileSystemsOf(directories));
#endif
      // Every new file is durable before any takes its place.
      for (; renamed < files.size(); ++renamed) {
        const std::string& path = files[renamed].path;
        // Referenced by this descriptor, the replaced file is freed when it
        // is closed, on a helper thread, not inside the rename. O_PATH
        // opens nothing (no device or FIFO side effects).
#ifdef O_PATH
        const int old_file =
            ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
#else
        const int old_file = -1;
#endif
        if (::rename(temps[renamed].c_str(), path.c_str()) != 0) {
          const int error = errno;
          if (old_file >= 0) ::close(old_file);
          return ErrnoStatus("rename", path, error);
        }
        if (old_file >= 0) closer.Close(old_file);
      }
      for (const std::string& dir : directories) {
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
