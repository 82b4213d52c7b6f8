// modelseal-log-server, the program behind `modelseal log serve`
// (cli/log_serve.h): flags -> LogServer (modelseal/log_server.h), until
// SIGINT/SIGTERM.
#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/common.h"
#include "cli/log_serve.h"
#include "cli/log_support.h"
#include "modelseal/env.h"
#include "modelseal/log_server.h"

namespace modelseal::cli {

int ServeLog(const LogServeFlags& flags) {
  const std::string& listen = flags.listen;
  const std::string& dir = flags.dir;
  LogServerOptions options;
  options.batcher.window_ms = flags.batch_ms;
  options.batcher.max_pending = flags.max_pending;
  options.threads = flags.threads;
  const std::size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return UsageError(absl::StrCat("--listen '", listen, "' is not HOST:PORT"));
  }
  options.host = listen.substr(0, colon);
  options.port = port;
  // Each connection is a descriptor and holds no thread: let the server
  // have as many as the hard limit allows (the soft limit is often 1,024).
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 &&
      files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  tlog::LogWriterOptions writer_options;
  writer_options.journal = !flags.sync_each_batch;
  auto writer = OpenLogWriter(dir, flags.key, writer_options);
  if (!writer.ok()) return ReportError(writer.status());

  // SIGINT/SIGTERM are taken by one thread that stops the server; block them
  // before any other thread starts so that none of those gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = LogServer::Create(*Env::Default(), dir, **writer, options);
  if (!server.ok()) return ReportError(server.status());
  std::thread stopper([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    (*server)->Stop();
  });
  std::cerr << "modelseal: serving log " << dir << " (origin "
            << (*writer)->origin() << ") on http://" << options.host << ":"
            << (*server)->port() << std::endl;
  const absl::Status served = (*server)->Run();
  // Wake the stopper if the server ended on its own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  const ReleaseBatcher::Stats stats = (*server)->batcher().stats();
  std::cerr << "modelseal: logged " << stats.entries << " entries in "
            << stats.batches << " batches (largest " << stats.largest_batch
            << "); " << stats.refused
            << " additions refused as the queue was full" << std::endl;
  return served.ok() ? kExitOk : ReportError(served);
}

}  // namespace modelseal::cli

int main(int argc, char** argv) {
  using modelseal::cli::kExitIoOrInternal;
  using modelseal::cli::kExitUsage;
  modelseal::cli::LogServeFlags flags;
  CLI::App app{absl::StrCat(
      "modelseal-log-server (modelseal log serve): ",
      modelseal::cli::kLogServeDescription,
      "\nExit codes: 0 stopped by SIGINT/SIGTERM, 2 usage error, 3 malformed "
      "log, 4 I/O or internal error.")};
  app.name(modelseal::cli::kLogServerProgram);
  modelseal::cli::AddLogServeOptions(app, &flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << modelseal::cli::kLogServerProgram << ": " << error.what()
              << "\nRun 'modelseal log serve --help' for usage.\n";
    return kExitUsage;
  }
  try {
    return modelseal::cli::ServeLog(flags);
  } catch (const std::exception& error) {
    std::cerr << "modelseal: internal error: " << error.what() << "\n";
    return kExitIoOrInternal;
  }
}
