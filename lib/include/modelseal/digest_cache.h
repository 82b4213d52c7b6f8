// DigestCache: a per-user, authenticated cache of file digests, so that
// verifying or signing an unchanged model again does not re-read it.
//
//   auto cache = DigestCache::Open(DigestCache::DefaultDirectory().value());
//   if (cache.ok()) run.cache = cache->get();   // HashRunOptions
//   ... SerializeModel / VerifyModel as usual ...
//   (*cache)->Save();                          // keeps what was learnt
//
// An entry maps (device, inode, size, mtime ns, ctime ns, algorithm, byte
// range) to the digest of that range. A lookup hits only when all seven
// match what the caller observed of the file now; anything else is a miss
// and the bytes are hashed again.
//
// Trust argument. An entry is only as good as the claim "a file whose inode,
// size, mtime and ctime are unchanged has unchanged bytes". Anyone can set a
// file's mtime back, but the kernel sets ctime on every change (content,
// metadata, rename) and offers no call to set it: only root (changing the
// clock, or writing the block device) can change a file and keep its ctime,
// and root can change the verifier itself. Two further races are closed:
//   * timestamp granularity: a file changed within the same clock tick as
//     its last change would keep its ctime. Entries are only recorded for
//     files whose mtime and ctime are older than the start of the run by
//     racy_margin_ns (2 s by default, more than any filesystem's
//     granularity), so a later change always moves ctime;
//   * poisoning: every entry carries a keyed BLAKE2b tag (libsodium
//     crypto_generichash) under a 32-byte key made for this user (file
//     "key", mode 0600, in a directory of mode 0700 owned by the user). An
//     edited entry, an entry from another user's cache, or a cache file
//     copied from elsewhere fails its tag and is ignored. A key or directory
//     that is not the user's own, or is open to others, makes Open() fail,
//     and callers then hash without the cache.
// The cache never makes verification fail: at worst it makes it slower.
//
// Thread safety: Lookup and Record may be called from several threads.
#ifndef MODELSEAL_DIGEST_CACHE_H_
#define MODELSEAL_DIGEST_CACHE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/hash_engine.h"

namespace modelseal {

struct DigestCacheOptions {
  // Files changed less than this long before the run started are hashed but
  // not recorded (see the trust argument above).
  std::int64_t racy_margin_ns = 2'000'000'000;
  // Wall-clock "now" in ns since the epoch; 0 reads the clock at Open().
  std::int64_t now_ns = 0;
};

struct DigestCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t recorded = 0;
  // Entries read from disk whose tag did not verify (ignored). Tags are
  // checked when an entry is first looked up (and, for the entries nobody
  // looked up, when Save() copies them), so this counts what was examined.
  std::uint64_t rejected = 0;
};

class DigestCache {
 public:
  // $XDG_CACHE_HOME/modelseal, else $HOME/.cache/modelseal (XDG Base
  // Directory); kFailedPrecondition when neither variable is set.
  static absl::StatusOr<std::string> DefaultDirectory();

  // Opens (creating it, mode 0700, with a new key) the cache in `directory`
  // and indexes its entries. kPermissionDenied when the directory or key is
  // not owned by this user or is open to group or others; a damaged entries
  // file is not an error (it is ignored and rewritten by Save()).
  static absl::StatusOr<std::unique_ptr<DigestCache>> Open(
      const std::string& directory, const DigestCacheOptions& options = {});

  ~DigestCache();

  // The digest recorded for `task` (whose `expected` is what the caller
  // observed of the file), if any.
  std::optional<std::vector<std::uint8_t>> Lookup(HashAlgorithm algorithm,
                                                  const HashTask& task);

  // Records the digest of `task` just computed, unless the file changed too
  // recently to be trusted later (racy_margin_ns).
  void Record(HashAlgorithm algorithm, const HashTask& task,
              const std::vector<std::uint8_t>& digest);

  // Writes the entries back (atomically, mode 0600) if anything was
  // recorded; a no-op otherwise.
  absl::Status Save();

  DigestCacheStats stats() const;
  const std::string& directory() const { return directory_; }

 private:
  struct Store;  // the entries, in digest_cache.cc

  DigestCache();
  std::string Tag(absl::string_view record) const;
  // Whether a stored record (entry, then its kTagBytes tag) carries its tag.
  bool TagVerifies(absl::string_view record) const;

  std::string directory_;
  DigestCacheOptions options_;
  std::string key_;  // 32 bytes
  mutable std::mutex mu_;
  std::unique_ptr<Store> store_;  // guarded by mu_
  bool dirty_ = false;
  DigestCacheStats stats_;
};

// Runs `tasks` through `engine`, answering what `cache` already knows
// (cache may be null: then this is engine.Run(tasks)). New digests are
// recorded in the cache; Save() is the caller's. When `bytes_from_cache` is
// given, it receives the number of bytes the cache answered for.
absl::StatusOr<std::vector<std::vector<std::uint8_t>>> RunHashTasks(
    HashEngine& engine, HashAlgorithm algorithm,
    const std::vector<HashTask>& tasks, DigestCache* cache,
    std::uint64_t* bytes_from_cache = nullptr);

}  // namespace modelseal

#endif  // MODELSEAL_DIGEST_CACHE_H_
