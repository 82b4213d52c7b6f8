#include "cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "google/protobuf/util/json_util.h"

namespace modelseal::cli {

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitVerificationFailed;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kOutOfRange:
      return kExitMalformedInput;
    default:
      return kExitIoOrInternal;
  }
}

int ReportError(const absl::Status& status) {
  std::cerr << "modelseal: " << status.message() << "\n";
  return ExitCodeFor(status);
}

int UsageError(const std::string& message) {
  std::cerr << "modelseal: " << message << "\nRun with --help for usage.\n";
  return kExitUsage;
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  if (status.ok()) return status;
  std::string message(status.message());
  const std::size_t queue = message.find(" (error:");
  if (queue != std::string::npos && absl::EndsWith(message, ")")) {
    message.erase(queue);
  }
  if (!path.empty() && !absl::StartsWith(message, path + ":")) {
    message = absl::StrCat(path, ": ", message);
  }
  return absl::Status(status.code(), message);
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return "{}\n";
  return json + "\n";
}

bool RunningUnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && absl::string_view(ci) != "" &&
         absl::string_view(ci) != "false" && absl::string_view(ci) != "0";
}

bool StdoutIsTerminal() {
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && !RunningUnderCi() &&
         (no_color == nullptr || no_color[0] == '\0');
}

}  // namespace modelseal::cli
