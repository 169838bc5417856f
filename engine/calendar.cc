#include "engine/calendar.h"

#include <array>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

// The years the default calendar precomputes (and for which one-off days are
// known). Other years are computed on demand by rule alone.
constexpr int kFirstRuleYear = 2000;
constexpr int kLastRuleYear = 2040;
const absl::CivilDay kIndexFirst(kFirstRuleYear - 1, 1, 1);
const absl::CivilDay kIndexLast(kLastRuleYear + 1, 12, 31);

// St Andrew's Day became a Scottish bank holiday with the St Andrew's Day Bank
// Holiday (Scotland) Act 2007; before that it was not one.
constexpr int kFirstStAndrewsYear = 2007;

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
absl::CivilDay EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return absl::CivilDay(year, month, day);
}

absl::CivilDay FirstMonday(int year, int month) {
  return absl::NextWeekday(absl::CivilDay(year, month, 1) - 1, absl::Weekday::monday);
}

absl::CivilDay LastMonday(int year, int month) {
  const absl::CivilDay first_of_next(absl::CivilMonth(year, month) + 1);
  return absl::PrevWeekday(first_of_next, absl::Weekday::monday);
}

// Early May bank holiday; moved by proclamation in 2020 to VE Day's 75th
// anniversary.
absl::CivilDay EarlyMay(int year) {
  if (year == 2020) return absl::CivilDay(2020, 5, 8);
  return FirstMonday(year, 5);
}

// Spring bank holiday; moved for the 2002, 2012 and 2022 jubilees.
absl::CivilDay Spring(int year) {
  switch (year) {
    case 2002: return absl::CivilDay(2002, 6, 4);
    case 2012: return absl::CivilDay(2012, 6, 4);
    case 2022: return absl::CivilDay(2022, 6, 2);
    default: return LastMonday(year, 5);
  }
}

// One-off additional days appointed by proclamation. Only those within
// [kFirstRuleYear, kLastRuleYear].
struct OneOff {
  int y, m, d;
  bool england_and_wales, scotland, northern_ireland;
};
constexpr OneOff kOneOffs[] = {
    {2002, 6, 3, true, true, true},    // Golden Jubilee
    {2011, 4, 29, true, true, true},   // Royal wedding
    {2012, 6, 5, true, true, true},    // Diamond Jubilee
    {2022, 6, 3, true, true, true},    // Platinum Jubilee
    {2022, 9, 19, true, true, true},   // State funeral of Queen Elizabeth II
    {2023, 5, 8, true, true, true},    // Coronation of King Charles III
    {2026, 6, 15, false, true, false}, // Scotland at the FIFA World Cup
};

bool AppliesTo(const OneOff& o, Division d) {
  switch (d) {
    case Division::kEnglandAndWales: return o.england_and_wales;
    case Division::kScotland: return o.scotland;
    case Division::kNorthernIreland: return o.northern_ireland;
  }
  return false;
}

// The division's holidays in `year` by rule (plus the one-offs), sorted.
std::vector<absl::CivilDay> RuleHolidays(Division div, int year) {
  // Days that always fall on a weekday as computed (Mondays, Good Friday,
  // the moved days) go straight in; fixed-date days that fall at a weekend
  // get a substitute below.
  std::vector<absl::CivilDay> days;
  std::vector<absl::CivilDay> fixed;
  const absl::CivilDay easter = EasterSunday(year);

  fixed.push_back(absl::CivilDay(year, 1, 1));
  if (div == Division::kScotland) fixed.push_back(absl::CivilDay(year, 1, 2));
  if (div == Division::kNorthernIreland) fixed.push_back(absl::CivilDay(year, 3, 17));
  days.push_back(easter - 2);  // Good Friday
  if (div != Division::kScotland) days.push_back(easter + 1);  // Easter Monday
  days.push_back(EarlyMay(year));
  days.push_back(Spring(year));
  if (div == Division::kNorthernIreland) fixed.push_back(absl::CivilDay(year, 7, 12));
  days.push_back(div == Division::kScotland ? FirstMonday(year, 8) : LastMonday(year, 8));
  if (div == Division::kScotland && year >= kFirstStAndrewsYear) {
    fixed.push_back(absl::CivilDay(year, 11, 30));
  }
  fixed.push_back(absl::CivilDay(year, 12, 25));
  fixed.push_back(absl::CivilDay(year, 12, 26));
  for (const OneOff& o : kOneOffs) {
    if (o.y == year && AppliesTo(o, div)) days.push_back(absl::CivilDay(o.y, o.m, o.d));
  }

  for (absl::CivilDay f : fixed) {
    if (!IsWeekend(f)) days.push_back(f);
  }
  // Substitutes in date order, each the next weekday not already a holiday:
  // this gives the paired rules (Christmas on Saturday -> 27th, Boxing Day ->
  // 28th; 1 Jan on Sunday in Scotland -> 3 Jan because 2 Jan is itself one).
  for (absl::CivilDay f : fixed) {
    if (!IsWeekend(f)) continue;
    absl::CivilDay s = f + 1;
    while (IsWeekend(s) || std::find(days.begin(), days.end(), s) != days.end()) ++s;
    days.push_back(s);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

constexpr Division kAllDivisions[] = {Division::kEnglandAndWales, Division::kScotland,
                                      Division::kNorthernIreland};

absl::Status JsonError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("bank-holidays.json: ", what));
}

}  // namespace

absl::StatusOr<Division> ParseDivision(std::string_view name) {
  if (name == "england-and-wales") return Division::kEnglandAndWales;
  if (name == "scotland") return Division::kScotland;
  if (name == "northern-ireland") return Division::kNorthernIreland;
  return absl::InvalidArgumentError(absl::StrCat("unknown division '", std::string(name),
                                                 "' (expected england-and-wales, scotland or "
                                                 "northern-ireland)"));
}

std::string_view DivisionName(Division d) {
  switch (d) {
    case Division::kEnglandAndWales: return "england-and-wales";
    case Division::kScotland: return "scotland";
    case Division::kNorthernIreland: return "northern-ireland";
  }
  return "unknown";
}

struct Calendar::Rep {
  // (division, year) -> that year's holidays, sorted. Years absent here are
  // computed by rule on demand.
  absl::flat_hash_map<std::pair<int, int>, std::vector<absl::CivilDay>> years;

  std::vector<absl::CivilDay> Holidays(Division d, int year) const {
    auto it = years.find({static_cast<int>(d), year});
    if (it != years.end()) return it->second;
    return RuleHolidays(d, year);
  }

  // A dense index of the working days of [kIndexFirst, kIndexLast] per
  // division, so that the fold's working-day arithmetic is O(1) instead of a
  // walk over days and holiday look-ups. Built by Index() once the holidays
  // are final; days outside the range fall back to the walk.
  struct WorkingIndex {
    std::vector<int32_t> count_upto;  // working days in [first, first + i]
    std::vector<int32_t> working;     // offsets of the working days, ascending
  };
  std::array<WorkingIndex, 3> index;

  void Index() {
    for (Division d : kAllDivisions) {
      WorkingIndex& w = index[static_cast<int>(d)];
      const int64_t n = kIndexLast - kIndexFirst + 1;
      w.count_upto.assign(n, 0);
      w.working.clear();
      int32_t count = 0;
      for (int64_t i = 0; i < n; ++i) {
        const absl::CivilDay day = kIndexFirst + i;
        if (!IsWeekend(day) && !Contains(d, day)) {
          ++count;
          w.working.push_back(static_cast<int32_t>(i));
        }
        w.count_upto[i] = count;
      }
    }
  }

  bool Indexed(absl::CivilDay day) const { return day >= kIndexFirst && day <= kIndexLast; }

  bool Contains(Division d, absl::CivilDay day) const {
    const int year = static_cast<int>(day.year());
    auto it = years.find({static_cast<int>(d), year});
    if (it != years.end()) {
      return std::binary_search(it->second.begin(), it->second.end(), day);
    }
    const std::vector<absl::CivilDay> v = RuleHolidays(d, year);
    return std::binary_search(v.begin(), v.end(), day);
  }
};

const Calendar& Calendar::Default() {
  // Leaked deliberately: a function-local static with no destructor ordering
  // hazards at exit.
  static const Calendar* const kDefault = [] {
    auto rep = std::make_shared<Rep>();
    for (Division d : kAllDivisions) {
      for (int y = kFirstRuleYear; y <= kLastRuleYear; ++y) {
        rep->years[{static_cast<int>(d), y}] = RuleHolidays(d, y);
      }
    }
    rep->Index();
    auto* c = new Calendar();
    c->rep_ = std::move(rep);
    return c;
  }();
  return *kDefault;
}

absl::StatusOr<std::vector<Calendar::FileDates>> Calendar::ParseHolidaysFile(
    std::string_view govuk_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(govuk_json);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return JsonError(absl::StrCat("not valid JSON: ", simdjson::error_message(err)));
  }
  simdjson::dom::object divisions;
  if (root.get(divisions)) return JsonError("top level is not an object of divisions");

  std::vector<FileDates> out;
  for (auto field : divisions) {
    // Debian's Abseil has its own string_view, so std::string_views are
    // copied into std::strings before reaching absl::StrCat.
    const std::string key(field.key);
    absl::StatusOr<Division> div = ParseDivision(key);
    if (!div.ok()) return JsonError(div.status().message());
    simdjson::dom::object body;
    if (field.value.get(body)) return JsonError(absl::StrCat(key, " is not an object"));
    std::string_view named;  // simdjson's string type is std::string_view
    if (auto err = body["division"].get(named); err == simdjson::SUCCESS) {
      if (named != key) {
        return JsonError(absl::StrCat(key, " has \"division\": \"", std::string(named), "\""));
      }
    } else if (err != simdjson::NO_SUCH_FIELD) {
      return JsonError(absl::StrCat(key, ": \"division\" is not a string"));
    }
    simdjson::dom::array events;
    if (body["events"].get(events)) {
      return JsonError(absl::StrCat(key, ": missing or non-array \"events\""));
    }
    // A division named twice (JSON allows it) adds to its first entry.
    FileDates* dates = nullptr;
    for (FileDates& d : out) {
      if (d.division == *div) dates = &d;
    }
    if (dates == nullptr) dates = &out.emplace_back(FileDates{*div, {}});
    int index = 0;
    for (simdjson::dom::element event : events) {
      std::string_view date_text;
      if (event["date"].get(date_text)) {
        return JsonError(absl::StrCat(key, " event ", index, ": missing or non-string \"date\""));
      }
      absl::StatusOr<absl::CivilDay> day = ParseDate(date_text);
      if (!day.ok()) {
        return JsonError(absl::StrCat(key, " event ", index, ": bad date '", std::string(date_text), "'"));
      }
      dates->dates.push_back(*day);
      ++index;
    }
  }
  for (FileDates& d : out) {
    std::sort(d.dates.begin(), d.dates.end());
    d.dates.erase(std::unique(d.dates.begin(), d.dates.end()), d.dates.end());
  }
  return out;
}

absl::StatusOr<Calendar> Calendar::WithOverride(std::string_view govuk_json) {
  // Parsed first so that a malformed file changes nothing.
  absl::StatusOr<std::vector<FileDates>> files = ParseHolidaysFile(govuk_json);
  if (!files.ok()) return files.status();
  absl::flat_hash_map<std::pair<int, int>, std::vector<absl::CivilDay>> replaced;
  for (const FileDates& f : *files) {
    for (absl::CivilDay day : f.dates) {
      replaced[{static_cast<int>(f.division), static_cast<int>(day.year())}].push_back(day);
    }
  }

  auto rep = std::make_shared<Calendar::Rep>(*Default().rep_);
  for (auto& [key, days] : replaced) {
    // Already sorted and unique: each division's dates are, and a year's
    // are a run of them.
    rep->years[key] = std::move(days);
  }
  rep->Index();
  Calendar c;
  c.rep_ = std::move(rep);
  return c;
}

bool Calendar::IsBankHoliday(Division d, absl::CivilDay day) const {
  return rep_->Contains(d, day);
}

bool Calendar::IsWorkingDay(Division d, absl::CivilDay day) const {
  if (rep_->Indexed(day)) {
    const std::vector<int32_t>& c = rep_->index[static_cast<int>(d)].count_upto;
    const int64_t o = day - kIndexFirst;
    return c[o] != (o == 0 ? 0 : c[o - 1]);
  }
  return !IsWeekend(day) && !IsBankHoliday(d, day);
}

absl::CivilDay Calendar::AddWorkingDays(Division d, absl::CivilDay day, int n) const {
  if (n == 0) return day;
  if (rep_->Indexed(day)) {
    const Rep::WorkingIndex& w = rep_->index[static_cast<int>(d)];
    const int64_t o = day - kIndexFirst;
    // Working days up to and including `day`, and strictly before it.
    const int64_t upto = w.count_upto[o];
    const bool working = upto != (o == 0 ? 0 : w.count_upto[o - 1]);
    const int64_t before = upto - (working ? 1 : 0);
    const int64_t at = n > 0 ? upto + n - 1 : before + n;
    if (at >= 0 && at < static_cast<int64_t>(w.working.size())) {
      return kIndexFirst + w.working[at];
    }
  }
  const int step = n > 0 ? 1 : -1;
  for (int left = n > 0 ? n : -n; left > 0;) {
    day += step;
    if (IsWorkingDay(d, day)) --left;
  }
  return day;
}

int Calendar::WorkingDaysBetween(Division d, absl::CivilDay from, absl::CivilDay to) const {
  if (to <= from) return 0;
  if (rep_->Indexed(from) && rep_->Indexed(to)) {
    const Rep::WorkingIndex& w = rep_->index[static_cast<int>(d)];
    return w.count_upto[to - kIndexFirst] - w.count_upto[from - kIndexFirst];
  }
  int count = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (IsWorkingDay(d, day)) ++count;
  }
  return count;
}

std::vector<absl::CivilDay> Calendar::BankHolidays(Division d, int year) const {
  return rep_->Holidays(d, year);
}

absl::CivilDay AddMonths(absl::CivilDay day, int n) {
  const absl::CivilMonth month = absl::CivilMonth(day) + n;
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last.day()));
}

int AgeOn(absl::CivilDay born, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - born.year());
  if (day.month() < born.month() || (day.month() == born.month() && day.day() < born.day()))
    --age;
  return age;
}

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("bad date '", std::string(text), "' (expected a real date as YYYY-MM-DD)"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  auto digits = [&](int pos, int len, int& out) {
    out = 0;
    for (int i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return bad();
  if (m < 1 || m > 12 || d < 1 || d > 31) return bad();
  // CivilDay normalises 2024-02-30 to 2024-03-01; a changed field means the
  // date does not exist.
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return bad();
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  const int64_t y = day.year();
  if (y < 0 || y > 9999) {
    return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
  }
  // By hand: folds format dates into findings' details, and a format call
  // per date was a measurable share of a replay.
  const char b[10] = {static_cast<char>('0' + y / 1000),
                      static_cast<char>('0' + y / 100 % 10),
                      static_cast<char>('0' + y / 10 % 10),
                      static_cast<char>('0' + y % 10),
                      '-',
                      static_cast<char>('0' + day.month() / 10),
                      static_cast<char>('0' + day.month() % 10),
                      '-',
                      static_cast<char>('0' + day.day() / 10),
                      static_cast<char>('0' + day.day() % 10)};
  return std::string(b, sizeof b);
}

}  // namespace carelog
