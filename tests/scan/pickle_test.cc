// The pickle disassembler and the import allow-list, on bytes built here.
#include "scan/pickle.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scan/io.h"
#include "scan/sink.h"
#include "tests/testing/status_matchers.h"

namespace modelseal::scan_internal {
namespace {

using ::testing::HasSubstr;

struct Scanned {
  PickleScanResult result;
  std::vector<Finding> findings;
};

Scanned ScanBytes(const std::string& bytes, std::size_t max_pickles = 0) {
  MemorySource source(bytes);
  SourceStream stream(source);
  FindingSink sink("x.pkl");
  PickleScanOptions options;
  options.max_pickles = max_pickles;
  absl::StatusOr<PickleScanResult> result =
      ScanPickleStream(stream, options, sink);
  EXPECT_TRUE(result.ok()) << result.status();
  return Scanned{result.ok() ? *result : PickleScanResult(), sink.Take()};
}

std::string ShortUnicode(const std::string& text) {
  return std::string("\x8c") + static_cast<char>(text.size()) + text;
}

TEST(PickleImportTest, TheAllowListAcceptsCheckpointImportsOnly) {
  EXPECT_EQ(ClassifyImport("collections", "OrderedDict"),
            ImportVerdict::kAllowed);
  EXPECT_EQ(ClassifyImport("torch._utils", "_rebuild_tensor_v2"),
            ImportVerdict::kAllowed);
  EXPECT_EQ(ClassifyImport("numpy._core.multiarray", "_reconstruct"),
            ImportVerdict::kAllowed);
  EXPECT_EQ(ClassifyImport("numpy.dtypes", "Float32DType"),
            ImportVerdict::kAllowed);
  EXPECT_EQ(ClassifyImport("argparse", "Namespace"),
            ImportVerdict::kNotAllowed);
  EXPECT_EQ(ClassifyImport("torch", "load"), ImportVerdict::kDangerous);
  EXPECT_EQ(ClassifyImport("os.path", "join"), ImportVerdict::kDangerous);
  EXPECT_EQ(ClassifyImport("builtins", "getattr"), ImportVerdict::kDangerous);
  EXPECT_EQ(ClassifyImport("builtins", "__import__"),
            ImportVerdict::kDangerous);
  EXPECT_EQ(ClassifyImport("operator", "methodcaller"),
            ImportVerdict::kDangerous);
  EXPECT_EQ(ClassifyImport("collections", "OrderedDict.fromkeys"),
            ImportVerdict::kAttributeChain);
  EXPECT_EQ(ClassifyImport("torch", "__class__"),
            ImportVerdict::kAttributeChain);
  // "ossify" is not "os".
  EXPECT_EQ(ClassifyImport("ossify", "x"), ImportVerdict::kNotAllowed);
}

TEST(PickleImportTest, PythonTwoNamesMapLikeCompatPickle) {
  std::string module = "__builtin__", name = "eval";
  MapPython2Import(module, name);
  EXPECT_EQ(module, "builtins");
  EXPECT_EQ(name, "eval");
  module = "__builtin__";
  name = "reduce";
  MapPython2Import(module, name);
  EXPECT_EQ(module, "functools");
  module = "copy_reg";
  name = "_reconstructor";
  MapPython2Import(module, name);
  EXPECT_EQ(module, "copyreg");
}

TEST(PickleScanTest, ProtocolFiveOutOfBandBuffersParseWithoutFindings) {
  // PROTO 5, NEXT_BUFFER, READONLY_BUFFER, BYTEARRAY8 (3 bytes), TUPLE2, STOP
  const std::string bytes =
      std::string("\x80\x05\x97\x98\x96\x03\0\0\0\0\0\0\0abc\x86.", 18);
  const Scanned scanned = ScanBytes(bytes);
  EXPECT_TRUE(scanned.findings.empty());
  EXPECT_TRUE(scanned.result.complete);
  EXPECT_EQ(scanned.result.pickles, 1u);
  EXPECT_EQ(scanned.result.opcodes, 6u);
}

TEST(PickleScanTest, HugeStringsAreSkippedWithoutBeingKept) {
  // BINUNICODE8 of 8 MiB, then a STACK_GLOBAL whose module is that string:
  // it is not a resolvable name, so the import fails closed.
  const std::size_t length = std::size_t{8} << 20;
  std::string bytes = "\x80\x04\x8d";
  for (int i = 0; i < 8; ++i)
    bytes.push_back(static_cast<char>(length >> (8 * i)));
  bytes.append(length, 'a');
  bytes += ShortUnicode("system") + "\x93.";
  const Scanned scanned = ScanBytes(bytes);
  ASSERT_EQ(scanned.findings.size(), 1u);
  EXPECT_EQ(scanned.findings[0].rule, "scan.pickle.dynamic_global");
  EXPECT_EQ(scanned.result.bytes, bytes.size());
}

TEST(PickleScanTest, ImportOperandsSurviveManyMegabytesOfDroppedStrings) {
  // Two dropped strings, then "os" and "system" memoized and dropped from the
  // stack, then "posix" left on it; then 2 million 7-byte strings pushed and
  // dropped (14 MB of text: the text arena is compacted on the way, at
  // 8 MiB, and every kept string moves); then the memoized two fetched back
  // for STACK_GLOBAL, and "posix" used with a new "system". Both imports
  // must read what the loader would import.
  std::string bytes = "\x80\x04";
  bytes += ShortUnicode("dropped") + "0" + ShortUnicode("too") + "0";
  bytes += ShortUnicode("os") + "\x94" + "0";      // memo 0
  bytes += ShortUnicode("system") + "\x94" + "0";  // memo 1
  bytes += ShortUnicode("posix");                  // stays on the stack
  for (int i = 0; i < 2000000; ++i) {
    bytes += ShortUnicode("pad" + std::to_string(1000 + i % 9000)) + "0";
  }
  // BINGET 0, BINGET 1, STACK_GLOBAL, POP its result; then posix.system.
  bytes += std::string("h\x00h\x01\x93\x30", 6);
  bytes += ShortUnicode("system") + "\x93.";
  const Scanned scanned = ScanBytes(bytes);
  ASSERT_EQ(scanned.findings.size(), 2u);
  EXPECT_EQ(scanned.findings[0].rule, "scan.pickle.dangerous_import");
  EXPECT_THAT(scanned.findings[0].message, HasSubstr("os.system"));
  EXPECT_EQ(scanned.findings[1].rule, "scan.pickle.dangerous_import");
  EXPECT_THAT(scanned.findings[1].message, HasSubstr("posix.system"));
  EXPECT_TRUE(scanned.result.complete);
}

TEST(PickleScanTest, AStackDeeperThanTheLimitIsAFindingNotACrash) {
  std::string bytes = "\x80\x02";
  bytes.append((std::size_t{1} << 22) + 10, 'N');
  const Scanned scanned = ScanBytes(bytes);
  ASSERT_EQ(scanned.findings.size(), 1u);
  EXPECT_EQ(scanned.findings[0].rule, "scan.limit");
  EXPECT_FALSE(scanned.result.complete);
}

TEST(PickleScanTest, MaxPicklesStopsBeforeTrailingRawData) {
  const std::string bytes =
      std::string("\x80\x02N.\x80\x02N.", 8) + std::string(
                                                   "\x80\x02"
                                                   "cposix\nsystem\n",
                                                   16);
  const Scanned legacy = ScanBytes(bytes, 2);
  EXPECT_TRUE(legacy.findings.empty());
  EXPECT_EQ(legacy.result.pickles, 2u);
  const Scanned all = ScanBytes(bytes);
  ASSERT_EQ(all.findings.size(), 2u);
  EXPECT_EQ(all.findings[0].rule, "scan.pickle.dangerous_import");
  EXPECT_EQ(all.findings[0].offset, 10u);
  EXPECT_EQ(all.findings[1].rule, "scan.pickle.malformed");
}

TEST(PickleScanTest, MarksFenceTheStackLikeTheCUnpickler) {
  // REDUCE right after MARK cannot reach items below the mark.
  const Scanned scanned = ScanBytes("NN(R.");
  ASSERT_EQ(scanned.findings.size(), 1u);
  EXPECT_THAT(scanned.findings[0].message, HasSubstr("stack underflow"));
  // POP on an empty frame pops the mark instead.
  EXPECT_TRUE(ScanBytes("N(0.").findings.empty());
}

TEST(PickleScanTest, AnEmptyStreamIsMalformed) {
  const Scanned scanned = ScanBytes("");
  ASSERT_EQ(scanned.findings.size(), 1u);
  EXPECT_EQ(scanned.findings[0].rule, "scan.pickle.malformed");
}

}  // namespace
}  // namespace modelseal::scan_internal
