// c2sp.org/tlog-tiles paths, widths, tile and bundle encodings, and the tile
// accumulator the writer and the auditor share.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/limits.h"
#include "modelseal/transparency_log.h"
#include "tests/testing/status_matchers.h"
#include "tests/tlog/reference_tree.h"
#include "tlog/tiles.h"

namespace modelseal::tlog {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;
using tlog_internal::TileAccumulator;

TEST(TilesTest, ParseHashTileRejectsWrongLengths) {
  EXPECT_THAT(ParseHashTile(std::string(32 * 3 - 1, 'a'), 3),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("95 bytes, want 96")));
  EXPECT_THAT(ParseHashTile(std::string(32 * 4, 'a'), 3),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(ParseHashTile("", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  EXPECT_THAT(ParseHashTile(std::string(32 * 257, 'a'), 257),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
}

TEST(TilesTest, ParseEntryBundleRejectsMalformedBundles) {
  for (const auto& [data, width] : std::vector<std::pair<std::string, int>>{
           {std::string("\x00", 1), 1},  // half a length
           {std::string("\x00\x05"
                        "abc",
                        5),
            1},  // truncated entry
           {std::string("\x00\x01"
                        "a"
                        "\x00",
                        4),
            1},  // trailing bytes
           {std::string("\x00\x01"
                        "a",
                        3),
            2},  // too few entries
           {std::string(""), 1},
           {std::string("\x00\x00", 2), 0},
       }) {
    EXPECT_THAT(ParseEntryBundle(data, width),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("")));
  }
  const std::vector<std::string> too_big = {std::string(65536, 'x')};
  EXPECT_THAT(FormatEntryBundle(too_big),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65535")));
  const std::vector<std::string> too_many(257, "x");
  EXPECT_THAT(FormatEntryBundle(too_many),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("256")));
}

TEST(TilesTest, PathsMatchTheSpec) {
  EXPECT_EQ(TilePath(0, 1234067, 256), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePath(0, 0, 256), "tile/0/000");
  EXPECT_EQ(TilePath(1, 7, 256), "tile/1/007");
  EXPECT_EQ(TilePath(2, 1000, 17), "tile/2/x001/000.p/17");
  EXPECT_EQ(TilePath(0, 999, 1), "tile/0/999.p/1");
  EXPECT_EQ(TilePath(3, 1234567890, 255), "tile/3/x001/x234/x567/890.p/255");
  EXPECT_EQ(EntryBundlePath(1234067, 256), "tile/entries/x001/x234/067");
  EXPECT_EQ(EntryBundlePath(0, 112), "tile/entries/000.p/112");
}

TEST(TilesTest, WidthsMatchTheSpecExamples) {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
  // partial level 0 tile of width 112, one full level 1 tile, one partial
  // level 1 tile of width 17, and one partial level 2 tile of width 1."
  EXPECT_EQ(TileWidth(0, 0, 70000), 256);
  EXPECT_EQ(TileWidth(0, 272, 70000), 256);
  EXPECT_EQ(TileWidth(0, 273, 70000), 112);
  EXPECT_EQ(TileWidth(0, 274, 70000), 0);
  EXPECT_EQ(TileWidth(1, 0, 70000), 256);
  EXPECT_EQ(TileWidth(1, 1, 70000), 17);
  EXPECT_EQ(TileWidth(2, 0, 70000), 1);
  EXPECT_EQ(TileWidth(3, 0, 70000), 0);
  // "a tree of size 256 will be represented by a full level 0 tile and a
  // partial level 1 tile of width 1."
  EXPECT_EQ(TileWidth(0, 0, 256), 256);
  EXPECT_EQ(TileWidth(0, 1, 256), 0);
  EXPECT_EQ(TileWidth(1, 0, 256), 1);
  EXPECT_EQ(TileWidth(0, 0, 0), 0);
  EXPECT_EQ(TileWidth(64, 0, 1), 0);
  EXPECT_EQ(TileWidth(0, ~std::uint64_t{0}, 5), 0);
}

TEST(TilesTest, EntryBundlesRoundTrip) {
  const std::vector<std::string> entries = {"", "a", std::string(65535, 'z'),
                                            std::string("\x00\xff", 2)};
  auto bundle = FormatEntryBundle(entries);
  ASSERT_THAT(bundle, IsOk());
  EXPECT_EQ(bundle->size(), 4 * 2 + 0 + 1 + 65535 + 2);
  EXPECT_EQ(bundle->substr(0, 5), std::string("\x00\x00\x00\x01"
                                              "a",
                                              5));
  auto parsed = ParseEntryBundle(*bundle, 4);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, entries);
}

TEST(TilesTest, AccumulatorRejectsAnInconsistentEdge) {
  std::vector<std::vector<Hash>> edge(1, std::vector<Hash>(3));
  EXPECT_THAT(TileAccumulator::FromEdge(4, edge),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 3 hashes, want 4")));
  EXPECT_THAT(
      TileAccumulator::FromEdge(256, {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("level 1")));
}

TEST(TilesTest, AccumulatorMatchesTheReferenceTree) {
  testing::ReferenceTree reference;
  TileAccumulator tree;
  std::vector<std::tuple<int, std::uint64_t, std::size_t>> full_tiles;
  const TileAccumulator::FullTileCallback record =
      [&](int level, std::uint64_t index,
          const std::vector<Hash>& hashes) -> absl::Status {
    full_tiles.emplace_back(level, index, hashes.size());
    // Level-0 tiles are leaf hashes; level-1 hashes are roots of 256 leaves.
    const std::uint64_t span = std::uint64_t{256} << (8 * level);
    EXPECT_EQ(RootFromLeafHashes(hashes),
              reference.Mth(index * span, (index + 1) * span));
    return absl::OkStatus();
  };
  for (int i = 0; i < 66000; ++i) {
    const std::string entry = absl::StrCat("entry ", i);
    reference.AppendEntry(entry);
    ASSERT_THAT(tree.Add(HashLeaf(entry), record), IsOk());
    if (i < 600 || i % 997 == 0 || i >= 65530) {
      ASSERT_EQ(tree.Root(), reference.Root(i + 1)) << i;
    }
  }
  // 257 full level-0 tiles and one level-1 tile, in completion order.
  ASSERT_EQ(full_tiles.size(), 257u + 1u);
  EXPECT_EQ(full_tiles[255], std::make_tuple(0, std::uint64_t{255}, 256u));
  EXPECT_EQ(full_tiles[256], std::make_tuple(1, std::uint64_t{0}, 256u));
  EXPECT_EQ(tree.Edge(0).size(), 66000u % 256);
  EXPECT_EQ(tree.Edge(1).size(), 1u);  // 66000 / 256 = 257 -> one at level 1
  EXPECT_EQ(tree.Edge(2).size(), 1u);

  // Rebuilt from its edge, the accumulator continues identically.
  std::vector<std::vector<Hash>> edge;
  for (int level = 0; level < 3; ++level) edge.push_back(tree.Edge(level));
  auto resumed = TileAccumulator::FromEdge(tree.size(), edge);
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->Root(), tree.Root());
}

}  // namespace
}  // namespace modelseal::tlog
