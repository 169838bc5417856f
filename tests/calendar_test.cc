#include "engine/calendar.h"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

std::vector<std::string> Format(const std::vector<absl::CivilDay>& days) {
  std::vector<std::string> out;
  for (absl::CivilDay d : days) out.push_back(FormatDate(d));
  return out;
}

// gov.uk's published bank holidays (bank-holidays.json), written out by hand
// so a rule bug cannot hide behind the same rule in the test.
struct PublishedYear {
  int year;
  std::vector<std::string> dates;
};

const std::vector<PublishedYear>& EnglandAndWales() {
  static const auto* const kYears = new std::vector<PublishedYear>{
      {2015, {"2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31",
              "2015-12-25", "2015-12-28"}},
      {2016, {"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29",
              "2016-12-26", "2016-12-27"}},
      {2017, {"2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29", "2017-08-28",
              "2017-12-25", "2017-12-26"}},
      {2018, {"2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27",
              "2018-12-25", "2018-12-26"}},
      {2019, {"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26",
              "2019-12-25", "2019-12-26"}},
      {2020, {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31",
              "2020-12-25", "2020-12-28"}},
      {2021, {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30",
              "2021-12-27", "2021-12-28"}},
      {2022, {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
              "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}},
      {2023, {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
              "2023-08-28", "2023-12-25", "2023-12-26"}},
      {2024, {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
              "2024-12-25", "2024-12-26"}},
      {2025, {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
              "2025-12-25", "2025-12-26"}},
      {2026, {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
              "2026-12-25", "2026-12-28"}},
      {2027, {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
              "2027-12-27", "2027-12-28"}},
  };
  return *kYears;
}

const std::vector<PublishedYear>& Scotland() {
  static const auto* const kYears = new std::vector<PublishedYear>{
      {2015, {"2015-01-01", "2015-01-02", "2015-04-03", "2015-05-04", "2015-05-25", "2015-08-03",
              "2015-11-30", "2015-12-25", "2015-12-28"}},
      {2016, {"2016-01-01", "2016-01-04", "2016-03-25", "2016-05-02", "2016-05-30", "2016-08-01",
              "2016-11-30", "2016-12-26", "2016-12-27"}},
      {2017, {"2017-01-02", "2017-01-03", "2017-04-14", "2017-05-01", "2017-05-29", "2017-08-07",
              "2017-11-30", "2017-12-25", "2017-12-26"}},
      {2018, {"2018-01-01", "2018-01-02", "2018-03-30", "2018-05-07", "2018-05-28", "2018-08-06",
              "2018-11-30", "2018-12-25", "2018-12-26"}},
      {2019, {"2019-01-01", "2019-01-02", "2019-04-19", "2019-05-06", "2019-05-27", "2019-08-05",
              "2019-12-02", "2019-12-25", "2019-12-26"}},
      {2020, {"2020-01-01", "2020-01-02", "2020-04-10", "2020-05-08", "2020-05-25", "2020-08-03",
              "2020-11-30", "2020-12-25", "2020-12-28"}},
      {2021, {"2021-01-01", "2021-01-04", "2021-04-02", "2021-05-03", "2021-05-31", "2021-08-02",
              "2021-11-30", "2021-12-27", "2021-12-28"}},
      {2022, {"2022-01-03", "2022-01-04", "2022-04-15", "2022-05-02", "2022-06-02", "2022-06-03",
              "2022-08-01", "2022-09-19", "2022-11-30", "2022-12-26", "2022-12-27"}},
      {2023, {"2023-01-02", "2023-01-03", "2023-04-07", "2023-05-01", "2023-05-08", "2023-05-29",
              "2023-08-07", "2023-11-30", "2023-12-25", "2023-12-26"}},
      {2024, {"2024-01-01", "2024-01-02", "2024-03-29", "2024-05-06", "2024-05-27", "2024-08-05",
              "2024-12-02", "2024-12-25", "2024-12-26"}},
      {2025, {"2025-01-01", "2025-01-02", "2025-04-18", "2025-05-05", "2025-05-26", "2025-08-04",
              "2025-12-01", "2025-12-25", "2025-12-26"}},
      // 15 June 2026: one-off by royal proclamation (Scotland at the World Cup).
      {2026, {"2026-01-01", "2026-01-02", "2026-04-03", "2026-05-04", "2026-05-25", "2026-06-15",
              "2026-08-03", "2026-11-30", "2026-12-25", "2026-12-28"}},
      {2027, {"2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31", "2027-08-02",
              "2027-11-30", "2027-12-27", "2027-12-28"}},
  };
  return *kYears;
}

struct PublishedCase {
  Division division;
  PublishedYear year;
};

// Names the case in gtest's failure output instead of dumping its bytes.
void PrintTo(const PublishedCase& c, std::ostream* os) {
  *os << DivisionName(c.division) << " " << c.year.year;
}

std::vector<PublishedCase> PublishedCases() {
  std::vector<PublishedCase> out;
  for (const PublishedYear& y : EnglandAndWales()) out.push_back({Division::kEnglandAndWales, y});
  for (const PublishedYear& y : Scotland()) out.push_back({Division::kScotland, y});
  return out;
}

class PublishedListTest : public ::testing::TestWithParam<PublishedCase> {};

TEST_P(PublishedListTest, DefaultCalendarMatchesGovUkExactly) {
  const PublishedCase& c = GetParam();
  const Calendar& cal = Calendar::Default();
  const std::vector<std::string> computed = Format(cal.BankHolidays(c.division, c.year.year));
  const std::string where = absl::StrCat(std::string(DivisionName(c.division)), " ", c.year.year);

  // Published -> computed.
  for (const std::string& date : c.year.dates) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(date);
    ASSERT_TRUE(day.ok()) << where << ": fixture date " << date;
    EXPECT_TRUE(cal.IsBankHoliday(c.division, *day))
        << where << ": gov.uk lists " << date << " but the calendar does not";
    EXPECT_FALSE(cal.IsWorkingDay(c.division, *day)) << where << ": " << date;
  }
  // Computed -> published.
  for (const std::string& date : computed) {
    EXPECT_THAT(c.year.dates, ::testing::Contains(date))
        << where << ": calendar has " << date << " which gov.uk does not list";
  }
  EXPECT_EQ(computed, c.year.dates) << where << " (sorted lists differ)";
}

INSTANTIATE_TEST_SUITE_P(
    GovUk2015To2027, PublishedListTest, ::testing::ValuesIn(PublishedCases()),
    [](const ::testing::TestParamInfo<PublishedCase>& info) {
      std::string name(DivisionName(info.param.division));
      std::replace(name.begin(), name.end(), '-', '_');
      return absl::StrCat(name, "_", info.param.year.year);
    });

TEST(CalendarTest, RulesMdWorkingDayExample) {
  // D = Fri 20 Dec 2024, N = 3 -> Fri 27 Dec 2024 (25 and 26 Dec are holidays).
  EXPECT_EQ(Calendar::Default().AddWorkingDays(Division::kEnglandAndWales, D(2024, 12, 20), 3),
            D(2024, 12, 27));
}

TEST(CalendarTest, RulesMdMonthsExample) {
  EXPECT_EQ(AddMonths(D(2024, 8, 31), 6), D(2025, 2, 28));
}

TEST(CalendarTest, AddMonthsClampsAndGoesBackwards) {
  EXPECT_EQ(AddMonths(D(2023, 8, 31), 6), D(2024, 2, 29));  // leap year
  EXPECT_EQ(AddMonths(D(2024, 1, 31), 1), D(2024, 2, 29));
  EXPECT_EQ(AddMonths(D(2024, 3, 31), -1), D(2024, 2, 29));
  EXPECT_EQ(AddMonths(D(2024, 5, 15), 3), D(2024, 8, 15));
  EXPECT_EQ(AddMonths(D(2024, 11, 30), 3), D(2025, 2, 28));  // across a year
  EXPECT_EQ(AddMonths(D(2025, 2, 10), -3), D(2024, 11, 10));
  EXPECT_EQ(AddMonths(D(2024, 6, 30), 0), D(2024, 6, 30));
}

TEST(CalendarTest, WorkingDaysBefore) {
  const Calendar& cal = Calendar::Default();
  const Division ew = Division::kEnglandAndWales;
  // 10 working days before Thu 2 Jan 2025: back over 1 Jan, 26 and 25 Dec.
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2025, 1, 2), -10), D(2024, 12, 16));
  // 3 working days before Tue 2 Apr 2024: 1 Apr (Easter Mon) and 29 Mar (Good
  // Friday) skipped, as is the weekend.
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 4, 2), -3), D(2024, 3, 26));
  // From a Monday, one working day before is the Friday.
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 10), -1), D(2024, 6, 7));
}

TEST(CalendarTest, ZeroReturnsTheDayEvenWhenNotAWorkingDay) {
  const Calendar& cal = Calendar::Default();
  EXPECT_EQ(cal.AddWorkingDays(Division::kEnglandAndWales, D(2024, 12, 25), 0), D(2024, 12, 25));
  EXPECT_EQ(cal.AddWorkingDays(Division::kScotland, D(2024, 6, 8), 0), D(2024, 6, 8));
}

TEST(CalendarTest, WeekendsAreSkippedAndStartNeverCounts) {
  const Calendar& cal = Calendar::Default();
  const Division ew = Division::kEnglandAndWales;
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 7), 1), D(2024, 6, 10));  // Fri -> Mon
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 8), 1), D(2024, 6, 10));  // Sat -> Mon
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 9), 1), D(2024, 6, 10));  // Sun -> Mon
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 10), 1), D(2024, 6, 11));
  EXPECT_EQ(cal.AddWorkingDays(ew, D(2024, 6, 10), 5), D(2024, 6, 17));
  EXPECT_FALSE(cal.IsWorkingDay(ew, D(2024, 6, 8)));
  EXPECT_FALSE(cal.IsWorkingDay(ew, D(2024, 6, 9)));
  EXPECT_TRUE(cal.IsWorkingDay(ew, D(2024, 6, 10)));
  // A weekend is never a bank holiday itself: Christmas 2021 fell on Saturday.
  EXPECT_FALSE(cal.IsBankHoliday(ew, D(2021, 12, 25)));
}

TEST(CalendarTest, YearBoundaries) {
  const Calendar& cal = Calendar::Default();
  // E&W: Tue 31 Dec 2024 + 1 -> Thu 2 Jan 2025 (1 Jan holiday).
  EXPECT_EQ(cal.AddWorkingDays(Division::kEnglandAndWales, D(2024, 12, 31), 1), D(2025, 1, 2));
  // Scotland also has 2 Jan: -> Fri 3 Jan 2025.
  EXPECT_EQ(cal.AddWorkingDays(Division::kScotland, D(2024, 12, 31), 1), D(2025, 1, 3));
  // Backwards across New Year 2022 (E&W: 3 Jan substitute; 27, 28 Dec).
  EXPECT_EQ(cal.AddWorkingDays(Division::kEnglandAndWales, D(2022, 1, 4), -2), D(2021, 12, 30));
  // Fri 24 Dec 2021 + 1 -> Wed 29 Dec 2021.
  EXPECT_EQ(cal.AddWorkingDays(Division::kEnglandAndWales, D(2021, 12, 24), 1), D(2021, 12, 29));
}

TEST(CalendarTest, WorkingDaysBetween) {
  const Calendar& cal = Calendar::Default();
  const Division ew = Division::kEnglandAndWales;
  EXPECT_EQ(cal.WorkingDaysBetween(ew, D(2024, 12, 20), D(2024, 12, 27)), 3);
  EXPECT_EQ(cal.WorkingDaysBetween(ew, D(2024, 6, 10), D(2024, 6, 10)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(ew, D(2024, 6, 11), D(2024, 6, 10)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(ew, D(2024, 6, 7), D(2024, 6, 10)), 1);
  // Consistent with AddWorkingDays.
  for (int n = 1; n <= 40; ++n) {
    const absl::CivilDay from = D(2022, 5, 27);
    EXPECT_EQ(cal.WorkingDaysBetween(ew, from, cal.AddWorkingDays(ew, from, n)), n) << n;
  }
}

TEST(CalendarTest, OneOffDays) {
  const Calendar& cal = Calendar::Default();
  for (Division d : {Division::kEnglandAndWales, Division::kScotland,
                     Division::kNorthernIreland}) {
    const std::string name(DivisionName(d));
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2011, 4, 29))) << name;
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2012, 6, 4))) << name;
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2012, 6, 5))) << name;
    EXPECT_FALSE(cal.IsBankHoliday(d, D(2012, 5, 28))) << name;  // moved spring
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2020, 5, 8))) << name;
    EXPECT_FALSE(cal.IsBankHoliday(d, D(2020, 5, 4))) << name;  // moved early May
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2022, 6, 2))) << name;
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2022, 6, 3))) << name;
    EXPECT_FALSE(cal.IsBankHoliday(d, D(2022, 5, 30))) << name;  // moved spring
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2022, 9, 19))) << name;
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2023, 5, 8))) << name;
    // 2002: spring moved to Tue 4 June, Golden Jubilee Mon 3 June.
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2002, 6, 3))) << name;
    EXPECT_TRUE(cal.IsBankHoliday(d, D(2002, 6, 4))) << name;
    EXPECT_FALSE(cal.IsBankHoliday(d, D(2002, 5, 27))) << name;
  }
  // The World Cup day is Scotland's alone.
  EXPECT_TRUE(cal.IsBankHoliday(Division::kScotland, D(2026, 6, 15)));
  EXPECT_FALSE(cal.IsBankHoliday(Division::kEnglandAndWales, D(2026, 6, 15)));
  // One-offs do not recur.
  EXPECT_FALSE(cal.IsBankHoliday(Division::kEnglandAndWales, D(2024, 4, 29)));
  EXPECT_FALSE(cal.IsBankHoliday(Division::kEnglandAndWales, D(2021, 5, 7)));
}

TEST(CalendarTest, EnglandAndWales2002) {
  EXPECT_EQ(Format(Calendar::Default().BankHolidays(Division::kEnglandAndWales, 2002)),
            (std::vector<std::string>{"2002-01-01", "2002-03-29", "2002-04-01", "2002-05-06",
                                      "2002-06-03", "2002-06-04", "2002-08-26", "2002-12-25",
                                      "2002-12-26"}));
}

TEST(CalendarTest, NorthernIreland) {
  const Calendar& cal = Calendar::Default();
  const Division ni = Division::kNorthernIreland;
  EXPECT_TRUE(cal.IsBankHoliday(ni, D(2025, 3, 17)));  // Monday
  EXPECT_FALSE(cal.IsBankHoliday(Division::kEnglandAndWales, D(2025, 3, 17)));
  EXPECT_TRUE(cal.IsBankHoliday(ni, D(2024, 3, 18)));  // 17th a Sunday
  EXPECT_TRUE(cal.IsBankHoliday(ni, D(2024, 7, 12)));  // Friday
  EXPECT_TRUE(cal.IsBankHoliday(ni, D(2025, 7, 14)));  // 12th a Saturday
  EXPECT_FALSE(cal.IsBankHoliday(ni, D(2025, 7, 12)));
  EXPECT_FALSE(cal.IsBankHoliday(Division::kScotland, D(2024, 7, 12)));
  EXPECT_EQ(Format(cal.BankHolidays(ni, 2025)),
            (std::vector<std::string>{"2025-01-01", "2025-03-17", "2025-04-18", "2025-04-21",
                                      "2025-05-05", "2025-05-26", "2025-07-14", "2025-08-25",
                                      "2025-12-25", "2025-12-26"}));
}

TEST(CalendarTest, RulesHoldOutsidePrecomputedRange) {
  const Calendar& cal = Calendar::Default();
  // 2045: Easter Sunday 9 April; 25 Dec a Monday.
  EXPECT_EQ(Format(cal.BankHolidays(Division::kEnglandAndWales, 2045)),
            (std::vector<std::string>{"2045-01-02", "2045-04-07", "2045-04-10", "2045-05-01",
                                      "2045-05-29", "2045-08-28", "2045-12-25", "2045-12-26"}));
  EXPECT_TRUE(cal.IsBankHoliday(Division::kEnglandAndWales, D(2045, 4, 7)));
}

constexpr char kOverride2024[] = R"json({
  "england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "New Year’s Day", "date": "2024-01-01", "notes": "", "bunting": true},
    {"title": "Made-up day", "date": "2024-06-14", "notes": "", "bunting": false},
    {"title": "Christmas Day", "date": "2024-12-25", "notes": "", "bunting": true}
  ]}
})json";

TEST(CalendarOverrideTest, FileReplacesYearAndLeavesOthers) {
  absl::StatusOr<Calendar> cal = Calendar::WithOverride(kOverride2024);
  ASSERT_TRUE(cal.ok()) << cal.status();
  const Division ew = Division::kEnglandAndWales;
  EXPECT_EQ(Format(cal->BankHolidays(ew, 2024)),
            (std::vector<std::string>{"2024-01-01", "2024-06-14", "2024-12-25"}));
  EXPECT_TRUE(cal->IsBankHoliday(ew, D(2024, 6, 14)));
  EXPECT_FALSE(cal->IsBankHoliday(ew, D(2024, 12, 26)));  // gone: not in the file
  EXPECT_EQ(cal->AddWorkingDays(ew, D(2024, 12, 20), 3), D(2024, 12, 26));
  // Years the file does not cover keep the rules.
  EXPECT_EQ(cal->BankHolidays(ew, 2025), Calendar::Default().BankHolidays(ew, 2025));
  // Divisions the file does not cover keep the rules.
  EXPECT_EQ(cal->BankHolidays(Division::kScotland, 2024),
            Calendar::Default().BankHolidays(Division::kScotland, 2024));
  // The default calendar is untouched.
  EXPECT_TRUE(Calendar::Default().IsBankHoliday(ew, D(2024, 12, 26)));
  EXPECT_FALSE(Calendar::Default().IsBankHoliday(ew, D(2024, 6, 14)));
}

TEST(CalendarOverrideTest, OneDivisionLeavesAnotherUntouched) {
  constexpr char kJson[] = R"json({
    "scotland": {"division": "scotland", "events": [
      {"title": "Extra", "date": "2024-06-17", "notes": "", "bunting": true}
    ]},
    "northern-ireland": {"division": "northern-ireland", "events": []}
  })json";
  absl::StatusOr<Calendar> cal = Calendar::WithOverride(kJson);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(Format(cal->BankHolidays(Division::kScotland, 2024)),
            (std::vector<std::string>{"2024-06-17"}));
  EXPECT_FALSE(cal->IsBankHoliday(Division::kScotland, D(2024, 1, 2)));
  EXPECT_FALSE(cal->IsBankHoliday(Division::kEnglandAndWales, D(2024, 6, 17)));
  EXPECT_EQ(cal->BankHolidays(Division::kEnglandAndWales, 2024),
            Calendar::Default().BankHolidays(Division::kEnglandAndWales, 2024));
  // An empty events list covers no year, so nothing changes for NI.
  EXPECT_EQ(cal->BankHolidays(Division::kNorthernIreland, 2024),
            Calendar::Default().BankHolidays(Division::kNorthernIreland, 2024));
}

TEST(CalendarOverrideTest, MalformedFilesAreRefusedWithReasons) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {"{", "not valid JSON"},
      {"[]", "top level is not an object"},
      {R"({"wales": {"events": []}})", "unknown division 'wales'"},
      {R"({"scotland": []})", "scotland is not an object"},
      {R"({"scotland": {"division": "scotland"}})", "scotland: missing or non-array \"events\""},
      {R"({"scotland": {"division": "england-and-wales", "events": []}})",
       "scotland has \"division\": \"england-and-wales\""},
      {R"({"scotland": {"events": [{"date": "2024-01-01"}, {"title": "x"}]}})",
       "scotland event 1: missing or non-string \"date\""},
      {R"({"scotland": {"events": [{"date": 20240101}]}})",
       "scotland event 0: missing or non-string \"date\""},
      {R"({"scotland": {"events": [{"date": "2024-01-01"}, {"date": "2024-01-02"},
          {"date": "2024-03-29"}, {"date": "2024-13-01"}]}})",
       "bank-holidays.json: scotland event 3: bad date '2024-13-01'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Calendar> cal = Calendar::WithOverride(c.json);
    ASSERT_FALSE(cal.ok()) << c.json;
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(cal.status().message(), HasSubstr("bank-holidays.json"));
    EXPECT_THAT(cal.status().message(), HasSubstr(c.message)) << c.json;
  }
}

TEST(ParseDateTest, AcceptsRealDates) {
  EXPECT_EQ(*ParseDate("2024-02-29"), D(2024, 2, 29));
  EXPECT_EQ(*ParseDate("2000-01-01"), D(2000, 1, 1));
  EXPECT_EQ(*ParseDate("2025-12-31"), D(2025, 12, 31));
  EXPECT_EQ(FormatDate(D(2025, 3, 7)), "2025-03-07");
  EXPECT_EQ(FormatDate(D(1, 1, 9)), "0001-01-09");
  EXPECT_EQ(FormatDate(D(999, 12, 31)), "0999-12-31");
  EXPECT_EQ(FormatDate(D(9999, 10, 1)), "9999-10-01");
  EXPECT_EQ(FormatDate(D(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(FormatDate(D(-5, 1, 1)), "-005-01-01");
  EXPECT_EQ(FormatDate(*ParseDate("2024-11-30")), "2024-11-30");
}

TEST(ParseDateTest, RefusesAnythingElse) {
  for (const char* text : {"2024-02-30", "2023-02-29", "2024-1-01", "", "2024-01-01x",
                           "2024-00-10", "2024-04-31", "2024/01/01", " 2024-01-01", "2024-01-1",
                           "20240101", "2024-+1-01", "abcd-ef-gh"}) {
    absl::StatusOr<absl::CivilDay> day = ParseDate(text);
    ASSERT_FALSE(day.ok()) << "'" << text << "' parsed as " << FormatDate(*day);
    EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(day.status().message(), HasSubstr(absl::StrCat("'", text, "'")));
  }
}

TEST(DivisionTest, NamesRoundTrip) {
  for (Division d : {Division::kEnglandAndWales, Division::kScotland,
                     Division::kNorthernIreland}) {
    absl::StatusOr<Division> parsed = ParseDivision(DivisionName(d));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
  }
  absl::StatusOr<Division> bad = ParseDivision("England");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("'England'"));
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

// The indexed arithmetic against a plain walk over days, for every division,
// across the indexed range's edges, with the built-in and an override calendar.
TEST(CalendarIndexTest, AgreesWithAWalkOverDays) {
  // Working day from first principles (weekday, not in the holiday list),
  // not through the index under test.
  auto working = [](const Calendar& cal, Division d, absl::CivilDay day) {
    const absl::Weekday w = absl::GetWeekday(day);
    return w != absl::Weekday::saturday && w != absl::Weekday::sunday && !cal.IsBankHoliday(d, day);
  };
  auto walk = [&](const Calendar& cal, Division d, absl::CivilDay day, int n) {
    const int step = n > 0 ? 1 : -1;
    for (int left = n > 0 ? n : -n; left > 0;) {
      day += step;
      if (working(cal, d, day)) --left;
    }
    return day;
  };
  auto over = Calendar::WithOverride(
      R"({"scotland":{"division":"scotland","events":[{"title":"x","date":"2024-03-05"}]}})");
  ASSERT_TRUE(over.ok()) << over.status();
  uint64_t seed = 12345;
  auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  int checked = 0;
  for (const Calendar* cal : std::vector<const Calendar*>{&Calendar::Default(), &*over}) {
    for (Division d : {Division::kEnglandAndWales, Division::kScotland, Division::kNorthernIreland}) {
      for (int i = 0; i < 4000; ++i) {
        const absl::CivilDay day = absl::CivilDay(1998, 6, 1) + static_cast<int64_t>(next() % 16500);
        const int n = static_cast<int>(next() % 61) - 30;
        ASSERT_EQ(cal->AddWorkingDays(d, day, n), walk(*cal, d, day, n))
            << DivisionName(d) << " " << day << " " << n;
        const absl::CivilDay to = day + static_cast<int64_t>(next() % 400);
        int count = 0;
        for (absl::CivilDay x = day + 1; x <= to; ++x) {
          ASSERT_EQ(cal->IsWorkingDay(d, x), working(*cal, d, x)) << x;
          count += working(*cal, d, x) ? 1 : 0;
        }
        ASSERT_EQ(cal->WorkingDaysBetween(d, day, to), count) << day << " " << to;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 24000);
  // The override's new holiday is honoured by the index.
  EXPECT_FALSE(over->IsWorkingDay(Division::kScotland, absl::CivilDay(2024, 3, 5)));
  EXPECT_EQ(over->AddWorkingDays(Division::kScotland, absl::CivilDay(2024, 3, 4), 1),
            absl::CivilDay(2024, 3, 6));
}

TEST(CalendarTest, AgeOnCountsWholeYearsAndA29FebruaryBirthdayOn1March) {
  EXPECT_EQ(AgeOn(absl::CivilDay(2015, 3, 2), absl::CivilDay(2023, 3, 1)), 7);
  EXPECT_EQ(AgeOn(absl::CivilDay(2015, 3, 2), absl::CivilDay(2023, 3, 2)), 8);
  EXPECT_EQ(AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2026, 2, 28)), 17);
  EXPECT_EQ(AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2026, 3, 1)), 18);
}

}  // namespace
}  // namespace carelog
