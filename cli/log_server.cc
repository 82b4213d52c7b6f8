// `modelseal log serve` and the client side of `sign --log URL`, over
// cpp-httplib.
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/common.h"
#include "cli/log_support.h"
#include "httplib.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/release_log.h"
#include "modelseal/status.h"

namespace modelseal::cli {
namespace {

// Concurrent POST /add requests wait here; one thread appends whatever has
// gathered as one durable batch (one fsync round and one checkpoint).
class Batcher {
 public:
  Batcher(tlog::LogWriter& writer, unsigned batch_ms)
      : writer_(writer), batch_ms_(batch_ms), thread_([this] { Loop(); }) {}
  ~Batcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  absl::StatusOr<std::string> Add(std::string json) {
    Request request{std::move(json), {}};
    std::future<absl::StatusOr<std::string>> done = request.result.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(&request);
    }
    wake_.notify_all();
    return done.get();
  }

 private:
  struct Request {
    std::string json;
    std::promise<absl::StatusOr<std::string>> result;
  };

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_ms_));
      lock.lock();
      std::vector<Request*> batch;
      while (!queue_.empty() &&
             batch.size() < limits::kMaxLogAppendBatchEntries) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      std::vector<std::string> jsons;
      for (Request* request : batch) jsons.push_back(request->json);
      auto updated = AddBundlesToLog(
          writer_, jsons, static_cast<std::uint64_t>(std::time(nullptr)));
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (updated.ok()) {
          batch[i]->result.set_value((*updated)[i]);
        } else {
          batch[i]->result.set_value(updated.status());
        }
      }
      lock.lock();
    }
  }

  tlog::LogWriter& writer_;
  unsigned batch_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Request*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

int HttpStatusFor(const absl::Status& status) {
  switch (ExitCodeFor(status)) {
    case kExitMalformedInput:
      return 400;
    case kExitVerificationFailed:
      return 403;
    default:
      return 500;
  }
}

}  // namespace

absl::StatusOr<std::string> SubmitToLogServer(const std::string& url,
                                              const std::string& bundle_json) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos || !(absl::StartsWith(url, "http://") ||
                                       absl::StartsWith(url, "https://"))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log URL '", url, "' is not http(s)://host[:port][/path]"));
  }
  const std::size_t path_start = url.find('/', scheme + 3);
  const std::string origin = url.substr(0, path_start);
  std::string path =
      path_start == std::string::npos ? "" : url.substr(path_start);
  while (!path.empty() && path.back() == '/') path.pop_back();
  httplib::Client client(origin);
  client.set_connection_timeout(10);
  client.set_read_timeout(60);
  client.set_follow_location(false);
  auto response = client.Post(path + "/add", bundle_json, "application/json");
  if (!response) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach the log at ", url, ": ",
                     httplib::to_string(response.error())));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("the log at ", url, " refused the bundle (HTTP ",
                     response->status, "): ", response->body));
  }
  if (response->body.size() > limits::kMaxBundleBytes) {
    return absl::ResourceExhaustedError(
        "the log answered with an oversized bundle");
  }
  // Whatever the server says, keep only a bundle that still parses.
  MODELSEAL_RETURN_IF_ERROR(ParseBundle(response->body).status());
  return response->body;
}

int ServeLog(const std::string& dir, const std::string& key_path,
             const std::string& listen, unsigned batch_ms) {
  const std::size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return UsageError(absl::StrCat("--listen '", listen, "' is not HOST:PORT"));
  }
  const std::string host = listen.substr(0, colon);
  auto writer = OpenLogWriter(dir, key_path);
  if (!writer.ok()) return ReportError(writer.status());

  // SIGINT/SIGTERM are taken by one thread that stops the server; block them
  // before any other thread starts so that none of those gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Env& env = *Env::Default();
  httplib::Server server;
  server.set_payload_max_length(limits::kMaxBundleBytes);
  server.set_read_timeout(30);
  server.set_write_timeout(30);
  // Only the tlog-tiles paths are served; nothing else in DIR (the lock file,
  // temporary files) is reachable.
  static const std::regex kTilePath(
      R"(/tile/(entries|[0-9]|[1-5][0-9]|6[0-3])(/x[0-9]{3})*/[0-9]{3}(\.p/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?)");
  server.Get("/checkpoint",
             [&](const httplib::Request&, httplib::Response& response) {
               auto note = env.ReadFileToString(JoinPath(dir, "checkpoint"),
                                                limits::kMaxSmallFileBytes);
               if (!note.ok()) {
                 response.status = 500;
                 return;
               }
               response.set_header("Cache-Control", "no-cache");
               response.set_content(*note, "text/plain; charset=utf-8");
             });
  server.Get(R"(/tile/.*)", [&](const httplib::Request& request,
                                httplib::Response& response) {
    if (!std::regex_match(request.path, kTilePath)) {
      response.status = 404;
      return;
    }
    auto tile = env.ReadFileToString(JoinPath(dir, request.path.substr(1)),
                                     std::size_t{32} << 20);
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
  Batcher batcher(**writer, batch_ms);
  server.Post("/add", [&](const httplib::Request& request,
                          httplib::Response& response) {
    // Refuse malformed bundles before they can spoil a batch.
    auto bundle = ParseBundle(request.body);
    absl::Status valid =
        bundle.ok() ? MakeReleaseEntry(*bundle, 0).status() : bundle.status();
    if (!valid.ok()) {
      response.status = HttpStatusFor(valid);
      response.set_content(std::string(valid.message()) + "\n", "text/plain");
      return;
    }
    auto updated = batcher.Add(request.body);
    if (!updated.ok()) {
      response.status = HttpStatusFor(updated.status());
      response.set_content(std::string(updated.status().message()) + "\n",
                           "text/plain");
      return;
    }
    response.set_content(*updated, "application/json");
  });

  const int bound = port == 0 ? server.bind_to_any_port(host)
                              : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return ReportError(
        absl::UnavailableError(absl::StrCat("cannot listen on ", listen)));
  }
  std::thread stopper([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
  });
  std::cerr << "modelseal: serving log " << dir << " (origin "
            << (*writer)->origin() << ") on http://" << host << ":" << bound
            << std::endl;
  const bool ok = server.listen_after_bind();
  // Wake the stopper if the server ended on its own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return ok ? kExitOk : kExitIoOrInternal;
}

}  // namespace modelseal::cli
