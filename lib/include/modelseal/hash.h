// Hash algorithms modelseal signs with, behind one small interface.
//
//   sha256   FIPS 180-4, 32-byte digest (SHA-NI kernel or OpenSSL)
//   blake2b  RFC 7693 BLAKE2b-512, 64-byte digest (libsodium)
//   blake3   BLAKE3, 32-byte digest (this project's SIMD implementation)
//
// The names are the OMS `hash_type` strings. For hashing files, use
// HashEngine (hash_engine.h), which reads in parallel with bounded memory;
// Hasher is for small in-memory inputs and for the engine itself.
#ifndef MODELSEAL_HASH_H_
#define MODELSEAL_HASH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace modelseal {

enum class HashAlgorithm { kSha256, kBlake2b, kBlake3 };

// "sha256", "blake2b" or "blake3".
absl::string_view HashAlgorithmName(HashAlgorithm algorithm);
// The inverse of HashAlgorithmName; anything else is kInvalidArgument.
absl::StatusOr<HashAlgorithm> ParseHashAlgorithm(absl::string_view name);
// Digest length in bytes: 32, 64 or 32.
std::size_t DigestBytes(HashAlgorithm algorithm);

// An incremental hash. Not thread-safe; one object per stream.
class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual void Update(absl::Span<const std::uint8_t> data) = 0;
  // Returns the digest; the object must not be used afterwards.
  virtual std::vector<std::uint8_t> Finish() = 0;

  static std::unique_ptr<Hasher> Create(HashAlgorithm algorithm);
};

// One-shot convenience.
std::vector<std::uint8_t> HashBytes(HashAlgorithm algorithm,
                                    absl::Span<const std::uint8_t> data);
std::vector<std::uint8_t> HashBytes(HashAlgorithm algorithm,
                                    absl::string_view data);

// Which kernels this process uses, e.g. "sha256=sha-ni blake3=avx512".
std::string HashKernelsDescription();

}  // namespace modelseal

#endif  // MODELSEAL_HASH_H_
