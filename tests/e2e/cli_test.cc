// End-to-end tests: drive the real `modelseal` binary and compare it with
// the peers it must agree with (sha256sum, b2sum, b3sum).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::PseudoRandomBytes;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(CliHashTest, MatchesSha256sumByteForByte) {
  RequireTool("sha256sum");
  const std::string files = JoinQuoted(ExampleFiles());
  const Result ours = Modelseal("hash" + files);
  const Result peer = RunShell("sha256sum" + files);
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(peer.exit_code, 0) << peer.err;
  EXPECT_EQ(ours.out, peer.out);
  EXPECT_EQ(ours.err, "");
}

TEST(CliHashTest, Blake3MatchesB3sumAndBlake2bMatchesB2sum) {
  RequireTool("b3sum");
  RequireTool("b2sum");
  TempDir dir;
  std::vector<std::string> files = ExampleFiles();
  // Boundary sizes and one file large enough to be split across threads.
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{1024}, std::size_t{1025},
        (std::size_t{1} << 20) + 3, (std::size_t{37} << 20) + 999}) {
    files.push_back(
        dir.Write("f" + std::to_string(size), PseudoRandomBytes(size, size)));
  }
  const std::string args = JoinQuoted(files);
  for (const char* threads : {"1", "2", "4"}) {
    const Result ours =
        Modelseal(absl::StrCat("hash -a blake3 --threads ", threads, args));
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, RunShell("b3sum" + args).out) << threads << " threads";
  }
  const Result blake2 = Modelseal("hash --algorithm blake2b" + args);
  ASSERT_EQ(blake2.exit_code, 0) << blake2.err;
  EXPECT_EQ(blake2.out, RunShell("b2sum" + args).out);
}

TEST(CliHashTest, ShardsMatchSha256sumOfTheSplitPieces) {
  RequireTool("split");
  TempDir dir;
  const std::string file =
      dir.Write("weights.bin", PseudoRandomBytes(3'500'000, 9));
  const Result ours = Modelseal("hash --shard-size 1000000 " + Quote(file));
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(RunShell("cd " + Quote(dir.path()) +
                     " && split -b 1000000 -d weights.bin part.")
                .exit_code,
            0);
  const std::vector<std::string> lines =
      absl::StrSplit(ours.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  const char* ranges[] = {":0:1000000", ":1000000:2000000", ":2000000:3000000",
                          ":3000000:3500000"};
  for (int i = 0; i < 4; ++i) {
    const Result piece =
        RunShell("sha256sum " + Quote(dir.Join("part.0" + std::to_string(i))));
    EXPECT_EQ(lines[i].substr(0, 64), piece.out.substr(0, 64));
    EXPECT_EQ(lines[i].substr(66), file + ranges[i]);
  }
}

TEST(CliHashTest, DirectoriesAreWalkedLikeModels) {
  const Result ours = Modelseal("hash " + Quote(kExample));
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, RunShell("sha256sum" + JoinQuoted(ExampleFiles())).out);
}

TEST(CliCheckTest, AcceptsB3sumListsAndReportsFailuresLikeB3sum) {
  RequireTool("b3sum");
  TempDir dir;
  const std::string a = dir.Write("a.bin", "alpha");
  const std::string b = dir.Write("b.bin", "bravo");
  const Result listed = RunShell("b3sum " + Quote(a) + " " + Quote(b));
  ASSERT_EQ(listed.exit_code, 0);
  const std::string list = dir.Write("sums.b3", listed.out);

  Result ours = Modelseal("hash -a blake3 --check " + Quote(list));
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, absl::StrCat(a, ": OK\n", b, ": OK\n"));

  dir.Write("b.bin", "bravO");
  ours = Modelseal("hash -a blake3 --check " + Quote(list));
  const Result peer = RunShell("b3sum --check " + Quote(list));
  EXPECT_EQ(ours.exit_code, 1);
  EXPECT_EQ(peer.exit_code, 1);
  EXPECT_EQ(ours.out, peer.out);
  EXPECT_THAT(ours.err,
              HasSubstr("WARNING: 1 computed checksum did NOT match"));

  std::filesystem::remove(a);
  ours = Modelseal("hash -a blake3 --check " + Quote(list));
  EXPECT_EQ(ours.exit_code, 1);
  EXPECT_THAT(ours.out, HasSubstr(a + ": FAILED open or read\n"));
  EXPECT_THAT(ours.err, HasSubstr("1 listed file could not be read"));
}

TEST(CliCheckTest, AcceptsSha256sumListsAndRejectsMalformedOnes) {
  TempDir dir;
  const Result listed = RunShell("sha256sum" + JoinQuoted(ExampleFiles()));
  ASSERT_EQ(listed.exit_code, 0);
  const std::string list = dir.Write("sums", listed.out);
  Result ours = Modelseal("hash --check " + Quote(list) + " --quiet");
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "");

  dir.Write("bad", "not a checksum line\n");
  ours = Modelseal("hash --check " + Quote(dir.Join("bad")));
  EXPECT_EQ(ours.exit_code, 3);
  EXPECT_THAT(ours.err, HasSubstr("line 1"));

  ours = Modelseal("hash -a blake2b --check " + Quote(list));
  EXPECT_EQ(ours.exit_code, 3) << "a sha256 list read as blake2b must not pass";
}

TEST(CliDigestTest, ReproducesTheReferenceBundleSubjectDigest) {
  // Subject digest from tests/vectors/oms/model-transparency/
  // v1.1.0-elliptic-key/model.sig, written by the reference implementation.
  const Result ours =
      Modelseal("digest " + Quote(kOms + "/v1.1.0-elliptic-key") +
                " --ignore-paths ignore-me model.sig");
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(
      ours.out,
      "sha256:"
      "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4\n");
}

TEST(CliDigestTest, AbsoluteIgnorePathsInsideTheModelWork) {
  const std::string model = kOms + "/v1.1.0-elliptic-key";
  const Result ours = Modelseal("digest " + Quote(model) + " --ignore-paths " +
                                Quote(model + "/ignore-me") + " model.sig");
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_THAT(ours.out, HasSubstr("92745110b1ab"));
  const Result outside =
      Modelseal("digest " + Quote(model) + " --ignore-paths /etc/passwd");
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_THAT(outside.err, HasSubstr("not inside the model"));
}

void ExpectValidJson(const std::string& json, const std::string& schema) {
  TempDir dir;
  const std::string file = dir.Write("doc.json", json);
  const Result check = RunShell(absl::StrCat(
      "/usr/bin/python3 -c 'import json,sys,jsonschema; "
      "jsonschema.validate(json.load(open(sys.argv[1])), "
      "json.load(open(sys.argv[2])))' ",
      Quote(file), " ",
      Quote(std::string(MODELSEAL_EXAMPLES_DIR) + "/../schemas/" + schema)));
  EXPECT_EQ(check.exit_code, 0) << check.err << "\n" << json;
}

TEST(CliJsonTest, OutputsValidateAgainstTheirSchemas) {
  Result hash = Modelseal("hash --json " + Quote(kExample));
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  ExpectValidJson(hash.out, "hash-report.schema.json");
  hash =
      Modelseal("hash --json -a blake2b --shard-size 4096 " + Quote(kExample));
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  ExpectValidJson(hash.out, "hash-report.schema.json");
  Result digest = Modelseal("digest --json " + Quote(kExample));
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  ExpectValidJson(digest.out, "model-digest.schema.json");
  EXPECT_THAT(digest.out, HasSubstr("\"model\":\"tiny-model\""));
  digest = Modelseal("digest --json --method shards --shard-size 5000 " +
                     Quote(kExample));
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  ExpectValidJson(digest.out, "model-digest.schema.json");
  EXPECT_THAT(digest.out, HasSubstr("model.safetensors:10000:13816"));
}

TEST(CliBadInputTest, EachGetsAClearMessageAndItsExitCode) {
  TempDir dir;
  dir.Write("model/weights", "w");
  ASSERT_EQ(::mkfifo(dir.Join("model/pipe").c_str(), 0600), 0);
  TempDir escape;
  escape.Write("model/weights", "w");
  ASSERT_EQ(::symlink("/etc/hostname", escape.Join("model/link").c_str()), 0);
  TempDir non_utf8;
  non_utf8.Write("model/bad\xff", "w");
  TempDir empty;
  ASSERT_EQ(::mkdir(empty.Join("model").c_str(), 0755), 0);

  struct Case {
    std::string args;
    int exit_code;
    std::string message;
  } cases[] = {
      {"hash " + Quote(dir.Join("missing")), 4, "missing"},
      {"hash " + Quote(dir.Join("model/pipe")), 3, "not a regular file"},
      {"digest " + Quote(dir.Join("model")), 3, "pipe: is a special file"},
      {"digest " + Quote(escape.Join("model")), 3, "is a symbolic link"},
      {"digest --allow-symlinks " + Quote(escape.Join("model")), 3,
       "outside the model root"},
      {"digest " + Quote(non_utf8.Join("model")), 3, "not valid UTF-8"},
      {"digest " + Quote(empty.Join("model")), 3, "empty"},
      {"digest --hash blake3 --method shards " + Quote(kExample), 3,
       "blake3 uses the files"},
      {"digest --shard-size 10 " + Quote(kExample), 2,
       "--shard-size needs --method shards"},
      {"digest --hash md5 " + Quote(kExample), 2, "unknown hash algorithm"},
      {"digest --ignore-paths ../x " + Quote(kExample), 2, "'..'"},
      {"hash -a md5 " + Quote(kExample), 2, "unknown hash algorithm"},
      {"hash", 2, "at least one PATH"},
      {"hash --threads 0 " + Quote(kExample), 2, "threads"},
      {"", 2, "subcommand"},
      {"frobnicate", 2, "frobnicate"},
  };
  for (const Case& c : cases) {
    const Result result = Modelseal(c.args);
    EXPECT_EQ(result.exit_code, c.exit_code) << c.args << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.message)) << c.args;
    EXPECT_EQ(result.out, "") << c.args;
  }
}

TEST(CliProgressTest, ShowsOnATerminalAndNeverWhenPipedOrUnderCi) {
  RequireTool("script");
  TempDir dir;
  const std::string big = dir.Join("big.bin");
  ASSERT_EQ(RunShell("truncate -s 2G " + Quote(big)).exit_code, 0);
  const std::string hash = kModelseal + " hash -t 1 " + Quote(big);
  // `script` gives the command a pseudo-terminal as stderr.
  const Result tty =
      RunShell("env -u CI script -qec " + Quote(hash) + " /dev/null");
  EXPECT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_THAT(tty.out, HasSubstr("ETA"));
  EXPECT_THAT(tty.out, HasSubstr("/ 2.0 GiB"));
  const Result ci = RunShell("script -qec " + Quote(hash) + " /dev/null");
  EXPECT_EQ(ci.exit_code, 0);
  EXPECT_THAT(ci.out, ::testing::Not(HasSubstr("ETA")));
  const Result quiet = RunShell("env -u CI script -qec " +
                                Quote(hash + " --quiet") + " /dev/null");
  EXPECT_THAT(quiet.out, ::testing::Not(HasSubstr("ETA")));
}

TEST(CliHelpTest, ExplainsEveryCommand) {
  const Result help = Modelseal("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Exit codes"));
  for (const char* command : {"hash", "digest"}) {
    const Result sub = Modelseal(std::string(command) + " --help");
    EXPECT_EQ(sub.exit_code, 0) << command;
    EXPECT_THAT(sub.out, HasSubstr("--threads")) << command;
  }
}

}  // namespace
}  // namespace modelseal
