// Merkle proofs follow RFC 9162 §2.1 literally. Generation recurses over the
// [begin, end) ranges of the RFC's definitions and asks the source only for
// complete subtrees; a node over a ragged right edge is folded from the
// complete subtrees that make it up. Verification checks preconditions and
// the exact proof length (computed from the bit structure of the indices)
// before hashing anything.
#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/merkle.h"
#include "modelseal/status.h"
#include "tlog/sha256.h"

namespace modelseal::tlog {
namespace {

using tlog_internal::Sha256;

absl::string_view AsView(const Hash& hash) {
  return absl::string_view(reinterpret_cast<const char*>(hash.data()),
                           hash.size());
}

// Largest power of two strictly smaller than n (n >= 2).
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin:end]) where `begin` is a multiple of the smallest power of two
// >= end - begin, as every node of RFC 9162's recursion is. Such a range is a
// run of complete subtrees of decreasing size; fold them from the right.
absl::StatusOr<Hash> RangeRoot(SubtreeHashSource& source, std::uint64_t begin,
                               std::uint64_t end) {
  Hash parts[64];
  int count = 0;
  std::uint64_t position = begin;
  while (position < end) {
    const int level = std::bit_width(end - position) - 1;  // >= 0 here
    if (level < 0 || (position & ((std::uint64_t{1} << level) - 1)) != 0) {
      return absl::InternalError(
          absl::StrCat("unaligned Merkle range [", begin, ", ", end, ")"));
    }
    MODELSEAL_ASSIGN_OR_RETURN(parts[count],
                               source.SubtreeHash(level, position >> level));
    ++count;
    position += std::uint64_t{1} << level;
  }
  Hash root = parts[count - 1];
  for (int i = count - 2; i >= 0; --i) root = HashChildren(parts[i], root);
  return root;
}

absl::Status CheckHashLengths(absl::Span<const Hash> proof) {
  if (proof.size() > limits::kMaxMerkleProofHashes) {
    return absl::InvalidArgumentError(
        absl::StrCat("proof has ", proof.size(), " hashes, more than ",
                     limits::kMaxMerkleProofHashes));
  }
  return absl::OkStatus();
}

}  // namespace

Hash HashLeaf(absl::string_view entry) {
  static constexpr char kLeafPrefix[1] = {0x00};
  return Sha256({absl::string_view(kLeafPrefix, 1), entry});
}

Hash HashChildren(const Hash& left, const Hash& right) {
  static constexpr char kNodePrefix[1] = {0x01};
  return Sha256(
      {absl::string_view(kNodePrefix, 1), AsView(left), AsView(right)});
}

Hash EmptyTreeRoot() {
  static const Hash root = Sha256({});
  return root;
}

Hash RootFromLeafHashes(absl::Span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyTreeRoot();
  // Bottom-up pairing, carrying an odd last node up unchanged, yields the
  // same tree as RFC 9162's split at the largest power of two.
  std::vector<Hash> level(leaf_hashes.begin(), leaf_hashes.end());
  while (level.size() > 1) {
    std::size_t out = 0;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      level[out++] = HashChildren(level[i], level[i + 1]);
    }
    if (level.size() % 2 == 1) level[out++] = level.back();
    level.resize(out);
  }
  return level[0];
}

absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes) {
  if (bytes.size() != kHashBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a hash must be ", kHashBytes, " bytes, got ", bytes.size()));
  }
  Hash hash;
  std::memcpy(hash.data(), bytes.data(), kHashBytes);
  return hash;
}

absl::string_view HashBytes(const Hash& hash) { return AsView(hash); }

absl::StatusOr<Hash> ComputeRoot(SubtreeHashSource& source,
                                 std::uint64_t tree_size) {
  if (tree_size == 0) return EmptyTreeRoot();
  return RangeRoot(source, 0, tree_size);
}

absl::StatusOr<std::vector<Hash>> MakeInclusionProof(SubtreeHashSource& source,
                                                     std::uint64_t index,
                                                     std::uint64_t tree_size) {
  MODELSEAL_RETURN_IF_ERROR(InclusionProofLength(index, tree_size).status());
  // RFC 9162 §2.1.3.1 PATH(m, D[begin:end]), collected root-first.
  std::vector<Hash> proof;
  std::uint64_t begin = 0;
  std::uint64_t end = tree_size;
  while (end - begin > 1) {
    const std::uint64_t k = SplitPoint(end - begin);
    if (index < begin + k) {
      MODELSEAL_ASSIGN_OR_RETURN(Hash right, RangeRoot(source, begin + k, end));
      proof.push_back(right);
      end = begin + k;
    } else {
      MODELSEAL_ASSIGN_OR_RETURN(Hash left,
                                 RangeRoot(source, begin, begin + k));
      proof.push_back(left);
      begin += k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::StatusOr<std::vector<Hash>> MakeConsistencyProof(
    SubtreeHashSource& source, std::uint64_t old_size, std::uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "old tree size ", old_size, " is larger than new size ", new_size));
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[begin:end], b), collected root-first.
  std::uint64_t m = old_size;
  std::uint64_t begin = 0;
  std::uint64_t end = new_size;
  bool whole_old_tree = true;
  while (m != end - begin) {
    const std::uint64_t k = SplitPoint(end - begin);
    if (m <= k) {
      MODELSEAL_ASSIGN_OR_RETURN(Hash right, RangeRoot(source, begin + k, end));
      proof.push_back(right);
      end = begin + k;
    } else {
      MODELSEAL_ASSIGN_OR_RETURN(Hash left,
                                 RangeRoot(source, begin, begin + k));
      proof.push_back(left);
      m -= k;
      begin += k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    MODELSEAL_ASSIGN_OR_RETURN(Hash node, RangeRoot(source, begin, end));
    proof.push_back(node);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::StatusOr<std::size_t> InclusionProofLength(std::uint64_t index,
                                                 std::uint64_t tree_size) {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leaf index ", index, " is not below tree size ", tree_size));
  }
  // Below the level where the paths to `index` and to the last leaf part,
  // every level has a sibling; above it, only levels where `index` is a right
  // child do (the last leaf's path has no right siblings).
  const int inner = std::bit_width(index ^ (tree_size - 1));
  const int border = std::popcount(index >> inner);
  return static_cast<std::size_t>(inner + border);
}

absl::StatusOr<std::size_t> ConsistencyProofLength(std::uint64_t old_size,
                                                   std::uint64_t new_size) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "old tree size ", old_size, " is larger than new size ", new_size));
  }
  if (old_size == new_size) return 0;
  if (old_size == 0) {
    return absl::InvalidArgumentError(
        "a consistency proof from the empty tree proves nothing");
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::size_t path,
                             InclusionProofLength(old_size - 1, new_size));
  // The old tree's right edge shares the lowest `shift` levels; when the old
  // tree is a complete subtree, its root is not repeated in the proof.
  const int shift = std::countr_zero(old_size);
  const bool old_is_complete = std::has_single_bit(old_size);
  return path - static_cast<std::size_t>(shift) + (old_is_complete ? 0 : 1);
}

absl::StatusOr<Hash> RootFromInclusionProof(const Hash& leaf_hash,
                                            std::uint64_t index,
                                            std::uint64_t tree_size,
                                            absl::Span<const Hash> proof) {
  MODELSEAL_RETURN_IF_ERROR(CheckHashLengths(proof));
  MODELSEAL_ASSIGN_OR_RETURN(std::size_t want,
                             InclusionProofLength(index, tree_size));
  if (proof.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("inclusion proof for leaf ", index, " in a tree of ",
                     tree_size, " has ", proof.size(), " hashes, want ", want));
  }
  // RFC 9162 §2.1.3.2.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return absl::InvalidArgumentError("inclusion proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError("inclusion proof is too short");
  }
  return r;
}

absl::Status VerifyInclusion(const Hash& leaf_hash, std::uint64_t index,
                             std::uint64_t tree_size,
                             absl::Span<const Hash> proof, const Hash& root) {
  MODELSEAL_ASSIGN_OR_RETURN(
      Hash computed,
      RootFromInclusionProof(leaf_hash, index, tree_size, proof));
  if (computed != root) {
    return absl::UnauthenticatedError(
        absl::StrCat("inclusion proof for leaf ", index, " in a tree of ",
                     tree_size, " does not lead to the expected root"));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size,
                               absl::Span<const Hash> proof,
                               const Hash& old_root, const Hash& new_root) {
  MODELSEAL_RETURN_IF_ERROR(CheckHashLengths(proof));
  MODELSEAL_ASSIGN_OR_RETURN(std::size_t want,
                             ConsistencyProofLength(old_size, new_size));
  if (proof.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("consistency proof from size ", old_size, " to ", new_size,
                     " has ", proof.size(), " hashes, want ", want));
  }
  if (old_size == new_size) {
    if (old_root != new_root) {
      return absl::UnauthenticatedError(absl::StrCat(
          "two trees of size ", old_size, " have different roots"));
    }
    if (old_size == 0 && old_root != EmptyTreeRoot()) {
      return absl::UnauthenticatedError(
          "the root of the empty tree is not SHA-256 of nothing");
    }
    return absl::OkStatus();
  }
  // RFC 9162 §2.1.4.2. When the old tree is a complete subtree its root
  // starts the chain; otherwise the proof's first hash does.
  absl::Span<const Hash> path = proof;
  Hash seed;
  if (std::has_single_bit(old_size)) {
    seed = old_root;
  } else {
    seed = path[0];
    path.remove_prefix(1);
  }
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (const Hash& c : path) {
    if (sn == 0) {
      return absl::InvalidArgumentError("consistency proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError("consistency proof is too short");
  }
  if (fr != old_root) {
    return absl::UnauthenticatedError(
        absl::StrCat("consistency proof from size ", old_size, " to ", new_size,
                     " does not lead to the old root"));
  }
  if (sr != new_root) {
    return absl::UnauthenticatedError(
        absl::StrCat("consistency proof from size ", old_size, " to ", new_size,
                     " does not lead to the new root"));
  }
  return absl::OkStatus();
}

}  // namespace modelseal::tlog
