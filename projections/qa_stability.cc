#include "projections/qa_stability.h"

#include <optional>
#include <string>

#include "engine/calendar.h"
#include "projections/placement_tracker.h"

namespace carelog {

using v1::Event;

absl::CivilDay StabilityYearFrom(absl::CivilDay to) { return PlacementYearFrom(to); }

bool PlacedForAdoption(std::string_view code) {
  return code == "A3" || code == "A4" || code == "A5" || code == "A6";
}

ChildStability StabilityOf(const std::vector<DatedEvent>& items, absl::CivilDay to) {
  // Whether looked after now, since when (a plain day beside a flag: the
  // compiler cannot see through an optional here and warns).
  bool looked_after = false;
  absl::CivilDay period_start;
  std::optional<absl::CivilDay> born;
  PlacementTracker placements;  // what counts as a placement: placement_tracker.h
  auto set_born = [&](const std::string& text) {
    if (text.empty()) return;
    if (auto d = ParseDate(text); d.ok()) born = *d;
  };
  for (const DatedEvent& it : items) {
    if (it.day > to) break;
    const Event& e = *it.event;
    switch (e.payload_case()) {
      case Event::kChildRegistered: set_born(e.child_registered().date_of_birth()); break;
      case Event::kChildAccommodated:
        if (looked_after) break;  // refused upstream: already looked after
        set_born(e.child_accommodated().date_of_birth());
        looked_after = true;
        period_start = it.day;
        placements.Accommodated(it.day, e.position(), e.child_accommodated());
        break;
      case Event::kPlacementStarted:
        placements.Started(it.day, e.position(), e.placement_started());
        break;
      case Event::kPlacementEnded: placements.Ended(it.day, e.placement_ended()); break;
      case Event::kChildCeasedLookedAfter:
        placements.Ceased(it.day);
        looked_after = false;
        break;
      default: break;
    }
  }
  const std::optional<TrackedPlacement>& current = placements.current();

  ChildStability out;
  out.looked_after = looked_after;
  out.placements_in_year = PlacementsInYearTo(placements.spans(), to);
  if (!looked_after || period_start > AddMonths(to, -30)) return out;
  if (!born) {
    out.no_date_of_birth = true;
    return out;
  }
  if (AgeOn(*born, to) >= 16) return out;
  out.long_term = true;
  out.placed_for_adoption = current && PlacedForAdoption(current->type);
  out.stable = current && (current->started <= AddMonths(to, -24) || out.placed_for_adoption);
  return out;
}

void AddStability(const ChildStability& c, PlacementStability* t) {
  t->looked_after += c.looked_after;
  t->three_or_more += c.looked_after && c.placements_in_year >= 3;
  t->long_term += c.long_term;
  t->long_term_stable += c.long_term && c.stable;
  t->placed_for_adoption += c.long_term && c.placed_for_adoption;
  t->long_term_no_date_of_birth += c.no_date_of_birth;
}

}  // namespace carelog
