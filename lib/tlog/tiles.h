// Tiled-log plumbing shared by the writer and the client (internal to
// lib/tlog).
//
//  - TileFetcher: where tile bytes come from (a directory through Env, or an
//    HTTP server through libcurl). kNotFound means "no such resource".
//  - TileStore: fetches, checks and caches parsed tiles, each with the
//    internal nodes of its height-8 subtree, so any complete subtree hash is
//    a lookup. Falls back from a missing partial tile to the full tile, as
//    tlog-tiles allows logs to delete partial tiles once full ones exist.
//  - TileHashSource: a SubtreeHashSource over a TileStore for one tree size.
//  - TileAccumulator: the right edge of a growing tree (one partial tile per
//    level); reports every tile it completes and computes the root. The
//    writer appends through it; the auditor re-derives every tile with it.
#ifndef MODELSEAL_TLOG_TILES_H_
#define MODELSEAL_TLOG_TILES_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/merkle.h"
#include "modelseal/transparency_log.h"

namespace modelseal::tlog_internal {

using tlog::Hash;

// Highest tile level a tree of limits::kMaxLogTreeSize leaves can need.
inline constexpr int kMaxTileLevels = 8;

class TileFetcher {
 public:
  virtual ~TileFetcher() = default;
  // The resource at `relative_path` (e.g. "checkpoint", "tile/0/000"), at most
  // `max_bytes` long (kResourceExhausted beyond). kNotFound when absent.
  virtual absl::StatusOr<std::string> Fetch(const std::string& relative_path,
                                            std::size_t max_bytes) = 0;
  // Where resources come from, for messages.
  virtual std::string Describe() const = 0;
};

std::unique_ptr<TileFetcher> NewDirectoryFetcher(Env& env, std::string dir);
// `base_url` is an http:// or https:// URL (kInvalidArgument otherwise).
absl::StatusOr<std::unique_ptr<TileFetcher>> NewHttpFetcher(
    absl::string_view base_url);

// One HTTP POST over the same lazily loaded libcurl as NewHttpFetcher: no
// redirect is followed, the answer is capped at `max_bytes` while it
// arrives (kResourceExhausted beyond), and kUnavailable means the server
// could not be reached. Any HTTP status is returned, not judged.
struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
};
absl::StatusOr<HttpAnswer> PostOverHttp(const std::string& url,
                                        absl::string_view body,
                                        const std::string& content_type,
                                        std::size_t max_bytes);

// A tile's hashes and every complete node above them inside the tile:
// nodes[h] holds the width >> h subtree hashes of height h (h = 0..8).
struct TileNodes {
  int width = 0;
  std::array<std::vector<Hash>, tlog::kTileHeight + 1> nodes;
};
TileNodes BuildTileNodes(std::vector<Hash> hashes);

class TileStore {
 public:
  explicit TileStore(TileFetcher& fetcher) : fetcher_(fetcher) {}

  // Tile (level, index) with exactly `width` hashes (1..256). Missing partial
  // tiles fall back to the full tile's first `width` hashes. A file of the
  // wrong length is kDataLoss naming the path.
  absl::StatusOr<std::shared_ptr<const TileNodes>> Get(int level,
                                                       std::uint64_t index,
                                                       int width);
  // The hashes of tile (level, index, width) as stored, with the same
  // fallback and checks. Not cached.
  absl::StatusOr<std::vector<Hash>> FetchHashes(int level, std::uint64_t index,
                                                int width);
  // Entry bundle `index` with exactly `width` entries, with the same
  // fallback. Not cached.
  absl::StatusOr<std::vector<std::string>> GetEntries(std::uint64_t index,
                                                      int width);
  // Drops every cached tile.
  void Clear();
  TileFetcher& fetcher() { return fetcher_; }

 private:
  struct Fetched {
    std::string data;
    bool from_full = false;  // the full resource stood in for a partial one
  };
  absl::StatusOr<Fetched> FetchWithFallback(const std::string& partial,
                                            const std::string& full, int width,
                                            std::size_t max_bytes);

  TileFetcher& fetcher_;
  std::map<std::tuple<int, std::uint64_t, int>,
           std::shared_ptr<const TileNodes>>
      cache_;
  std::deque<std::tuple<int, std::uint64_t, int>> order_;  // oldest first
};

// Complete subtree hashes of the tree of `tree_size` leaves, from tiles.
class TileHashSource final : public tlog::SubtreeHashSource {
 public:
  TileHashSource(TileStore& store, std::uint64_t tree_size)
      : store_(store), tree_size_(tree_size) {}
  absl::StatusOr<Hash> SubtreeHash(int level, std::uint64_t index) override;

 private:
  TileStore& store_;
  std::uint64_t tree_size_;
};

class TileAccumulator {
 public:
  // Called with each tile that becomes full: level, index, 256 hashes.
  using FullTileCallback =
      std::function<absl::Status(int, std::uint64_t, const std::vector<Hash>&)>;

  // The empty tree.
  TileAccumulator() = default;
  // The right edge of a tree of `size` leaves: edge[L] must hold
  // TileWidth(L, ..) hashes of its partial tile at level L (possibly none).
  static absl::StatusOr<TileAccumulator> FromEdge(
      std::uint64_t size, std::vector<std::vector<Hash>> edge);

  // Adds the next leaf hash, calling `on_full` for each tile it completes
  // (level 0 first). A callback error is returned; the accumulator has then
  // already advanced.
  absl::Status Add(const Hash& leaf_hash, const FullTileCallback& on_full);

  std::uint64_t size() const { return size_; }
  // The partial tile at `level` (empty when the tree size is a multiple of
  // 256^(level+1) there).
  const std::vector<Hash>& Edge(int level) const { return edge_[level]; }
  // Levels that may hold a partial tile for the current size.
  int Levels() const;
  // Root hash of the current tree.
  Hash Root() const;

 private:
  std::uint64_t size_ = 0;
  std::array<std::vector<Hash>, kMaxTileLevels> edge_;
};

}  // namespace modelseal::tlog_internal

#endif  // MODELSEAL_TLOG_TILES_H_
