// Shared helpers for the transparency-log tests.
#ifndef MODELSEAL_TESTS_TLOG_TLOG_TEST_UTIL_H_
#define MODELSEAL_TESTS_TLOG_TLOG_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace modelseal::tlog::testing {

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline google::protobuf::Struct ParseJsonFile(const std::string& path) {
  google::protobuf::Struct message;
  const auto status =
      google::protobuf::util::JsonStringToMessage(ReadTextFile(path), &message);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();
  return message;
}

}  // namespace modelseal::tlog::testing

#endif  // MODELSEAL_TESTS_TLOG_TLOG_TEST_UTIL_H_
