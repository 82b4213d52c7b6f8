// Tile fetcher over HTTP(S) with libcurl. A log server is untrusted: every
// response is size-capped while it arrives (also after decompression), every
// request has a deadline, and redirects are followed by hand, only to the
// same scheme, host and port, so a server cannot send the client elsewhere.
// One easy handle is reused so that tiles come over one kept-alive
// connection.
#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "tlog/tiles.h"

namespace modelseal::tlog_internal {
namespace {

// libcurl's numeric options and results are C `long`.
using CurlLong = long;  // NOLINT(google-runtime-int)

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

absl::Status CurlGlobalInit() {
  // curl_global_init is not thread-safe and must run once per process.
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

// "scheme://host:port" of `url`, lower-cased, with the default port filled
// in; empty when `url` does not parse.
std::string OriginOf(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (parsed == nullptr ||
      curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return "";
  }
  std::string origin;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* raw = nullptr;
    if (curl_url_get(parsed.get(), part, &raw, CURLU_DEFAULT_PORT) !=
        CURLUE_OK) {
      return "";
    }
    std::unique_ptr<char, CurlStringDeleter> value(raw);
    absl::StrAppend(&origin, absl::AsciiStrToLower(value.get()), "|");
  }
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
    MODELSEAL_RETURN_IF_ERROR(CurlGlobalInit());
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
    std::string origin = OriginOf(base);
    if (origin.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(base_url, ": not a valid URL"));
    }
    std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
    if (handle == nullptr) return absl::InternalError("curl_easy_init failed");
    return std::unique_ptr<TileFetcher>(
        new CurlFetcher(std::move(base), std::move(origin), std::move(handle)));
  }

  absl::StatusOr<std::string> Fetch(const std::string& relative_path,
                                    std::size_t max_bytes) override {
    std::string url = base_ + relative_path;
    for (int hop = 0; hop <= limits::kMaxLogHttpRedirects; ++hop) {
      std::string body;
      Sink sink{&body, max_bytes};
      CURL* h = handle_.get();
      curl_easy_reset(h);
      const bool configured =
          curl_easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_NOSIGNAL, CurlLong{1}) == CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, CurlLong{0}) ==
              CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") ==
              CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                           static_cast<CurlLong>(limits::kLogHttpTimeoutMs)) ==
              CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                           static_cast<CurlLong>(
                               limits::kLogHttpConnectTimeoutMs)) == CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                           static_cast<curl_off_t>(max_bytes)) == CURLE_OK &&
          // "" asks for every encoding libcurl can decode (gzip, identity).
          curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_USERAGENT, "modelseal-tlog") ==
              CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteToSink) ==
              CURLE_OK &&
          curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink) == CURLE_OK;
      if (!configured) {
        return absl::InternalError("cannot configure the HTTP request");
      }
      const CURLcode result = curl_easy_perform(h);
      if (sink.overflow || result == CURLE_FILESIZE_EXCEEDED) {
        return absl::ResourceExhaustedError(absl::StrCat(
            url, ": response is larger than ", max_bytes, " bytes"));
      }
      if (result != CURLE_OK) {
        return absl::UnavailableError(
            absl::StrCat(url, ": ", curl_easy_strerror(result)));
      }
      CurlLong code = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
      if (code == 200) return body;
      if (code == 404 || code == 410) {
        return absl::NotFoundError(absl::StrCat(url, ": HTTP ", code));
      }
      if (code >= 300 && code < 400) {
        char* location = nullptr;
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) !=
                CURLE_OK ||
            location == nullptr) {
          return absl::UnavailableError(
              absl::StrCat(url, ": HTTP ", code, " without a location"));
        }
        std::string next(location);
        if (OriginOf(next) != origin_) {
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

 private:
  CurlFetcher(std::string base, std::string origin,
              std::unique_ptr<CURL, CurlDeleter> handle)
      : base_(std::move(base)),
        origin_(std::move(origin)),
        handle_(std::move(handle)) {}

  const std::string base_;
  const std::string origin_;
  std::unique_ptr<CURL, CurlDeleter> handle_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<TileFetcher>> NewHttpFetcher(
    absl::string_view base_url) {
  return CurlFetcher::Create(base_url);
}

}  // namespace modelseal::tlog_internal
