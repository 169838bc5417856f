#include "projections/case_summary.h"

#include "engine/event_time.h"

namespace carelog {

CaseSummary SummariseCase(std::string case_id, std::vector<v1::Event> events) {
  CaseSummary s;
  s.case_id = std::move(case_id);
  for (const DatedEvent& it : InEffectiveOrder(events)) {
    const v1::Event& e = *it.event;
    const absl::CivilDay day = it.day;
    ++s.events;
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
