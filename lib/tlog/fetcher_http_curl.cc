// Tile fetcher, and the POST that submits a bundle, over HTTP(S) with
// libcurl. A log server is untrusted: every
// response is size-capped while it arrives (also after decompression), every
// request has a deadline, and redirects are followed by hand, only to the
// same scheme, host and port, so a server cannot send the client elsewhere.
// One easy handle is reused so that tiles come over one kept-alive
// connection.
//
// libcurl is loaded with dlopen() the first time a URL is fetched, not linked:
// Debian's libcurl pulls in about 25 shared libraries (GnuTLS, Kerberos,
// LDAP, SSH, RTMP), and resolving them cost every command ~10 ms of start-up,
// although most never touch the network (docs/benchmarks.md). Only the
// header's types and constants are used at compile time.
#include <curl/curl.h>
#include <dlfcn.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "tlog/tiles.h"

namespace modelseal::tlog_internal {
namespace {

// libcurl's numeric options and results are C `long`.
using CurlLong = long;  // NOLINT(google-runtime-int)

// The SONAME of libcurl's ABI 4 (Debian's libcurl4 package; the OpenSSL
// flavour that the build's libcurl4-openssl-dev headers describe).
constexpr char kLibcurlSoname[] = "libcurl.so.4";

// The libcurl entry points this fetcher calls, resolved by name.
struct CurlApi {
  CURLcode (*global_init)(long flags);  // NOLINT(google-runtime-int)
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLU* (*url)();
  void (*url_cleanup)(CURLU*);
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int);
  CURLUcode (*url_get)(const CURLU*, CURLUPart, char**, unsigned int);
  void (*free)(void*);
};

template <typename Fn>
bool Resolve(void* library, const char* name, Fn* out) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) return false;
  *out = reinterpret_cast<Fn>(symbol);
  return true;
}

// Loads libcurl and runs curl_global_init once per process (neither is
// thread-safe to repeat); the library stays loaded until exit.
absl::StatusOr<const CurlApi*> LoadCurl() {
  static std::once_flag once;
  static CurlApi api;
  static absl::Status status;
  std::call_once(once, [] {
    void* library = dlopen(kLibcurlSoname, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      status = absl::FailedPreconditionError(absl::StrCat(
          "HTTP access to a log needs libcurl (", kLibcurlSoname,
          ", Debian package libcurl4): ", why == nullptr ? "not found" : why));
      return;
    }
    const bool resolved =
        Resolve(library, "curl_global_init", &api.global_init) &&
        Resolve(library, "curl_easy_init", &api.easy_init) &&
        Resolve(library, "curl_easy_cleanup", &api.easy_cleanup) &&
        Resolve(library, "curl_easy_reset", &api.easy_reset) &&
        Resolve(library, "curl_easy_setopt", &api.easy_setopt) &&
        Resolve(library, "curl_slist_append", &api.slist_append) &&
        Resolve(library, "curl_slist_free_all", &api.slist_free_all) &&
        Resolve(library, "curl_easy_perform", &api.easy_perform) &&
        Resolve(library, "curl_easy_getinfo", &api.easy_getinfo) &&
        Resolve(library, "curl_easy_strerror", &api.easy_strerror) &&
        Resolve(library, "curl_url", &api.url) &&
        Resolve(library, "curl_url_cleanup", &api.url_cleanup) &&
        Resolve(library, "curl_url_set", &api.url_set) &&
        Resolve(library, "curl_url_get", &api.url_get) &&
        Resolve(library, "curl_free", &api.free);
    if (!resolved) {
      status = absl::FailedPreconditionError(
          absl::StrCat(kLibcurlSoname,
                       " lacks a function modelseal needs (libcurl 7.62 or "
                       "later is required)"));
      return;
    }
    const CURLcode result = api.global_init(CURL_GLOBAL_DEFAULT);
    if (result != CURLE_OK) {
      status = absl::InternalError(
          absl::StrCat("curl_global_init: ", api.easy_strerror(result)));
    }
  });
  if (!status.ok()) return status;
  return &api;
}

// "scheme://host:port" of `url`, lower-cased, with the default port filled
// in; empty when `url` does not parse.
std::string OriginOf(const CurlApi& api, const std::string& url) {
  CURLU* parsed = api.url();
  if (parsed == nullptr) return "";
  std::string origin;
  if (api.url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
      char* raw = nullptr;
      if (api.url_get(parsed, part, &raw, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        origin.clear();
        break;
      }
      absl::StrAppend(&origin, absl::AsciiStrToLower(raw), "|");
      api.free(raw);
    }
  }
  api.url_cleanup(parsed);
  return origin;
}

struct Sink {
  std::string* out;
  std::size_t max_bytes;
  bool overflow = false;
};

std::size_t WriteToSink(char* data, std::size_t size, std::size_t count,
                        void* user) {
  Sink* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->out->size() + bytes > sink->max_bytes) {
    sink->overflow = true;
    return 0;  // makes libcurl abort the transfer
  }
  sink->out->append(data, bytes);
  return bytes;
}

class CurlFetcher final : public TileFetcher {
 public:
  static absl::StatusOr<std::unique_ptr<TileFetcher>> Create(
      absl::string_view base_url) {
    MODELSEAL_ASSIGN_OR_RETURN(const CurlApi* api, LoadCurl());
    std::string base(base_url);
    if (!absl::StartsWithIgnoreCase(base, "http://") &&
        !absl::StartsWithIgnoreCase(base, "https://")) {
      return absl::InvalidArgumentError(
          absl::StrCat(base, ": log URL must be http:// or https://"));
    }
    if (base.find_first_of("?#") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(base, ": log URL must not have a query or fragment"));
    }
    if (base.back() != '/') base.push_back('/');
    std::string origin = OriginOf(*api, base);
    if (origin.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(base_url, ": not a valid URL"));
    }
    CURL* handle = api->easy_init();
    if (handle == nullptr) return absl::InternalError("curl_easy_init failed");
    return std::unique_ptr<TileFetcher>(
        new CurlFetcher(*api, std::move(base), std::move(origin), handle));
  }

  absl::StatusOr<std::string> Fetch(const std::string& relative_path,
                                    std::size_t max_bytes) override {
    std::string url = base_ + relative_path;
    for (int hop = 0; hop <= limits::kMaxLogHttpRedirects; ++hop) {
      std::string body;
      Sink sink{&body, max_bytes};
      CURL* h = handle_;
      api_.easy_reset(h);
      const bool configured =
          api_.easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_NOSIGNAL, CurlLong{1}) == CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_FOLLOWLOCATION, CurlLong{0}) ==
              CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") ==
              CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_TIMEOUT_MS,
                           static_cast<CurlLong>(limits::kLogHttpTimeoutMs)) ==
              CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                           static_cast<CurlLong>(
                               limits::kLogHttpConnectTimeoutMs)) == CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                           static_cast<curl_off_t>(max_bytes)) == CURLE_OK &&
          // "" asks for every encoding libcurl can decode (gzip, identity).
          api_.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_USERAGENT, "modelseal-tlog") ==
              CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteToSink) ==
              CURLE_OK &&
          api_.easy_setopt(h, CURLOPT_WRITEDATA, &sink) == CURLE_OK;
      if (!configured) {
        return absl::InternalError("cannot configure the HTTP request");
      }
      const CURLcode result = api_.easy_perform(h);
      if (sink.overflow || result == CURLE_FILESIZE_EXCEEDED) {
        return absl::ResourceExhaustedError(absl::StrCat(
            url, ": response is larger than ", max_bytes, " bytes"));
      }
      if (result != CURLE_OK) {
        return absl::UnavailableError(
            absl::StrCat(url, ": ", api_.easy_strerror(result)));
      }
      CurlLong code = 0;
      api_.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
      if (code == 200) return body;
      if (code == 404 || code == 410) {
        return absl::NotFoundError(absl::StrCat(url, ": HTTP ", code));
      }
      if (code >= 300 && code < 400) {
        char* location = nullptr;
        if (api_.easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) !=
                CURLE_OK ||
            location == nullptr) {
          return absl::UnavailableError(
              absl::StrCat(url, ": HTTP ", code, " without a location"));
        }
        std::string next(location);
        if (OriginOf(api_, next) != origin_) {
          return absl::UnavailableError(absl::StrCat(
              url, ": refusing a redirect to another host: ", next));
        }
        url = std::move(next);
        continue;
      }
      return absl::UnavailableError(absl::StrCat(url, ": HTTP ", code));
    }
    return absl::UnavailableError(
        absl::StrCat(base_, relative_path, ": too many redirects"));
  }

  std::string Describe() const override { return base_; }

  ~CurlFetcher() override { api_.easy_cleanup(handle_); }
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

 private:
  CurlFetcher(const CurlApi& api, std::string base, std::string origin,
              CURL* handle)
      : api_(api),
        base_(std::move(base)),
        origin_(std::move(origin)),
        handle_(handle) {}

  const CurlApi& api_;
  const std::string base_;
  const std::string origin_;
  CURL* const handle_;
};

// Keeps the value of a Retry-After header line.
std::size_t KeepRetryAfter(char* data, std::size_t size, std::size_t count,
                           void* user) {
  const std::size_t bytes = size * count;
  absl::string_view line(data, bytes);
  constexpr absl::string_view kName = "retry-after:";
  if (line.size() > kName.size() && absl::StartsWithIgnoreCase(line, kName)) {
    *static_cast<std::string*>(user) = std::string(
        absl::StripAsciiWhitespace(line.substr(kName.size())).substr(0, 64));
  }
  return bytes;
}

}  // namespace

absl::StatusOr<HttpAnswer> PostOverHttp(const std::string& url,
                                        absl::string_view body,
                                        const std::string& content_type,
                                        std::size_t max_bytes) {
  MODELSEAL_ASSIGN_OR_RETURN(const CurlApi* api, LoadCurl());
  if (!absl::StartsWithIgnoreCase(url, "http://") &&
      !absl::StartsWithIgnoreCase(url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(url, ": URL must be http:// or https://"));
  }
  CURL* h = api->easy_init();
  if (h == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string header = "Content-Type: " + content_type;
  curl_slist* headers = api->slist_append(nullptr, header.c_str());
  // No "Expect: 100-continue" round trip before the body.
  if (headers != nullptr) headers = api->slist_append(headers, "Expect:");
  HttpAnswer answer;
  Sink sink{&answer.body, max_bytes};
  const bool configured =
      headers != nullptr &&
      api->easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_NOSIGNAL, CurlLong{1}) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, CurlLong{0}) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_TCP_NODELAY, CurlLong{1}) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_TIMEOUT_MS,
                       static_cast<CurlLong>(limits::kLogHttpTimeoutMs)) ==
          CURLE_OK &&
      api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<CurlLong>(
                           limits::kLogHttpConnectTimeoutMs)) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(max_bytes)) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_USERAGENT, "modelseal-tlog") == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_POSTFIELDS, body.data()) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(body.size())) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteToSink) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_WRITEDATA, &sink) == CURLE_OK &&
      api->easy_setopt(h, CURLOPT_HEADERFUNCTION, &KeepRetryAfter) ==
          CURLE_OK &&
      api->easy_setopt(h, CURLOPT_HEADERDATA, &answer.retry_after) == CURLE_OK;
  CURLcode result = CURLE_OK;
  CurlLong code = 0;
  if (configured) {
    result = api->easy_perform(h);
    api->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  }
  api->easy_cleanup(h);
  api->slist_free_all(headers);
  if (!configured) return absl::InternalError("cannot configure the HTTP POST");
  if (sink.overflow || result == CURLE_FILESIZE_EXCEEDED) {
    return absl::ResourceExhaustedError(
        absl::StrCat(url, ": response is larger than ", max_bytes, " bytes"));
  }
  if (result != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat(url, ": ", api->easy_strerror(result)));
  }
  answer.status = static_cast<int>(code);
  return answer;
}

absl::StatusOr<std::unique_ptr<TileFetcher>> NewHttpFetcher(
    absl::string_view base_url) {
  return CurlFetcher::Create(base_url);
}

}  // namespace modelseal::tlog_internal
