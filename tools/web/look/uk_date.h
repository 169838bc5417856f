// Dates and times as GOV.UK writes them ("2 December 2026"), in Europe/London.
// Pure; thread-safe.
//
// London time comes from engine/event_time.h (the UK summer-time rule,
// without tzdata), the same rule that dates events: a time shown on a page
// always falls on the date the rules gave it, whatever tzdata the machine has.
#ifndef CARELOG_TOOLS_WEB_LOOK_UK_DATE_H_
#define CARELOG_TOOLS_WEB_LOOK_UK_DATE_H_

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace carelog::web {

// "2 December 2026": day without a leading zero, month in full.
[[nodiscard]] std::string LongDate(absl::CivilDay day);

// "Wednesday 2 December 2026" (no comma: GOV.UK style).
[[nodiscard]] std::string LongDateWithWeekday(absl::CivilDay day);

// "2 Dec 2026", for tables: GOV.UK's shortened months Jan Feb Mar Apr May
// June July Aug Sept Oct Nov Dec.
[[nodiscard]] std::string ShortDate(absl::CivilDay day);

// The instant `t` in London as "2 December 2026 at 14:05" (24-hour clock;
// the date is London's, so 23:30 UTC on 1 July is "2 July ... at 00:30").
[[nodiscard]] std::string LondonDateTime(absl::Time t);

// "1 working day", "3 working days", "0 working days": the count as given,
// singular only for 1 and -1.
[[nodiscard]] std::string WorkingDays(int64_t n);

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_UK_DATE_H_
