#include "modelseal/env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

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
