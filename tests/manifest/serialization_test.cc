#include "modelseal/model_serialization.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "modelseal/model_walk.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<Env> SmallModel() {
  auto env = NewMemoryEnv();
  EXPECT_TRUE(MemoryEnvAddFile(*env, "/models/tiny/config.json", "{}").ok());
  EXPECT_TRUE(
      MemoryEnvAddFile(*env, "/models/tiny/weights.bin", std::string(25, 'w'))
          .ok());
  EXPECT_TRUE(MemoryEnvAddFile(*env, "/models/tiny/empty", "").ok());
  EXPECT_TRUE(MemoryEnvAddFile(*env, "/models/tiny/.git/HEAD", "ref").ok());
  return env;
}

SerializationOptions Options(SerializationMethod method, HashAlgorithm hash) {
  SerializationOptions options;
  options.method = method;
  options.hash = hash;
  options.ignore_paths = DefaultIgnorePaths();
  return options;
}

std::vector<std::string> Names(const ModelDigest& digest) {
  std::vector<std::string> names;
  for (const auto& resource : digest.resources) names.push_back(resource.name);
  return names;
}

TEST(SerializationTest, FilesMethodHashesEachFileWhole) {
  auto env = SmallModel();
  for (HashAlgorithm hash : {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
                             HashAlgorithm::kBlake3}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        ModelDigest digest,
        SerializeModel("/models/tiny",
                       Options(SerializationMethod::kFiles, hash),
                       {2, env.get(), nullptr, nullptr}));
    EXPECT_EQ(digest.model_name, "tiny");
    EXPECT_THAT(Names(digest),
                ElementsAre("config.json", "empty", "weights.bin"));
    EXPECT_EQ(digest.resources[0].digest, HashBytes(hash, "{}"));
    EXPECT_EQ(digest.resources[1].digest, HashBytes(hash, ""));
    EXPECT_EQ(digest.resources[2].digest,
              HashBytes(hash, std::string(25, 'w')));
    EXPECT_EQ(digest.resources[0].algorithm, HashAlgorithmName(hash));
  }
}

TEST(SerializationTest, RootDigestIsSha256OverConcatenatedDigests) {
  auto env = SmallModel();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelDigest digest, SerializeModel("/models/tiny",
                                         Options(SerializationMethod::kFiles,
                                                 HashAlgorithm::kBlake2b),
                                         {1, env.get(), nullptr, nullptr}));
  std::string concatenated;
  for (const auto& resource : digest.resources) {
    concatenated.append(resource.digest.begin(), resource.digest.end());
  }
  EXPECT_EQ(concatenated.size(), 3u * 64);
  EXPECT_EQ(digest.root_digest,
            HashBytes(HashAlgorithm::kSha256, concatenated));
}

TEST(SerializationTest, ShardsMethodNamesRangesAndSkipsEmptyFiles) {
  auto env = SmallModel();
  SerializationOptions options =
      Options(SerializationMethod::kShards, HashAlgorithm::kSha256);
  options.shard_size = 10;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ModelDigest digest, SerializeModel("/models/tiny", options,
                                         {2, env.get(), nullptr, nullptr}));
  EXPECT_THAT(Names(digest),
              ElementsAre("config.json:0:2", "weights.bin:0:10",
                          "weights.bin:10:20", "weights.bin:20:25"));
  EXPECT_EQ(digest.resources[3].digest,
            HashBytes(HashAlgorithm::kSha256, std::string(5, 'w')));
  EXPECT_EQ(digest.resources[0].algorithm, "sha256-sharded-10");
}

TEST(SerializationTest, RefusesBlake3Shards) {
  auto env = SmallModel();
  EXPECT_THAT(
      SerializeModel(
          "/models/tiny",
          Options(SerializationMethod::kShards, HashAlgorithm::kBlake3),
          {1, env.get(), nullptr, nullptr}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("blake3")));
}

TEST(SerializationTest, RefusesModelsWithOnlyEmptyFilesInShardsMode) {
  auto env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/empty", ""));
  EXPECT_THAT(
      SerializeModel(
          "/m", Options(SerializationMethod::kShards, HashAlgorithm::kSha256),
          {1, env.get(), nullptr, nullptr}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty files")));
}

TEST(SerializationTest, ParsesMethodNames) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto method,
                                 ParseSerializationMethod("shards"));
  EXPECT_EQ(method, SerializationMethod::kShards);
  EXPECT_THAT(ParseSerializationMethod("tree"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tree")));
}

}  // namespace
}  // namespace modelseal
