// The flags of `log serve`, shared by `modelseal` and modelseal-log-server
// (cli/log_serve.h).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/log_serve.h"

namespace modelseal::cli {

const char kLogServeDescription[] =
    "Serve the log read-only over HTTP (checkpoint and tiles) and accept "
    "POST /add of a bundle, batching concurrent adds into one durable "
    "append; answers with the bundle including its log entry, or 503 with "
    "Retry-After when --max-pending adds already wait.";

void AddLogServeOptions(CLI::App& command, LogServeFlags* flags) {
  command.add_option("dir", flags->dir, "Log directory")->required();
  command.add_option(
      "--listen", flags->listen,
      "Address to listen on (default 127.0.0.1:8080; port 0 picks one)");
  command.add_option("--log-signer-key", flags->key,
                     "The log's signer key (default DIR.key)");
  command
      .add_option("--batch-ms", flags->batch_ms,
                  "Longest wait for concurrent adds to join a batch "
                  "(default 5); a batch closes sooner once half as many "
                  "adds wait as the previous batch held")
      ->check(CLI::Range(0u, 1000u));
  command
      .add_option("--max-pending", flags->max_pending,
                  "Adds allowed to wait for a batch; more are answered "
                  "503 with Retry-After (default 8192)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  command
      .add_option("--threads", flags->threads,
                  "Threads polling the connections (default 0: one per "
                  "core, at most 4); an add waiting for its batch holds "
                  "none, so a few serve thousands of clients")
      ->check(CLI::Range(std::size_t{0}, std::size_t{64}));
  command.add_flag(
      "--sync-each-batch", flags->sync_each_batch,
      "Sync each batch's tiles and checkpoint before answering, instead of "
      "one write-ahead journal append (DIR/journal; see docs/public-log.md)");
}

std::vector<std::string> LogServeArguments(const LogServeFlags& flags) {
  std::vector<std::string> arguments = {
      "--listen",      flags.listen,
      "--batch-ms",    absl::StrCat(flags.batch_ms),
      "--max-pending", absl::StrCat(flags.max_pending),
      "--threads",     absl::StrCat(flags.threads)};
  if (flags.sync_each_batch) arguments.push_back("--sync-each-batch");
  if (!flags.key.empty()) {
    arguments.push_back("--log-signer-key");
    arguments.push_back(flags.key);
  }
  // After "--", a directory named like a flag is still the directory.
  arguments.push_back("--");
  arguments.push_back(flags.dir);
  return arguments;
}

}  // namespace modelseal::cli
