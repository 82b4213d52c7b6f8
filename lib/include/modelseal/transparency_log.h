// The modelseal transparency log: an append-only RFC 6962 Merkle log stored
// as a C2SP tlog-tiles directory (c2sp.org/tlog-tiles), which any static web
// server can publish:
//
//   <dir>/checkpoint                   signed note (checkpoint.h), Ed25519
//   <dir>/tile/<L>/<N>[.p/<W>]          hash tiles, height 8 (256 hashes)
//   <dir>/tile/entries/<N>[.p/<W>]      entry bundles (uint16 BE length +
//   bytes) <dir>/lock                         held by the one writer (flock)
//
// <N> is written in zero-padded groups of three digits, all but the last
// prefixed with 'x' (1234067 -> x001/x234/067); `.p/<W>` marks a partial tile
// of W (1..255) hashes at the right edge of the tree.
//
// Durability: every tile and bundle file an append writes lies beyond the
// published checkpoint, so it is written in place, and it and its directory
// are synced before the checkpoint that covers it replaces the old one
// atomically (Env::WriteFilesThenCommit: temp file, fsync, rename, directory
// fsync). After a crash at any point the log reopens at its last published
// checkpoint and no entry that Append() acknowledged is lost; files beyond
// that checkpoint (possibly partly written) are ignored and overwritten. The
// writer never publishes a checkpoint that disagrees with the stored tiles:
// Open() verifies the checkpoint signature with the writer's own key and
// re-derives the root from the tiles (kDataLoss if they disagree).
//
// Residual risk, documented: a checkpoint is signed in memory just before its
// atomic write; a crash inside that write can leave the signed-but-unpublished
// text in the writer's temporary file (never at a served path). The writer
// then resumes from the published checkpoint.
#ifndef MODELSEAL_TRANSPARENCY_LOG_H_
#define MODELSEAL_TRANSPARENCY_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "modelseal/env.h"
#include "modelseal/merkle.h"

namespace modelseal::tlog {

// ---------------------------------------------------------------------------
// Tile format (c2sp.org/tlog-tiles). Pure functions, thread-safe.
// ---------------------------------------------------------------------------

inline constexpr int kTileHeight = 8;
inline constexpr int kTileWidth = 1 << kTileHeight;  // hashes in a full tile

// Relative path of hash tile (level, index) with `width` hashes: 256 for a
// full tile, 1..255 for a partial one. Requires level in [0, 63] and width in
// [1, 256].
std::string TilePath(int level, std::uint64_t index, int width);
// Relative path of entry bundle `index` with `width` entries.
std::string EntryBundlePath(std::uint64_t index, int width);

// Width of tile (level, index) in a tree of `tree_size` leaves: 256 when the
// tile is full, 1..255 when it is the partial right edge, 0 when the tree does
// not reach it. Level 0 is also the width of entry bundle `index`.
int TileWidth(int level, std::uint64_t index, std::uint64_t tree_size);

// Parses a hash tile that must hold exactly `width` hashes
// (kInvalidArgument for any other length).
absl::StatusOr<std::vector<Hash>> ParseHashTile(absl::string_view data,
                                                int width);
// Parses an entry bundle that must hold exactly `width` entries, with no
// trailing bytes (kInvalidArgument otherwise).
absl::StatusOr<std::vector<std::string>> ParseEntryBundle(
    absl::string_view data, int width);
// Serializes entries as a bundle; kInvalidArgument for an entry longer than
// limits::kMaxLogEntryBytes or more than 256 entries.
absl::StatusOr<std::string> FormatEntryBundle(
    absl::Span<const std::string> entries);

// ---------------------------------------------------------------------------
// Writing a log.
// ---------------------------------------------------------------------------

// Creates an empty log in `dir` (created with parents if missing): a
// checkpoint of size 0 for `origin`, signed with `signer_key` (a note signer
// key, signed_note.h; generate one with GenerateNoteKey). Refuses with
// kAlreadyExists when `dir` already holds a checkpoint or tiles, and with
// kFailedPrecondition while another writer holds the lock. kInvalidArgument
// for a malformed origin or key.
absl::Status CreateLog(Env& env, const std::string& dir,
                       absl::string_view origin, absl::string_view signer_key);

// The single writer of a log. Holds the log's lock from Open() until
// destruction, so a second writer (in this or another process) fails to open
// with kFailedPrecondition. Not thread-safe: use from one thread at a time.
// The Env must outlive the writer and be thread-safe (Append creates a
// batch's new directories from several threads; Env::Default() and
// NewMemoryEnv() are).
struct LogWriterOptions {
  // Make each batch durable with one append and one sync of a write-ahead
  // journal (`<dir>/journal`) instead of syncing its tiles and checkpoint.
  // The tiles are written at once without syncs; `<dir>/checkpoint` is
  // replaced only by a flush, which then syncs everything (the journal
  // starting again): when the journal holds kJournalFlushBytes or a second
  // has passed since, and by Flush() and the destructor. The newest
  // checkpoint is CheckpointText(), for the writer's owner to publish. For
  // a writer that appends many small batches (`log serve`).
  bool journal = false;
};

class LogWriter {
 public:
  // A journaled writer syncs its files and restarts the journal once it
  // holds this many bytes (or a second after the last time).
  static constexpr std::size_t kJournalFlushBytes = std::size_t{8} << 20;

  // Opens the log in `dir` for appending. Verifies the published checkpoint
  // with the verifier of `signer_key` (kUnauthenticated if it was signed by
  // another key) and re-derives its root from the stored tiles and the
  // partial entry bundle (kDataLoss when they disagree or are missing).
  //
  // A journal left by a journaled writer that did not finish (a crash) is
  // replayed first, whatever `options` say: from its base checkpoint, whose
  // tiles were durable, each batch it holds is appended again and the result
  // written durably. The published checkpoint may be older than the journal
  // or torn by the crash; one that verifies but names a size or root the
  // journal does not reach is kDataLoss (acknowledged entries would be lost
  // or the log forked). A batch cut short by the crash was never
  // acknowledged and is dropped.
  static absl::StatusOr<std::unique_ptr<LogWriter>> Open(
      Env& env, const std::string& dir, absl::string_view signer_key,
      LogWriterOptions options = {});

  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one batch: writes the entry bundles and hash tiles (full and
  // partial) durably, then publishes a new signed checkpoint atomically.
  // Returns the indices of `entries`, in order, once the checkpoint is
  // durable. An empty batch changes nothing. kInvalidArgument (and nothing
  // written) for an entry longer than limits::kMaxLogEntryBytes or more than
  // limits::kMaxLogAppendBatchEntries entries. After an I/O failure the
  // writer refuses further appends (kFailedPrecondition): reopen the log.
  //
  // Journaled (LogWriterOptions::journal): the indices are returned once the
  // batch is durable in the journal; its tiles are visible to readers at
  // once, and `<dir>/checkpoint` names them from the next flush on (within
  // about a second); after a crash they are durable again when
  // the log is next opened for writing. If the journal's sync fails the
  // batch may still be replayed then (an entry logged twice at most).
  absl::StatusOr<std::vector<std::uint64_t>> Append(
      const std::vector<std::string>& entries);

  // Journaled writers: replaces `<dir>/checkpoint` with the current one,
  // makes it and every tile durable, then starts the journal again from
  // that checkpoint. Does nothing for others.
  // A failure leaves the writer refusing appends (reopen the log, which
  // replays the journal).
  absl::Status Flush();

  // The current tree size and root, and the signed checkpoint note text.
  std::uint64_t size() const;
  Hash root() const;
  const std::string& origin() const;
  absl::StatusOr<std::string> CheckpointText() const;

  // Proofs for trees up to the current size, computed from the stored tiles.
  // kInvalidArgument when index >= tree_size, old_size > new_size or a size
  // exceeds size().
  absl::StatusOr<std::vector<Hash>> InclusionProof(std::uint64_t index,
                                                   std::uint64_t tree_size);
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(std::uint64_t old_size,
                                                     std::uint64_t new_size);

  // Entry `index` (< size()), checked against its leaf hash in the stored
  // tile (kDataLoss if they disagree).
  absl::StatusOr<std::string> ReadEntry(std::uint64_t index);

 private:
  struct State;
  explicit LogWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace modelseal::tlog

#endif  // MODELSEAL_TRANSPARENCY_LOG_H_
