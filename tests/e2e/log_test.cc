// End-to-end: the transparency log through the real binary — init, add,
// prove, audit, serve (with concurrent adds batched), sign --log and
// verify --log-key, and the ways a log record can be wrong.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"

namespace modelseal {
namespace {

using ::testing::HasSubstr;

class LogWorkspace {
 public:
  LogWorkspace() {
    EXPECT_EQ(
        RunShell("cp -r " + Quote(kExample) + " " + Quote(dir_.Join("model")))
            .exit_code,
        0);
    EXPECT_EQ(
        Modelseal("keygen --out " + Quote(dir_.Join("publisher"))).exit_code,
        0);
    const Result init =
        Modelseal("log init " + Quote(log()) + " --origin example.com/models");
    EXPECT_EQ(init.exit_code, 0) << init.err;
    vkey_ = std::string(absl::StripTrailingAsciiWhitespace(init.out));
  }
  std::string Path(const std::string& relative) const {
    return dir_.Join(relative);
  }
  std::string log() const { return dir_.Join("log"); }
  const std::string& vkey() const { return vkey_; }
  const TempDir& dir() const { return dir_; }

  Result Sign(const std::string& out, const std::string& extra = "") const {
    return Modelseal("sign " + Quote(Path("model")) + " --key " +
                     Quote(Path("publisher.key")) + " -o " + Quote(Path(out)) +
                     " -q " + extra);
  }
  Result Verify(const std::string& bundle,
                const std::string& extra = "") const {
    return Modelseal("verify " + Quote(Path("model")) + " -s " +
                     Quote(Path(bundle)) + " --key " +
                     Quote(Path("publisher.pub")) + " --log-key " +
                     Quote(vkey_) + " " + extra);
  }

 private:
  TempDir dir_;
  std::string vkey_;
};

TEST(CliLogTest, InitKeepsTheSignerKeyPrivateAndOutsideTheLog) {
  LogWorkspace ws;
  struct stat st;
  ASSERT_EQ(::stat((ws.log() + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(ws.log() + "/log.key"));
  EXPECT_THAT(ws.vkey(), ::testing::StartsWith("example.com/models+"));
  EXPECT_EQ(ReadAll(ws.log() + ".vkey"), ws.vkey() + "\n");
  const Result again =
      Modelseal("log init " + Quote(ws.log()) + " --origin example.com/models");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("refusing to overwrite"));
}

TEST(CliLogTest,
     SignedAndLoggedBundlesVerifyOfflineAndStillPassPlainVerification) {
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("a.sig", "--log " + Quote(ws.log())).exit_code, 0);
  ASSERT_EQ(ws.Sign("b.sig").exit_code, 0);
  const Result add =
      Modelseal("log add " + Quote(ws.log()) + " " + Quote(ws.Path("b.sig")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  for (const char* bundle : {"a.sig", "b.sig"}) {
    Result verify = ws.Verify(bundle);
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_THAT(verify.out, HasSubstr("logged in example.com/models"));
    verify = ws.Verify(bundle, "--log-url " + Quote(ws.log()));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    // A plain OMS key verification ignores the log entry.
    verify = Modelseal("verify " + Quote(ws.Path("model")) + " -s " +
                       Quote(ws.Path(bundle)) + " --key " +
                       Quote(ws.Path("publisher.pub")));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  const Result audit = Modelseal("log verify " + Quote(ws.log()) + " --vkey " +
                                 Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("size 2"));
  const Result prove = Modelseal("log prove " + Quote(ws.log()) + " --vkey " +
                                 Quote(ws.vkey()) + " --index 0");
  EXPECT_EQ(prove.exit_code, 0) << prove.err;
  EXPECT_THAT(prove.out, HasSubstr("\"type\":\"inclusion\""));
}

TEST(CliLogTest, VerificationFailsWithoutAValidRecord) {
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("logged.sig", "--log " + Quote(ws.log())).exit_code, 0);
  ASSERT_EQ(ws.Sign("unlogged.sig").exit_code, 0);
  ASSERT_EQ(Modelseal("log init " + Quote(ws.Path("other")) +
                      " --origin other.example")
                .exit_code,
            0);
  const std::string other_vkey = ReadAll(ws.Path("other.vkey"));

  // The record of another bundle grafted onto this one, and a proof whose
  // root was replaced (still 32 bytes, so the bundle parses).
  const Result edited = RunShell(
      "/usr/bin/python3 -c 'import json,sys,base64\n"
      "logged=json.load(open(sys.argv[1])); "
      "unlogged=json.load(open(sys.argv[2]))\n"
      "unlogged[\"verificationMaterial\"][\"tlogEntries\"]=logged["
      "\"verificationMaterial\"][\"tlogEntries\"]\n"
      "json.dump(unlogged,open(sys.argv[3],\"w\"))\n"
      "proof=logged[\"verificationMaterial\"][\"tlogEntries\"][0]["
      "\"inclusionProof\"]\n"
      "proof[\"rootHash\"]=base64.b64encode(bytes(32)).decode()\n"
      "json.dump(logged,open(sys.argv[4],\"w\"))' " +
      Quote(ws.Path("logged.sig")) + " " + Quote(ws.Path("unlogged.sig")) +
      " " + Quote(ws.Path("grafted.sig")) + " " +
      Quote(ws.Path("badroot.sig")));
  ASSERT_EQ(edited.exit_code, 0) << edited.err;

  struct Case {
    std::string bundle;
    std::string extra;
    std::string message;
  } cases[] = {
      {"unlogged.sig", "", "no transparency log entry"},
      {"grafted.sig", "", "another signature"},
      {"badroot.sig", "", "root differs from the checkpoint"},
      {"logged.sig",
       "--log-key " +
           Quote(std::string(absl::StripTrailingAsciiWhitespace(other_vkey))),
       "trusted key"},
  };
  for (const Case& c : cases) {
    std::string args = "verify " + Quote(ws.Path("model")) + " -s " +
                       Quote(ws.Path(c.bundle)) + " --key " +
                       Quote(ws.Path("publisher.pub")) + " ";
    args += c.extra.empty() ? "--log-key " + Quote(ws.vkey()) : c.extra;
    const Result result = Modelseal(args);
    EXPECT_EQ(result.exit_code, 1) << c.bundle << "\n"
                                   << result.out << result.err;
    EXPECT_THAT(result.out + result.err, HasSubstr(c.message)) << c.bundle;
  }
}

TEST(CliLogTest, AuditDetectsATamperedTileAndAForeignCheckpoint) {
  LogWorkspace ws;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(ws.Sign(absl::StrCat("s", i, ".sig"), "--log " + Quote(ws.log()))
                  .exit_code,
              0);
  }
  ASSERT_EQ(
      Modelseal("log verify " + Quote(ws.log()) + " --vkey " + Quote(ws.vkey()))
          .exit_code,
      0);
  // Flip one byte of the first entry bundle.
  const std::string bundle_path = ws.log() + "/tile/entries/000.p/3";
  std::string bytes = ReadAll(bundle_path);
  ASSERT_GT(bytes.size(), 10u);
  bytes[10] ^= 1;
  ws.dir().Write("log/tile/entries/000.p/3", bytes);
  Result audit = Modelseal("log verify " + Quote(ws.log()) + " --vkey " +
                           Quote(ws.vkey()));
  EXPECT_NE(audit.exit_code, 0);
  EXPECT_FALSE(audit.err.empty());
  // A checkpoint signed by another key is not accepted.
  ASSERT_EQ(Modelseal("log init " + Quote(ws.Path("other")) +
                      " --origin example.com/models --log-signer-key " +
                      Quote(ws.Path("other-signer.key")))
                .exit_code,
            0);
  ASSERT_EQ(RunShell("cp " + Quote(ws.Path("other/checkpoint")) + " " +
                     Quote(ws.log() + "/checkpoint"))
                .exit_code,
            0);
  audit = Modelseal("log verify " + Quote(ws.log()) + " --vkey " +
                    Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 1) << audit.err;
}

// Starts `modelseal log serve` on a free loopback port; stops it on scope exit.
class Server {
 public:
  explicit Server(const std::string& log,
                  const std::string& flags = "--batch-ms 200") {
    err_ = dir_.Join("serve.err");
    const std::string command = "CI=true " + kModelseal + " log serve " +
                                Quote(log) + " --listen 127.0.0.1:0 " + flags +
                                " 2>" + Quote(err_) + " & echo $!";
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[32] = {0};
    if (pipe != nullptr &&
        std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
      (void)absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(buffer), &pid_);
    }
    if (pipe != nullptr) ::pclose(pipe);
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const std::string text = ReadAll(err_);
      const std::size_t at = text.find("http://127.0.0.1:");
      if (at != std::string::npos) {
        const std::string rest = text.substr(at + 17);
        (void)absl::SimpleAtoi(
            rest.substr(0, rest.find_first_not_of("0123456789")), &port_);
      }
    }
  }
  ~Server() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int port() const { return port_; }
  std::string log_text() const { return ReadAll(err_); }

 private:
  TempDir dir_;
  std::string err_;
  int pid_ = 0;
  int port_ = 0;
};

TEST(CliLogServeTest, BatchesConcurrentAddsAndServesTilesReadOnly) {
  RequireTool("curl");
  LogWorkspace ws;
  Server server(ws.log());
  ASSERT_GT(server.port(), 0) << server.log_text();
  // Eight signers at once: every bundle must come back logged and verify.
  std::string script;
  for (int i = 0; i < 8; ++i) {
    absl::StrAppend(&script, kModelseal, " sign ", Quote(ws.Path("model")),
                    " --key ", Quote(ws.Path("publisher.key")), " -q -o ",
                    Quote(ws.Path(absl::StrCat("c", i, ".sig"))), " --log ",
                    server.url(), " & ");
  }
  absl::StrAppend(&script, "wait");
  ASSERT_EQ(RunShell("sh -c " + Quote(script)).exit_code, 0);
  for (int i = 0; i < 8; ++i) {
    const Result verify =
        ws.Verify(absl::StrCat("c", i, ".sig"), "--log-url " + server.url());
    EXPECT_EQ(verify.exit_code, 0) << i << verify.out << verify.err;
  }
  const Result audit =
      Modelseal("log verify " + server.url() + " --vkey " + Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("size 8"));
  // Adds that arrive within one batch window share one append, and so one
  // tree size in their records: eight adds must not make eight checkpoints.
  std::string bundles;
  for (int i = 0; i < 8; ++i) {
    absl::StrAppend(&bundles, " ",
                    Quote(ws.Path(absl::StrCat("c", i, ".sig"))));
  }
  const Result sizes = RunShell(
      "/usr/bin/python3 -c 'import json,sys; print(len({json.load(open(f))"
      "[\"verificationMaterial\"][\"tlogEntries\"][0][\"inclusionProof\"]"
      "[\"treeSize\"] for f in sys.argv[1:]}))'" +
      bundles);
  ASSERT_EQ(sizes.exit_code, 0) << sizes.err;
  int distinct = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripTrailingAsciiWhitespace(sizes.out),
                               &distinct))
      << sizes.out;
  EXPECT_LT(distinct, 8) << "no two concurrent adds were batched";
  // Only checkpoint and tiles are served, and only tiles of the published
  // tree: files past it (a batch being written, a crashed batch's leftovers)
  // may be partial or never published.
  ws.dir().Write("log/tile/0/000.p/9", "partly written");
  ws.dir().Write("log/tile/0/001", "never published");
  ws.dir().Write("log/tile/entries/000.p/200", "never published");
  for (const char* path :
       {"/lock", "/tile/../../log.key", "/tile/0/../../log.key",
        "/checkpoint.tmp", "/tile/0/000.p/9", "/tile/0/001",
        "/tile/entries/000.p/200", "/tile/1/000.p/1"}) {
    const Result fetched = RunShell("curl -s -o /dev/null -w '%{http_code}' " +
                                    server.url() + path);
    EXPECT_EQ(fetched.out, "404") << path;
  }
  for (const char* path : {"/tile/0/000.p/8", "/tile/entries/000.p/8"}) {
    const Result fetched = RunShell("curl -s -o /dev/null -w '%{http_code}' " +
                                    server.url() + path);
    EXPECT_EQ(fetched.out, "200") << path;
  }
  // A malformed bundle is refused without touching the log.
  const Result refused = RunShell(
      "curl -s -w '%{http_code}' -X POST --data-binary 'not a bundle' " +
      server.url() + "/add");
  EXPECT_THAT(refused.out, HasSubstr("400"));
}

TEST(CliLogServeTest, ManyConcurrentAddsAreAllLoggedAndProvable) {
  RequireTool("curl");
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("plain.sig").exit_code, 0);
  Server server(ws.log(), "--batch-ms 20");
  ASSERT_GT(server.port(), 0) << server.log_text();
  constexpr int kAdds = 48;
  // (In sh -c: RunShell gives the last command of a pipeline /dev/null.)
  const Result posted = RunShell(
      "sh -c " +
      Quote(absl::StrCat(
          "seq 0 ", kAdds - 1, " | xargs -P 24 -I{} curl -s -o ",
          Quote(ws.Path("a{}.sig")), " -w '%{http_code}\\n' --data-binary @",
          Quote(ws.Path("plain.sig")), " ", server.url(), "/add")));
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  EXPECT_EQ(posted.out, [] {
    std::string all;
    for (int i = 0; i < kAdds; ++i) all += "200\n";
    return all;
  }());
  const Result audit =
      Modelseal("log verify " + server.url() + " --vkey " + Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr(absl::StrCat("size ", kAdds)));
  for (int i = 0; i < kAdds; i += 7) {
    const Result verify =
        ws.Verify(absl::StrCat("a", i, ".sig"), "--log-url " + server.url());
    EXPECT_EQ(verify.exit_code, 0) << i << verify.out << verify.err;
  }
}

// `log serve` runs modelseal-log-server from modelseal's own directory; a
// modelseal without it says what is missing instead of serving nothing.
TEST(CliLogServeTest, AMissingServerProgramIsAClearError) {
  LogWorkspace ws;
  const std::string lone = ws.Path("lone");
  ASSERT_EQ(RunShell("mkdir " + Quote(lone) + " && cp " + kModelseal + " " +
                     Quote(lone + "/modelseal"))
                .exit_code,
            0);
  const Result served = RunShell(Quote(lone + "/modelseal") + " log serve " +
                                 Quote(ws.log()) + " --listen 127.0.0.1:0");
  EXPECT_EQ(served.exit_code, 4);
  EXPECT_THAT(served.err, HasSubstr("log serve runs " + lone +
                                    "/modelseal-log-server, which cannot be "
                                    "started: No such file or directory"));
  // The flags are checked before anything is started.
  const Result bad = RunShell(Quote(lone + "/modelseal") + " log serve " +
                              Quote(ws.log()) + " --batch-ms 5000");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--batch-ms"));
}

// With --max-pending 1 and a long window, a second add while the first
// waits is answered 503 with Retry-After; the first is still logged.
TEST(CliLogServeTest, FullQueueAnswers503WithRetryAfter) {
  RequireTool("curl");
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("plain.sig").exit_code, 0);
  Server server(ws.log(), "--batch-ms 1000 --max-pending 1");
  ASSERT_GT(server.port(), 0) << server.log_text();
  const std::string post = "curl -s --data-binary @" +
                           Quote(ws.Path("plain.sig")) + " " + server.url() +
                           "/add";
  const Result result = RunShell(
      "sh -c " +
      Quote(post + " -o " + Quote(ws.Path("first.sig")) +
            " -w '%{http_code}' > " + Quote(ws.Path("first.code")) +
            " & sleep 0.3; " + post + " -D " + Quote(ws.Path("second.head")) +
            " -o " + Quote(ws.Path("second.body")) + "; wait"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string head = ReadAll(ws.Path("second.head"));
  EXPECT_THAT(head, ::testing::StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(head, HasSubstr("Retry-After: 1\r\n"));
  EXPECT_THAT(ReadAll(ws.Path("second.body")), HasSubstr("retry later"));
  EXPECT_EQ(ReadAll(ws.Path("first.code")), "200");
  const Result verify = ws.Verify("first.sig");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// sign --log reports a busy log as an I/O error, not a refusal. Each round
// fills the one-entry queue (a background add) and proves it full (a probe
// answered 503) before sign posts. A round whose batch was committed before
// sign's add arrived is logged normally (exit 0) and the next round tries
// again; any other outcome ends the script with sign's exit code.
TEST(CliLogServeTest, SignReportsABusyLogAsAnIoError) {
  RequireTool("curl");
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("plain.sig").exit_code, 0);
  Server server(ws.log(), "--batch-ms 1000 --max-pending 1");
  ASSERT_GT(server.port(), 0) << server.log_text();
  const std::string post =
      "curl -s --max-time 10 -o /dev/null --data-binary @" +
      Quote(ws.Path("plain.sig")) + " " + server.url() + "/add";
  const std::string script = absl::StrCat(
      "round=0; while :; do round=$((round+1)); [ $round -le 5 ] || exit 98; "
      "n=0; while :; do n=$((n+1)); [ $n -le 20 ] || exit 99; ",
      post, " & [ \"$(", post, " -w '%{http_code}')\" = 503 ] && break; done; ",
      kModelseal, " sign ", Quote(ws.Path("model")), " --key ",
      Quote(ws.Path("publisher.key")), " -q -o ", Quote(ws.Path("busy.sig")),
      " --log ", server.url(),
      "; status=$?; wait; [ $status -eq 0 ] || exit $status; done");
  const Result busy = RunShell("sh -c " + Quote(script));
  EXPECT_EQ(busy.exit_code, 4) << busy.err;
  EXPECT_THAT(busy.err, HasSubstr("busy (HTTP 503"));
}

// `log add` replaces many bundles in rounds (scratch files synced together,
// then swapped in, old inodes reused); killed at any moment, every bundle is
// still either its old bytes or a whole new bundle.
TEST(CliLogTest, KilledGroupedAddLeavesEveryBundleOldOrNew) {
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("plain.sig").exit_code, 0);
  const std::string original = ReadAll(ws.Path("plain.sig"));
  constexpr int kBundles = 300;
  std::string bundles;
  for (int i = 0; i < kBundles; ++i) {
    const std::string name = absl::StrCat("many/b", i, ".sig");
    ws.dir().Write(name, original);
    absl::StrAppend(&bundles, " ", Quote(ws.Path(name)));
  }
  int killed = 0;
  for (const char* delay : {"0.01", "0.03", "0.06", "0.1", "0.15", "0.25"}) {
    const Result run =
        RunShell(std::string("timeout -s KILL ") + delay + " " + kModelseal +
                 " log add " + Quote(ws.log()) + bundles);
    killed += run.exit_code == 128 + SIGKILL || run.exit_code == 137;
    int fresh = 0;
    for (int i = 0; i < kBundles; ++i) {
      const std::string text =
          ReadAll(ws.Path(absl::StrCat("many/b", i, ".sig")));
      if (text == original) {
        ++fresh;
        continue;
      }
      // A new bundle is whole: it carries a complete log record.
      ASSERT_THAT(text, HasSubstr("\"tlogEntries\":[{")) << i;
      ASSERT_THAT(text, ::testing::EndsWith("}}")) << i;
    }
    (void)fresh;
  }
  std::cerr << "grouped add: " << killed << " of 6 runs killed\n";
  // Under load the last killed writer's lock was once seen still held right
  // after `timeout` returned (its sync still draining); the lock is never
  // taken over, so wait for it rather than fail.
  Result add = Modelseal("log add " + Quote(ws.log()) + bundles);
  for (int attempt = 0; attempt < 20 && add.exit_code != 0 &&
                        add.err.find("locked") != std::string::npos;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    add = Modelseal("log add " + Quote(ws.log()) + bundles);
  }
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const Result audit = Modelseal("log verify " + Quote(ws.log()) + " --vkey " +
                                 Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  for (int i = 0; i < kBundles; i += 61) {
    const Result verify = ws.Verify(absl::StrCat("many/b", i, ".sig"));
    EXPECT_EQ(verify.exit_code, 0) << i << verify.out << verify.err;
  }
}

// The log directory published by a real static web server (nginx) reads and
// verifies exactly as from disk.
TEST(CliLogNginxTest, StaticallyServedLogVerifies) {
  RequireTool("nginx");
  LogWorkspace ws;
  ASSERT_EQ(ws.Sign("n.sig", "--log " + Quote(ws.log())).exit_code, 0);
  ASSERT_EQ(ws.Sign("m.sig", "--log " + Quote(ws.log())).exit_code, 0);
  int port = 0;
  {
    const Result free_port = RunShell(
        "/usr/bin/python3 -c 'import socket; s=socket.socket(); "
        "s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'");
    ASSERT_TRUE(absl::SimpleAtoi(
        absl::StripTrailingAsciiWhitespace(free_port.out), &port));
  }
  const std::string conf = ws.dir().Write(
      "nginx/nginx.conf",
      absl::StrCat(
          "daemon on;\nworker_processes 1;\n",
          getuid() == 0 ? "user root;\n" : "", "pid ",
          ws.Path("nginx/nginx.pid"), ";\nerror_log ",
          ws.Path("nginx/error.log"),
          ";\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n",
          "  client_body_temp_path ", ws.Path("nginx/tmp"),
          ";\n  proxy_temp_path ", ws.Path("nginx/tmp"),
          ";\n  fastcgi_temp_path ", ws.Path("nginx/tmp"),
          ";\n  uwsgi_temp_path ", ws.Path("nginx/tmp"), ";\n  scgi_temp_path ",
          ws.Path("nginx/tmp"), ";\n  server {\n    listen 127.0.0.1:", port,
          ";\n    root ", ws.log(), ";\n  }\n}\n"));
  ASSERT_EQ(::mkdir(ws.Path("nginx/tmp").c_str(), 0700), 0);
  const Result start =
      RunShell("nginx -c " + Quote(conf) + " -p " + Quote(ws.Path("nginx")));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  const std::string url = absl::StrCat("http://127.0.0.1:", port);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Result audit =
      Modelseal("log verify " + url + " --vkey " + Quote(ws.vkey()));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  const Result verify = ws.Verify("n.sig", "--log-url " + url);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunShell("nginx -c " + Quote(conf) + " -p " + Quote(ws.Path("nginx")) +
           " -s stop");
}

}  // namespace
}  // namespace modelseal
