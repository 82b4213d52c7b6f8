// modelseal: hash, sign, log and verify machine-learning models.
#include <exception>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/docgen.h"
#include "cli/heap.h"
#include "cli/version.h"
#include "modelseal/hash.h"

namespace modelseal::cli {

std::string VersionText() {
  return absl::StrCat("modelseal ", ModelsealVersion(), " (commit ",
                      ModelsealCommit(),
                      ")\nhash kernels: ", HashKernelsDescription());
}

}  // namespace modelseal::cli

int main(int argc, char** argv) {
  modelseal::cli::PrepareHeap();
  using modelseal::cli::kExitIoOrInternal;
  using modelseal::cli::kExitUsage;
  CLI::App app{
      "modelseal: hash model folders, sign them in the OpenSSF Model Signing "
      "format, and verify them.\n"
      "Exit codes: 0 ok, 1 verification failed or policy violated, 2 usage "
      "error, 3 malformed input, 4 I/O or internal error."};
  app.name("modelseal");
  app.set_version_flag("--version", modelseal::cli::VersionText,
                       "Print the version, the commit and the hash kernels "
                       "this CPU uses, and exit");
  app.require_subcommand(1);
  int exit_code = 0;
  modelseal::cli::RegisterHashCommand(app, &exit_code);
  modelseal::cli::RegisterDigestCommand(app, &exit_code);
  modelseal::cli::RegisterKeygenCommand(app, &exit_code);
  modelseal::cli::RegisterSignCommand(app, &exit_code);
  modelseal::cli::RegisterVerifyCommand(app, &exit_code);
  modelseal::cli::RegisterLogCommand(app, &exit_code);
  modelseal::cli::RegisterCardCommand(app, &exit_code);
  modelseal::cli::RegisterPolicyCommand(app, &exit_code);
  modelseal::cli::RegisterScanCommand(app, &exit_code);
  modelseal::cli::RegisterVerifyBlobCommand(app, &exit_code);
  // Hidden; last, so that they see every command above.
  modelseal::cli::RegisterDocCommands(app, &exit_code);
  // CLI11 would only say "a subcommand is required" for a mistyped one.
  const auto known = [&app](const char* name) {
    for (const CLI::App* command : app.get_subcommands({})) {
      if (command->get_name() == name) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::cerr << "modelseal: unknown command '" << argv[1]
              << "'; run modelseal --help for the list\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version print through CLI11; a real usage error says
    // which program complains and where help is, like every other error.
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "modelseal: " << error.what()
              << "\nRun 'modelseal --help' (or 'modelseal COMMAND --help') "
                 "for usage.\n";
    return kExitUsage;
  } catch (const std::exception& error) {
    // No exception is expected past the library boundary; if one arrives,
    // say so plainly rather than abort.
    std::cerr << "modelseal: internal error: " << error.what() << "\n";
    return kExitIoOrInternal;
  }
  return exit_code;
}
