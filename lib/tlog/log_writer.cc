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
#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
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
    const std::string partial_dir = JoinPath(dir, full_path + ".p");
    absl::StatusOr<std::vector<std::string>> names =
        env.ListDirectory(partial_dir);
    if (!names.ok()) return;
    for (const std::string& name : *names) {
      (void)env.DeleteFile(JoinPath(partial_dir, name));
    }
    (void)env.DeleteDirectory(partial_dir);
    known_directories.erase(partial_dir);
  }
};

LogWriter::LogWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogWriter::~LogWriter() = default;

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
    Env& env, const std::string& dir, absl::string_view signer_key) {
  MODELSEAL_ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::Parse(signer_key));
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock,
                             env.LockFile(JoinPath(dir, kLockFile)));
  auto state =
      std::make_unique<State>(env, dir, std::move(signer), std::move(lock));
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string text, env.ReadFileToString(JoinPath(dir, kCheckpointFile),
                                             limits::kMaxSignedNoteBytes));
  const NoteVerifier verifiers[] = {state->signer.verifier()};
  absl::StatusOr<SignedCheckpoint> opened =
      OpenCheckpoint(text, verifiers, /*expected_origin=*/"");
  if (!opened.ok()) {
    return Annotate(opened.status(),
                    absl::StrCat(dir,
                                 ": the published checkpoint does not "
                                 "verify with this writer's key"));
  }
  const Checkpoint& checkpoint = opened->checkpoint;

  // The right edge of the published tree: exactly the partial tiles and the
  // partial entry bundle that checkpoint names. Anything past it is a
  // crashed batch's leftovers and is not looked at.
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
          dir, ": tile ", path, " of the published checkpoint (size ",
          checkpoint.size, ") is unreadable: ", tile.status().message()));
    }
    edge[level] = *std::move(tile);
  }
  const int bundle_width = static_cast<int>(checkpoint.size % kTileWidth);
  if (bundle_width > 0) {
    const std::string path =
        EntryBundlePath(checkpoint.size / kTileWidth, bundle_width);
    absl::StatusOr<std::string> data =
        env.ReadFileToString(JoinPath(dir, path), limits::kMaxEntryBundleBytes);
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
    state->partial_entries = *std::move(entries);
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      state->tree, TileAccumulator::FromEdge(checkpoint.size, std::move(edge)));
  if (state->tree.Root() != checkpoint.root) {
    return absl::DataLossError(absl::StrCat(
        dir,
        ": the root re-derived from the stored tiles disagrees with the "
        "signed checkpoint at size ",
        checkpoint.size, "; refusing to sign a forked checkpoint"));
  }
  state->origin = checkpoint.origin;
  state->root = checkpoint.root;
  state->checkpoint_text = std::move(text);
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

  // From here on, in-memory state runs ahead of the published checkpoint
  // until the batch is done; any failure leaves the writer unusable.
  s.broken = true;
  std::vector<PendingFile> files;
  std::vector<std::string> completed;  // full tiles whose partials can go
  const TileAccumulator::FullTileCallback on_full =
      [&](int level, std::uint64_t index,
          const std::vector<Hash>& hashes) -> absl::Status {
    const std::string tile_path = TilePath(level, index, kTileWidth);
    files.push_back({JoinPath(s.dir, tile_path), SerializeHashes(hashes)});
    completed.push_back(tile_path);
    if (level == 0) {
      MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                                 FormatEntryBundle(s.partial_entries));
      const std::string bundle_path = EntryBundlePath(index, kTileWidth);
      files.push_back({JoinPath(s.dir, bundle_path), std::move(bundle)});
      completed.push_back(bundle_path);
      s.partial_entries.clear();
    }
    return absl::OkStatus();
  };
  for (const std::string& entry : entries) {
    s.partial_entries.push_back(entry);
    MODELSEAL_RETURN_IF_ERROR(s.tree.Add(HashLeaf(entry), on_full));
  }
  const std::uint64_t new_size = s.tree.size();
  for (int level = 0; level < tlog_internal::kMaxTileLevels; ++level) {
    const int shift = level * kTileHeight;
    const std::vector<Hash>& partial = s.tree.Edge(level);
    // An unchanged partial tile is already on disk under the same name.
    if (partial.empty() || (old_size >> shift) == (new_size >> shift)) continue;
    files.push_back(
        {JoinPath(s.dir, TilePath(level, (new_size >> shift) / kTileWidth,
                                  static_cast<int>(partial.size()))),
         SerializeHashes(partial)});
  }
  if (!s.partial_entries.empty()) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                               FormatEntryBundle(s.partial_entries));
    files.push_back(
        {JoinPath(s.dir,
                  EntryBundlePath(new_size / kTileWidth,
                                  static_cast<int>(s.partial_entries.size()))),
         std::move(bundle)});
  }
  MODELSEAL_RETURN_IF_ERROR(s.EnsureDirectories(files));
  Checkpoint checkpoint;
  checkpoint.origin = s.origin;
  checkpoint.size = new_size;
  checkpoint.root = s.tree.Root();
  MODELSEAL_ASSIGN_OR_RETURN(std::string text,
                             SignCheckpoint(s.signer, checkpoint));
  std::vector<FileToWrite> tiles;
  tiles.reserve(files.size());
  for (const PendingFile& file : files) {
    tiles.push_back({file.path, file.contents});
  }
  MODELSEAL_RETURN_IF_ERROR(s.env.WriteFilesThenCommit(
      tiles, {JoinPath(s.dir, kCheckpointFile), text}, kFileMode));
  s.root = checkpoint.root;
  s.checkpoint_text = std::move(text);
  s.broken = false;
  for (const std::string& path : completed) s.RemovePartials(path);

  std::vector<std::uint64_t> indices(entries.size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = old_size + i;
  return indices;
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
