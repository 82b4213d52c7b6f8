// Status helpers shared by every modelseal component.
//
// Errors travel as absl::Status / absl::StatusOr<T>; no exception crosses the
// library API. Debian 12's abseil (20220623) does not ship RETURN_IF_ERROR or
// ASSIGN_OR_RETURN, so the project keeps its own, defined once here.
//
// Status codes are chosen by meaning, and the CLI maps them to exit codes in
// one table (cli/exit_codes.cc):
//   kInvalidArgument    malformed input (bad flag value, bad file contents)
//   kDataLoss           a stored file is corrupted or changed while read
//   kUnauthenticated    a signature or proof did not verify
//   kPermissionDenied   a policy says no
//   kFailedPrecondition the operation is not allowed in the current state
//   kNotFound           a named file does not exist
//   kResourceExhausted  a limit from limits.h was exceeded
//   kInternal/kUnknown  a bug or an unexpected OS error
#ifndef MODELSEAL_STATUS_H_
#define MODELSEAL_STATUS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#define MODELSEAL_STATUS_CONCAT_INNER_(a, b) a##b
#define MODELSEAL_STATUS_CONCAT_(a, b) MODELSEAL_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define MODELSEAL_RETURN_IF_ERROR(...)                     \
  do {                                                     \
    ::absl::Status modelseal_status_ = (__VA_ARGS__);      \
    if (!modelseal_status_.ok()) return modelseal_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be a
// declaration (`auto x`) or an existing variable.
#define MODELSEAL_ASSIGN_OR_RETURN(lhs, ...)                        \
  MODELSEAL_ASSIGN_OR_RETURN_IMPL_(                                 \
      MODELSEAL_STATUS_CONCAT_(modelseal_statusor_, __LINE__), lhs, \
      (__VA_ARGS__))

#define MODELSEAL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                     \
  if (!statusor.ok()) return std::move(statusor).status();     \
  lhs = *std::move(statusor)

namespace modelseal {

// Returns `status` with `context + ": "` put in front of its message, keeping
// its code. OK stays OK.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace modelseal

#endif  // MODELSEAL_STATUS_H_
