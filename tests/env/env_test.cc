#include "modelseal/env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/rewrite_contents.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

TEST(PosixEnvTest, WritesAtomicallyWithTheRequestedMode) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string path = dir.Join("secret.key");
  MODELSEAL_ASSERT_OK(
      env.WriteFileAtomically(path, "key material", 0600, false));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string contents,
                                 env.ReadFileToString(path, 100));
  EXPECT_EQ(contents, "key material");
  // Only the file itself is left: no temporary files.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST(PosixEnvTest, RefusesToOverwriteAndKeepsTheOldContents) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string path = dir.Join("a");
  MODELSEAL_ASSERT_OK(env.WriteFileAtomically(path, "old", 0644, false));
  EXPECT_THAT(env.WriteFileAtomically(path, "new", 0644, false),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr(path)));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string contents,
                                 env.ReadFileToString(path, 100));
  EXPECT_EQ(contents, "old");
  MODELSEAL_ASSERT_OK(env.WriteFileAtomically(path, "new", 0644, true));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(contents, env.ReadFileToString(path, 100));
  EXPECT_EQ(contents, "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1);
}

// Threads replacing one file at once each need a temporary name of their
// own: a shared one would make all but one fail on O_EXCL.
TEST(PosixEnvTest, ConcurrentAtomicWritesOfOneFileAllSucceed) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string path = dir.Join("bundle.sig");
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 50;
  std::vector<absl::Status> results(kThreads * kWritesEach);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        results[t * kWritesEach + i] = env.WriteFileAtomically(
            path, absl::StrCat("writer ", t, " write ", i), 0644, true);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : results) MODELSEAL_EXPECT_OK(status);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string contents,
                                 env.ReadFileToString(path, 100));
  EXPECT_THAT(contents, ::testing::StartsWith("writer "));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST(PosixEnvTest, OpeningAFifoFailsInsteadOfBlocking) {
  TempDir dir;
  const std::string fifo = dir.Join("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(Env::Default()->OpenForRead(fifo),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a regular file")));
}

TEST(PosixEnvTest, OpeningASymlinkFails) {
  TempDir dir;
  dir.Write("target", "x");
  ASSERT_EQ(::symlink("target", dir.Join("link").c_str()), 0);
  EXPECT_THAT(Env::Default()->OpenForRead(dir.Join("link")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("symbolic link")));
}

TEST(PosixEnvTest, ReportsMissingFilesAsNotFound) {
  TempDir dir;
  EXPECT_THAT(Env::Default()->OpenForRead(dir.Join("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(Env::Default()->LinkStat(dir.Join("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST(PosixEnvTest, ReadFileToStringEnforcesTheLimit) {
  TempDir dir;
  const std::string path = dir.Write("big", std::string(101, 'x'));
  EXPECT_THAT(Env::Default()->ReadFileToString(path, 100),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("100")));
  MODELSEAL_EXPECT_OK(Env::Default()->ReadFileToString(path, 101));
}

TEST(PosixEnvTest, ReadAtReturnsShortCountsOnlyAtEndOfFile) {
  TempDir dir;
  const std::string path = dir.Write("f", "0123456789");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto file, Env::Default()->OpenForRead(path));
  std::uint8_t buffer[8];
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::size_t n,
                                 file->ReadAt(4, absl::MakeSpan(buffer)));
  EXPECT_EQ(n, 6u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), n), "456789");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(n, file->ReadAt(100, absl::MakeSpan(buffer)));
  EXPECT_EQ(n, 0u);
}

// Names in `dir`, to check what a grouped write left behind.
std::vector<std::string> NamesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::string ReadOrEmpty(Env& env, const std::string& path) {
  absl::StatusOr<std::string> contents = env.ReadFileToString(path, 1 << 20);
  return contents.ok() ? *contents : "";
}

// Below kSyncFilesystemAbove files the grouped writes fsync each file; from
// it on they sync the file system once. Both ways are tested.
constexpr std::size_t kFewFiles = 3;
constexpr std::size_t kManyFiles = 40;

TEST(PosixEnvTest, WriteFilesThenCommitKeepsTheOldCommitWhenAFileFails) {
  for (std::size_t count : {kFewFiles, kManyFiles}) {
    TempDir dir;
    Env& env = *Env::Default();
    const std::string commit = dir.Join("checkpoint");
    MODELSEAL_ASSERT_OK(env.WriteFileAtomically(commit, "old", 0644, false));
    ASSERT_TRUE(std::filesystem::create_directory(dir.Join("tile")));
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < count; ++i) {
      paths.push_back(dir.Join("tile/" + std::to_string(i)));
    }
    paths.back() = dir.Join("missing/last");
    std::vector<FileToWrite> files;
    for (const std::string& path : paths) files.push_back({path, "tile"});
    EXPECT_THAT(env.WriteFilesThenCommit(files, {commit, "new"}, 0644),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")))
        << count;
    EXPECT_EQ(ReadOrEmpty(env, commit), "old");
    EXPECT_THAT(NamesIn(dir.path()),
                UnorderedElementsAre("checkpoint", "tile"));
  }
}

TEST(PosixEnvTest, WriteFilesThenCommitRemovesItsTemporaryWhenTheCommitFails) {
  for (std::size_t count : {kFewFiles, kManyFiles}) {
    TempDir dir;
    Env& env = *Env::Default();
    // A non-empty directory cannot be renamed over.
    const std::string commit = dir.Join("checkpoint");
    dir.Write("checkpoint/inside", "x");
    std::vector<FileToWrite> files;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < count; ++i) {
      paths.push_back(dir.Join("f" + std::to_string(i)));
    }
    for (const std::string& path : paths) files.push_back({path, "tile"});
    EXPECT_THAT(env.WriteFilesThenCommit(files, {commit, "new"}, 0644),
                StatusIs(absl::StatusCode::kInternal, HasSubstr("rename")))
        << count;
    EXPECT_EQ(NamesIn(dir.path()).size(), count + 1) << "temporary left";
    EXPECT_EQ(ReadOrEmpty(env, dir.Join("checkpoint/inside")), "x");
  }
}

TEST(PosixEnvTest, WriteFilesThenCommitWritesInPlaceThenCommits) {
  for (std::size_t count : {kFewFiles, kManyFiles}) {
    TempDir dir;
    Env& env = *Env::Default();
    const std::string commit = dir.Join("checkpoint");
    MODELSEAL_ASSERT_OK(env.WriteFileAtomically(commit, "old", 0600, false));
    ASSERT_TRUE(std::filesystem::create_directory(dir.Join("a")));
    ASSERT_TRUE(std::filesystem::create_directory(dir.Join("b")));
    // A longer leftover is truncated, not merely overwritten.
    dir.Write("a/0", std::string(1000, 'L'));
    std::vector<std::string> paths;
    std::vector<std::string> contents;
    for (std::size_t i = 0; i < count; ++i) {
      paths.push_back(dir.Join((i % 2 == 0 ? "a/" : "b/") + std::to_string(i)));
      contents.push_back("tile " + std::to_string(i));
    }
    std::vector<FileToWrite> files;
    for (std::size_t i = 0; i < count; ++i) {
      files.push_back({paths[i], contents[i]});
    }
    MODELSEAL_ASSERT_OK(env.WriteFilesThenCommit(files, {commit, "new"}, 0640));
    EXPECT_EQ(ReadOrEmpty(env, commit), "new");
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(ReadOrEmpty(env, paths[i]), contents[i]) << i;
      struct stat st;
      ASSERT_EQ(::stat(paths[i].c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0640u);
    }
    EXPECT_THAT(NamesIn(dir.path()),
                UnorderedElementsAre("a", "b", "checkpoint"));
    EXPECT_EQ(NamesIn(dir.Join("a")).size() + NamesIn(dir.Join("b")).size(),
              count);
  }
}

TEST(PosixEnvTest, WriteFilesAtomicallyFailingLeavesOldOrNewAndNoTemporaries) {
  for (std::size_t count : {kFewFiles, kManyFiles}) {
    // A file whose directory is missing fails before any rename.
    TempDir dir;
    Env& env = *Env::Default();
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < count; ++i) {
      paths.push_back(dir.Write("f" + std::to_string(i), "old"));
    }
    std::vector<FileToWrite> files;
    for (const std::string& path : paths) files.push_back({path, "new"});
    files[count / 2].path = dir.Join("missing/f");
    EXPECT_THAT(env.WriteFilesAtomically(files, 0644),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
    EXPECT_EQ(NamesIn(dir.path()).size(), count) << "temporary left";
    for (const std::string& path : paths) {
      EXPECT_EQ(ReadOrEmpty(env, path), "old") << path;
    }
    // A rename that fails (over a non-empty directory) after others went
    // through: each path is old or new, no temporary file is left.
    dir.Write("d/inside", "x");
    files[count / 2].path = dir.Join("d");
    EXPECT_THAT(env.WriteFilesAtomically(files, 0644),
                StatusIs(absl::StatusCode::kInternal, HasSubstr("rename")));
    EXPECT_EQ(NamesIn(dir.path()).size(), count + 1) << "temporary left";
    for (const std::string& path : paths) {
      EXPECT_THAT(ReadOrEmpty(env, path), ::testing::AnyOf("old", "new"));
    }
  }
}

// Generated contents: each made once, an error from the maker stops the
// call with every path old or new and nothing left beside them.
TEST(PosixEnvTest,
     WriteGeneratedFilesAtomicallyMakesEachOnceAndStopsAtAnError) {
  // 700: several rounds, the later ones made while the earlier ones sync.
  for (std::size_t count : {kFewFiles, kManyFiles, std::size_t{700}}) {
    for (const bool fail : {true, false}) {
      TempDir dir;
      Env& env = *Env::Default();
      std::vector<std::string> paths;
      std::vector<std::string> contents;
      for (std::size_t i = 0; i < count; ++i) {
        paths.push_back(dir.Write("f" + std::to_string(i), "old contents"));
        // Shorter and longer than the old contents.
        contents.push_back(absl::StrCat("new ", i, std::string(i % 23, 'n')));
      }
      const std::size_t failing = fail ? count * 2 / 3 : count;
      std::vector<std::atomic<int>> made(count);
      const absl::Status status = env.WriteGeneratedFilesAtomically(
          paths,
          [&](std::size_t i) -> absl::StatusOr<std::string> {
            made.at(i).fetch_add(1);
            if (i == failing) return absl::DataLossError("cannot make it");
            return contents.at(i);
          },
          0640);
      if (fail) {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss,
                                     HasSubstr("cannot make it")));
      } else {
        MODELSEAL_EXPECT_OK(status);
      }
      EXPECT_EQ(NamesIn(dir.path()).size(), count) << "temporary left";
      for (std::size_t i = 0; i < count; ++i) {
        EXPECT_LE(made[i].load(), 1) << i;
        const std::string now = ReadOrEmpty(env, paths[i]);
        if (fail) {
          EXPECT_THAT(now, ::testing::AnyOf("old contents", contents[i])) << i;
          if (i == failing) {
            EXPECT_EQ(now, "old contents");
          }
        } else {
          EXPECT_EQ(made[i].load(), 1) << i;
          EXPECT_EQ(now, contents[i]) << i;
          struct stat st;
          ASSERT_EQ(::lstat(paths[i].c_str(), &st), 0);
          EXPECT_EQ(st.st_mode & 07777, 0640u) << i;
        }
      }
    }
  }
}

TEST(PosixEnvTest, AppendsAndSyncsOnlyRegularFilesNotThroughSymlinks) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string path = dir.Join("journal");
  EXPECT_THAT(env.OpenForAppend(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("journal")));
  MODELSEAL_ASSERT_OK(env.WriteFileAtomically(path, "head;", 0644, true));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AppendFile> file,
                                 env.OpenForAppend(path));
  MODELSEAL_EXPECT_OK(file->Append("one;"));
  MODELSEAL_EXPECT_OK(file->Append("two;"));
  MODELSEAL_EXPECT_OK(file->Sync());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string contents,
                                 env.ReadFileToString(path, 100));
  EXPECT_EQ(contents, "head;one;two;");
  MODELSEAL_EXPECT_OK(env.SyncFileSystem(dir.path()));

  const std::string link = dir.Join("link");
  ASSERT_EQ(::symlink(path.c_str(), link.c_str()), 0);
  EXPECT_FALSE(env.OpenForAppend(link).ok());
  const std::string fifo = dir.Join("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Fails (no reader: ENXIO) instead of waiting for one.
  EXPECT_FALSE(env.OpenForAppend(fifo).ok());
  EXPECT_FALSE(env.OpenForAppend(dir.path()).ok());  // EISDIR
}

TEST(PosixEnvTest, WriteFilesThenCommitUnsyncedWritesInPlaceThenReplaces) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string tile = dir.Join("tile");
  const std::string commit = dir.Join("checkpoint");
  MODELSEAL_ASSERT_OK(env.WriteFileAtomically(tile, "old tile", 0644, true));
  MODELSEAL_ASSERT_OK(env.WriteFileAtomically(commit, "old", 0644, true));
  const FileToWrite files[] = {{tile, "new tile"}};
  MODELSEAL_ASSERT_OK(
      env.WriteFilesThenCommitUnsynced(files, {commit, "new"}, 0640));
  EXPECT_EQ(*env.ReadFileToString(tile, 100), "new tile");
  EXPECT_EQ(*env.ReadFileToString(commit, 100), "new");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(FileInfo info, env.LinkStat(commit));
  EXPECT_EQ(info.mode & 0777, 0640u);
  // No temporary file is left beside them.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            2);
  // A file that cannot be written leaves the commit as it was.
  const FileToWrite missing[] = {{dir.Join("no/such/dir/tile"), "x"}};
  EXPECT_FALSE(
      env.WriteFilesThenCommitUnsynced(missing, {commit, "newer"}, 0644).ok());
  EXPECT_EQ(*env.ReadFileToString(commit, 100), "new");
}

TEST(PosixEnvTest, WriteFilesAtomicallyReplacesEveryFile) {
  // 300: more replaced files than are ever kept open for closing later.
  for (std::size_t count : {kFewFiles, kManyFiles, std::size_t{300}}) {
    TempDir dir;
    Env& env = *Env::Default();
    std::vector<std::string> paths;
    std::vector<std::string> contents;
    for (std::size_t i = 0; i < count; ++i) {
      paths.push_back(dir.Write("f" + std::to_string(i), "old"));
      contents.push_back("new " + std::to_string(i));
    }
    std::vector<FileToWrite> files;
    for (std::size_t i = 0; i < count; ++i) {
      files.push_back({paths[i], contents[i]});
    }
    MODELSEAL_ASSERT_OK(env.WriteFilesAtomically(files, 0600));
    EXPECT_EQ(NamesIn(dir.path()).size(), count);
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(ReadOrEmpty(env, paths[i]), contents[i]);
      struct stat st;
      ASSERT_EQ(::stat(paths[i].c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
  }
}

// Whether the file system under `dir` swaps names with RENAME_EXCHANGE and
// grants write leases, which ExchangeRewriter needs to reuse old inodes.
bool SupportsExchangeAndLeases(TempDir& dir) {
  const std::string a = dir.Write("probe-a", "a");
  const std::string b = dir.Write("probe-b", "b");
  bool supported = ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(),
                               RENAME_EXCHANGE) == 0;
  const int fd = ::open(a.c_str(), O_RDWR | O_CLOEXEC);
  supported = supported && fd >= 0 && ::fcntl(fd, F_SETLEASE, F_WRLCK) == 0 &&
              ::fcntl(fd, F_SETLEASE, F_UNLCK) == 0;
  if (fd >= 0) ::close(fd);
  ::unlink(a.c_str());
  ::unlink(b.c_str());
  return supported;
}

// Many files are replaced by exchanging each with a scratch file, whose
// old inode later receives another file's contents. That must never show
// through a name, descriptor or mapping that still reaches the old file,
// nor carry its mode or attributes into a new file.
TEST(PosixEnvTest, WriteFilesAtomicallyReusesOnlyOldFilesNothingElseReaches) {
  constexpr std::size_t kCount = 700;  // several rounds of scratch files
  TempDir dir;
  Env& env = *Env::Default();
  std::vector<std::string> paths;
  std::set<ino_t> old_inodes;
  for (std::size_t i = 0; i < kCount; ++i) {
    paths.push_back(
        dir.Write("f" + std::to_string(i), "old " + std::to_string(i)));
    struct stat st;
    ASSERT_EQ(::stat(paths.back().c_str(), &st), 0);
    old_inodes.insert(st.st_ino);
  }
  // Spread over the first rounds: a second link, an open descriptor, a
  // mapping whose descriptor is closed, an extended attribute, odd modes.
  const std::string link = dir.Join("link-to-f1");
  ASSERT_EQ(::link(paths[1].c_str(), link.c_str()), 0);
  const int reader = ::open(paths[2].c_str(), O_RDONLY);
  ASSERT_GE(reader, 0);
  const int mapped_fd = ::open(paths[300].c_str(), O_RDONLY);
  ASSERT_GE(mapped_fd, 0);
  void* mapped = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, mapped_fd, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  ::close(mapped_fd);
  const bool has_xattrs =
      ::setxattr(paths[3].c_str(), "user.modelseal-test", "x", 1, 0) == 0;
  ASSERT_EQ(::chmod(paths[4].c_str(), 0700), 0);
  ASSERT_EQ(::chmod(paths[5].c_str(), 0600), 0);
  // A symlink is replaced itself; the file it points to is left alone.
  TempDir elsewhere;
  const std::string outside = elsewhere.Write("outside", "outside");
  ASSERT_EQ(::unlink(paths[6].c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), paths[6].c_str()), 0);

  std::vector<std::string> contents;
  std::vector<FileToWrite> files;
  for (std::size_t i = 0; i < kCount; ++i) {
    // Contents of different lengths, shorter and longer than "old i".
    contents.push_back("new " + std::to_string(i) +
                       std::string(i % 5 * 3, '+'));
  }
  for (std::size_t i = 0; i < kCount; ++i) {
    files.push_back({paths[i], contents[i]});
  }
  MODELSEAL_ASSERT_OK(env.WriteFilesAtomically(files, 0640));

  std::size_t reused = 0;
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(ReadOrEmpty(env, paths[i]), files[i].contents) << paths[i];
    struct stat st;
    ASSERT_EQ(::lstat(paths[i].c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << paths[i];
    EXPECT_EQ(st.st_mode & 07777, 0640u) << paths[i];
    EXPECT_EQ(st.st_nlink, 1u) << paths[i];
    if (has_xattrs) {
      EXPECT_EQ(::listxattr(paths[i].c_str(), nullptr, 0), 0) << paths[i];
    }
    if (old_inodes.count(st.st_ino) != 0) ++reused;
  }
  EXPECT_EQ(ReadOrEmpty(env, link), "old 1");
  EXPECT_EQ(ReadOrEmpty(env, outside), "outside");
  char buffer[16] = {};
  EXPECT_EQ(::pread(reader, buffer, sizeof(buffer), 0), 5);
  EXPECT_EQ(std::string(buffer), "old 2");
  EXPECT_EQ(std::string(static_cast<const char*>(mapped), 7), "old 300");
  ::munmap(mapped, 4096);
  ::close(reader);
  // The old inodes were reused (the point of the exchange) where the file
  // system offers what reuse needs, and no scratch file is left beside the
  // files.
  if (SupportsExchangeAndLeases(dir)) {
    EXPECT_GT(reused, kCount / 2);
  } else {
    std::cerr << "note: no RENAME_EXCHANGE or write leases in " << dir.path()
              << ": replaced files were not reused\n";
  }
  EXPECT_EQ(NamesIn(dir.path()).size(), kCount + 1);
}

// Files spread over more directories than the process may hold open are
// replaced too: a round keeps only its own directories open.
TEST(PosixEnvTest, WriteFilesAtomicallyAcrossMoreDirectoriesThanDescriptors) {
  constexpr std::size_t kCount = 700;
  constexpr rlim_t kOpenFiles = 640;
  TempDir dir;
  Env& env = *Env::Default();
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  for (std::size_t i = 0; i < kCount; ++i) {
    paths.push_back(dir.Write("d" + std::to_string(i) + "/f", "old"));
    contents.push_back("new " + std::to_string(i));
  }
  std::vector<FileToWrite> files;
  for (std::size_t i = 0; i < kCount; ++i) {
    files.push_back({paths[i], contents[i]});
  }
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit lowered = saved;
  lowered.rlim_cur = std::min(saved.rlim_cur, kOpenFiles);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const absl::Status written = env.WriteFilesAtomically(files, 0644);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  MODELSEAL_ASSERT_OK(written);
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(ReadOrEmpty(env, paths[i]), contents[i]) << paths[i];
    EXPECT_EQ(NamesIn(dir.Join("d" + std::to_string(i))).size(), 1u) << i;
  }
}

// A writer killed while it replaces many files leaves each of them whole,
// old or new: tests/tlog/crash_writer.cc in "rewrite" mode replaces the
// same files again and again, printing each generation once every file
// holds it.
TEST(PosixEnvTest, WriteFilesAtomicallyKilledLeavesEveryFileOldOrNew) {
  TempDir dir;
  Env& env = *Env::Default();
  std::mt19937_64 random(20261201);
  // The generations a file may hold (before the first run: none, and no
  // file exists).
  std::set<std::uint64_t> allowed;
  std::uint64_t next = 1;  // first generation of the next run
  std::uint64_t acknowledged_total = 0;
  for (int round = 0; round < 12; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const std::string start = std::to_string(next);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      const std::string path = dir.path();
      ::execl(MODELSEAL_CRASH_WRITER, MODELSEAL_CRASH_WRITER, "rewrite",
              path.c_str(), start.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(30 + random() % 400);
    std::string output;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{pipe_fds[0], POLLIN, 0};
      if (::poll(&poll_fd, 1, 5) > 0) {
        char chunk[4096];
        const ssize_t n = ::read(pipe_fds[0], chunk, sizeof(chunk));
        if (n <= 0) break;
        output.append(chunk, static_cast<std::size_t>(n));
      }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(pipe_fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "rewriter exited: " << output;
    // The last complete line is the newest generation every file holds.
    std::uint64_t acknowledged = 0;
    const std::size_t end = output.rfind('\n');
    if (end != std::string::npos) {
      const std::size_t line = output.rfind('\n', end - 1);
      const std::size_t begin = line == std::string::npos ? 0 : line + 1;
      ASSERT_TRUE(
          absl::SimpleAtoi(output.substr(begin, end - begin), &acknowledged))
          << output;
      allowed = {acknowledged, acknowledged + 1};
      next = acknowledged + 2;
      ++acknowledged_total;
    } else {
      allowed.insert(next);  // killed within its first generation
      ++next;
    }
    // Every file holds one whole generation it may hold.
    std::size_t files = 0;
    for (const std::string& name : NamesIn(dir.path())) {
      if (name.rfind("f", 0) != 0) {
        EXPECT_EQ(name.rfind(".modelseal.tmp-", 0), 0u) << name;
        continue;
      }
      ++files;
      const std::string contents = ReadOrEmpty(env, dir.Join(name));
      const std::size_t space = contents.find(' ');
      std::uint64_t generation = 0;
      ASSERT_TRUE(space != std::string::npos &&
                  absl::SimpleAtoi(contents.substr(1, space - 1), &generation))
          << name << ": " << contents.substr(0, 40);
      EXPECT_EQ(contents, testing::RewriteContents(generation,
                                                   std::stoul(name.substr(1))))
          << name;
      EXPECT_EQ(allowed.count(generation), 1u)
          << name << " holds generation " << generation;
    }
    if (acknowledged > 0) {
      EXPECT_EQ(files, testing::kRewriteFiles);
    }
  }
  EXPECT_GT(acknowledged_total, 0u)
      << "the rewriter never finished a generation";
}

TEST(MemoryEnvTest, WriteFilesThenCommitWritesEveryFileThenTheCommit) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(env->CreateDirectories("/log/tile", 0755));
  const FileToWrite files[] = {{"/log/tile/a", "A"}, {"/log/tile/b", "B"}};
  MODELSEAL_ASSERT_OK(
      env->WriteFilesThenCommit(files, {"/log/checkpoint", "C"}, 0644));
  EXPECT_EQ(ReadOrEmpty(*env, "/log/tile/a"), "A");
  EXPECT_EQ(ReadOrEmpty(*env, "/log/tile/b"), "B");
  EXPECT_EQ(ReadOrEmpty(*env, "/log/checkpoint"), "C");
  // A file that cannot be written stops the commit.
  const FileToWrite bad[] = {{"/missing/a", "A"}};
  EXPECT_FALSE(
      env->WriteFilesThenCommit(bad, {"/log/checkpoint", "D"}, 0644).ok());
  EXPECT_EQ(ReadOrEmpty(*env, "/log/checkpoint"), "C");
}

TEST(MemoryEnvTest, WriteGeneratedFilesAtomicallyWritesNothingIfOneFails) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(env->CreateDirectories("/d", 0755));
  const std::vector<std::string> paths = {"/d/a", "/d/b", "/d/c"};
  auto make = [](std::size_t i) -> absl::StatusOr<std::string> {
    if (i == 2) return absl::InvalidArgumentError("bad third file");
    return std::string(1, static_cast<char>('A' + i));
  };
  EXPECT_THAT(env->WriteGeneratedFilesAtomically(paths, make, 0644),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad third file")));
  EXPECT_FALSE(env->LinkStat("/d/a").ok());
  const std::vector<std::string> two = {"/d/a", "/d/b"};
  MODELSEAL_ASSERT_OK(env->WriteGeneratedFilesAtomically(two, make, 0644));
  EXPECT_EQ(ReadOrEmpty(*env, "/d/a"), "A");
  EXPECT_EQ(ReadOrEmpty(*env, "/d/b"), "B");
}

TEST(MemoryEnvTest, ListsFilesAndResolvesSymlinks) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/a.txt", "A"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/sub/b", "B"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/link", "sub/b"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto names, env->ListDirectory("/m"));
  EXPECT_THAT(names, UnorderedElementsAre("a.txt", "sub", "link"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(FileInfo link, env->LinkStat("/m/link"));
  EXPECT_EQ(link.type, FileType::kSymlink);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string real, env->RealPath("/m/link"));
  EXPECT_EQ(real, "/m/sub/b");
  EXPECT_THAT(env->OpenForRead("/m/link"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("symbolic link")));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string contents,
                                 env->ReadFileToString("/m/sub/b", 10));
  EXPECT_EQ(contents, "B");
}

TEST(PathTest, JoinsAndSplits) {
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(Basename("/x/y/model/"), "model");
  EXPECT_EQ(Basename("model"), "model");
  EXPECT_EQ(Basename("/"), "");
}

}  // namespace
}  // namespace modelseal
