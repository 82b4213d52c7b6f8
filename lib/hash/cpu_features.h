// CPU feature detection, done once per process (internal to lib/hash).
#ifndef MODELSEAL_HASH_CPU_FEATURES_H_
#define MODELSEAL_HASH_CPU_FEATURES_H_

namespace modelseal::hash_internal {

struct CpuFeatures {
  bool sse41 = false;
  bool avx2 = false;
  // AVX-512 F and VL, with the OS saving ZMM state.
  bool avx512 = false;
  // SHA extensions (SHA-NI), with SSE4.1 and SSSE3 which their users need.
  bool sha_ni = false;
};

// Detected on first call (cpuid + xgetbv); later calls are free.
const CpuFeatures& GetCpuFeatures();

}  // namespace modelseal::hash_internal

#endif  // MODELSEAL_HASH_CPU_FEATURES_H_
