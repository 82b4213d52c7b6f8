#include "hash/sha256.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hash/cpu_features.h"
#include "hash/sha256_internal.h"

namespace modelseal::hash_internal {
namespace {

using Digest = std::array<std::uint8_t, Sha256Stream::kDigestBytes>;

constexpr char kNoShaNi[] =
    "this CPU lacks SHA-NI, so only the OpenSSL path exists here (it is "
    "covered by the */DefaultImplementation and */ForcedOpenSsl tests)";

std::string Hex(const Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t byte : digest) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

const std::uint8_t* Bytes(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

Digest OpenSslSha256(const std::uint8_t* data, std::size_t length) {
  Digest digest;
  SHA256(data, length, digest.data());
  return digest;
}

std::vector<std::uint8_t> RandomBytes(std::size_t length, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> out(length);
  for (auto& byte : out) byte = static_cast<std::uint8_t>(rng());
  return out;
}

Digest HashOnce(std::string_view message) {
  Sha256Stream stream;
  stream.Update(Bytes(message), message.size());
  return stream.Finish();
}

// Feeds both messages through Sha256UpdatePair in slices of the given sizes;
// once one message is used up its side continues with empty slices.
std::pair<Digest, Digest> HashPairInSlices(Sha256Stream& a,
                                           const std::vector<std::uint8_t>& x,
                                           std::size_t slice_x, Sha256Stream& b,
                                           const std::vector<std::uint8_t>& y,
                                           std::size_t slice_y) {
  std::size_t done_x = 0;
  std::size_t done_y = 0;
  while (done_x < x.size() || done_y < y.size()) {
    const std::size_t take_x = std::min(slice_x, x.size() - done_x);
    const std::size_t take_y = std::min(slice_y, y.size() - done_y);
    Sha256UpdatePair(a, x.data() + done_x, take_x, b, y.data() + done_y,
                     take_y);
    done_x += take_x;
    done_y += take_y;
  }
  return {a.Finish(), b.Finish()};
}

TEST(Sha256Test, PortableCompressionGivesTheFipsExampleDigestForAbc) {
  std::uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;
  std::uint32_t state[8];
  std::memcpy(state, kSha256InitialState, sizeof(state));
  Sha256CompressPortable(state, block, 1);
  EXPECT_THAT(state, ::testing::ElementsAre(0xba7816bf, 0x8f01cfea, 0x414140de,
                                            0x5dae2223, 0xb00361a3, 0x96177a9c,
                                            0xb410ff61, 0xf20015ad));
}

TEST(Sha256Test, ImplementationNameFollowsTheCpuAndTheTestHooks) {
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.sha_ni) {
    EXPECT_TRUE(Sha256ShaNiUsable()) << "the SHA-NI start-up check failed";
    EXPECT_EQ(Sha256Avx512Usable(), cpu.avx512)
        << "the AVX-512 start-up check failed";
    EXPECT_STREQ(Sha256ImplementationName(),
                 cpu.avx512 ? "sha-ni+avx512" : "sha-ni");
    EXPECT_EQ(Sha256StreamsPerCore(),
              cpu.avx512 ? kSha256WideLanes : kSha256MaxInterleave);
    Sha256DisableAvx512ForTesting(true);
    EXPECT_STREQ(Sha256ImplementationName(), "sha-ni");
    EXPECT_EQ(Sha256StreamsPerCore(), kSha256MaxInterleave);
    Sha256DisableAvx512ForTesting(false);
  } else {
    EXPECT_FALSE(Sha256ShaNiUsable());
    EXPECT_FALSE(Sha256Avx512Usable());
    EXPECT_STREQ(Sha256ImplementationName(), "openssl");
  }
  Sha256ForceOpenSslForTesting(true);
  EXPECT_STREQ(Sha256ImplementationName(), "openssl");
  EXPECT_EQ(Sha256StreamsPerCore(), kSha256MaxInterleave);
  Sha256ForceOpenSslForTesting(false);
}

// Each lane with its own start state, its own input at its own alignment:
// a transposition that swaps lanes or words, or a wrong round constant, shows
// up as a mismatch in some lane.
TEST(Sha256Test, Avx512KernelMatchesPortableInEveryLane) {
  if (!GetCpuFeatures().sha_ni || !GetCpuFeatures().avx512) {
    GTEST_SKIP() << "this CPU lacks SHA-NI or AVX-512, so the sixteen-lane "
                    "kernel is never used here";
  }
  std::mt19937 rng(20261201);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t blocks = trial == 0 ? 0 : 1 + rng() % 24;
    const std::vector<std::uint8_t> input =
        RandomBytes(kSha256WideLanes * (blocks * 64 + 16), rng());
    std::uint32_t portable[kSha256WideLanes][8], wide[kSha256WideLanes][8];
    const std::uint8_t* data[kSha256WideLanes];
    std::uint32_t* states[kSha256WideLanes];
    for (std::size_t lane = 0; lane < kSha256WideLanes; ++lane) {
      data[lane] = input.data() + lane * (blocks * 64 + 16) + rng() % 16;
      for (int i = 0; i < 8; ++i) portable[lane][i] = rng();
      states[lane] = wide[lane];
    }
    std::memcpy(wide, portable, sizeof(wide));
    for (std::size_t lane = 0; lane < kSha256WideLanes; ++lane) {
      Sha256CompressPortable(portable[lane], data[lane], blocks);
    }
    Sha256CompressAvx512X16(states, data, blocks);
    for (std::size_t lane = 0; lane < kSha256WideLanes; ++lane) {
      ASSERT_THAT(wide[lane], ::testing::ElementsAreArray(portable[lane]))
          << "trial " << trial << ", lane " << lane << ", " << blocks
          << " blocks";
    }
  }
}

TEST(Sha256Test, ShaNiKernelsMatchPortableOnRandomMultiBlockInputs) {
  if (!GetCpuFeatures().sha_ni) GTEST_SKIP() << kNoShaNi;
  std::mt19937 rng(20240611);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t blocks = 1 + rng() % 40;
    // Offsets 0..15 so that the kernels see every alignment of their input.
    const std::vector<std::uint8_t> input =
        RandomBytes(2 * blocks * 64 + 32, rng());
    const std::uint8_t* a = input.data() + rng() % 16;
    const std::uint8_t* b = a + blocks * 64 + rng() % 16;

    std::uint32_t start_a[8], start_b[8];
    for (int i = 0; i < 8; ++i) {
      start_a[i] = rng();
      start_b[i] = rng();
    }
    std::uint32_t portable_a[8], portable_b[8], single_a[8], single_b[8],
        pair_a[8], pair_b[8];
    std::memcpy(portable_a, start_a, sizeof(start_a));
    std::memcpy(single_a, start_a, sizeof(start_a));
    std::memcpy(pair_a, start_a, sizeof(start_a));
    std::memcpy(portable_b, start_b, sizeof(start_b));
    std::memcpy(single_b, start_b, sizeof(start_b));
    std::memcpy(pair_b, start_b, sizeof(start_b));

    Sha256CompressPortable(portable_a, a, blocks);
    Sha256CompressPortable(portable_b, b, blocks);
    Sha256CompressShaNi(single_a, a, blocks);
    Sha256CompressShaNi(single_b, b, blocks);
    Sha256CompressShaNiX2(pair_a, a, pair_b, b, blocks);

    ASSERT_THAT(single_a, ::testing::ElementsAreArray(portable_a))
        << "trial " << trial << ", " << blocks << " blocks";
    ASSERT_THAT(single_b, ::testing::ElementsAreArray(portable_b))
        << "trial " << trial << ", " << blocks << " blocks";
    ASSERT_THAT(pair_a, ::testing::ElementsAreArray(portable_a))
        << "trial " << trial << ", " << blocks << " blocks";
    ASSERT_THAT(pair_b, ::testing::ElementsAreArray(portable_b))
        << "trial " << trial << ", " << blocks << " blocks";
  }
}

TEST(Sha256Test, ShaNiKernelsLeaveTheStateAloneForZeroBlocks) {
  if (!GetCpuFeatures().sha_ni) GTEST_SKIP() << kNoShaNi;
  std::uint32_t a[8], b[8];
  std::memcpy(a, kSha256InitialState, sizeof(a));
  std::memcpy(b, kSha256InitialState, sizeof(b));
  Sha256CompressShaNi(a, nullptr, 0);
  Sha256CompressShaNiX2(a, nullptr, b, nullptr, 0);
  EXPECT_THAT(a, ::testing::ElementsAreArray(kSha256InitialState));
  EXPECT_THAT(b, ::testing::ElementsAreArray(kSha256InitialState));
}

TEST(Sha256Test, StreamsCreatedBeforeAndAfterForcingOpenSslCanBePaired) {
  const std::vector<std::uint8_t> x = RandomBytes(100'000, 1);
  const std::vector<std::uint8_t> y = RandomBytes(77'777, 2);
  Sha256Stream before;
  Sha256ForceOpenSslForTesting(true);
  Sha256Stream after;
  Sha256ForceOpenSslForTesting(false);
  const auto [dx, dy] = HashPairInSlices(before, x, 4097, after, y, 65);
  EXPECT_EQ(Hex(dx), Hex(OpenSslSha256(x.data(), x.size())));
  EXPECT_EQ(Hex(dy), Hex(OpenSslSha256(y.data(), y.size())));
  // The same pair again, now in the other order.
  const auto [dy2, dx2] = HashPairInSlices(after, y, 1, before, x, 1 << 20);
  EXPECT_EQ(Hex(dx2), Hex(dx));
  EXPECT_EQ(Hex(dy2), Hex(dy));
}

// Every stream behaviour is tested twice: with the implementation this CPU
// selects (SHA-NI where available) and with OpenSSL forced.
class Sha256StreamTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { Sha256ForceOpenSslForTesting(GetParam()); }
  void TearDown() override { Sha256ForceOpenSslForTesting(false); }
};

TEST_P(Sha256StreamTest, MatchesFipsAndNistKnownAnswers) {
  EXPECT_EQ(Hex(HashOnce("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(HashOnce("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Hex(HashOnce("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(HashOnce("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijk"
                         "lmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstno"
                         "pqrstu")),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_P(Sha256StreamTest, MatchesTheNistOneMillionAMessageInAnySlicing) {
  const std::string million(1'000'000, 'a');
  constexpr char kWant[] =
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(Hex(HashOnce(million)), kWant);

  Sha256Stream stream;
  for (std::size_t slice : {1, 63, 64, 65, 1000, 4095}) {
    for (std::size_t done = 0; done < million.size(); done += slice) {
      stream.Update(Bytes(million) + done,
                    std::min(slice, million.size() - done));
    }
    EXPECT_EQ(Hex(stream.Finish()), kWant) << "slices of " << slice;
  }
}

TEST_P(Sha256StreamTest, MatchesOpenSslForEveryLengthUpTo300AndEverySplit) {
  const std::vector<std::uint8_t> data = RandomBytes(300, 3);
  Sha256Stream stream;
  for (std::size_t length = 0; length <= 300; ++length) {
    const std::string want = Hex(OpenSslSha256(data.data(), length));
    stream.Update(data.data(), length);
    ASSERT_EQ(Hex(stream.Finish()), want) << "length " << length;
    for (std::size_t split = 0; split <= length; ++split) {
      stream.Update(data.data(), split);
      stream.Update(data.data() + split, length - split);
      ASSERT_EQ(Hex(stream.Finish()), want)
          << "length " << length << " split at " << split;
    }
  }
}

TEST_P(Sha256StreamTest, MatchesOpenSslAtRandomLengthsUpToOneMebibyte) {
  std::mt19937 rng(4);
  const std::vector<std::uint8_t> data = RandomBytes(1 << 20, 5);
  Sha256Stream stream;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t length = rng() % (data.size() + 1);
    const std::size_t max_update = 1 + rng() % 200'000;
    for (std::size_t done = 0; done < length;) {
      const std::size_t take =
          std::min<std::size_t>(length - done, rng() % (max_update + 1));
      stream.Update(data.data() + done, take);
      done += take;
    }
    ASSERT_EQ(Hex(stream.Finish()), Hex(OpenSslSha256(data.data(), length)))
        << "length " << length;
  }
}

TEST_P(Sha256StreamTest, PairMatchesOpenSslAtEveryLengthCombination) {
  const std::vector<std::uint8_t> x = RandomBytes(400, 6);
  const std::vector<std::uint8_t> y = RandomBytes(400, 7);
  Sha256Stream a;
  Sha256Stream b;
  for (std::size_t length_a = 0; length_a <= 200; ++length_a) {
    for (std::size_t length_b = 0; length_b <= 200; ++length_b) {
      // A varying prefix leaves each stream with a different partial block
      // before the paired update.
      const std::size_t prefix_a = (length_a * 7 + length_b) % 80;
      const std::size_t prefix_b = (length_b * 13 + length_a) % 80;
      a.Update(x.data(), prefix_a);
      b.Update(y.data(), prefix_b);
      Sha256UpdatePair(a, x.data() + prefix_a, length_a, b, y.data() + prefix_b,
                       length_b);
      ASSERT_EQ(Hex(a.Finish()),
                Hex(OpenSslSha256(x.data(), prefix_a + length_a)))
          << "lengths " << length_a << " and " << length_b;
      ASSERT_EQ(Hex(b.Finish()),
                Hex(OpenSslSha256(y.data(), prefix_b + length_b)))
          << "lengths " << length_a << " and " << length_b;
    }
  }
}

TEST_P(Sha256StreamTest, PairMatchesOpenSslWithOddUpdateSizesOnBothSides) {
  const std::vector<std::uint8_t> x = RandomBytes(300'001, 8);
  const std::vector<std::uint8_t> y = RandomBytes(123'457, 9);
  const std::string want_x = Hex(OpenSslSha256(x.data(), x.size()));
  const std::string want_y = Hex(OpenSslSha256(y.data(), y.size()));
  // The same two streams are reused (after Finish) for every combination.
  Sha256Stream a;
  Sha256Stream b;
  for (std::size_t slice_x :
       {1, 55, 56, 63, 64, 65, 127, 4095, 4096, 65537, 1 << 20}) {
    for (std::size_t slice_y : {1, 55, 56, 63, 64, 65, 127, 4095, 65537}) {
      if (slice_x == 1 && slice_y == 1) continue;  // Slow and adds nothing.
      const auto [dx, dy] = HashPairInSlices(a, x, slice_x, b, y, slice_y);
      ASSERT_EQ(Hex(dx), want_x) << "slices " << slice_x << "/" << slice_y;
      ASSERT_EQ(Hex(dy), want_y) << "slices " << slice_x << "/" << slice_y;
    }
  }
}

TEST_P(Sha256StreamTest, PairHandlesEmptyAndVeryUnequalInputs) {
  const std::vector<std::uint8_t> big = RandomBytes((1 << 20) + 3, 10);
  const std::vector<std::uint8_t> small = RandomBytes(17, 11);
  const std::vector<std::uint8_t> empty;
  Sha256Stream a;
  Sha256Stream b;
  for (int round = 0; round < 2; ++round) {
    auto [d_big, d_small] = HashPairInSlices(a, big, big.size(), b, small, 17);
    EXPECT_EQ(Hex(d_big), Hex(OpenSslSha256(big.data(), big.size())));
    EXPECT_EQ(Hex(d_small), Hex(OpenSslSha256(small.data(), small.size())));
    auto [d_empty, d_big2] = HashPairInSlices(a, empty, 1, b, big, 1000);
    EXPECT_EQ(Hex(d_empty), Hex(OpenSslSha256(nullptr, 0)));
    EXPECT_EQ(Hex(d_big2), Hex(d_big));
  }
  // Empty updates (null pointers included) on streams holding partial blocks.
  a.Update(small.data(), 5);
  b.Update(small.data(), 5);
  Sha256UpdatePair(a, nullptr, 0, b, nullptr, 0);
  a.Update(nullptr, 0);
  Sha256UpdatePair(a, small.data() + 5, 12, b, nullptr, 0);
  b.Update(small.data() + 5, 12);
  EXPECT_EQ(Hex(a.Finish()), Hex(OpenSslSha256(small.data(), small.size())));
  EXPECT_EQ(Hex(b.Finish()), Hex(OpenSslSha256(small.data(), small.size())));
  // Pairing one message with itself (two streams over the same memory).
  Sha256UpdatePair(a, big.data(), big.size(), b, big.data(), big.size());
  EXPECT_EQ(Hex(a.Finish()), Hex(b.Finish()));
}

TEST_P(Sha256StreamTest, PairedAndSingleUpdatesCanBeMixedInOneMessage) {
  const std::vector<std::uint8_t> x = RandomBytes(200'000, 12);
  const std::vector<std::uint8_t> y = RandomBytes(200'000, 13);
  Sha256Stream a;
  Sha256Stream b;
  a.Update(x.data(), 1);
  Sha256UpdatePair(a, x.data() + 1, 70'000, b, y.data(), 90'001);
  b.Update(y.data() + 90'001, 9);
  Sha256UpdatePair(b, y.data() + 90'010, 109'990, a, x.data() + 70'001,
                   129'999);
  EXPECT_EQ(Hex(a.Finish()), Hex(OpenSslSha256(x.data(), x.size())));
  EXPECT_EQ(Hex(b.Finish()), Hex(OpenSslSha256(y.data(), y.size())));
}

TEST_P(Sha256StreamTest, MovedStreamContinuesTheMessage) {
  const std::vector<std::uint8_t> x = RandomBytes(1000, 14);
  Sha256Stream first;
  first.Update(x.data(), 333);
  Sha256Stream second(std::move(first));
  second.Update(x.data() + 333, 300);
  Sha256Stream third;
  third = std::move(second);
  third.Update(x.data() + 633, 367);
  EXPECT_EQ(Hex(third.Finish()), Hex(OpenSslSha256(x.data(), x.size())));
}

TEST_P(Sha256StreamTest, MatchesTheSha256sumBinaryOnFiles) {
  const std::size_t sizes[] = {0, 1, 64, 1000, (1 << 20) + 17, 3 << 20};
  std::vector<std::string> paths;
  std::vector<std::vector<std::uint8_t>> contents;
  for (std::size_t i = 0; i < std::size(sizes); ++i) {
    paths.push_back(::testing::TempDir() + "sha256_test_" +
                    std::to_string(::getpid()) + "_" + std::to_string(i) +
                    (GetParam() ? "_openssl" : "_default") + ".bin");
    contents.push_back(RandomBytes(sizes[i], 100 + i));
    std::ofstream out(paths.back(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(contents.back().data()),
              static_cast<std::streamsize>(contents.back().size()));
    ASSERT_TRUE(out.good()) << paths.back();
  }

  std::vector<std::string> expected;
  for (const std::string& path : paths) {
    const std::string command = "sha256sum '" + path + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr) << command;
    char line[256] = {};
    const bool read = std::fgets(line, sizeof(line), pipe) != nullptr;
    ASSERT_EQ(::pclose(pipe), 0) << command;
    ASSERT_TRUE(read) << command;
    expected.push_back(std::string(line, 64));
  }

  // Each file alone, then neighbouring files paired the way the engine
  // hashes two files at once.
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Sha256Stream stream;
    stream.Update(contents[i].data(), contents[i].size());
    EXPECT_EQ(Hex(stream.Finish()), expected[i]) << paths[i];
  }
  Sha256Stream a;
  Sha256Stream b;
  for (std::size_t i = 0; i + 1 < paths.size(); ++i) {
    const auto [da, db] =
        HashPairInSlices(a, contents[i], 1 << 20, b, contents[i + 1], 1 << 20);
    EXPECT_EQ(Hex(da), expected[i]) << paths[i];
    EXPECT_EQ(Hex(db), expected[i + 1]) << paths[i + 1];
  }
  for (const std::string& path : paths) std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(BothImplementations, Sha256StreamTest,
                         ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return std::string(param_info.param
                                                  ? "ForcedOpenSsl"
                                                  : "DefaultImplementation");
                         });

}  // namespace
}  // namespace modelseal::hash_internal
