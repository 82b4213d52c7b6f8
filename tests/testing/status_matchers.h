// GoogleTest helpers for absl::Status (Debian 12's abseil ships none).
#ifndef MODELSEAL_TESTS_TESTING_STATUS_MATCHERS_H_
#define MODELSEAL_TESTS_TESTING_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/status.h"

namespace modelseal::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// EXPECT_THAT(Foo(), IsOk());
MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::modelseal::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

// EXPECT_THAT(Foo(), StatusIs(absl::StatusCode::kInvalidArgument,
//                             HasSubstr("path")));
MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::modelseal::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace modelseal::testing

#define MODELSEAL_ASSERT_OK(expr) \
  ASSERT_THAT((expr), ::modelseal::testing::IsOk())
#define MODELSEAL_EXPECT_OK(expr) \
  EXPECT_THAT((expr), ::modelseal::testing::IsOk())

// Assigns the value of a StatusOr to `lhs`, failing the test on error.
#define MODELSEAL_ASSERT_OK_AND_ASSIGN(lhs, ...)                         \
  MODELSEAL_ASSERT_OK_AND_ASSIGN_IMPL_(                                  \
      MODELSEAL_STATUS_CONCAT_(modelseal_test_statusor_, __LINE__), lhs, \
      (__VA_ARGS__))
#define MODELSEAL_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                         \
  ASSERT_TRUE(statusor.ok()) << statusor.status();                 \
  lhs = *std::move(statusor)

#endif  // MODELSEAL_TESTS_TESTING_STATUS_MATCHERS_H_
