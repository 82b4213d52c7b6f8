// The --cache flag of hash, sign and verify: the per-user digest cache
// (modelseal/digest_cache.h), also switched on by MODELSEAL_CACHE=1.
#ifndef MODELSEAL_CLI_CACHE_FLAGS_H_
#define MODELSEAL_CLI_CACHE_FLAGS_H_

#include <memory>

#include "CLI/CLI.hpp"
#include "modelseal/digest_cache.h"

namespace modelseal::cli {

struct CacheFlags {
  bool enabled = false;

  // Adds --cache to `command`. The object must outlive the parse.
  void Register(CLI::App& command);
  // True when --cache was given or MODELSEAL_CACHE is 1 (or true/yes/on).
  bool Wanted() const;
  // Opens the cache when wanted (or `force`). A cache that cannot be opened
  // safely is never an error: a warning says why and hashing goes on
  // without it (null).
  std::unique_ptr<DigestCache> Open(bool force = false) const;
};

// Saves `cache` (if any), warning on failure: the result stands either way.
void SaveCache(DigestCache* cache);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_CACHE_FLAGS_H_
