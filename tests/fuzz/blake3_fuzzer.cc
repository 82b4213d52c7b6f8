// Differential: every BLAKE3 kernel, fed the input in fuzzer-chosen pieces,
// gives the portable kernel's one-shot output, at a fuzzer-chosen seek.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hash/blake3_dispatch.h"
#include "modelseal/blake3.h"

using modelseal::Blake3Hasher;
namespace hi = modelseal::hash_internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 4) return 0;
  const std::uint16_t step =
      static_cast<std::uint16_t>(data[0] | (data[1] << 8)) % 4099 + 1;
  const std::uint8_t seek = data[2];
  const bool keyed = data[3] & 1;
  data += 4;
  size -= 4;
  std::array<std::uint8_t, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i)
    key[i] = static_cast<std::uint8_t>(i * 13);

  auto make = [&] { return keyed ? Blake3Hasher::Keyed(key) : Blake3Hasher(); };
  if (!hi::Blake3ForceIsaForTesting(hi::Blake3Isa::kPortable).ok())
    std::abort();
  Blake3Hasher reference = make();
  reference.Update(data, size);
  std::uint8_t want[80];
  reference.Finalize(want, sizeof(want), seek);

  for (hi::Blake3Isa isa : hi::Blake3SupportedIsas()) {
    if (!hi::Blake3ForceIsaForTesting(isa).ok()) std::abort();
    Blake3Hasher hasher = make();
    for (std::size_t at = 0; at < size; at += step) {
      hasher.Update(data + at, std::min<std::size_t>(step, size - at));
    }
    std::uint8_t got[80];
    hasher.Finalize(got, sizeof(got), seek);
    if (std::memcmp(got, want, sizeof(got)) != 0) std::abort();
  }
  return 0;
}
