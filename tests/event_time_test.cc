// The date of an event: Europe/London civil date of occurredAt, computed
// without tzdata (rules.md "Conventions").
#include "engine/event_time.h"

#include <string>

#include "gtest/gtest.h"

namespace carelog {
namespace {

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

TEST(EventTime, WinterIsGmt) {
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 1, 15, 23, 59, 59))), absl::CivilDay(2024, 1, 15));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 12, 31, 23, 30, 0))), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(LondonOffset(Utc(2024, 1, 15, 12, 0, 0)), absl::ZeroDuration());
}

TEST(EventTime, SummerIsBst) {
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 5, 1, 23, 30, 0))), absl::CivilDay(2024, 5, 2));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 5, 1, 22, 59, 59))), absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(LondonDate(Ts(Utc(2025, 6, 30, 23, 0, 0))), absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(LondonOffset(Utc(2024, 7, 1, 12, 0, 0)), absl::Hours(1));
}

// 2024: BST from 01:00 UTC Sunday 31 March.
TEST(EventTime, SpringTransition2024) {
  EXPECT_EQ(LondonOffset(Utc(2024, 3, 31, 0, 59, 59)), absl::ZeroDuration());
  EXPECT_EQ(LondonOffset(Utc(2024, 3, 31, 1, 0, 0)), absl::Hours(1));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 3, 30, 23, 30, 0))), absl::CivilDay(2024, 3, 30));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 3, 31, 22, 59, 59))), absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 3, 31, 23, 0, 0))), absl::CivilDay(2024, 4, 1));
}

// 2024: back to GMT at 01:00 UTC Sunday 27 October.
TEST(EventTime, AutumnTransition2024) {
  EXPECT_EQ(LondonOffset(Utc(2024, 10, 27, 0, 59, 59)), absl::Hours(1));
  EXPECT_EQ(LondonOffset(Utc(2024, 10, 27, 1, 0, 0)), absl::ZeroDuration());
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 10, 26, 22, 59, 59))), absl::CivilDay(2024, 10, 26));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 10, 26, 23, 0, 0))), absl::CivilDay(2024, 10, 27));
  EXPECT_EQ(LondonDate(Ts(Utc(2024, 10, 27, 23, 30, 0))), absl::CivilDay(2024, 10, 27));
}

// 2025: 30 March and 26 October.
TEST(EventTime, Transitions2025) {
  EXPECT_EQ(LondonOffset(Utc(2025, 3, 30, 0, 59, 59)), absl::ZeroDuration());
  EXPECT_EQ(LondonOffset(Utc(2025, 3, 30, 1, 0, 0)), absl::Hours(1));
  EXPECT_EQ(LondonOffset(Utc(2025, 10, 26, 0, 59, 59)), absl::Hours(1));
  EXPECT_EQ(LondonOffset(Utc(2025, 10, 26, 1, 0, 0)), absl::ZeroDuration());
}

TEST(EventTime, TodayMatchesDate) {
  const absl::Time t = Utc(2024, 8, 31, 23, 15, 0);
  EXPECT_EQ(LondonToday(t), absl::CivilDay(2024, 9, 1));
  EXPECT_EQ(LondonToday(t), LondonDate(Ts(t)));
}

// --known-at / knownAt (CLI and service alike): an RFC 3339 instant, or a
// date meaning the last instant of that London day (BST in summer).
TEST(EventTime, KnownAtIsAnInstantOrTheEndOfALondonDay) {
  EXPECT_EQ(*ParseKnownAt("2024-03-01T14:05:00Z"), Utc(2024, 3, 1, 14, 5, 0));
  EXPECT_EQ(*ParseKnownAt("2024-07-01T09:00:00+01:00"), Utc(2024, 7, 1, 8, 0, 0));
  EXPECT_EQ(*ParseKnownAt("2024-01-15"), Utc(2024, 1, 15, 23, 59, 59) + absl::Nanoseconds(999999999));
  EXPECT_EQ(*ParseKnownAt("2024-07-15"), Utc(2024, 7, 15, 22, 59, 59) + absl::Nanoseconds(999999999));
  for (const char* bad : {"", "yesterday", "2024-02-30", "2024-03-01 14:05"}) {
    auto t = ParseKnownAt(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), std::string("bad instant '") + bad +
                                        "': want RFC 3339 like 2024-03-01T14:05:00Z, or a date");
  }
  // No as-of: the known-at instant's London date, else today's.
  const absl::Time now = Utc(2025, 1, 10, 12, 0, 0);
  EXPECT_EQ(DefaultAsOf(Utc(2024, 8, 31, 23, 15, 0), now), absl::CivilDay(2024, 9, 1));
  EXPECT_EQ(DefaultAsOf(std::nullopt, now), absl::CivilDay(2025, 1, 10));
}

// `t` as a Timestamp to the nanosecond (nanos in [0, 1e9), as protobuf
// writes them), for LondonDate's own path from the seconds.
google::protobuf::Timestamp TsOf(absl::Time t) {
  const int64_t secs = absl::ToInt64Seconds(absl::Floor(t - absl::UnixEpoch(), absl::Seconds(1)));
  google::protobuf::Timestamp ts;
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(secs)) / absl::Nanoseconds(1)));
  return ts;
}

// A Timestamp outside protobuf's form (negative nanos, as a binary sender
// could set): the instant it means, seconds plus nanos.
TEST(EventTime, NanosOutsideTheirRangeCountToo) {
  google::protobuf::Timestamp ts = Ts(Utc(2024, 5, 1, 23, 0, 0));  // 00:00 BST on 2 May
  ts.set_nanos(-1);
  EXPECT_EQ(LondonDate(ts), absl::CivilDay(2024, 5, 1));
  ts = Ts(Utc(2024, 5, 1, 22, 59, 59));
  ts.set_nanos(1000000000);
  EXPECT_EQ(LondonDate(ts), absl::CivilDay(2024, 5, 2));
}

TEST(EventTime, NanosCount) {
  google::protobuf::Timestamp ts = Ts(Utc(2024, 5, 1, 22, 59, 59));
  ts.set_nanos(999999999);
  EXPECT_EQ(LondonDate(ts), absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(ToTime(ts), Utc(2024, 5, 1, 22, 59, 59) + absl::Nanoseconds(999999999));
}

// The rule itself, the slow and obvious way: BST from 01:00 UTC on the last
// Sunday of March to 01:00 UTC on the last Sunday of October of the UTC year.
absl::CivilDay ReferenceLondonToday(absl::Time t) {
  const int64_t year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  auto last_sunday_0100 = [&](int month) {
    absl::CivilDay d = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
    while (absl::GetWeekday(d) != absl::Weekday::sunday) --d;
    return absl::FromCivil(absl::CivilHour(d.year(), d.month(), d.day(), 1), absl::UTCTimeZone());
  };
  const bool bst = t >= last_sunday_0100(3) && t < last_sunday_0100(10);
  return absl::ToCivilDay(t + (bst ? absl::Hours(1) : absl::ZeroDuration()), absl::UTCTimeZone());
}

TEST(EventTime, AgreesWithTheRuleAtRandomInstantsAndAroundEveryTransition) {
  // Random instants from 1800 to 2400 (inside and outside the precomputed
  // years), with sub-second parts.
  uint64_t x = 88172645463325252ull;
  const int64_t lo = absl::ToUnixSeconds(Utc(1800, 1, 1, 0, 0, 0));
  const int64_t hi = absl::ToUnixSeconds(Utc(2400, 1, 1, 0, 0, 0));
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const absl::Time t = absl::FromUnixSeconds(lo + static_cast<int64_t>(x % (hi - lo))) +
                         absl::Nanoseconds(static_cast<int64_t>(x % 1000000000));
    ASSERT_EQ(LondonToday(t), ReferenceLondonToday(t)) << absl::FormatTime(t);
    ASSERT_EQ(LondonDate(TsOf(t)), ReferenceLondonToday(t)) << absl::FormatTime(t);
  }
  // One second either side of both transitions, 1899-2201.
  for (int y = 1899; y <= 2201; ++y) {
    for (int m : {3, 10}) {
      absl::CivilDay d = absl::CivilDay(absl::CivilMonth(y, m) + 1) - 1;
      while (absl::GetWeekday(d) != absl::Weekday::sunday) --d;
      const absl::Time at = Utc(static_cast<int>(d.year()), d.month(), d.day(), 1, 0, 0);
      for (absl::Duration off : {absl::Seconds(-1), absl::Nanoseconds(-1), absl::ZeroDuration(),
                                 absl::Seconds(1), absl::Hours(22) + absl::Minutes(59)}) {
        ASSERT_EQ(LondonToday(at + off), ReferenceLondonToday(at + off))
            << absl::FormatTime(at + off);
        ASSERT_EQ(LondonDate(TsOf(at + off)), ReferenceLondonToday(at + off))
            << absl::FormatTime(at + off);
      }
    }
  }
}

// Around London's midnight of every day from 1899 to 2201 (every month's
// last days, leap days, before and after 1970): the day in force.
TEST(EventTime, EveryLondonMidnightFrom1899To2201) {
  for (absl::CivilDay d(1899, 12, 1); d <= absl::CivilDay(2201, 1, 31); ++d) {
    const absl::Time utc_midnight = absl::FromCivil(absl::CivilSecond(d), absl::UTCTimeZone());
    const absl::Time midnight = utc_midnight - LondonOffset(utc_midnight - absl::Hours(2));
    ASSERT_EQ(LondonToday(midnight), d) << d;
    ASSERT_EQ(LondonToday(midnight - absl::Nanoseconds(1)), d - 1) << d;
    ASSERT_EQ(LondonDate(TsOf(midnight)), d) << d;
    ASSERT_EQ(LondonDate(TsOf(midnight - absl::Nanoseconds(1))), d - 1) << d;
    ASSERT_EQ(LondonToday(midnight + absl::Hours(12)), ReferenceLondonToday(midnight + absl::Hours(12)))
        << d;
  }
}

// rules.md "Order": date, then occurredAt, then log position, whatever the
// append order; InEffectiveOrder and every fold sort with this one function.
TEST(EffectiveOrderTest, DateThenInstantThenPosition) {
  auto event = [](absl::Time t, int32_t nanos, uint64_t position) {
    v1::Event e;
    *e.mutable_occurred_at() = Ts(t);
    e.mutable_occurred_at()->set_nanos(nanos);
    e.set_position(position);
    return e;
  };
  std::vector<v1::Event> events = {
      event(Utc(2024, 6, 2, 9, 0, 0), 0, 1),    // 2 June
      event(Utc(2024, 6, 1, 23, 30, 0), 0, 2),  // 00:30 on 2 June in London (BST)
      event(Utc(2024, 6, 1, 12, 0, 0), 5, 3),   // 1 June, 5 ns after the next
      event(Utc(2024, 6, 1, 12, 0, 0), 0, 5),   // 1 June
      event(Utc(2024, 6, 1, 12, 0, 0), 0, 4),   // same instant, earlier position
  };
  const std::vector<DatedEvent> sorted = InEffectiveOrder(events);
  std::vector<uint64_t> positions;
  for (const DatedEvent& d : sorted) positions.push_back(d.event->position());
  EXPECT_EQ(positions, (std::vector<uint64_t>{4, 5, 3, 2, 1}));
  EXPECT_EQ(sorted[3].day, absl::CivilDay(2024, 6, 2));
  EXPECT_TRUE(EffectivelyBefore(absl::CivilDay(2024, 6, 1), events[2], absl::CivilDay(2024, 6, 2),
                                events[1]));
  EXPECT_FALSE(EffectivelyBefore(absl::CivilDay(2024, 6, 1), events[3], absl::CivilDay(2024, 6, 1),
                                 events[3]));

  struct Item {
    absl::CivilDay day;
    v1::Event event;
  };
  std::vector<Item> items;
  for (const v1::Event& e : events) items.push_back({LondonDate(e.occurred_at()), e});
  SortInEffectiveOrder(
      items, [](const Item& i) { return i.day; },
      [](const Item& i) -> const v1::Event& { return i.event; });
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].event.position(), positions[i]);
}

}  // namespace
}  // namespace carelog
