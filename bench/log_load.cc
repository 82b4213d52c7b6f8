// Load generator for `modelseal log serve`: N concurrent keep-alive clients,
// all driven by one thread with epoll (the generator shares the machine),
// POST bundles to /add for a fixed time; then every acknowledged entry is
// proven in the log's final checkpoint (pinned key), and a sample of the
// answers is verified offline as a verifier would (VerifyLogInclusion).
//
//   modelseal_log_load --url http://127.0.0.1:8080 --bundle b.sig
//       --clients 64 --seconds 5 --log LOGDIR_OR_URL --vkey KEY
//
// Prints one JSON line: adds/s, latency percentiles (ms), 503 answers
// (retried after Retry-After), errors, and how many entries were proven.
// Exit code 0 only if there was no error and every entry was proven.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/log_client.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/release_log.h"
#include "modelseal/signed_note.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::vector<std::string> bundles;
  int clients = 64;
  double seconds = 5;
  std::string log;
  std::string vkey;
  int sample_every = 100;  // full offline verification of every Nth answer
};

// One acknowledged entry: where the server said it is and what it holds.
struct Ack {
  std::uint64_t index = 0;
  std::string entry;
};

struct ClientResult {
  std::vector<double> latencies_ms;
  std::vector<Ack> acks;
  std::vector<std::string> samples;  // whole answers kept for verification
  std::uint64_t busy = 0;            // 503 answers
  std::vector<std::string> errors;
};

// One keep-alive HTTP/1.1 connection driven by the event loop in main():
// one request at a time, answers framed by Content-Length (what the server
// sends).
struct Connection {
  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
  bool Connect(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0)
      return false;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
      ::close(fd);
      fd = -1;
    }
    ::freeaddrinfo(found);
    if (fd < 0) return false;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0;
  }
  // Sends what is left of the request; false on a broken connection.
  bool SendMore() {
    while (sent < request->size()) {
      const ssize_t n = ::send(fd, request->data() + sent,
                               request->size() - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Reads what has arrived; false on a closed or broken connection.
  bool ReadMore() {
    char chunk[65536];
    while (true) {
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < sizeof(chunk)) return true;
    }
  }
  // 1: a whole answer was taken from the buffer; 0: more is needed;
  // -1: malformed.
  int TakeAnswer(int* status, int* retry_after, std::string* body) {
    const std::size_t header_end = buffer.find("\r\n\r\n");
    if (header_end == std::string::npos) return 0;
    const absl::string_view head(buffer.data(), header_end);
    if (head.size() < 12 || !absl::SimpleAtoi(head.substr(9, 3), status))
      return -1;
    std::size_t length = 0;
    *retry_after = 1;
    std::string lower(head);
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    for (const std::string line : {"content-length:", "retry-after:"}) {
      const std::size_t at = lower.find(line);
      if (at == std::string::npos) continue;
      const std::size_t end = lower.find("\r\n", at);
      absl::string_view value = absl::string_view(lower).substr(
          at + line.size(), end == std::string::npos ? std::string::npos
                                                     : end - at - line.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (line == "content-length:") {
        if (!absl::SimpleAtoi(value, &length)) return -1;
      } else {
        (void)absl::SimpleAtoi(value, retry_after);
      }
    }
    const std::size_t total = header_end + 4 + length;
    if (buffer.size() < total) return 0;
    body->assign(buffer, header_end + 4, length);
    buffer.erase(0, total);
    return 1;
  }

  int fd = -1;
  std::string buffer;
  const std::string* request = nullptr;  // in flight
  std::size_t sent = 0;
  Clock::time_point started;
  Clock::time_point retry_at;  // after a 503
  std::uint64_t count = 0;
  bool waiting_to_retry = false;
  bool done = false;
};

// The logged entry and index in an answer, found without a full parse (the
// client must not steal the server's CPU); the proof check comes later.
bool ExtractAck(const std::string& body, Ack* ack) {
  // The answer's newest tlogEntries item is the last one.
  const std::string kIndex = "\"logIndex\":\"";
  const std::string kBody = "\"canonicalizedBody\":\"";
  const std::size_t body_at = body.rfind(kBody);
  const std::size_t index_at = body.rfind(kIndex);
  if (body_at == std::string::npos || index_at == std::string::npos)
    return false;
  const std::size_t body_end = body.find('"', body_at + kBody.size());
  const std::size_t index_end = body.find('"', index_at + kIndex.size());
  if (body_end == std::string::npos || index_end == std::string::npos)
    return false;
  if (!absl::SimpleAtoi(
          absl::string_view(body).substr(index_at + kIndex.size(),
                                         index_end - index_at - kIndex.size()),
          &ack->index)) {
    return false;
  }
  return absl::Base64Unescape(
      absl::string_view(body).substr(body_at + kBody.size(),
                                     body_end - body_at - kBody.size()),
      &ack->entry);
}

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const std::size_t at = std::min(
      values.size() - 1, static_cast<std::size_t>(p * (values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + at, values.end());
  return values[at];
}

int Usage() {
  std::cerr << "usage: modelseal_log_load --url http://HOST:PORT --bundle FILE"
               " [--bundle FILE...] --log DIR|URL --vkey KEY [--clients N]"
               " [--seconds S] [--sample-every N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string url;
  for (int i = 1; i + 1 < argc; i += 2) {
    const absl::string_view flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url") {
      url = value;
    } else if (flag == "--bundle") {
      options.bundles.push_back(value);
    } else if (flag == "--clients") {
      if (!absl::SimpleAtoi(value, &options.clients) || options.clients < 1)
        return Usage();
    } else if (flag == "--seconds") {
      if (!absl::SimpleAtod(value, &options.seconds)) return Usage();
    } else if (flag == "--log") {
      options.log = value;
    } else if (flag == "--vkey") {
      options.vkey = value;
    } else if (flag == "--sample-every") {
      if (!absl::SimpleAtoi(value, &options.sample_every) ||
          options.sample_every < 1)
        return Usage();
    } else {
      return Usage();
    }
  }
  if (argc % 2 != 1 || url.rfind("http://", 0) != 0 ||
      options.bundles.empty() || options.log.empty() || options.vkey.empty()) {
    return Usage();
  }
  const std::string authority = url.substr(7, url.find('/', 7) - 7);
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    options.host = authority.substr(0, colon);
    options.port = authority.substr(colon + 1);
  }
  modelseal::Env& env = *modelseal::Env::Default();
  std::vector<std::string> requests;
  for (const std::string& path : options.bundles) {
    auto json = env.ReadFileToString(path, modelseal::limits::kMaxBundleBytes);
    if (!json.ok()) {
      std::cerr << json.status() << "\n";
      return 1;
    }
    requests.push_back(absl::StrCat(
        "POST /add HTTP/1.1\r\nHost: ", authority,
        "\r\nContent-Type: application/json\r\nContent-Length: ", json->size(),
        "\r\n\r\n", *json));
  }

  // Every client connects before the clock starts.
  std::vector<Connection> connections(options.clients);
  for (Connection& connection : connections) {
    if (!connection.Connect(options.host, options.port)) {
      std::cerr << "cannot connect to " << url << "\n";
      return 1;
    }
  }
  // One thread drives every connection with epoll, so that the load
  // generator, which shares the machine with the server, takes as little of
  // its CPU as it can (a thread per client cost a context switch per add).
  ClientResult result;
  const auto duration = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.seconds));
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) {
    std::cerr << "epoll_create1 failed\n";
    return 1;
  }
  const Clock::time_point start = Clock::now();
  std::size_t active = connections.size();
  auto send_next = [&](std::size_t c) {
    Connection& connection = connections[c];
    if (Clock::now() - start >= duration) {
      connection.done = true;
      --active;
      return;
    }
    connection.request = &requests[(c + connection.count++) % requests.size()];
    connection.sent = 0;
    connection.started = Clock::now();
    if (!connection.SendMore()) {
      result.errors.push_back("connection failed");
      connection.done = true;
      --active;
    }
  };
  for (std::size_t c = 0; c < connections.size(); ++c) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLET;
    event.data.u64 = c;
    if (::epoll_ctl(epoll, EPOLL_CTL_ADD, connections[c].fd, &event) != 0) {
      std::cerr << "epoll_ctl failed\n";
      return 1;
    }
    send_next(c);
  }
  std::vector<epoll_event> events(connections.size());
  std::string body;
  while (active > 0) {
    // Wake for the earliest retry after a 503, if any.
    int timeout_ms = 1000;
    for (const Connection& connection : connections) {
      if (!connection.done && connection.waiting_to_retry) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            connection.retry_at - Clock::now());
        timeout_ms =
            std::clamp<int>(static_cast<int>(wait.count()), 0, timeout_ms);
      }
    }
    const int ready = ::epoll_wait(epoll, events.data(),
                                   static_cast<int>(events.size()), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      result.errors.push_back("epoll_wait failed");
      break;
    }
    for (int e = 0; e < ready; ++e) {
      const std::size_t c = events[e].data.u64;
      Connection& connection = connections[c];
      if (connection.done || connection.waiting_to_retry) continue;
      if ((events[e].events & EPOLLOUT) && !connection.SendMore()) {
        result.errors.push_back("connection failed");
        connection.done = true;
        --active;
        continue;
      }
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      if (!connection.ReadMore()) {
        result.errors.push_back("connection closed");
        connection.done = true;
        --active;
        continue;
      }
      int status = 0;
      int retry_after = 1;
      const int taken = connection.TakeAnswer(&status, &retry_after, &body);
      if (taken == 0) continue;
      if (taken < 0) {
        result.errors.push_back("a malformed answer");
        connection.done = true;
        --active;
        continue;
      }
      const double ms = std::chrono::duration<double, std::milli>(
                            Clock::now() - connection.started)
                            .count();
      if (status == 503) {
        result.busy += 1;
        connection.waiting_to_retry = true;
        connection.retry_at = Clock::now() + std::chrono::seconds(retry_after);
        continue;
      }
      if (status != 200) {
        result.errors.push_back(absl::StrCat("HTTP ", status, ": ", body));
      } else {
        result.latencies_ms.push_back(ms);
        Ack ack;
        if (!ExtractAck(body, &ack)) {
          result.errors.push_back("an answer without a log entry");
        } else {
          result.acks.push_back(std::move(ack));
          if (result.acks.size() % options.sample_every == 1) {
            result.samples.push_back(body);
          }
        }
      }
      send_next(c);
    }
    for (std::size_t c = 0; c < connections.size(); ++c) {
      Connection& connection = connections[c];
      if (!connection.done && connection.waiting_to_retry &&
          Clock::now() >= connection.retry_at) {
        connection.waiting_to_retry = false;
        send_next(c);
      }
    }
  }
  ::close(epoll);
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<ClientResult> results;
  results.push_back(std::move(result));

  std::vector<double> latencies;
  std::vector<Ack> acks;
  std::vector<std::string> samples;
  std::uint64_t busy = 0;
  std::vector<std::string> errors;
  for (ClientResult& client : results) {
    latencies.insert(latencies.end(), client.latencies_ms.begin(),
                     client.latencies_ms.end());
    for (Ack& ack : client.acks) acks.push_back(std::move(ack));
    for (std::string& sample : client.samples)
      samples.push_back(std::move(sample));
    busy += client.busy;
    errors.insert(errors.end(), client.errors.begin(), client.errors.end());
  }

  // Every acknowledged entry must be provable in the final, pinned-key
  // checkpoint; sampled answers must verify on their own, offline.
  std::uint64_t proven = 0;
  std::uint64_t samples_verified = 0;
  modelseal::tlog::LogClientOptions client_options;
  client_options.verifier_keys = {options.vkey};
  auto client =
      modelseal::tlog::LogClient::Open(env, options.log, client_options);
  if (!client.ok()) {
    errors.push_back(
        absl::StrCat("opening the log: ", client.status().message()));
  } else {
    std::sort(acks.begin(), acks.end(),
              [](const Ack& a, const Ack& b) { return a.index < b.index; });
    for (std::size_t i = 0; i < acks.size(); ++i) {
      if (i > 0 && acks[i].index == acks[i - 1].index) {
        errors.push_back(absl::StrCat("index ", acks[i].index, " acked twice"));
        continue;
      }
      absl::Status included =
          (*client)->VerifyEntryInclusion(acks[i].entry, acks[i].index);
      if (included.ok()) {
        ++proven;
      } else if (errors.size() < 20) {
        errors.push_back(
            absl::StrCat("entry ", acks[i].index, ": ", included.message()));
      }
    }
    auto key = modelseal::tlog::NoteVerifier::Parse(options.vkey);
    for (const std::string& sample : samples) {
      auto bundle = modelseal::ParseBundle(sample);
      absl::Status verified = bundle.status();
      if (bundle.ok() && key.ok()) {
        const modelseal::tlog::NoteVerifier keys[] = {*key};
        verified = modelseal::VerifyLogInclusion(*bundle, keys).status();
      }
      if (verified.ok()) {
        ++samples_verified;
      } else {
        errors.push_back(absl::StrCat("sampled answer: ", verified.message()));
      }
    }
  }

  std::printf(
      "{\"clients\":%d,\"seconds\":%.2f,\"acked\":%zu,\"adds_per_s\":%.0f,"
      "\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,"
      "\"busy_503\":%llu,\"errors\":%zu,\"proven\":%llu,"
      "\"samples_verified\":%llu}\n",
      options.clients, elapsed, acks.size(), acks.size() / elapsed,
      Percentile(latencies, 0.50), Percentile(latencies, 0.90),
      Percentile(latencies, 0.99), Percentile(latencies, 1.0),
      static_cast<unsigned long long>(busy), errors.size(),
      static_cast<unsigned long long>(proven),
      static_cast<unsigned long long>(samples_verified));
  for (std::size_t i = 0; i < std::min<std::size_t>(errors.size(), 10); ++i) {
    std::cerr << "error: " << errors[i] << "\n";
  }
  return errors.empty() && proven == acks.size() ? 0 : 1;
}
