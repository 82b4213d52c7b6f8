#include "modelseal/env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
