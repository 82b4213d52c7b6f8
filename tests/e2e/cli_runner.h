// Helpers for end-to-end tests that run the real `modelseal` binary.
#ifndef MODELSEAL_TESTS_E2E_CLI_RUNNER_H_
#define MODELSEAL_TESTS_E2E_CLI_RUNNER_H_

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {

using ::modelseal::testing::TempDir;

inline const std::string kModelseal = MODELSEAL_BINARY;
inline const std::string kExample = MODELSEAL_EXAMPLES_DIR "/tiny-model";
inline const std::string kOms =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency";

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string Quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Runs a shell command line with CI set (no progress output) and captures
// both streams.
inline Result RunShell(const std::string& command) {
  TempDir capture;
  const std::string out = capture.Join("out");
  const std::string err = capture.Join("err");
  const int status = std::system(
      absl::StrCat("CI=true ", command, " >", out, " 2>", err, " </dev/null")
          .c_str());
  Result result;
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

inline Result Modelseal(const std::string& args) {
  return RunShell(kModelseal + " " + args);
}

inline void RequireTool(const std::string& tool) {
  ASSERT_EQ(RunShell("command -v " + tool).exit_code, 0)
      << tool << " is not installed; scripts/install-deps.sh installs it";
}

inline std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kExample)) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::string JoinQuoted(const std::vector<std::string>& args) {
  std::string joined;
  for (const std::string& arg : args) absl::StrAppend(&joined, " ", Quote(arg));
  return joined;
}

}  // namespace modelseal

#endif  // MODELSEAL_TESTS_E2E_CLI_RUNNER_H_
