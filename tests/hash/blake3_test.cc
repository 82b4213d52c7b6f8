#include "modelseal/blake3.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hash/blake3_dispatch.h"
#include "hash/cpu_features.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using hash_internal::Blake3ActiveIsa;
using hash_internal::Blake3ForceIsaForTesting;
using hash_internal::Blake3Isa;
using hash_internal::Blake3IsaName;
using hash_internal::Blake3SupportedIsas;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

constexpr std::size_t kChunk = Blake3Hasher::kChunkBytes;
constexpr std::size_t kExtendedLen = 131;

// Forces a kernel for the lifetime of the object, then restores the one
// that was active before.
class ScopedIsa {
 public:
  explicit ScopedIsa(Blake3Isa isa) : previous_(Blake3ActiveIsa()) {
    EXPECT_THAT(Blake3ForceIsaForTesting(isa), IsOk());
  }
  ~ScopedIsa() { EXPECT_THAT(Blake3ForceIsaForTesting(previous_), IsOk()); }
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  Blake3Isa previous_;
};

std::vector<std::uint8_t> PatternInput(std::size_t length) {
  std::vector<std::uint8_t> input(length);
  for (std::size_t i = 0; i < length; ++i) {
    input[i] = static_cast<std::uint8_t>(i % 251);
  }
  return input;
}

std::vector<std::uint8_t> RandomBytes(std::size_t length, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint8_t> bytes(length);
  std::size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    const std::uint64_t word = rng();
    for (int b = 0; b < 8; ++b) {
      bytes[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
  }
  for (; i < length; ++i) bytes[i] = static_cast<std::uint8_t>(rng());
  return bytes;
}

std::string Hex(const std::uint8_t* data, std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (std::size_t i = 0; i < length; ++i) {
    hex.push_back(kDigits[data[i] >> 4]);
    hex.push_back(kDigits[data[i] & 0xf]);
  }
  return hex;
}

template <std::size_t N>
std::string Hex(const std::array<std::uint8_t, N>& bytes) {
  return Hex(bytes.data(), N);
}

std::string ExtendedHex(const Blake3Hasher& hasher, std::size_t length,
                        std::uint64_t seek = 0) {
  std::vector<std::uint8_t> out(length);
  hasher.Finalize(out.data(), out.size(), seek);
  return Hex(out.data(), out.size());
}

enum class Mode { kHash, kKeyedHash, kDeriveKey };
constexpr Mode kModes[] = {Mode::kHash, Mode::kKeyedHash, Mode::kDeriveKey};

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kHash:
      return "hash";
    case Mode::kKeyedHash:
      return "keyed_hash";
    case Mode::kDeriveKey:
      return "derive_key";
  }
  return "?";
}

constexpr std::array<std::uint8_t, 32> kTestKey = {
    'w', 'h', 'a', 't', 's', ' ', 't', 'h', 'e', ' ', 'E',
    'l', 'v', 'i', 's', 'h', ' ', 'w', 'o', 'r', 'd', ' ',
    'f', 'o', 'r', ' ', 'f', 'r', 'i', 'e', 'n', 'd'};
constexpr std::string_view kTestContext =
    "BLAKE3 2019-12-27 16:29:52 test vectors context";

Blake3Hasher MakeHasher(Mode mode, const std::array<std::uint8_t, 32>& key,
                        std::string_view context) {
  switch (mode) {
    case Mode::kKeyedHash:
      return Blake3Hasher::Keyed(key);
    case Mode::kDeriveKey:
      return Blake3Hasher::DeriveKey(context);
    case Mode::kHash:
      break;
  }
  return Blake3Hasher();
}

Blake3Hasher MakeHasher(Mode mode) {
  return MakeHasher(mode, kTestKey, kTestContext);
}

// ---- Official test vectors ------------------------------------------------

std::string ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file),
                     std::istreambuf_iterator<char>());
}

// The vector file is flat and machine-written, so each value is found as the
// first `"name": <value>` at or after `*pos`; `*pos` then moves past it.
bool NextField(const std::string& json, std::string_view name, std::size_t* pos,
               std::string* value) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  std::size_t at = json.find(quoted, *pos);
  if (at == std::string::npos) return false;
  at = json.find(':', at + quoted.size());
  if (at == std::string::npos) return false;
  at = json.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string::npos) return false;
  std::size_t end;
  if (json[at] == '"') {
    ++at;
    end = json.find('"', at);
    if (end == std::string::npos) return false;
    *pos = end + 1;
  } else {
    end = json.find_first_not_of("0123456789", at);
    if (end == std::string::npos || end == at) return false;
    *pos = end;
  }
  *value = json.substr(at, end - at);
  return true;
}

struct VectorCase {
  std::size_t input_len = 0;
  std::string expected[3];  // indexed like kModes
};

struct VectorFile {
  std::string key;
  std::string context;
  std::size_t cases_in_file = 0;
  std::vector<VectorCase> cases;
};

VectorFile LoadVectors() {
  VectorFile file;
  const std::string json =
      ReadWholeFile(MODELSEAL_TEST_VECTORS_DIR "/blake3/test_vectors.json");
  for (std::size_t at = json.find("\"input_len\""); at != std::string::npos;
       at = json.find("\"input_len\"", at + 1)) {
    ++file.cases_in_file;
  }
  std::size_t pos = 0;
  if (!NextField(json, "key", &pos, &file.key)) return file;
  pos = 0;
  if (!NextField(json, "context_string", &pos, &file.context)) return file;
  pos = json.find("\"cases\"");
  if (pos == std::string::npos) return file;
  std::string length;
  while (NextField(json, "input_len", &pos, &length)) {
    VectorCase c;
    c.input_len = std::stoul(length);
    if (!NextField(json, "hash", &pos, &c.expected[0]) ||
        !NextField(json, "keyed_hash", &pos, &c.expected[1]) ||
        !NextField(json, "derive_key", &pos, &c.expected[2])) {
      break;
    }
    file.cases.push_back(std::move(c));
  }
  return file;
}

TEST(Blake3Test, MatchesOfficialVectorsForEveryKernel) {
  const VectorFile file = LoadVectors();
  ASSERT_GT(file.cases_in_file, 30u) << "no cases found in the vector file";
  ASSERT_EQ(file.cases.size(), file.cases_in_file);
  ASSERT_EQ(file.key.size(), 32u);
  std::array<std::uint8_t, 32> key;
  std::copy(file.key.begin(), file.key.end(), key.begin());
  ASSERT_EQ(key, kTestKey);
  ASSERT_EQ(file.context, kTestContext);

  constexpr std::size_t kSteps[] = {1, 7, 63, 64, 65, 1023, 1024, 1025};
  for (Blake3Isa isa : Blake3SupportedIsas()) {
    SCOPED_TRACE(Blake3IsaName(isa));
    ScopedIsa scoped(isa);
    std::size_t cases_run = 0;
    for (const VectorCase& c : file.cases) {
      SCOPED_TRACE(::testing::Message() << "input_len " << c.input_len);
      const std::vector<std::uint8_t> input = PatternInput(c.input_len);
      for (int m = 0; m < 3; ++m) {
        const Mode mode = kModes[m];
        SCOPED_TRACE(ModeName(mode));
        const std::string& expected = c.expected[m];
        ASSERT_EQ(expected.size(), 2 * kExtendedLen);

        Blake3Hasher hasher = MakeHasher(mode, key, file.context);
        hasher.Update(input.data(), input.size());
        EXPECT_EQ(ExtendedHex(hasher, kExtendedLen), expected);
        EXPECT_EQ(Hex(hasher.Finalize()), expected.substr(0, 64));
        for (std::uint64_t seek : {1, 32, 63, 64, 65, 100}) {
          EXPECT_EQ(ExtendedHex(hasher, kExtendedLen - seek, seek),
                    expected.substr(2 * seek))
              << "seek " << seek;
        }

        for (std::size_t step : kSteps) {
          Blake3Hasher pieces = MakeHasher(mode, key, file.context);
          for (std::size_t off = 0; off < input.size(); off += step) {
            pieces.Update(input.data() + off,
                          std::min(step, input.size() - off));
          }
          EXPECT_EQ(ExtendedHex(pieces, kExtendedLen), expected)
              << "updates of " << step << " bytes";
        }
      }
      ++cases_run;
    }
    EXPECT_EQ(cases_run, file.cases_in_file);
  }
}

TEST(Blake3Test, EveryKernelTheCpuRunsPassesTheSelfTest) {
  const hash_internal::CpuFeatures& cpu = hash_internal::GetCpuFeatures();
  std::vector<Blake3Isa> expected = {Blake3Isa::kPortable};
  if (cpu.sse41) expected.push_back(Blake3Isa::kSse41);
  if (cpu.sse41 && cpu.avx2) expected.push_back(Blake3Isa::kAvx2);
  if (cpu.sse41 && cpu.avx2 && cpu.avx512) {
    expected.push_back(Blake3Isa::kAvx512);
  }
  EXPECT_EQ(Blake3SupportedIsas(), expected);
  EXPECT_EQ(Blake3ActiveIsa(), expected.back());
  if (!cpu.avx512) {
    EXPECT_THAT(
        Blake3ForceIsaForTesting(Blake3Isa::kAvx512),
        StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("avx512")));
  }
}

// ---- Kernels against the portable one ---------------------------------------

std::vector<std::size_t> BoundaryLengths() {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 16 * kChunk + 1; ++n) {
    const std::size_t r = n % 64;
    if (r == 0 || r == 1 || r == 63) lengths.push_back(n);
  }
  for (std::size_t n : {31744, 31745, 32767, 32768, 32769, 65535, 65536, 65537,
                        100000, 100001, 131073, 262144 + 1000}) {
    lengths.push_back(n);
  }
  return lengths;
}

TEST(Blake3Test, EveryKernelAgreesWithPortableAtBoundaryLengths) {
  const std::vector<std::size_t> lengths = BoundaryLengths();
  const std::vector<std::uint8_t> input = RandomBytes(lengths.back(), 1);
  std::mt19937_64 rng(2);

  // Reference outputs, plus one random split point per length.
  std::vector<std::string> want[3];
  std::vector<std::size_t> split(lengths.size());
  {
    ScopedIsa portable(Blake3Isa::kPortable);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      split[i] = lengths[i] == 0 ? 0 : rng() % (lengths[i] + 1);
      for (int m = 0; m < 3; ++m) {
        Blake3Hasher hasher = MakeHasher(kModes[m]);
        hasher.Update(input.data(), lengths[i]);
        want[m].push_back(ExtendedHex(hasher, 96));
      }
    }
  }
  for (Blake3Isa isa : Blake3SupportedIsas()) {
    SCOPED_TRACE(Blake3IsaName(isa));
    ScopedIsa scoped(isa);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      for (int m = 0; m < 3; ++m) {
        Blake3Hasher one_shot = MakeHasher(kModes[m]);
        one_shot.Update(input.data(), lengths[i]);
        EXPECT_EQ(ExtendedHex(one_shot, 96), want[m][i])
            << "length " << lengths[i] << " " << ModeName(kModes[m]);
        Blake3Hasher two_parts = MakeHasher(kModes[m]);
        two_parts.Update(input.data(), split[i]);
        two_parts.Update(input.data() + split[i], lengths[i] - split[i]);
        EXPECT_EQ(ExtendedHex(two_parts, 96), want[m][i])
            << "length " << lengths[i] << " split at " << split[i] << " "
            << ModeName(kModes[m]);
      }
    }
  }
}

TEST(Blake3Test, EveryKernelAgreesWithPortableOnLargeUnalignedInputs) {
  // Odd start address and odd sizes, fed in uneven pieces.
  const std::vector<std::uint8_t> buffer = RandomBytes((3 << 20) + 11, 3);
  const std::uint8_t* input = buffer.data() + 1;
  const std::size_t length = buffer.size() - 1;
  std::string want;
  {
    ScopedIsa portable(Blake3Isa::kPortable);
    Blake3Hasher hasher;
    hasher.Update(input, length);
    want = ExtendedHex(hasher, 64);
  }
  for (Blake3Isa isa : Blake3SupportedIsas()) {
    SCOPED_TRACE(Blake3IsaName(isa));
    ScopedIsa scoped(isa);
    Blake3Hasher one_shot;
    one_shot.Update(input, length);
    EXPECT_EQ(ExtendedHex(one_shot, 64), want);
    Blake3Hasher pieces;
    std::mt19937_64 rng(4);
    for (std::size_t off = 0; off < length;) {
      const std::size_t take =
          std::min<std::size_t>(rng() % 200000, length - off);
      pieces.Update(input + off, take);
      off += take;
    }
    EXPECT_EQ(ExtendedHex(pieces, 64), want);
  }
}

TEST(Blake3Test, EveryKernelAgreesWithPortableAtRandomOutputSeeks) {
  const std::vector<std::uint8_t> input = RandomBytes(5 * kChunk + 17, 5);
  std::mt19937_64 rng(6);
  struct Probe {
    std::uint64_t seek;
    std::size_t length;
  };
  std::vector<Probe> probes;
  probes.reserve(66);
  for (int i = 0; i < 64; ++i) {
    probes.push_back({rng() % 4000, 1 + rng() % 200});
  }
  // Output block counters past 2^32 use the high counter word.
  probes.push_back({(std::uint64_t{1} << 38) + 7, 150});
  probes.push_back({~std::uint64_t{0} - 300, 200});

  constexpr std::size_t kStreamLen = 4400;
  std::string stream;
  std::vector<std::string> want;
  {
    ScopedIsa portable(Blake3Isa::kPortable);
    Blake3Hasher hasher;
    hasher.Update(input.data(), input.size());
    stream = ExtendedHex(hasher, kStreamLen);
    for (const Probe& p : probes) {
      want.push_back(ExtendedHex(hasher, p.length, p.seek));
    }
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].seek + probes[i].length <= kStreamLen) {
      EXPECT_EQ(want[i],
                stream.substr(2 * probes[i].seek, 2 * probes[i].length));
    }
  }
  for (Blake3Isa isa : Blake3SupportedIsas()) {
    SCOPED_TRACE(Blake3IsaName(isa));
    ScopedIsa scoped(isa);
    Blake3Hasher hasher;
    hasher.Update(input.data(), input.size());
    EXPECT_EQ(ExtendedHex(hasher, kStreamLen), stream);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(ExtendedHex(hasher, probes[i].length, probes[i].seek), want[i])
          << "seek " << probes[i].seek;
    }
  }
}

TEST(Blake3Test, EveryKernelAgreesWithPortableWhenChunkCountersCarry) {
  // Lanes of one SIMD batch straddle chunk counter 2^32.
  const std::vector<std::uint8_t> input = RandomBytes(64 * kChunk, 7);
  const std::uint64_t offset = ((std::uint64_t{1} << 32) - 5) * kChunk;
  Blake3Hasher::ChainingValue want;
  {
    ScopedIsa portable(Blake3Isa::kPortable);
    Blake3Hasher hasher;
    ASSERT_THAT(hasher.SetInputOffset(offset), IsOk());
    hasher.Update(input.data(), input.size());
    want = hasher.FinalizeNonRoot();
  }
  for (Blake3Isa isa : Blake3SupportedIsas()) {
    SCOPED_TRACE(Blake3IsaName(isa));
    ScopedIsa scoped(isa);
    Blake3Hasher hasher;
    ASSERT_THAT(hasher.SetInputOffset(offset), IsOk());
    hasher.Update(input.data(), input.size());
    EXPECT_EQ(Hex(hasher.FinalizeNonRoot()), Hex(want));
  }
}

// ---- Against b3sum
// -----------------------------------------------------------

std::string RunAndCapture(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[256];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  if (pclose(pipe) != 0) return "";
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) {
    output.pop_back();
  }
  return output;
}

bool WriteFile(const std::string& path, const std::uint8_t* data,
               std::size_t length) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(length));
  return static_cast<bool>(file);
}

TEST(Blake3Test, MatchesB3sumOnFilesOfBoundaryLengths) {
  ASSERT_EQ(std::system("command -v b3sum > /dev/null 2>&1"), 0)
      << "b3sum is not on PATH. The differential test needs it: install the "
         "Debian package `b3sum` (the project's install script does).";
  std::string dir_template = ::testing::TempDir() + "/blake3_b3sum_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  const std::string dir = dir_template;
  const std::string key_path = dir + "/key";
  ASSERT_TRUE(WriteFile(key_path, kTestKey.data(), kTestKey.size()));
  const std::string context = "modelseal b3sum differential test";

  const std::size_t kLengths[] = {0,
                                  1,
                                  1024,
                                  1025,
                                  65536,
                                  (std::size_t{1} << 20) + 3,
                                  (std::size_t{17} << 20) + 5};
  for (std::size_t length : kLengths) {
    SCOPED_TRACE(::testing::Message() << "length " << length);
    const std::vector<std::uint8_t> data = RandomBytes(length, length + 11);
    const std::string path = dir + "/input_" + std::to_string(length);
    ASSERT_TRUE(WriteFile(path, data.data(), data.size()));

    const std::string b3_hash =
        RunAndCapture(absl::StrCat("b3sum --no-names '", path, "'"));
    const std::string b3_long = RunAndCapture(
        absl::StrCat("b3sum --no-names --length 131 '", path, "'"));
    const std::string b3_keyed = RunAndCapture(absl::StrCat(
        "b3sum --keyed --no-names '", path, "' < '", key_path, "'"));
    const std::string b3_derive = RunAndCapture(absl::StrCat(
        "b3sum --no-names --derive-key '", context, "' '", path, "'"));
    ASSERT_EQ(b3_hash.size(), 64u) << "b3sum output: " << b3_hash;
    ASSERT_EQ(b3_long.size(), 2 * kExtendedLen);
    ASSERT_EQ(b3_keyed.size(), 64u);
    ASSERT_EQ(b3_derive.size(), 64u);

    for (Blake3Isa isa : Blake3SupportedIsas()) {
      SCOPED_TRACE(Blake3IsaName(isa));
      ScopedIsa scoped(isa);
      Blake3Hasher hasher;
      hasher.Update(data.data(), data.size());
      EXPECT_EQ(Hex(hasher.Finalize()), b3_hash);
      EXPECT_EQ(ExtendedHex(hasher, kExtendedLen), b3_long);
      Blake3Hasher keyed = Blake3Hasher::Keyed(kTestKey);
      keyed.Update(data.data(), data.size());
      EXPECT_EQ(Hex(keyed.Finalize()), b3_keyed);
      Blake3Hasher derive = Blake3Hasher::DeriveKey(context);
      derive.Update(data.data(), data.size());
      EXPECT_EQ(Hex(derive.Finalize()), b3_derive);
    }
    EXPECT_EQ(std::remove(path.c_str()), 0);
  }
  EXPECT_EQ(std::remove(key_path.c_str()), 0);
  EXPECT_EQ(rmdir(dir.c_str()), 0);
}

// ---- Subtree interface
// -------------------------------------------------------

// Largest power of two strictly below n (n >= 2).
std::uint64_t LeftSubtreeChunks(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

// Chaining value of chunks [lo, hi) from the per-piece CVs, where piece k
// covers chunks [k*S, (k+1)*S).
Blake3Hasher::ChainingValue MergeRange(
    const Blake3Hasher& merger,
    const std::vector<Blake3Hasher::ChainingValue>& pieces,
    std::uint64_t piece_chunks, std::uint64_t lo, std::uint64_t hi) {
  if (hi - lo <= piece_chunks) return pieces[lo / piece_chunks];
  const std::uint64_t mid = lo + LeftSubtreeChunks(hi - lo);
  return merger.MergeNonRoot(MergeRange(merger, pieces, piece_chunks, lo, mid),
                             MergeRange(merger, pieces, piece_chunks, mid, hi));
}

TEST(Blake3Test, SubtreesMergedInTreeShapeMatchOneShotDigest) {
  const std::size_t kLengths[] = {37 * kChunk + 100, 32 * kChunk, 64 * kChunk,
                                  9 * kChunk, 16 * kChunk + 1};
  for (std::size_t length : kLengths) {
    const std::vector<std::uint8_t> input = RandomBytes(length, length);
    const std::uint64_t total_chunks = (length + kChunk - 1) / kChunk;
    for (Mode mode : kModes) {
      Blake3Hasher whole = MakeHasher(mode);
      whole.Update(input.data(), input.size());
      const std::string want = ExtendedHex(whole, kExtendedLen);
      for (std::uint64_t piece_chunks : {1, 2, 4, 8}) {
        SCOPED_TRACE(::testing::Message()
                     << "length " << length << " " << ModeName(mode)
                     << " subtrees of " << piece_chunks << " chunks");
        ASSERT_GT(total_chunks, piece_chunks);
        std::vector<Blake3Hasher::ChainingValue> pieces;
        for (std::uint64_t first = 0; first < total_chunks;
             first += piece_chunks) {
          const std::size_t begin = first * kChunk;
          const std::size_t end =
              std::min<std::size_t>(length, (first + piece_chunks) * kChunk);
          Blake3Hasher piece = MakeHasher(mode);
          ASSERT_THAT(piece.SetInputOffset(begin), IsOk());
          // Uneven updates inside the piece exercise the chunk state too.
          const std::size_t middle = begin + (end - begin) / 3;
          piece.Update(input.data() + begin, middle - begin);
          piece.Update(input.data() + middle, end - middle);
          pieces.push_back(piece.FinalizeNonRoot());
        }
        const Blake3Hasher merger = MakeHasher(mode);
        const std::uint64_t mid = LeftSubtreeChunks(total_chunks);
        const auto left = MergeRange(merger, pieces, piece_chunks, 0, mid);
        const auto right =
            MergeRange(merger, pieces, piece_chunks, mid, total_chunks);
        std::vector<std::uint8_t> out(kExtendedLen);
        merger.MergeRoot(left, right, out.data(), out.size());
        EXPECT_EQ(Hex(out.data(), out.size()), want);
        merger.MergeRoot(left, right, out.data(), out.size() - 70, 70);
        EXPECT_EQ(Hex(out.data(), out.size() - 70), want.substr(140));
      }
    }
  }
}

TEST(Blake3Test, SetInputOffsetAfterUpdateFails) {
  Blake3Hasher hasher;
  hasher.Update("abc");
  EXPECT_THAT(
      hasher.SetInputOffset(4 * kChunk),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Update")));
  Blake3Hasher empty_update;
  empty_update.Update("");
  EXPECT_THAT(
      empty_update.SetInputOffset(kChunk),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Update")));
  // Reset() returns to the fresh state, where the offset is allowed again.
  hasher.Reset();
  EXPECT_THAT(hasher.SetInputOffset(4 * kChunk), IsOk());
}

TEST(Blake3Test, SetInputOffsetRejectsUnalignedOffsets) {
  Blake3Hasher hasher;
  EXPECT_THAT(
      hasher.SetInputOffset(1000),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("multiple")));
  EXPECT_THAT(
      hasher.SetInputOffset(kChunk + 1),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("multiple")));
  EXPECT_THAT(hasher.SetInputOffset(0), IsOk());
  EXPECT_THAT(hasher.SetInputOffset(7 * kChunk), IsOk());
}

// ---- Hasher state
// ------------------------------------------------------------

TEST(Blake3Test, FinalizeLeavesTheHasherOpenForMoreInput) {
  const std::vector<std::uint8_t> input = PatternInput(3000);
  Blake3Hasher whole;
  whole.Update(input.data(), input.size());
  Blake3Hasher split;
  split.Update(input.data(), 1500);
  (void)split.Finalize();
  split.Update(input.data() + 1500, 1500);
  EXPECT_EQ(Hex(split.Finalize()), Hex(whole.Finalize()));
}

TEST(Blake3Test, ResetKeepsTheModeAndKey) {
  const std::vector<std::uint8_t> input = PatternInput(5000);
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    Blake3Hasher fresh = MakeHasher(mode);
    fresh.Update(input.data(), input.size());
    Blake3Hasher reused = MakeHasher(mode);
    reused.Update("something else entirely");
    reused.Reset();
    reused.Update(input.data(), input.size());
    EXPECT_EQ(Hex(reused.Finalize()), Hex(fresh.Finalize()));
  }
}

}  // namespace
}  // namespace modelseal
