// The tiled log writer: refusals first (lock, wrong key, tiles that disagree
// with the checkpoint, oversized entries), then batches of awkward sizes
// checked against the reference tree, and finally crash safety with a real
// process killed at random moments.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/checkpoint.h"
#include "modelseal/log_client.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/tlog/reference_tree.h"
#include "tests/tlog/tlog_test_util.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kOrigin[] = "example.com/modelseal-test-log";

struct LogFixture {
  LogFixture() {
    auto generated = GenerateNoteKey(kOrigin);
    EXPECT_THAT(generated, IsOk());
    keys = *std::move(generated);
    dir = temp.Join("log");
    EXPECT_THAT(CreateLog(*Env::Default(), dir, kOrigin, skey()), IsOk());
  }
  const std::string& skey() const { return keys.signer_key.value(); }
  std::unique_ptr<LogWriter> Open() {
    auto writer = LogWriter::Open(*Env::Default(), dir, skey());
    EXPECT_THAT(writer, IsOk());
    return writer.ok() ? *std::move(writer) : nullptr;
  }
  std::string Path(const std::string& relative) const {
    return dir + "/" + relative;
  }

  TempDir temp;
  NoteKeyPair keys;
  std::string dir;
};

std::string EntryText(std::uint64_t index) {
  return absl::StrCat("{\"release\":", index, ",\"pad\":\"",
                      std::string(index % 37, 'p'), "\"}");
}

std::vector<std::string> Entries(std::uint64_t first, std::size_t count) {
  std::vector<std::string> entries;
  for (std::size_t i = 0; i < count; ++i)
    entries.push_back(EntryText(first + i));
  return entries;
}

Checkpoint ParseNote(const std::string& note, const std::string& vkey) {
  auto verifier = NoteVerifier::Parse(vkey);
  EXPECT_THAT(verifier, IsOk());
  const NoteVerifier known[] = {*verifier};
  auto opened = OpenCheckpoint(note, known, kOrigin);
  EXPECT_THAT(opened, IsOk());
  return opened.ok() ? opened->checkpoint : Checkpoint{};
}

void OverwriteFile(const std::string& path, const std::string& contents) {
  ASSERT_THAT(Env::Default()->WriteFileAtomically(path, contents, 0644, true),
              IsOk());
}

// --- Refusals ------------------------------------------------------------

TEST(LogWriterTest, OpenFailsWithoutALog) {
  TempDir temp;
  auto keys = GenerateNoteKey(kOrigin);
  ASSERT_THAT(keys, IsOk());
  EXPECT_THAT(LogWriter::Open(*Env::Default(), temp.Join("none"),
                              keys->signer_key.value()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
  EXPECT_THAT(LogWriter::Open(*Env::Default(), temp.path(), "not a key"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(LogWriterTest, CreateRefusesAnExistingLogAndBadInput) {
  LogFixture log;
  EXPECT_THAT(CreateLog(*Env::Default(), log.dir, kOrigin, log.skey()),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("already holds a log")));
  TempDir other;
  EXPECT_THAT(CreateLog(*Env::Default(), other.Join("a"), "", log.skey()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(
      CreateLog(*Env::Default(), other.Join("b"), "two\nlines", log.skey()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(CreateLog(*Env::Default(), other.Join("c"), kOrigin,
                        log.keys.verifier_key),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(LogWriterTest, SecondWriterIsRefusedWhileTheFirstHoldsTheLock) {
  LogFixture log;
  std::unique_ptr<LogWriter> first = log.Open();
  ASSERT_NE(first, nullptr);
  EXPECT_THAT(LogWriter::Open(*Env::Default(), log.dir, log.skey()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("locked by another writer")));
  EXPECT_THAT(
      CreateLog(*Env::Default(), log.dir, kOrigin, log.skey()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("locked")));
  first.reset();
  EXPECT_NE(log.Open(), nullptr);
}

TEST(LogWriterTest, OpenRefusesACheckpointSignedByAnotherKey) {
  LogFixture log;
  auto other = GenerateNoteKey(kOrigin);
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(
      LogWriter::Open(*Env::Default(), log.dir, other->signer_key.value()),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("does not verify with this writer's key")));
}

TEST(LogWriterTest, RejectsOversizedEntriesWithoutWritingAnything) {
  LogFixture log;
  auto writer = log.Open();
  ASSERT_NE(writer, nullptr);
  const std::string before = testing::ReadTextFile(log.Path("checkpoint"));
  EXPECT_THAT(writer->Append({"fine", std::string(65536, 'x')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65535")));
  EXPECT_EQ(writer->size(), 0u);
  EXPECT_EQ(testing::ReadTextFile(log.Path("checkpoint")), before);
  EXPECT_FALSE(std::filesystem::exists(log.Path("tile")));
  // The largest entry the format allows goes in.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto indices,
                                 writer->Append({std::string(65535, 'x')}));
  EXPECT_EQ(indices, std::vector<std::uint64_t>{0});
  MODELSEAL_ASSERT_OK_AND_ASSIGN(auto empty, writer->Append({}));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(writer->size(), 1u);
}

TEST(LogWriterTest, ReopenRefusesTilesThatDisagreeWithTheCheckpoint) {
  LogFixture log;
  {
    auto writer = log.Open();
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 300)), IsOk());
  }
  const std::string tile = log.Path("tile/0/001.p/44");
  const std::string bundle = log.Path("tile/entries/001.p/44");
  const std::string tile_bytes = testing::ReadTextFile(tile);
  const std::string bundle_bytes = testing::ReadTextFile(bundle);
  ASSERT_EQ(tile_bytes.size(), 44u * 32);

  // A flipped bit in the right-edge tile.
  std::string flipped = tile_bytes;
  flipped[100] ^= 1;
  OverwriteFile(tile, flipped);
  EXPECT_THAT(LogWriter::Open(*Env::Default(), log.dir, log.skey()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("")));
  // A truncated tile.
  OverwriteFile(tile, tile_bytes.substr(0, 40 * 32));
  EXPECT_THAT(
      LogWriter::Open(*Env::Default(), log.dir, log.skey()),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("tile/0/001.p/44")));
  // A missing tile.
  ASSERT_TRUE(std::filesystem::remove(tile));
  EXPECT_THAT(LogWriter::Open(*Env::Default(), log.dir, log.skey()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("")));
  OverwriteFile(tile, tile_bytes);
  // An entry that no longer matches its leaf hash.
  std::string changed = bundle_bytes;
  changed[changed.size() - 3] ^= 1;
  OverwriteFile(bundle, changed);
  EXPECT_THAT(
      LogWriter::Open(*Env::Default(), log.dir, log.skey()),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not match")));
  OverwriteFile(bundle, bundle_bytes);
  EXPECT_NE(log.Open(), nullptr);

  // A checkpoint signed by the right key but naming another root: the writer
  // must not continue from it (that would sign a fork).
  auto signer = NoteSigner::Parse(log.skey());
  ASSERT_THAT(signer, IsOk());
  Checkpoint forged = ParseNote(testing::ReadTextFile(log.Path("checkpoint")),
                                log.keys.verifier_key);
  forged.root = HashLeaf("something else");
  auto body = FormatCheckpoint(forged);
  ASSERT_THAT(body, IsOk());
  const NoteSigner* signers[] = {&*signer};
  auto note = SignNote(*body, signers);
  ASSERT_THAT(note, IsOk());
  OverwriteFile(log.Path("checkpoint"), *note);
  EXPECT_THAT(LogWriter::Open(*Env::Default(), log.dir, log.skey()),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("disagrees with the signed checkpoint")));
}

// --- Appends against the reference tree ---------------------------------

TEST(LogWriterTest, BatchesOfAwkwardSizesGiveVerifiableProofs) {
  LogFixture log;
  testing::ReferenceTree reference;
  std::vector<Checkpoint> checkpoints;
  checkpoints.push_back(ParseNote(testing::ReadTextFile(log.Path("checkpoint")),
                                  log.keys.verifier_key));
  std::uint64_t next = 0;
  for (std::size_t batch : {1u, 255u, 256u, 257u, 1000u, 1u, 30u}) {
    // Reopen between batches: state must come back from disk alone.
    auto writer = log.Open();
    ASSERT_NE(writer, nullptr);
    ASSERT_EQ(writer->size(), next);
    const std::vector<std::string> entries = Entries(next, batch);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<std::uint64_t> indices,
                                   writer->Append(entries));
    ASSERT_EQ(indices.size(), batch);
    EXPECT_EQ(indices.front(), next);
    for (const std::string& entry : entries) reference.AppendEntry(entry);
    next += batch;
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string note, writer->CheckpointText());
    EXPECT_EQ(note, testing::ReadTextFile(log.Path("checkpoint")));
    const Checkpoint checkpoint = ParseNote(note, log.keys.verifier_key);
    EXPECT_EQ(checkpoint.size, next);
    EXPECT_EQ(checkpoint.root, reference.Root(next));
    EXPECT_EQ(writer->root(), checkpoint.root);
    checkpoints.push_back(checkpoint);
  }

  auto writer = log.Open();
  ASSERT_NE(writer, nullptr);
  const std::uint64_t size = writer->size();
  ASSERT_EQ(size, 1800u);
  std::mt19937_64 random(42);
  // Inclusion for many (index, size) pairs, including every checkpoint size.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs;
  for (const Checkpoint& c : checkpoints) {
    if (c.size == 0) continue;
    for (std::uint64_t index : {std::uint64_t{0}, c.size / 2, c.size - 1}) {
      pairs.emplace_back(index, c.size);
    }
  }
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t tree_size = 1 + random() % size;
    pairs.emplace_back(random() % tree_size, tree_size);
  }
  for (const auto& [index, tree_size] : pairs) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                   writer->InclusionProof(index, tree_size));
    ASSERT_EQ(proof, reference.InclusionProof(index, tree_size))
        << index << "/" << tree_size;
    ASSERT_THAT(VerifyInclusion(HashLeaf(EntryText(index)), index, tree_size,
                                proof, reference.Root(tree_size)),
                IsOk());
  }
  // Consistency between every pair of published checkpoints.
  for (std::size_t a = 0; a < checkpoints.size(); ++a) {
    for (std::size_t b = a; b < checkpoints.size(); ++b) {
      const Checkpoint& old_cp = checkpoints[a];
      const Checkpoint& new_cp = checkpoints[b];
      MODELSEAL_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> proof,
          writer->ConsistencyProof(old_cp.size, new_cp.size));
      if (old_cp.size == 0) {
        EXPECT_TRUE(proof.empty());
        EXPECT_EQ(old_cp.root, EmptyTreeRoot());
        continue;
      }
      EXPECT_THAT(VerifyConsistency(old_cp.size, new_cp.size, proof,
                                    old_cp.root, new_cp.root),
                  IsOk())
          << old_cp.size << "->" << new_cp.size;
    }
  }
  // Entries read back, and requests beyond the tree are refused.
  for (std::uint64_t index : {0u, 255u, 256u, 1000u, 1799u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, writer->ReadEntry(index));
    EXPECT_EQ(entry, EntryText(index));
  }
  EXPECT_THAT(writer->ReadEntry(size),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(writer->InclusionProof(0, size + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(writer->InclusionProof(size, size),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(writer->ConsistencyProof(10, 9),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(LogWriterTest, WritesTheSpecLayout) {
  LogFixture log;
  auto writer = log.Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_THAT(writer->Append(Entries(0, 100)), IsOk());
  EXPECT_TRUE(std::filesystem::exists(log.Path("tile/0/000.p/100")));
  EXPECT_TRUE(std::filesystem::exists(log.Path("tile/entries/000.p/100")));
  ASSERT_THAT(writer->Append(Entries(100, 600)), IsOk());
  // 700 = 2 full tiles + 188; level 1 holds 2 hashes.
  for (const char* path :
       {"checkpoint", "lock", "tile/0/000", "tile/0/001", "tile/0/002.p/188",
        "tile/1/000.p/2", "tile/entries/000", "tile/entries/001",
        "tile/entries/002.p/188"}) {
    EXPECT_TRUE(std::filesystem::exists(log.Path(path))) << path;
  }
  EXPECT_EQ(std::filesystem::file_size(log.Path("tile/0/000")), 8192u);
  // Superseded partial tiles are gone once the full tile is published.
  EXPECT_FALSE(std::filesystem::exists(log.Path("tile/0/000.p")));
  EXPECT_FALSE(std::filesystem::exists(log.Path("tile/entries/000.p")));
  // The entry bundle is the uint16 length-prefixed entries.
  const std::string bundle =
      testing::ReadTextFile(log.Path("tile/entries/000"));
  const std::string first = EntryText(0);
  EXPECT_EQ(bundle.substr(0, 2 + first.size()),
            std::string(1, '\0') + static_cast<char>(first.size()) + first);
  // Level-0 tiles hold leaf hashes.
  const Hash leaf = HashLeaf(first);
  EXPECT_EQ(testing::ReadTextFile(log.Path("tile/0/000")).substr(0, 32),
            std::string(reinterpret_cast<const char*>(leaf.data()), 32));
}

TEST(LogWriterTest, WorksOnTheMemoryEnv) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  auto keys = GenerateNoteKey(kOrigin);
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT(CreateLog(*env, "/logs/a", kOrigin, keys->signer_key.value()),
              IsOk());
  auto writer = LogWriter::Open(*env, "/logs/a", keys->signer_key.value());
  ASSERT_THAT(writer, IsOk());
  EXPECT_THAT(
      LogWriter::Open(*env, "/logs/a", keys->signer_key.value()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("locked")));
  ASSERT_THAT((*writer)->Append(Entries(0, 513)), IsOk());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, (*writer)->ReadEntry(512));
  EXPECT_EQ(entry, EntryText(512));
  writer->reset();
  auto reopened = LogWriter::Open(*env, "/logs/a", keys->signer_key.value());
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ((*reopened)->size(), 513u);
}

// A memory env whose next WriteFilesThenCommit dies half-way: the first
// half of every file reaches its path, the commit never happens. That is
// what a crash can leave of a batch, since tiles are written in place.
class TornBatchEnv final : public Env {
 public:
  explicit TornBatchEnv(Env& inner) : inner_(inner) {}
  bool tear_next_batch = false;
  int commits = 0;

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> OpenForRead(
      const std::string& path) override {
    return inner_.OpenForRead(path);
  }
  absl::StatusOr<FileInfo> LinkStat(const std::string& path) override {
    return inner_.LinkStat(path);
  }
  absl::StatusOr<FileInfo> Stat(const std::string& path) override {
    return inner_.Stat(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDirectory(
      const std::string& path) override {
    return inner_.ListDirectory(path);
  }
  absl::StatusOr<std::string> ReadLink(const std::string& path) override {
    return inner_.ReadLink(path);
  }
  absl::StatusOr<std::string> RealPath(const std::string& path) override {
    return inner_.RealPath(path);
  }
  absl::Status CreateDirectory(const std::string& path,
                               std::uint32_t mode) override {
    return inner_.CreateDirectory(path, mode);
  }
  absl::Status WriteFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   std::uint32_t mode,
                                   bool overwrite) override {
    return inner_.WriteFileAtomically(path, contents, mode, overwrite);
  }
  absl::Status WriteFilesThenCommit(absl::Span<const FileToWrite> files,
                                    const FileToWrite& commit,
                                    std::uint32_t mode) override {
    if (!tear_next_batch) {
      ++commits;
      return inner_.WriteFilesThenCommit(files, commit, mode);
    }
    tear_next_batch = false;
    for (const FileToWrite& file : files) {
      MODELSEAL_RETURN_IF_ERROR(inner_.WriteFileAtomically(
          file.path, file.contents.substr(0, file.contents.size() / 2), mode,
          true));
    }
    return absl::InternalError("simulated crash before the commit");
  }
  absl::Status DeleteFile(const std::string& path) override {
    return inner_.DeleteFile(path);
  }
  absl::Status DeleteDirectory(const std::string& path) override {
    return inner_.DeleteDirectory(path);
  }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    return inner_.LockFile(path);
  }

 private:
  Env& inner_;
};

TEST(LogWriterTest, ATornBatchIsInvisibleAndTheNextBatchOverwritesIt) {
  std::unique_ptr<Env> memory = NewMemoryEnv();
  TornBatchEnv env(*memory);
  auto keys = GenerateNoteKey(kOrigin);
  ASSERT_THAT(keys, IsOk());
  const std::string skey = keys->signer_key.value();
  ASSERT_THAT(CreateLog(env, "/log", kOrigin, skey), IsOk());
  testing::ReferenceTree reference;
  {
    auto writer = LogWriter::Open(env, "/log", skey);
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Append(Entries(0, 200)), IsOk());
    for (const std::string& entry : Entries(0, 200)) {
      reference.AppendEntry(entry);
    }
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        const std::string published,
        memory->ReadFileToString("/log/checkpoint", 1 << 20));
    // The torn batch completes a tile and starts the next one: full and
    // partial tiles, bundles and a higher level are all left torn.
    env.tear_next_batch = true;
    EXPECT_THAT((*writer)->Append(Entries(5000, 300)),
                StatusIs(absl::StatusCode::kInternal, HasSubstr("simulated")));
    EXPECT_THAT(
        (*writer)->Append(Entries(0, 1)),
        StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("reopen")));
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        const std::string after,
        memory->ReadFileToString("/log/checkpoint", 1 << 20));
    EXPECT_EQ(after, published);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(
        std::string torn,
        memory->ReadFileToString("/log/tile/entries/001.p/244", 1 << 20));
    EXPECT_FALSE(torn.empty());
  }
  // Reopened, the log is at its last checkpoint; other entries then take
  // the torn files' names and every proof holds.
  auto writer = LogWriter::Open(env, "/log", skey);
  ASSERT_THAT(writer, IsOk());
  EXPECT_EQ((*writer)->size(), 200u);
  ASSERT_THAT((*writer)->Append(Entries(200, 300)), IsOk());
  for (const std::string& entry : Entries(200, 300)) {
    reference.AppendEntry(entry);
  }
  const Hash root = reference.Root(500);
  EXPECT_EQ((*writer)->root(), root);
  for (std::uint64_t index : {0u, 199u, 200u, 255u, 256u, 499u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry,
                                   (*writer)->ReadEntry(index));
    EXPECT_EQ(entry, EntryText(index));
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                   (*writer)->InclusionProof(index, 500));
    EXPECT_THAT(VerifyInclusion(HashLeaf(entry), index, 500, proof, root),
                IsOk());
  }
  writer->reset();
  auto reopened = LogWriter::Open(env, "/log", skey);
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ((*reopened)->size(), 500u);
  // Every append went through one grouped commit.
  EXPECT_EQ(env.commits, 2);
}

// --- Crash safety ----------------------------------------------------------

// The test-only writer (tests/tlog/crash_writer.cc) appends entries
// CrashEntry(i) in random batches and prints each acknowledged index.
std::string CrashEntry(std::uint64_t index) {
  return absl::StrCat("crash-entry-", index, "-",
                      std::string(index * 7919 % 200, 'c'));
}

struct CrashRound {
  std::set<std::uint64_t> acknowledged;
};

// Runs the crash writer for `run_for`, then SIGKILLs it. Reads its output
// all the while so it never blocks on a full pipe.
CrashRound RunAndKill(const std::string& dir, const std::string& key_file,
                      std::uint64_t seed, std::chrono::milliseconds run_for,
                      bool journal) {
  CrashRound round;
  int pipe_fds[2];
  EXPECT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    const std::string seed_text = absl::StrCat(seed);
    ::execl(MODELSEAL_CRASH_WRITER, MODELSEAL_CRASH_WRITER, dir.c_str(),
            key_file.c_str(), seed_text.c_str(),
            journal ? "journal" : static_cast<char*>(nullptr),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  bool killed = false;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    const int wait_ms =
        killed ? 1000
               : static_cast<int>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         deadline - now)
                         .count()) +
                     1;
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (::poll(&poll_fd, 1, wait_ms) > 0) {
      char buffer[65536];
      const ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
      if (n <= 0) break;  // EOF: the writer is gone
      output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "crash writer exited early with status " << status << ": " << output;
  // Only complete lines count; a line cut by the kill was never finished.
  const std::size_t end = output.rfind('\n');
  if (end == std::string::npos) return round;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(output).substr(0, end), '\n')) {
    std::uint64_t index;
    EXPECT_TRUE(absl::SimpleAtoi(line, &index)) << line;
    round.acknowledged.insert(index);
  }
  return round;
}

// Kills the writer (journaled or not) in 20 to 40 rounds; after each, a
// plain writer reopens the log (replaying any journal) and everything is
// checked.
void RunCrashRounds(bool journal) {
  LogFixture log;
  const std::string key_file = log.temp.Write("log.key", log.skey());
  std::mt19937_64 random(20240611);
  std::set<std::uint64_t> acknowledged;
  const auto start = std::chrono::steady_clock::now();
  int rounds = 0;
  std::uint64_t previous_size = 0;
  std::string previous_note = testing::ReadTextFile(log.Path("checkpoint"));
  while (rounds < 20 ||
         (rounds < 40 &&
          std::chrono::steady_clock::now() - start < std::chrono::seconds(8))) {
    ++rounds;
    const auto run_for = std::chrono::milliseconds(20 + random() % 230);
    CrashRound round =
        RunAndKill(log.dir, key_file, random(), run_for, journal);
    acknowledged.insert(round.acknowledged.begin(), round.acknowledged.end());

    // The writer reopens: the checkpoint verifies with its key and its root
    // re-derives from the tiles; every acknowledged entry is inside it.
    auto writer = log.Open();
    ASSERT_NE(writer, nullptr) << "round " << rounds;
    const std::uint64_t size = writer->size();
    ASSERT_GE(size, previous_size);
    if (!acknowledged.empty()) {
      ASSERT_LT(*acknowledged.rbegin(), size) << "round " << rounds;
    }
    writer.reset();

    // Every tile re-derives from the entries, the root matches the signed
    // checkpoint, which is consistent with the previous round's.
    LogClientOptions options;
    options.verifier_keys = {log.keys.verifier_key};
    options.origin = kOrigin;
    auto client = LogClient::Open(*Env::Default(), log.dir, options);
    ASSERT_THAT(client, IsOk());
    MODELSEAL_ASSERT_OK_AND_ASSIGN(AuditReport report,
                                   (*client)->Audit(previous_note));
    ASSERT_EQ(report.entries_checked, size);
    previous_size = size;
    previous_note = (*client)->checkpoint_note();

    // Every entry (acknowledged or merely published) is intact.
    for (std::uint64_t bundle = 0; bundle * 256 < size; ++bundle) {
      const int width = TileWidth(0, bundle, size);
      // The published size's partial bundle is never deleted.
      const std::string data =
          testing::ReadTextFile(log.Path(EntryBundlePath(bundle, width)));
      MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<std::string> entries,
                                     ParseEntryBundle(data, width));
      for (int i = 0; i < width; ++i) {
        ASSERT_EQ(entries[i], CrashEntry(bundle * 256 + i));
      }
    }
  }
  EXPECT_GE(rounds, 20);
  EXPECT_GT(acknowledged.size(), 0u);
  std::cerr << "crash test: " << rounds << " rounds, " << acknowledged.size()
            << " acknowledged entries, final size " << previous_size << "\n";
}

TEST(LogWriterCrashTest, KilledWriterReopensAtItsLastCheckpointLosingNothing) {
  RunCrashRounds(/*journal=*/false);
}

TEST(LogWriterCrashTest, KilledJournaledWriterIsReplayedLosingNothing) {
  RunCrashRounds(/*journal=*/true);
}

}  // namespace
}  // namespace modelseal::tlog
