// BLAKE3 kernel selection (internal to lib/hash).
//
// One kernel per instruction set lives in lib/hash/simd/blake3_<isa>.cc, each
// compiled with that ISA's flags only. The dispatcher picks the best kernel
// the CPU supports once, after checking it against the portable kernel on a
// known input; a kernel that disagrees is never used.
#ifndef MODELSEAL_HASH_BLAKE3_DISPATCH_H_
#define MODELSEAL_HASH_BLAKE3_DISPATCH_H_

#include <vector>

#include "absl/status/status.h"

namespace modelseal::hash_internal {

enum class Blake3Isa { kPortable, kSse41, kAvx2, kAvx512 };

const char* Blake3IsaName(Blake3Isa isa);
// The kernel in use now.
Blake3Isa Blake3ActiveIsa();
// Kernels this CPU can run (and that passed the self-test), best last.
std::vector<Blake3Isa> Blake3SupportedIsas();
// Test hook: use `isa` from now on. kFailedPrecondition if unsupported.
absl::Status Blake3ForceIsaForTesting(Blake3Isa isa);

}  // namespace modelseal::hash_internal

#endif  // MODELSEAL_HASH_BLAKE3_DISPATCH_H_
