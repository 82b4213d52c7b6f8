#include <sodium.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "hash/blake3_dispatch.h"
#include "hash/sha256.h"
#include "modelseal/blake3.h"
#include "modelseal/hash.h"

namespace modelseal {
namespace {

class Sha256Hasher final : public Hasher {
 public:
  void Update(absl::Span<const std::uint8_t> data) override {
    stream_.Update(data.data(), data.size());
  }
  std::vector<std::uint8_t> Finish() override {
    const auto digest = stream_.Finish();
    return {digest.begin(), digest.end()};
  }

 private:
  hash_internal::Sha256Stream stream_;
};

// libsodium picks its fastest BLAKE2b code in sodium_init(), which is
// thread-safe and idempotent.
void EnsureSodiumInitialized() {
  static const bool initialized = sodium_init() >= 0;
  (void)initialized;
}

class Blake2bHasher final : public Hasher {
 public:
  Blake2bHasher() {
    EnsureSodiumInitialized();
    crypto_generichash_blake2b_init(&state_, nullptr, 0,
                                    crypto_generichash_blake2b_BYTES_MAX);
  }
  ~Blake2bHasher() override { sodium_memzero(&state_, sizeof(state_)); }
  void Update(absl::Span<const std::uint8_t> data) override {
    crypto_generichash_blake2b_update(&state_, data.data(), data.size());
  }
  std::vector<std::uint8_t> Finish() override {
    std::vector<std::uint8_t> out(crypto_generichash_blake2b_BYTES_MAX);
    crypto_generichash_blake2b_final(&state_, out.data(), out.size());
    return out;
  }

 private:
  crypto_generichash_blake2b_state state_;
};

class Blake3StreamHasher final : public Hasher {
 public:
  void Update(absl::Span<const std::uint8_t> data) override {
    hasher_.Update(data.data(), data.size());
  }
  std::vector<std::uint8_t> Finish() override {
    const auto digest = hasher_.Finalize();
    return {digest.begin(), digest.end()};
  }

 private:
  Blake3Hasher hasher_;
};

}  // namespace

absl::string_view HashAlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return "sha256";
    case HashAlgorithm::kBlake2b:
      return "blake2b";
    case HashAlgorithm::kBlake3:
      return "blake3";
  }
  return "unknown";
}

absl::StatusOr<HashAlgorithm> ParseHashAlgorithm(absl::string_view name) {
  for (HashAlgorithm algorithm :
       {HashAlgorithm::kSha256, HashAlgorithm::kBlake2b,
        HashAlgorithm::kBlake3}) {
    if (name == HashAlgorithmName(algorithm)) return algorithm;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown hash algorithm '", name,
                   "' (expected sha256, blake2b or blake3)"));
}

std::size_t DigestBytes(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::kBlake2b ? 64 : 32;
}

std::unique_ptr<Hasher> Hasher::Create(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return std::make_unique<Sha256Hasher>();
    case HashAlgorithm::kBlake2b:
      return std::make_unique<Blake2bHasher>();
    case HashAlgorithm::kBlake3:
      return std::make_unique<Blake3StreamHasher>();
  }
  return nullptr;
}

std::vector<std::uint8_t> HashBytes(HashAlgorithm algorithm,
                                    absl::Span<const std::uint8_t> data) {
  std::unique_ptr<Hasher> hasher = Hasher::Create(algorithm);
  hasher->Update(data);
  return hasher->Finish();
}

std::vector<std::uint8_t> HashBytes(HashAlgorithm algorithm,
                                    absl::string_view data) {
  return HashBytes(
      algorithm,
      absl::MakeConstSpan(reinterpret_cast<const std::uint8_t*>(data.data()),
                          data.size()));
}

std::string HashKernelsDescription() {
  return absl::StrCat(
      "sha256=", hash_internal::Sha256ImplementationName(), " blake3=",
      hash_internal::Blake3IsaName(hash_internal::Blake3ActiveIsa()),
      " blake2b=libsodium");
}

}  // namespace modelseal
