// The client proves everything against signed roots: proofs are computed
// from fetched tiles and then verified like proofs from anyone else, so a
// tile the server made up can only make verification fail.
//
// The audit streams the entry bundles through the same TileAccumulator the
// writer uses, so memory stays at one partial tile per level whatever the
// log's size; each tile it completes is compared with the stored one.
#include "modelseal/log_client.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "modelseal/transparency_log.h"
#include "tlog/sha256.h"
#include "tlog/tiles.h"

namespace modelseal::tlog {
namespace {

using tlog_internal::TileAccumulator;
using tlog_internal::TileFetcher;
using tlog_internal::TileHashSource;
using tlog_internal::TileStore;

std::string HashHex(const Hash& hash) { return HexEncode(hash); }

// One file per origin; the name is a digest so that any origin text (which
// the spec lets be anything) makes a safe file name.
std::string StateFileName(absl::string_view origin) {
  const Hash digest = tlog_internal::Sha256({origin});
  return absl::StrCat(HexEncode(digest), ".checkpoint");
}

class ProblemList {
 public:
  void Add(const absl::Status& status) {
    if (first_code_ == absl::StatusCode::kOk) first_code_ = status.code();
    ++count_;
    if (messages_.size() < limits::kMaxAuditProblems) {
      messages_.emplace_back(status.message());
    }
  }
  bool empty() const { return count_ == 0; }
  absl::Status ToStatus(absl::string_view where) const {
    return absl::Status(first_code_,
                        absl::StrCat("audit of ", where, " found ", count_,
                                     " problem", count_ == 1 ? "" : "s", ": ",
                                     absl::StrJoin(messages_, "; "),
                                     count_ > messages_.size() ? "; ..." : ""));
  }

 private:
  absl::StatusCode first_code_ = absl::StatusCode::kOk;
  std::size_t count_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace

struct LogClient::State {
  Env* env;
  std::string location;
  LogClientOptions options;
  std::vector<NoteVerifier> verifiers;
  std::unique_ptr<TileFetcher> fetcher;
  std::unique_ptr<TileStore> store;
  std::optional<SignedCheckpoint> current;

  // OK when the tree (old) is a prefix of the tree (new); both checkpoints
  // are already verified. Proof hashes come from tiles of `newer`.
  absl::Status CheckConsistent(const Checkpoint& older,
                               const Checkpoint& newer) {
    if (older.size > newer.size) {
      return absl::FailedPreconditionError(absl::StrCat(
          location, ": checkpoint went backwards from size ", older.size,
          " to ", newer.size, " (rollback or stale copy)"));
    }
    if (older.size == 0) {
      if (older.root != EmptyTreeRoot()) {
        return absl::UnauthenticatedError(absl::StrCat(
            location, ": a signed checkpoint of size 0 has a non-empty root"));
      }
      return absl::OkStatus();
    }
    std::vector<Hash> proof;
    if (older.size < newer.size) {
      TileHashSource source(*store, newer.size);
      MODELSEAL_ASSIGN_OR_RETURN(
          proof, MakeConsistencyProof(source, older.size, newer.size));
    }
    absl::Status status = VerifyConsistency(older.size, newer.size, proof,
                                            older.root, newer.root);
    if (!status.ok()) {
      return absl::UnauthenticatedError(absl::StrCat(
          location, ": checkpoints at sizes ", older.size, " and ", newer.size,
          " are inconsistent (the log forked): ", status.message()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<SignedCheckpoint> OpenPinned(absl::string_view note,
                                              absl::string_view origin) {
    return OpenCheckpoint(note, verifiers, origin);
  }
};

LogClient::LogClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogClient::~LogClient() = default;

absl::StatusOr<std::unique_ptr<LogClient>> LogClient::Open(
    Env& env, absl::string_view location, LogClientOptions options) {
  auto state = std::make_unique<State>();
  state->env = &env;
  state->location = std::string(location);
  if (options.verifier_keys.empty()) {
    return absl::InvalidArgumentError(
        "a log client needs at least one pinned verifier key");
  }
  for (const std::string& key : options.verifier_keys) {
    MODELSEAL_ASSIGN_OR_RETURN(NoteVerifier verifier, NoteVerifier::Parse(key));
    state->verifiers.push_back(std::move(verifier));
  }
  if (absl::StartsWithIgnoreCase(location, "http://") ||
      absl::StartsWithIgnoreCase(location, "https://")) {
    MODELSEAL_ASSIGN_OR_RETURN(state->fetcher,
                               tlog_internal::NewHttpFetcher(location));
  } else if (absl::StrContains(location, "://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        location, ": a log location is a directory or an http(s) URL"));
  } else {
    state->fetcher =
        tlog_internal::NewDirectoryFetcher(env, std::string(location));
  }
  state->store = std::make_unique<TileStore>(*state->fetcher);
  state->options = std::move(options);
  std::unique_ptr<LogClient> client(new LogClient(std::move(state)));
  MODELSEAL_RETURN_IF_ERROR(client->Update().status());
  return client;
}

absl::StatusOr<Checkpoint> LogClient::Update() {
  State& s = *state_;
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string note,
      s.fetcher->Fetch("checkpoint", limits::kMaxSignedNoteBytes));
  absl::StatusOr<SignedCheckpoint> fresh = s.OpenPinned(note, s.options.origin);
  if (!fresh.ok()) {
    return Annotate(fresh.status(),
                    absl::StrCat(s.location, ": checkpoint rejected"));
  }
  // The checkpoint this client held before, if any.
  if (s.current.has_value()) {
    MODELSEAL_RETURN_IF_ERROR(
        s.CheckConsistent(s.current->checkpoint, fresh->checkpoint));
  }
  // The one remembered across runs.
  std::string state_file;
  if (!s.options.state_dir.empty()) {
    state_file =
        JoinPath(s.options.state_dir, StateFileName(fresh->checkpoint.origin));
    absl::StatusOr<std::string> seen =
        s.env->ReadFileToString(state_file, limits::kMaxSignedNoteBytes);
    if (seen.ok()) {
      absl::StatusOr<SignedCheckpoint> last =
          s.OpenPinned(*seen, fresh->checkpoint.origin);
      if (!last.ok()) {
        return Annotate(last.status(),
                        absl::StrCat(state_file,
                                     ": the last seen checkpoint no longer "
                                     "verifies with the pinned keys"));
      }
      MODELSEAL_RETURN_IF_ERROR(
          s.CheckConsistent(last->checkpoint, fresh->checkpoint));
      if (last->checkpoint.size == fresh->checkpoint.size) state_file.clear();
    } else if (!absl::IsNotFound(seen.status())) {
      return seen.status();
    }
  }
  if (!state_file.empty()) {
    MODELSEAL_RETURN_IF_ERROR(
        s.env->CreateDirectories(s.options.state_dir, 0700));
    MODELSEAL_RETURN_IF_ERROR(s.env->WriteFileAtomically(
        state_file, fresh->note, 0600, /*overwrite=*/true));
  }
  s.current = *std::move(fresh);
  return s.current->checkpoint;
}

const Checkpoint& LogClient::checkpoint() const {
  return state_->current->checkpoint;
}

const std::string& LogClient::checkpoint_note() const {
  return state_->current->note;
}

absl::StatusOr<std::vector<Hash>> LogClient::InclusionProof(
    std::uint64_t index, std::uint64_t tree_size) {
  const std::uint64_t size = checkpoint().size;
  if (tree_size > size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree size ", tree_size, " is beyond the checkpoint's size ", size));
  }
  TileHashSource source(*state_->store, size);
  return MakeInclusionProof(source, index, tree_size);
}

absl::StatusOr<std::vector<Hash>> LogClient::ConsistencyProof(
    std::uint64_t old_size, std::uint64_t new_size) {
  const std::uint64_t size = checkpoint().size;
  if (new_size > size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree size ", new_size, " is beyond the checkpoint's size ", size));
  }
  TileHashSource source(*state_->store, size);
  return MakeConsistencyProof(source, old_size, new_size);
}

absl::Status LogClient::VerifyEntryInclusion(absl::string_view entry,
                                             std::uint64_t index) {
  const Checkpoint& head = checkpoint();
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<Hash> proof,
                             InclusionProof(index, head.size));
  return VerifyInclusion(HashLeaf(entry), index, head.size, proof, head.root);
}

absl::Status LogClient::VerifyConsistencyWith(absl::string_view older_note) {
  MODELSEAL_ASSIGN_OR_RETURN(
      SignedCheckpoint older,
      state_->OpenPinned(older_note, checkpoint().origin));
  return state_->CheckConsistent(older.checkpoint, checkpoint());
}

absl::StatusOr<std::string> LogClient::ReadEntry(std::uint64_t index) {
  const std::uint64_t size = checkpoint().size;
  if (index >= size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry ", index, " is beyond the checkpoint's size ", size));
  }
  const std::uint64_t bundle = index / kTileWidth;
  MODELSEAL_ASSIGN_OR_RETURN(
      std::vector<std::string> entries,
      state_->store->GetEntries(bundle, TileWidth(0, bundle, size)));
  std::string entry = std::move(entries[index % kTileWidth]);
  MODELSEAL_RETURN_IF_ERROR(VerifyEntryInclusion(entry, index));
  return entry;
}

absl::StatusOr<AuditReport> LogClient::Audit(absl::string_view older_note) {
  State& s = *state_;
  const Checkpoint head = checkpoint();
  ProblemList problems;
  std::optional<Checkpoint> older;
  if (!older_note.empty()) {
    absl::StatusOr<SignedCheckpoint> opened =
        s.OpenPinned(older_note, head.origin);
    if (!opened.ok()) {
      problems.Add(Annotate(opened.status(), "older checkpoint rejected"));
    } else if (opened->checkpoint.size > head.size) {
      problems.Add(absl::FailedPreconditionError(
          absl::StrCat("older checkpoint has size ", opened->checkpoint.size,
                       ", beyond the current size ", head.size)));
    } else {
      older = opened->checkpoint;
    }
  }
  const auto check_older = [&](const TileAccumulator& tree) {
    if (older.has_value() && older->size == tree.size() &&
        tree.Root() != older->root) {
      problems.Add(absl::UnauthenticatedError(
          absl::StrCat("older checkpoint at size ", older->size, " has root ",
                       HashHex(older->root), " but the log's entries give ",
                       HashHex(tree.Root()), ": the checkpoints are a fork")));
    }
  };

  AuditReport report;
  report.tree_size = head.size;
  if (s.options.entries_total != nullptr) {
    s.options.entries_total->store(head.size, std::memory_order_relaxed);
  }
  const auto compare = [&](int level, std::uint64_t index,
                           const std::vector<Hash>& derived) {
    ++report.tiles_checked;
    const int width = static_cast<int>(derived.size());
    absl::StatusOr<std::vector<Hash>> stored =
        s.store->FetchHashes(level, index, width);
    if (!stored.ok()) {
      problems.Add(stored.status());
      return;
    }
    for (std::size_t i = 0; i < derived.size(); ++i) {
      if ((*stored)[i] != derived[i]) {
        problems.Add(absl::DataLossError(absl::StrCat(
            TilePath(level, index, width), " disagrees with the ",
            level == 0 ? "entries" : "tiles below it", " at hash ", i,
            " (entry ", (index * kTileWidth + i) << (level * kTileHeight),
            ")")));
        return;
      }
    }
  };
  const TileAccumulator::FullTileCallback on_full =
      [&](int level, std::uint64_t index,
          const std::vector<Hash>& hashes) -> absl::Status {
    compare(level, index, hashes);
    return absl::OkStatus();
  };

  TileAccumulator tree;
  check_older(tree);
  bool complete = true;
  for (std::uint64_t bundle = 0; bundle * kTileWidth < head.size; ++bundle) {
    absl::StatusOr<std::vector<std::string>> entries =
        s.store->GetEntries(bundle, TileWidth(0, bundle, head.size));
    if (!entries.ok()) {
      problems.Add(entries.status());
      problems.Add(absl::DataLossError(
          absl::StrCat("audit stopped at entry ", bundle * kTileWidth,
                       ": later tiles cannot be re-derived")));
      complete = false;
      break;
    }
    if (s.options.entries_done != nullptr) {
      s.options.entries_done->fetch_add(entries->size(),
                                        std::memory_order_relaxed);
    }
    for (const std::string& entry : *entries) {
      MODELSEAL_RETURN_IF_ERROR(tree.Add(HashLeaf(entry), on_full));
      ++report.entries_checked;
      check_older(tree);
    }
  }
  if (complete) {
    for (int level = 0; level < tlog_internal::kMaxTileLevels; ++level) {
      const std::vector<Hash>& partial = tree.Edge(level);
      if (partial.empty()) continue;
      compare(level, (head.size >> (level * kTileHeight)) / kTileWidth,
              partial);
    }
    if (tree.Root() != head.root) {
      problems.Add(absl::DataLossError(absl::StrCat(
          "the entries give root ", HashHex(tree.Root()),
          " but the signed checkpoint says ", HashHex(head.root))));
    }
  }
  if (!problems.empty()) return problems.ToStatus(s.location);
  return report;
}

}  // namespace modelseal::tlog
