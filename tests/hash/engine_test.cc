#include "modelseal/hash_engine.h"

#include <unistd.h>

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/blake3.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::PseudoRandomBytes;
using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;

std::vector<std::uint8_t> Expected(HashAlgorithm algorithm,
                                   const std::string& data) {
  return HashBytes(algorithm, data);
}

HashTask WholeFile(Env& env, const std::string& path) {
  auto info = env.LinkStat(path);
  EXPECT_TRUE(info.ok()) << info.status();
  return HashTask{path, 0, info->size, *info};
}

class EngineTest
    : public ::testing::TestWithParam<std::tuple<HashAlgorithm, unsigned>> {};

TEST_P(EngineTest, MatchesOneShotHashingOfEveryFileAndRange) {
  const auto [algorithm, threads] = GetParam();
  TempDir dir;
  Env& env = *Env::Default();
  // Sizes around buffer and SIMD boundaries, two multi-buffer files, and one
  // large enough to be read through mapped windows (at an unaligned offset
  // for its range task).
  const std::vector<std::size_t> sizes = {0,
                                          1,
                                          63,
                                          64,
                                          65,
                                          1023,
                                          1024,
                                          1025,
                                          (1 << 20) - 1,
                                          1 << 20,
                                          (1 << 20) + 1,
                                          3 * (1 << 20) + 12345,
                                          7,
                                          (20 << 20) + 12345};
  std::vector<HashTask> tasks;
  std::vector<std::vector<std::uint8_t>> expected;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::string data = PseudoRandomBytes(sizes[i], i);
    const std::string path = dir.Write("f" + std::to_string(i), data);
    tasks.push_back(WholeFile(env, path));
    expected.push_back(Expected(algorithm, data));
    if (sizes[i] > 100) {
      // A range in the middle, as the shards method asks for.
      HashTask range = WholeFile(env, path);
      range.offset = 37;
      range.length = sizes[i] - 100;
      tasks.push_back(range);
      expected.push_back(Expected(algorithm, data.substr(37, sizes[i] - 100)));
    }
  }
  std::atomic<std::uint64_t> done{0};
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine, HashEngine::Create({algorithm, threads, nullptr, &done}));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run(tasks));
  ASSERT_EQ(digests.size(), expected.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    EXPECT_EQ(HexEncode(digests[i]), HexEncode(expected[i])) << "task " << i;
    total += tasks[i].length;
  }
  EXPECT_EQ(done.load(), total);
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithmsAndThreadCounts, EngineTest,
    ::testing::Combine(::testing::Values(HashAlgorithm::kSha256,
                                         HashAlgorithm::kBlake2b,
                                         HashAlgorithm::kBlake3),
                       ::testing::Values(1u, 2u, 3u, 8u)));

TEST(EngineBlake3Test, SplitsLargeFilesIntoSubtreesWithTheSameDigest) {
  // Large enough to be split into several subtrees on 2+ threads, with a
  // partial last chunk.
  TempDir dir;
  Env& env = *Env::Default();
  for (std::size_t size :
       {std::size_t{64} << 20, (std::size_t{41} << 20) + 1031}) {
    const std::string data = PseudoRandomBytes(size, size);
    const std::string path = dir.Write("big", data);
    Blake3Hasher reference;
    reference.Update(data);
    const auto want = reference.Finalize();
    for (unsigned threads : {1u, 2u, 5u}) {
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          auto engine, HashEngine::Create({HashAlgorithm::kBlake3, threads,
                                           nullptr, nullptr}));
      MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests,
                                     engine->Run({WholeFile(env, path)}));
      EXPECT_EQ(HexEncode(digests[0]), HexEncode(want))
          << size << " bytes, " << threads;
    }
  }
}

// Wraps the POSIX env; files it opens report a changed mtime on their
// second fstat, or read short, as a file being rewritten would.
class FlakyEnv : public Env {
 public:
  enum class Fault {
    kChangesWhileRead,
    kShrinksWhileRead,
    kTruncatedWhileMapped
  };
  explicit FlakyEnv(Fault fault) : fault_(fault) {}

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> OpenForRead(
      const std::string& path) override {
    MODELSEAL_ASSIGN_OR_RETURN(auto file, Env::Default()->OpenForRead(path));
    return std::unique_ptr<RandomAccessFile>(
        new FlakyFile(std::move(file), fault_, path));
  }
  absl::StatusOr<FileInfo> LinkStat(const std::string& p) override {
    return Env::Default()->LinkStat(p);
  }
  absl::StatusOr<FileInfo> Stat(const std::string& p) override {
    return Env::Default()->Stat(p);
  }
  absl::StatusOr<std::vector<std::string>> ListDirectory(
      const std::string& p) override {
    return Env::Default()->ListDirectory(p);
  }
  absl::StatusOr<std::string> ReadLink(const std::string& p) override {
    return Env::Default()->ReadLink(p);
  }
  absl::StatusOr<std::string> RealPath(const std::string& p) override {
    return Env::Default()->RealPath(p);
  }
  absl::Status CreateDirectory(const std::string& p, std::uint32_t m) override {
    return Env::Default()->CreateDirectory(p, m);
  }
  absl::Status WriteFileAtomically(const std::string& p, absl::string_view c,
                                   std::uint32_t m, bool o) override {
    return Env::Default()->WriteFileAtomically(p, c, m, o);
  }
  absl::Status DeleteFile(const std::string& p) override {
    return Env::Default()->DeleteFile(p);
  }

 private:
  class FlakyFile : public RandomAccessFile {
   public:
    FlakyFile(std::unique_ptr<RandomAccessFile> base, Fault fault,
              std::string path)
        : base_(std::move(base)), fault_(fault), path_(std::move(path)) {}
    // Maps like the real file, except that for kTruncatedWhileMapped the
    // file is cut to nothing right after the mapping is made, as another
    // process truncating it mid-hash would.
    absl::StatusOr<std::unique_ptr<MappedRegion>> Map(
        std::uint64_t offset, std::size_t length) const override {
      // Short reads only exist on the read() path: make the engine use it.
      if (fault_ == Fault::kShrinksWhileRead)
        return absl::UnimplementedError("reads only");
      if (fault_ != Fault::kTruncatedWhileMapped)
        return base_->Map(offset, length);
      MODELSEAL_ASSIGN_OR_RETURN(auto region, base_->Map(offset, length));
      if (::truncate(path_.c_str(), 0) != 0)
        return absl::InternalError("truncate failed");
      return region;
    }
    absl::StatusOr<std::size_t> ReadAt(
        std::uint64_t offset, absl::Span<std::uint8_t> buffer) const override {
      MODELSEAL_ASSIGN_OR_RETURN(std::size_t n, base_->ReadAt(offset, buffer));
      if (fault_ == Fault::kShrinksWhileRead && offset > 0) return n / 2;
      return n;
    }
    absl::StatusOr<FileInfo> Stat() const override {
      MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, base_->Stat());
      if (fault_ == Fault::kChangesWhileRead && ++stats_ > 1)
        info.mtime_ns += 1;
      return info;
    }

   private:
    std::unique_ptr<RandomAccessFile> base_;
    Fault fault_;
    std::string path_;
    mutable int stats_ = 0;
  };
  Fault fault_;
};

TEST(EngineTest, FileModifiedWhileHashedIsAnError) {
  TempDir dir;
  const std::string path = dir.Write("w", PseudoRandomBytes(3 << 20, 1));
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
        HashAlgorithm::kBlake3}) {
    FlakyEnv env(FlakyEnv::Fault::kChangesWhileRead);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine, HashEngine::Create({algorithm, 2, &env, nullptr}));
    EXPECT_THAT(engine->Run({WholeFile(env, path)}),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("changed while being hashed")));
  }
}

TEST(EngineTest, FileShrinkingWhileHashedIsAnError) {
  TempDir dir;
  const std::string path = dir.Write("w", PseudoRandomBytes(3 << 20, 2));
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake3}) {
    FlakyEnv env(FlakyEnv::Fault::kShrinksWhileRead);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine, HashEngine::Create({algorithm, 2, &env, nullptr}));
    EXPECT_THAT(engine->Run({WholeFile(env, path)}),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shrank")));
  }
}

TEST(EngineTest, FileTruncatedWhileMappedIsAnErrorNotACrash) {
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
        HashAlgorithm::kBlake3}) {
    TempDir dir;
    // Large enough to be read through mappings (kHashMapMinimumBytes).
    const std::string path = dir.Write("w", PseudoRandomBytes(20 << 20, 3));
    FlakyEnv env(FlakyEnv::Fault::kTruncatedWhileMapped);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine, HashEngine::Create({algorithm, 1, &env, nullptr}));
    // The unit that hit the truncation reports the bus error ("shrank"); a
    // unit of the same file opened afterwards may see the new size first
    // ("changed"). Either way: data loss, no digest, no crash.
    EXPECT_THAT(
        engine->Run({WholeFile(env, path)}),
        StatusIs(absl::StatusCode::kDataLoss,
                 ::testing::AnyOf(HasSubstr("shrank"), HasSubstr("changed"))))
        << HashAlgorithmName(algorithm);
  }
}

TEST(MappedReadsTest, CatchesABusErrorOnlyInsideItsRegions) {
  TempDir dir;
  const std::string path = dir.Write("m", std::string(1 << 20, 'm'));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto file, Env::Default()->OpenForRead(path));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto region, file->Map(0, 1 << 20));
  const MappedRegion* regions[] = {region.get()};
  volatile std::uint8_t sink = 0;
  MODELSEAL_EXPECT_OK(
      RunWithMappedReads(regions, [&] { sink = region->bytes()[12345]; }));
  EXPECT_EQ(sink, 'm');
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  EXPECT_THAT(
      RunWithMappedReads(regions, [&] { sink = region->bytes()[500000]; }),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shrank")));
  // The guard is released afterwards: the next guarded read works again.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto other_file,
      Env::Default()->OpenForRead(dir.Write("n", std::string(4096, 'n'))));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto other, other_file->Map(0, 4096));
  const MappedRegion* other_regions[] = {other.get()};
  MODELSEAL_EXPECT_OK(
      RunWithMappedReads(other_regions, [&] { sink = other->bytes()[7]; }));
  EXPECT_EQ(sink, 'n');
}

TEST(MappedReadsDeathTest, ABusErrorOutsideAGuardStillKillsTheProcess) {
  TempDir dir;
  const std::string path = dir.Write("m", std::string(1 << 20, 'm'));
  EXPECT_DEATH(
      {
        auto file = Env::Default()->OpenForRead(path);
        auto region = (*file)->Map(0, 1 << 20);
        // Arm the handler once, then fault outside any guard.
        const MappedRegion* none[] = {nullptr};
        (void)RunWithMappedReads(none, [] {});
        if (::truncate(path.c_str(), 0) != 0) std::abort();
        volatile std::uint8_t byte = (*region)->bytes()[500000];
        (void)byte;
      },
      "");
}

TEST(EngineTest, FileChangedSinceListingIsAnError) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string path = dir.Write("f", "before");
  HashTask task = WholeFile(env, path);
  dir.Write("f", "after, and longer");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kSha256, 1, nullptr, nullptr}));
  EXPECT_THAT(engine->Run({task}),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("changed before hashing")));
}

TEST(EngineTest, MissingFileIsNotFound) {
  TempDir dir;
  HashTask task{dir.Join("gone"), 0, 0, {}};
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kBlake3, 2, nullptr, nullptr}));
  EXPECT_THAT(engine->Run({task}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("gone")));
}

TEST(EngineTest, RejectsAbsurdThreadCounts) {
  EXPECT_THAT(
      HashEngine::Create({HashAlgorithm::kSha256, 100000, nullptr, nullptr}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("threads")));
}

TEST(EngineTest, EmptyTaskListGivesNoDigests) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kSha256, 2, nullptr, nullptr}));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run({}));
  EXPECT_TRUE(digests.empty());
}

}  // namespace
}  // namespace modelseal
