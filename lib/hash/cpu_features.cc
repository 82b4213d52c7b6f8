#include "hash/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <cstdint>

namespace modelseal::hash_internal {
namespace {

#if defined(__x86_64__) || defined(__i386__)
std::uint64_t ReadXcr0() {
  std::uint32_t eax = 0;
  std::uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (std::uint64_t{edx} << 32) | eax;
}

CpuFeatures Detect() {
  CpuFeatures features;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return features;
  const bool ssse3 = (ecx & bit_SSSE3) != 0;
  features.sse41 = (ecx & bit_SSE4_1) != 0;
  const bool osxsave = (ecx & bit_OSXSAVE) != 0;
  const bool avx = (ecx & bit_AVX) != 0;
  // The OS must save YMM (bits 1,2) and, for AVX-512, opmask/ZMM (bits 5-7).
  const std::uint64_t xcr0 = osxsave ? ReadXcr0() : 0;
  const bool os_ymm = (xcr0 & 0x6) == 0x6;
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    features.avx2 = avx && os_ymm && (ebx & bit_AVX2) != 0;
    features.avx512 = features.avx2 && os_zmm && (ebx & bit_AVX512F) != 0 &&
                      (ebx & bit_AVX512VL) != 0;
    features.sha_ni = (ebx & bit_SHA) != 0 && features.sse41 && ssse3;
  }
  return features;
}
#else
CpuFeatures Detect() { return CpuFeatures{}; }
#endif

}  // namespace

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = Detect();
  return features;
}

}  // namespace modelseal::hash_internal
