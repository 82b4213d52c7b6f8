// The log server over cpp-httplib (the Debian build, whose listen backlog is
// fixed at 5 and whose default pool has 8 threads that each keep one
// connection for its whole keep-alive life).
//
// Work is spread so that the one writer thread does only what must be
// serial: request threads parse and check bundles and, after the batch,
// encode the answers; the batcher thread builds the entries with the batch's
// time, appends them (one round of fsyncs and one checkpoint) and computes
// the inclusion proofs from the writer's tiles.
#include "modelseal/log_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <regex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "httplib.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/release_log.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

// Keep-alive connections are kept for this many requests (cpp-httplib's
// default of 5 would make a busy client reconnect every fifth add).
constexpr std::size_t kKeepAliveRequests = 1'000'000;
constexpr int kListenBacklog = 1024;
constexpr absl::string_view kRetryAfterSeconds = "1";

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

// Whether the tile at `path` (already matched against the tlog-tiles path
// shape) lies within a tree of `size` entries. The writer fills tiles past
// its published checkpoint in place while a batch is written, and a crashed
// batch leaves some behind: such a tile may be partly written, or hold
// entries that the log will never publish, so it is not served (a full tile
// would be cached as immutable).
bool TileIsPublished(absl::string_view path, std::uint64_t size) {
  // /tile/<L|entries>/x001/x234/067[.p/W]
  std::vector<absl::string_view> parts = absl::StrSplit(path.substr(6), '/');
  if (parts.size() < 2) return false;
  int level = 0;
  if (parts[0] != "entries" && !absl::SimpleAtoi(parts[0], &level)) {
    return false;
  }
  std::uint64_t width = tlog::kTileWidth;
  if (parts.size() >= 3 && absl::EndsWith(parts[parts.size() - 2], ".p")) {
    if (!absl::SimpleAtoi(parts.back(), &width)) return false;
    parts.pop_back();
    parts.back().remove_suffix(2);
  }
  std::uint64_t index = 0;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    absl::string_view digits = parts[i];
    absl::ConsumePrefix(&digits, "x");
    std::uint64_t group = 0;
    if (!absl::SimpleAtoi(digits, &group)) return false;
    index = index * 1000 + group;
  }
  const int shift = level * tlog::kTileHeight;
  if (shift >= 64 || index > (~std::uint64_t{0} - width) / tlog::kTileWidth) {
    return false;
  }
  return index * tlog::kTileWidth + width <= (size >> shift);
}

// cpp-httplib listens with a backlog of 5: when many clients connect at once
// the kernel drops the surplus SYNs and those clients retry a second later.
// Listening again on the bound socket raises the backlog (Linux keeps the
// socket and only updates the limit).
void RaiseListenBacklog(int port) {
  const long max_fd = std::min<long>(::sysconf(_SC_OPEN_MAX), 65536);
  for (int fd = 0; fd < max_fd; ++fd) {
    int listening = 0;
    socklen_t length = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 ||
        listening == 0) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t address_length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address),
                      &address_length) != 0) {
      continue;
    }
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    }
    if (bound == port) (void)::listen(fd, kListenBacklog);
  }
}

}  // namespace

// --- ReleaseBatcher ---------------------------------------------------------

struct ReleaseBatcher::State {
  struct Pending {
    const PreparedRelease* release = nullptr;  // owned by the waiting thread
    std::string entry;
    LogPosition position;
    absl::Status status;
    bool done = false;
    // Its own, so that finishing a batch wakes only the batch's threads
    // (one shared variable woke every waiting thread, most to sleep again).
    std::condition_variable finished;
  };

  State(tlog::LogWriter& writer_in, BatcherOptions options_in)
      : writer(writer_in), options(options_in), published(writer_in.size()) {}

  void Loop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      wake.wait(lock, [this] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      const std::size_t enough = std::max<std::size_t>(2, previous_batch);
      wake_at = enough;
      wake.wait_until(lock,
                      std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(options.window_ms),
                      [&] { return stop || queue.size() >= enough; });
      wake_at = 1;
      std::vector<Pending*> batch;
      const std::size_t take =
          std::min(queue.size(), limits::kMaxLogAppendBatchEntries);
      batch.assign(queue.begin(), queue.begin() + take);
      queue.erase(queue.begin(), queue.begin() + take);
      lock.unlock();
      RunBatch(batch);
      lock.lock();
      previous_batch = batch.size();
      stats.batches += 1;
      stats.entries += batch.size();
      stats.largest_batch = std::max(stats.largest_batch, batch.size());
      // Notified with the lock held: a waiter cannot see `done`, return and
      // destroy its Pending before the notification is made.
      for (Pending* pending : batch) {
        pending->done = true;
        pending->finished.notify_one();
      }
    }
  }

  // Runs on the batcher thread only, without the lock.
  void RunBatch(const std::vector<Pending*>& batch) {
    if (broken.ok()) {
      const std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
      std::vector<std::string> entries;
      entries.reserve(batch.size());
      for (Pending* pending : batch) {
        pending->entry = ReleaseEntryAt(*pending->release, now);
        entries.push_back(pending->entry);
      }
      absl::StatusOr<std::vector<std::uint64_t>> indices =
          writer.Append(entries);
      absl::StatusOr<std::string> checkpoint =
          indices.ok() ? writer.CheckpointText()
                       : absl::StatusOr<std::string>(indices.status());
      if (!checkpoint.ok()) {
        broken = absl::InternalError(absl::StrCat(
            "appending to the log failed: ", checkpoint.status().message()));
      } else {
        published.store(writer.size());
        LogPosition position;
        position.origin = writer.origin();
        position.tree_size = writer.size();
        position.root = writer.root();
        position.checkpoint_note = *std::move(checkpoint);
        position.integrated_time = now;
        for (std::size_t i = 0; i < batch.size(); ++i) {
          position.index = (*indices)[i];
          absl::StatusOr<std::vector<tlog::Hash>> proof =
              writer.InclusionProof(position.index, position.tree_size);
          if (!proof.ok()) {
            batch[i]->status = absl::InternalError(absl::StrCat(
                "the entry was logged at index ", position.index,
                " but its proof failed: ", proof.status().message()));
            continue;
          }
          batch[i]->position = position;
          batch[i]->position.proof = *std::move(proof);
        }
        return;
      }
    }
    for (Pending* pending : batch) pending->status = broken;
  }

  tlog::LogWriter& writer;
  const BatcherOptions options;
  mutable std::mutex mu;
  std::condition_variable wake;  // the batcher thread waits here
  std::deque<Pending*> queue;
  bool stop = false;
  std::size_t previous_batch = 0;
  // Queue length at which an addition wakes the batcher: the first one when
  // it is idle, the one that closes the window early while it waits. Waking
  // it for every addition cost a context switch each.
  std::size_t wake_at = 1;
  Stats stats;
  absl::Status broken;  // batcher thread only
  // The size of the last durable checkpoint (the writer's own size runs
  // ahead of it while a batch is written).
  std::atomic<std::uint64_t> published;
  std::thread thread;
};

ReleaseBatcher::ReleaseBatcher(tlog::LogWriter& writer, BatcherOptions options)
    : state_(std::make_unique<State>(writer, options)) {
  state_->thread = std::thread([state = state_.get()] { state->Loop(); });
}

ReleaseBatcher::~ReleaseBatcher() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
}

absl::StatusOr<std::string> ReleaseBatcher::Add(absl::string_view bundle_json) {
  MODELSEAL_ASSIGN_OR_RETURN(PreparedRelease release,
                             PrepareRelease(bundle_json));
  State::Pending pending;
  pending.release = &release;
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    if (state_->queue.size() >= state_->options.max_pending) {
      state_->stats.refused += 1;
      return absl::UnavailableError(
          absl::StrCat("the log already has ", state_->queue.size(),
                       " additions waiting; retry later"));
    }
    state_->queue.push_back(&pending);
    if (state_->queue.size() >= state_->wake_at) state_->wake.notify_one();
    pending.finished.wait(lock, [&] { return pending.done; });
  }
  MODELSEAL_RETURN_IF_ERROR(pending.status);
  return AttachLogEntry(std::move(release.bundle), pending.entry,
                        pending.position);
}

std::uint64_t ReleaseBatcher::published_size() const {
  return state_->published.load();
}

ReleaseBatcher::Stats ReleaseBatcher::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Stats stats = state_->stats;
  stats.waiting = state_->queue.size();
  return stats;
}

// --- LogServer --------------------------------------------------------------

struct LogServer::State {
  State(Env& env_in, std::string dir_in, tlog::LogWriter& writer,
        const LogServerOptions& options)
      : env(env_in), dir(std::move(dir_in)), batcher(writer, options.batcher) {}

  Env& env;
  const std::string dir;
  ReleaseBatcher batcher;
  httplib::Server server;
  int port = -1;
};

LogServer::LogServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogServer::~LogServer() = default;

absl::StatusOr<std::unique_ptr<LogServer>> LogServer::Create(
    Env& env, const std::string& dir, tlog::LogWriter& writer,
    const LogServerOptions& options) {
  if (options.threads == 0 || options.batcher.max_pending == 0) {
    return absl::InvalidArgumentError(
        "the log server needs at least one thread and one queue place");
  }
  auto state = std::make_unique<State>(env, dir, writer, options);
  State* s = state.get();
  httplib::Server& server = s->server;
  const std::size_t threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  // Without TCP_NODELAY a keep-alive client's next request waits for the
  // delayed ACK of the previous answer (about 40 ms on Linux).
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(kKeepAliveRequests);
  server.set_payload_max_length(limits::kMaxBundleBytes);
  server.set_read_timeout(30);
  server.set_write_timeout(30);

  // Only the tlog-tiles paths are served; nothing else in DIR (the lock file,
  // temporary files) is reachable.
  static const std::regex kTilePath(
      R"(/tile/(entries|[0-9]|[1-5][0-9]|6[0-3])(/x[0-9]{3})*/[0-9]{3}(\.p/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?)");
  server.Get("/checkpoint",
             [s](const httplib::Request&, httplib::Response& response) {
               auto note = s->env.ReadFileToString(
                   JoinPath(s->dir, "checkpoint"), limits::kMaxSmallFileBytes);
               if (!note.ok()) {
                 response.status = 500;
                 return;
               }
               response.set_header("Cache-Control", "no-cache");
               response.set_content(*note, "text/plain; charset=utf-8");
             });
  server.Get(R"(/tile/.*)", [s](const httplib::Request& request,
                                httplib::Response& response) {
    if (!std::regex_match(request.path, kTilePath) ||
        !TileIsPublished(request.path, s->batcher.published_size())) {
      response.status = 404;
      return;
    }
    auto tile = s->env.ReadFileToString(
        JoinPath(s->dir, request.path.substr(1)), std::size_t{32} << 20);
    if (!tile.ok()) {
      response.status = absl::IsNotFound(tile.status()) ? 404 : 500;
      return;
    }
    if (request.path.find(".p/") == std::string::npos) {
      response.set_header("Cache-Control",
                          "public, max-age=31536000, immutable");
    }
    response.set_content(*tile, "application/octet-stream");
  });
  server.Post("/add", [s](const httplib::Request& request,
                          httplib::Response& response) {
    absl::StatusOr<std::string> logged = s->batcher.Add(request.body);
    if (!logged.ok()) {
      response.status = HttpStatusFor(logged.status());
      if (response.status == 503) {
        response.set_header("Retry-After", std::string(kRetryAfterSeconds));
      }
      response.set_content(std::string(logged.status().message()) + "\n",
                           "text/plain");
      return;
    }
    response.set_content(*logged, "application/json");
  });

  s->port = options.port == 0 ? server.bind_to_any_port(options.host)
                              : (server.bind_to_port(options.host, options.port)
                                     ? options.port
                                     : -1);
  if (s->port < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.host, ":", options.port));
  }
  RaiseListenBacklog(s->port);
  return std::unique_ptr<LogServer>(new LogServer(std::move(state)));
}

int LogServer::port() const { return state_->port; }

absl::Status LogServer::Run() {
  if (!state_->server.listen_after_bind()) {
    return absl::InternalError("the log server stopped unexpectedly");
  }
  return absl::OkStatus();
}

void LogServer::Stop() { state_->server.stop(); }

const ReleaseBatcher& LogServer::batcher() const { return state_->batcher; }

}  // namespace modelseal
