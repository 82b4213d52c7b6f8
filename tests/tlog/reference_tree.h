// A naive RFC 6962 Merkle tree, written straight from the recursive
// definitions of RFC 9162 §2.1 (MTH, PATH, PROOF/SUBPROOF), for tests and
// fuzzers only. It hashes with OpenSSL's one-shot EVP_Digest, independently
// of the library's hashing code, and keeps every leaf hash in memory.
#ifndef MODELSEAL_TESTS_TLOG_REFERENCE_TREE_H_
#define MODELSEAL_TESTS_TLOG_REFERENCE_TREE_H_

#include <openssl/evp.h>

#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "modelseal/merkle.h"

namespace modelseal::tlog::testing {

inline Hash ReferenceSha256(const std::string& data) {
  Hash out{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(),
             nullptr);
  return out;
}

inline Hash ReferenceLeafHash(absl::string_view entry) {
  // Appended rather than `std::string(1, '\0') + std::string(entry)`, which
  // GCC 12 at -O3 flags with a false -Wrestrict.
  std::string data(1, '\0');
  data.append(entry.data(), entry.size());
  return ReferenceSha256(data);
}

inline Hash ReferenceNodeHash(const Hash& left, const Hash& right) {
  std::string data(1, '\x01');
  data.append(reinterpret_cast<const char*>(left.data()), left.size());
  data.append(reinterpret_cast<const char*>(right.data()), right.size());
  return ReferenceSha256(data);
}

class ReferenceTree final : public SubtreeHashSource {
 public:
  ReferenceTree() = default;
  explicit ReferenceTree(std::vector<Hash> leaves)
      : leaves_(std::move(leaves)) {}

  void AppendEntry(absl::string_view entry) {
    leaves_.push_back(ReferenceLeafHash(entry));
  }
  void AppendLeafHash(const Hash& hash) { leaves_.push_back(hash); }
  std::uint64_t size() const { return leaves_.size(); }
  const std::vector<Hash>& leaves() const { return leaves_; }

  // MTH(D[begin:end]).
  Hash Mth(std::uint64_t begin, std::uint64_t end) {
    const std::uint64_t n = end - begin;
    if (n == 0) return ReferenceSha256("");
    if (n == 1) return leaves_[begin];
    // Perfect aligned subtrees are memoized: they never change.
    const bool perfect = std::has_single_bit(n) && begin % n == 0;
    if (perfect) {
      auto it = memo_.find({begin, n});
      if (it != memo_.end()) return it->second;
    }
    const std::uint64_t k = std::bit_floor(n - 1);
    const Hash hash =
        ReferenceNodeHash(Mth(begin, begin + k), Mth(begin + k, end));
    if (perfect) memo_[{begin, n}] = hash;
    return hash;
  }
  Hash Root(std::uint64_t size) { return Mth(0, size); }

  // PATH(m, D[begin:end]), leaf first.
  std::vector<Hash> Path(std::uint64_t m, std::uint64_t begin,
                         std::uint64_t end) {
    const std::uint64_t n = end - begin;
    if (n <= 1) return {};
    const std::uint64_t k = std::bit_floor(n - 1);
    std::vector<Hash> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(Mth(begin + k, end));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(Mth(begin, begin + k));
    }
    return path;
  }
  std::vector<Hash> InclusionProof(std::uint64_t index, std::uint64_t size) {
    return Path(index, 0, size);
  }

  // SUBPROOF(m, D[begin:end], b).
  std::vector<Hash> Subproof(std::uint64_t m, std::uint64_t begin,
                             std::uint64_t end, bool b) {
    const std::uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const std::uint64_t k = std::bit_floor(n - 1);
    std::vector<Hash> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, b);
      proof.push_back(Mth(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Mth(begin, begin + k));
    }
    return proof;
  }
  // PROOF(m, D[n]) for 0 < m < n; empty otherwise.
  std::vector<Hash> ConsistencyProof(std::uint64_t old_size,
                                     std::uint64_t new_size) {
    if (old_size == 0 || old_size >= new_size) return {};
    return Subproof(old_size, 0, new_size, true);
  }

  absl::StatusOr<Hash> SubtreeHash(int level, std::uint64_t index) override {
    if (level < 0 || level >= 63 || index >= (leaves_.size() >> level)) {
      return absl::OutOfRangeError("subtree outside the reference tree");
    }
    return Mth(index << level, (index + 1) << level);
  }

 private:
  std::vector<Hash> leaves_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Hash> memo_;
};

}  // namespace modelseal::tlog::testing

#endif  // MODELSEAL_TESTS_TLOG_REFERENCE_TREE_H_
