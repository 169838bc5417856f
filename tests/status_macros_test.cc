// store/base/status_macros.h: RETURN_IF_ERROR and ASSIGN_OR_RETURN.
#include "store/base/status_macros.h"

#include "gtest/gtest.h"

#include <memory>

namespace carelog {
namespace {

absl::Status Step(bool ok, int* calls) {
  ++*calls;
  return ok ? absl::OkStatus() : absl::DataLossError("step failed");
}

absl::Status TwoSteps(bool first_ok, int* calls) {
  RETURN_IF_ERROR(Step(first_ok, calls));
  RETURN_IF_ERROR(Step(true, calls));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> Make(bool ok) {
  if (!ok) return absl::NotFoundError("none");
  return std::make_unique<int>(7);
}

absl::StatusOr<int> UseTwice(bool ok) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> a, Make(ok));
  ASSIGN_OR_RETURN(auto b, Make(true));  // a second use in one scope
  return *a + *b;
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtTheFirstErrorUnchanged) {
  int calls = 0;
  EXPECT_TRUE(TwoSteps(true, &calls).ok());
  EXPECT_EQ(calls, 2);
  calls = 0;
  const absl::Status s = TwoSteps(false, &calls);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s, absl::DataLossError("step failed"));
}

TEST(StatusMacrosTest, AssignOrReturnMovesTheValueOrReturnsTheError) {
  EXPECT_EQ(*UseTwice(true), 14);
  EXPECT_EQ(UseTwice(false).status(), absl::NotFoundError("none"));
}

}  // namespace
}  // namespace carelog
