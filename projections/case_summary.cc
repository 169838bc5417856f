#include "projections/case_summary.h"

#include <algorithm>

#include "absl/time/time.h"

namespace carelog {
namespace {

// Civil date of an instant in UTC; replaced by the Europe/London date once
// the rules engine's event_time lands.
absl::CivilDay DateOf(const google::protobuf::Timestamp& ts) {
  return absl::ToCivilDay(absl::FromUnixSeconds(ts.seconds()), absl::UTCTimeZone());
}

}  // namespace

CaseSummary SummariseCase(std::string case_id, std::vector<v1::Event> events) {
  std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
    if (a.occurred_at().seconds() != b.occurred_at().seconds()) {
      return a.occurred_at().seconds() < b.occurred_at().seconds();
    }
    return a.position() < b.position();
  });
  CaseSummary s;
  s.case_id = std::move(case_id);
  for (const v1::Event& e : events) {
    ++s.events;
    const absl::CivilDay day = DateOf(e.occurred_at());
    s.last_event = day;
    switch (e.payload_case()) {
      case v1::Event::kChildAccommodated:
        if (!s.looked_after) {
          s.looked_after = true;
          s.looked_after_since = day;
          ++s.periods_of_care;
        }
        break;
      case v1::Event::kChildCeasedLookedAfter:
        s.looked_after = false;
        s.looked_after_since.reset();
        break;
      case v1::Event::kReviewHeld:
        ++s.reviews_held;
        s.last_review = day;
        break;
      default:
        break;
    }
  }
  return s;
}

}  // namespace carelog
