// `modelseal log serve` runs as its own program, modelseal-log-server, so
// that `modelseal` links neither the HTTP server library nor libssl, whose
// start-up every other command would pay (docs/benchmarks.md). Both
// programs define the command's flags with AddLogServeOptions(), so they
// parse, check and document them identically; `modelseal log serve` parses
// them, then replaces itself with the server program (same process, same
// pid), passing them on.
#ifndef MODELSEAL_CLI_LOG_SERVE_H_
#define MODELSEAL_CLI_LOG_SERVE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace modelseal::cli {

// The server program's file name; it is looked for next to `modelseal`.
inline constexpr char kLogServerProgram[] = "modelseal-log-server";

struct LogServeFlags {
  std::string dir;
  std::string key;
  std::string listen = "127.0.0.1:8080";
  unsigned batch_ms = 5;
  std::size_t max_pending = 8192;
  std::size_t threads = 0;
  bool sync_each_batch = false;
};

// What `log serve` does, for --help of both programs.
extern const char kLogServeDescription[];

// Adds the positional DIR and every flag of `log serve` to `command`.
void AddLogServeOptions(CLI::App& command, LogServeFlags* flags);

// The flags as arguments for the server program (after its name).
std::vector<std::string> LogServeArguments(const LogServeFlags& flags);

// `modelseal log serve`: the subcommand of `log` that execs the server.
void AddLogServeCommand(CLI::App& log, int* exit_code);

// The server program's work: serve until SIGINT/SIGTERM; the exit code.
int ServeLog(const LogServeFlags& flags);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_LOG_SERVE_H_
