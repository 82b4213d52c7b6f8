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
std::atomic<bool> g_disable_avx512{false};

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
  constexpr std::size_t kStreams = 4;
  alignas(16) std::uint8_t input[kStreams * kBlocks * 64 + 1];
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
  if (std::memcmp(want_a, single_a, sizeof(want_a)) != 0 ||
      std::memcmp(want_b, single_b, sizeof(want_b)) != 0 ||
      std::memcmp(want_a, pair_a, sizeof(want_a)) != 0 ||
      std::memcmp(want_b, pair_b, sizeof(want_b)) != 0) {
    return false;
  }
  // Three and four streams, each lane with its own input and start state.
  std::uint32_t want[kStreams][8], got[kStreams][8];
  const std::uint8_t* lanes[kStreams];
  for (std::size_t s = 0; s < kStreams; ++s) {
    lanes[s] = a + s * kBlocks * 64;
    for (int i = 0; i < 8; ++i) {
      want[s][i] = kSha256InitialState[i] ^ (0x00010203u * (s + 1) + i);
    }
  }
  std::memcpy(got, want, sizeof(got));
  for (std::size_t s = 0; s < kStreams; ++s) {
    Sha256CompressPortable(want[s], lanes[s], kBlocks);
  }
  std::uint32_t* states[kStreams] = {got[0], got[1], got[2], got[3]};
  Sha256CompressShaNiX3(states, lanes, kBlocks);
  Sha256CompressShaNi(got[3], lanes[3], kBlocks);
  if (std::memcmp(want, got, sizeof(got)) != 0) return false;
  for (std::size_t s = 0; s < kStreams; ++s) {
    for (int i = 0; i < 8; ++i) {
      got[s][i] = kSha256InitialState[i] ^ (0x00010203u * (s + 1) + i);
    }
  }
  Sha256CompressShaNiX4(states, lanes, kBlocks);
  return std::memcmp(want, got, sizeof(got)) == 0;
}

// The sixteen-lane kernel against the portable compression: every lane with
// its own start state and input (odd addresses, several blocks), so that a
// transposition that mixes up lanes or words is caught.
bool Avx512SelfTest() {
  constexpr std::size_t kBlocks = 3;
  constexpr std::size_t kLanes = kSha256WideLanes;
  std::uint8_t input[kLanes * kBlocks * 64 + kLanes];
  for (std::size_t i = 0; i < sizeof(input); ++i) {
    input[i] = static_cast<std::uint8_t>(i * 131 + (i >> 5) + 7);
  }
  std::uint32_t want[kLanes][8], got[kLanes][8];
  const std::uint8_t* lanes[kLanes];
  std::uint32_t* states[kLanes];
  for (std::size_t s = 0; s < kLanes; ++s) {
    lanes[s] = input + s * (kBlocks * 64 + 1) + 1;
    for (int i = 0; i < 8; ++i) {
      want[s][i] = kSha256InitialState[i] ^ (0x01020304u * (s + 1) + i);
    }
    states[s] = got[s];
  }
  std::memcpy(got, want, sizeof(got));
  for (std::size_t s = 0; s < kLanes; ++s) {
    Sha256CompressPortable(want[s], lanes[s], kBlocks);
  }
  Sha256CompressAvx512X16(states, lanes, kBlocks);
  return std::memcmp(want, got, sizeof(got)) == 0;
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

bool Sha256Avx512Usable() {
  static const bool usable =
      Sha256ShaNiUsable() && GetCpuFeatures().avx512 && Avx512SelfTest();
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

bool UseAvx512() {
  return !g_disable_avx512.load(std::memory_order_relaxed) &&
         Sha256Avx512Usable();
}

// `blocks` blocks of each of `count` streams, interleaved on the SHA unit in
// groups of up to four, as even as possible (five streams as three and two,
// not four and a lone latency-bound one).
void CompressWithShaNi(std::uint32_t* const states[],
                       const std::uint8_t* const data[], std::size_t count,
                       std::size_t blocks) {
  const std::size_t groups =
      (count + kSha256MaxInterleave - 1) / kSha256MaxInterleave;
  std::size_t first = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t size = count / groups + (g < count % groups ? 1 : 0);
    std::uint32_t* const* s = states + first;
    const std::uint8_t* const* d = data + first;
    switch (size) {
      case 1:
        Sha256CompressShaNi(s[0], d[0], blocks);
        break;
      case 2:
        Sha256CompressShaNiX2(s[0], d[0], s[1], d[1], blocks);
        break;
      case 3:
        Sha256CompressShaNiX3(s, d, blocks);
        break;
      default:
        Sha256CompressShaNiX4(s, d, blocks);
        break;
    }
    first += size;
  }
}

// The same in the lanes of the AVX-512 kernel; lanes without a stream of
// their own hash the first stream's data again into a scratch state.
void CompressWithAvx512(std::uint32_t* const states[],
                        const std::uint8_t* const data[], std::size_t count,
                        std::size_t blocks) {
  std::uint32_t scratch[kSha256WideLanes][8] = {};
  std::uint32_t* lane_states[kSha256WideLanes];
  const std::uint8_t* lane_data[kSha256WideLanes];
  for (std::size_t lane = 0; lane < kSha256WideLanes; ++lane) {
    const bool used = lane < count;
    lane_states[lane] = used ? states[lane] : scratch[lane];
    lane_data[lane] = used ? data[lane] : data[0];
  }
  Sha256CompressAvx512X16(lane_states, lane_data, blocks);
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

void Sha256UpdateMany(Sha256Stream* const streams[],
                      const std::uint8_t* const data[],
                      const std::size_t lengths[], std::size_t count) {
  while (count > kSha256WideLanes) {
    Sha256UpdateMany(streams, data, lengths, kSha256WideLanes);
    streams += kSha256WideLanes;
    data += kSha256WideLanes;
    lengths += kSha256WideLanes;
    count -= kSha256WideLanes;
  }
  bool interleave = true;
  for (std::size_t i = 0; i < count; ++i) {
    Sha256Stream& stream = *streams[i];
    if (stream.state_ == nullptr) {
      stream.state_ =
          std::make_unique<Sha256Stream::State>(NewStreamsUseShaNi());
    }
    if (!stream.state_->use_shani) interleave = false;
    for (std::size_t j = 0; j < i; ++j) {
      if (streams[j] == streams[i]) interleave = false;
    }
  }
  if (!interleave || count < 2) {
    for (std::size_t i = 0; i < count; ++i) {
      streams[i]->Update(data[i], lengths[i]);
    }
    return;
  }
  const bool wide = UseAvx512();
  // Active streams: those with whole blocks left once their buffered
  // partial block is completed.
  Sha256Stream::State* states[kSha256WideLanes];
  const std::uint8_t* at[kSha256WideLanes];
  std::size_t left[kSha256WideLanes];
  for (std::size_t i = 0; i < count; ++i) {
    states[i] = streams[i]->state_.get();
    at[i] = data[i];
    left[i] = lengths[i];
    states[i]->total_bytes += left[i];
    states[i]->FillBuffer(at[i], left[i]);
  }
  std::size_t order[kSha256WideLanes];
  std::size_t active = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (left[i] >= Sha256Stream::kBlockBytes) order[active++] = i;
  }
  // Hash all active streams for as many blocks as the shortest has, drop the
  // streams that ran out, and go on with the rest.
  while (active > 0) {
    std::size_t blocks = left[order[0]] / Sha256Stream::kBlockBytes;
    for (std::size_t k = 1; k < active; ++k) {
      blocks = std::min(blocks, left[order[k]] / Sha256Stream::kBlockBytes);
    }
    std::uint32_t* group_states[kSha256WideLanes];
    const std::uint8_t* group_data[kSha256WideLanes];
    for (std::size_t k = 0; k < active; ++k) {
      group_states[k] = states[order[k]]->h;
      group_data[k] = at[order[k]];
    }
    if (wide && active >= kSha256WideMinStreams) {
      CompressWithAvx512(group_states, group_data, active, blocks);
    } else {
      CompressWithShaNi(group_states, group_data, active, blocks);
    }
    const std::size_t done = blocks * Sha256Stream::kBlockBytes;
    std::size_t still = 0;
    for (std::size_t k = 0; k < active; ++k) {
      const std::size_t i = order[k];
      at[i] += done;
      left[i] -= done;
      if (left[i] >= Sha256Stream::kBlockBytes) order[still++] = i;
    }
    active = still;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (left[i] != 0) states[i]->AbsorbAligned(at[i], left[i]);
  }
}

void Sha256UpdatePair(Sha256Stream& a, const std::uint8_t* data_a,
                      std::size_t length_a, Sha256Stream& b,
                      const std::uint8_t* data_b, std::size_t length_b) {
  Sha256Stream* const streams[2] = {&a, &b};
  const std::uint8_t* const data[2] = {data_a, data_b};
  const std::size_t lengths[2] = {length_a, length_b};
  Sha256UpdateMany(streams, data, lengths, 2);
}

std::size_t Sha256StreamsPerCore() {
  return NewStreamsUseShaNi() && UseAvx512() ? kSha256WideLanes
                                             : kSha256MaxInterleave;
}

const char* Sha256ImplementationName() {
  if (!NewStreamsUseShaNi()) return "openssl";
  return UseAvx512() ? "sha-ni+avx512" : "sha-ni";
}

void Sha256ForceOpenSslForTesting(bool force) {
  g_force_openssl.store(force, std::memory_order_relaxed);
}

void Sha256DisableAvx512ForTesting(bool disable) {
  g_disable_avx512.store(disable, std::memory_order_relaxed);
}

}  // namespace modelseal::hash_internal
