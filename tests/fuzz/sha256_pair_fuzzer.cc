// Differential: two SHA-256 streams advanced together (interleaved SHA-NI
// kernel) give OpenSSL's digests, whatever the split of the input.
#include <openssl/sha.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "hash/sha256.h"

namespace hi = modelseal::hash_internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 3) return 0;
  const std::size_t split = data[0] % (size - 2);
  const std::size_t step = data[1] * 3 + 1;
  data += 2;
  size -= 2;
  const std::uint8_t* a = data;
  const std::size_t a_len = split;
  const std::uint8_t* b = data + split;
  const std::size_t b_len = size - split;

  hi::Sha256Stream sa, sb;
  std::size_t ia = 0, ib = 0;
  while (ia < a_len || ib < b_len) {
    const std::size_t na = std::min(step, a_len - ia);
    const std::size_t nb = std::min(step * 2, b_len - ib);
    hi::Sha256UpdatePair(sa, a + ia, na, sb, b + ib, nb);
    ia += na;
    ib += nb;
  }
  std::uint8_t want_a[32], want_b[32];
  SHA256(a, a_len, want_a);
  SHA256(b, b_len, want_b);
  const auto got_a = sa.Finish();
  const auto got_b = sb.Finish();
  if (std::memcmp(got_a.data(), want_a, 32) != 0) std::abort();
  if (std::memcmp(got_b.data(), want_b, 32) != 0) std::abort();
  return 0;
}
