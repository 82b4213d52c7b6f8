// The scanner against a corpus that real producers (python3 pickle, zipfile,
// numpy, gzip/bz2/lzma) generate at test time, plus hand-built bypass tricks
// (tests/scan/make_corpus.py says which is which and what each must give).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/env.h"
#include "modelseal/scan.h"
#include "scan/json.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::HasSubstr;

const std::string kCorpusScript =
    MODELSEAL_TEST_VECTORS_DIR "/../scan/make_corpus.py";

std::string Python() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

class ScanCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string command = absl::StrCat(Python(), " ", kCorpusScript, " ",
                                             dir_->path(), " > /dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Path(const std::string& name) { return dir_->Join(name); }

  static ScanReport Scan(const std::string& name) {
    absl::StatusOr<ScanReport> report = ScanPaths({Path(name)}, ScanOptions());
    EXPECT_TRUE(report.ok()) << name << ": " << report.status();
    return report.ok() ? *std::move(report) : ScanReport();
  }
  static std::set<std::string> Rules(const ScanReport& report) {
    std::set<std::string> rules;
    for (const Finding& finding : report.findings) rules.insert(finding.rule);
    return rules;
  }

  static TempDir* dir_;
};
TempDir* ScanCorpusTest::dir_ = nullptr;

TEST_F(ScanCorpusTest, EveryGeneratedFileGetsExactlyItsExpectedFindings) {
  std::ifstream in(Path("expected.json"));
  std::stringstream text;
  text << in.rdbuf();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      scan_internal::JsonValue expected,
      scan_internal::ParseJson(text.str(), 16, true));
  const scan_internal::JsonValue* cases = expected.Find("cases");
  ASSERT_NE(cases, nullptr);
  std::size_t cases_run = 0;
  for (const scan_internal::JsonValue& entry : cases->items) {
    const std::string file = entry.Find("file")->text;
    SCOPED_TRACE(file);
    const ScanReport report = Scan(file);
    ASSERT_EQ(report.files.size(), 1u);
    EXPECT_EQ(report.files[0].format, entry.Find("format")->text);
    std::set<std::string> want;
    for (const auto& rule : entry.Find("rules")->items) want.insert(rule.text);
    std::vector<std::string> messages;
    for (const Finding& finding : report.findings) {
      messages.push_back(absl::StrCat(finding.rule, " [", finding.member, "] ",
                                      finding.message));
    }
    EXPECT_EQ(Rules(report), want) << absl::StrJoin(messages, "\n");
    bool critical = false;
    for (const Finding& finding : report.findings) {
      critical |= finding.severity == Severity::kCritical;
      EXPECT_EQ(finding.path, Path(file));
    }
    EXPECT_EQ(critical, entry.Find("critical")->boolean);
    ++cases_run;
  }
  EXPECT_EQ(cases_run, cases->items.size());
  EXPECT_GE(cases_run, 120u);  // the script's case count, give or take edits
}

TEST_F(ScanCorpusTest, BenignTorchSafetensorsAndGgufCheckpointsHaveNoFinding) {
  for (const char* name : {"torch/benign.pt", "torch/legacy_benign.pt",
                           "safetensors/benign.safetensors", "gguf/benign.gguf",
                           "numpy/benign.npz", "keras/benign.keras",
                           "pickle/benign_p0.pkl", "pickle/benign_p5.pkl"}) {
    const ScanReport report = Scan(name);
    EXPECT_TRUE(report.findings.empty())
        << name << ": " << report.findings.front().message;
  }
  const ScanReport torch = Scan("torch/benign.pt");
  EXPECT_EQ(torch.files[0].format, "pytorch-zip");
  EXPECT_EQ(torch.files[0].inner_formats, std::vector<std::string>{"pickle"});
}

TEST_F(ScanCorpusTest, FindingsNameTheArchiveMemberAndTheByteOffset) {
  const ScanReport report = Scan("torch/evil.pt");
  ASSERT_FALSE(report.findings.empty());
  const Finding& finding = report.findings[0];
  EXPECT_EQ(finding.rule, "scan.pickle.dangerous_import");
  EXPECT_EQ(finding.member, "archive/data.pkl");
  ASSERT_TRUE(finding.offset.has_value());
  EXPECT_GT(*finding.offset, 0u);
  EXPECT_THAT(finding.message, HasSubstr("posix.system"));

  const ScanReport nested = Scan("zip/nested_evil.zip");
  ASSERT_FALSE(nested.findings.empty());
  EXPECT_EQ(nested.findings[0].member, "level2.zip!level1.zip!level0.zip");
}

TEST_F(ScanCorpusTest, MemoConfusionResolvesToTheNameTheUnpicklerWouldImport) {
  // CPython resolves both to posix.system (make_corpus.py asserts it with a
  // recording unpickler); a scanner numbering MEMOIZE by the highest index
  // would see "system" and "posix" in the wrong slots.
  for (const char* name :
       {"tricks/memo_confusion.pkl", "tricks/memo_put_overwrite.pkl",
        "tricks/memo_text_indices.pkl"}) {
    const ScanReport report = Scan(name);
    ASSERT_EQ(report.findings.size(), 1u) << name;
    EXPECT_THAT(report.findings[0].message, HasSubstr("posix.system")) << name;
  }
}

TEST_F(ScanCorpusTest, PythonTwoNamesAreMappedBeforeTheyAreJudged) {
  const ScanReport report = Scan("tricks/python2_builtin.pkl");
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_THAT(report.findings[0].message,
              HasSubstr("__builtin__.eval (builtins.eval)"));
}

TEST_F(ScanCorpusTest, WalkingAFolderSortsFilesAndReportsSymlinksUnfollowed) {
  TempDir dir;
  dir.Write("b/model.safetensors", std::string("\x02\0\0\0\0\0\0\0{}", 10));
  dir.Write("a.txt", "hello\n");
  ASSERT_EQ(symlink("/etc/passwd", dir.Join("b/link").c_str()), 0);
  ASSERT_EQ(mkfifo(dir.Join("fifo").c_str(), 0600), 0);
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport report,
                                 ScanPaths({dir.path()}, ScanOptions()));
  ASSERT_EQ(report.files.size(), 4u);
  EXPECT_EQ(report.files[0].path, dir.Join("a.txt"));
  EXPECT_EQ(report.files[0].format, "text");
  EXPECT_EQ(report.files[1].path, dir.Join("b/link"));
  EXPECT_EQ(report.files[2].path, dir.Join("b/model.safetensors"));
  EXPECT_EQ(report.files[2].format, "safetensors");
  EXPECT_EQ(report.files[3].path, dir.Join("fifo"));
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].rule, "scan.file.special");
  EXPECT_EQ(report.findings[0].path, dir.Join("b/link"));
  EXPECT_EQ(report.findings[1].path, dir.Join("fifo"));
}

TEST_F(ScanCorpusTest, ProgressCountsTheBytesOfEveryRegularFileScanned) {
  TempDir dir;
  dir.Write("b/model.safetensors", std::string("\x02\0\0\0\0\0\0\0{}", 10));
  dir.Write("a.txt", std::string(5000, 'a'));
  ASSERT_EQ(symlink("/etc/passwd", dir.Join("b/link").c_str()), 0);
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> total{0};
  ScanOptions options;
  options.bytes_done = &done;
  options.bytes_total = &total;
  options.threads = 2;
  MODELSEAL_ASSERT_OK(ScanPaths({dir.path()}, options).status());
  // The symlink is not read, so it does not count.
  EXPECT_EQ(total.load(), 5010u);
  EXPECT_EQ(done.load(), 5010u);
}

TEST_F(ScanCorpusTest, ModelFilesAreScannedRelativeToTheRoot) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      ScanReport report,
      ScanModelFiles(dir_->path(), {"torch/evil.pt", "gguf/benign.gguf"},
                     ScanOptions()));
  ASSERT_EQ(report.files.size(), 2u);
  EXPECT_EQ(report.files[0].path, "torch/evil.pt");
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].path, "torch/evil.pt");
}

TEST(ScanTest, ModelFilesWithTraversalOrAbsolutePathsAreRefusedBeforeReading) {
  for (const char* bad : {"../etc/passwd", "/etc/passwd", "a//b", "a/../b"}) {
    EXPECT_THAT(ScanModelFiles("/tmp", {bad}, ScanOptions()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad)));
  }
}

TEST(ScanTest, AMissingPathIsAnIoErrorNotAFinding) {
  EXPECT_THAT(ScanPaths({"/nonexistent/model.pt"}, ScanOptions()),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST(ScanTest, SafetensorsAndGgufCostTheirHeadersOnlyEvenAt4GiB) {
  TempDir dir;
  const std::uint64_t data = std::uint64_t{4} << 30;
  // safetensors: one U8 tensor covering 4 GiB of sparse zeros.
  std::string header = absl::StrCat(R"({"w":{"dtype":"U8","shape":[)", data,
                                    R"(],"data_offsets":[0,)", data, "]}}");
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string prefix(8, '\0');
  for (int i = 0; i < 8; ++i)
    prefix[i] = static_cast<char>(header.size() >> (8 * i));
  const std::string path = dir.Write("big.safetensors", prefix + header);
  ASSERT_EQ(
      truncate(path.c_str(), static_cast<off_t>(8 + header.size() + data)), 0);
  // The cost is asserted in bytes read, not in time (speed belongs to
  // bench/scan_bench.py).
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport report,
                                 ScanPaths({path}, ScanOptions()));
  ASSERT_EQ(report.files.size(), 1u);
  EXPECT_EQ(report.files[0].format, "safetensors");
  EXPECT_TRUE(report.findings.empty()) << report.findings[0].message;
  EXPECT_EQ(report.files[0].size, 8 + header.size() + data);
  EXPECT_LT(report.files[0].bytes_read, 8u * 1024);
}

TEST_F(ScanCorpusTest, ThreadCountDoesNotChangeTheReport) {
  ScanOptions one, four;
  one.threads = 1;
  four.threads = 4;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport a, ScanPaths({dir_->path()}, one));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport b, ScanPaths({dir_->path()}, four));
  ASSERT_EQ(a.files.size(), b.files.size());
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    EXPECT_EQ(a.findings[i].path, b.findings[i].path);
    EXPECT_EQ(a.findings[i].rule, b.findings[i].rule);
    EXPECT_EQ(a.findings[i].offset, b.findings[i].offset);
  }
}

TEST_F(ScanCorpusTest, EveryReportedRuleIsInTheCatalog) {
  std::set<std::string> catalog;
  for (const RuleDescription& rule : ScanRuleCatalog()) {
    EXPECT_TRUE(catalog.insert(rule.id).second) << "duplicate " << rule.id;
    EXPECT_FALSE(rule.summary.empty());
    EXPECT_FALSE(rule.help.empty());
  }
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport report,
                                 ScanPaths({dir_->path()}, ScanOptions()));
  std::set<std::string> seen;
  for (const Finding& finding : report.findings) {
    EXPECT_TRUE(catalog.count(finding.rule)) << finding.rule;
    seen.insert(finding.rule);
  }
  // The corpus exercises every rule but scan.file.special (the folder walk
  // test covers that one).
  EXPECT_EQ(seen.size(), catalog.size() - 1);
  EXPECT_FALSE(seen.count("scan.file.special"));
}

TEST(ScanTest, AMemoryEnvIsScannedThroughTheEnv) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(MemoryEnvAddFile(*env, "/m/x.pkl",
                                       "\x80\x02"
                                       "cposix\nsystem\n."));
  ScanOptions options;
  options.env = env.get();
  MODELSEAL_ASSERT_OK_AND_ASSIGN(ScanReport report, ScanPaths({"/m"}, options));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].severity, Severity::kCritical);
  EXPECT_EQ(report.findings[0].path, "/m/x.pkl");
}

}  // namespace
}  // namespace modelseal
