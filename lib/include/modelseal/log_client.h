// Reading and checking a modelseal transparency log (transparency_log.h)
// from a directory or over HTTP(S), trusting nothing but pinned keys.
//
// The client verifies the log's checkpoint against pinned note verifier keys
// (signed_note.h), then fetches only the tiles a question needs: an
// inclusion proof touches about one tile per 256x of tree size, a
// consistency proof likewise. Everything fetched is checked against the
// signed root, so a lying server can make requests fail but never succeed
// wrongly.
//
// Split views: with a state directory the client remembers the last
// checkpoint it accepted for each origin (one file per origin) and demands
// that every later checkpoint be consistent with it; a log that forks or
// rolls back is refused from then on.
//
// Locations: a path is read through Env; "http://" and "https://" URLs
// through libcurl, with bounded response sizes (limits.h), timeouts, and
// redirects followed only to the same scheme, host and port.
//
// Errors: kUnauthenticated for a checkpoint without a valid pinned signature,
// for the wrong origin, and for proofs that do not verify (including forks);
// kFailedPrecondition for a checkpoint older than the last one seen;
// kDataLoss for tiles or bundles that are malformed or disagree with each
// other; kNotFound / kUnavailable for resources the server does not give;
// kInvalidArgument for bad arguments. Not thread-safe; the Env must outlive
// the client.
#ifndef MODELSEAL_LOG_CLIENT_H_
#define MODELSEAL_LOG_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/checkpoint.h"
#include "modelseal/env.h"
#include "modelseal/merkle.h"

namespace modelseal::tlog {

struct LogClientOptions {
  // Pinned note verifier keys (name+id+key); at least one is required.
  std::vector<std::string> verifier_keys;
  // When non-empty, the checkpoint's origin must be exactly this.
  std::string origin;
  // When non-empty, the "last seen checkpoint" store: a directory (created
  // if missing) holding one file per log origin.
  std::string state_dir;
  // For a progress display during Audit(): set to the tree size when it
  // starts, advanced as entries are re-hashed. Relaxed atomics; may be null.
  std::atomic<std::uint64_t>* entries_done = nullptr;
  std::atomic<std::uint64_t>* entries_total = nullptr;
};

struct AuditReport {
  std::uint64_t tree_size = 0;
  std::uint64_t entries_checked = 0;
  std::uint64_t tiles_checked = 0;  // hash tiles re-derived and compared
};

class LogClient {
 public:
  // Opens the log at `location` (a directory or an http(s) URL) and fetches
  // its checkpoint as Update() does.
  static absl::StatusOr<std::unique_ptr<LogClient>> Open(
      Env& env, absl::string_view location, LogClientOptions options);

  ~LogClient();
  LogClient(const LogClient&) = delete;
  LogClient& operator=(const LogClient&) = delete;

  // Fetches the checkpoint again and verifies it: pinned signature, origin,
  // and consistency with the checkpoint this client held before and with the
  // last one remembered in the state directory, which it then advances.
  absl::StatusOr<Checkpoint> Update();

  // The verified checkpoint and its signed note text.
  const Checkpoint& checkpoint() const;
  const std::string& checkpoint_note() const;

  // Proofs computed from the log's tiles, for trees up to the checkpoint's
  // size (kInvalidArgument beyond it).
  absl::StatusOr<std::vector<Hash>> InclusionProof(std::uint64_t index,
                                                   std::uint64_t tree_size);
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(std::uint64_t old_size,
                                                     std::uint64_t new_size);

  // OK when `entry` is at `index` in the tree of the verified checkpoint.
  absl::Status VerifyEntryInclusion(absl::string_view entry,
                                    std::uint64_t index);
  // OK when `older_note`, a checkpoint signed by a pinned key for this
  // origin, is consistent with (a prefix of) the current checkpoint.
  absl::Status VerifyConsistencyWith(absl::string_view older_note);

  // Entry `index`, proven included in the verified checkpoint.
  absl::StatusOr<std::string> ReadEntry(std::uint64_t index);

  // Downloads the whole log, re-derives every hash tile from the entries and
  // compares it with the stored one, and checks the resulting root against
  // the checkpoint. With a non-empty `older_note` (a pinned-key checkpoint of
  // this origin) also checks that its root is the log's root at its size. On
  // any problem returns an error whose message lists every problem found (up
  // to limits::kMaxAuditProblems), with the code of the first.
  absl::StatusOr<AuditReport> Audit(absl::string_view older_note = "");

 private:
  struct State;
  explicit LogClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace modelseal::tlog

#endif  // MODELSEAL_LOG_CLIENT_H_
