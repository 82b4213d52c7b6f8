// OpenSSL's SHA-256 uses the SHA extensions where the CPU has them; fetching
// the algorithm on every call would cost more than hashing 65 bytes, hence
// the process-wide EVP_MD and the per-thread context.
#include "tlog/sha256.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>

namespace modelseal::tlog_internal {
namespace {

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

const EVP_MD* Sha256Algorithm() {
  // Fetched once and kept for the life of the process.
  static const EVP_MD* const algorithm =
      EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm;
}

bool OpenSslSha256(std::initializer_list<absl::string_view> parts,
                   tlog::Hash& out) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(
      EVP_MD_CTX_new());
  const EVP_MD* algorithm = Sha256Algorithm();
  if (context == nullptr || algorithm == nullptr) return false;
  if (EVP_DigestInit_ex2(context.get(), algorithm, nullptr) != 1) return false;
  for (absl::string_view part : parts) {
    if (EVP_DigestUpdate(context.get(), part.data(), part.size()) != 1) {
      return false;
    }
  }
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), out.data(), &length) != 1) {
    return false;
  }
  return length == out.size();
}

}  // namespace

tlog::Hash Sha256(std::initializer_list<absl::string_view> parts) {
  tlog::Hash out;
  if (OpenSslSha256(parts, out)) return out;
  // crypto_hash_sha256_* cannot fail; a hash is never left uncomputed.
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (absl::string_view part : parts) {
    crypto_hash_sha256_update(
        &state, reinterpret_cast<const unsigned char*>(part.data()),
        part.size());
  }
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

}  // namespace modelseal::tlog_internal
