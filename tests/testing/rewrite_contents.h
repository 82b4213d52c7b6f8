// Contents that WriteFilesAtomicallyKilledLeavesEveryFileOldOrNew
// (tests/env/env_test.cc) and its rewriter (tests/tlog/crash_writer.cc)
// agree on: file i of generation g, self-describing and of varying length,
// so a file cut short or mixed from two generations is recognised.
//
//   RewriteContents(7, 12) == "g7 f12 hhhh…end\n"
#ifndef MODELSEAL_TESTS_TESTING_REWRITE_CONTENTS_H_
#define MODELSEAL_TESTS_TESTING_REWRITE_CONTENTS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace modelseal::testing {

// More than one round of ExchangeRewriter's scratch files.
inline constexpr std::size_t kRewriteFiles = 300;

inline std::string RewriteContents(std::uint64_t generation,
                                   std::size_t index) {
  return "g" + std::to_string(generation) + " f" + std::to_string(index) + " " +
         std::string((generation * 131 + index * 17) % 3000,
                     static_cast<char>('a' + generation % 26)) +
         "end\n";
}

}  // namespace modelseal::testing

#endif  // MODELSEAL_TESTS_TESTING_REWRITE_CONTENTS_H_
