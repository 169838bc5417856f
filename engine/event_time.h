// The date of an event (rules.md "Conventions"): the civil date in
// Europe/London of its occurredAt instant, computed from the UK rule without
// tzdata: British Summer Time (UTC+1) runs from 01:00 UTC on the last Sunday
// of March to 01:00 UTC on the last Sunday of October; GMT (UTC+0) otherwise.
// Pure functions, safe from any thread.
#ifndef CARELOG_ENGINE_EVENT_TIME_H_
#define CARELOG_ENGINE_EVENT_TIME_H_

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "carelog/v1/events.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace carelog {

// The instant a Timestamp denotes (seconds + nanos since the Unix epoch).
absl::Time ToTime(const google::protobuf::Timestamp& ts);

// The UTC offset in force in London at `t`: one hour in BST, else zero.
absl::Duration LondonOffset(absl::Time t);

// The civil date in Europe/London at the instant `ts`.
absl::CivilDay LondonDate(const google::protobuf::Timestamp& ts);

// The last instant (to the nanosecond) of `day` in Europe/London: "as known
// at the end of that day".
absl::Time LondonEndOfDay(absl::CivilDay day);

// The recording instant of a case query ("as known at": `audit` and `state`
// --known-at, the service's Audit and CaseState known_at): an RFC 3339
// instant, or a date meaning the end of that day in London. One parser, so
// the CLI and the service accept the same texts. kInvalidArgument "bad
// instant 'TEXT': want RFC 3339 like 2024-03-01T14:05:00Z, or a date"; the
// caller names its flag or field.
[[nodiscard]] absl::StatusOr<absl::Time> ParseKnownAt(std::string_view text);

// The effective date of a case query given no as-of: the London date of the
// known-at instant if there is one, else of `now` (read by the caller).
absl::CivilDay DefaultAsOf(std::optional<absl::Time> known_at, absl::Time now);

// An event with its date, for walking a case in effective order.
struct DatedEvent {
  absl::CivilDay day;  // LondonDate(occurred_at)
  const carelog::v1::Event* event;
};

// rules.md "Order": whether event `a`, dated `a_day`, comes before `b`, dated
// `b_day`: by date (Europe/London), then occurredAt, then log position. The
// days must be LondonDate of each event's occurred_at (callers have worked
// them out already). The one definition of effective order. Pure.
[[nodiscard]] bool EffectivelyBefore(absl::CivilDay a_day, const carelog::v1::Event& a,
                                     absl::CivilDay b_day, const carelog::v1::Event& b);

// Sorts `items` into effective order (EffectivelyBefore), whatever order they
// were appended in; `day(item)` and `event(item)` give each item's date and
// event. Ties (the same event twice) keep no particular order.
template <typename T, typename DayOf, typename EventOf>
void SortInEffectiveOrder(std::vector<T>& items, DayOf day, EventOf event) {
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    return EffectivelyBefore(day(a), event(a), day(b), event(b));
  });
}

// The events in effective order, each with its date. The pointers point into
// `events`, which must outlive the result. Pure.
std::vector<DatedEvent> InEffectiveOrder(const std::vector<carelog::v1::Event>& events);

// Today's date in Europe/London at the instant `now` (the caller reads the
// clock; this function never does).
absl::CivilDay LondonToday(absl::Time now);

}  // namespace carelog

#endif  // CARELOG_ENGINE_EVENT_TIME_H_
