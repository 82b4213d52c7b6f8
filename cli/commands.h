// Subcommand registration. Each Register* adds one subcommand to the app;
// its callback stores the exit code in *exit_code.
#ifndef MODELSEAL_CLI_COMMANDS_H_
#define MODELSEAL_CLI_COMMANDS_H_

#include "CLI/CLI.hpp"

namespace modelseal::cli {

void RegisterHashCommand(CLI::App& app, int* exit_code);
void RegisterDigestCommand(CLI::App& app, int* exit_code);
void RegisterKeygenCommand(CLI::App& app, int* exit_code);
void RegisterSignCommand(CLI::App& app, int* exit_code);
void RegisterVerifyCommand(CLI::App& app, int* exit_code);
void RegisterLogCommand(CLI::App& app, int* exit_code);
void RegisterCardCommand(CLI::App& app, int* exit_code);
void RegisterPolicyCommand(CLI::App& app, int* exit_code);
void RegisterScanCommand(CLI::App& app, int* exit_code);
void RegisterVerifyBlobCommand(CLI::App& app, int* exit_code);

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_COMMANDS_H_
