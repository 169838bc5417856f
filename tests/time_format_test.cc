#include "store/base/time_format.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

TEST(TimeFormatTest, Rfc3339UtcToTheSecond) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 12, 2, 1, 17, 5), absl::UTCTimeZone());
  EXPECT_EQ(Rfc3339Utc(t), "2026-12-02T01:17:05Z");
  // Sub-second digits are dropped, not rounded up to the next second.
  EXPECT_EQ(Rfc3339Utc(t + absl::Milliseconds(999)), "2026-12-02T01:17:05Z");
  // Always UTC, whatever the local zone: 23:30 in London in summer is 22:30Z.
  const absl::Time london_summer = absl::FromCivil(absl::CivilSecond(2024, 7, 1, 23, 30, 0),
                                                   absl::FixedTimeZone(3600));
  EXPECT_EQ(Rfc3339Utc(london_summer), "2024-07-01T22:30:00Z");
}

}  // namespace
}  // namespace carelog
