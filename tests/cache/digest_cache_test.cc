// The digest cache: every way to poison it or to make it stale must end in
// a re-hash, never in a digest of bytes that are not on disk.
#include "modelseal/digest_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/crypto.h"
#include "modelseal/model_serialization.h"
#include "modelseal/model_signing.h"
#include "modelseal/model_walk.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;

// Timestamps move in clock ticks (a few ms); waiting longer than one tick
// guarantees a later change gets a later ctime.
void WaitOneTick() {
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

// Writes `contents` to `target` and gives it the access and modification
// times `model_file` had before: a change only ctime (and the inode) betray.
void WriteWithTheTimesOf(const std::string& model_file,
                         const std::string& target,
                         const std::string& contents) {
  struct stat before;
  ASSERT_EQ(stat(model_file.c_str(), &before), 0);
  std::ofstream(target, std::ios::binary | std::ios::trunc) << contents;
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, target.c_str(), times, 0), 0);
}

// Files written before this call count as old enough to be recorded.
DigestCacheOptions NoMargin() {
  DigestCacheOptions options;
  options.racy_margin_ns = 0;
  return options;
}

class DigestCacheTest : public ::testing::Test {
 protected:
  DigestCacheTest() {
    dir_.Write("model/a.bin", std::string(100000, 'a'));
    dir_.Write("model/b.bin", std::string(5000, 'b'));
    dir_.Write("model/c.json", "{}");
    WaitOneTick();
  }
  std::string model() const { return dir_.Join("model"); }
  std::string cache_dir() const { return dir_.Join("cache"); }

  std::unique_ptr<DigestCache> Open(const std::string& directory) {
    auto cache = DigestCache::Open(directory, NoMargin());
    EXPECT_TRUE(cache.ok()) << cache.status();
    return cache.ok() ? *std::move(cache) : nullptr;
  }

  // Serializes with a fresh cache object on `directory`, saving after.
  ModelDigest Serialize(const std::string& directory, DigestCacheStats* stats,
                        SerializationOptions options = {}) {
    std::unique_ptr<DigestCache> cache = Open(directory);
    HashRunOptions run;
    run.cache = cache.get();
    auto digest = SerializeModel(model(), options, run);
    EXPECT_TRUE(digest.ok()) << digest.status();
    MODELSEAL_EXPECT_OK(cache->Save());
    *stats = cache->stats();
    return digest.ok() ? *digest : ModelDigest{};
  }

  ModelDigest Uncached(SerializationOptions options = {}) {
    auto digest = SerializeModel(model(), options, {});
    EXPECT_TRUE(digest.ok()) << digest.status();
    return *digest;
  }

  TempDir dir_;
};

TEST_F(DigestCacheTest, ASecondRunReadsNothingAndAgrees) {
  DigestCacheStats first;
  const ModelDigest cold = Serialize(cache_dir(), &first);
  EXPECT_EQ(first.misses, 3u);
  EXPECT_EQ(first.recorded, 3u);
  DigestCacheStats second;
  const ModelDigest warm = Serialize(cache_dir(), &second);
  EXPECT_EQ(second.hits, 3u);
  EXPECT_EQ(second.misses, 0u);
  EXPECT_EQ(warm.root_digest, cold.root_digest);
  EXPECT_EQ(warm.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, AnEditedEntryIsRejectedAndRehashed) {
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);
  const std::string entries = cache_dir() + "/digests";
  std::string bytes = *Env::Default()->ReadFileToString(entries, 1 << 20);
  // Flip one bit in every record's digest: the structure stays valid, the
  // tags no longer verify.
  const std::size_t record = 57 + 1 + 32 + 32;
  const std::size_t header = bytes.size() - 3 * record;
  for (std::size_t i = 0; i < 3; ++i) bytes[header + i * record + 60] ^= 1;
  MODELSEAL_ASSERT_OK(
      Env::Default()->WriteFileAtomically(entries, bytes, 0600, true));
  DigestCacheStats after;
  const ModelDigest digest = Serialize(cache_dir(), &after);
  EXPECT_EQ(after.rejected, 3u);
  EXPECT_EQ(after.hits, 0u);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, EditsScatteredAmongManyEntriesAreEachRejected) {
  // Every seventh of 1,503 records edited, among genuine ones: each edited
  // one is re-hashed, each genuine one still answers.
  constexpr int kFiles = 1500;
  for (int i = 0; i < kFiles; ++i) {
    dir_.Write(absl::StrCat("model/many/f", i), absl::StrCat("contents ", i));
  }
  WaitOneTick();
  DigestCacheStats first;
  Serialize(cache_dir(), &first);
  ASSERT_EQ(first.recorded, kFiles + 3u);
  const std::string entries = cache_dir() + "/digests";
  std::string bytes = *Env::Default()->ReadFileToString(entries, 1 << 24);
  const std::size_t record = 57 + 1 + 32 + 32;
  const std::size_t header = bytes.size() - (kFiles + 3) * record;
  std::size_t edited = 0;
  for (std::size_t i = 0; i < kFiles + 3u; i += 7, ++edited) {
    bytes[header + i * record + 60] ^= 1;
  }
  MODELSEAL_ASSERT_OK(
      Env::Default()->WriteFileAtomically(entries, bytes, 0600, true));
  DigestCacheStats after;
  const ModelDigest digest = Serialize(cache_dir(), &after);
  EXPECT_EQ(after.rejected, edited);
  EXPECT_EQ(after.misses, edited);
  EXPECT_EQ(after.hits, kFiles + 3u - edited);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
  // The re-hashed digests were recorded again: a third run hits them all.
  DigestCacheStats third;
  Serialize(cache_dir(), &third);
  EXPECT_EQ(third.hits, kFiles + 3u);
  EXPECT_EQ(third.rejected, 0u);
}

TEST_F(DigestCacheTest,
       EntriesOfOtherFilesKeepTheirTagsAndForgeriesAreDropped) {
  // Entries that no lookup touches are copied by Save() only if their tags
  // verify: a forged entry is never re-tagged (laundered) into a valid one.
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);  // a.bin, b.bin, c.json
  const std::string entries = cache_dir() + "/digests";
  std::string bytes = *Env::Default()->ReadFileToString(entries, 1 << 20);
  const std::size_t record = 57 + 1 + 32 + 32;
  const std::size_t header = bytes.size() - 3 * record;
  bytes[header + 60] ^= 1;  // forge the first record's digest
  MODELSEAL_ASSERT_OK(
      Env::Default()->WriteFileAtomically(entries, bytes, 0600, true));
  // A run over another model records its file and saves, without looking
  // up any of the three entries above.
  dir_.Write("other/d.bin", "other model");
  WaitOneTick();
  {
    std::unique_ptr<DigestCache> cache = Open(cache_dir());
    HashRunOptions run;
    run.cache = cache.get();
    MODELSEAL_ASSERT_OK(SerializeModel(dir_.Join("other"), {}, run).status());
    MODELSEAL_ASSERT_OK(cache->Save());
    EXPECT_EQ(cache->stats().recorded, 1u);
    EXPECT_EQ(cache->stats().rejected, 1u);  // found while saving
  }
  const std::string saved = *Env::Default()->ReadFileToString(entries, 1 << 20);
  EXPECT_EQ(saved.size(), header + 3 * record);  // two kept, one new
  DigestCacheStats after;
  const ModelDigest digest = Serialize(cache_dir(), &after);
  EXPECT_EQ(after.hits, 2u);
  EXPECT_EQ(after.misses, 1u);
  EXPECT_EQ(after.rejected, 0u);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, AnotherUsersCacheFileIsWorthless) {
  // Another user's cache is a cache under another key: copy its entries
  // file into ours and nothing verifies.
  DigestCacheStats stats;
  Serialize(dir_.Join("other-user"), &stats);
  Open(cache_dir());
  std::filesystem::copy_file(dir_.Join("other-user/digests"),
                             cache_dir() + "/digests",
                             std::filesystem::copy_options::overwrite_existing);
  DigestCacheStats mine;
  const ModelDigest digest = Serialize(cache_dir(), &mine);
  EXPECT_EQ(mine.rejected, 3u);
  EXPECT_EQ(mine.hits, 0u);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, AChangeWithTheMtimeRestoredIsSeen) {
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);
  const std::string path = dir_.Join("model/b.bin");
  WriteWithTheTimesOf(path, path, std::string(5000, 'B'));
  DigestCacheStats after;
  const ModelDigest digest = Serialize(cache_dir(), &after);
  EXPECT_EQ(after.misses, 1u);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, AnotherInodeWithTheSameSizeAndMtimeIsSeen) {
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);
  const std::string path = dir_.Join("model/b.bin");
  const std::string replacement = dir_.Join("replacement");
  WriteWithTheTimesOf(path, replacement, std::string(5000, 'X'));
  std::filesystem::rename(replacement, path);
  DigestCacheStats after;
  const ModelDigest digest = Serialize(cache_dir(), &after);
  EXPECT_EQ(after.misses, 1u);
  EXPECT_EQ(digest.root_digest, Uncached().root_digest);
}

TEST_F(DigestCacheTest, AnotherAlgorithmOrShardSizeMisses) {
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);
  SerializationOptions blake;
  blake.hash = HashAlgorithm::kBlake2b;
  DigestCacheStats other;
  EXPECT_EQ(Serialize(cache_dir(), &other, blake).root_digest,
            Uncached(blake).root_digest);
  EXPECT_EQ(other.hits, 0u);
  SerializationOptions shards;
  shards.method = SerializationMethod::kShards;
  shards.shard_size = 3000;
  DigestCacheStats sharded;
  Serialize(cache_dir(), &sharded, shards);
  SerializationOptions bigger = shards;
  bigger.shard_size = 7000;
  DigestCacheStats resized;
  EXPECT_EQ(Serialize(cache_dir(), &resized, bigger).root_digest,
            Uncached(bigger).root_digest);
  // Only ranges hashed before hit: b.bin and c.json are one shard each,
  // the same byte range (and algorithm) as the files run hashed.
  EXPECT_EQ(resized.hits, 2u);
}

TEST_F(DigestCacheTest, FilesChangedDuringTheMarginAreNotRecorded) {
  auto cache = DigestCache::Open(cache_dir());  // the default 2 s margin
  MODELSEAL_ASSERT_OK(cache.status());
  HashRunOptions run;
  run.cache = cache->get();
  MODELSEAL_ASSERT_OK(SerializeModel(model(), {}, run).status());
  EXPECT_EQ((*cache)->stats().recorded, 0u);
}

TEST_F(DigestCacheTest, ACacheOpenToOthersIsRefused) {
  Open(cache_dir());
  ASSERT_EQ(chmod(cache_dir().c_str(), 0755), 0);
  EXPECT_THAT(DigestCache::Open(cache_dir()).status(),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("open to group or others")));
  ASSERT_EQ(chmod(cache_dir().c_str(), 0700), 0);
  ASSERT_EQ(chmod((cache_dir() + "/key").c_str(), 0644), 0);
  EXPECT_THAT(DigestCache::Open(cache_dir()).status(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("key")));
  ASSERT_EQ(chmod((cache_dir() + "/key").c_str(), 0600), 0);
  // A key of the wrong size (truncated) is refused too.
  ASSERT_EQ(truncate((cache_dir() + "/key").c_str(), 5), 0);
  EXPECT_FALSE(DigestCache::Open(cache_dir()).ok());
}

TEST_F(DigestCacheTest, ATruncatedEntriesFileIsIgnored) {
  DigestCacheStats stats;
  Serialize(cache_dir(), &stats);
  const std::string entries = cache_dir() + "/digests";
  ASSERT_EQ(truncate(entries.c_str(), 100), 0);
  DigestCacheStats after;
  EXPECT_EQ(Serialize(cache_dir(), &after).root_digest, Uncached().root_digest);
  EXPECT_EQ(after.hits, 0u);
}

TEST_F(DigestCacheTest, VerifyWithACacheStillCatchesAStealthyChange) {
  auto pair = GenerateKeyPair(KeyType::kEd25519, std::nullopt);
  MODELSEAL_ASSERT_OK(pair.status());
  auto signer = LoadSigner(pair->private_pem.value(), std::nullopt);
  auto verifier = LoadVerifier(pair->public_pem);
  SigningIdentity identity;
  identity.signer = signer->get();
  auto bundle = SignModel(model(), {}, {}, identity);
  MODELSEAL_ASSERT_OK(bundle.status());
  std::unique_ptr<DigestCache> cache = Open(cache_dir());
  VerifyOptions options;
  options.public_key = verifier->get();
  options.run.cache = cache.get();
  VerifyReport report;
  MODELSEAL_ASSERT_OK(VerifyModel(model(), *bundle, options, &report));
  MODELSEAL_ASSERT_OK(cache->Save());
  const std::string path = dir_.Join("model/a.bin");
  WriteWithTheTimesOf(path, path, std::string(99999, 'a') + "!");
  std::unique_ptr<DigestCache> again = Open(cache_dir());
  options.run.cache = again.get();
  EXPECT_THAT(VerifyModel(model(), *bundle, options, &report),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("a.bin")));
}

}  // namespace
}  // namespace modelseal
