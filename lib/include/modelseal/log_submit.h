// Submitting a signature bundle to a log server (`modelseal log serve`, or
// any server speaking its POST /add API, docs/formats/transparency-log.md).
//
//   absl::StatusOr<std::string> logged =
//       SubmitToLogServer("http://127.0.0.1:8080", bundle_json);
//   // *logged: the bundle with its tlogEntries item (entry, inclusion proof,
//   // checkpoint), to be verified like any other.
//
// The request goes over libcurl, loaded only when a bundle is submitted, so
// programs that never submit do not pay for it at start-up.
#ifndef MODELSEAL_LOG_SUBMIT_H_
#define MODELSEAL_LOG_SUBMIT_H_

#include <string>

#include "absl/status/statusor.h"

namespace modelseal {

// POSTs a bundle to a log server (URL of the log, e.g. http://127.0.0.1:8080)
// and returns the bundle with its log entry, after checking that the answer
// still parses as a bundle. kInvalidArgument for a URL that is not http(s),
// kUnavailable when the server cannot be reached or is busy (503),
// kFailedPrecondition when it refuses the bundle.
absl::StatusOr<std::string> SubmitToLogServer(const std::string& url,
                                              const std::string& bundle_json);

}  // namespace modelseal

#endif  // MODELSEAL_LOG_SUBMIT_H_
