// The client half of the log server's HTTP API: POST /add. Kept apart from
// log_server.cc so that a program which only submits links neither the
// HTTP server library nor its TLS start-up.
#include "modelseal/log_submit.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/status.h"
#include "tlog/tiles.h"

namespace modelseal {

absl::StatusOr<std::string> SubmitToLogServer(const std::string& url,
                                              const std::string& bundle_json) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos ||
      !(absl::StartsWith(url, "http://") ||
        absl::StartsWith(url, "https://")) ||
      url.find_first_of("?#") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log URL '", url, "' is not http(s)://host[:port][/path]"));
  }
  std::string base = url;
  while (base.size() > scheme + 3 && base.back() == '/') base.pop_back();
  auto answer = tlog_internal::PostOverHttp(
      base + "/add", bundle_json, "application/json", limits::kMaxBundleBytes);
  if (!answer.ok()) {
    if (absl::IsResourceExhausted(answer.status())) {
      return absl::ResourceExhaustedError(
          "the log answered with an oversized bundle");
    }
    return absl::Status(answer.status().code(),
                        absl::StrCat("cannot reach the log at ", url, ": ",
                                     answer.status().message()));
  }
  if (answer->status == 503) {
    return absl::UnavailableError(
        absl::StrCat("the log at ", url, " is busy (HTTP 503, retry after ",
                     answer->retry_after.empty() ? "?" : answer->retry_after,
                     " s): ", answer->body));
  }
  if (answer->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("the log at ", url, " refused the bundle (HTTP ",
                     answer->status, "): ", answer->body));
  }
  // Whatever the server says, keep only a bundle that still parses.
  MODELSEAL_RETURN_IF_ERROR(ParseBundle(answer->body).status());
  return std::move(answer->body);
}

}  // namespace modelseal
