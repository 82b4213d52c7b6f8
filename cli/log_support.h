// Transparency-log plumbing shared by `log`, `sign --log`, `verify --log-key`
// and the log server program (cli/log_serve.h).
#ifndef MODELSEAL_CLI_LOG_SUPPORT_H_
#define MODELSEAL_CLI_LOG_SUPPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelseal/transparency_log.h"

namespace modelseal::cli {

// DIR.key: where `log init` keeps the signer key, outside the served tree.
std::string DefaultLogKeyPath(const std::string& dir);

// Opens the log in `dir` for appending with the signer key at `key_path`
// (DefaultLogKeyPath(dir) when empty).
absl::StatusOr<std::unique_ptr<tlog::LogWriter>> OpenLogWriter(
    const std::string& dir, const std::string& key_path,
    tlog::LogWriterOptions options = {});

// Verifier key strings from values that are key strings or files of them.
absl::StatusOr<std::vector<std::string>> ReadVerifierKeys(
    const std::vector<std::string>& given);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_LOG_SUPPORT_H_
