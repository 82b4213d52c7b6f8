#include "modelseal/model_walk.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const std::vector<ModelFile>& files) {
  std::vector<std::string> names;
  for (const ModelFile& file : files) names.push_back(file.name);
  return names;
}

WalkOptions Defaults() {
  WalkOptions options;
  options.ignore_paths = DefaultIgnorePaths();
  return options;
}

TEST(WalkTest, ListsEveryRegularFileSortedByBytes) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/a.txt", "/m/a/b", "/m/a-b", "/m/B", "/m/.hidden",
                           "/m/sub/.gitignore", "/m/sub/.git/config"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, path));
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, WalkModel(*env, "/m", Defaults()));
  // Byte order: '-' (0x2d) < '.' (0x2e) < '/' (0x2f); ignores are top-level
  // only, so sub/.git and sub/.gitignore stay.
  EXPECT_THAT(Names(files), ElementsAre(".hidden", "B", "a-b", "a.txt", "a/b",
                                        "sub/.git/config", "sub/.gitignore"));
}

TEST(WalkTest, DefaultIgnoresApplyAtTheTopLevelByComponent) {
  auto env = NewMemoryEnv();
  for (const char* path :
       {"/m/.git/HEAD", "/m/.github/workflows/ci.yml", "/m/.gitattributes",
        "/m/.gitignore", "/m/.gitkeep", "/m/model.bin"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, WalkModel(*env, "/m", Defaults()));
  EXPECT_THAT(Names(files), ElementsAre(".gitkeep", "model.bin"));
}

TEST(WalkTest, UserIgnorePathsMatchWholeComponents) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/data/a", "/m/data2/b", "/m/model.sig", "/m/w"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  WalkOptions options = Defaults();
  options.ignore_paths.push_back("data");
  options.ignore_paths.push_back("model.sig");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, WalkModel(*env, "/m", options));
  EXPECT_THAT(Names(files), ElementsAre("data2/b", "w"));
}

TEST(WalkTest, RejectsMalformedIgnorePaths) {
  for (const char* bad : {"", "/abs", "../up", "a/../b", "a//b", "."}) {
    EXPECT_THAT(
        NormalizeIgnorePath(bad),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ignore path")))
        << bad;
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string normalized,
                                 NormalizeIgnorePath("dir/"));
  EXPECT_EQ(normalized, "dir");
}

TEST(WalkTest, RefusesSymlinksByDefault) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/real", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/link", "real"));
  EXPECT_THAT(WalkModel(*env, "/m", Defaults()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("link: is a symbolic link")));
}

TEST(WalkTest, FollowsAllowedSymlinksInsideTheRoot) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/real", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/dir/f", "y"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/link", "real"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/dirlink", "dir"));
  WalkOptions options = Defaults();
  options.allow_symlinks = true;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, WalkModel(*env, "/m", options));
  EXPECT_THAT(Names(files), ElementsAre("dir/f", "dirlink/f", "link", "real"));
  EXPECT_EQ(files[2].path, "/m/real");
}

TEST(WalkTest, RefusesSymlinksLeavingTheRootEvenWhenAllowed) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/secret", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/ok", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/escape", "../secret"));
  WalkOptions options = Defaults();
  options.allow_symlinks = true;
  EXPECT_THAT(WalkModel(*env, "/m", options),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("outside the model root")));
}

TEST(WalkTest, RefusesSymlinkCycles) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/d/f", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/d/loop", ".."));
  WalkOptions options = Defaults();
  options.allow_symlinks = true;
  EXPECT_THAT(
      WalkModel(*env, "/m", options),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cycle")));
}

TEST(WalkTest, RefusesSpecialFiles) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/ok", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSpecialFile(*env, "/m/fifo"));
  EXPECT_THAT(WalkModel(*env, "/m", Defaults()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("fifo: is a special file")));
}

TEST(WalkTest, RefusesNamesThatAreNotUtf8) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/bad\xff", "x"));
  EXPECT_THAT(WalkModel(*env, "/m", Defaults()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid UTF-8")));
}

TEST(WalkTest, ValidatesUtf8Strictly) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("mod\xc3\xa8le \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
}

TEST(WalkTest, EmptyModelIsAnError) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/.git/HEAD", "x"));
  EXPECT_THAT(WalkModel(*env, "/m", Defaults()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(WalkTest, SingleFileModelIsNamedDot) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/weights.gguf", "x"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files,
                                 WalkModel(*env, "/weights.gguf", Defaults()));
  EXPECT_THAT(Names(files), ElementsAre("."));
}

TEST(WalkTest, MissingRootIsNotFound) {
  auto env = NewMemoryEnv();
  EXPECT_THAT(WalkModel(*env, "/nothing", Defaults()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nothing")));
}

// BackgroundWalk: the result must be WalkModel's with the options given to
// Take(), whatever the guess was. The dangerous direction is a guess that
// ignores more, or follows symlinks the statement refuses: its listing
// would leave files unchecked.

// Whether this process may run on more than one CPU (else nothing runs in
// the background).
bool Multicore() {
  cpu_set_t allowed;
  return sched_getaffinity(0, sizeof allowed, &allowed) == 0 &&
         CPU_COUNT(&allowed) > 1;
}

TEST(BackgroundWalkTest, TakeWithTheGuessGivesWalkModelsResult) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/a", "/m/.git/HEAD", "/m/d/b", "/m/d/e/c"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  BackgroundWalk early(*env, "/m", Defaults());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(Defaults()));
  EXPECT_THAT(Names(files), ElementsAre("a", "d/b", "d/e/c"));
  EXPECT_EQ(early.used_background(), Multicore());
}

TEST(BackgroundWalkTest, IgnorePathsCountAsASetInAnyOrder) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/a", "/m/.github/x", "/m/skip/y"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  WalkOptions guess = Defaults();
  guess.ignore_paths.push_back("skip");
  WalkOptions wanted;
  wanted.ignore_paths = {"skip", ".gitignore", ".github",
                         ".git", "skip",       ".gitattributes"};
  BackgroundWalk early(*env, "/m", guess);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(wanted));
  EXPECT_THAT(Names(files), ElementsAre("a"));
  EXPECT_EQ(early.used_background(), Multicore());
}

TEST(BackgroundWalkTest, AGuessThatIgnoresMoreIsNotUsed) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/a", "/m/.git/HEAD", "/m/extra/payload.py"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  WalkOptions guess = Defaults();
  guess.ignore_paths.push_back("extra");
  BackgroundWalk early(*env, "/m", guess);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(WalkOptions()));
  EXPECT_THAT(Names(files), ElementsAre(".git/HEAD", "a", "extra/payload.py"));
  EXPECT_FALSE(early.used_background());
}

TEST(BackgroundWalkTest, AGuessThatIgnoresLessIsNotUsed) {
  auto env = NewMemoryEnv();
  for (const char* path : {"/m/a", "/m/scratch/b"}) {
    MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, path, "x"));
  }
  WalkOptions wanted = Defaults();
  wanted.ignore_paths.push_back("scratch");
  BackgroundWalk early(*env, "/m", Defaults());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(wanted));
  EXPECT_THAT(Names(files), ElementsAre("a"));
  EXPECT_FALSE(early.used_background());
}

TEST(BackgroundWalkTest, TheSymlinkRuleMustMatch) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/real", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/link", "real"));
  WalkOptions follow = Defaults();
  follow.allow_symlinks = true;
  {
    // Guessed "follow", the statement refuses links: refused.
    BackgroundWalk early(*env, "/m", follow);
    EXPECT_THAT(early.Take(Defaults()),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("link: is a symbolic link")));
    EXPECT_FALSE(early.used_background());
  }
  {
    BackgroundWalk early(*env, "/m", Defaults());
    MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(follow));
    EXPECT_THAT(Names(files), ElementsAre("link", "real"));
    EXPECT_FALSE(early.used_background());
  }
}

TEST(BackgroundWalkTest, ErrorsComeBackAsWalkModelGivesThem) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/real", "x"));
  MODELSEAL_ASSERT_OK(MemoryEnvAddSymlink(*env, "/m/link", "real"));
  BackgroundWalk early(*env, "/m", Defaults());
  EXPECT_THAT(early.Take(Defaults()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("link: is a symbolic link")));
  BackgroundWalk missing(*env, "/nothing", Defaults());
  EXPECT_THAT(missing.Take(Defaults()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nothing")));
}

TEST(BackgroundWalkTest, TheCallersCpuAffinityIsLeftAlone) {
  // The walking thread is kept off the caller's CPU. Setting that after the
  // thread starts would, once the thread has already finished (a walk of a
  // missing root ends at once), pin the caller instead.
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  auto env = NewMemoryEnv();
  // The race is narrow (the thread must end before its creator returns
  // from creating it): the wrong order failed one run in five of 300 walks
  // and three in five of 3,000, so this makes 10,000 (under a second).
  for (int i = 0; i < 10000; ++i) {
    BackgroundWalk early(*env, "/nothing", Defaults());
    EXPECT_THAT(early.Take(Defaults()),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("nothing")));
    cpu_set_t after;
    ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
    ASSERT_TRUE(CPU_EQUAL(&before, &after)) << "after walk " << i;
  }
}

TEST(PosixWalkTest, ABackgroundWalkNeverTakenIsStoppedAndJoined) {
  TempDir dir;
  for (int d = 0; d < 200; ++d) {
    const std::string sub = dir.Join(absl::StrCat("d", d));
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    for (int f = 0; f < 50; ++f) {
      FILE* file = std::fopen(absl::StrCat(sub, "/", f).c_str(), "w");
      ASSERT_NE(file, nullptr);
      std::fclose(file);
    }
  }
  // Destroyed at once, then again after the walk is under way: each must
  // return (stopping or waiting for the walk) and leave nothing running.
  { BackgroundWalk early(*Env::Default(), dir.path(), Defaults()); }
  {
    BackgroundWalk early(*Env::Default(), dir.path(), Defaults());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  BackgroundWalk early(*Env::Default(), dir.path(), Defaults());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto files, early.Take(Defaults()));
  EXPECT_EQ(files.size(), 10000u);
}

TEST(PosixWalkTest, HandlesAHundredThousandEmptyFiles) {
  TempDir dir;
  for (int d = 0; d < 100; ++d) {
    const std::string sub = dir.Join(absl::StrCat("d", d));
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    for (int f = 0; f < 1000; ++f) {
      const std::string path = absl::StrCat(sub, "/", f);
      FILE* file = std::fopen(path.c_str(), "w");
      ASSERT_NE(file, nullptr);
      std::fclose(file);
    }
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto files, WalkModel(*Env::Default(), dir.path(), Defaults()));
  EXPECT_EQ(files.size(), 100000u);
  EXPECT_TRUE(std::is_sorted(
      files.begin(), files.end(),
      [](const ModelFile& a, const ModelFile& b) { return a.name < b.name; }));
}

TEST(PosixWalkTest, RefusesAFifoWithoutBlocking) {
  TempDir dir;
  dir.Write("weights", "x");
  ASSERT_EQ(::mkfifo(dir.Join("pipe").c_str(), 0600), 0);
  EXPECT_THAT(
      WalkModel(*Env::Default(), dir.path(), Defaults()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pipe")));
}

TEST(PosixWalkTest, RefusesAnEscapingSymlink) {
  TempDir outside;
  TempDir dir;
  outside.Write("secret", "x");
  dir.Write("weights", "x");
  ASSERT_EQ(
      ::symlink(outside.Join("secret").c_str(), dir.Join("escape").c_str()), 0);
  WalkOptions options = Defaults();
  options.allow_symlinks = true;
  EXPECT_THAT(WalkModel(*Env::Default(), dir.path(), options),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("outside the model root")));
}

}  // namespace
}  // namespace modelseal
