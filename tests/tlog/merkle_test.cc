// RFC 9162 §2.1 hashing, proof generation and verification: the
// transparency-dev/merkle probe files (tests/vectors/merkle/), then the
// generators and verifiers against the naive reference tree.
#include "modelseal/merkle.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "modelseal/env.h"
#include "modelseal/hex.h"
#include "tests/testing/status_matchers.h"
#include "tests/tlog/reference_tree.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;
using testing::ReferenceTree;

const std::string kVectorDir = MODELSEAL_TEST_VECTORS_DIR "/merkle";

// The one probe we knowingly answer differently (see SOURCE.md): its roots
// are 12 bytes long, and our verifier takes 32-byte hashes only.
const std::set<std::string> kDocumentedDeviations = {
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"};

// The eight reference leaves of the probe files (SOURCE.md).
std::vector<std::string> ReferenceLeaves() {
  std::vector<std::string> leaves;
  for (const char* hex :
       {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f"}) {
    auto bytes = HexDecode(hex);
    leaves.emplace_back(bytes->begin(), bytes->end());
  }
  return leaves;
}

ReferenceTree TreeOf(const std::vector<std::string>& entries) {
  ReferenceTree tree;
  for (const std::string& entry : entries) tree.AppendEntry(entry);
  return tree;
}

// nullopt when the base64 is not a 32-byte hash.
std::optional<Hash> ParseHash(const std::string& base64) {
  std::string raw;
  if (!absl::Base64Unescape(base64, &raw)) return std::nullopt;
  auto hash = HashFromBytes(raw);
  if (!hash.ok()) return std::nullopt;
  return *hash;
}

std::optional<std::vector<Hash>> ParseProof(const google::protobuf::Value& v) {
  std::vector<Hash> proof;
  if (v.has_null_value()) return proof;
  for (const auto& item : v.list_value().values()) {
    auto hash = ParseHash(item.string_value());
    if (!hash) return std::nullopt;
    proof.push_back(*hash);
  }
  return proof;
}

struct Probe {
  std::string name;
  std::string text;  // raw JSON, for exact 64-bit integers
  google::protobuf::Struct json;
};

// google.protobuf.Struct keeps numbers as doubles, which cannot hold every
// uint64 (one probe uses 2^64 - 1); read integer fields from the text.
std::uint64_t IntegerField(const Probe& probe, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  std::size_t pos = probe.text.find(key);
  EXPECT_NE(pos, std::string::npos) << probe.name << " has no " << name;
  if (pos == std::string::npos) return 0;
  pos += key.size();
  while (pos < probe.text.size() && probe.text[pos] == ' ') ++pos;
  const std::size_t end = probe.text.find_first_not_of("0123456789", pos);
  std::uint64_t value = 0;
  EXPECT_TRUE(absl::SimpleAtoi(probe.text.substr(pos, end - pos), &value))
      << probe.name << ": " << name;
  return value;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& s,
                                     const std::string& name) {
  static const google::protobuf::Value kNull;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? kNull : it->second;
}

std::vector<Probe> LoadProbes(std::size_t* files_on_disk) {
  std::vector<Probe> probes;
  *files_on_disk = 0;
  for (const auto& file :
       std::filesystem::recursive_directory_iterator(kVectorDir)) {
    if (!file.is_regular_file() || file.path().extension() != ".json") continue;
    ++*files_on_disk;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    Probe probe;
    probe.name =
        std::filesystem::relative(file.path(), kVectorDir).generic_string();
    probe.text = text.str();
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(text.str(), &probe.json)
            .ok())
        << probe.name;
    probes.push_back(std::move(probe));
  }
  return probes;
}

// Runs one probe; true when our verifier accepts it.
bool Accepts(const Probe& probe) {
  const auto& json = probe.json;
  auto proof = ParseProof(Field(json, "proof"));
  if (absl::StartsWith(probe.name, "inclusion/")) {
    auto leaf = ParseHash(Field(json, "leafHash").string_value());
    auto root = ParseHash(Field(json, "root").string_value());
    if (!leaf || !root || !proof) return false;
    return VerifyInclusion(*leaf, IntegerField(probe, "leafIdx"),
                           IntegerField(probe, "treeSize"), *proof, *root)
        .ok();
  }
  auto root1 = ParseHash(Field(json, "root1").string_value());
  auto root2 = ParseHash(Field(json, "root2").string_value());
  if (!root1 || !root2 || !proof) return false;
  return VerifyConsistency(IntegerField(probe, "size1"),
                           IntegerField(probe, "size2"), *proof, *root1, *root2)
      .ok();
}

TEST(MerkleVectorsTest, EveryProbeGivesItsExpectedVerdict) {
  std::size_t on_disk = 0;
  const std::vector<Probe> probes = LoadProbes(&on_disk);
  std::size_t run = 0;
  std::set<std::string> deviations;
  for (const Probe& probe : probes) {
    SCOPED_TRACE(probe.name);
    ++run;
    const bool want_error = Field(probe.json, "wantErr").bool_value();
    if (Accepts(probe) == want_error) deviations.insert(probe.name);
  }
  EXPECT_EQ(deviations, kDocumentedDeviations);
  EXPECT_EQ(run, on_disk);
  EXPECT_GT(run, 100u);
}

TEST(MerkleVectorsTest, GeneratedProofsMatchTheHappyPathProbes) {
  ReferenceTree tree = TreeOf(ReferenceLeaves());
  std::size_t on_disk = 0;
  std::size_t checked = 0;
  for (const Probe& probe : LoadProbes(&on_disk)) {
    if (!absl::EndsWith(probe.name, "happy-path.json")) continue;
    SCOPED_TRACE(probe.name);
    const auto& json = probe.json;
    auto want = ParseProof(Field(json, "proof"));
    ASSERT_TRUE(want.has_value());
    if (absl::StartsWith(probe.name, "inclusion/")) {
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> proof,
          MakeInclusionProof(tree, IntegerField(probe, "leafIdx"),
                             IntegerField(probe, "treeSize")));
      EXPECT_EQ(proof, *want);
    } else {
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> proof,
          MakeConsistencyProof(tree, IntegerField(probe, "size1"),
                               IntegerField(probe, "size2")));
      EXPECT_EQ(proof, *want);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10u);
}

TEST(MerkleVectorsTest, RootsMatchRootsTxt) {
  const std::vector<std::string> leaves = ReferenceLeaves();
  auto text = Env::Default()->ReadFileToString(kVectorDir + "/roots.txt", 4096);
  ASSERT_THAT(text, IsOk());
  std::size_t checked = 0;
  for (absl::string_view line :
       absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    ASSERT_EQ(fields.size(), 2u) << line;
    const std::size_t size = std::stoul(fields[0]);
    std::vector<Hash> hashes;
    for (std::size_t i = 0; i < size; ++i)
      hashes.push_back(HashLeaf(leaves[i]));
    EXPECT_EQ(HexEncode(RootFromLeafHashes(hashes)), fields[1]) << size;
    ReferenceTree tree(hashes);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(Hash root, ComputeRoot(tree, size));
    EXPECT_EQ(HexEncode(root), fields[1]) << size;
    ++checked;
  }
  EXPECT_EQ(checked, 9u);
}

// --- Failure paths -------------------------------------------------------

class FailingSource final : public SubtreeHashSource {
 public:
  absl::StatusOr<Hash> SubtreeHash(int, std::uint64_t) override {
    return absl::DataLossError("tile is corrupt");
  }
};

TEST(MerkleTest, InclusionRejectsIndexAtOrBeyondSize) {
  const Hash leaf = HashLeaf("a");
  EXPECT_THAT(VerifyInclusion(leaf, 1, 1, {}, leaf),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not below tree size")));
  EXPECT_THAT(VerifyInclusion(leaf, 0, 0, {}, EmptyTreeRoot()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  ReferenceTree tree = TreeOf({"a", "b"});
  EXPECT_THAT(MakeInclusionProof(tree, 2, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(MerkleTest, InclusionRejectsWrongProofLengthsBeforeHashing) {
  ReferenceTree tree = TreeOf({"a", "b", "c", "d", "e"});
  std::vector<Hash> proof = tree.InclusionProof(2, 5);
  ASSERT_EQ(proof.size(), 3u);
  std::vector<Hash> longer = proof;
  longer.push_back(proof[0]);
  std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
  for (const auto& bad : {longer, shorter, std::vector<Hash>{}}) {
    EXPECT_THAT(VerifyInclusion(tree.leaves()[2], 2, 5, bad, tree.Root(5)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("hashes, want 3")));
  }
  std::vector<Hash> huge(100, proof[0]);
  EXPECT_THAT(
      VerifyInclusion(tree.leaves()[2], 2, 5, huge, tree.Root(5)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than")));
}

TEST(MerkleTest, InclusionRejectsWrongRootLeafOrIndex) {
  ReferenceTree tree = TreeOf({"a", "b", "c", "d", "e"});
  const std::vector<Hash> proof = tree.InclusionProof(2, 5);
  EXPECT_THAT(
      VerifyInclusion(tree.leaves()[2], 2, 5, proof, tree.Root(4)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("expected root")));
  EXPECT_THAT(VerifyInclusion(tree.leaves()[3], 2, 5, proof, tree.Root(5)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  EXPECT_THAT(VerifyInclusion(tree.leaves()[2], 3, 5, proof, tree.Root(5)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST(MerkleTest, ConsistencyRejectsMalformedRequests) {
  ReferenceTree tree = TreeOf({"a", "b", "c"});
  EXPECT_THAT(VerifyConsistency(3, 2, {}, tree.Root(3), tree.Root(2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("larger than new size")));
  EXPECT_THAT(
      VerifyConsistency(0, 3, {}, EmptyTreeRoot(), tree.Root(3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty tree")));
  EXPECT_THAT(
      VerifyConsistency(2, 2, {tree.Root(2)}, tree.Root(2), tree.Root(2)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("want 0")));
  EXPECT_THAT(
      VerifyConsistency(2, 3, {}, tree.Root(2), tree.Root(3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("want 1")));
  EXPECT_THAT(MakeConsistencyProof(tree, 3, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(MerkleTest, ConsistencyRejectsDifferentRoots) {
  ReferenceTree tree = TreeOf({"a", "b", "c", "d", "e", "f", "g"});
  ReferenceTree other = TreeOf({"a", "b", "X", "d", "e", "f", "g"});
  EXPECT_THAT(VerifyConsistency(3, 3, {}, tree.Root(3), other.Root(3)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("different roots")));
  EXPECT_THAT(
      VerifyConsistency(0, 0, {}, tree.Root(1), tree.Root(1)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("empty tree")));
  const std::vector<Hash> proof = tree.ConsistencyProof(3, 7);
  EXPECT_THAT(
      VerifyConsistency(3, 7, proof, other.Root(3), tree.Root(7)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("old root")));
  EXPECT_THAT(
      VerifyConsistency(3, 7, proof, tree.Root(3), other.Root(7)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("new root")));
}

TEST(MerkleTest, SourceErrorsPassThrough) {
  FailingSource source;
  EXPECT_THAT(MakeInclusionProof(source, 0, 5),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt")));
  EXPECT_THAT(MakeConsistencyProof(source, 3, 5),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt")));
  EXPECT_THAT(ComputeRoot(source, 5),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt")));
}

TEST(MerkleTest, HashFromBytesRejectsOtherLengths) {
  EXPECT_THAT(HashFromBytes(std::string(31, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32")));
  EXPECT_THAT(HashFromBytes(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32")));
}

// --- Against the reference tree -------------------------------------------

TEST(MerkleTest, HashingFollowsRfc6962) {
  EXPECT_EQ(HexEncode(EmptyTreeRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashLeaf("abc"), testing::ReferenceLeafHash("abc"));
  const Hash a = HashLeaf("a");
  const Hash b = HashLeaf("b");
  EXPECT_EQ(HashChildren(a, b), testing::ReferenceNodeHash(a, b));
}

TEST(MerkleTest, RootsMatchTheReferenceForEverySizeUpTo300) {
  ReferenceTree tree;
  std::vector<Hash> leaves;
  for (int n = 0; n <= 300; ++n) {
    EXPECT_EQ(RootFromLeafHashes(leaves), tree.Root(n)) << n;
    MODELSEAL_ASSERT_OK_AND_ASSIGN(Hash root, ComputeRoot(tree, n));
    EXPECT_EQ(root, tree.Root(n)) << n;
    tree.AppendEntry(absl::StrCat("entry ", n));
    leaves.push_back(tree.leaves().back());
  }
}

TEST(MerkleTest, InclusionProofsMatchTheReferenceAndVerify) {
  ReferenceTree tree;
  for (int i = 0; i < 70; ++i) tree.AppendEntry(absl::StrCat("leaf ", i));
  for (std::uint64_t size = 1; size <= 70; ++size) {
    const Hash root = tree.Root(size);
    for (std::uint64_t index = 0; index < size; ++index) {
      MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                     MakeInclusionProof(tree, index, size));
      ASSERT_EQ(proof, tree.InclusionProof(index, size))
          << index << "/" << size;
      const Hash leaf = tree.leaves()[index];
      ASSERT_THAT(VerifyInclusion(leaf, index, size, proof, root), IsOk());
      // Flipping any bit of any proof hash breaks it.
      for (std::size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> bad = proof;
        bad[i][i % kHashBytes] ^= 1;
        ASSERT_FALSE(VerifyInclusion(leaf, index, size, bad, root).ok());
      }
    }
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheReferenceAndVerify) {
  ReferenceTree tree;
  for (int i = 0; i < 70; ++i) tree.AppendEntry(absl::StrCat("leaf ", i));
  for (std::uint64_t new_size = 1; new_size <= 70; ++new_size) {
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> proof,
          MakeConsistencyProof(tree, old_size, new_size));
      ASSERT_EQ(proof, tree.ConsistencyProof(old_size, new_size))
          << old_size << "->" << new_size;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::size_t length, ConsistencyProofLength(old_size, new_size));
      ASSERT_EQ(proof.size(), length);
      ASSERT_THAT(VerifyConsistency(old_size, new_size, proof,
                                    tree.Root(old_size), tree.Root(new_size)),
                  IsOk());
      for (std::size_t i = 0; i < proof.size(); ++i) {
        std::vector<Hash> bad = proof;
        bad[i][0] ^= 0x80;
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, bad,
                                       tree.Root(old_size), tree.Root(new_size))
                         .ok());
      }
    }
  }
}

TEST(MerkleTest, LargeTreeProofsMatchTheReference) {
  ReferenceTree tree;
  for (int i = 0; i < 1100; ++i) tree.AppendEntry(absl::StrCat("big ", i));
  for (std::uint64_t size :
       {255u, 256u, 257u, 511u, 512u, 1000u, 1024u, 1100u}) {
    for (std::uint64_t index : {0u, 1u, 127u, 254u, 255u, 256u, 999u}) {
      if (index >= size) continue;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                     MakeInclusionProof(tree, index, size));
      EXPECT_EQ(proof, tree.InclusionProof(index, size));
    }
    for (std::uint64_t old_size : {1u, 3u, 255u, 256u, 257u, 700u}) {
      if (old_size > size) continue;
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> proof, MakeConsistencyProof(tree, old_size, size));
      EXPECT_EQ(proof, tree.ConsistencyProof(old_size, size));
    }
  }
}

}  // namespace
}  // namespace modelseal::tlog
