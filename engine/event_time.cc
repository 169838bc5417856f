#include "engine/event_time.h"

#include <algorithm>

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

}  // namespace

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::Duration LondonOffset(absl::Time t) {
  // BST never spans a new year, so the UTC year decides which transitions.
  // The last year's transitions are kept per thread: instants come in runs
  // from one year (a file, a case), and working them out each time (the UTC
  // year, two last Sundays) was ~2.5% of an import and a hot spot of replay.
  struct YearCache {
    absl::Time begin = absl::InfiniteFuture();  // [begin, end): the UTC year
    absl::Time end = absl::InfiniteFuture();
    absl::Time bst_start, bst_end;
  };
  thread_local YearCache cache;
  if (!(t >= cache.begin && t < cache.end)) {
    const absl::CivilYear year = absl::ToCivilYear(t, absl::UTCTimeZone());
    cache.begin = absl::FromCivil(year, absl::UTCTimeZone());
    cache.end = absl::FromCivil(year + 1, absl::UTCTimeZone());
    cache.bst_start = At0100Utc(LastSunday(year.year(), 3));
    cache.bst_end = At0100Utc(LastSunday(year.year(), 10));
  }
  return (t >= cache.bst_start && t < cache.bst_end) ? absl::Hours(1) : absl::ZeroDuration();
}

absl::CivilDay LondonToday(absl::Time now) {
  return absl::ToCivilDay(now + LondonOffset(now), absl::UTCTimeZone());
}

absl::CivilDay LondonDate(const google::protobuf::Timestamp& ts) {
  return LondonToday(ToTime(ts));
}

absl::Time LondonEndOfDay(absl::CivilDay day) {
  const absl::Time utc_midnight = absl::FromCivil(absl::CivilSecond(day + 1), absl::UTCTimeZone());
  // London's midnight is 23:00 UTC the day before in summer time; the clocks
  // change at 01:00 UTC, never near midnight, so the offset two hours before
  // UTC midnight is the one in force.
  return utc_midnight - LondonOffset(utc_midnight - absl::Hours(2)) - absl::Nanoseconds(1);
}

std::vector<DatedEvent> InEffectiveOrder(const std::vector<carelog::v1::Event>& events) {
  std::vector<DatedEvent> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back({LondonDate(e.occurred_at()), &e});
  std::sort(out.begin(), out.end(), [](const DatedEvent& a, const DatedEvent& b) {
    if (a.day != b.day) return a.day < b.day;
    const auto& ta = a.event->occurred_at();
    const auto& tb = b.event->occurred_at();
    if (ta.seconds() != tb.seconds()) return ta.seconds() < tb.seconds();
    if (ta.nanos() != tb.nanos()) return ta.nanos() < tb.nanos();
    return a.event->position() < b.event->position();
  });
  return out;
}

}  // namespace carelog
