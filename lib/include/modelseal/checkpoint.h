// Transparency log checkpoints (c2sp.org/tlog-checkpoint): the note text a
// log signs to commit to a tree head.
//
//   <origin>\n
//   <tree size, decimal, no leading zeros>\n
//   <base64 of the 32-byte RFC 6962 root hash>\n
//   [<extension line>\n ...]
//
// Parsing is strict: every line non-empty and newline-terminated, the size a
// canonical decimal no larger than limits::kMaxLogTreeSize, the root canonical
// base64 of exactly 32 bytes, the origin at most
// limits::kMaxCheckpointOriginBytes and at most
// limits::kMaxCheckpointExtensionLines extension lines. The origin is not
// otherwise interpreted (the spec forbids assuming it is a URL). Errors are
// kInvalidArgument, or kResourceExhausted for a limit. Thread-safe.
#ifndef MODELSEAL_CHECKPOINT_H_
#define MODELSEAL_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "modelseal/merkle.h"
#include "modelseal/signed_note.h"

namespace modelseal::tlog {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // opaque, without newlines

  bool operator==(const Checkpoint&) const = default;
};

// The note text (body) of `checkpoint`. kInvalidArgument when a field could
// not be parsed back (empty origin or extension line, a control character,
// a size above the limit).
absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint body (the text of an opened note).
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text);

// A checkpoint read from a signed note that verified against `known`
// (OpenNote's rules). With a non-empty `expected_origin`, a different origin
// is kUnauthenticated: a valid signature on another log's checkpoint proves
// nothing about this log.
struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;  // the full signed note text
};
absl::StatusOr<SignedCheckpoint> OpenCheckpoint(
    absl::string_view note, absl::Span<const NoteVerifier> known,
    absl::string_view expected_origin);

}  // namespace modelseal::tlog

#endif  // MODELSEAL_CHECKPOINT_H_
