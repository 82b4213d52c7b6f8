#include "cli/cache_flags.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"

namespace modelseal::cli {

void CacheFlags::Register(CLI::App& command) {
  command.add_flag(
      "--cache", enabled,
      "Reuse digests of files unchanged since an earlier run (same inode, "
      "size, mtime and ctime) from your authenticated per-user cache in "
      "$XDG_CACHE_HOME/modelseal, and record new ones; MODELSEAL_CACHE=1 "
      "does the same. Off by default; see docs/cache.md for what it trusts");
}

bool CacheFlags::Wanted() const {
  if (enabled) return true;
  const char* env = std::getenv("MODELSEAL_CACHE");
  if (env == nullptr) return false;
  const std::string value = absl::AsciiStrToLower(env);
  return value == "1" || value == "true" || value == "yes" || value == "on";
}

std::unique_ptr<DigestCache> CacheFlags::Open(bool force) const {
  if (!force && !Wanted()) return nullptr;
  absl::StatusOr<std::string> directory = DigestCache::DefaultDirectory();
  absl::StatusOr<std::unique_ptr<DigestCache>> cache =
      directory.ok()
          ? DigestCache::Open(*directory)
          : absl::StatusOr<std::unique_ptr<DigestCache>>(directory.status());
  if (!cache.ok()) {
    std::cerr << "modelseal: warning: not using the digest cache: "
              << cache.status().message() << "; hashing every file\n";
    return nullptr;
  }
  return *std::move(cache);
}

void SaveCache(DigestCache* cache) {
  if (cache == nullptr) return;
  const absl::Status saved = cache->Save();
  if (!saved.ok()) {
    std::cerr << "modelseal: warning: could not update the digest cache: "
              << saved.message() << "\n";
  }
}

}  // namespace modelseal::cli
