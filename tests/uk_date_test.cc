// Dates and times in GOV.UK's style, in London (tools/web/look/uk_date.h).
#include "tools/web/look/uk_date.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace carelog::web {
namespace {

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

TEST(UkDateTest, LongDateHasNoLeadingZeroAndTheMonthInFull) {
  EXPECT_EQ(LongDate(absl::CivilDay(2026, 12, 2)), "2 December 2026");
  EXPECT_EQ(LongDate(absl::CivilDay(2027, 1, 31)), "31 January 2027");
  EXPECT_EQ(LongDate(absl::CivilDay(2024, 2, 29)), "29 February 2024");
  EXPECT_EQ(LongDate(absl::CivilDay(2026, 9, 10)), "10 September 2026");
}

TEST(UkDateTest, WeekdayIsTheDaysOwn) {
  EXPECT_EQ(LongDateWithWeekday(absl::CivilDay(2026, 12, 2)), "Wednesday 2 December 2026");
  EXPECT_EQ(LongDateWithWeekday(absl::CivilDay(2026, 12, 6)), "Sunday 6 December 2026");
  EXPECT_EQ(LongDateWithWeekday(absl::CivilDay(2024, 2, 29)), "Thursday 29 February 2024");
  EXPECT_EQ(LongDateWithWeekday(absl::CivilDay(2027, 1, 4)), "Monday 4 January 2027");
}

TEST(UkDateTest, ShortDateUsesGovukAbbreviations) {
  EXPECT_EQ(ShortDate(absl::CivilDay(2026, 12, 2)), "2 Dec 2026");
  const char* want[] = {"Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"};
  for (int m = 1; m <= 12; ++m) {
    EXPECT_EQ(ShortDate(absl::CivilDay(2025, m, 15)), std::string("15 ") + want[m - 1] + " 2025");
  }
}

TEST(UkDateTest, TimesAreLondonsInWinterAndSummer) {
  // Winter: London is on GMT.
  EXPECT_EQ(LondonDateTime(Utc(2026, 12, 2, 14, 5)), "2 December 2026 at 14:05");
  // Summer: BST, an hour ahead, which can move the date.
  EXPECT_EQ(LondonDateTime(Utc(2026, 7, 1, 13, 5)), "1 July 2026 at 14:05");
  EXPECT_EQ(LondonDateTime(Utc(2026, 7, 1, 23, 30)), "2 July 2026 at 00:30");
  EXPECT_EQ(LondonDateTime(Utc(2026, 1, 1, 0, 0)), "1 January 2026 at 00:00");
}

TEST(UkDateTest, TimesAroundTheClockChanges) {
  // 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
  EXPECT_EQ(LondonDateTime(Utc(2026, 3, 29, 0, 59)), "29 March 2026 at 00:59");
  EXPECT_EQ(LondonDateTime(Utc(2026, 3, 29, 1, 0)), "29 March 2026 at 02:00");
  EXPECT_EQ(LondonDateTime(Utc(2026, 10, 25, 0, 59)), "25 October 2026 at 01:59");
  EXPECT_EQ(LondonDateTime(Utc(2026, 10, 25, 1, 0)), "25 October 2026 at 01:00");
}

TEST(UkDateTest, SecondsAreDroppedNotRounded) {
  EXPECT_EQ(LondonDateTime(Utc(2026, 12, 2, 14, 5) + absl::Seconds(59)), "2 December 2026 at 14:05");
}

TEST(UkDateTest, WorkingDaysIsSingularOnlyForOne) {
  EXPECT_EQ(WorkingDays(1), "1 working day");
  EXPECT_EQ(WorkingDays(3), "3 working days");
  EXPECT_EQ(WorkingDays(0), "0 working days");
  EXPECT_EQ(WorkingDays(20), "20 working days");
  EXPECT_EQ(WorkingDays(-1), "-1 working day");
  EXPECT_EQ(WorkingDays(-2), "-2 working days");
}

}  // namespace
}  // namespace carelog::web
