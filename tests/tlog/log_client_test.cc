// The log client, from a directory and over HTTP (a real nginx serving the
// tiles directory): refusals first (wrong key, wrong origin, corrupt tiles,
// forks, rollbacks), then proofs and audits that must agree with the writer.
#include "modelseal/log_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/limits.h"
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

constexpr char kOrigin[] = "example.com/modelseal-client-log";

std::string EntryText(std::uint64_t index) {
  return absl::StrCat("release-", index);
}

// A log with `sizes` batches appended, remembering each checkpoint note.
struct TestLog {
  explicit TestLog(const std::vector<std::size_t>& batches,
                   const std::string& name = "log") {
    auto generated = GenerateNoteKey(kOrigin);
    EXPECT_THAT(generated, IsOk());
    keys = *std::move(generated);
    dir = temp.Join(name);
    EXPECT_THAT(
        CreateLog(*Env::Default(), dir, kOrigin, keys.signer_key.value()),
        IsOk());
    notes.push_back(testing::ReadTextFile(dir + "/checkpoint"));
    Append(batches);
  }
  void Append(const std::vector<std::size_t>& batches) {
    auto writer =
        LogWriter::Open(*Env::Default(), dir, keys.signer_key.value());
    ASSERT_THAT(writer, IsOk());
    for (std::size_t batch : batches) {
      std::vector<std::string> entries;
      for (std::size_t i = 0; i < batch; ++i) {
        entries.push_back(EntryText((*writer)->size() + i));
      }
      ASSERT_THAT((*writer)->Append(entries), IsOk());
      notes.push_back(*(*writer)->CheckpointText());
    }
  }
  LogClientOptions Options() const {
    LogClientOptions options;
    options.verifier_keys = {keys.verifier_key};
    options.origin = kOrigin;
    return options;
  }
  std::string Path(const std::string& relative) const {
    return dir + "/" + relative;
  }

  TempDir temp;
  NoteKeyPair keys;
  std::string dir;
  std::vector<std::string> notes;
};

void Overwrite(const std::string& path, const std::string& contents) {
  ASSERT_THAT(Env::Default()->WriteFileAtomically(path, contents, 0644, true),
              IsOk());
}

// --- Refusals ------------------------------------------------------------

TEST(LogClientTest, RefusesACheckpointSignedByAnotherKey) {
  TestLog log({10});
  LogClientOptions options = log.Options();
  auto stranger = GenerateNoteKey(kOrigin);
  ASSERT_THAT(stranger, IsOk());
  options.verifier_keys = {stranger->verifier_key};
  EXPECT_THAT(LogClient::Open(*Env::Default(), log.dir, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("checkpoint rejected")));
}

TEST(LogClientTest, RefusesTheWrongOriginAndBadOptions) {
  TestLog log({10});
  LogClientOptions options = log.Options();
  options.origin = "example.com/another-log";
  EXPECT_THAT(LogClient::Open(*Env::Default(), log.dir, options),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("example.com/another-log")));
  options = log.Options();
  options.verifier_keys.clear();
  EXPECT_THAT(LogClient::Open(*Env::Default(), log.dir, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(
      LogClient::Open(*Env::Default(), "ftp://example.com/log", log.Options()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(
      LogClient::Open(*Env::Default(), log.temp.Join("missing"), log.Options()),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
}

TEST(LogClientTest, AuditRejectsATruncatedTile) {
  TestLog log({700});
  const std::string tile = log.Path("tile/0/001");
  Overwrite(tile, testing::ReadTextFile(tile).substr(0, 8000));
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Audit(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("tile/0/001: tile is 8000 bytes, want 8192")));
}

TEST(LogClientTest, AuditRejectsATileThatDisagreesWithTheEntries) {
  TestLog log({700});
  const std::string tile = log.Path("tile/0/001");
  std::string bytes = testing::ReadTextFile(tile);
  bytes[32 * 5] ^= 1;
  Overwrite(tile, bytes);
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT(
      (*client)->Audit(),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("tile/0/001 disagrees with the entries at hash 5")));
  // A proof through the bad tile no longer verifies either.
  EXPECT_THAT((*client)->VerifyEntryInclusion(EntryText(300), 300),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST(LogClientTest, AuditRejectsAnEntryThatChanged) {
  TestLog log({300});
  const std::string bundle = log.Path("tile/entries/000");
  std::string bytes = testing::ReadTextFile(bundle);
  bytes[3] ^= 1;  // first byte of "release-0"
  Overwrite(bundle, bytes);
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Audit(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("tile/0/000 disagrees with the entries")));
  EXPECT_THAT((*client)->ReadEntry(0),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

TEST(LogClientTest, AuditRejectsAnOlderCheckpointFromAnotherKey) {
  TestLog log({50, 50});
  TestLog stranger({50});
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Audit(stranger.notes[1]),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("older checkpoint rejected")));
  EXPECT_THAT((*client)->VerifyConsistencyWith(stranger.notes[1]),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

// Two logs with the same key and origin whose entries differ: each one's
// checkpoints are valid signatures, and together they are a fork.
TEST(LogClientTest, AuditRejectsAForkedCheckpoint) {
  TestLog log({100, 100});
  // Same key, same size, different entries.
  TempDir other;
  const std::string fork_dir = other.Join("fork");
  ASSERT_THAT(CreateLog(*Env::Default(), fork_dir, kOrigin,
                        log.keys.signer_key.value()),
              IsOk());
  auto forker =
      LogWriter::Open(*Env::Default(), fork_dir, log.keys.signer_key.value());
  ASSERT_THAT(forker, IsOk());
  std::vector<std::string> entries(100, "forged");
  ASSERT_THAT((*forker)->Append(entries), IsOk());
  const std::string fork_note = *(*forker)->CheckpointText();

  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT(
      (*client)->Audit(fork_note),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("are a fork")));
  EXPECT_THAT(
      (*client)->VerifyConsistencyWith(fork_note),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("forked")));
  // The genuine older checkpoint passes.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(AuditReport report,
                                 (*client)->Audit(log.notes[1]));
  EXPECT_EQ(report.entries_checked, 200u);
}

TEST(LogClientTest, LastSeenStoreRefusesRollbackAndFork) {
  TestLog log({100});
  TempDir state;
  LogClientOptions options = log.Options();
  options.state_dir = state.Join("seen");
  const std::string early = log.notes[1];
  log.Append({100});
  // First contact at size 200 is remembered.
  ASSERT_THAT(LogClient::Open(*Env::Default(), log.dir, options), IsOk());
  EXPECT_EQ(std::filesystem::directory_iterator(options.state_dir)
                ->path()
                .extension(),
            ".checkpoint");
  // The log now serves its older checkpoint: refused as a rollback.
  const std::string current = testing::ReadTextFile(log.Path("checkpoint"));
  Overwrite(log.Path("checkpoint"), early);
  EXPECT_THAT(LogClient::Open(*Env::Default(), log.dir, options),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("went backwards")));
  Overwrite(log.Path("checkpoint"), current);

  // A forked log (same key and origin, other entries) grows past what the
  // client saw: consistency with the remembered checkpoint fails.
  TempDir other;
  const std::string fork_dir = other.Join("fork");
  ASSERT_THAT(CreateLog(*Env::Default(), fork_dir, kOrigin,
                        log.keys.signer_key.value()),
              IsOk());
  {
    auto forker =
        LogWriter::Open(*Env::Default(), fork_dir, log.keys.signer_key.value());
    ASSERT_THAT(forker, IsOk());
    ASSERT_THAT((*forker)->Append(std::vector<std::string>(300, "other")),
                IsOk());
  }
  EXPECT_THAT(
      LogClient::Open(*Env::Default(), fork_dir, options),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("forked")));
  // The genuine log keeps working, and growing it advances the store.
  log.Append({56});
  auto client = LogClient::Open(*Env::Default(), log.dir, options);
  ASSERT_THAT(client, IsOk());
  EXPECT_EQ((*client)->checkpoint().size, 256u);
  Overwrite(log.Path("checkpoint"), current);
  EXPECT_THAT(LogClient::Open(*Env::Default(), log.dir, options),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("")));
}

// --- Verification that must succeed ---------------------------------------

// Checks everything a client can check, for the log written by TestLog with
// batches {1, 255, 256, 257, 300}.
void CheckClientAgreesWithTheLog(LogClient& client, const TestLog& log) {
  testing::ReferenceTree reference;
  for (std::uint64_t i = 0; i < 1069; ++i) reference.AppendEntry(EntryText(i));
  const Checkpoint& head = client.checkpoint();
  ASSERT_EQ(head.size, 1069u);
  EXPECT_EQ(head.root, reference.Root(1069));
  EXPECT_EQ(client.checkpoint_note(), log.notes.back());
  for (std::uint64_t index : {0u, 1u, 255u, 256u, 511u, 512u, 768u, 1068u}) {
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                   client.InclusionProof(index, head.size));
    EXPECT_EQ(proof, reference.InclusionProof(index, head.size));
    EXPECT_THAT(client.VerifyEntryInclusion(EntryText(index), index), IsOk());
    MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, client.ReadEntry(index));
    EXPECT_EQ(entry, EntryText(index));
  }
  EXPECT_THAT(client.VerifyEntryInclusion("not in the log", 5),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  for (const std::string& note : log.notes) {
    EXPECT_THAT(client.VerifyConsistencyWith(note), IsOk());
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                                 client.ConsistencyProof(256, 1069));
  EXPECT_EQ(proof, reference.ConsistencyProof(256, 1069));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(AuditReport report,
                                 client.Audit(log.notes[2]));
  EXPECT_EQ(report.tree_size, 1069u);
  EXPECT_EQ(report.entries_checked, 1069u);
  // Full level-0 tiles 0..3, the partial one, and the partial level-1 tile.
  EXPECT_EQ(report.tiles_checked, 6u);
  EXPECT_THAT(client.InclusionProof(0, 1070),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

const std::vector<std::size_t> kBatches = {1, 255, 256, 257, 300};

TEST(LogClientTest, VerifiesFromADirectory) {
  TestLog log(kBatches);
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  CheckClientAgreesWithTheLog(**client, log);
}

TEST(LogClientTest, AuditReportsProgressOverEveryEntry) {
  TestLog log({700});
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> total{0};
  LogClientOptions options = log.Options();
  options.entries_done = &done;
  options.entries_total = &total;
  auto client = LogClient::Open(*Env::Default(), log.dir, options);
  ASSERT_THAT(client, IsOk());
  absl::StatusOr<AuditReport> report = (*client)->Audit();
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->entries_checked, 700u);
  EXPECT_EQ(total.load(), 700u);
  EXPECT_EQ(done.load(), 700u);
}

TEST(LogClientTest, FallsBackToTheFullTileWhenAPartialOneIsGone) {
  TestLog log({100});
  auto client = LogClient::Open(*Env::Default(), log.dir, log.Options());
  ASSERT_THAT(client, IsOk());
  // The log grows past the client's checkpoint and deletes tile/0/000.p/100.
  log.Append({200});
  ASSERT_FALSE(std::filesystem::exists(log.Path("tile/0/000.p/100")));
  ASSERT_EQ((*client)->checkpoint().size, 100u);
  EXPECT_THAT((*client)->VerifyEntryInclusion(EntryText(42), 42), IsOk());
  MODELSEAL_ASSERT_OK_AND_ASSIGN(std::string entry, (*client)->ReadEntry(99));
  EXPECT_EQ(entry, EntryText(99));
  // Update() moves to the new checkpoint after checking consistency.
  MODELSEAL_ASSERT_OK_AND_ASSIGN(Checkpoint head, (*client)->Update());
  EXPECT_EQ(head.size, 300u);
}

// --- Over HTTP through nginx ---------------------------------------------

std::string FindNginx() {
  for (const char* candidate :
       {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx",
        "/usr/local/bin/nginx"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "", ':')) {
    const std::string candidate = absl::StrCat(dir, "/nginx");
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address),
                            sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// nginx on 127.0.0.1 serving one directory, with every file it writes inside
// a temporary directory; stopped (and waited for) on destruction.
class Nginx {
 public:
  // `extra` is added inside the server block (more locations).
  Nginx(const std::string& binary, const std::string& root,
        const std::string& extra = "") {
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
      port_ = FreePort();
      const std::string conf = temp_.Write(
          "nginx.conf",
          absl::StrCat(::geteuid() == 0 ? "user root;\n" : "",
                       "worker_processes 1;\n", "pid ", temp_.Join("nginx.pid"),
                       ";\n", "error_log ", temp_.Join("error.log"), ";\n",
                       "events { worker_connections 64; }\n", "http {\n",
                       "  access_log ", temp_.Join("access.log"), ";\n",
                       "  client_body_temp_path ", temp_.Join("body"), ";\n",
                       "  proxy_temp_path ", temp_.Join("proxy"), ";\n",
                       "  fastcgi_temp_path ", temp_.Join("fastcgi"), ";\n",
                       "  uwsgi_temp_path ", temp_.Join("uwsgi"), ";\n",
                       "  scgi_temp_path ", temp_.Join("scgi"), ";\n",
                       "  default_type application/octet-stream;\n",
                       "  server {\n    listen 127.0.0.1:", port_,
                       ";\n    root ", root, ";\n    location / { }\n", extra,
                       "  }\n}\n"));
      const std::string prefix = temp_.path() + "/";
      const std::string error_log = temp_.Join("error.log");
      const std::string output = temp_.Join("nginx.out");
      pid_ = ::fork();
      if (pid_ == 0) {
        const int fd =
            ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
          ::dup2(fd, STDOUT_FILENO);
          ::dup2(fd, STDERR_FILENO);
        }
        ::execl(binary.c_str(), binary.c_str(), "-p", prefix.c_str(), "-e",
                error_log.c_str(), "-c", conf.c_str(), "-g", "daemon off;",
                static_cast<char*>(nullptr));
        ::_exit(127);
      }
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (std::chrono::steady_clock::now() < deadline && !Accepts(port_)) {
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken?
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (pid_ > 0 && !Accepts(port_)) Stop();
    }
  }
  ~Nginx() { Stop(); }

  bool running() const { return pid_ > 0; }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  std::string Diagnostics() const {
    return testing::ReadTextFile(temp_.Join("nginx.out")) +
           testing::ReadTextFile(temp_.Join("error.log"));
  }

 private:
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status;
    for (int i = 0; i < 250; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  TempDir temp_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(LogClientHttpTest, VerifiesOverHttpExactlyAsFromTheDirectory) {
  const std::string nginx = FindNginx();
  ASSERT_FALSE(nginx.empty())
      << "nginx is not installed; scripts/install-deps.sh installs it "
         "(Debian package nginx)";
  TestLog log(kBatches);
  // Extra resources: a redirect within the server, one to another host, and
  // a checkpoint larger than any note may be.
  const std::string big = log.temp.Write(
      "big/checkpoint", std::string(limits::kMaxSignedNoteBytes + 1, 'a'));
  Nginx server(
      nginx, log.dir,
      absl::StrCat(
          "    location = /moved/checkpoint { return 301 /checkpoint; }\n",
          "    location = /elsewhere/checkpoint {\n"
          "      return 302 http://localhost:1/checkpoint;\n    }\n",
          "    location /big/ { alias ", log.temp.Join("big/"), "; }\n"));
  ASSERT_TRUE(server.running()) << server.Diagnostics();

  TempDir state;
  LogClientOptions options = log.Options();
  options.state_dir = state.path();
  auto client = LogClient::Open(*Env::Default(), server.url() + "/", options);
  ASSERT_THAT(client, IsOk()) << server.Diagnostics();
  CheckClientAgreesWithTheLog(**client, log);

  // Without the trailing slash too, and the remembered checkpoint holds.
  auto again = LogClient::Open(*Env::Default(), server.url(), options);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->checkpoint_note(), log.notes.back());

  // Problems look the same over HTTP: a wrong key, a corrupt tile.
  LogClientOptions stranger = log.Options();
  auto other = GenerateNoteKey(kOrigin);
  ASSERT_THAT(other, IsOk());
  stranger.verifier_keys = {other->verifier_key};
  EXPECT_THAT(LogClient::Open(*Env::Default(), server.url(), stranger),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
  const std::string tile = log.Path("tile/0/002");
  Overwrite(tile, testing::ReadTextFile(tile).substr(0, 100));
  auto fresh = LogClient::Open(*Env::Default(), server.url(), log.Options());
  ASSERT_THAT(fresh, IsOk());
  EXPECT_THAT((*fresh)->Audit(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("tile/0/002: tile is 100 bytes")));
  EXPECT_THAT((*fresh)->ReadEntry(600),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("")));
  // Redirects are followed only to the same scheme, host and port; response
  // sizes are bounded.
  auto moved =
      LogClient::Open(*Env::Default(), server.url() + "/moved/", log.Options());
  ASSERT_THAT(moved, IsOk());
  EXPECT_EQ((*moved)->checkpoint().size, 1069u);
  EXPECT_THAT(LogClient::Open(*Env::Default(), server.url() + "/elsewhere/",
                              log.Options()),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("redirect to another host")));
  EXPECT_THAT(
      LogClient::Open(*Env::Default(), server.url() + "/big/", log.Options()),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("larger than")));
  // A resource the server does not have.
  EXPECT_THAT(LogClient::Open(*Env::Default(), server.url() + "/nothing/",
                              log.Options()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("HTTP 404")));
}

}  // namespace
}  // namespace modelseal::tlog
