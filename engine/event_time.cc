#include "engine/event_time.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/calendar.h"

namespace carelog {
namespace {

// The last Sunday of `month` (March or October) in `year`.
absl::CivilDay LastSunday(int64_t year, int month) {
  absl::CivilDay last = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
  int back = 0;
  switch (absl::GetWeekday(last)) {
    case absl::Weekday::sunday: back = 0; break;
    case absl::Weekday::monday: back = 1; break;
    case absl::Weekday::tuesday: back = 2; break;
    case absl::Weekday::wednesday: back = 3; break;
    case absl::Weekday::thursday: back = 4; break;
    case absl::Weekday::friday: back = 5; break;
    case absl::Weekday::saturday: back = 6; break;
  }
  return last - back;
}

absl::Time At0100Utc(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 1),
                         absl::UTCTimeZone());
}

// The civil date of a day counted from 1970-01-01 (H. Hinnant's
// civil_from_days), without a time-zone library call: this runs for every
// event of every fold and every validation.
struct Ymd {
  int64_t year;
  int month;
  int day;
};
inline Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  return Ymd{yoe + era * 400 + (mp >= 10 ? 1 : 0), static_cast<int>(mp < 10 ? mp + 3 : mp - 9),
             static_cast<int>(doy - (153 * mp + 2) / 5 + 1)};
}

int64_t YearOfDay(int64_t z) { return CivilFromDays(z).year; }

// BST's start and end (unix seconds) for the years most events fall in,
// computed once.
constexpr int64_t kFirstTableYear = 1900, kLastTableYear = 2200;
struct BstTable {
  int64_t start[kLastTableYear - kFirstTableYear + 1];
  int64_t end[kLastTableYear - kFirstTableYear + 1];
};
const BstTable& Bst() {
  static const BstTable* table = [] {
    auto* t = new BstTable;
    for (int64_t y = kFirstTableYear; y <= kLastTableYear; ++y) {
      t->start[y - kFirstTableYear] = absl::ToUnixSeconds(At0100Utc(LastSunday(y, 3)));
      t->end[y - kFirstTableYear] = absl::ToUnixSeconds(At0100Utc(LastSunday(y, 10)));
    }
    return t;
  }();
  return *table;
}

// Whole seconds since the epoch, rounded down, and the day they fall in.
// Transitions fall on whole seconds, so comparing floored seconds is exact.
int64_t FloorSeconds(absl::Time t) {
  return absl::ToInt64Seconds(absl::Floor(t - absl::UnixEpoch(), absl::Seconds(1)));
}
int64_t DayOfSecond(int64_t secs) {
  return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

// London's offset in seconds at `secs`, when its UTC year is in the table.
std::optional<int64_t> TableOffsetSeconds(int64_t secs) {
  const int64_t year = YearOfDay(DayOfSecond(secs));
  if (year < kFirstTableYear || year > kLastTableYear) return std::nullopt;
  const BstTable& b = Bst();
  return (secs >= b.start[year - kFirstTableYear] && secs < b.end[year - kFirstTableYear]) ? 3600
                                                                                          : 0;
}

// London's offset at `t` (whose floored seconds are `secs`) from the rule
// itself, for the years outside the table. BST never spans a new year, so
// the UTC year decides which transitions.
absl::Duration RuleOffset(absl::Time t, int64_t secs) {
  const int64_t year = YearOfDay(DayOfSecond(secs));
  const absl::Time start = At0100Utc(LastSunday(year, 3));
  const absl::Time end = At0100Utc(LastSunday(year, 10));
  return (t >= start && t < end) ? absl::Hours(1) : absl::ZeroDuration();
}

// The civil day of day number `z` (0 is 1970-01-01).
absl::CivilDay CivilDayOfDay(int64_t z) {
  const Ymd d = CivilFromDays(z);
  return absl::CivilDay(d.year, d.month, d.day);
}

// London's date at floored seconds `secs`, when its UTC year is in the table.
// Every event's validation and fold asks this: day arithmetic instead of the
// time-zone library's (~1.3% of an import's profile).
std::optional<absl::CivilDay> TableLondonDay(int64_t secs) {
  std::optional<int64_t> offset = TableOffsetSeconds(secs);
  if (!offset.has_value()) return std::nullopt;
  return CivilDayOfDay(DayOfSecond(secs + *offset));
}

}  // namespace

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::Duration LondonOffset(absl::Time t) {
  const int64_t secs = FloorSeconds(t);
  if (std::optional<int64_t> offset = TableOffsetSeconds(secs)) return absl::Seconds(*offset);
  return RuleOffset(t, secs);
}

absl::CivilDay LondonToday(absl::Time now) {
  const int64_t secs = FloorSeconds(now);
  if (std::optional<absl::CivilDay> day = TableLondonDay(secs)) return *day;
  return absl::ToCivilDay(now + RuleOffset(now, secs), absl::UTCTimeZone());
}

absl::CivilDay LondonDate(const google::protobuf::Timestamp& ts) {
  // A well-formed Timestamp's seconds are already its floored seconds: the
  // conversion to absl::Time and the floor back were half of this call,
  // which runs for every event of an import and of a fold.
  if (ts.nanos() >= 0 && ts.nanos() < 1000000000) {
    if (std::optional<absl::CivilDay> day = TableLondonDay(ts.seconds())) return *day;
  }
  return LondonToday(ToTime(ts));
}

absl::Time LondonEndOfDay(absl::CivilDay day) {
  const absl::Time utc_midnight = absl::FromCivil(absl::CivilSecond(day + 1), absl::UTCTimeZone());
  // London's midnight is 23:00 UTC the day before in summer time; the clocks
  // change at 01:00 UTC, never near midnight, so the offset two hours before
  // UTC midnight is the one in force.
  return utc_midnight - LondonOffset(utc_midnight - absl::Hours(2)) - absl::Nanoseconds(1);
}

absl::StatusOr<absl::Time> ParseKnownAt(std::string_view text) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) return t;
  if (auto day = ParseDate(text); day.ok()) return LondonEndOfDay(*day);
  return absl::InvalidArgumentError(absl::StrCat(
      "bad instant '", std::string(text), "': want RFC 3339 like 2024-03-01T14:05:00Z, or a date"));
}

absl::CivilDay DefaultAsOf(std::optional<absl::Time> known_at, absl::Time now) {
  return LondonToday(known_at.value_or(now));
}

bool EffectivelyBefore(absl::CivilDay a_day, const carelog::v1::Event& a, absl::CivilDay b_day,
                       const carelog::v1::Event& b) {
  if (a_day != b_day) return a_day < b_day;
  const absl::Time ta = ToTime(a.occurred_at()), tb = ToTime(b.occurred_at());
  if (ta != tb) return ta < tb;
  return a.position() < b.position();
}

std::vector<DatedEvent> InEffectiveOrder(const std::vector<carelog::v1::Event>& events) {
  std::vector<DatedEvent> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back({LondonDate(e.occurred_at()), &e});
  SortInEffectiveOrder(
      out, [](const DatedEvent& d) { return d.day; },
      [](const DatedEvent& d) -> const carelog::v1::Event& { return *d.event; });
  return out;
}

}  // namespace carelog
