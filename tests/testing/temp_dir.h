// A temporary directory removed (recursively) at scope exit.
#ifndef MODELSEAL_TESTS_TESTING_TEMP_DIR_H_
#define MODELSEAL_TESTS_TESTING_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace modelseal::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "modelseal-test-XXXXXX")
            .string();
    const char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(const std::string& relative) const {
    return path_ + "/" + relative;
  }
  // Writes `contents` to `relative`, creating parent directories.
  std::string Write(const std::string& relative,
                    const std::string& contents) const {
    const std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    EXPECT_TRUE(out.good()) << file;
    return file.string();
  }

 private:
  std::string path_;
};

// Deterministic pseudo-random bytes (xorshift), for test inputs.
inline std::string PseudoRandomBytes(std::size_t length, std::uint64_t seed) {
  std::string out(length, '\0');
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (std::size_t i = 0; i < length; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    out[i] = static_cast<char>(state >> 24);
  }
  return out;
}

}  // namespace modelseal::testing

#endif  // MODELSEAL_TESTS_TESTING_TEMP_DIR_H_
