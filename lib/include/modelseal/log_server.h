// Serving a transparency log of signed releases over HTTP (the client side
// is modelseal/log_submit.h).
//
//   ReleaseBatcher batcher(*writer, {.window_ms = 5, .max_pending = 8192});
//   absl::StatusOr<std::string> logged = batcher.Add(bundle_json);  // blocks
//
//   auto server = LogServer::Create(env, dir, *writer, options);
//   (*server)->Run();              // until Stop() from another thread
//
// The HTTP API (docs/formats/transparency-log.md): GET /checkpoint and
// GET /tile/... serve the log directory read-only (tlog-tiles paths only);
// POST /add takes a signature bundle and answers with the bundle carrying
// its tlogEntries item, once the entry is durable. Concurrent additions are
// grouped: one append (one round of fsyncs and one signed checkpoint) per
// batch. When the queue of waiting additions is full the server answers 503
// with a Retry-After header instead of queueing without limit.
#ifndef MODELSEAL_LOG_SERVER_H_
#define MODELSEAL_LOG_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/transparency_log.h"

namespace modelseal {

struct BatcherOptions {
  // How long the first addition of a batch waits for others to join it. The
  // window closes early once half as many additions are waiting as the
  // previous batch held (at least two). Clients that wait for their answer
  // before sending again then split into two groups that take turns: one
  // group's batch is written while the other's answers travel and its next
  // additions arrive, so the writer does not idle through the round trip.
  unsigned window_ms = 5;
  // Additions waiting for a batch beyond which Add() refuses (kUnavailable).
  std::size_t max_pending = 8192;
};

// Groups concurrent additions to one log into batches. Thread-safe. The
// writer must outlive the batcher and is used only by the batcher's thread
// while the batcher exists. Close() (or the destructor) logs what is already
// queued, then stops.
class ReleaseBatcher {
 public:
  ReleaseBatcher(tlog::LogWriter& writer, BatcherOptions options);
  ~ReleaseBatcher();
  ReleaseBatcher(const ReleaseBatcher&) = delete;
  ReleaseBatcher& operator=(const ReleaseBatcher&) = delete;

  // Checks `bundle_json` (errors as PrepareRelease, nothing queued), waits
  // until the batch holding it is durable and returns the bundle with its
  // tlogEntries item (the entry, an inclusion proof and the checkpoint of
  // that batch). kUnavailable at once, and only, when max_pending additions
  // are already waiting: retry later. kInternal when the append failed; the
  // writer then refuses every later batch (kInternal too) until the log is
  // reopened.
  absl::StatusOr<std::string> Add(absl::string_view bundle_json);

  // Add() without waiting: the bundle is checked and queued now (a malformed
  // bundle or a full queue is returned at once, and `done` is never called);
  // `done` is called exactly once, on the batcher's thread and without any
  // lock held, with what Add() would have returned. It must not block, nor
  // call back into the batcher.
  using AddCallback = std::function<void(absl::StatusOr<std::string>)>;
  absl::Status AddAsync(absl::string_view bundle_json, AddCallback done);

  // Refuses later additions (kUnavailable), logs the queued ones, calls
  // their callbacks and stops the batcher's thread. Idempotent.
  void Close();

  struct Stats {
    std::uint64_t batches = 0;
    std::uint64_t entries = 0;
    std::uint64_t refused = 0;  // kUnavailable answers
    std::size_t largest_batch = 0;
    std::size_t waiting = 0;  // additions queued for the next batch now
  };
  Stats stats() const;

  // The tree size of the last checkpoint made durable (the writer's size
  // when the batcher was made, until its first batch).
  std::uint64_t published_size() const;
  // That checkpoint's signed note (the one `/checkpoint` serves: a
  // journaled writer's `checkpoint` file lags by up to a flush).
  std::string published_checkpoint() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct LogServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (see LogServer::port())
  BatcherOptions batcher;
  // Threads polling the connections (epoll). A connection whose addition
  // waits for its batch is suspended and holds no thread, so a few serve
  // thousands of clients. 0: one per core, at most 4.
  std::size_t threads = 0;
};

// An HTTP server for the log in `dir`. Create() binds the socket; Run()
// serves until Stop().
class LogServer {
 public:
  // `writer` (open on `dir`) and `env` must outlive the server.
  // kUnavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<LogServer>> Create(
      Env& env, const std::string& dir, tlog::LogWriter& writer,
      const LogServerOptions& options);
  ~LogServer();
  LogServer(const LogServer&) = delete;
  LogServer& operator=(const LogServer&) = delete;

  // The bound port.
  int port() const;
  // Serves until Stop(); kInternal if the server ended on its own.
  absl::Status Run();
  // Makes Run() return. Thread-safe; callable before Run().
  void Stop();
  const ReleaseBatcher& batcher() const;

 private:
  struct State;
  explicit LogServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace modelseal

#endif  // MODELSEAL_LOG_SERVER_H_
