// Placement stability for the QA report (qa_report.h): the DfE's two
// children-looked-after stability measures, counted from each child's events
// as of the report's end date. Pure functions; the definitions the report
// prints are QaDefinitions()'s "placements3Plus" and "longTermStability".
//
// What counts as a placement, and when one ends, is placement_tracker.h's
// (the care-plan state's too, so a child's "placements in the last 12
// months" as of `to` is this report's count for them).
#ifndef CARELOG_PROJECTIONS_QA_STABILITY_H_
#define CARELOG_PROJECTIONS_QA_STABILITY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "engine/event_time.h"

namespace carelog {

// The report's totals over every child.
struct PlacementStability {
  // (a) The year: the 12 months ending at the report's end date, whatever
  // the report's period (the measure is annual: 3 moves in a quarter and in
  // two years are not the same fact). [year_from, to].
  absl::CivilDay year_from, to;
  int64_t looked_after = 0;   // looked after at the end of `to`
  int64_t three_or_more = 0;  // of whom had 3+ placements in the year
  // (b) Under 16 at `to`, looked after continuously for 2.5 years (30 months)
  // or more at `to`.
  int64_t long_term = 0;
  int64_t long_term_stable = 0;  // of whom in one placement 2+ years, or placed for adoption
  int64_t placed_for_adoption = 0;  // of `long_term`, placed now in A3-A6 (stable or not by time)
  // Looked after 2.5 years or more but with no date of birth recorded: age
  // unknown, so in neither count of (b).
  int64_t long_term_no_date_of_birth = 0;
};

// What one child adds to the totals.
struct ChildStability {
  bool looked_after = false;   // at the end of `to`
  int placements_in_year = 0;  // placements the child was in on some day of the year
  bool no_date_of_birth = false;  // looked after 2.5 years+, age unknown
  bool long_term = false, stable = false, placed_for_adoption = false;
};

// The first day of the year that ends on `to` (the day after `to` less 12 months).
absl::CivilDay StabilityYearFrom(absl::CivilDay to);

// Whether a PLACE code is a placement for adoption (A3-A6, code_lists.cc;
// A1/A2 were withdrawn before the lists carelog holds).
bool PlacedForAdoption(std::string_view place_code);

// One child's stability at the end of `to`. `items`: the case's events after
// ApplyCorrections, in effective order (InEffectiveOrder); events dated after
// `to` are not read. Never fails: events it cannot use are skipped.
ChildStability StabilityOf(const std::vector<DatedEvent>& items, absl::CivilDay to);

// Adds `child` to `totals`.
void AddStability(const ChildStability& child, PlacementStability* totals);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_QA_STABILITY_H_
