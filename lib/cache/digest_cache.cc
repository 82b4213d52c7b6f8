#include "modelseal/digest_cache.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

// The entries file: kMagic, then records of kRecordBytes + digest + tag:
//   u64 device, u64 inode, u64 size, i64 mtime_ns, i64 ctime_ns,
//   u64 offset, u64 length (little-endian), u8 algorithm, u8 digest length,
//   digest bytes, 32-byte keyed BLAKE2b tag over everything before it in the
//   record (with kMagic as its personalisation prefix).
constexpr absl::string_view kMagic = "modelseal digest cache v1\n";
constexpr absl::string_view kEntriesFile = "digests";
constexpr absl::string_view kKeyFile = "key";
constexpr std::size_t kKeyBytes = crypto_generichash_KEYBYTES;
constexpr std::size_t kTagBytes = 32;
constexpr std::size_t kKeyFieldBytes = 7 * 8 + 1;  // the lookup key
constexpr std::size_t kMaxDigestBytes = 64;
// A cache bigger than this is ignored (and rewritten): 4 million entries.
constexpr std::size_t kMaxEntriesFileBytes = std::size_t{512} << 20;
constexpr std::size_t kMaxEntries = 4'000'000;

// The lookup key of a record, kKeyFieldBytes long; in a fixed buffer, as
// a cached run builds one per file.
struct Key {
  char bytes[kKeyFieldBytes];
  absl::string_view view() const { return {bytes, sizeof bytes}; }
};

void PutU64(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
}

Key KeyOf(HashAlgorithm algorithm, const HashTask& task) {
  Key key;
  const std::uint64_t fields[] = {
      task.expected.device,
      task.expected.inode,
      task.expected.size,
      static_cast<std::uint64_t>(task.expected.mtime_ns),
      static_cast<std::uint64_t>(task.expected.ctime_ns),
      task.offset,
      task.length};
  static_assert(sizeof fields + 1 == kKeyFieldBytes);
  for (std::size_t i = 0; i < std::size(fields); ++i) {
    PutU64(key.bytes + 8 * i, fields[i]);
  }
  key.bytes[kKeyFieldBytes - 1] = static_cast<char>(algorithm);
  return key;
}

// Owner and mode checks on an opened file or directory: the cache must be
// this user's alone.
absl::Status CheckPrivate(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return absl::InternalError(
        absl::StrCat(path, ": fstat failed: ", std::strerror(errno)));
  }
  if (st.st_uid != geteuid()) {
    return absl::PermissionDeniedError(
        absl::StrCat(path,
                     " belongs to another user; the digest cache must "
                     "be your own (remove it or set XDG_CACHE_HOME)"));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o",
                  static_cast<unsigned>(st.st_mode & 0777));
    return absl::PermissionDeniedError(
        absl::StrCat(path, " is open to group or others (mode ", mode,
                     "); the digest cache must be private: chmod go-rwx it"));
  }
  return absl::OkStatus();
}

// Reads a whole regular file without following a final symlink.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path,
                                            std::size_t max_bytes,
                                            bool check_private) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(path);
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::string contents;
  absl::Status status = absl::OkStatus();
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = absl::PermissionDeniedError(
        absl::StrCat(path, " is not a regular file"));
  } else if (check_private) {
    status = CheckPrivate(fd, path);
  }
  if (status.ok() && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    status = absl::ResourceExhaustedError(
        absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
  }
  if (status.ok()) {
    contents.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n =
          read(fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        status = absl::InternalError(absl::StrCat(path, ": read failed"));
        break;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  close(fd);
  if (!status.ok()) return status;
  return contents;
}

}  // namespace

// Entries come from two places. `stored` indexes the records of the entries
// file as read (`file`), by key, without checking their tags: a cache of
// many models would otherwise pay for every tag on every run. A record's tag
// is checked when it is first looked up (then marked verified, or dropped);
// Save() checks the rest before copying them. `entries` holds what this run
// recorded. A key is in one map at most.
struct StoredRecord {
  absl::string_view record;  // entry, then its tag
  bool verified = false;
};

struct DigestCache::Store {
  ~Store() { sodium_memzero(&tag_prefix, sizeof tag_prefix); }

  std::string file;
  absl::flat_hash_map<absl::string_view, StoredRecord> stored;
  absl::flat_hash_map<std::string, std::vector<std::uint8_t>> entries;
  // The keyed BLAKE2b state after kMagic, set once by Open(): every tag
  // starts from a copy. It holds key material, so it is wiped like key_.
  crypto_generichash_state tag_prefix;
};

DigestCache::DigestCache() : store_(std::make_unique<Store>()) {}

absl::StatusOr<std::string> DigestCache::DefaultDirectory() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  if (cache != nullptr && cache[0] == '/') {
    return JoinPath(cache, "modelseal");
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return JoinPath(JoinPath(home, ".cache"), "modelseal");
  }
  return absl::FailedPreconditionError(
      "neither XDG_CACHE_HOME nor HOME is set, so there is no place for the "
      "digest cache");
}

absl::StatusOr<std::unique_ptr<DigestCache>> DigestCache::Open(
    const std::string& directory, const DigestCacheOptions& options) {
  if (sodium_init() < 0) {
    return absl::InternalError("libsodium failed to initialise");
  }
  Env& env = *Env::Default();
  MODELSEAL_RETURN_IF_ERROR(env.CreateDirectories(directory, 0700));
  {
    const int fd = open(directory.c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          directory,
          ": cannot open the cache directory: ", std::strerror(errno)));
    }
    const absl::Status owned = CheckPrivate(fd, directory);
    close(fd);
    MODELSEAL_RETURN_IF_ERROR(owned);
  }
  std::unique_ptr<DigestCache> cache(new DigestCache());
  cache->directory_ = directory;
  cache->options_ = options;
  if (cache->options_.now_ns == 0) {
    cache->options_.now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
  }

  const std::string key_path = JoinPath(directory, kKeyFile);
  absl::StatusOr<std::string> key = ReadPrivateFile(key_path, kKeyBytes, true);
  if (absl::IsNotFound(key.status())) {
    std::string fresh(kKeyBytes, '\0');
    randombytes_buf(fresh.data(), fresh.size());
    const absl::Status written =
        env.WriteFileAtomically(key_path, fresh, 0600, /*overwrite=*/false);
    sodium_memzero(fresh.data(), fresh.size());
    if (!written.ok() && !absl::IsAlreadyExists(written)) return written;
    // Whoever won the race, read back the key that is on disk.
    key = ReadPrivateFile(key_path, kKeyBytes, true);
  }
  if (!key.ok()) return key.status();
  if (key->size() != kKeyBytes) {
    return absl::PermissionDeniedError(
        absl::StrCat(key_path, " is not a ", kKeyBytes,
                     "-byte key; remove the cache directory to start over"));
  }
  cache->key_ = *std::move(key);
  crypto_generichash_state& prefix = cache->store_->tag_prefix;
  crypto_generichash_init(
      &prefix, reinterpret_cast<const unsigned char*>(cache->key_.data()),
      cache->key_.size(), kTagBytes);
  crypto_generichash_update(
      &prefix, reinterpret_cast<const unsigned char*>(kMagic.data()),
      kMagic.size());

  absl::StatusOr<std::string> entries = ReadPrivateFile(
      JoinPath(directory, kEntriesFile), kMaxEntriesFileBytes, true);
  if (!entries.ok()) {
    // Missing, too big or not private: start empty; Save() replaces it.
    cache->dirty_ = !absl::IsNotFound(entries.status());
    return cache;
  }
  Store& store = *cache->store_;
  store.file = *std::move(entries);
  absl::string_view rest(store.file);
  if (!absl::ConsumePrefix(&rest, kMagic)) {
    cache->dirty_ = true;
    return cache;
  }
  store.stored.reserve(rest.size() / (kKeyFieldBytes + 1 + 32 + kTagBytes));
  while (!rest.empty() && store.stored.size() < kMaxEntries) {
    if (rest.size() < kKeyFieldBytes + 1) break;
    const std::size_t digest_bytes =
        static_cast<unsigned char>(rest[kKeyFieldBytes]);
    const std::size_t record_bytes = kKeyFieldBytes + 1 + digest_bytes;
    if (digest_bytes == 0 || digest_bytes > kMaxDigestBytes ||
        rest.size() < record_bytes + kTagBytes) {
      break;
    }
    // A repeated key (never written by Save) keeps its first record.
    if (!store.stored
             .emplace(rest.substr(0, kKeyFieldBytes),
                      StoredRecord{rest.substr(0, record_bytes + kTagBytes)})
             .second) {
      cache->dirty_ = true;
    }
    rest.remove_prefix(record_bytes + kTagBytes);
  }
  if (!rest.empty()) cache->dirty_ = true;  // a torn or foreign tail
  return cache;
}

DigestCache::~DigestCache() {
  if (!key_.empty()) sodium_memzero(key_.data(), key_.size());
}

std::string DigestCache::Tag(absl::string_view record) const {
  // The same as keying BLAKE2b and absorbing kMagic here, without redoing
  // that for every record.
  crypto_generichash_state state = store_->tag_prefix;
  crypto_generichash_update(
      &state, reinterpret_cast<const unsigned char*>(record.data()),
      record.size());
  std::string tag(kTagBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(tag.data()),
                           tag.size());
  sodium_memzero(&state, sizeof state);
  return tag;
}

bool DigestCache::TagVerifies(absl::string_view record) const {
  const absl::string_view body = record.substr(0, record.size() - kTagBytes);
  const std::string expected = Tag(body);
  return sodium_memcmp(expected.data(), record.data() + body.size(),
                       kTagBytes) == 0;
}

std::optional<std::vector<std::uint8_t>> DigestCache::Lookup(
    HashAlgorithm algorithm, const HashTask& task) {
  const Key key = KeyOf(algorithm, task);
  std::lock_guard<std::mutex> lock(mu_);
  Store& store = *store_;
  absl::Span<const std::uint8_t> digest;
  if (const auto it = store.entries.find(key.view());
      it != store.entries.end()) {
    digest = it->second;
  } else if (auto stored = store.stored.find(key.view());
             stored != store.stored.end()) {
    const absl::string_view record = stored->second.record;
    if (!stored->second.verified && !TagVerifies(record)) {
      store.stored.erase(stored);
      ++stats_.rejected;
      ++stats_.misses;
      dirty_ = true;
      return std::nullopt;
    }
    stored->second.verified = true;
    const absl::string_view body = record.substr(0, record.size() - kTagBytes);
    digest = absl::MakeConstSpan(
        reinterpret_cast<const std::uint8_t*>(body.data()) + kKeyFieldBytes + 1,
        body.size() - kKeyFieldBytes - 1);
  }
  if (digest.size() != DigestBytes(algorithm)) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  return std::vector<std::uint8_t>(digest.begin(), digest.end());
}

void DigestCache::Record(HashAlgorithm algorithm, const HashTask& task,
                         const std::vector<std::uint8_t>& digest) {
  const std::int64_t cutoff = options_.now_ns - options_.racy_margin_ns;
  if (task.expected.mtime_ns >= cutoff || task.expected.ctime_ns >= cutoff ||
      digest.empty() || digest.size() > kMaxDigestBytes) {
    return;
  }
  const Key key = KeyOf(algorithm, task);
  std::lock_guard<std::mutex> lock(mu_);
  Store& store = *store_;
  if (store.entries.size() + store.stored.size() >= kMaxEntries) return;
  store.stored.erase(key.view());
  store.entries[key.view()] = digest;
  dirty_ = true;
  ++stats_.recorded;
}

absl::Status DigestCache::Save() {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dirty_) return absl::OkStatus();
    Store& store = *store_;
    out.reserve(kMagic.size() + (store.entries.size() + store.stored.size()) *
                                    (kKeyFieldBytes + 1 + 32 + kTagBytes));
    out.append(kMagic.data(), kMagic.size());
    // Stored records are copied with their own tags, once those verify.
    for (const auto& [key, stored] : store.stored) {
      const absl::string_view record = stored.record;
      if (!stored.verified && !TagVerifies(record)) {
        ++stats_.rejected;
        continue;
      }
      out.append(record.data(), record.size());
    }
    for (const auto& [key, digest] : store.entries) {
      std::string record = key;
      record.push_back(static_cast<char>(digest.size()));
      record.append(reinterpret_cast<const char*>(digest.data()),
                    digest.size());
      out.append(record);
      out.append(Tag(record));
    }
    dirty_ = false;
  }
  return Env::Default()->WriteFileAtomically(JoinPath(directory_, kEntriesFile),
                                             out, 0600, /*overwrite=*/true);
}

DigestCacheStats DigestCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::StatusOr<std::vector<std::vector<std::uint8_t>>> RunHashTasks(
    HashEngine& engine, HashAlgorithm algorithm,
    const std::vector<HashTask>& tasks, DigestCache* cache,
    std::uint64_t* bytes_from_cache) {
  if (bytes_from_cache != nullptr) *bytes_from_cache = 0;
  if (cache == nullptr) return engine.Run(tasks);
  std::vector<std::vector<std::uint8_t>> digests(tasks.size());
  std::vector<HashTask> misses;
  std::vector<std::size_t> miss_index;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    std::optional<std::vector<std::uint8_t>> hit =
        cache->Lookup(algorithm, tasks[i]);
    if (hit.has_value()) {
      digests[i] = *std::move(hit);
      if (bytes_from_cache != nullptr) *bytes_from_cache += tasks[i].length;
    } else {
      misses.push_back(tasks[i]);
      miss_index.push_back(i);
    }
  }
  if (misses.empty()) return digests;
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::vector<std::uint8_t>> computed,
                             engine.Run(misses));
  for (std::size_t j = 0; j < computed.size(); ++j) {
    cache->Record(algorithm, misses[j], computed[j]);
    digests[miss_index[j]] = std::move(computed[j]);
  }
  return digests;
}

}  // namespace modelseal
