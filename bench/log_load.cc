// Load generator for `modelseal log serve`: N concurrent keep-alive clients
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
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
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

// A minimal HTTP/1.1 keep-alive client: one request at a time, answers
// framed by Content-Length (what the server sends).
class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool Connect(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0)
      return false;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd_ < 0) continue;
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(found);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return true;
  }
  // Sends `request`; fills status, Retry-After seconds and body.
  bool RoundTrip(const std::string& request, int* status, int* retry_after,
                 std::string* body) {
    for (std::size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::send(fd_, request.data() + sent,
                               request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    const absl::string_view head(buffer_.data(), header_end);
    if (head.size() < 12 || !absl::SimpleAtoi(head.substr(9, 3), status))
      return false;
    std::size_t length = 0;
    *retry_after = 1;
    for (const std::string line : {"content-length:", "retry-after:"}) {
      std::string lower(head);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      const std::size_t at = lower.find(line);
      if (at == std::string::npos) continue;
      const std::size_t end = lower.find("\r\n", at);
      absl::string_view value = absl::string_view(lower).substr(
          at + line.size(), end == std::string::npos ? std::string::npos
                                                     : end - at - line.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (line == "content-length:") {
        if (!absl::SimpleAtoi(value, &length)) return false;
      } else {
        (void)absl::SimpleAtoi(value, retry_after);
      }
    }
    const std::size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      if (!Fill()) return false;
    }
    body->assign(buffer_, header_end + 4, length);
    buffer_.erase(0, total);
    return true;
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
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
  std::vector<ClientResult> results(options.clients);
  std::atomic<bool> go{false};
  const auto duration = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.seconds));
  Clock::time_point start;
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      ClientResult& result = results[c];
      Connection& connection = connections[c];
      while (!go.load()) std::this_thread::yield();
      std::string body;
      for (std::uint64_t n = 0;; ++n) {
        const Clock::time_point sent = Clock::now();
        if (sent - start >= duration) break;
        int status = 0;
        int retry_after = 1;
        const std::string& request = requests[(c + n) % requests.size()];
        if (!connection.RoundTrip(request, &status, &retry_after, &body)) {
          result.errors.push_back("connection failed");
          return;
        }
        const double ms =
            std::chrono::duration<double, std::milli>(Clock::now() - sent)
                .count();
        if (status == 503) {
          result.busy += 1;
          std::this_thread::sleep_for(std::chrono::seconds(retry_after));
          continue;
        }
        if (status != 200) {
          result.errors.push_back(absl::StrCat("HTTP ", status, ": ", body));
          continue;
        }
        result.latencies_ms.push_back(ms);
        Ack ack;
        if (!ExtractAck(body, &ack)) {
          result.errors.push_back("an answer without a log entry");
          continue;
        }
        result.acks.push_back(std::move(ack));
        if (result.acks.size() % options.sample_every == 1) {
          result.samples.push_back(body);
        }
      }
    });
  }
  start = Clock::now();
  go = true;
  for (std::thread& thread : threads) thread.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> latencies;
  std::vector<Ack> acks;
  std::vector<std::string> samples;
  std::uint64_t busy = 0;
  std::vector<std::string> errors;
  for (ClientResult& result : results) {
    latencies.insert(latencies.end(), result.latencies_ms.begin(),
                     result.latencies_ms.end());
    for (Ack& ack : result.acks) acks.push_back(std::move(ack));
    for (std::string& sample : result.samples)
      samples.push_back(std::move(sample));
    busy += result.busy;
    errors.insert(errors.end(), result.errors.begin(), result.errors.end());
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
