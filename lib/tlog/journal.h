// The log writer's write-ahead journal (internal to lib/tlog).
//
// A journaled writer makes each batch durable with one append and one
// fdatasync of `<log>/journal` instead of syncing the batch's tiles, their
// directories and the checkpoint (two dependent rounds of syncs). The tiles
// and checkpoint are still written at once, without syncs; every so often
// they are synced together and the journal starts again from the new
// checkpoint. After a crash, LogWriter::Open rebuilds what the journal holds
// from its base checkpoint, whose tiles were durable when it was written.
//
//   std::string journal = FormatJournalHeader(checkpoint_note);
//   journal += FormatJournalBatch(first_index, entries);
//   absl::StatusOr<Journal> parsed = ParseJournal(journal);
//
// Layout: the magic line, then records. A record is a 4-byte little-endian
// body length, the body, and the SHA-256 of the body. The first body is 'B'
// followed by the base checkpoint note; each later one is 'E', the index of
// its first entry (8 bytes, little-endian), the entry count (4 bytes) and
// each entry as a 4-byte length and its bytes. There is no existing format
// for this (it is private to one log directory), hence a small one here.
#ifndef MODELSEAL_TLOG_JOURNAL_H_
#define MODELSEAL_TLOG_JOURNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal::tlog_internal {

inline constexpr absl::string_view kJournalMagic = "modelseal-log-journal/v1\n";

// The magic line and the base record.
std::string FormatJournalHeader(absl::string_view base_checkpoint);
// One batch record. `entries` must be non-empty.
std::string FormatJournalBatch(std::uint64_t first_index,
                               const std::vector<std::string>& entries);

struct JournalBatch {
  std::uint64_t first_index = 0;
  std::vector<std::string> entries;
};

struct Journal {
  // Empty when the file holds no complete base record (a journal whose
  // creation was cut short: nothing was ever acknowledged through it).
  std::string base_checkpoint;
  std::vector<JournalBatch> batches;
  // Bytes from the first record that is cut short or fails its checksum to
  // the end: the batch a crash interrupted before its sync returned.
  std::uint64_t torn_bytes = 0;
};

// kDataLoss for anything a crash cannot explain: another magic line, a
// record whose checksum holds but whose body is malformed, a second base
// record or a batch record before the base. A cut-short or corrupt record
// ends the journal (torn_bytes).
absl::StatusOr<Journal> ParseJournal(absl::string_view data);

}  // namespace modelseal::tlog_internal

#endif  // MODELSEAL_TLOG_JOURNAL_H_
