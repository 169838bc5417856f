// tools/web/auth/login_throttle.h: lock-outs after failed sign-ins, on a
// clock the test moves by hand.
#include "tools/web/auth/login_throttle.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/base/clock.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) std::abort();
  return t;
}

constexpr absl::Duration kTick = absl::Microseconds(1);

TEST(LoginThrottleTest, FiveFailuresForANameLockItForFifteenMinutes) {
  const absl::Time start = Utc("2026-01-15T10:00:00Z");  // GMT: UK time is UTC
  FakeClock clock(start);
  LoginThrottle throttle(&clock);
  // From five addresses: the name's count is the name's, wherever from.
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(throttle.Check("jo", absl::StrCat("10.0.0.", i)).ok());
    throttle.RecordFailure("jo", absl::StrCat("10.0.0.", i));
    clock.Advance(absl::Minutes(1));
  }
  ASSERT_TRUE(throttle.Check("jo", "10.0.0.9").ok()) << "4 failures do not lock";
  throttle.RecordFailure("jo", "10.0.0.5");  // the 5th, at 10:04
  const absl::Status locked = throttle.Check("jo", "10.0.0.9");
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(locked.message(), HasSubstr("too many failed sign-ins for this user name"));
  EXPECT_THAT(locked.message(), HasSubstr("try again at 10:19 UK time"));
  // Other names from the same addresses are not affected.
  EXPECT_TRUE(throttle.Check("sam", "10.0.0.5").ok());
  // The lock ends exactly 15 minutes after the 5th failure.
  clock.Set(start + absl::Minutes(4) + absl::Minutes(15) - kTick);
  EXPECT_EQ(throttle.Check("jo", "10.0.0.9").code(), absl::StatusCode::kResourceExhausted);
  clock.Set(start + absl::Minutes(4) + absl::Minutes(15));
  EXPECT_TRUE(throttle.Check("jo", "10.0.0.9").ok());
  // And the count starts again from nothing.
  throttle.RecordFailure("jo", "10.0.0.9");
  EXPECT_TRUE(throttle.Check("jo", "10.0.0.9").ok());
}

TEST(LoginThrottleTest, OnlyFailuresWithinFifteenMinutesCount) {
  const absl::Time start = Utc("2026-01-15T10:00:00Z");
  FakeClock clock(start);
  LoginThrottle throttle(&clock);
  // At 0, 4, 8, 12 and 15 minutes: the first is exactly 15 minutes before the
  // fifth, so no longer within the window.
  for (int m : {0, 4, 8, 12, 15}) {
    clock.Set(start + absl::Minutes(m));
    throttle.RecordFailure("jo", "10.0.0.1");
  }
  EXPECT_TRUE(throttle.Check("jo", "10.0.0.1").ok());
  // One more a microsecond later: 4, 8, 12, 15, 15+ are five within the window.
  clock.Advance(kTick);
  throttle.RecordFailure("jo", "10.0.0.1");
  EXPECT_EQ(throttle.Check("jo", "10.0.0.1").code(), absl::StatusCode::kResourceExhausted);
}

TEST(LoginThrottleTest, FailuresWhileLockedDoNotStretchTheLock) {
  const absl::Time start = Utc("2026-01-15T10:00:00Z");
  FakeClock clock(start);
  LoginThrottle throttle(&clock);
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("jo", "10.0.0.1");
  for (int i = 0; i < 10; ++i) {
    clock.Advance(absl::Minutes(1));
    throttle.RecordFailure("jo", "10.0.0.1");
  }
  clock.Set(start + absl::Minutes(15));
  EXPECT_TRUE(throttle.Check("jo", "10.0.0.1").ok());
}

TEST(LoginThrottleTest, SuccessClearsTheNameButNotTheAddress) {
  const absl::Time start = Utc("2026-01-15T10:00:00Z");
  FakeClock clock(start);
  LoginThrottleLimits limits;
  limits.address_failures = 6;
  LoginThrottle throttle(&clock, limits);
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("jo", "10.0.0.1");
  throttle.RecordSuccess("jo", "10.0.0.1");
  // Four more for jo: 8 in all, but only 4 since the success.
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("jo", "10.0.0.2");
  EXPECT_TRUE(throttle.Check("jo", "10.0.0.2").ok());
  // 10.0.0.1's four failures still count: two more (for anyone) lock it.
  throttle.RecordSuccess("jo", "10.0.0.1");
  throttle.RecordFailure("sam", "10.0.0.1");
  EXPECT_TRUE(throttle.Check("kim", "10.0.0.1").ok());
  throttle.RecordFailure("lee", "10.0.0.1");
  EXPECT_EQ(throttle.Check("kim", "10.0.0.1").code(), absl::StatusCode::kResourceExhausted);
}

TEST(LoginThrottleTest, FiftyFailuresFromOneAddressLockTheAddress) {
  const absl::Time start = Utc("2026-07-01T10:00:00Z");  // BST: UK time is UTC+1
  FakeClock clock(start);
  LoginThrottle throttle(&clock);
  // Four guesses at each of many names: no name is locked.
  int failures = 0;
  for (int n = 0; failures < 49; ++n) {
    for (int i = 0; i < 4 && failures < 49; ++i, ++failures) {
      throttle.RecordFailure(absl::StrCat("user", n), "192.0.2.7");
      clock.Advance(absl::Seconds(10));
    }
  }
  ASSERT_TRUE(throttle.Check("kim", "192.0.2.7").ok()) << "49 failures do not lock";
  throttle.RecordFailure("another", "192.0.2.7");
  const absl::Time fiftieth = clock.Now();
  const absl::Status locked = throttle.Check("kim", "192.0.2.7");
  EXPECT_EQ(locked.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(locked.message(), HasSubstr("from your network address"));
  // 10:08:10 UTC + 15 min = 10:23:10 UTC, 11:23:10 in BST, said as 11:24.
  EXPECT_EQ(fiftieth, Utc("2026-07-01T10:08:10Z"));
  EXPECT_THAT(locked.message(), HasSubstr("try again at 11:24 UK time"));
  // Kim from elsewhere is fine.
  EXPECT_TRUE(throttle.Check("kim", "198.51.100.1").ok());
  clock.Set(fiftieth + absl::Minutes(15) - kTick);
  EXPECT_FALSE(throttle.Check("kim", "192.0.2.7").ok());
  clock.Set(fiftieth + absl::Minutes(15));
  EXPECT_TRUE(throttle.Check("kim", "192.0.2.7").ok());
}

TEST(LoginThrottleTest, UkClockTimeFollowsSummerTimeAndRoundsUp) {
  // 2026's changes: 29 March and 25 October, 01:00 UTC.
  EXPECT_EQ(UkClockTime(Utc("2026-03-29T00:59:00Z")), "00:59");
  EXPECT_EQ(UkClockTime(Utc("2026-03-29T01:00:00Z")), "02:00");
  EXPECT_EQ(UkClockTime(Utc("2026-10-25T00:59:00Z")), "01:59");
  EXPECT_EQ(UkClockTime(Utc("2026-10-25T01:00:00Z")), "01:00");
  EXPECT_EQ(UkClockTime(Utc("2026-12-31T23:59:30Z")), "00:00");
  EXPECT_EQ(UkClockTime(Utc("2026-01-15T10:15:00Z")), "10:15");
  EXPECT_EQ(UkClockTime(Utc("2026-01-15T10:15:00.000001Z")), "10:16");
}

TEST(LoginThrottleTest, MemoryIsBoundedButLocksOutlastAFlood) {
  const absl::Time start = Utc("2026-01-15T10:00:00Z");
  FakeClock clock(start);
  LoginThrottleLimits limits;
  limits.name_failures = 2;
  limits.max_tracked = 3;
  LoginThrottle throttle(&clock, limits);
  throttle.RecordFailure("victim", "a");
  throttle.RecordFailure("victim", "a");
  ASSERT_FALSE(throttle.Check("victim", "a").ok());
  clock.Advance(absl::Seconds(1));
  throttle.RecordFailure("x", "a");
  clock.Advance(absl::Seconds(1));
  throttle.RecordFailure("y", "a");
  // Full (victim, x, y): many made-up names push out the unlocked, never the lock.
  for (int i = 0; i < 20; ++i) {
    clock.Advance(absl::Seconds(1));
    throttle.RecordFailure(absl::StrCat("made-up-", i), "a");
  }
  EXPECT_FALSE(throttle.Check("victim", "a").ok());
  // x was forgotten: one more failure starts its count again, so no lock.
  // (Unbounded, its second failure would have locked it.)
  throttle.RecordFailure("x", "a");
  EXPECT_TRUE(throttle.Check("x", "a").ok());
  // Entries with nothing recent go first: after the window and the lock,
  // everything is forgotten and fresh names are tracked exactly.
  clock.Advance(absl::Minutes(16));
  EXPECT_TRUE(throttle.Check("victim", "a").ok());
  throttle.RecordFailure("p", "a");
  throttle.RecordFailure("q", "a");
  throttle.RecordFailure("p", "a");
  EXPECT_FALSE(throttle.Check("p", "a").ok());
}

}  // namespace
}  // namespace carelog
