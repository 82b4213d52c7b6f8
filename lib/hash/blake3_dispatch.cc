#include "hash/blake3_dispatch.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "hash/blake3_internal.h"
#include "hash/cpu_features.h"

namespace modelseal::hash_internal {
namespace {

constexpr Blake3Kernel kPortableKernel = {
    Blake3Isa::kPortable, 1, Blake3CompressInPlacePortable,
    Blake3CompressXofPortable, Blake3HashManyPortable};
constexpr Blake3Kernel kSse41Kernel = {
    Blake3Isa::kSse41, 4, Blake3CompressInPlaceSse41, Blake3CompressXofSse41,
    Blake3HashManySse41};
// AVX2 brings no gain for a lone compression, so the SSE4.1 one serves.
constexpr Blake3Kernel kAvx2Kernel = {
    Blake3Isa::kAvx2, 8, Blake3CompressInPlaceSse41, Blake3CompressXofSse41,
    Blake3HashManyAvx2};
constexpr Blake3Kernel kAvx512Kernel = {
    Blake3Isa::kAvx512, 16, Blake3CompressInPlaceAvx512,
    Blake3CompressXofAvx512, Blake3HashManyAvx512};

// The SIMD kernels also call into the lower levels (AVX2 tails use SSE4.1),
// so each level requires every level below it.
bool CpuRuns(Blake3Isa isa) {
  const CpuFeatures& cpu = GetCpuFeatures();
  switch (isa) {
    case Blake3Isa::kPortable:
      return true;
    case Blake3Isa::kSse41:
      return cpu.sse41;
    case Blake3Isa::kAvx2:
      return cpu.sse41 && cpu.avx2;
    case Blake3Isa::kAvx512:
      return cpu.sse41 && cpu.avx2 && cpu.avx512;
  }
  return false;
}

const Blake3Kernel& KernelFor(Blake3Isa isa) {
  switch (isa) {
    case Blake3Isa::kSse41:
      return kSse41Kernel;
    case Blake3Isa::kAvx2:
      return kAvx2Kernel;
    case Blake3Isa::kAvx512:
      return kAvx512Kernel;
    case Blake3Isa::kPortable:
      break;
  }
  return kPortableKernel;
}

// Known-answer check against the portable kernel. 31 inputs exercise every
// lane-count path (16 + 8 + 4 + 3 singles); the chunk counter starts just
// below 2^32 so the lanes' carries into the high counter word are covered.
bool AgreesWithPortable(const Blake3Kernel& kernel) {
  constexpr std::size_t kInputs = 31;
  std::vector<std::uint8_t> input(kInputs * kBlake3ChunkLen);
  for (std::size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<std::uint8_t>(i % 251);
  }
  const std::uint8_t* pointers[kInputs];
  for (std::size_t i = 0; i < kInputs; ++i) {
    pointers[i] = input.data() + i * kBlake3ChunkLen;
  }
  std::uint32_t key[8];
  for (int i = 0; i < 8; ++i) key[i] = kBlake3Iv[i] ^ (0x01010101u * i);
  const std::uint64_t counter = (std::uint64_t{1} << 32) - 7;

  std::uint8_t want[kInputs * kBlake3OutLen];
  std::uint8_t got[kInputs * kBlake3OutLen];
  // Runs of chunks.
  Blake3HashManyPortable(pointers, kInputs, kBlake3BlocksPerChunk, key, counter,
                         true, kBlake3KeyedHash, kBlake3ChunkStart,
                         kBlake3ChunkEnd, want);
  kernel.hash_many(pointers, kInputs, kBlake3BlocksPerChunk, key, counter, true,
                   kBlake3KeyedHash, kBlake3ChunkStart, kBlake3ChunkEnd, got);
  if (std::memcmp(want, got, sizeof(want)) != 0) return false;
  // Rows of parent nodes.
  Blake3HashManyPortable(pointers, kInputs, 1, key, 0, false,
                         kBlake3KeyedHash | kBlake3Parent, 0, 0, want);
  kernel.hash_many(pointers, kInputs, 1, key, 0, false,
                   kBlake3KeyedHash | kBlake3Parent, 0, 0, got);
  if (std::memcmp(want, got, sizeof(want)) != 0) return false;
  // Single compressions, including a short zero-padded block.
  for (std::uint8_t block_len :
       {std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{64}}) {
    std::uint8_t block[kBlake3BlockLen] = {};
    std::memcpy(block, input.data() + 100, block_len);
    const std::uint8_t flags =
        kBlake3ChunkStart | kBlake3ChunkEnd | kBlake3Root;
    std::uint32_t cv_want[8];
    std::uint32_t cv_got[8];
    std::memcpy(cv_want, key, sizeof(cv_want));
    std::memcpy(cv_got, key, sizeof(cv_got));
    Blake3CompressInPlacePortable(cv_want, block, block_len, counter, flags);
    kernel.compress_in_place(cv_got, block, block_len, counter, flags);
    if (std::memcmp(cv_want, cv_got, sizeof(cv_want)) != 0) return false;
    std::uint8_t xof_want[64];
    std::uint8_t xof_got[64];
    Blake3CompressXofPortable(key, block, block_len, counter, flags, xof_want);
    kernel.compress_xof(key, block, block_len, counter, flags, xof_got);
    if (std::memcmp(xof_want, xof_got, sizeof(xof_want)) != 0) return false;
  }
  return true;
}

struct Selection {
  std::vector<Blake3Isa> supported;  // best last
  const Blake3Kernel* best = &kPortableKernel;
};

Selection Select() {
  Selection selection;
  selection.supported.push_back(Blake3Isa::kPortable);
  for (Blake3Isa isa :
       {Blake3Isa::kSse41, Blake3Isa::kAvx2, Blake3Isa::kAvx512}) {
    if (!CpuRuns(isa)) continue;
    const Blake3Kernel& kernel = KernelFor(isa);
    if (!AgreesWithPortable(kernel)) continue;
    selection.supported.push_back(isa);
    selection.best = &kernel;
  }
  return selection;
}

const Selection& GetSelection() {
  static const Selection selection = Select();
  return selection;
}

// Null until the first use; the test hook may replace it at any time.
std::atomic<const Blake3Kernel*> g_active_kernel{nullptr};

}  // namespace

const Blake3Kernel& Blake3ActiveKernel() {
  const Blake3Kernel* kernel = g_active_kernel.load(std::memory_order_acquire);
  if (kernel != nullptr) [[likely]] {
    return *kernel;
  }
  const Blake3Kernel* best = GetSelection().best;
  // A concurrent ForceIsa may have won; its choice stands.
  if (g_active_kernel.compare_exchange_strong(
          kernel, best, std::memory_order_acq_rel, std::memory_order_acquire)) {
    return *best;
  }
  return *kernel;
}

const char* Blake3IsaName(Blake3Isa isa) {
  switch (isa) {
    case Blake3Isa::kPortable:
      return "portable";
    case Blake3Isa::kSse41:
      return "sse41";
    case Blake3Isa::kAvx2:
      return "avx2";
    case Blake3Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

Blake3Isa Blake3ActiveIsa() { return Blake3ActiveKernel().isa; }

std::vector<Blake3Isa> Blake3SupportedIsas() {
  return GetSelection().supported;
}

absl::Status Blake3ForceIsaForTesting(Blake3Isa isa) {
  for (Blake3Isa supported : GetSelection().supported) {
    if (supported == isa) {
      g_active_kernel.store(&KernelFor(isa), std::memory_order_release);
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("BLAKE3 kernel ", Blake3IsaName(isa),
                   " is not supported on this CPU or failed its self-test"));
}

}  // namespace modelseal::hash_internal
