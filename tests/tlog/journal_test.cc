// The log writer's write-ahead journal: its format (a crash can only cut its
// end; anything else is refused), then journaled writers recovering from a
// simulated power loss that kept the journal but lost or tore every file
// written after its base, and refusing journals that would lose or fork
// acknowledged entries.
#include "tlog/journal.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/checkpoint.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"
#include "tests/testing/status_matchers.h"
#include "tlog/sha256.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;
using tlog_internal::FormatJournalBatch;
using tlog_internal::FormatJournalHeader;
using tlog_internal::Journal;
using tlog_internal::ParseJournal;

constexpr char kOrigin[] = "example.com/journal-test-log";
constexpr char kLog[] = "/log";
constexpr char kJournal[] = "/log/journal";
constexpr char kCheckpoint[] = "/log/checkpoint";

std::vector<std::string> Entries(std::uint64_t first, std::size_t count) {
  std::vector<std::string> entries;
  for (std::size_t i = 0; i < count; ++i) {
    entries.push_back(absl::StrCat("entry-", first + i, "-",
                                   std::string((first + i) % 41, 'e')));
  }
  return entries;
}

// A record with `body` and a correct checksum (for bodies the writer would
// never produce).
std::string RawRecord(const std::string& body) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((body.size() >> (8 * i)) & 0xff));
  }
  out += body;
  const Hash sum = tlog_internal::Sha256({body});
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

// --- Format ----------------------------------------------------------------

TEST(JournalFormatTest, RoundTrips) {
  std::string data = FormatJournalHeader("base note\n");
  data += FormatJournalBatch(7, Entries(7, 3));
  data += FormatJournalBatch(10, {std::string()});
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Journal journal, ParseJournal(data));
  EXPECT_EQ(journal.base_checkpoint, "base note\n");
  ASSERT_EQ(journal.batches.size(), 2u);
  EXPECT_EQ(journal.batches[0].first_index, 7u);
  EXPECT_EQ(journal.batches[0].entries, Entries(7, 3));
  EXPECT_EQ(journal.batches[1].first_index, 10u);
  EXPECT_EQ(journal.batches[1].entries, std::vector<std::string>{""});
  EXPECT_EQ(journal.torn_bytes, 0u);
}

TEST(JournalFormatTest, EveryCutKeepsTheCompleteRecordsBeforeIt) {
  const std::string header = FormatJournalHeader("base\n");
  const std::string first = FormatJournalBatch(0, Entries(0, 2));
  const std::string second = FormatJournalBatch(2, Entries(2, 5));
  const std::string data = header + first + second;
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    SCOPED_TRACE(cut);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(Journal journal,
                                   ParseJournal(data.substr(0, cut)));
    std::size_t complete = 0;
    if (cut >= header.size() + first.size()) complete = 1;
    if (cut == data.size()) complete = 2;
    EXPECT_EQ(journal.batches.size(), complete);
    EXPECT_EQ(journal.base_checkpoint.empty(), cut < header.size());
    const std::size_t whole = cut < header.size() ? 0
                              : complete == 0     ? header.size()
                              : complete == 1     ? header.size() + first.size()
                                                  : data.size();
    if (cut >= header.size()) {
      EXPECT_EQ(journal.torn_bytes, cut - whole);
    }
  }
}

TEST(JournalFormatTest, ACorruptRecordEndsTheJournal) {
  const std::string header = FormatJournalHeader("base\n");
  const std::string batch = FormatJournalBatch(0, Entries(0, 4));
  for (std::size_t i = 0; i < batch.size(); ++i) {
    std::string data = header + batch;
    data[header.size() + i] ^= 0x01;
    absl::StatusOr<Journal> journal = ParseJournal(data);
    ASSERT_THAT(journal, IsOk()) << i;
    EXPECT_TRUE(journal->batches.empty()) << i;
    EXPECT_EQ(journal->torn_bytes, batch.size()) << i;
  }
}

TEST(JournalFormatTest, RefusesWhatACrashCannotLeave) {
  const std::string header = FormatJournalHeader("base\n");
  EXPECT_THAT(ParseJournal("something else entirely"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a")));
  EXPECT_THAT(ParseJournal("modelseal-log-journal/v2\n"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a")));
  // A prefix of the magic line is a journal whose creation was cut short.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Journal empty,
                                 ParseJournal("modelseal-log-j"));
  EXPECT_TRUE(empty.base_checkpoint.empty());

  const std::string magic(tlog_internal::kJournalMagic);
  std::string count_zero("E");
  count_zero.append(12, '\0');
  std::string short_entry("E");
  short_entry.append(8, '\0');
  short_entry +=
      std::string("\x01\0\0\0", 4) + std::string("\x09\0\0\0", 4) + "abc";
  const std::string trailing = "E" + std::string(8, '\0') +
                               std::string("\x01\0\0\0", 4) +
                               std::string("\x01\0\0\0", 4) + "xy";
  const struct {
    std::string data;
    const char* why;
  } cases[] = {
      {header + RawRecord(count_zero), "0 entries"},
      {header + RawRecord(short_entry), "does not fit"},
      {header + RawRecord(trailing), "after its last entry"},
      {header + RawRecord("Bsecond base"), "second base"},
      {magic + RawRecord("E" + std::string(16, '\0')), "before the base"},
      {header + RawRecord("Xwhat"), "unknown kind"},
      {magic + RawRecord("B"), "no usable base"},
  };
  for (const auto& bad : cases) {
    EXPECT_THAT(ParseJournal(bad.data),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(bad.why)))
        << bad.why;
  }
}

// --- Journaled writers -------------------------------------------------------

class JournaledLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = GenerateNoteKey(kOrigin);
    ASSERT_THAT(keys, IsOk());
    keys_ = *std::move(keys);
    ASSERT_THAT(CreateLog(*env_, kLog, kOrigin, skey()), IsOk());
  }
  const std::string& skey() const { return keys_.signer_key.value(); }

  std::unique_ptr<LogWriter> Open(bool journal) {
    LogWriterOptions options;
    options.journal = journal;
    auto writer = LogWriter::Open(*env_, kLog, skey(), options);
    EXPECT_THAT(writer, IsOk());
    return writer.ok() ? *std::move(writer) : nullptr;
  }
  std::string Read(const std::string& path) {
    auto data = env_->ReadFileToString(path, 1 << 30);
    EXPECT_THAT(data, IsOk()) << path;
    return data.ok() ? *data : "";
  }
  void Write(const std::string& path, const std::string& contents) {
    ASSERT_THAT(env_->WriteFileAtomically(path, contents, 0644, true), IsOk());
  }
  // Every regular file under `dir`, with its contents.
  std::map<std::string, std::string> Files(const std::string& dir) {
    std::map<std::string, std::string> files;
    auto names = env_->ListDirectory(dir);
    if (!names.ok()) return files;
    for (const std::string& name : *names) {
      const std::string path = JoinPath(dir, name);
      auto info = env_->LinkStat(path);
      if (!info.ok()) continue;
      if (info->type == FileType::kDirectory) {
        files.merge(Files(path));
      } else {
        files[path] = Read(path);
      }
    }
    return files;
  }
  // What a power loss before the writer's last flush can leave: the
  // journal as it was synced, the files that were durable at its base as
  // they were (a writer removes none of them before its next flush; the
  // test's writer has flushed and removed some since), and every other file
  // written since (tiles, bundles, the checkpoint) torn to garbage.
  void LosePower(const std::map<std::string, std::string>& durable,
                 const std::string& journal) {
    for (const auto& [path, contents] : Files(kLog)) {
      auto it = durable.find(path);
      if (it == durable.end() || it->second != contents) {
        Write(path, "torn");
      }
    }
    for (const auto& [path, contents] : durable) {
      ASSERT_THAT(MemoryEnvAddFile(*env_, path, contents), IsOk());
    }
    Write(kJournal, journal);
  }
  Checkpoint Published() {
    auto verifier = NoteVerifier::Parse(keys_.verifier_key);
    EXPECT_THAT(verifier, IsOk());
    const NoteVerifier known[] = {*verifier};
    auto opened = OpenCheckpoint(Read(kCheckpoint), known, kOrigin);
    EXPECT_THAT(opened, IsOk());
    return opened.ok() ? opened->checkpoint : Checkpoint{};
  }

  std::unique_ptr<Env> env_ = NewMemoryEnv();
  NoteKeyPair keys_;
};

TEST_F(JournaledLogTest, AppendsLikeADurableWriterAndLeavesNoJournal) {
  Hash root{};
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    EXPECT_TRUE(env_->LinkStat(kJournal).ok());
    ASSERT_THAT(writer->Append(Entries(0, 300)), IsOk());
    ASSERT_THAT(writer->Append(Entries(300, 5)), IsOk());
    root = writer->root();
    // The checkpoint file follows the flushes; CheckpointText() is the
    // newest at once.
    EXPECT_EQ(Published().size, 0u);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string newest,
                                   writer->CheckpointText());
    EXPECT_THAT(newest, HasSubstr("\n305\n"));
    ASSERT_THAT(writer->Flush(), IsOk());
    EXPECT_EQ(Published().size, 305u);
    EXPECT_EQ(Published().root, root);
    EXPECT_EQ(Read(kCheckpoint), newest);
  }
  EXPECT_TRUE(absl::IsNotFound(env_->LinkStat(kJournal).status()));
  auto reopened = Open(/*journal=*/false);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->size(), 305u);
  EXPECT_EQ(reopened->root(), root);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, reopened->ReadEntry(301));
  EXPECT_EQ(entry, Entries(301, 1)[0]);
}

// The checkpoint file is replaced by the timed flush, and the partial
// tiles superseded before one flush are removed by the next one's helper
// thread while the writer goes on.
TEST_F(JournaledLogTest, FlushesPublishTheCheckpointAndLaterRemovePartials) {
  auto writer = Open(/*journal=*/true);
  ASSERT_NE(writer, nullptr);
  for (std::uint64_t first = 0; first < 300; first += 100) {
    ASSERT_THAT(writer->Append(Entries(first, 100)), IsOk());
  }
  // Tile 0 is full; its partial tiles (widths 100 and 200) are still there.
  constexpr char kPartials[] = "/log/tile/0/000.p";
  ASSERT_TRUE(env_->LinkStat(kPartials).ok());
  EXPECT_EQ(Published().size, 0u);
  // A second on, the next batch starts a flush first: the checkpoint file
  // is the one before that batch.
  absl::SleepFor(absl::Milliseconds(1100));
  ASSERT_THAT(writer->Append(Entries(300, 1)), IsOk());
  EXPECT_EQ(Published().size, 300u);
  EXPECT_TRUE(env_->LinkStat(kPartials).ok());
  // Another second: that flush's sync is done and the journal restarts
  // past tile 0, and the next flush's helper removes its partials.
  absl::SleepFor(absl::Milliseconds(1100));
  ASSERT_THAT(writer->Append(Entries(301, 1)), IsOk());
  EXPECT_EQ(Published().size, 301u);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (env_->LinkStat(kPartials).ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_TRUE(absl::IsNotFound(env_->LinkStat(kPartials).status()));
  EXPECT_TRUE(env_->LinkStat("/log/tile/0/000").ok());
  ASSERT_THAT(writer->Append(Entries(302, 1)), IsOk());
  writer.reset();
  auto reopened = Open(/*journal=*/false);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->size(), 303u);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, reopened->ReadEntry(150));
  EXPECT_EQ(entry, Entries(150, 1)[0]);
}

TEST_F(JournaledLogTest, RestartsALargeJournalKeepingTheBatchesAfterItsBase) {
  auto writer = Open(/*journal=*/true);
  ASSERT_NE(writer, nullptr);
  const std::string large(60000, 'l');
  // 200 batches of 60 kB: the journal passes kJournalFlushBytes.
  for (int i = 0; i < 200; ++i) {
    ASSERT_THAT(writer->Append({absl::StrCat(large, i)}), IsOk());
  }
  const std::string data = Read(kJournal);
  EXPECT_LT(data.size(), std::size_t{200} * 60000);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Journal journal, ParseJournal(data));
  auto verifier = NoteVerifier::Parse(keys_.verifier_key);
  ASSERT_THAT(verifier, IsOk());
  const NoteVerifier known[] = {*verifier};
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      SignedCheckpoint base,
      OpenCheckpoint(journal.base_checkpoint, known, kOrigin));
  EXPECT_GT(base.checkpoint.size, 0u);
  std::uint64_t next = base.checkpoint.size;
  for (const auto& batch : journal.batches) {
    ASSERT_EQ(batch.first_index, next);
    ASSERT_EQ(batch.entries.size(), 1u);
    EXPECT_EQ(batch.entries[0], absl::StrCat(large, next));
    next += 1;
  }
  EXPECT_EQ(next, 200u);
}

TEST_F(JournaledLogTest, RecoversEveryAcknowledgedBatchAfterAPowerLoss) {
  std::map<std::string, std::string> durable;
  std::string journal;
  Hash root{};
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 10)), IsOk());
    ASSERT_THAT(writer->Flush(), IsOk());
    durable = Files(kLog);  // the base: size 10, partial tiles included
    // These complete a tile, start the next and reach level 1.
    ASSERT_THAT(writer->Append(Entries(10, 250)), IsOk());
    ASSERT_THAT(writer->Append(Entries(260, 7)), IsOk());
    ASSERT_THAT(writer->Append(Entries(267, 300)), IsOk());
    journal = Read(kJournal);
    root = writer->root();
  }
  // Half of a further batch reached the journal before the power went.
  const std::string torn = FormatJournalBatch(567, Entries(567, 3));
  LosePower(durable, journal + torn.substr(0, torn.size() / 2));

  auto writer = Open(/*journal=*/false);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->size(), 567u);
  EXPECT_EQ(writer->root(), root);
  EXPECT_EQ(Published().size, 567u);
  EXPECT_EQ(Published().root, root);
  for (std::uint64_t index : {0u, 9u, 10u, 255u, 256u, 266u, 511u, 566u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, writer->ReadEntry(index));
    EXPECT_EQ(entry, Entries(index, 1)[0]);
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                   writer->InclusionProof(index, 567));
    EXPECT_THAT(VerifyInclusion(HashLeaf(entry), index, 567, proof, root),
                IsOk());
  }
  // Replayed and durable: the journal is gone, and the superseded partial
  // tiles of the base with it.
  EXPECT_TRUE(absl::IsNotFound(env_->LinkStat(kJournal).status()));
  EXPECT_TRUE(
      absl::IsNotFound(env_->LinkStat("/log/tile/0/000.p/10").status()));
  ASSERT_THAT(writer->Append(Entries(567, 1)), IsOk());
}

TEST_F(JournaledLogTest, AJournaledWriterAlsoReplays) {
  std::string journal;
  std::map<std::string, std::string> durable;
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    durable = Files(kLog);
    ASSERT_THAT(writer->Append(Entries(0, 3)), IsOk());
    journal = Read(kJournal);
  }
  LosePower(durable, journal);
  auto writer = Open(/*journal=*/true);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->size(), 3u);
  ASSERT_THAT(writer->Append(Entries(3, 2)), IsOk());
  writer.reset();
  EXPECT_EQ(Open(false)->size(), 5u);
}

TEST_F(JournaledLogTest, RefusesAPublishedCheckpointTheJournalDoesNotReach) {
  std::string short_journal;
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 4)), IsOk());
    short_journal = Read(kJournal);
    ASSERT_THAT(writer->Append(Entries(4, 4)), IsOk());
  }
  // The checkpoint names size 8; the journal (losing a batch) reaches 4.
  Write(kJournal, short_journal);
  EXPECT_THAT(LogWriter::Open(*env_, kLog, skey()),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("acknowledged entries may be missing")));
  // Nothing was changed by the refusal.
  EXPECT_EQ(Read(kJournal), short_journal);
  EXPECT_EQ(Published().size, 8u);
}

TEST_F(JournaledLogTest, ACorruptMiddleBatchIsCaughtByThePublishedCheckpoint) {
  std::string journal;
  std::size_t first_batch_end = 0;
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 4)), IsOk());
    first_batch_end = Read(kJournal).size();
    ASSERT_THAT(writer->Append(Entries(4, 4)), IsOk());
    ASSERT_THAT(writer->Append(Entries(8, 4)), IsOk());
    journal = Read(kJournal);
  }
  journal[first_batch_end + 20] ^= 0x40;  // inside the second batch
  Write(kJournal, journal);
  EXPECT_THAT(LogWriter::Open(*env_, kLog, skey()),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("acknowledged entries may be missing")));
}

TEST_F(JournaledLogTest, RefusesAForkedCheckpoint) {
  std::string journal;
  {
    auto writer = Open(/*journal=*/true);
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 4)), IsOk());
    journal = Read(kJournal);
  }
  // Same key, same size, other entries: a checkpoint the journal never led
  // to.
  ASSERT_THAT(CreateLog(*env_, "/other", kOrigin, skey()), IsOk());
  {
    auto other = LogWriter::Open(*env_, "/other", skey());
    ASSERT_THAT(other, IsOk());
    ASSERT_THAT((*other)->Append(Entries(100, 4)), IsOk());
  }
  Write(kCheckpoint, Read("/other/checkpoint"));
  Write(kJournal, journal);
  EXPECT_THAT(LogWriter::Open(*env_, kLog, skey()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("fork")));
}

TEST_F(JournaledLogTest, RefusesAGapOrAForeignBase) {
  const std::string base = Read(kCheckpoint);
  Write(kJournal,
        FormatJournalHeader(base) + FormatJournalBatch(5, Entries(5, 1)));
  EXPECT_THAT(LogWriter::Open(*env_, kLog, skey()),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("batch starting at entry 5")));

  auto stranger = GenerateNoteKey(kOrigin);
  ASSERT_THAT(stranger, IsOk());
  ASSERT_THAT(
      CreateLog(*env_, "/stranger", kOrigin, stranger->signer_key.value()),
      IsOk());
  Write(kJournal, FormatJournalHeader(Read("/stranger/checkpoint")) +
                      FormatJournalBatch(0, Entries(0, 1)));
  absl::StatusOr<std::unique_ptr<LogWriter>> foreign =
      LogWriter::Open(*env_, kLog, skey());
  ASSERT_FALSE(foreign.ok());
  EXPECT_THAT(std::string(foreign.status().message()),
              HasSubstr("its base checkpoint"));
  EXPECT_EQ(Read(kCheckpoint), base);

  Write(kJournal, "not a journal");
  EXPECT_THAT(LogWriter::Open(*env_, kLog, skey()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("journal")));
}

TEST_F(JournaledLogTest, AJournalCutInItsHeaderIsIgnored) {
  {
    auto writer = Open(/*journal=*/false);
    ASSERT_NE(writer, nullptr);
    ASSERT_THAT(writer->Append(Entries(0, 2)), IsOk());
  }
  const std::string header = FormatJournalHeader(Read(kCheckpoint));
  Write(kJournal, header.substr(0, header.size() - 1));
  auto writer = Open(/*journal=*/false);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->size(), 2u);
  EXPECT_TRUE(absl::IsNotFound(env_->LinkStat(kJournal).status()));
}

}  // namespace
}  // namespace modelseal::tlog
