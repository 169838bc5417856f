// store/base/clock.h: the wall clock and the clock tests set by hand.
#include "store/base/clock.h"

#include "gtest/gtest.h"

namespace carelog {
namespace {

TEST(ClockTest, SystemClockIsOneSharedWallClock) {
  ASSERT_EQ(SystemClock(), SystemClock());
  const absl::Time before = absl::Now();
  const absl::Time t = SystemClock()->Now();
  EXPECT_GE(t, before);
  EXPECT_LE(t, absl::Now());
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Microseconds(5));
  EXPECT_EQ(clock.Now(), start + absl::Microseconds(5));
  clock.Set(absl::FromUnixSeconds(1));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1));
}

}  // namespace
}  // namespace carelog
