// Shared plumbing of the modelseal command line: exit codes, error output,
// protobuf JSON printing.
#ifndef MODELSEAL_CLI_COMMON_H_
#define MODELSEAL_CLI_COMMON_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace modelseal::cli {

// DESIGN §3 exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitVerificationFailed = 1,
  kExitUsage = 2,
  kExitMalformedInput = 3,
  kExitIoOrInternal = 4,
};

// The one table from status code to exit code.
int ExitCodeFor(const absl::Status& status);

// Prints "modelseal: <message>" to stderr and returns ExitCodeFor(status).
int ReportError(const absl::Status& status);
// Prints a usage error and returns kExitUsage.
int UsageError(const std::string& message);

// Prefixes "<path>: " to a failed status's message unless the message
// already starts with it (Env errors name their path themselves), so no
// message reads "x.sig: x.sig: ...". OpenSSL error-queue details
// ("(error:1C800064:...)") are dropped: they mean nothing to a user.
absl::Status WithPath(const absl::Status& status, const std::string& path);

// Compact protobuf JSON with proto field names, plus a newline.
std::string ToJson(const google::protobuf::Message& message);

// True when the process runs under CI (CI env variable set and not "false").
bool RunningUnderCi();

// True when stdout is a terminal a person reads: not under CI, and NO_COLOR
// (no-color.org) not set. Reports colour only then.
bool StdoutIsTerminal();

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_COMMON_H_
