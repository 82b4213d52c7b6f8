// RFC 6962 / RFC 9162 Merkle trees: hashing, proof generation and proof
// verification for the modelseal transparency log.
//
// Hashing (RFC 9162 §2.1.1), SHA-256 throughout:
//   leaf hash  = SHA-256(0x00 || entry)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// A tree of n > 1 leaves splits at the largest power of two smaller than n.
//
// Proofs are generated from a SubtreeHashSource, which only has to return the
// hash of *complete* (perfect, power-of-two sized, aligned) subtrees. The
// tiled log stores exactly those hashes, so proofs are computed from a few
// tiles without loading the tree.
//
// Verifiers check every precondition and the exact proof length before any
// hashing. Errors: kInvalidArgument for a malformed request (index >= size,
// old size > new size, a proof of the wrong length); kUnauthenticated when a
// well-formed proof does not lead to the expected root. All functions are
// thread-safe; sources are used only during the call.
#ifndef MODELSEAL_MERKLE_H_
#define MODELSEAL_MERKLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace modelseal::tlog {

inline constexpr std::size_t kHashBytes = 32;
// A SHA-256 Merkle tree hash.
using Hash = std::array<std::uint8_t, kHashBytes>;

// RFC 9162 §2.1.1 leaf hash of one log entry.
Hash HashLeaf(absl::string_view entry);
// RFC 9162 §2.1.1 interior node hash.
Hash HashChildren(const Hash& left, const Hash& right);
// Root of the empty tree: SHA-256 of no bytes.
Hash EmptyTreeRoot();
// The Merkle tree hash MTH(D[n]) of a list of leaf hashes (EmptyTreeRoot()
// for none). Linear time; for building roots of small trees and tiles.
Hash RootFromLeafHashes(absl::Span<const Hash> leaf_hashes);

// Hash <-> bytes helpers. HashFromBytes fails with kInvalidArgument unless
// `bytes` is exactly kHashBytes long.
absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes);
absl::string_view HashBytes(const Hash& hash);

// Supplies hashes of complete subtrees of one tree. Level 0 is a leaf hash;
// the subtree at (level, index) covers leaves [index << level,
// (index + 1) << level). Callers ask only for subtrees that lie entirely
// inside the tree the source describes. Implementations may do I/O and fail
// (kDataLoss for corrupt storage, kNotFound, ...); errors are passed through.
class SubtreeHashSource {
 public:
  virtual ~SubtreeHashSource() = default;
  virtual absl::StatusOr<Hash> SubtreeHash(int level, std::uint64_t index) = 0;
};

// Root of the first `tree_size` leaves of `source`.
absl::StatusOr<Hash> ComputeRoot(SubtreeHashSource& source,
                                 std::uint64_t tree_size);

// RFC 9162 §2.1.3.1 inclusion proof (audit path) for leaf `index` in the tree
// of `tree_size` leaves, ordered from the leaf upwards. Requires
// index < tree_size (kInvalidArgument otherwise).
absl::StatusOr<std::vector<Hash>> MakeInclusionProof(SubtreeHashSource& source,
                                                     std::uint64_t index,
                                                     std::uint64_t tree_size);

// RFC 9162 §2.1.4.1 consistency proof between the trees of `old_size` and
// `new_size` leaves. Requires old_size <= new_size; the proof is empty when
// old_size == 0 or old_size == new_size (there is nothing to prove).
absl::StatusOr<std::vector<Hash>> MakeConsistencyProof(
    SubtreeHashSource& source, std::uint64_t old_size, std::uint64_t new_size);

// The number of hashes a correct inclusion / consistency proof has; the
// generators and verifiers agree with these. Same preconditions as the
// verifiers (kInvalidArgument).
absl::StatusOr<std::size_t> InclusionProofLength(std::uint64_t index,
                                                 std::uint64_t tree_size);
absl::StatusOr<std::size_t> ConsistencyProofLength(std::uint64_t old_size,
                                                   std::uint64_t new_size);

// RFC 9162 §2.1.3.2: the root implied by `proof` for `leaf_hash` at `index`
// in a tree of `tree_size` leaves. kInvalidArgument when index >= tree_size or
// the proof length is not exactly InclusionProofLength().
absl::StatusOr<Hash> RootFromInclusionProof(const Hash& leaf_hash,
                                            std::uint64_t index,
                                            std::uint64_t tree_size,
                                            absl::Span<const Hash> proof);

// OK when `proof` shows that the leaf with `leaf_hash` is at `index` of the
// tree with `root`. kUnauthenticated when it does not.
absl::Status VerifyInclusion(const Hash& leaf_hash, std::uint64_t index,
                             std::uint64_t tree_size,
                             absl::Span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: OK when `proof` shows that the tree (old_size, old_root)
// is a prefix of the tree (new_size, new_root).
//  - old_size > new_size, or a proof of the wrong length: kInvalidArgument.
//  - old_size == new_size: the proof must be empty and the roots equal (for
//    size 0, both must be EmptyTreeRoot()).
//  - old_size == 0 < new_size: kInvalidArgument. Every tree extends the empty
//    tree, so such a "proof" proves nothing; callers handle the empty tree
//    themselves (check old_root == EmptyTreeRoot()).
//  - otherwise kUnauthenticated when either root does not match.
absl::Status VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size,
                               absl::Span<const Hash> proof,
                               const Hash& old_root, const Hash& new_root);

}  // namespace modelseal::tlog

#endif  // MODELSEAL_MERKLE_H_
