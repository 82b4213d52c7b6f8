// c2sp.org/tlog-tiles layout and the tile machinery both ends of the log
// share. A tile at level L holds hashes of the tree at height 8L, so a
// complete subtree of height 8L + r is one node of the tile's internal
// height-8 tree: computing every tile's internal nodes once makes each proof
// step a lookup, and a proof at a million entries touches three tiles.
#include "tlog/tiles.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::tlog {
namespace {

std::string EncodeIndex(std::uint64_t index) {
  std::string digits = absl::StrCat(index);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 3) {
    const bool last = i + 3 == digits.size();
    absl::StrAppend(&out, last ? "" : "x", digits.substr(i, 3),
                    last ? "" : "/");
  }
  return out;
}

std::string WidthSuffix(int width) {
  return width == kTileWidth ? "" : absl::StrCat(".p/", width);
}

}  // namespace

std::string TilePath(int level, std::uint64_t index, int width) {
  return absl::StrCat("tile/", level, "/", EncodeIndex(index),
                      WidthSuffix(width));
}

std::string EntryBundlePath(std::uint64_t index, int width) {
  return absl::StrCat("tile/entries/", EncodeIndex(index), WidthSuffix(width));
}

int TileWidth(int level, std::uint64_t index, std::uint64_t tree_size) {
  if (level < 0 || level * kTileHeight >= 64) return 0;
  // tlog-tiles: level L has floor(size / 256^L) hashes.
  const std::uint64_t hashes = tree_size >> (level * kTileHeight);
  const std::uint64_t full_tiles = hashes >> kTileHeight;
  if (index < full_tiles) return kTileWidth;
  if (index == full_tiles) return static_cast<int>(hashes % kTileWidth);
  return 0;
}

absl::StatusOr<std::vector<Hash>> ParseHashTile(absl::string_view data,
                                                int width) {
  if (width < 1 || width > kTileWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("tile width ", width, " is not in [1, 256]"));
  }
  if (data.size() != static_cast<std::size_t>(width) * kHashBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("tile is ", data.size(), " bytes, want ",
                     static_cast<std::size_t>(width) * kHashBytes));
  }
  std::vector<Hash> hashes(static_cast<std::size_t>(width));
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    std::memcpy(hashes[i].data(), data.data() + i * kHashBytes, kHashBytes);
  }
  return hashes;
}

absl::StatusOr<std::vector<std::string>> ParseEntryBundle(
    absl::string_view data, int width) {
  if (width < 1 || width > kTileWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry bundle width ", width, " is not in [1, 256]"));
  }
  std::vector<std::string> entries;
  entries.reserve(static_cast<std::size_t>(width));
  while (!data.empty()) {
    if (entries.size() == static_cast<std::size_t>(width)) {
      return absl::InvalidArgumentError(
          absl::StrCat("entry bundle has bytes after its ", width, " entries"));
    }
    if (data.size() < 2) {
      return absl::InvalidArgumentError("entry bundle ends inside a length");
    }
    const std::size_t length =
        (std::size_t{static_cast<std::uint8_t>(data[0])} << 8) |
        std::size_t{static_cast<std::uint8_t>(data[1])};
    data.remove_prefix(2);
    if (data.size() < length) {
      return absl::InvalidArgumentError(absl::StrCat(
          "entry bundle entry ", entries.size(), " is truncated: ", data.size(),
          " of ", length, " bytes"));
    }
    entries.emplace_back(data.substr(0, length));
    data.remove_prefix(length);
  }
  if (entries.size() != static_cast<std::size_t>(width)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry bundle has ", entries.size(), " entries, want ", width));
  }
  return entries;
}

absl::StatusOr<std::string> FormatEntryBundle(
    absl::Span<const std::string> entries) {
  if (entries.size() > static_cast<std::size_t>(kTileWidth)) {
    return absl::InvalidArgumentError("an entry bundle holds at most 256");
  }
  std::size_t total = 0;
  for (const std::string& entry : entries) {
    if (entry.size() > limits::kMaxLogEntryBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("log entry is ", entry.size(), " bytes, more than ",
                       limits::kMaxLogEntryBytes));
    }
    total += 2 + entry.size();
  }
  std::string out;
  out.reserve(total);
  for (const std::string& entry : entries) {
    out.push_back(static_cast<char>(entry.size() >> 8));
    out.push_back(static_cast<char>(entry.size() & 0xff));
    out.append(entry);
  }
  return out;
}

}  // namespace modelseal::tlog

namespace modelseal::tlog_internal {
namespace {

using tlog::kTileWidth;

class DirectoryFetcher final : public TileFetcher {
 public:
  DirectoryFetcher(Env& env, std::string dir)
      : env_(env), dir_(std::move(dir)) {}

  absl::StatusOr<std::string> Fetch(const std::string& relative_path,
                                    std::size_t max_bytes) override {
    return env_.ReadFileToString(JoinPath(dir_, relative_path), max_bytes);
  }
  std::string Describe() const override { return dir_; }

 private:
  Env& env_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<TileFetcher> NewDirectoryFetcher(Env& env, std::string dir) {
  return std::make_unique<DirectoryFetcher>(env, std::move(dir));
}

TileNodes BuildTileNodes(std::vector<Hash> hashes) {
  TileNodes tile;
  tile.width = static_cast<int>(hashes.size());
  tile.nodes[0] = std::move(hashes);
  for (int h = 1; h <= tlog::kTileHeight; ++h) {
    const std::vector<Hash>& below = tile.nodes[h - 1];
    std::vector<Hash>& level = tile.nodes[h];
    level.resize(below.size() / 2);
    for (std::size_t i = 0; i < level.size(); ++i) {
      level[i] = tlog::HashChildren(below[2 * i], below[2 * i + 1]);
    }
  }
  return tile;
}

absl::StatusOr<TileStore::Fetched> TileStore::FetchWithFallback(
    const std::string& partial, const std::string& full, int width,
    std::size_t max_bytes) {
  if (width != kTileWidth) {
    absl::StatusOr<std::string> data = fetcher_.Fetch(partial, max_bytes);
    if (data.ok()) return Fetched{*std::move(data), false};
    if (!absl::IsNotFound(data.status())) return data.status();
  }
  // tlog-tiles lets a log delete a partial tile once the full one exists.
  absl::StatusOr<std::string> whole = fetcher_.Fetch(full, max_bytes);
  if (!whole.ok()) {
    if (absl::IsNotFound(whole.status()) && width != kTileWidth) {
      return absl::NotFoundError(absl::StrCat(fetcher_.Describe(), ": neither ",
                                              partial, " nor ", full,
                                              " exists"));
    }
    return whole.status();
  }
  return Fetched{*std::move(whole), true};
}

absl::StatusOr<std::vector<Hash>> TileStore::FetchHashes(int level,
                                                         std::uint64_t index,
                                                         int width) {
  if (width < 1 || width > kTileWidth) {
    return absl::InternalError(absl::StrCat("tile width ", width));
  }
  const std::string full_path = tlog::TilePath(level, index, kTileWidth);
  const std::string path = tlog::TilePath(level, index, width);
  MODELSEAL_ASSIGN_OR_RETURN(
      Fetched fetched,
      FetchWithFallback(path, full_path, width, limits::kMaxHashTileBytes));
  absl::StatusOr<std::vector<Hash>> hashes =
      tlog::ParseHashTile(fetched.data, fetched.from_full ? kTileWidth : width);
  if (!hashes.ok()) {
    return absl::DataLossError(absl::StrCat(
        fetcher_.Describe(), ": ", fetched.from_full ? full_path : path, ": ",
        hashes.status().message()));
  }
  hashes->resize(static_cast<std::size_t>(width));
  return hashes;
}

absl::StatusOr<std::shared_ptr<const TileNodes>> TileStore::Get(
    int level, std::uint64_t index, int width) {
  const auto key = std::make_tuple(level, index, width);
  auto cached = cache_.find(key);
  if (cached != cache_.end()) return cached->second;
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                             FetchHashes(level, index, width));
  auto tile =
      std::make_shared<const TileNodes>(BuildTileNodes(std::move(hashes)));
  if (cache_.size() >= limits::kMaxCachedTiles) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  cache_.emplace(key, tile);
  order_.push_back(key);
  return tile;
}

absl::StatusOr<std::vector<std::string>> TileStore::GetEntries(
    std::uint64_t index, int width) {
  const std::string full_path = tlog::EntryBundlePath(index, kTileWidth);
  const std::string path = tlog::EntryBundlePath(index, width);
  MODELSEAL_ASSIGN_OR_RETURN(
      Fetched fetched,
      FetchWithFallback(path, full_path, width, limits::kMaxEntryBundleBytes));
  absl::StatusOr<std::vector<std::string>> entries = tlog::ParseEntryBundle(
      fetched.data, fetched.from_full ? kTileWidth : width);
  if (!entries.ok()) {
    return absl::DataLossError(absl::StrCat(
        fetcher_.Describe(), ": ", fetched.from_full ? full_path : path, ": ",
        entries.status().message()));
  }
  entries->resize(static_cast<std::size_t>(width));
  return entries;
}

void TileStore::Clear() {
  cache_.clear();
  order_.clear();
}

absl::StatusOr<Hash> TileHashSource::SubtreeHash(int level,
                                                 std::uint64_t index) {
  const int tile_level = level / tlog::kTileHeight;
  const int height = level % tlog::kTileHeight;
  if (tile_level >= kMaxTileLevels ||
      index > (tree_size_ >> level)) {  // also keeps the shifts in range
    return absl::InvalidArgumentError("subtree lies outside the tree");
  }
  const std::uint64_t first = index << height;  // position at tile level
  const std::uint64_t tile_index = first >> tlog::kTileHeight;
  const int offset = static_cast<int>(first % kTileWidth);
  const int width = tlog::TileWidth(tile_level, tile_index, tree_size_);
  if (offset + (1 << height) > width) {
    return absl::InvalidArgumentError("subtree lies outside the tree");
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::shared_ptr<const TileNodes> tile,
                             store_.Get(tile_level, tile_index, width));
  return tile->nodes[height][static_cast<std::size_t>(offset >> height)];
}

absl::StatusOr<TileAccumulator> TileAccumulator::FromEdge(
    std::uint64_t size, std::vector<std::vector<Hash>> edge) {
  if (size > limits::kMaxLogTreeSize || edge.size() > kMaxTileLevels) {
    return absl::InvalidArgumentError("tree edge is out of range");
  }
  TileAccumulator accumulator;
  accumulator.size_ = size;
  for (int level = 0; level < kMaxTileLevels; ++level) {
    const std::size_t want = static_cast<std::size_t>(
        (size >> (level * tlog::kTileHeight)) % kTileWidth);
    const std::size_t have =
        static_cast<std::size_t>(level) < edge.size() ? edge[level].size() : 0;
    if (have != want) {
      return absl::InvalidArgumentError(absl::StrCat("partial tile at level ",
                                                     level, " has ", have,
                                                     " hashes, want ", want));
    }
    if (have > 0) accumulator.edge_[level] = std::move(edge[level]);
  }
  return accumulator;
}

absl::Status TileAccumulator::Add(const Hash& leaf_hash,
                                  const FullTileCallback& on_full) {
  if (size_ >= limits::kMaxLogTreeSize) {
    return absl::ResourceExhaustedError("log is full");
  }
  absl::Status first_error;
  Hash hash = leaf_hash;
  for (int level = 0; level < kMaxTileLevels; ++level) {
    edge_[level].push_back(hash);
    if (edge_[level].size() < static_cast<std::size_t>(kTileWidth)) break;
    std::vector<Hash> full = std::move(edge_[level]);
    edge_[level].clear();
    const std::uint64_t index =
        ((size_ + 1) >> ((level + 1) * tlog::kTileHeight)) - 1;
    hash = tlog::RootFromLeafHashes(full);
    if (on_full) {
      absl::Status status = on_full(level, index, full);
      if (first_error.ok()) first_error = status;
    }
  }
  ++size_;
  return first_error;
}

int TileAccumulator::Levels() const {
  int levels = 0;
  for (int level = 0; level < kMaxTileLevels; ++level) {
    if ((size_ >> (level * tlog::kTileHeight)) != 0) levels = level + 1;
  }
  return levels;
}

Hash TileAccumulator::Root() const {
  // The tree is the run of complete subtrees given by the binary digits of
  // its size; each lies inside one partial tile. Fold them from the right.
  std::vector<Hash> parts;
  for (int level = kMaxTileLevels - 1; level >= 0; --level) {
    const std::vector<Hash>& edge = edge_[level];
    std::size_t offset = 0;
    for (int bit = tlog::kTileHeight - 1; bit >= 0; --bit) {
      const std::size_t group = std::size_t{1} << bit;
      if ((edge.size() & group) == 0) continue;
      parts.push_back(tlog::RootFromLeafHashes(
          absl::MakeConstSpan(edge).subspan(offset, group)));
      offset += group;
    }
  }
  if (parts.empty()) return tlog::EmptyTreeRoot();
  Hash root = parts.back();
  for (std::size_t i = parts.size() - 1; i-- > 0;) {
    root = tlog::HashChildren(parts[i], root);
  }
  return root;
}

}  // namespace modelseal::tlog_internal
