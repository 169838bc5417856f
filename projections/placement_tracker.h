// What counts as a placement, and as a move: one definition for the
// care-plan state (`carelog state`, `carelog cases`) and the QA report's
// placement stability measures, so that the state's "placements in the last
// 12 months" of a child as of a day is the number the report counts for the
// year ending that day.
//
// A placement is the one a child was accommodated into
// (childAccommodated.placementType) and each placementStarted while looked
// after, except these, which record the current placement again (its details
// are the new event's, its start is its own):
// - the period's first placementStarted when dated the day the period began
//   and the accommodation named a placement (`import-903` writes both);
// - a placementStarted with SSDA903 RNE "L" (a change of legal status only);
// - a placementStarted naming the current placement's own placementId.
// A placement ends at the next one, at a placementEnded naming it or naming
// none (as the deadlines fold: an id of another placement ends nothing), and
// when the child ceases to be looked after. Placements only exist in a
// period of care.
#ifndef CARELOG_PROJECTIONS_PLACEMENT_TRACKER_H_
#define CARELOG_PROJECTIONS_PLACEMENT_TRACKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

struct TrackedPlacement {
  std::string type;      // SSDA903 PLACE code; "" = not recorded
  std::string provider;  // SSDA903 PLACE_PROVIDER; "" = not recorded
  std::string postcode;  // as recorded (the state keeps its district only)
  std::string placement_id;
  absl::CivilDay started;
  uint64_t position = 0;  // the event that started it
};

// When one placement began and ended (no end: the child is in it).
struct PlacementSpan {
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;
};

// The first day of the 12 months ending on `to`: the day after `to` less 12
// months (the QA report's year; the state's "last 12 months").
absl::CivilDay PlacementYearFrom(absl::CivilDay to);

// The placements a child was in on some day of the 12 months ending on
// `to`: spans that began by `to` and had not ended before the year's first
// day. A placement left on that first day counts (the child was in it then).
int PlacementsInYearTo(const std::vector<PlacementSpan>& spans, absl::CivilDay to);

// Fed a case's events in effective order (the caller's fold calls the method
// of each event it reads), keeps the current placement and every span.
// Thread-compatible.
class PlacementTracker {
 public:
  enum class Step {
    kNone,           // nothing changed (not looked after, or an id not current)
    kMoved,          // a new placement: the child moved (or was first placed)
    kSamePlacement,  // the current placement recorded again: details only
    kEnded,          // the current placement ended, none follows
  };

  // childAccommodated on `on` (ignored while a period is open: refused
  // upstream). kMoved when it names a placement type.
  Step Accommodated(absl::CivilDay on, uint64_t position, const v1::ChildAccommodated& a);
  Step Started(absl::CivilDay on, uint64_t position, const v1::PlacementStarted& p);
  Step Ended(absl::CivilDay on, const v1::PlacementEnded& p);
  // childCeasedLookedAfter: kEnded when there was a placement.
  Step Ceased(absl::CivilDay on);

  const std::optional<TrackedPlacement>& current() const { return current_; }
  // Placements begun in the current (or last) period.
  int in_period() const { return in_period_; }
  // Every placement of every period, in order.
  const std::vector<PlacementSpan>& spans() const { return spans_; }

 private:
  void Move(TrackedPlacement next);
  void End(absl::CivilDay on);

  bool looked_after_ = false;
  absl::CivilDay period_started_;
  std::optional<TrackedPlacement> current_;
  // The current placement is the accommodation's and no placementStarted
  // has followed yet.
  bool from_accommodation_ = false;
  int in_period_ = 0;
  std::vector<PlacementSpan> spans_;
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_PLACEMENT_TRACKER_H_
