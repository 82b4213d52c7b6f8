#include "modelseal/hash_engine.h"
#include "modelseal/limits.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hash/sha256.h"
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

class EngineTest : public ::testing::TestWithParam<
                       std::tuple<HashAlgorithm, unsigned, bool>> {};

TEST_P(EngineTest, MatchesOneShotHashingOfEveryFileAndRange) {
  const auto [algorithm, threads, map] = GetParam();
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
    const std::string path = dir.Write(absl::StrCat("f", i), data);
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
      auto engine,
      HashEngine::Create({algorithm, threads, nullptr, &done,
                          map ? HashEngineOptions::LargeReads::kMap
                              : HashEngineOptions::LargeReads::kRead}));
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
                       ::testing::Values(1u, 2u, 3u, 8u), ::testing::Bool()));

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
        auto engine, HashEngine::Create({algorithm, 1, &env, nullptr,
                                         HashEngineOptions::LargeReads::kMap}));
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

// Large runs read either way, or as the probe before the run decides (here
// from 64 MiB of large runs on), give the same digests; an Env that cannot
// map makes the probe choose reading.
TEST(EngineTest, EveryWayOfReadingLargeRunsGivesTheSameDigests) {
  TempDir dir;
  const std::string block = PseudoRandomBytes(1 << 20, 77);
  // Every MiB different: its number in its first bytes; an odd length.
  constexpr std::uint64_t kProbeAbove = std::uint64_t{64} << 20;
  const std::size_t blocks = (kProbeAbove >> 20) + 3;
  std::string data(blocks * block.size() + 5, 't');
  for (std::size_t i = 0; i < blocks; ++i) {
    std::memcpy(data.data() + i * block.size(), block.data(), block.size());
    std::memcpy(data.data() + i * block.size(), &i, sizeof(i));
  }
  const std::string path = dir.Write("large", data);
  Env& env = *Env::Default();
  std::unique_ptr<Env> memory = NewMemoryEnv();
  const std::string memory_path = "/m/large";
  MODELSEAL_ASSERT_OK(memory->CreateDirectories("/m", 0755));
  MODELSEAL_ASSERT_OK(
      memory->WriteFileAtomically(memory_path, data, 0644, true));
  const std::uint64_t head_length = (30 << 20) + 13;
  const absl::string_view bytes(data);
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake3}) {
    const std::vector<std::uint8_t> whole_digest = HashBytes(algorithm, bytes);
    const std::vector<std::uint8_t> head_digest =
        HashBytes(algorithm, bytes.substr(0, head_length));
    const std::vector<std::uint8_t> rest_digest =
        HashBytes(algorithm, bytes.substr(head_length));
    struct Way {
      Env* env;
      const std::string* path;
      HashEngineOptions::LargeReads reads;
    };
    const Way ways[] = {
        {&env, &path, HashEngineOptions::LargeReads::kRead},
        {&env, &path, HashEngineOptions::LargeReads::kMap},
        {&env, &path, HashEngineOptions::LargeReads::kProbe},
        {memory.get(), &memory_path, HashEngineOptions::LargeReads::kProbe}};
    for (const Way& way : ways) {
      HashEngineOptions options{algorithm, 2, way.env, nullptr, way.reads};
      options.probe_above = kProbeAbove;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(auto engine, HashEngine::Create(options));
      // Whole, and as two ranges, the second one starting unaligned.
      const HashTask whole = WholeFile(*way.env, *way.path);
      HashTask head = whole;
      head.length = head_length;
      HashTask rest = whole;
      rest.offset = head_length;
      rest.length = whole.length - head_length;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests,
                                     engine->Run({whole, head, rest}));
      ASSERT_EQ(digests.size(), 3u);
      const std::string what =
          absl::StrCat(HashAlgorithmName(algorithm), " way ", &way - ways);
      EXPECT_EQ(digests[0], whole_digest) << what;
      EXPECT_EQ(digests[1], head_digest) << what;
      EXPECT_EQ(digests[2], rest_digest) << what;
    }
  }
}

TEST(EngineTest, EmptyTaskListGivesNoDigests) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kSha256, 2, nullptr, nullptr}));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run({}));
  EXPECT_TRUE(digests.empty());
}

// Shards as the OMS `shards` method makes them: consecutive ranges of
// `shard` bytes, the last one shorter.
std::vector<HashTask> Shards(Env& env, const std::string& path,
                             std::uint64_t shard) {
  const HashTask whole = WholeFile(env, path);
  std::vector<HashTask> shards;
  for (std::uint64_t at = 0; at < whole.length; at += shard) {
    HashTask task = whole;
    task.offset = at;
    task.length = std::min<std::uint64_t>(shard, whole.length - at);
    shards.push_back(task);
  }
  return shards;
}

// SHA-256 streams move between workers between rounds; whatever the split of
// streams over workers, each digest must be that of its own byte range.
TEST(EngineSha256Test, ShardsOfAFileMatchReferenceDigestsOnAnyThreadCount) {
  TempDir dir;
  Env& env = *Env::Default();
  // Like a 4 GiB file in 1 GB shards, scaled down: four long streams of
  // several rounds each and a short fifth (the tail), plus a file with a
  // shard size that is no multiple of the 64-byte block or the buffer.
  const std::string big = PseudoRandomBytes((4 << 20) + (1 << 19) + 77, 11);
  const std::string odd = PseudoRandomBytes(3 * 1000003 + 5, 12);
  std::vector<HashTask> tasks = Shards(env, dir.Write("big", big), 1 << 20);
  ASSERT_EQ(tasks.size(), 5u);
  const auto odd_tasks = Shards(env, dir.Write("odd", odd), 1000003);
  tasks.insert(tasks.end(), odd_tasks.begin(), odd_tasks.end());
  std::vector<std::string> want;
  for (const HashTask& task : tasks) {
    const std::string& data = task.path == dir.Join("big") ? big : odd;
    want.push_back(HexEncode(Expected(HashAlgorithm::kSha256,
                                      data.substr(task.offset, task.length))));
  }
  for (unsigned threads : {1u, 2u, 3u, 7u}) {
    std::atomic<std::uint64_t> done{0};
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine,
        HashEngine::Create({HashAlgorithm::kSha256, threads, nullptr, &done}));
    MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run(tasks));
    ASSERT_EQ(digests.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(HexEncode(digests[i]), want[i])
          << "shard " << i << ", " << threads << " threads";
    }
    EXPECT_EQ(done.load(), big.size() + odd.size());
  }
}

TEST(EngineSha256Test, ManyMoreTasksThanStreamsOfUnequalSizes) {
  TempDir dir;
  Env& env = *Env::Default();
  // 4 streams per worker; 41 tasks of sizes from empty to several rounds, so
  // streams start and finish at every point of other streams' progress.
  std::vector<HashTask> tasks;
  std::vector<std::string> want;
  for (std::size_t i = 0; i < 41; ++i) {
    const std::size_t size =
        (i * 7919 * 131) % (3 << 20) + (i % 3 == 0 ? 0 : i);
    const std::string data = PseudoRandomBytes(i == 5 ? 0 : size, 100 + i);
    tasks.push_back(WholeFile(env, dir.Write(absl::StrCat("t", i), data)));
    want.push_back(HexEncode(Expected(HashAlgorithm::kSha256, data)));
  }
  for (unsigned threads : {1u, 2u, 4u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine, HashEngine::Create(
                         {HashAlgorithm::kSha256, threads, nullptr, nullptr}));
    MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run(tasks));
    ASSERT_EQ(digests.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(HexEncode(digests[i]), want[i])
          << "task " << i << ", " << threads << " threads";
    }
  }
}

TEST(EngineSha256Test, OneTaskOnManyThreads) {
  TempDir dir;
  Env& env = *Env::Default();
  const std::string data = PseudoRandomBytes((5 << 20) + 3, 21);
  const std::string path = dir.Write("one", data);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kSha256, 4, nullptr, nullptr}));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests,
                                 engine->Run({WholeFile(env, path)}));
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(HexEncode(digests[0]),
            HexEncode(Expected(HashAlgorithm::kSha256, data)));
}

// A failing task must stop the run with its error while other workers wait
// for streams that will never be handed back: no hang, no digest.
TEST(EngineSha256Test, AFailureAmongManyStreamsEndsTheRunWithItsError) {
  TempDir dir;
  Env& env = *Env::Default();
  std::vector<HashTask> tasks;
  for (int i = 0; i < 9; ++i) {
    tasks.push_back(
        WholeFile(env, dir.Write(absl::StrCat("ok", i),
                                 PseudoRandomBytes((2 << 20) + i, 300 + i))));
  }
  tasks.push_back(HashTask{dir.Join("gone"), 0, 0, {}});
  for (unsigned threads : {1u, 2u, 3u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        auto engine, HashEngine::Create(
                         {HashAlgorithm::kSha256, threads, nullptr, nullptr}));
    EXPECT_THAT(engine->Run(tasks),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("gone")))
        << threads << " threads";
  }
  // Shrinking while read, with several streams per worker in flight.
  FlakyEnv env_shrinks(FlakyEnv::Fault::kShrinksWhileRead);
  std::vector<HashTask> flaky;
  for (int i = 0; i < 6; ++i) {
    flaky.push_back(WholeFile(
        env_shrinks, dir.Write(absl::StrCat("s", i),
                               PseudoRandomBytes((3 << 20) + i, 400 + i))));
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      auto engine,
      HashEngine::Create({HashAlgorithm::kSha256, 2, &env_shrinks, nullptr}));
  EXPECT_THAT(engine->Run(flaky),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shrank")));
}

// Puts the SHA-256 test hooks back when a test ends, also when an ASSERT
// ends it early, so that no later test runs with a kernel switched off.
struct Sha256HooksReset {
  ~Sha256HooksReset() {
    hash_internal::Sha256ForceOpenSslForTesting(false);
    hash_internal::Sha256DisableAvx512ForTesting(false);
  }
};

// The multi-stream entry point the SHA-256 workers use: any number of
// streams (up to sixteen at a time in the AVX-512 kernel, else grouped by
// up to four for SHA-NI), unequal lengths, partial blocks carried between
// calls; with every kernel this CPU has and with OpenSSL.
TEST(EngineSha256Test, UpdateManyMatchesOneShotDigestsForAnyStreamCount) {
  const std::size_t lengths[] = {0,     1,     63,     64,     65,
                                 1000,  4096,  70001,  200003, 131072,
                                 99999, 65536, 300007, 12345};
  constexpr std::size_t kLengths = std::size(lengths);
  enum class Kernels { kBest, kNoAvx512, kOpenSsl };
  const Sha256HooksReset reset;
  for (Kernels kernels :
       {Kernels::kBest, Kernels::kNoAvx512, Kernels::kOpenSsl}) {
    hash_internal::Sha256ForceOpenSslForTesting(kernels == Kernels::kOpenSsl);
    hash_internal::Sha256DisableAvx512ForTesting(kernels == Kernels::kNoAvx512);
    for (std::size_t count = 1; count <= 35; ++count) {
      std::vector<std::string> data;
      std::vector<hash_internal::Sha256Stream> streams(count);
      for (std::size_t i = 0; i < count; ++i) {
        data.push_back(
            PseudoRandomBytes(lengths[(i * 5 + count) % kLengths], i));
      }
      // Three calls per stream, cut at different points per stream.
      std::vector<std::size_t> done(count, 0);
      for (int call = 0; call < 3; ++call) {
        std::vector<hash_internal::Sha256Stream*> stream_ptrs;
        std::vector<const std::uint8_t*> pointers;
        std::vector<std::size_t> sizes;
        for (std::size_t i = 0; i < count; ++i) {
          const std::size_t cut =
              call == 2 ? data[i].size()
                        : std::min(data[i].size(),
                                   done[i] + (data[i].size() / 3) + i * 13);
          stream_ptrs.push_back(&streams[i]);
          pointers.push_back(
              reinterpret_cast<const std::uint8_t*>(data[i].data()) + done[i]);
          sizes.push_back(cut - done[i]);
          done[i] = cut;
        }
        hash_internal::Sha256UpdateMany(stream_ptrs.data(), pointers.data(),
                                        sizes.data(), count);
      }
      for (std::size_t i = 0; i < count; ++i) {
        const auto digest = streams[i].Finish();
        ASSERT_EQ(HexEncode(digest),
                  HexEncode(Expected(HashAlgorithm::kSha256, data[i])))
            << count << " streams, stream " << i << ", kernels "
            << static_cast<int>(kernels);
      }
    }
  }
}

// Many files at once: each worker holds up to sixteen streams that share its
// read buffers (256 KiB slices) and mapping budget, files finish at
// different rounds and are replaced by new ones. Every digest must match,
// whichever kernel and way of reading is used (the probe picks its pieces
// from several of these files: the largest holds three).
TEST(EngineSha256Test, ManyFilesOfMixedSizesGiveTheSameDigestsEveryWay) {
  TempDir dir;
  std::vector<HashTask> tasks;
  std::vector<std::string> contents;
  for (int i = 0; i < 45; ++i) {
    const std::size_t size = i % 9 == 0 ? (7u << 20) + 17 * i
                                        : (std::size_t{1} << 20) * (i % 4) +
                                              4093 * i + (i % 3 == 0 ? 0 : 64);
    contents.push_back(PseudoRandomBytes(size, 700 + i));
    tasks.push_back(WholeFile(
        *Env::Default(), dir.Write(absl::StrCat("f", i), contents.back())));
  }
  const Sha256HooksReset reset;
  for (bool avx512 : {true, false}) {
    hash_internal::Sha256DisableAvx512ForTesting(!avx512);
    for (auto reads : {HashEngineOptions::LargeReads::kRead,
                       HashEngineOptions::LargeReads::kMap,
                       HashEngineOptions::LargeReads::kProbe}) {
      HashEngineOptions options{HashAlgorithm::kSha256, 2, nullptr, nullptr};
      options.large_reads = reads;
      // Low enough that the probe runs here, on pieces of several files.
      options.probe_above = 32 << 20;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(auto engine, HashEngine::Create(options));
      MODELSEAL_ASSERT_OK_AND_ASSIGN(auto digests, engine->Run(tasks));
      ASSERT_EQ(digests.size(), tasks.size());
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        ASSERT_EQ(HexEncode(digests[i]),
                  HexEncode(Expected(HashAlgorithm::kSha256, contents[i])))
            << "file " << i << ", avx512 " << avx512 << ", reads "
            << static_cast<int>(reads);
      }
    }
  }
}

}  // namespace
}  // namespace modelseal
