#include "projections/qa_stability.h"

#include <optional>
#include <string>

#include "engine/calendar.h"

namespace carelog {
namespace {

using v1::Event;

struct Placement {
  absl::CivilDay start;
  std::string id, type;
  // The accommodation's own placement, not yet matched by the period's
  // first placementStarted (the header's first exception).
  bool from_accommodation = false;
};

}  // namespace

absl::CivilDay StabilityYearFrom(absl::CivilDay to) { return AddMonths(to, -12) + 1; }

bool PlacedForAdoption(std::string_view code) {
  return code == "A3" || code == "A4" || code == "A5" || code == "A6";
}

ChildStability StabilityOf(const std::vector<DatedEvent>& items, absl::CivilDay to) {
  const absl::CivilDay year_from = StabilityYearFrom(to);
  // Whether looked after now, since when (a plain day beside a flag: the
  // compiler cannot see through an optional here and warns).
  bool looked_after = false;
  absl::CivilDay period_start;
  std::optional<absl::CivilDay> born;
  std::optional<Placement> current;
  int in_year = 0;
  // A placement the child was in on some day of the year: it ended on or
  // after the year's first day (and started on or before `to`, as every one
  // read here did).
  auto end_placement = [&](absl::CivilDay on) {
    if (current && on >= year_from) ++in_year;
    current.reset();
  };
  auto set_born = [&](const std::string& text) {
    if (text.empty()) return;
    if (auto d = ParseDate(text); d.ok()) born = *d;
  };
  for (const DatedEvent& it : items) {
    if (it.day > to) break;
    const Event& e = *it.event;
    switch (e.payload_case()) {
      case Event::kChildRegistered: set_born(e.child_registered().date_of_birth()); break;
      case Event::kChildAccommodated: {
        if (looked_after) break;  // refused upstream: already looked after
        const auto& a = e.child_accommodated();
        set_born(a.date_of_birth());
        looked_after = true;
        period_start = it.day;
        if (!a.placement_type().empty())
          current = Placement{it.day, "", a.placement_type(), true};
        break;
      }
      case Event::kPlacementStarted: {
        if (!looked_after) break;  // no placement in care
        const auto& p = e.placement_started();
        const bool same_day_first =
            current && current->from_accommodation && it.day == period_start;
        const bool goes_on =
            current && (p.rne() == "L" ||
                        (!p.placement_id().empty() && p.placement_id() == current->id));
        if (same_day_first || goes_on) {
          current->id = p.placement_id();
          current->type = p.placement_type();
          current->from_accommodation = false;
          break;
        }
        end_placement(it.day);
        current = Placement{it.day, p.placement_id(), p.placement_type(), false};
        break;
      }
      case Event::kPlacementEnded: {
        const std::string& id = e.placement_ended().placement_id();
        if (current && (id.empty() || id == current->id)) end_placement(it.day);
        break;
      }
      case Event::kChildCeasedLookedAfter:
        if (!looked_after) break;
        end_placement(it.day);
        looked_after = false;
        break;
      default: break;
    }
  }
  if (current) ++in_year;  // still in it at the end of `to`

  ChildStability out;
  out.looked_after = looked_after;
  out.placements_in_year = in_year;
  if (!looked_after || period_start > AddMonths(to, -30)) return out;
  if (!born) {
    out.no_date_of_birth = true;
    return out;
  }
  if (AgeOn(*born, to) >= 16) return out;
  out.long_term = true;
  out.placed_for_adoption = current && PlacedForAdoption(current->type);
  out.stable = current && (current->start <= AddMonths(to, -24) || out.placed_for_adoption);
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
