#include "tools/web/look/uk_date.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/event_time.h"

namespace carelog::web {
namespace {

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kShortMonths[] = {"Jan",  "Feb", "Mar",  "Apr", "May", "June",
                                        "July", "Aug", "Sept", "Oct", "Nov", "Dec"};

const char* WeekdayName(absl::Weekday w) {
  switch (w) {
    case absl::Weekday::monday: return "Monday";
    case absl::Weekday::tuesday: return "Tuesday";
    case absl::Weekday::wednesday: return "Wednesday";
    case absl::Weekday::thursday: return "Thursday";
    case absl::Weekday::friday: return "Friday";
    case absl::Weekday::saturday: return "Saturday";
    case absl::Weekday::sunday: return "Sunday";
  }
  return "";
}

}  // namespace

std::string LongDate(absl::CivilDay day) {
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

std::string LongDateWithWeekday(absl::CivilDay day) {
  return absl::StrCat(WeekdayName(absl::GetWeekday(day)), " ", LongDate(day));
}

std::string ShortDate(absl::CivilDay day) {
  return absl::StrCat(day.day(), " ", kShortMonths[day.month() - 1], " ", day.year());
}

std::string LondonDateTime(absl::Time t) {
  const absl::CivilSecond local = absl::ToCivilSecond(t + LondonOffset(t), absl::UTCTimeZone());
  return absl::StrFormat("%s at %02d:%02d", LongDate(absl::CivilDay(local)), local.hour(),
                         local.minute());
}

std::string WorkingDays(int64_t n) {
  return absl::StrCat(n, n == 1 || n == -1 ? " working day" : " working days");
}

}  // namespace carelog::web
