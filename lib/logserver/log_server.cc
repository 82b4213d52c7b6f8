// The log server over GNU libmicrohttpd, event driven: a few threads
// (--threads) poll every connection with epoll; an addition's connection is
// suspended while its batch is written and resumed by the batcher's
// callback, so a waiting client holds no thread and answering it costs no
// context switch per request. (cpp-httplib, used before, gives each
// keep-alive connection a thread that blocks on the batch: at thousands of
// adds per second most of the server's CPU went to polling and switching
// threads; docs/benchmarks.md.)
//
// Work is spread so that the one writer thread does only what must be
// serial: the HTTP threads parse and check bundles; the batcher thread
// builds the entries with the batch's time, appends them (one durable
// append and one checkpoint per batch) and computes the inclusion proofs;
// the batch's answers are then encoded on every core.
#include "modelseal/log_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/release_log.h"
#include "modelseal/status.h"
#include "util/parallel.h"

namespace modelseal {
namespace {

constexpr int kListenBacklog = 1024;
// --threads 0: one polling thread per core, at most this many.
constexpr unsigned kMaxDefaultThreads = 4;
// Fewer answers of a batch than this are encoded on the batcher's thread.
constexpr std::size_t kAnswersPerThreadAtLeast = 8;
// Connections served at once (each costs a descriptor and a little memory,
// no thread), and how long an idle one is kept.
constexpr std::size_t kMaxConnections = 8192;
constexpr int kIdleSeconds = 30;
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

}  // namespace

// --- ReleaseBatcher ---------------------------------------------------------

struct ReleaseBatcher::State {
  struct Pending {
    PreparedRelease release;
    std::string entry;
    LogPosition position;
    absl::Status status;
    bool done = false;
    // Add(): its own, so that finishing a batch wakes only the batch's
    // threads (one shared variable woke every waiting thread, most to sleep
    // again).
    std::condition_variable finished;
    // AddAsync(): called once the batch is over; the batcher owns the
    // Pending then.
    AddCallback callback;
  };

  State(tlog::LogWriter& writer_in, BatcherOptions options_in)
      : writer(writer_in),
        options(options_in),
        published(writer_in.size()),
        published_checkpoint(writer_in.CheckpointText().value_or("")) {}

  void Loop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      wake.wait(lock, [this] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      const std::size_t enough = std::max<std::size_t>(2, previous_batch / 2);
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
      // Asynchronous additions are answered here, without the lock: their
      // callbacks may take other locks (an HTTP server's). Their answers are
      // encoded on every core first: the whole batch waits for the last.
      std::vector<Pending*> waiting;
      std::vector<std::unique_ptr<Pending>> answered;
      for (Pending* pending : batch) {
        if (pending->callback) {
          answered.emplace_back(pending);
        } else {
          waiting.push_back(pending);
        }
      }
      std::vector<absl::StatusOr<std::string>> answers(
          answered.size(), absl::UnknownError("not encoded"));
      util::ForEachInParallel(
          answered.size(), kAnswersPerThreadAtLeast, [&](std::size_t i) {
            Pending& pending = *answered[i];
            answers[i] = pending.status.ok()
                             ? AttachLogEntry(std::move(pending.release.bundle),
                                              pending.entry, pending.position)
                             : absl::StatusOr<std::string>(pending.status);
          });
      for (std::size_t i = 0; i < answered.size(); ++i) {
        answered[i]->callback(std::move(answers[i]));
      }
      answered.clear();
      lock.lock();
      previous_batch = batch.size();
      stats.batches += 1;
      stats.entries += batch.size();
      stats.largest_batch = std::max(stats.largest_batch, batch.size());
      // Notified with the lock held: a waiter cannot see `done`, return and
      // destroy its Pending before the notification is made.
      for (Pending* pending : waiting) {
        pending->done = true;
        pending->finished.notify_one();
      }
    }
  }

  // Queues `pending` unless the batcher is closed or its queue is full.
  // Called with `mu` held.
  absl::Status Enqueue(Pending* pending) {
    if (stop) {
      stats.refused += 1;
      return absl::UnavailableError("the log is shutting down; retry later");
    }
    if (queue.size() >= options.max_pending) {
      stats.refused += 1;
      return absl::UnavailableError(
          absl::StrCat("the log already has ", queue.size(),
                       " additions waiting; retry later"));
    }
    queue.push_back(pending);
    if (queue.size() >= wake_at) wake.notify_one();
    return absl::OkStatus();
  }

  // Runs on the batcher thread only, without the lock.
  void RunBatch(const std::vector<Pending*>& batch) {
    if (broken.ok()) {
      const std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
      std::vector<std::string> entries;
      entries.reserve(batch.size());
      for (Pending* pending : batch) {
        pending->entry = ReleaseEntryAt(pending->release, now);
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
        {
          std::lock_guard<std::mutex> lock(checkpoint_mu);
          published_checkpoint = *checkpoint;
        }
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
  // Its signed note: a journaled writer replaces its `checkpoint` file only
  // about once a second.
  mutable std::mutex checkpoint_mu;
  std::string published_checkpoint;
  std::thread thread;
  std::mutex join_mu;  // Close() may be called from two threads
};

ReleaseBatcher::ReleaseBatcher(tlog::LogWriter& writer, BatcherOptions options)
    : state_(std::make_unique<State>(writer, options)) {
  state_->thread = std::thread([state = state_.get()] { state->Loop(); });
}

ReleaseBatcher::~ReleaseBatcher() { Close(); }

void ReleaseBatcher::Close() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->wake.notify_all();
  std::lock_guard<std::mutex> joining(state_->join_mu);
  if (state_->thread.joinable()) state_->thread.join();
}

absl::StatusOr<std::string> ReleaseBatcher::Add(absl::string_view bundle_json) {
  MODELSEAL_ASSIGN_OR_RETURN(PreparedRelease release,
                             PrepareRelease(bundle_json));
  State::Pending pending;
  pending.release = std::move(release);
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    MODELSEAL_RETURN_IF_ERROR(state_->Enqueue(&pending));
    pending.finished.wait(lock, [&] { return pending.done; });
  }
  MODELSEAL_RETURN_IF_ERROR(pending.status);
  return AttachLogEntry(std::move(pending.release.bundle), pending.entry,
                        pending.position);
}

absl::Status ReleaseBatcher::AddAsync(absl::string_view bundle_json,
                                      AddCallback done) {
  if (!done) return absl::InvalidArgumentError("AddAsync needs a callback");
  MODELSEAL_ASSIGN_OR_RETURN(PreparedRelease release,
                             PrepareRelease(bundle_json));
  auto pending = std::make_unique<State::Pending>();
  pending->release = std::move(release);
  pending->callback = std::move(done);
  std::lock_guard<std::mutex> lock(state_->mu);
  MODELSEAL_RETURN_IF_ERROR(state_->Enqueue(pending.get()));
  pending.release();  // the batcher's now; freed after its callback
  return absl::OkStatus();
}

std::uint64_t ReleaseBatcher::published_size() const {
  return state_->published.load();
}

std::string ReleaseBatcher::published_checkpoint() const {
  std::lock_guard<std::mutex> lock(state_->checkpoint_mu);
  return state_->published_checkpoint;
}

ReleaseBatcher::Stats ReleaseBatcher::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Stats stats = state_->stats;
  stats.waiting = state_->queue.size();
  return stats;
}

// --- LogServer --------------------------------------------------------------

namespace {

// Only the tlog-tiles paths are served; nothing else in DIR (the lock file,
// temporary files) is reachable.
bool IsTilePath(const std::string& path) {
  static const std::regex kTilePath(
      R"(/tile/(entries|[0-9]|[1-5][0-9]|6[0-3])(/x[0-9]{3})*/[0-9]{3}(\.p/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?)");
  return std::regex_match(path, kTilePath);
}

// A listening TCP socket on host:port (port 0: any free port), with the
// port it got.
absl::StatusOr<std::pair<int, int>> Listen(const std::string& host_in,
                                           int port) {
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  const int resolved = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                     service.c_str(), &hints, &found);
  if (resolved != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", host_in, ":", port, ": ", gai_strerror(resolved)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found,
                                                           ::freeaddrinfo);
  int error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int one = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    // Accepted connections inherit it: without TCP_NODELAY a keep-alive
    // client's next request waits for the delayed ACK of the previous
    // answer (about 40 ms on Linux).
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 ||
        ::listen(fd, kListenBacklog) != 0) {
      error = errno;
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    int bound_port = port;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
      if (bound.ss_family == AF_INET) {
        bound_port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      } else if (bound.ss_family == AF_INET6) {
        bound_port = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
      }
    }
    return std::make_pair(fd, bound_port);
  }
  return absl::UnavailableError(absl::StrCat("cannot listen on ", host_in, ":",
                                             port, ": ", std::strerror(error)));
}

// One HTTP request, from its first callback to its completion.
struct Request {
  std::string body;
  bool submitted = false;
  // Written by the batcher's callback before it resumes the connection;
  // read by the HTTP thread after the resume.
  std::atomic<bool> answered{false};
  absl::StatusOr<std::string> answer{absl::UnknownError("no answer")};
};

MHD_Result Respond(MHD_Connection* connection, unsigned status,
                   absl::string_view body, const char* content_type,
                   const char* cache_control = nullptr,
                   bool retry_after = false) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (cache_control != nullptr) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL,
                            cache_control);
  }
  if (retry_after) {
    const std::string seconds(kRetryAfterSeconds);
    MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER,
                            seconds.c_str());
  }
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result RespondTooLarge(MHD_Connection* connection) {
  return Respond(connection, 413, "the bundle is too large\n", "text/plain");
}

MHD_Result RespondWithStatus(MHD_Connection* connection,
                             const absl::Status& status) {
  const int code = HttpStatusFor(status);
  return Respond(connection, static_cast<unsigned>(code),
                 absl::StrCat(status.message(), "\n"), "text/plain",
                 /*cache_control=*/nullptr, /*retry_after=*/code == 503);
}

}  // namespace

struct LogServer::State {
  State(Env& env_in, std::string dir_in, tlog::LogWriter& writer,
        const LogServerOptions& options_in)
      : env(env_in),
        dir(std::move(dir_in)),
        options(options_in),
        batcher(writer, options_in.batcher) {}

  ~State() {
    if (daemon != nullptr) MHD_stop_daemon(daemon);
    if (listen_fd >= 0) ::close(listen_fd);
  }

  MHD_Result Handle(MHD_Connection* connection, const std::string& url,
                    absl::string_view method, const char* upload_data,
                    std::size_t* upload_data_size, Request* request) {
    if (method == "GET" || method == "HEAD") {
      if (url == "/checkpoint") {
        const std::string note = batcher.published_checkpoint();
        if (note.empty()) return Respond(connection, 500, "", "text/plain");
        return Respond(connection, 200, note, "text/plain; charset=utf-8",
                       "no-cache");
      }
      if (absl::StartsWith(url, "/tile/") && IsTilePath(url) &&
          TileIsPublished(url, batcher.published_size())) {
        auto tile = env.ReadFileToString(JoinPath(dir, url.substr(1)),
                                         std::size_t{32} << 20);
        if (!tile.ok()) {
          return Respond(connection,
                         absl::IsNotFound(tile.status()) ? 404 : 500, "",
                         "text/plain");
        }
        return Respond(connection, 200, *tile, "application/octet-stream",
                       url.find(".p/") == std::string::npos
                           ? "public, max-age=31536000, immutable"
                           : nullptr);
      }
      return Respond(connection, 404, "not found\n", "text/plain");
    }
    if (method != "POST" || url != "/add") {
      return Respond(connection, 404, "not found\n", "text/plain");
    }
    if (*upload_data_size > 0) {
      // The body arrives in pieces. Past the limit the request is answered
      // 413 at once, and MHD closes the connection after the answer instead
      // of reading more.
      if (request->body.size() + *upload_data_size > limits::kMaxBundleBytes) {
        *upload_data_size = 0;
        request->body = std::string();
        return RespondTooLarge(connection);
      }
      request->body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (!request->submitted) {
      request->submitted = true;
      const absl::Status queued = batcher.AddAsync(
          request->body,
          [connection, request](absl::StatusOr<std::string> answer) {
            request->answer = std::move(answer);
            request->answered.store(true, std::memory_order_release);
            MHD_resume_connection(connection);
          });
      if (!queued.ok()) return RespondWithStatus(connection, queued);
      request->body = std::string();
      MHD_suspend_connection(connection);
      return MHD_YES;
    }
    if (!request->answered.load(std::memory_order_acquire)) {
      return MHD_NO;  // resumed without an answer: cannot happen; drop it
    }
    if (!request->answer.ok()) {
      return RespondWithStatus(connection, request->answer.status());
    }
    return Respond(connection, 200, *request->answer, "application/json");
  }

  static MHD_Result OnRequest(void* cls, MHD_Connection* connection,
                              const char* url, const char* method,
                              const char* /*version*/, const char* upload_data,
                              std::size_t* upload_data_size, void** context) {
    State* state = static_cast<State*>(cls);
    if (*context == nullptr) {
      // The first call sees only the headers. A body announced larger than
      // any bundle is refused before it is sent (a client that asked
      // "Expect: 100-continue" gets the 413 instead).
      *context = new Request();
      const char* length = MHD_lookup_connection_value(
          connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      std::uint64_t announced = 0;
      if (length != nullptr && absl::SimpleAtoi(length, &announced) &&
          announced > limits::kMaxBundleBytes) {
        return RespondTooLarge(connection);
      }
      return MHD_YES;
    }
    return state->Handle(connection, url, method, upload_data, upload_data_size,
                         static_cast<Request*>(*context));
  }

  static void OnCompleted(void* /*cls*/, MHD_Connection* /*connection*/,
                          void** context, MHD_RequestTerminationCode /*why*/) {
    delete static_cast<Request*>(*context);
    *context = nullptr;
  }

  Env& env;
  const std::string dir;
  const LogServerOptions options;
  ReleaseBatcher batcher;
  int listen_fd = -1;
  int port = -1;
  MHD_Daemon* daemon = nullptr;
  std::mutex mu;
  std::condition_variable stopped_cv;
  bool stopped = false;
};

LogServer::LogServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogServer::~LogServer() = default;

absl::StatusOr<std::unique_ptr<LogServer>> LogServer::Create(
    Env& env, const std::string& dir, tlog::LogWriter& writer,
    const LogServerOptions& options) {
  if (options.threads > 1024 || options.batcher.max_pending == 0) {
    return absl::InvalidArgumentError(
        "the log server takes at most 1024 threads and needs one queue place");
  }
  auto state = std::make_unique<State>(env, dir, writer, options);
  MODELSEAL_ASSIGN_OR_RETURN(auto listening,
                             Listen(options.host, options.port));
  state->listen_fd = listening.first;
  state->port = listening.second;
  return std::unique_ptr<LogServer>(new LogServer(std::move(state)));
}

int LogServer::port() const { return state_->port; }

absl::Status LogServer::Run() {
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stopped) return absl::OkStatus();
  }
  const unsigned flags =
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
  const unsigned pool = s.options.threads != 0
                            ? static_cast<unsigned>(s.options.threads)
                            : std::clamp(std::thread::hardware_concurrency(),
                                         1u, kMaxDefaultThreads);
  s.daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &State::OnRequest, &s,
      MHD_OPTION_LISTEN_SOCKET, s.listen_fd, MHD_OPTION_NOTIFY_COMPLETED,
      &State::OnCompleted, nullptr, MHD_OPTION_THREAD_POOL_SIZE, pool,
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(kMaxConnections),
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(kIdleSeconds),
      MHD_OPTION_END);
  if (s.daemon == nullptr) {
    return absl::InternalError("the HTTP server did not start");
  }
  s.listen_fd = -1;  // the daemon's now; closed by MHD_stop_daemon
  std::unique_lock<std::mutex> lock(s.mu);
  s.stopped_cv.wait(lock, [&] { return s.stopped; });
  lock.unlock();
  // Stop taking connections, answer every queued addition (each answer
  // resumes its connection), and only then stop: MHD must not be stopped
  // with a connection suspended.
  const MHD_socket quiesced = MHD_quiesce_daemon(s.daemon);
  s.batcher.Close();
  MHD_stop_daemon(s.daemon);
  s.daemon = nullptr;
  if (quiesced != MHD_INVALID_SOCKET) ::close(quiesced);
  return absl::OkStatus();
}

void LogServer::Stop() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->stopped = true;
  state_->stopped_cv.notify_all();
}

const ReleaseBatcher& LogServer::batcher() const { return state_->batcher; }

}  // namespace modelseal
