// Transparency-log plumbing shared by `modelseal log` and the log server
// program (cli/log_support.h).
#include "cli/log_support.h"

#include <string>

#include "modelseal/crypto.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::cli {

std::string DefaultLogKeyPath(const std::string& dir) {
  std::string trimmed = dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  return trimmed + ".key";
}

absl::StatusOr<std::unique_ptr<tlog::LogWriter>> OpenLogWriter(
    const std::string& dir, const std::string& key_path,
    tlog::LogWriterOptions options) {
  Env& env = *Env::Default();
  const std::string path = key_path.empty() ? DefaultLogKeyPath(dir) : key_path;
  auto key = env.ReadFileToString(path, limits::kMaxSmallFileBytes);
  if (!key.ok()) {
    return Annotate(key.status(),
                    "reading the log's signer key (see --log-signer-key)");
  }
  SecretString secret(*std::move(key));
  std::string trimmed = secret.value();
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r'))
    trimmed.pop_back();
  SecretString signer_key(std::move(trimmed));
  return tlog::LogWriter::Open(env, dir, signer_key.value(), options);
}

}  // namespace modelseal::cli
