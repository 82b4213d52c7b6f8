// The log writer keeps only the right edge of the tree in memory (one partial
// tile per level and the partial entry bundle); full tiles are written once
// and never read back while appending.
//
// Ordering is what makes crashes harmless: all of a batch's bundle and tile
// files are durable before the checkpoint naming the new size replaces the
// old one (Env::WriteFilesThenCommit). Every file a batch writes lies beyond
// the published size, so it is written in place rather than through a
// temporary file: nothing reads it until the new checkpoint names it, and
// after a crash the next batch overwrites whatever was left.
//
// A batch is one round of syncs, not two. Next to its files it writes a
// pending record, checkpoint.pending-<size>: the new signed checkpoint and
// the SHA-256 of every file the batch wrote. The files, the record, the new
// checkpoint's temporary file and their directories (the log's own among
// them) are synced together; then the temporary file is renamed over
// `checkpoint` and the batch is acknowledged without waiting for the
// directory again (CommitDurability::kRedoable). If a power loss takes that
// rename back, Open() finds the record, checks the signature, every file's
// digest, the root re-derived from the tiles and a consistency proof from
// the checkpoint it replaces, and redoes the commit durably. A record whose
// batch did not finish its syncs fails those checks and is ignored: that
// batch was never acknowledged. The next batch's round syncs the log's
// directory again, which makes the previous rename durable; only then is the
// previous record deleted. Without the record, a second round (the rename,
// then the directory) would be needed before every acknowledgement.
#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modelseal/checkpoint.h"
#include "modelseal/limits.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "modelseal/transparency_log.h"
#include "tlog/sha256.h"
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
constexpr absl::string_view kPendingPrefix = "checkpoint.pending-";
constexpr absl::string_view kPendingMagic = "modelseal log pending append v1\n";
// A batch of kMaxLogAppendBatchEntries writes about 8,300 files, about
// 100 bytes each in the record.
constexpr std::size_t kMaxPendingRecordBytes = std::size_t{16} << 20;

struct PendingFile {
  std::string relative;  // to the log directory
  std::string path;      // absolute
  std::string contents;
};

std::string PendingRecordName(std::uint64_t size) {
  return absl::StrCat(kPendingPrefix, size);
}

// The size a pending record's file name claims, or nullopt for any other
// name (only the writer's own decimal form counts).
std::optional<std::uint64_t> PendingRecordSize(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kPendingPrefix)) return std::nullopt;
  std::uint64_t size = 0;
  if (!absl::SimpleAtoi(name, &size) ||
      PendingRecordName(size) != absl::StrCat(kPendingPrefix, name)) {
    return std::nullopt;
  }
  return size;
}

// The record: the magic line, one "<sha256 hex> <relative path>" line per
// file the batch wrote, an empty line, then the signed checkpoint. Only this
// writer reads it, to redo a commit a power loss took back.
std::string FormatPendingRecord(const std::vector<PendingFile>& files,
                                absl::string_view checkpoint_note) {
  std::string out(kPendingMagic);
  for (const PendingFile& file : files) {
    const Hash digest = tlog_internal::Sha256({file.contents});
    absl::StrAppend(
        &out,
        absl::BytesToHexString(absl::string_view(
            reinterpret_cast<const char*>(digest.data()), digest.size())),
        " ", file.relative, "\n");
  }
  absl::StrAppend(&out, "\n", checkpoint_note);
  return out;
}

struct PendingRecord {
  std::vector<std::pair<std::string, std::string>> files;  // path, digest
  std::string checkpoint_note;
};

// Strict: any deviation (a torn write, a foreign file) is an error, and the
// record is then not used. Paths must be tile paths: relative, under
// "tile/", without "." or ".." components.
absl::StatusOr<PendingRecord> ParsePendingRecord(absl::string_view data) {
  if (!absl::ConsumePrefix(&data, kPendingMagic)) {
    return absl::DataLossError("not a pending-append record");
  }
  PendingRecord record;
  while (true) {
    const std::size_t end = data.find('\n');
    if (end == absl::string_view::npos) {
      return absl::DataLossError("pending-append record is cut short");
    }
    const absl::string_view line = data.substr(0, end);
    data.remove_prefix(end + 1);
    if (line.empty()) break;
    const std::size_t space = line.find(' ');
    if (space != 2 * kHashBytes ||
        !std::all_of(line.begin(), line.begin() + space, [](char c) {
          return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
        })) {
      return absl::DataLossError("pending-append record has a bad digest");
    }
    std::string digest = absl::HexStringToBytes(line.substr(0, space));
    const absl::string_view path = line.substr(space + 1);
    if (!absl::StartsWith(path, "tile/")) {
      return absl::DataLossError("pending-append record names a non-tile path");
    }
    for (absl::string_view part : absl::StrSplit(path, '/')) {
      if (part.empty() || part == "." || part == "..") {
        return absl::DataLossError("pending-append record has a bad path");
      }
    }
    record.files.emplace_back(std::string(path), std::move(digest));
  }
  if (data.empty()) {
    return absl::DataLossError("pending-append record has no checkpoint");
  }
  record.checkpoint_note = std::string(data);
  return record;
}

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
  // Pending records (names in `dir`) to delete after the next batch's sync.
  std::vector<std::string> stale_records;
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

  // Takes `opened` (verified with this writer's key) as the state of the
  // log: reads exactly the partial tiles and the partial entry bundle it
  // names, and checks that they re-derive its root. Anything past it is a
  // crashed batch's leftovers and is not looked at.
  absl::Status LoadTree(const SignedCheckpoint& opened) {
    const Checkpoint& checkpoint = opened.checkpoint;
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
            dir, ": tile ", path, " of the checkpoint (size ", checkpoint.size,
            ") is unreadable: ", tile.status().message()));
      }
      edge[level] = *std::move(tile);
    }
    std::vector<std::string> entries;
    const int bundle_width = static_cast<int>(checkpoint.size % kTileWidth);
    if (bundle_width > 0) {
      const std::string path =
          EntryBundlePath(checkpoint.size / kTileWidth, bundle_width);
      absl::StatusOr<std::string> data = env.ReadFileToString(
          JoinPath(dir, path), limits::kMaxEntryBundleBytes);
      absl::StatusOr<std::vector<std::string>> parsed =
          data.ok() ? ParseEntryBundle(*data, bundle_width)
                    : absl::StatusOr<std::vector<std::string>>(data.status());
      if (!parsed.ok()) {
        return absl::DataLossError(
            absl::StrCat(dir, ": entry bundle ", path,
                         " is unreadable: ", parsed.status().message()));
      }
      for (int i = 0; i < bundle_width; ++i) {
        if (HashLeaf((*parsed)[i]) != edge[0][i]) {
          return absl::DataLossError(absl::StrCat(
              dir, ": entry ", checkpoint.size / kTileWidth * kTileWidth + i,
              " in ", path, " does not match its hash in the level-0 tile"));
        }
      }
      entries = *std::move(parsed);
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        TileAccumulator loaded,
        TileAccumulator::FromEdge(checkpoint.size, std::move(edge)));
    if (loaded.Root() != checkpoint.root) {
      return absl::DataLossError(absl::StrCat(
          dir,
          ": the root re-derived from the stored tiles disagrees with the "
          "signed checkpoint at size ",
          checkpoint.size, "; refusing to sign a forked checkpoint"));
    }
    tree = std::move(loaded);
    partial_entries = std::move(entries);
    origin = checkpoint.origin;
    root = checkpoint.root;
    checkpoint_text = opened.note;
    return absl::OkStatus();
  }

  // Redoes the commit of the pending record at `path` if its batch finished
  // its syncs: the record parses, its checkpoint verifies with this
  // writer's key for `published`'s origin at `size`, and every file it
  // lists holds exactly the recorded bytes. Then the stored tiles must
  // re-derive the new root and prove it consistent with `published`
  // (kDataLoss otherwise: a complete batch that disagrees with the tree is
  // not resumed from), and the checkpoint is written durably. false: the
  // record is not complete, so its batch was never acknowledged.
  absl::StatusOr<bool> RedoPendingAppend(const std::string& path,
                                         std::uint64_t size,
                                         const Checkpoint& published) {
    absl::StatusOr<std::string> data =
        env.ReadFileToString(path, kMaxPendingRecordBytes);
    if (!data.ok()) return false;
    absl::StatusOr<PendingRecord> record = ParsePendingRecord(*data);
    if (!record.ok()) return false;
    const NoteVerifier verifiers[] = {signer.verifier()};
    absl::StatusOr<SignedCheckpoint> opened =
        OpenCheckpoint(record->checkpoint_note, verifiers, published.origin);
    if (!opened.ok() || opened->checkpoint.size != size) return false;
    constexpr std::size_t kMaxTileFileBytes =
        std::max(limits::kMaxHashTileBytes, limits::kMaxEntryBundleBytes);
    for (const auto& [relative, digest] : record->files) {
      absl::StatusOr<std::string> contents =
          env.ReadFileToString(JoinPath(dir, relative), kMaxTileFileBytes);
      if (!contents.ok()) return false;
      const Hash actual = tlog_internal::Sha256({*contents});
      if (absl::string_view(reinterpret_cast<const char*>(actual.data()),
                            actual.size()) != digest) {
        return false;
      }
    }
    absl::Status loaded = LoadTree(*opened);
    // Every tree extends the empty one (there is no proof to check).
    if (loaded.ok() && published.size > 0) {
      TileHashSource source(store, size);
      absl::StatusOr<std::vector<Hash>> proof =
          MakeConsistencyProof(source, published.size, size);
      loaded = proof.ok()
                   ? VerifyConsistency(published.size, size, *proof,
                                       published.root, opened->checkpoint.root)
                   : proof.status();
    }
    if (!loaded.ok()) {
      return absl::DataLossError(absl::StrCat(
          dir, ": the complete pending append ", path,
          " does not extend the published checkpoint: ", loaded.message()));
    }
    MODELSEAL_RETURN_IF_ERROR(env.WriteFileAtomically(
        JoinPath(dir, kCheckpointFile), opened->note, kFileMode,
        /*overwrite=*/true));
    return true;
  }

  // Best effort: a leftover record is ignored (its size is not past the
  // published one). Only called once the log's directory has been synced
  // since the checkpoint covering these records was renamed into place.
  void DeleteStaleRecords() {
    for (const std::string& name : stale_records) {
      (void)env.DeleteFile(JoinPath(dir, name));
    }
    stale_records.clear();
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

  // Pending records past the published size: the newest complete one is
  // redone (its batch may have been acknowledged). All of them, and older
  // ones, are deleted once the log's directory is next synced.
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> names,
                             env.ListDirectory(dir));
  std::vector<std::pair<std::uint64_t, std::string>> records;
  for (std::string& name : names) {
    const std::optional<std::uint64_t> size = PendingRecordSize(name);
    if (!size.has_value()) continue;
    if (*size > opened->checkpoint.size) records.emplace_back(*size, name);
    state->stale_records.push_back(std::move(name));
  }
  std::sort(records.rbegin(), records.rend());
  for (const auto& [size, name] : records) {
    MODELSEAL_ASSIGN_OR_RETURN(
        bool redone, state->RedoPendingAppend(JoinPath(dir, name), size,
                                              opened->checkpoint));
    if (redone) {
      // The redo synced the log's directory.
      state->DeleteStaleRecords();
      return std::unique_ptr<LogWriter>(new LogWriter(std::move(state)));
    }
  }
  MODELSEAL_RETURN_IF_ERROR(state->LoadTree(*opened));
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
    files.push_back(
        {tile_path, JoinPath(s.dir, tile_path), SerializeHashes(hashes)});
    completed.push_back(tile_path);
    if (level == 0) {
      MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                                 FormatEntryBundle(s.partial_entries));
      const std::string bundle_path = EntryBundlePath(index, kTileWidth);
      files.push_back(
          {bundle_path, JoinPath(s.dir, bundle_path), std::move(bundle)});
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
    std::string tile_path = TilePath(level, (new_size >> shift) / kTileWidth,
                                     static_cast<int>(partial.size()));
    std::string path = JoinPath(s.dir, tile_path);
    files.push_back(
        {std::move(tile_path), std::move(path), SerializeHashes(partial)});
  }
  if (!s.partial_entries.empty()) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string bundle,
                               FormatEntryBundle(s.partial_entries));
    std::string bundle_path = EntryBundlePath(
        new_size / kTileWidth, static_cast<int>(s.partial_entries.size()));
    std::string path = JoinPath(s.dir, bundle_path);
    files.push_back(
        {std::move(bundle_path), std::move(path), std::move(bundle)});
  }
  MODELSEAL_RETURN_IF_ERROR(s.EnsureDirectories(files));
  Checkpoint checkpoint;
  checkpoint.origin = s.origin;
  checkpoint.size = new_size;
  checkpoint.root = s.tree.Root();
  MODELSEAL_ASSIGN_OR_RETURN(std::string text,
                             SignCheckpoint(s.signer, checkpoint));
  // The pending record goes with the batch's files (see the top of this
  // file): with it, the commit needs no sync after its rename.
  const std::string record_name = PendingRecordName(new_size);
  const std::string record = FormatPendingRecord(files, text);
  std::vector<FileToWrite> to_write;
  to_write.reserve(files.size() + 1);
  for (const PendingFile& file : files) {
    to_write.push_back({file.path, file.contents});
  }
  to_write.push_back({JoinPath(s.dir, record_name), record});
  MODELSEAL_RETURN_IF_ERROR(s.env.WriteFilesThenCommit(
      to_write, {JoinPath(s.dir, kCheckpointFile), text}, kFileMode,
      Env::CommitDurability::kRedoable));
  s.root = checkpoint.root;
  s.checkpoint_text = std::move(text);
  s.broken = false;
  // This batch's round synced the log's directory: the previous batch's
  // rename is durable, and so its record (and older ones) can go.
  s.DeleteStaleRecords();
  s.stale_records.push_back(record_name);
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
