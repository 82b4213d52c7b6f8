#include "modelseal/oms_bundle.h"

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/env.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kSpec =
    MODELSEAL_TEST_VECTORS_DIR "/oms/oms-spec/test-vectors/v1.0/";
const std::string kReference =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/";

std::string Read(const std::string& path) {
  auto contents = Env::Default()->ReadFileToString(path, 1 << 22);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *contents : "";
}

// A valid statement over two resources, as a template to break.
ModelDigest TwoFileDigest() {
  ModelDigest digest;
  digest.model_name = "model";
  digest.options.ignore_paths = {".git", "model.sig"};
  digest.resources = {
      {"a.bin", "sha256", HashBytes(HashAlgorithm::kSha256, "a"), 1},
      {"dir/b.bin", "sha256", HashBytes(HashAlgorithm::kSha256, "b"), 1}};
  digest.root_digest = ComputeRootDigest(digest.resources);
  return digest;
}

TEST(DssePaeTest, MatchesTheDsseSpecificationExample) {
  // DSSE protocol.md example.
  EXPECT_EQ(DssePae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(StatementTest, BuildsWhatItParses) {
  const ModelDigest digest = TwoFileDigest();
  const std::string payload = BuildStatementPayload(digest);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement(payload));
  EXPECT_EQ(statement.subject_name, "model");
  EXPECT_EQ(statement.subject_digest, digest.root_digest);
  ASSERT_EQ(statement.resources.size(), 2u);
  EXPECT_EQ(statement.resources[1].name, "dir/b.bin");
  EXPECT_EQ(statement.serialization.ignore_paths, digest.options.ignore_paths);
  EXPECT_THAT(payload, HasSubstr("\"allow_symlinks\":false"));
  EXPECT_THAT(payload, ::testing::Not(HasSubstr("shard_size")));
}

TEST(StatementTest, WritesShardSizeAsAJsonNumber) {
  ModelDigest digest = TwoFileDigest();
  digest.options.method = SerializationMethod::kShards;
  digest.options.shard_size = 1000000000;
  digest.resources[0].name = "a.bin:0:1";
  digest.resources[1].name = "dir/b.bin:0:1";
  const std::string payload = BuildStatementPayload(digest);
  EXPECT_THAT(payload, HasSubstr("\"shard_size\":1000000000}"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Statement statement, ParseStatement(payload));
  EXPECT_EQ(statement.serialization.shard_size, 1000000000u);
}

struct Mutation {
  std::string from;
  std::string to;
  std::string error;
};

TEST(StatementTest, RejectsEveryMalformedStatement) {
  const ModelDigest digest = TwoFileDigest();
  const std::string good = BuildStatementPayload(digest);
  const std::string a_digest = HexEncode(digest.resources[0].digest);
  const std::string root = HexEncode(digest.root_digest);
  const Mutation mutations[] = {
      {"\"_type\":\"https://in-toto.io/Statement/v1\"",
       "\"_type\":\"https://in-toto.io/Statement/v0.1\"", "_type"},
      {"signature/v1.0", "signature/v2.0", "predicateType"},
      {"\"allow_symlinks\":false", "\"allow_symlinks\":false,\"extra\":1",
       "extra"},
      {"{\"name\":\"a.bin\"", "{\"size\":1,\"name\":\"a.bin\"", "size"},
      {"\"subject\":[{",
       "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + root +
           "\"}},{",
       "2 subjects"},
      {"\"name\":\"model\",\"digest\":{\"sha256\":\"" + root + "\"}",
       "\"name\":\"model\",\"digest\":{\"sha256\":\"" + root.substr(2) +
           "00\"}",
       "does not match"},
      {"\"sha256\":\"" + root + "\"", "\"sha256\":\"" + root.substr(1) + "\"",
       "subject digest"},
      {"\"sha256\":\"" + root + "\"", "\"sha512\":\"" + root + "\"",
       "subject digest"},
      {a_digest, a_digest.substr(2), "digest is not 64"},
      {a_digest, "zz" + a_digest.substr(2), "digest is not 64"},
      {"\"a.bin\"", "\"../a.bin\"", "'..'"},
      {"\"a.bin\"", "\"/etc/passwd\"", "absolute"},
      {"\"a.bin\"", "\"x//a.bin\"", "empty"},
      {"\"a.bin\"", "\"dir/b.bin\"", "listed twice"},
      {"\"a.bin\"", "\".\"", "single-file"},
      {"\"method\":\"files\"", "\"method\":\"tree\"", "serialization method"},
      {"\"hash_type\":\"sha256\"", "\"hash_type\":\"md5\"", "hash algorithm"},
      {"\"algorithm\":\"sha256\"", "\"algorithm\":\"blake3\"", "algorithm"},
      {"\"ignore_paths\":[\".git\"", "\"ignore_paths\":[\"../up\"",
       "ignore path"},
      {"\"allow_symlinks\":false", "\"allow_symlinks\":false,\"shard_size\":5",
       "shard_size"},
      {"\"resources\":[{", "\"resources\":[],\"r\":[{", "r"},
  };
  int checked = 0;
  for (const Mutation& mutation : mutations) {
    ASSERT_THAT(good, HasSubstr(mutation.from)) << mutation.from;
    const std::string bad =
        absl::StrReplaceAll(good, {{mutation.from, mutation.to}});
    EXPECT_THAT(
        ParseStatement(bad),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(mutation.error)))
        << mutation.to;
    ++checked;
  }
  EXPECT_EQ(checked, 21);
}

TEST(StatementTest, RejectsEmptyResourcesAndNonJson) {
  ModelDigest digest = TwoFileDigest();
  digest.resources.clear();
  digest.root_digest = ComputeRootDigest({});
  EXPECT_THAT(
      ParseStatement(BuildStatementPayload(digest)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no resources")));
  for (const char* junk : {"", "{", "[]", "null", "{\"_type\":", "\xff\xfe"}) {
    EXPECT_THAT(ParseStatement(junk),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << junk;
  }
}

TEST(StatementTest, RejectsDeepNestingAndHugeInputsQuickly) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseStatement(deep).ok());
  const std::string huge(5 << 20, ' ');
  EXPECT_THAT(
      ParseStatement(huge),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("limit")));
  EXPECT_THAT(ParseBundle(huge), StatusIs(absl::StatusCode::kResourceExhausted,
                                          HasSubstr("limit")));
}

TEST(ShardNameTest, ParsesFromTheRight) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ShardName shard,
                                 ParseShardName("dir/a:b.bin:10:20"));
  EXPECT_EQ(shard.path, "dir/a:b.bin");
  EXPECT_EQ(shard.start, 10u);
  EXPECT_EQ(shard.end, 20u);
  for (const char* bad : {"a.bin", "a.bin:1", "a.bin:2:1", "a.bin:01:2",
                          "a.bin:x:2", ":0:1", "../a:0:1", "a.bin:1:1"}) {
    EXPECT_FALSE(ParseShardName(bad).ok()) << bad;
  }
}

TEST(BundleTest, ParsesEverySpecExampleMarkedValid) {
  int parsed = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(kSpec + "valid")) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle bundle,
                                   ParseBundle(Read(entry.path())));
    MODELSEAL_EXPECT_OK(ParseStatement(bundle.payload));
    ++parsed;
  }
  EXPECT_EQ(parsed, 3);
}

TEST(BundleTest, RejectsEverySpecExampleMarkedInvalid) {
  int rejected = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(kSpec + "invalid")) {
    EXPECT_THAT(ParseBundle(Read(entry.path())),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << entry.path();
    ++rejected;
  }
  EXPECT_EQ(rejected, 4);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Bundle bundle,
      ParseBundle(Read(kSpec + "invalid-payload/wrong-predicate.bundle.json")));
  EXPECT_THAT(
      ParseStatement(bundle.payload),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("predicateType")));
}

TEST(BundleTest, ParsesTheReferenceImplementationsBundles) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Bundle key,
      ParseBundle(Read(kReference + "v1.1.0-elliptic-key/model.sig")));
  EXPECT_EQ(key.public_key_hint,
            "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Bundle old,
      ParseBundle(Read(kReference + "v1.0.0-elliptic-key/model.sig")));
  EXPECT_THAT(old.embedded_public_key_pem, HasSubstr("BEGIN PUBLIC KEY"));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Bundle cert,
      ParseBundle(Read(kReference + "v1.1.0-certificate/model.sig")));
  EXPECT_EQ(cert.certificate_chain_der.size(), 2u);
  for (const Bundle* bundle : {&key, &old, &cert}) {
    MODELSEAL_EXPECT_OK(ParseStatement(bundle->payload));
  }
}

TEST(BundleTest, RejectsEveryMalformedBundle) {
  const std::string good = Read(kReference + "v1.1.0-elliptic-key/model.sig");
  MODELSEAL_ASSERT_OK(ParseBundle(good).status());
  const Mutation mutations[] = {
      {"\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"",
       "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.2+json\"",
       "mediaType"},
      {"\"payloadType\":\"application/vnd.in-toto+json\"",
       "\"payloadType\":\"text/plain\"", "payloadType"},
      {"\"tlogEntries\":[]", "\"tlogEntries\":[],\"surprise\":true",
       "surprise"},
      {"\"signatures\":[{", "\"signatures\":[{\"sig\":\"AAAA\"},{",
       "2 signatures"},
      {"\"hint\":\"e8450dec", "\"hint\":\"E8450dec", "hint"},
      {"\"publicKey\":{",
       "\"x509CertificateChain\":{\"certificates\":[{\"rawBytes\":\"AAAA\"}]},"
       "\"publicKey\":{",
       "exactly one"},
  };
  for (const Mutation& mutation : mutations) {
    ASSERT_THAT(good, HasSubstr(mutation.from)) << mutation.from;
    const std::string bad =
        absl::StrReplaceAll(good, {{mutation.from, mutation.to}});
    EXPECT_THAT(ParseBundle(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr(mutation.error)))
        << mutation.to;
  }
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{1}, good.size() / 2, good.size() - 2}) {
    EXPECT_FALSE(ParseBundle(good.substr(0, cut)).ok())
        << "truncated at " << cut;
  }
  EXPECT_FALSE(ParseBundle("not json at all").ok());
}

TEST(BundleTest, WritesWhatItParsesAndKeepsLogEntries) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      Bundle sigstore, ParseBundle(Read(kSpec + "valid/sigstore.bundle.json")));
  ASSERT_EQ(sigstore.tlog_entries_json.size(), 1u);
  Bundle bundle;
  bundle.payload = BuildStatementPayload(TwoFileDigest());
  bundle.payload_type = std::string(kInTotoPayloadType);
  bundle.signature = "sig-bytes";
  bundle.public_key_hint = std::string(64, 'a');
  bundle.tlog_entries_json = sigstore.tlog_entries_json;
  const std::string json = WriteBundle(bundle);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Bundle again, ParseBundle(json));
  EXPECT_EQ(again.payload, bundle.payload);
  EXPECT_EQ(again.signature, bundle.signature);
  EXPECT_EQ(again.public_key_hint, bundle.public_key_hint);
  EXPECT_EQ(again.tlog_entries_json, bundle.tlog_entries_json);
  EXPECT_EQ(WriteBundle(again), json);
}

}  // namespace
}  // namespace modelseal
