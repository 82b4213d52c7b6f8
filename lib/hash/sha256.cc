#include "hash/sha256.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "hash/cpu_features.h"
#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

std::atomic<bool> g_force_openssl{false};

// OpenSSL only fails here on allocation failure or a broken installation.
// Neither can be handled meaningfully in the middle of a hash, and returning a
// wrong digest silently would be far worse than stopping.
[[noreturn]] void OpenSslFailure(const char* call) {
  char detail[256] = "no OpenSSL error queued";
  const unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, detail, sizeof(detail));
  std::fprintf(stderr,
               "modelseal: internal error: %s failed in the SHA-256 stream "
               "(%s)\n",
               call, detail);
  std::abort();
}

std::uint32_t RotateRight(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

std::uint32_t LoadBigEndian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
         (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

void StoreBigEndian32(std::uint32_t v, std::uint8_t* p) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

bool ShaNiSelfTest() {
  // "abc" padded to one block (FIPS 180-4 §5.1.1) must give the digest from
  // the standard's example; this validates the reference itself before it is
  // used to judge the hardware kernels.
  std::uint8_t abc[64] = {'a', 'b', 'c', 0x80};
  abc[63] = 24;
  static constexpr std::uint32_t kAbcDigest[8] = {
      0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
      0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  std::uint32_t reference[8];
  std::memcpy(reference, kSha256InitialState, sizeof(reference));
  Sha256CompressPortable(reference, abc, 1);
  if (std::memcmp(reference, kAbcDigest, sizeof(reference)) != 0) return false;

  // Several blocks so that state carried between blocks is exercised, inputs
  // that differ per stream so that a kernel mixing up its lanes is caught, and
  // an odd start address because callers pass arbitrary pointers.
  constexpr std::size_t kBlocks = 3;
  alignas(16) std::uint8_t input[2 * kBlocks * 64 + 1];
  for (std::size_t i = 0; i < sizeof(input); ++i) {
    input[i] = static_cast<std::uint8_t>(i * 167 + (i >> 3) + 11);
  }
  const std::uint8_t* const a = input + 1;
  const std::uint8_t* const b = a + kBlocks * 64;

  std::uint32_t want_a[8], want_b[8];
  std::memcpy(want_a, kSha256InitialState, sizeof(want_a));
  for (int i = 0; i < 8; ++i) want_b[i] = want_a[i] ^ (0x01010101u * i);
  std::uint32_t single_a[8], single_b[8], pair_a[8], pair_b[8];
  std::memcpy(single_a, want_a, sizeof(want_a));
  std::memcpy(single_b, want_b, sizeof(want_b));
  std::memcpy(pair_a, want_a, sizeof(want_a));
  std::memcpy(pair_b, want_b, sizeof(want_b));

  Sha256CompressPortable(want_a, a, kBlocks);
  Sha256CompressPortable(want_b, b, kBlocks);
  Sha256CompressShaNi(single_a, a, kBlocks);
  Sha256CompressShaNi(single_b, b, kBlocks);
  Sha256CompressShaNiX2(pair_a, a, pair_b, b, kBlocks);
  return std::memcmp(want_a, single_a, sizeof(want_a)) == 0 &&
         std::memcmp(want_b, single_b, sizeof(want_b)) == 0 &&
         std::memcmp(want_a, pair_a, sizeof(want_a)) == 0 &&
         std::memcmp(want_b, pair_b, sizeof(want_b)) == 0;
}

}  // namespace

void Sha256CompressPortable(std::uint32_t state[8], const std::uint8_t* data,
                            std::size_t blocks) {
  for (std::size_t block = 0; block < blocks; ++block, data += 64) {
    std::uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = LoadBigEndian32(data + 4 * t);
    for (int t = 16; t < 64; ++t) {
      const std::uint32_t s0 = RotateRight(w[t - 15], 7) ^
                               RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = RotateRight(w[t - 2], 17) ^
                               RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; ++t) {
      const std::uint32_t big_s1 =
          RotateRight(e, 6) ^ RotateRight(e, 11) ^ RotateRight(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 =
          h + big_s1 + ch + kSha256RoundConstants[t] + w[t];
      const std::uint32_t big_s0 =
          RotateRight(a, 2) ^ RotateRight(a, 13) ^ RotateRight(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = big_s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

bool Sha256ShaNiUsable() {
  static const bool usable = GetCpuFeatures().sha_ni && ShaNiSelfTest();
  return usable;
}

struct Sha256Stream::State {
  // Chosen once per stream so that the test hook cannot switch a stream
  // between implementations halfway through a message.
  explicit State(bool shani) : use_shani(shani) {
    if (use_shani) {
      Reset();
      return;
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) OpenSslFailure("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
      OpenSslFailure("EVP_DigestInit_ex");
    }
  }
  ~State() { EVP_MD_CTX_free(ctx); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  void Reset() {
    std::memcpy(h, kSha256InitialState, sizeof(h));
    buffered = 0;
    total_bytes = 0;
  }

  // Completes a partially filled block from the front of the input; whole
  // blocks can then be compressed straight from the caller's memory.
  void FillBuffer(const std::uint8_t*& data, std::size_t& length) {
    if (buffered == 0 || length == 0) return;
    const std::size_t take = std::min(length, kBlockBytes - buffered);
    std::memcpy(buffer + buffered, data, take);
    buffered += take;
    data += take;
    length -= take;
    if (buffered == kBlockBytes) {
      Sha256CompressShaNi(h, buffer, 1);
      buffered = 0;
    }
  }

  // Requires an empty buffer (FillBuffer leaves it empty whenever input
  // remains).
  void AbsorbAligned(const std::uint8_t* data, std::size_t length) {
    const std::size_t blocks = length / kBlockBytes;
    if (blocks != 0) Sha256CompressShaNi(h, data, blocks);
    buffered = length - blocks * kBlockBytes;
    if (buffered != 0)
      std::memcpy(buffer, data + blocks * kBlockBytes, buffered);
  }

  void Update(const std::uint8_t* data, std::size_t length) {
    if (!use_shani) {
      if (length != 0 && EVP_DigestUpdate(ctx, data, length) != 1) {
        OpenSslFailure("EVP_DigestUpdate");
      }
      return;
    }
    total_bytes += length;
    FillBuffer(data, length);
    if (length != 0) AbsorbAligned(data, length);
  }

  std::array<std::uint8_t, kDigestBytes> Finish() {
    std::array<std::uint8_t, kDigestBytes> digest;
    if (!use_shani) {
      unsigned int size = 0;
      if (EVP_DigestFinal_ex(ctx, digest.data(), &size) != 1 ||
          size != kDigestBytes) {
        OpenSslFailure("EVP_DigestFinal_ex");
      }
      if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
        OpenSslFailure("EVP_DigestInit_ex");
      }
      return digest;
    }
    // FIPS 180-4 §5.1.1: a 1 bit, zeros, then the message length in bits as a
    // 64-bit big-endian integer, ending on a block boundary.
    const std::uint64_t bits = total_bytes * 8;
    buffer[buffered++] = 0x80;
    if (buffered > kBlockBytes - 8) {
      std::memset(buffer + buffered, 0, kBlockBytes - buffered);
      Sha256CompressShaNi(h, buffer, 1);
      buffered = 0;
    }
    std::memset(buffer + buffered, 0, kBlockBytes - 8 - buffered);
    StoreBigEndian32(static_cast<std::uint32_t>(bits >> 32), buffer + 56);
    StoreBigEndian32(static_cast<std::uint32_t>(bits), buffer + 60);
    Sha256CompressShaNi(h, buffer, 1);
    for (int i = 0; i < 8; ++i) StoreBigEndian32(h[i], digest.data() + 4 * i);
    Reset();
    return digest;
  }

  const bool use_shani;
  EVP_MD_CTX* ctx = nullptr;
  std::uint32_t h[8];
  std::uint8_t buffer[kBlockBytes];
  std::size_t buffered = 0;
  // Wraps at 2^64 bytes; the length field only keeps the bit count mod 2^64
  // anyway (FIPS 180-4 limits messages to below 2^64 bits).
  std::uint64_t total_bytes = 0;
};

namespace {

bool NewStreamsUseShaNi() {
  return !g_force_openssl.load(std::memory_order_relaxed) &&
         Sha256ShaNiUsable();
}

}  // namespace

Sha256Stream::Sha256Stream()
    : state_(std::make_unique<State>(NewStreamsUseShaNi())) {}
Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::Update(const std::uint8_t* data, std::size_t length) {
  // A moved-from stream starts over as a fresh one instead of crashing.
  if (state_ == nullptr) state_ = std::make_unique<State>(NewStreamsUseShaNi());
  state_->Update(data, length);
}

std::array<std::uint8_t, Sha256Stream::kDigestBytes> Sha256Stream::Finish() {
  if (state_ == nullptr) state_ = std::make_unique<State>(NewStreamsUseShaNi());
  return state_->Finish();
}

void Sha256UpdatePair(Sha256Stream& a, const std::uint8_t* data_a,
                      std::size_t length_a, Sha256Stream& b,
                      const std::uint8_t* data_b, std::size_t length_b) {
  if (a.state_ == nullptr || b.state_ == nullptr || &a == &b ||
      !a.state_->use_shani || !b.state_->use_shani) {
    a.Update(data_a, length_a);
    b.Update(data_b, length_b);
    return;
  }
  Sha256Stream::State& sa = *a.state_;
  Sha256Stream::State& sb = *b.state_;
  sa.total_bytes += length_a;
  sb.total_bytes += length_b;
  sa.FillBuffer(data_a, length_a);
  sb.FillBuffer(data_b, length_b);
  const std::size_t common =
      std::min(length_a, length_b) / Sha256Stream::kBlockBytes;
  if (common != 0) {
    Sha256CompressShaNiX2(sa.h, data_a, sb.h, data_b, common);
    const std::size_t done = common * Sha256Stream::kBlockBytes;
    data_a += done;
    data_b += done;
    length_a -= done;
    length_b -= done;
  }
  if (length_a != 0) sa.AbsorbAligned(data_a, length_a);
  if (length_b != 0) sb.AbsorbAligned(data_b, length_b);
}

const char* Sha256ImplementationName() {
  return NewStreamsUseShaNi() ? "sha-ni" : "openssl";
}

void Sha256ForceOpenSslForTesting(bool force) {
  g_force_openssl.store(force, std::memory_order_relaxed);
}

}  // namespace modelseal::hash_internal
