// Differential test of Merkle proofs against the naive reference tree
// (tests/tlog/reference_tree.h). The input picks a tree, a request (index,
// sizes, possibly out of range) and mutations of the correct proof, or a
// proof made of raw input bytes. Nothing may crash; the generators must
// match the reference; and the verifiers may accept only the one correct
// proof of a true statement.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../tlog/reference_tree.h"
#include "absl/strings/str_cat.h"
#include "modelseal/merkle.h"

namespace {

using modelseal::tlog::Hash;
using modelseal::tlog::testing::ReferenceTree;

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : data_(data), size_(size) {}
  std::uint8_t Byte() { return position_ < size_ ? data_[position_++] : 0; }
  std::uint16_t Word() {
    return static_cast<std::uint16_t>(Byte() << 8 | Byte());
  }
  bool Empty() const { return position_ >= size_; }
  Hash RawHash() {
    Hash hash{};
    for (auto& byte : hash) byte = Byte();
    return hash;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
};

ReferenceTree& Tree() {
  static ReferenceTree* const tree = [] {
    auto* t = new ReferenceTree;
    for (int i = 0; i < 600; ++i) t->AppendEntry(absl::StrCat("leaf ", i));
    return t;
  }();
  return *tree;
}

// Applies the input's mutations (or replaces the proof outright).
std::vector<Hash> Mutate(std::vector<Hash> proof, Input& in) {
  const std::uint8_t mode = in.Byte();
  switch (mode % 6) {
    case 0:
      return proof;
    case 1:  // flip one bit
      if (!proof.empty()) {
        proof[in.Byte() % proof.size()][in.Byte() % 32] ^=
            static_cast<std::uint8_t>(1 << (in.Byte() % 8));
      }
      return proof;
    case 2:  // drop a hash
      if (!proof.empty()) proof.erase(proof.begin() + in.Byte() % proof.size());
      return proof;
    case 3:  // insert a hash
      proof.insert(
          proof.begin() + (proof.empty() ? 0 : in.Byte() % proof.size()),
          in.RawHash());
      return proof;
    case 4:  // swap two hashes
      if (proof.size() >= 2) {
        std::swap(proof[in.Byte() % proof.size()],
                  proof[in.Byte() % proof.size()]);
      }
      return proof;
    default: {  // raw hashes
      std::vector<Hash> raw(in.Byte() % 70);
      for (Hash& hash : raw) hash = in.RawHash();
      return raw;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  Input in(data, size);
  ReferenceTree& tree = Tree();
  const std::uint64_t n = tree.size();
  const std::uint64_t tree_size = in.Word() % (n + 4);
  const std::uint64_t index = in.Word() % (n + 4);
  const std::uint64_t old_size = in.Word() % (n + 4);
  const bool in_tree = tree_size <= n;
  const Hash root = in_tree ? tree.Root(tree_size) : in.RawHash();

  // Inclusion.
  std::vector<Hash> correct;
  if (in_tree && index < tree_size) {
    correct = tree.InclusionProof(index, tree_size);
    auto made = modelseal::tlog::MakeInclusionProof(tree, index, tree_size);
    if (!made.ok() || *made != correct) std::abort();
  }
  const Hash leaf =
      (in.Byte() & 1) && index < n ? tree.leaves()[index] : in.RawHash();
  const std::vector<Hash> proof = Mutate(correct, in);
  // Beyond the reference tree the root is made of input bytes, so a proof
  // that reaches it proves nothing wrong; only real roots are checked.
  if (modelseal::tlog::VerifyInclusion(leaf, index, tree_size, proof, root)
          .ok() &&
      in_tree) {
    if (index >= tree_size || leaf != tree.leaves()[index] ||
        proof != correct) {
      std::abort();
    }
  }

  // Consistency.
  const bool valid = in_tree && old_size <= tree_size;
  std::vector<Hash> correct_consistency;
  if (valid) {
    correct_consistency = tree.ConsistencyProof(old_size, tree_size);
    auto made =
        modelseal::tlog::MakeConsistencyProof(tree, old_size, tree_size);
    if (!made.ok() || *made != correct_consistency) std::abort();
  }
  const Hash old_root =
      (in.Byte() & 1) && old_size <= n ? tree.Root(old_size) : in.RawHash();
  const std::vector<Hash> consistency = Mutate(correct_consistency, in);
  if (modelseal::tlog::VerifyConsistency(old_size, tree_size, consistency,
                                         old_root, root)
          .ok() &&
      in_tree) {
    if (!valid || (old_size == 0 && tree_size != 0) ||
        old_root != tree.Root(old_size) || consistency != correct_consistency) {
      std::abort();
    }
  }
  return 0;
}
