// `modelseal log serve`: checks the flags, then execs modelseal-log-server
// from the directory `modelseal` runs from (cli/log_serve.h).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/common.h"
#include "cli/log_serve.h"

namespace modelseal::cli {
namespace {

// The absolute path of the running program, from the kernel.
std::string OwnPath() {
  std::string path(4096, '\0');
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size());
  if (length <= 0 || static_cast<std::size_t>(length) >= path.size()) {
    return "";
  }
  path.resize(static_cast<std::size_t>(length));
  return path;
}

int ExecLogServer(const LogServeFlags& flags) {
  const std::string self = OwnPath();
  const std::size_t slash = self.rfind('/');
  if (slash == std::string::npos) {
    return ReportError(absl::InternalError(
        "cannot find where modelseal runs from (/proc/self/exe)"));
  }
  const std::string program = self.substr(0, slash + 1) + kLogServerProgram;
  std::vector<std::string> arguments = LogServeArguments(flags);
  arguments.insert(arguments.begin(), kLogServerProgram);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  const int error = errno;
  return ReportError(absl::UnavailableError(
      absl::StrCat("log serve runs ", program, ", which cannot be started: ",
                   std::strerror(error), " (it is installed with modelseal)")));
}

}  // namespace

void AddLogServeCommand(CLI::App& log, int* exit_code) {
  auto flags = std::make_shared<LogServeFlags>();
  CLI::App* serve = log.add_subcommand("serve", kLogServeDescription);
  AddLogServeOptions(*serve, flags.get());
  serve->callback([flags, exit_code] { *exit_code = ExecLogServer(*flags); });
}

}  // namespace modelseal::cli
