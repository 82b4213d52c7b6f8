// Recording signed releases in a transparency log, and checking the record.
//
// Each signed bundle becomes one log entry (docs/formats/log-entry.md): a
// canonical JSON document naming the model (subject), the SHA-256 of the
// exact statement bytes, the signature and the signer's key hint or
// certificate digest, and the time it was logged. After the entry is
// appended, the bundle gets a `tlogEntries` item in the Sigstore
// TransparencyLogEntry shape carrying the entry, its index, an inclusion
// proof and the signed checkpoint the proof leads to, so that inclusion can
// be checked offline with only the log's verifier key.
#ifndef MODELSEAL_RELEASE_LOG_H_
#define MODELSEAL_RELEASE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"

namespace modelseal {

inline constexpr absl::string_view kReleaseEntryKind = "modelseal.dev/release";
// kindVersion.kind written into bundles.
inline constexpr absl::string_view kTlogEntryKind = "modelseal-release";

// The canonical entry JSON for `bundle` logged at `integrated_time` (Unix
// seconds). kInvalidArgument if the bundle's statement does not parse.
absl::StatusOr<std::string> MakeReleaseEntry(const Bundle& bundle,
                                             std::uint64_t integrated_time);

// Appends every bundle (JSON) to the log in one batch and returns the
// bundles with their new tlogEntries item, in order. Nothing is appended if
// any bundle is malformed; the error names it by `names[i]` when given (file
// paths), else as "bundle i of n".
absl::StatusOr<std::vector<std::string>> AddBundlesToLog(
    tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
    std::uint64_t integrated_time, const std::vector<std::string>& names = {});

// The same work split for a server that logs bundles from many request
// threads through one writer: PrepareRelease (any thread) parses and checks
// a bundle once; the writer's thread appends ReleaseEntryAt() of each and
// computes an inclusion proof per entry (LogPosition); AttachLogEntry (any
// thread again) writes the bundle with its tlogEntries item.
struct PreparedRelease {
  Bundle bundle;
  std::string entry_at_time_zero;  // MakeReleaseEntry(bundle, 0)
};
// kInvalidArgument (or the parse error) for a malformed bundle or statement.
absl::StatusOr<PreparedRelease> PrepareRelease(absl::string_view bundle_json);
// The canonical entry of `release` logged at `integrated_time`; equal to
// MakeReleaseEntry(release.bundle, integrated_time).
std::string ReleaseEntryAt(const PreparedRelease& release,
                           std::uint64_t integrated_time);

// Where an appended entry landed: its index, the tree it was proved in and
// the proof, with the signed checkpoint of that tree.
struct LogPosition {
  std::string origin;
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  tlog::Hash root{};
  std::vector<tlog::Hash> proof;
  std::string checkpoint_note;
  std::uint64_t integrated_time = 0;
};
// `bundle` (JSON) with one more tlogEntries item recording `entry` at
// `position`. The caller vouches that `entry` was appended there.
absl::StatusOr<std::string> AttachLogEntry(Bundle bundle,
                                           const std::string& entry,
                                           const LogPosition& position);

// AddBundlesToLog in two steps, for a caller that writes each bundle out
// as soon as it is made (`log add` hands Attach to
// Env::WriteGeneratedFilesAtomically, so that bundles are made while the
// disk syncs and are never all held at once). AppendBundlesToLog appends
// every bundle in one batch, with AddBundlesToLog's errors; Attach(i) then
// makes bundle i with its tlogEntries item.
class AppendedBundles {
 public:
  std::size_t size() const { return releases_.size(); }
  // Bundle i (JSON) with its new tlogEntries item. Safe to call from many
  // threads at once for different i; each i at most once (it consumes the
  // parsed bundle).
  absl::StatusOr<std::string> Attach(std::size_t i);

 private:
  friend absl::StatusOr<AppendedBundles> AppendBundlesToLog(
      tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
      std::uint64_t integrated_time, const std::vector<std::string>& names);
  std::vector<PreparedRelease> releases_;
  std::vector<std::string> entries_;
  std::vector<std::uint64_t> indices_;
  std::vector<std::vector<tlog::Hash>> proofs_;
  LogPosition base_;  // the batch's tree, checkpoint and time
};
absl::StatusOr<AppendedBundles> AppendBundlesToLog(
    tlog::LogWriter& writer, const std::vector<std::string>& bundle_jsons,
    std::uint64_t integrated_time, const std::vector<std::string>& names = {});

// What a verified log record says.
struct LogInclusion {
  std::string origin;
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  std::uint64_t integrated_time = 0;
  std::string checkpoint_note;
};

// Checks offline that `bundle` is recorded in a log whose checkpoint is
// signed by one of `log_keys`: some tlogEntries item must carry an entry that
// describes exactly this bundle (statement bytes, signature, signer), an
// inclusion proof of that entry, and a checkpoint note signed by a pinned key
// whose size and root the proof reaches. kUnauthenticated (with the reason of
// the last item tried) when none does, including when there are none.
absl::StatusOr<LogInclusion> VerifyLogInclusion(
    const Bundle& bundle, absl::Span<const tlog::NoteVerifier> log_keys);

}  // namespace modelseal

#endif  // MODELSEAL_RELEASE_LOG_H_
