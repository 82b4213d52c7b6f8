// Build identity of the modelseal binary. ModelsealVersion and ModelsealCommit
// are generated at build time (cmake/WriteBuildInfo.cmake), so the commit
// follows the tree the binary was built from.
#ifndef MODELSEAL_CLI_VERSION_H_
#define MODELSEAL_CLI_VERSION_H_

#include <string>

namespace modelseal::cli {

// The project version from CMake's project() call, e.g. "0.1.0".
const char* ModelsealVersion();

// `git describe --always --dirty` of the source tree at build time (or the
// MODELSEAL_COMMIT cache variable when set); "unknown" outside a git checkout,
// e.g. when built from a release tarball.
const char* ModelsealCommit();

// What `modelseal --version` prints: version, commit, and the hash kernels
// this process picked on this CPU, e.g.
//   modelseal 0.1.0 (commit 5b4236b)
//   hash kernels: sha256=sha-ni blake3=avx512 blake2b=libsodium
std::string VersionText();

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_VERSION_H_
