#include "modelseal/status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

absl::Status FailWhenNegative(int value) {
  if (value < 0) return absl::InvalidArgumentError("negative");
  return absl::OkStatus();
}

absl::StatusOr<int> Double(int value) {
  MODELSEAL_RETURN_IF_ERROR(FailWhenNegative(value));
  return value * 2;
}

absl::StatusOr<int> Quadruple(int value) {
  MODELSEAL_ASSIGN_OR_RETURN(int twice, Double(value));
  MODELSEAL_ASSIGN_OR_RETURN(twice, Double(twice));
  return twice;
}

TEST(StatusMacrosTest, PassValuesThroughWhenOk) {
  MODELSEAL_ASSERT_OK_AND_ASSIGN(int result, Quadruple(3));
  EXPECT_EQ(result, 12);
}

TEST(StatusMacrosTest, ReturnTheFirstErrorUnchanged) {
  EXPECT_THAT(Quadruple(-1),
              StatusIs(absl::StatusCode::kInvalidArgument, "negative"));
}

TEST(AnnotateTest, PrefixesContextAndKeepsCode) {
  EXPECT_THAT(Annotate(absl::NotFoundError("gone"), "model.sig"),
              StatusIs(absl::StatusCode::kNotFound, "model.sig: gone"));
  EXPECT_TRUE(Annotate(absl::OkStatus(), "x").ok());
}

}  // namespace
}  // namespace modelseal
