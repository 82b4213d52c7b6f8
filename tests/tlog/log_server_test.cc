// The release batcher behind `log serve`: concurrent additions share
// appends and every answer proves its entry; a full queue refuses at once;
// malformed bundles never reach the log. SubmitToLogServer against a real
// in-process server: logged, refused, busy, unreachable, bad URLs. Also the
// split of AddBundlesToLog the batcher relies on (entries at a time, attached
// records).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "modelseal/crypto.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/limits.h"
#include "modelseal/log_client.h"
#include "modelseal/log_server.h"
#include "modelseal/log_submit.h"
#include "modelseal/model_signing.h"
#include "modelseal/release_log.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"
#include "modelseal/v1/bundle.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;

constexpr char kOrigin[] = "example.com/batcher-test";

struct BatcherFixture {
  explicit BatcherFixture(bool journal = false) {
    auto generated = tlog::GenerateNoteKey(kOrigin);
    EXPECT_THAT(generated, IsOk());
    keys = *std::move(generated);
    dir = temp.Join("log");
    EXPECT_THAT(
        tlog::CreateLog(*Env::Default(), dir, kOrigin, keys.signer_key.value()),
        IsOk());
    tlog::LogWriterOptions writer_options;
    writer_options.journal = journal;
    auto opened = tlog::LogWriter::Open(
        *Env::Default(), dir, keys.signer_key.value(), writer_options);
    EXPECT_THAT(opened, IsOk());
    writer = *std::move(opened);

    auto pair = GenerateKeyPair(KeyType::kEcdsaP256, std::nullopt);
    EXPECT_THAT(pair, IsOk());
    auto signer = LoadSigner(pair->private_pem.value(), std::nullopt);
    EXPECT_THAT(signer, IsOk());
    SigningIdentity identity;
    identity.signer = signer->get();
    auto signed_bundle =
        SignModel(MODELSEAL_SOURCE_DIR "/examples/tiny-model",
                  SerializationOptions(), HashRunOptions(), identity);
    EXPECT_THAT(signed_bundle, IsOk());
    bundle = *std::move(signed_bundle);
  }

  // The answer's record verifies offline and its entry is in the current
  // checkpoint of the log at `log` (its directory by default, or a URL);
  // returns its index.
  std::uint64_t CheckAnswer(const std::string& answer,
                            std::string log = std::string()) {
    if (log.empty()) log = dir;
    auto parsed = ParseBundle(answer);
    EXPECT_THAT(parsed, IsOk());
    if (!parsed.ok()) return 0;
    auto verifier = tlog::NoteVerifier::Parse(keys.verifier_key);
    EXPECT_THAT(verifier, IsOk());
    const tlog::NoteVerifier log_keys[] = {*verifier};
    auto inclusion = VerifyLogInclusion(*parsed, log_keys);
    EXPECT_THAT(inclusion, IsOk());
    if (!inclusion.ok()) return 0;
    tlog::LogClientOptions options;
    options.verifier_keys = {keys.verifier_key};
    auto client = tlog::LogClient::Open(*Env::Default(), log, options);
    EXPECT_THAT(client, IsOk());
    if (!client.ok()) return 0;
    auto entry = (*client)->ReadEntry(inclusion->index);
    EXPECT_THAT(entry, IsOk());
    EXPECT_EQ(*entry, ReleaseEntryAt(*PrepareRelease(bundle),
                                     inclusion->integrated_time));
    return inclusion->index;
  }

  TempDir temp;
  tlog::NoteKeyPair keys;
  std::string dir;
  std::unique_ptr<tlog::LogWriter> writer;
  std::string bundle;
};

TEST(ReleaseLogTest, EntryAtATimeIsTheEntryMadeAtThatTime) {
  BatcherFixture f;
  auto release = PrepareRelease(f.bundle);
  ASSERT_THAT(release, IsOk());
  for (std::uint64_t time :
       {0ull, 1ull, 1700000000ull, 18446744073709551615ull}) {
    auto made = MakeReleaseEntry(release->bundle, time);
    ASSERT_THAT(made, IsOk());
    EXPECT_EQ(ReleaseEntryAt(*release, time), *made) << time;
  }
  EXPECT_THAT(PrepareRelease("{}").status(), ::testing::Not(IsOk()));
}

// `log add`'s two steps: one append for the batch (none if any bundle is
// malformed, named by its file), then each bundle attached on its own, in
// any order, proving its own entry.
TEST(ReleaseLogTest, AppendedBundlesAttachEachInAnyOrder) {
  BatcherFixture f;
  auto refused = AppendBundlesToLog(*f.writer, {f.bundle, "{}"}, 1700000000,
                                    {"a.sig", "b.sig"});
  EXPECT_THAT(refused.status(), ::testing::Not(IsOk()));
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("b.sig"));
  EXPECT_EQ(f.writer->size(), 0u);

  auto appended =
      AppendBundlesToLog(*f.writer, {f.bundle, f.bundle, f.bundle}, 1700000000);
  ASSERT_THAT(appended, IsOk());
  ASSERT_EQ(appended->size(), 3u);
  EXPECT_EQ(f.writer->size(), 3u);
  std::set<std::uint64_t> indices;
  for (std::size_t i : {2u, 0u, 1u}) {
    auto attached = appended->Attach(i);
    ASSERT_THAT(attached, IsOk());
    indices.insert(f.CheckAnswer(*attached));
  }
  EXPECT_EQ(indices, (std::set<std::uint64_t>{0, 1, 2}));
  EXPECT_THAT(appended->Attach(3).status(),
              StatusIs(absl::StatusCode::kOutOfRange, ::testing::_));
}

// The tlogEntries item is written without protobuf's JSON printer; it must
// be exactly what that printer makes of the same TransparencyLogEntry, so
// that verifiers reading it as the Sigstore message see no difference.
TEST(ReleaseLogTest, LogEntryItemIsWhatTheProtobufPrinterWrites) {
  BatcherFixture f;
  auto release = PrepareRelease(f.bundle);
  ASSERT_THAT(release, IsOk());
  LogPosition position;
  position.origin = kOrigin;
  position.checkpoint_note =
      "example.com/batcher-test\n7\nq83vEjRWeJA=\n\n\xe2\x80\x94 k a+/b=\n";
  for (std::uint64_t size : {1ull, 7ull, 9000000000ull}) {
    position.tree_size = size;
    position.index = size - 1;
    position.integrated_time = 1700000000 + size;
    position.root = tlog::HashLeaf(absl::StrCat("root ", size));
    position.proof.clear();
    for (std::uint64_t i = 0; i < size % 5; ++i) {
      position.proof.push_back(tlog::HashLeaf(absl::StrCat("sibling ", i)));
    }
    const std::string entry = ReleaseEntryAt(*release, size);
    auto attached = AttachLogEntry(release->bundle, entry, position);
    ASSERT_THAT(attached, IsOk());
    auto parsed = ParseBundle(*attached);
    ASSERT_THAT(parsed, IsOk());
    ASSERT_EQ(parsed->tlog_entries_json.size(), 1u);

    v1::TransparencyLogEntry item;
    item.set_log_index(static_cast<std::int64_t>(position.index));
    const std::vector<std::uint8_t> log_id =
        HashBytes(HashAlgorithm::kSha256, position.origin);
    item.mutable_log_id()->set_key_id(
        std::string(log_id.begin(), log_id.end()));
    item.mutable_kind_version()->set_kind(std::string(kTlogEntryKind));
    item.mutable_kind_version()->set_version("1");
    item.set_integrated_time(
        static_cast<std::int64_t>(position.integrated_time));
    v1::InclusionProof* proof = item.mutable_inclusion_proof();
    proof->set_log_index(static_cast<std::int64_t>(position.index));
    proof->set_root_hash(std::string(tlog::HashBytes(position.root)));
    proof->set_tree_size(static_cast<std::int64_t>(position.tree_size));
    for (const tlog::Hash& hash : position.proof) {
      proof->add_hashes(std::string(tlog::HashBytes(hash)));
    }
    proof->mutable_checkpoint()->set_envelope(position.checkpoint_note);
    item.set_canonicalized_body(entry);
    std::string expected;
    google::protobuf::util::JsonPrintOptions print;
    print.always_print_primitive_fields = true;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(item, &expected, print)
            .ok());
    EXPECT_THAT(*attached,
                ::testing::HasSubstr("\"tlogEntries\":[" + expected + "]"))
        << size;
    EXPECT_EQ(parsed->tlog_entries_json[0], expected) << size;
  }
}

TEST(ReleaseBatcherTest, ConcurrentAdditionsShareAppendsAndAllProveTheirEntry) {
  BatcherFixture f;
  constexpr int kAdders = 16;
  std::vector<absl::StatusOr<std::string>> answers(kAdders);
  {
    BatcherOptions options;
    options.window_ms = 200;
    options.max_pending = kAdders;
    ReleaseBatcher batcher(*f.writer, options);
    std::vector<std::thread> adders;
    for (int i = 0; i < kAdders; ++i) {
      adders.emplace_back([&, i] { answers[i] = batcher.Add(f.bundle); });
    }
    for (std::thread& adder : adders) adder.join();
    const ReleaseBatcher::Stats stats = batcher.stats();
    EXPECT_EQ(stats.entries, static_cast<std::uint64_t>(kAdders));
    EXPECT_LT(stats.batches, static_cast<std::uint64_t>(kAdders))
        << "no two concurrent additions shared an append";
    EXPECT_GT(stats.largest_batch, 1u);
    EXPECT_EQ(stats.refused, 0u);
    EXPECT_EQ(stats.waiting, 0u);
  }
  EXPECT_EQ(f.writer->size(), static_cast<std::uint64_t>(kAdders));
  std::set<std::uint64_t> indices;
  for (const auto& answer : answers) {
    ASSERT_THAT(answer, IsOk());
    indices.insert(f.CheckAnswer(*answer));
  }
  EXPECT_EQ(indices.size(), static_cast<std::size_t>(kAdders));
  EXPECT_EQ(*indices.rbegin(), static_cast<std::uint64_t>(kAdders - 1));
}

TEST(ReleaseBatcherTest, FullQueueRefusesAtOnceWithUnavailable) {
  BatcherFixture f;
  BatcherOptions options;
  options.window_ms = 1000;  // the first addition waits here, alone
  options.max_pending = 1;
  ReleaseBatcher batcher(*f.writer, options);
  absl::StatusOr<std::string> first;
  std::thread adder([&] { first = batcher.Add(f.bundle); });
  while (batcher.stats().waiting == 0 && batcher.stats().entries == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(batcher.stats().entries, 0u) << "the window closed too soon";
  EXPECT_THAT(batcher.Add(f.bundle).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("retry later")));
  EXPECT_EQ(batcher.stats().refused, 1u);
  adder.join();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(f.CheckAnswer(*first), 0u);
  // With the queue free again, the next addition is taken.
  auto second = batcher.Add(f.bundle);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(f.CheckAnswer(*second), 1u);
}

TEST(ReleaseBatcherTest, MalformedBundlesNeverReachTheLog) {
  BatcherFixture f;
  ReleaseBatcher batcher(*f.writer, BatcherOptions());
  EXPECT_THAT(batcher.Add("not a bundle").status(), ::testing::Not(IsOk()));
  std::string no_statement = f.bundle;
  const std::size_t payload = no_statement.find("\"payload\":\"");
  ASSERT_NE(payload, std::string::npos);
  no_statement.insert(payload + 11, "AAAA");
  EXPECT_THAT(batcher.Add(no_statement).status(), ::testing::Not(IsOk()));
  EXPECT_EQ(batcher.stats().entries, 0u);
  EXPECT_EQ(batcher.stats().batches, 0u);
  EXPECT_EQ(f.writer->size(), 0u);
}

TEST(ReleaseBatcherTest, AddAsyncAnswersOnceWithTheLoggedBundle) {
  BatcherFixture f;
  constexpr int kAdders = 12;
  std::mutex mu;
  std::condition_variable all_done;
  std::vector<absl::StatusOr<std::string>> answers;
  {
    BatcherOptions options;
    options.window_ms = 100;
    ReleaseBatcher batcher(*f.writer, options);
    for (int i = 0; i < kAdders; ++i) {
      ASSERT_THAT(batcher.AddAsync(f.bundle,
                                   [&](absl::StatusOr<std::string> answer) {
                                     std::lock_guard<std::mutex> lock(mu);
                                     answers.push_back(std::move(answer));
                                     all_done.notify_all();
                                   }),
                  IsOk());
    }
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(30), [&] {
      return answers.size() == static_cast<std::size_t>(kAdders);
    }));
    EXPECT_LT(batcher.stats().batches, static_cast<std::uint64_t>(kAdders));
  }
  // Each callback ran once: no answer came twice, none is missing.
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(kAdders));
  std::set<std::uint64_t> indices;
  for (const auto& answer : answers) {
    ASSERT_THAT(answer, IsOk());
    indices.insert(f.CheckAnswer(*answer));
  }
  EXPECT_EQ(indices.size(), static_cast<std::size_t>(kAdders));
}

TEST(ReleaseBatcherTest, AddAsyncRefusesAtOnceWithoutCallingBack) {
  BatcherFixture f;
  BatcherOptions options;
  options.window_ms = 1000;
  options.max_pending = 1;
  ReleaseBatcher batcher(*f.writer, options);
  std::atomic<int> calls{0};
  auto count = [&](absl::StatusOr<std::string>) { calls.fetch_add(1); };
  // Malformed: refused now, never queued.
  EXPECT_THAT(batcher.AddAsync("not a bundle", count), ::testing::Not(IsOk()));
  EXPECT_THAT(batcher.AddAsync(f.bundle, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ASSERT_THAT(batcher.AddAsync(f.bundle, count), IsOk());
  // The queue holds one: the next is refused at once.
  EXPECT_THAT(batcher.AddAsync(f.bundle, count),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("retry later")));
  // Close() logs the queued one, answers it, then refuses everything.
  batcher.Close();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(f.writer->size(), 1u);
  EXPECT_THAT(batcher.AddAsync(f.bundle, count),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("shutting down")));
  EXPECT_THAT(batcher.Add(f.bundle).status(),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  batcher.Close();  // idempotent
  EXPECT_EQ(calls.load(), 1);
}

// A LogServer on a free loopback port, serving on its own thread.
struct RunningServer {
  RunningServer(BatcherFixture& f, BatcherOptions batcher) {
    LogServerOptions options;
    options.port = 0;
    options.batcher = batcher;
    auto created =
        LogServer::Create(*Env::Default(), f.dir, *f.writer, options);
    EXPECT_THAT(created, IsOk());
    if (!created.ok()) return;
    server = *std::move(created);
    thread = std::thread([this] { (void)server->Run(); });
  }
  ~RunningServer() {
    if (server == nullptr) return;
    server->Stop();
    thread.join();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", server->port());
  }
  std::unique_ptr<LogServer> server;
  std::thread thread;
};

TEST(SubmitToLogServerTest, ReturnsTheLoggedBundleThatProvesItsEntry) {
  BatcherFixture f;
  RunningServer running(f, BatcherOptions());
  ASSERT_NE(running.server, nullptr);
  auto logged = SubmitToLogServer(running.url(), f.bundle);
  ASSERT_THAT(logged, IsOk());
  EXPECT_EQ(f.CheckAnswer(*logged), 0u);
  // A trailing slash names the same log.
  auto again = SubmitToLogServer(running.url() + "/", f.bundle);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(f.CheckAnswer(*again), 1u);
}

// A journaled writer replaces its checkpoint file only at a flush: the
// server's /checkpoint is the newest at once, and proves every answer.
TEST(SubmitToLogServerTest, AJournaledLogServesItsNewestCheckpointAtOnce) {
  BatcherFixture f(/*journal=*/true);
  RunningServer running(f, BatcherOptions());
  ASSERT_NE(running.server, nullptr);
  for (std::uint64_t expected = 0; expected < 3; ++expected) {
    auto logged = SubmitToLogServer(running.url(), f.bundle);
    ASSERT_THAT(logged, IsOk());
    EXPECT_EQ(f.CheckAnswer(*logged, running.url()), expected);
  }
  auto served = tlog::LogClient::Open(*Env::Default(), running.url(), [&] {
    tlog::LogClientOptions options;
    options.verifier_keys = {f.keys.verifier_key};
    return options;
  }());
  ASSERT_THAT(served, IsOk());
  EXPECT_EQ((*served)->checkpoint().size, 3u);
  EXPECT_EQ(running.server->batcher().published_checkpoint(),
            f.writer->CheckpointText().value_or("none"));
}

TEST(SubmitToLogServerTest, ARefusedBundleIsAFailedPreconditionWithTheReason) {
  BatcherFixture f;
  RunningServer running(f, BatcherOptions());
  ASSERT_NE(running.server, nullptr);
  EXPECT_THAT(SubmitToLogServer(running.url(), "not a bundle").status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("refused the bundle (HTTP 400")));
  EXPECT_EQ(f.writer->size(), 0u);
}

TEST(SubmitToLogServerTest, AFullQueueIsUnavailableWithRetryAfter) {
  BatcherFixture f;
  BatcherOptions batcher;
  batcher.window_ms = 1000;
  batcher.max_pending = 1;
  RunningServer running(f, batcher);
  ASSERT_NE(running.server, nullptr);
  absl::StatusOr<std::string> first;
  std::thread holder(
      [&] { first = SubmitToLogServer(running.url(), f.bundle); });
  while (running.server->batcher().stats().waiting == 0 &&
         running.server->batcher().stats().entries == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(running.server->batcher().stats().entries, 0u)
      << "the window closed too soon";
  EXPECT_THAT(SubmitToLogServer(running.url(), f.bundle).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr(
                           "busy (HTTP 503, retry after 1 s): the log already "
                           "has 1 additions waiting; retry later")));
  holder.join();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(f.CheckAnswer(*first), 0u);
}

// A TCP connection to 127.0.0.1:port; -1 if it cannot be made.
int ConnectToLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A client that hangs up while its addition waits for the batch: the entry
// is still logged, and the server goes on answering others.
TEST(LogServerTest, AClientHangingUpWhileItsAddWaitsHurtsNothing) {
  BatcherFixture f;
  BatcherOptions batcher;
  batcher.window_ms = 300;
  RunningServer running(f, batcher);
  ASSERT_NE(running.server, nullptr);
  const int fd = ConnectToLoopback(running.server->port());
  ASSERT_GE(fd, 0);
  const std::string request = absl::StrCat(
      "POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: ", f.bundle.size(),
      "\r\n\r\n", f.bundle);
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  while (running.server->batcher().stats().waiting == 0 &&
         running.server->batcher().stats().entries == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(fd);
  auto logged = SubmitToLogServer(running.url(), f.bundle);
  ASSERT_THAT(logged, IsOk());
  // (The batcher updates its counters after answering: its published size
  // is what the answer vouches for.)
  EXPECT_EQ(running.server->batcher().published_size(), 2u);
}

// A body larger than any bundle is refused with 413 as soon as it is
// announced, before it is sent; nothing reaches the log.
TEST(LogServerTest, AnOversizedBodyIsRefusedWith413BeforeItIsSent) {
  BatcherFixture f;
  RunningServer running(f, BatcherOptions());
  ASSERT_NE(running.server, nullptr);
  const int fd = ConnectToLoopback(running.server->port());
  ASSERT_GE(fd, 0);
  const std::string request =
      absl::StrCat("POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: ",
                   limits::kMaxBundleBytes + 1, "\r\n\r\n");
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  std::string answer;
  char chunk[4096];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof(chunk), 0)) > 0;) {
    answer.append(chunk, static_cast<std::size_t>(n));
    if (answer.find("too large") != std::string::npos) break;
  }
  ::close(fd);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(answer, ::testing::HasSubstr("the bundle is too large"));
  EXPECT_EQ(running.server->batcher().published_size(), 0u);
}

// Stop() while an addition waits: Run() returns, and the addition was
// logged (durable) whether or not its answer got out.
TEST(LogServerTest, StopLogsTheAdditionsThatWait) {
  BatcherFixture f;
  BatcherOptions batcher;
  batcher.window_ms = 1000;
  LogServerOptions options;
  options.port = 0;
  options.batcher = batcher;
  auto server = LogServer::Create(*Env::Default(), f.dir, *f.writer, options);
  ASSERT_THAT(server, IsOk());
  std::thread serving([&] { EXPECT_THAT((*server)->Run(), IsOk()); });
  const std::string url = absl::StrCat("http://127.0.0.1:", (*server)->port());
  absl::StatusOr<std::string> answer;
  std::thread adder([&] { answer = SubmitToLogServer(url, f.bundle); });
  while ((*server)->batcher().stats().waiting == 0 &&
         (*server)->batcher().stats().entries == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  (*server)->Stop();
  serving.join();
  adder.join();
  EXPECT_EQ(f.writer->size(), 1u);
  if (answer.ok()) {
    EXPECT_EQ(f.CheckAnswer(*answer), 0u);
  }
  // Stopped, the server refuses nothing silently: it is gone.
  EXPECT_THAT(SubmitToLogServer(url, f.bundle).status(),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

TEST(SubmitToLogServerTest, BadUrlsAndUnreachableServersAreClearErrors) {
  for (const char* url : {"ftp://127.0.0.1/", "127.0.0.1:8080", "",
                          "http://127.0.0.1:1/?q", "http://127.0.0.1:1/#f"}) {
    EXPECT_THAT(SubmitToLogServer(url, "{}").status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::HasSubstr("is not http(s)://")))
        << url;
  }
  // Nothing listens on port 1 of the loopback address.
  EXPECT_THAT(SubmitToLogServer("http://127.0.0.1:1", "{}").status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::HasSubstr("cannot reach the log at "
                                            "http://127.0.0.1:1")));
}

}  // namespace
}  // namespace modelseal
