// The log writer keeps only the right edge of the tree in memory (one partial
// tile per level and the partial entry bundle); full tiles are written once
// and never read back while appending.
//
// Ordering is what makes crashes harmless: all of a batch's bundle and tile
// files are durable before the checkpoint naming the new size replaces the
// old one (Env::WriteFilesThenCommit). Every file a batch writes lies beyond
// the published size, so it is written in place rather than through a
// temporary file: nothing reads it until the new checkpoint names it, and
// after a crash the next batch overwrites whatever was left. That makes a
// batch two dependent rounds of syncs (the tiles, their directories and the
// new checkpoint's temporary file together; then the checkpoint's directory
// after its rename) instead of four, plus one before them when the batch
// starts a new tile directory (its parent is synced).
//
// A journaled writer (LogWriterOptions::journal) needs one: it appends the
// batch's entries to `journal` and syncs that, then writes the batch's tiles
// without syncs. Its `checkpoint` file follows the flushes, not the batches:
// about once a second it replaces `checkpoint` (unsynced), syncs the file
// system on a helper thread and then restarts the journal from that
// checkpoint (tlog/journal.h). Replacing `checkpoint` per batch cost a
// create and, inside the rename, the release of the old file's inode and
// blocks (a device discard here) on every batch; the newest checkpoint is
// CheckpointText(), which a server publishes from memory. Partial tiles
// superseded meanwhile stay until the journal has restarted past them:
// replaying it starts from its base checkpoint and needs that checkpoint's
// partial tiles. The next flush's helper removes them, off the batch path.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "modelseal/checkpoint.h"
#include "modelseal/limits.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "modelseal/transparency_log.h"
#include "tlog/journal.h"
#include "tlog/tiles.h"
#include "util/parallel.h"

namespace modelseal::tlog {
namespace {

using tlog_internal::TileAccumulator;
using tlog_internal::TileFetcher;
using tlog_internal::TileHashSource;
using tlog_internal::TileStore;

constexpr std::uint32_t kFileMode = 0644;
constexpr std::uint32_t kDirectoryMode = 0755;
constexpr std::size_t kMaxWriteThreads = 16;
constexpr absl::string_view kCheckpointFile = "checkpoint";
constexpr absl::string_view kLockFile = "lock";
constexpr absl::string_view kJournalFile = "journal";

struct PendingFile {
  std::string path;  // absolute
  std::string contents;
};

std::string ParentOf(const std::string& path) {
  return path.substr(0, path.rfind('/'));
}

std::string SerializeHashes(const std::vector<Hash>& hashes) {
  std::string out;
  out.reserve(hashes.size() * kHashBytes);
  for (const Hash& hash : hashes) {
    out.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  }
  return out;
}

absl::StatusOr<std::string> SignCheckpoint(const NoteSigner& signer,
                                           const Checkpoint& checkpoint) {
  MODELSEAL_ASSIGN_OR_RETURN(std::string body, FormatCheckpoint(checkpoint));
  const NoteSigner* signers[] = {&signer};
  return SignNote(body, signers);
}

}  // namespace

struct LogWriter::State {
  State(Env& env_in, std::string dir_in, NoteSigner signer_in,
        std::unique_ptr<FileLock> lock_in)
      : env(env_in),
        dir(std::move(dir_in)),
        signer(std::move(signer_in)),
        lock(std::move(lock_in)),
        fetcher(tlog_internal::NewDirectoryFetcher(env_in, dir)),
        store(*fetcher) {}

  Env& env;
  const std::string dir;
  const NoteSigner signer;
  std::unique_ptr<FileLock> lock;
  std::unique_ptr<TileFetcher> fetcher;
  TileStore store;

  std::string origin;
  TileAccumulator tree;
  std::vector<std::string> partial_entries;  // entry bundle at the right edge
  Hash root{};
  std::string checkpoint_text;
  std::set<std::string> known_directories;
  bool broken = false;

  // Journaled writers only.
  std::unique_ptr<AppendFile> journal;
  std::size_t journal_bytes = 0;
  std::size_t batches_since_flush = 0;
  std::chrono::steady_clock::time_point last_flush;
  // Full tiles written since the last flush whose partial tiles can go once
  // they are durable: until then a replay may need the journal's base ones.
  std::vector<std::string> superseded;
  // Full tiles whose partial tiles can go now: the journal restarted past
  // them. The next flush's helper thread removes them after its sync (each
  // unlink can wait for the device to discard the freed blocks; a second's
  // worth removed in one batch stalled it by 160-230 ms here).
  std::vector<std::string> removable;

  std::string JournalPath() const { return JoinPath(dir, kJournalFile); }

  // Durably: a journal that came back after a power loss would no longer
  // lead to the checkpoints a non-journaled writer publishes afterwards, and
  // the log would refuse to open.
  absl::Status DeleteJournal() {
    MODELSEAL_RETURN_IF_ERROR(env.DeleteFile(JournalPath()));
    return env.SyncFileSystem(dir);
  }

  // Takes the tree at checkpoint `text`: verifies it and re-derives its root
  // from the tiles and partial entry bundle it names.
  absl::Status Load(const std::string& text) {
    const NoteVerifier verifiers[] = {signer.verifier()};
    MODELSEAL_ASSIGN_OR_RETURN(
        SignedCheckpoint opened,
        OpenCheckpoint(text, verifiers, /*expected_origin=*/""));
    const Checkpoint& checkpoint = opened.checkpoint;
    // The right edge of the tree: exactly the partial tiles and the partial
    // entry bundle that checkpoint names. Anything past it is a crashed
    // batch's leftovers and is not looked at.
    std::vector<std::vector<Hash>> edge(tlog_internal::kMaxTileLevels);
    for (int level = 0; level < tlog_internal::kMaxTileLevels; ++level) {
      const std::uint64_t hashes = checkpoint.size >> (level * kTileHeight);
      const int width = static_cast<int>(hashes % kTileWidth);
      if (width == 0) continue;
      const std::string path = TilePath(level, hashes / kTileWidth, width);
      absl::StatusOr<std::string> data =
          env.ReadFileToString(JoinPath(dir, path), limits::kMaxHashTileBytes);
      absl::StatusOr<std::vector<Hash>> tile =
          data.ok() ? ParseHashTile(*data, width)
                    : absl::StatusOr<std::vector<Hash>>(data.status());
      if (!tile.ok()) {
        return absl::DataLossError(absl::StrCat(
            dir, ": tile ", path, " of the checkpoint at size ",
            checkpoint.size, " is unreadable: ", tile.status().message()));
      }
      edge[level] = *std::move(tile);
    }
    partial_entries.clear();
    const int bundle_width = static_cast<int>(checkpoint.size % kTileWidth);
    if (bundle_width > 0) {
      const std::string path =
          EntryBundlePath(checkpoint.size / kTileWidth, bundle_width);
      absl::StatusOr<std::string> data = env.ReadFileToString(
          JoinPath(dir, path), limits::kMaxEntryBundleBytes);
      absl::StatusOr<std::vector<std::string>> entries =
          data.ok() ? ParseEntryBundle(*data, bundle_width)
                    : absl::StatusOr<std::vector<std::string>>(data.status());
      if (!entries.ok()) {
        return absl::DataLossError(
            absl::StrCat(dir, ": entry bundle ", path,
                         " is unreadable: ", entries.status().message()));
      }
      for (int i = 0; i < bundle_width; ++i) {
        if (HashLeaf((*entries)[i]) != edge[0][i]) {
          return absl::DataLossError(absl::StrCat(
              dir, ": entry ", checkpoint.size / kTileWidth * kTileWidth + i,
              " in ", path, " does not match its hash in the level-0 tile"));
        }
      }
      partial_entries = *std::move(entries);
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        tree, TileAccumulator::FromEdge(checkpoint.size, std::move(edge)));
    if (tree.Root() != checkpoint.root) {
      return absl::DataLossError(absl::StrCat(
          dir,
          ": the root re-derived from the stored tiles disagrees with the "
          "signed checkpoint at size ",
          checkpoint.size, "; refusing to sign a forked checkpoint"));
    }
    origin = checkpoint.origin;
    root = checkpoint.root;
    checkpoint_text = text;
    return absl::OkStatus();
  }

  // Adds `entries` to the in-memory tree and lists the files that publish
  // them: every tile and entry bundle completed, and the new partial ones.
  // `completed` gets the full tiles whose partials become superseded.
  absl::Status Prepare(const std::vector<std::string>& entries,
                       std::vector<PendingFile>* files,
                       std::vector<std::string>* completed) {
    const std::uint64_t old_size = tree.size();
    const TileAccumulator::FullTileCallback on_full =
        [&](int level, std::uint64_t index,
            const std::vector<Hash>& hashes) -> absl::Status {
      const std::string tile_path = TilePath(level, index, kTileWidth);
      files->push_back({JoinPath(dir, tile_path), SerializeHashes(hashes)});
      completed->push_back(tile_path);
      if (level == 0) {
        MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                                   FormatEntryBundle(partial_entries));
        const std::string bundle_path = EntryBundlePath(index, kTileWidth);
        files->push_back({JoinPath(dir, bundle_path), std::move(bundle)});
        completed->push_back(bundle_path);
        partial_entries.clear();
      }
      return absl::OkStatus();
    };
    for (const std::string& entry : entries) {
      partial_entries.push_back(entry);
      MODELSEAL_RETURN_IF_ERROR(tree.Add(HashLeaf(entry), on_full));
    }
    const std::uint64_t new_size = tree.size();
    for (int level = 0; level < tlog_internal::kMaxTileLevels; ++level) {
      const int shift = level * kTileHeight;
      const std::vector<Hash>& partial = tree.Edge(level);
      // An unchanged partial tile is already on disk under the same name.
      if (partial.empty() || (old_size >> shift) == (new_size >> shift)) {
        continue;
      }
      files->push_back(
          {JoinPath(dir, TilePath(level, (new_size >> shift) / kTileWidth,
                                  static_cast<int>(partial.size()))),
           SerializeHashes(partial)});
    }
    if (!partial_entries.empty()) {
      MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                                 FormatEntryBundle(partial_entries));
      files->push_back(
          {JoinPath(dir,
                    EntryBundlePath(new_size / kTileWidth,
                                    static_cast<int>(partial_entries.size()))),
           std::move(bundle)});
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> SignCurrent() const {
    Checkpoint checkpoint;
    checkpoint.origin = origin;
    checkpoint.size = tree.size();
    checkpoint.root = tree.Root();
    return SignCheckpoint(signer, checkpoint);
  }

  // Rebuilds what `journal` holds on top of its base checkpoint and writes
  // it durably. `published` is the checkpoint file as read (it may be torn).
  absl::Status Recover(const tlog_internal::Journal& parsed,
                       const absl::StatusOr<std::string>& published) {
    absl::Status loaded = Load(parsed.base_checkpoint);
    if (!loaded.ok()) {
      return Annotate(loaded, absl::StrCat(dir,
                                           ": replaying the log journal: "
                                           "its base checkpoint"));
    }
    std::map<std::string, std::string> files;  // path -> latest contents
    std::map<std::uint64_t, Hash> roots = {{tree.size(), tree.Root()}};
    for (const tlog_internal::JournalBatch& batch : parsed.batches) {
      if (batch.first_index != tree.size()) {
        return absl::DataLossError(absl::StrCat(
            dir, ": the log journal has a batch starting at entry ",
            batch.first_index, " where the log ends at ", tree.size()));
      }
      std::vector<PendingFile> pending;
      MODELSEAL_RETURN_IF_ERROR(Prepare(batch.entries, &pending, &superseded));
      for (PendingFile& file : pending) {
        files[file.path] = std::move(file.contents);
      }
      roots[tree.size()] = tree.Root();
    }
    if (published.ok()) {
      const NoteVerifier verifiers[] = {signer.verifier()};
      absl::StatusOr<SignedCheckpoint> opened =
          OpenCheckpoint(*published, verifiers, origin);
      // One that does not open was torn by the crash (its rename reached
      // the disk before its contents did); the journal is what counts.
      if (opened.ok()) {
        const Checkpoint& checkpoint = opened->checkpoint;
        auto it = roots.find(checkpoint.size);
        if (it == roots.end()) {
          return absl::DataLossError(absl::StrCat(
              dir, ": the published checkpoint (size ", checkpoint.size,
              ") is not one the log journal leads to (sizes ",
              roots.begin()->first, " to ", tree.size(),
              "); acknowledged entries may be missing"));
        }
        if (it->second != checkpoint.root) {
          return absl::DataLossError(absl::StrCat(
              dir, ": the published checkpoint at size ", checkpoint.size,
              " disagrees with the log journal's tree; refusing to fork"));
        }
      }
    }
    std::string text;
    if (parsed.batches.empty()) {
      text = parsed.base_checkpoint;
    } else {
      MODELSEAL_ASSIGN_OR_RETURN(text, SignCurrent());
    }
    std::vector<PendingFile> pending;
    for (auto& [path, contents] : files) {
      pending.push_back({path, std::move(contents)});
    }
    MODELSEAL_RETURN_IF_ERROR(EnsureDirectories(pending));
    std::vector<FileToWrite> tiles;
    for (const PendingFile& file : pending) {
      tiles.push_back({file.path, file.contents});
    }
    MODELSEAL_RETURN_IF_ERROR(env.WriteFilesThenCommit(
        tiles, {JoinPath(dir, kCheckpointFile), text}, kFileMode));
    root = tree.Root();
    checkpoint_text = std::move(text);
    return absl::OkStatus();
  }

  // Replaces the journal (durably) by one whose base is `base` followed by
  // the batch records `tail`, and opens it for appending.
  absl::Status StartJournal(const std::string& base, const std::string& tail,
                            std::size_t tail_batches,
                            std::chrono::steady_clock::time_point started) {
    journal.reset();
    const std::string data =
        absl::StrCat(tlog_internal::FormatJournalHeader(base), tail);
    MODELSEAL_RETURN_IF_ERROR(env.WriteFileAtomically(
        JournalPath(), data, kFileMode, /*overwrite=*/true));
    MODELSEAL_ASSIGN_OR_RETURN(journal, env.OpenForAppend(JournalPath()));
    journal_bytes = data.size();
    batches_since_flush = tail_batches;
    last_flush = started;
    return absl::OkStatus();
  }

  // A flush syncs the file system on its own thread while batches go on
  // (a second's writes took tens of milliseconds to sync here, a stall
  // for every client waiting on that batch). Once the sync is done, what
  // it made durable stands for the journal's head: the next batch restarts
  // the journal from the checkpoint of the sync's start, followed by the
  // records appended meanwhile.
  struct PendingFlush {
    std::string base;  // the checkpoint when the sync started
    std::string tail;  // batch records appended since
    std::size_t tail_batches = 0;
    std::vector<std::string> superseded;  // completed before the sync
    std::chrono::steady_clock::time_point started;
    std::future<absl::Status> synced;
  };
  std::optional<PendingFlush> pending_flush;

  // Publishes the current checkpoint in `checkpoint` and starts the sync
  // that makes it the journal's next base.
  // A failure leaves the writer refusing appends, as a failed sync does.
  absl::Status BeginFlush() {
    const absl::Status published = env.WriteFilesThenCommitUnsynced(
        {}, {JoinPath(dir, kCheckpointFile), checkpoint_text}, kFileMode);
    if (!published.ok()) {
      broken = true;
      return published;
    }
    PendingFlush flush;
    flush.base = checkpoint_text;
    flush.superseded = std::move(superseded);
    superseded.clear();
    flush.started = std::chrono::steady_clock::now();
    std::vector<std::string> removing = std::move(removable);
    removable.clear();
    for (const std::string& path : removing) ForgetPartialDirectory(path);
    // The helper touches only the file system (env and dir are const).
    flush.synced =
        std::async(std::launch::async, [this, removing = std::move(removing)] {
          absl::Status synced = env.SyncFileSystem(dir);
          for (const std::string& path : removing) RemovePartialFiles(path);
          return synced;
        });
    pending_flush = std::move(flush);
    return absl::OkStatus();
  }

  // Completes the pending flush once its sync is done (at once if `wait`).
  absl::Status FinishFlush(bool wait) {
    if (!pending_flush) return absl::OkStatus();
    PendingFlush& flush = *pending_flush;
    if (!wait && flush.synced.wait_for(std::chrono::seconds(0)) !=
                     std::future_status::ready) {
      return absl::OkStatus();
    }
    const absl::Status synced = flush.synced.get();
    absl::Status status = synced.ok()
                              ? StartJournal(flush.base, flush.tail,
                                             flush.tail_batches, flush.started)
                              : synced;
    if (!status.ok()) {
      broken = true;
      pending_flush.reset();
      return status;
    }
    removable.insert(removable.end(), flush.superseded.begin(),
                     flush.superseded.end());
    pending_flush.reset();
    return absl::OkStatus();
  }

  // Syncs everything written so far and restarts the journal, waiting.
  absl::Status Flush() {
    if (!journal) return absl::OkStatus();
    MODELSEAL_RETURN_IF_ERROR(FinishFlush(/*wait=*/true));
    if (batches_since_flush == 0) return absl::OkStatus();
    MODELSEAL_RETURN_IF_ERROR(BeginFlush());
    return FinishFlush(/*wait=*/true);
  }

  bool FlushDue() const {
    return journal && !pending_flush && batches_since_flush > 0 &&
           (journal_bytes >= kJournalFlushBytes ||
            std::chrono::steady_clock::now() - last_flush >=
                std::chrono::seconds(1));
  }

  void MakeSupersededRemovable() {
    removable.insert(removable.end(), superseded.begin(), superseded.end());
    superseded.clear();
  }

  void RemoveAllRemovable() {
    for (const std::string& path : removable) RemovePartials(path);
    removable.clear();
  }

  // Each new directory costs an fsync of its parent, so they are created
  // in parallel too. Nested ones may race to create a shared ancestor;
  // CreateDirectories accepts one that appeared meanwhile.
  absl::Status EnsureDirectories(const std::vector<PendingFile>& files) {
    std::vector<std::string> missing;
    for (const PendingFile& file : files) {
      std::string parent = ParentOf(file.path);
      if (known_directories.count(parent) == 0 &&
          std::find(missing.begin(), missing.end(), parent) == missing.end()) {
        missing.push_back(std::move(parent));
      }
    }
    MODELSEAL_RETURN_IF_ERROR(util::ForEachConcurrently(
        missing.size(), kMaxWriteThreads, [&](std::size_t i) {
          return env.CreateDirectories(missing[i], kDirectoryMode);
        }));
    known_directories.insert(missing.begin(), missing.end());
    return absl::OkStatus();
  }

  // Partial tiles of index `index` are superseded once the full tile is
  // published (tlog-tiles allows deleting them); removing them keeps the log
  // small. Best effort: a leftover partial tile is still correct.
  void RemovePartials(const std::string& full_path) {
    RemovePartialFiles(full_path);
    ForgetPartialDirectory(full_path);
  }
  // Thread-safe: uses only env and dir.
  void RemovePartialFiles(const std::string& full_path) const {
    const std::string partial_dir = JoinPath(dir, full_path + ".p");
    absl::StatusOr<std::vector<std::string>> names =
        env.ListDirectory(partial_dir);
    if (!names.ok()) return;
    for (const std::string& name : *names) {
      (void)env.DeleteFile(JoinPath(partial_dir, name));
    }
    (void)env.DeleteDirectory(partial_dir);
  }
  void ForgetPartialDirectory(const std::string& full_path) {
    known_directories.erase(JoinPath(dir, full_path + ".p"));
  }
};

LogWriter::LogWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

// A journaled writer leaves its files durable and no journal behind. If
// that fails the journal stays, and the next Open replays it. A pending
// flush's sync is waited for either way (its future's destructor).
LogWriter::~LogWriter() {
  State& s = *state_;
  if (!s.journal || s.broken) return;
  if (!s.Flush().ok()) return;
  s.RemoveAllRemovable();
  s.journal.reset();
  (void)s.DeleteJournal();
}

absl::Status CreateLog(Env& env, const std::string& dir,
                       absl::string_view origin, absl::string_view signer_key) {
  MODELSEAL_ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Parse(signer_key));
  Checkpoint empty;
  empty.origin = std::string(origin);
  empty.root = EmptyTreeRoot();
  MODELSEAL_ASSIGN_OR_RETURN(std::string text, SignCheckpoint(signer, empty));
  MODELSEAL_RETURN_IF_ERROR(env.CreateDirectories(dir, kDirectoryMode));
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock,
                             env.LockFile(JoinPath(dir, kLockFile)));
  for (absl::string_view existing :
       {kCheckpointFile, absl::string_view("tile")}) {
    absl::StatusOr<FileInfo> info = env.LinkStat(JoinPath(dir, existing));
    if (info.ok()) {
      return absl::AlreadyExistsError(
          absl::StrCat(dir, ": already holds a log (", existing, " exists)"));
    }
    if (!absl::IsNotFound(info.status())) return info.status();
  }
  return env.WriteFileAtomically(JoinPath(dir, kCheckpointFile), text,
                                 kFileMode, /*overwrite=*/false);
}

absl::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Open(
    Env& env, const std::string& dir, absl::string_view signer_key,
    LogWriterOptions options) {
  MODELSEAL_ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Parse(signer_key));
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock,
                             env.LockFile(JoinPath(dir, kLockFile)));
  auto state =
      std::make_unique<State>(env, dir, std::move(signer), std::move(lock));
  const absl::StatusOr<std::string> published = env.ReadFileToString(
      JoinPath(dir, kCheckpointFile), limits::kMaxSignedNoteBytes);

  const std::string journal_path = state->JournalPath();
  absl::StatusOr<FileInfo> journal_info = env.LinkStat(journal_path);
  if (!journal_info.ok() && !absl::IsNotFound(journal_info.status())) {
    return journal_info.status();
  }
  tlog_internal::Journal journal;
  if (journal_info.ok()) {
    if (journal_info->type != FileType::kRegular) {
      return absl::FailedPreconditionError(absl::StrCat(
          journal_path, ": the log journal is not a regular file"));
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string data,
        env.ReadFileToString(journal_path, limits::kMaxLogJournalBytes));
    absl::StatusOr<tlog_internal::Journal> parsed =
        tlog_internal::ParseJournal(data);
    if (!parsed.ok()) return Annotate(parsed.status(), journal_path);
    journal = *std::move(parsed);
  }
  if (!journal.base_checkpoint.empty()) {
    MODELSEAL_RETURN_IF_ERROR(state->Recover(journal, published));
  } else {
    if (!published.ok()) return published.status();
    absl::Status loaded = state->Load(*published);
    if (absl::IsDataLoss(loaded)) return loaded;
    if (!loaded.ok()) {
      return Annotate(loaded,
                      absl::StrCat(dir,
                                   ": the published checkpoint does not "
                                   "verify with this writer's key"));
    }
  }
  // Everything the journal held is durable now.
  if (options.journal) {
    MODELSEAL_RETURN_IF_ERROR(state->StartJournal(
        state->checkpoint_text, "", 0, std::chrono::steady_clock::now()));
  } else if (journal_info.ok()) {
    MODELSEAL_RETURN_IF_ERROR(state->DeleteJournal());
  }
  state->MakeSupersededRemovable();
  state->RemoveAllRemovable();
  return std::unique_ptr<LogWriter>(new LogWriter(std::move(state)));
}

absl::StatusOr<std::vector<std::uint64_t>> LogWriter::Append(
    const std::vector<std::string>& entries) {
  State& s = *state_;
  if (s.broken) {
    return absl::FailedPreconditionError(
        "an earlier append failed part-way; reopen the log");
  }
  if (entries.size() > limits::kMaxLogAppendBatchEntries) {
    return absl::InvalidArgumentError(absl::StrCat(
        "append batch has ", entries.size(), " entries, more than ",
        limits::kMaxLogAppendBatchEntries));
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > limits::kMaxLogEntryBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "log entry ", i, " of the batch is ", entries[i].size(),
          " bytes; entry bundles allow at most ", limits::kMaxLogEntryBytes));
    }
  }
  const std::uint64_t old_size = s.tree.size();
  if (entries.size() > limits::kMaxLogTreeSize - old_size) {
    return absl::ResourceExhaustedError("the log would exceed its size limit");
  }
  if (entries.empty()) return std::vector<std::uint64_t>();
  if (s.journal) {
    MODELSEAL_RETURN_IF_ERROR(s.FinishFlush(/*wait=*/false));
    if (s.FlushDue()) MODELSEAL_RETURN_IF_ERROR(s.BeginFlush());
  }

  // From here on, in-memory state runs ahead of the published checkpoint
  // until the batch is done; any failure leaves the writer unusable.
  s.broken = true;
  std::vector<PendingFile> files;
  std::vector<std::string> completed;  // full tiles whose partials can go
  MODELSEAL_RETURN_IF_ERROR(s.Prepare(entries, &files, &completed));
  MODELSEAL_RETURN_IF_ERROR(s.EnsureDirectories(files));
  MODELSEAL_ASSIGN_OR_RETURN(std::string text, s.SignCurrent());
  std::vector<FileToWrite> tiles;
  tiles.reserve(files.size());
  for (const PendingFile& file : files) {
    tiles.push_back({file.path, file.contents});
  }
  if (s.journal) {
    // Durable once the journal's sync returns; the tiles follow unsynced
    // and the checkpoint at the next flush.
    const std::string record =
        tlog_internal::FormatJournalBatch(old_size, entries);
    MODELSEAL_RETURN_IF_ERROR(s.journal->Append(record));
    MODELSEAL_RETURN_IF_ERROR(s.journal->Sync());
    s.journal_bytes += record.size();
    s.batches_since_flush += 1;
    if (s.pending_flush) {
      s.pending_flush->tail += record;
      s.pending_flush->tail_batches += 1;
    }
    MODELSEAL_RETURN_IF_ERROR(s.env.WriteFilesUnsynced(tiles, kFileMode));
    s.superseded.insert(s.superseded.end(), completed.begin(), completed.end());
  } else {
    MODELSEAL_RETURN_IF_ERROR(s.env.WriteFilesThenCommit(
        tiles, {JoinPath(s.dir, kCheckpointFile), text}, kFileMode));
  }
  s.root = s.tree.Root();
  s.checkpoint_text = std::move(text);
  s.broken = false;
  if (!s.journal) {
    for (const std::string& path : completed) s.RemovePartials(path);
  }

  std::vector<std::uint64_t> indices(entries.size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = old_size + i;
  return indices;
}

absl::Status LogWriter::Flush() {
  State& s = *state_;
  if (s.broken) {
    return absl::FailedPreconditionError(
        "an earlier append failed part-way; reopen the log");
  }
  MODELSEAL_RETURN_IF_ERROR(s.Flush());
  s.RemoveAllRemovable();
  return absl::OkStatus();
}

std::uint64_t LogWriter::size() const { return state_->tree.size(); }
Hash LogWriter::root() const { return state_->root; }
const std::string& LogWriter::origin() const { return state_->origin; }

absl::StatusOr<std::string> LogWriter::CheckpointText() const {
  if (state_->broken) {
    return absl::FailedPreconditionError(
        "an earlier append failed part-way; reopen the log");
  }
  return state_->checkpoint_text;
}

absl::StatusOr<std::vector<Hash>> LogWriter::InclusionProof(
    std::uint64_t index, std::uint64_t tree_size) {
  MODELSEAL_RETURN_IF_ERROR(CheckpointText().status());
  if (tree_size > size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree size ", tree_size, " is beyond the log's size ", size()));
  }
  TileHashSource source(state_->store, size());
  return MakeInclusionProof(source, index, tree_size);
}

absl::StatusOr<std::vector<Hash>> LogWriter::ConsistencyProof(
    std::uint64_t old_size, std::uint64_t new_size) {
  MODELSEAL_RETURN_IF_ERROR(CheckpointText().status());
  if (new_size > size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree size ", new_size, " is beyond the log's size ", size()));
  }
  TileHashSource source(state_->store, size());
  return MakeConsistencyProof(source, old_size, new_size);
}

absl::StatusOr<std::string> LogWriter::ReadEntry(std::uint64_t index) {
  MODELSEAL_RETURN_IF_ERROR(CheckpointText().status());
  if (index >= size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry ", index, " is beyond the log's size ", size()));
  }
  const std::uint64_t bundle = index / kTileWidth;
  const int width = TileWidth(0, bundle, size());
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                             state_->store.GetEntries(bundle, width));
  MODELSEAL_ASSIGN_OR_RETURN(auto tile, state_->store.Get(0, bundle, width));
  const std::size_t offset = index % kTileWidth;
  if (HashLeaf(entries[offset]) != tile->nodes[0][offset]) {
    return absl::DataLossError(absl::StrCat(state_->dir, ": entry ", index,
                                            " does not match its leaf hash"));
  }
  return std::move(entries[offset]);
}

}  // namespace modelseal::tlog
