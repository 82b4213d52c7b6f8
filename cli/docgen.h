// The man page and the bash, zsh and fish completion scripts of modelseal,
// generated from the CLI11 definitions themselves so that they cannot drift
// from `--help`:
//
//   modelseal man                        roff source of modelseal(1)
//   modelseal completion bash|zsh|fish   a completion script
//
// Both commands are hidden (CLI11 group "": not listed in --help). The build
// runs them (cmake/GenerateCliDocs.cmake) to produce build/man/modelseal.1 and
// build/completions/{bash/modelseal,zsh/_modelseal,fish/modelseal.fish},
// which `cmake --install` puts in the standard places.
//
// The generators walk the app recursively: every visible subcommand, its
// options (names, description, whether they take a value, value choices from
// CLI::IsMember) and its positional arguments. Hidden subcommands and options
// are left out of every output.
#ifndef MODELSEAL_CLI_DOCGEN_H_
#define MODELSEAL_CLI_DOCGEN_H_

#include <string>

#include "CLI/CLI.hpp"

namespace modelseal::cli {

// Adds the hidden `man` and `completion` commands to the root `app`. Call it
// after every other Register*: the commands describe the app as it stands
// when they run. Output goes to stdout; *exit_code is 0, or 4 if stdout
// cannot be written.
void RegisterDocCommands(CLI::App& app, int* exit_code);

// The generators, for a fully built root app named "modelseal".
// `version` appears in the man page footer (e.g. "0.1.0").
std::string ManPage(const CLI::App& app, const std::string& version);
std::string BashCompletion(const CLI::App& app);
std::string ZshCompletion(const CLI::App& app);
std::string FishCompletion(const CLI::App& app);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_DOCGEN_H_
