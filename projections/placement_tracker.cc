#include "projections/placement_tracker.h"

#include <algorithm>
#include <utility>

#include "engine/calendar.h"

namespace carelog {

absl::CivilDay PlacementYearFrom(absl::CivilDay to) { return AddMonths(to, -12) + 1; }

int PlacementsInYearTo(const std::vector<PlacementSpan>& spans, absl::CivilDay to) {
  const absl::CivilDay from = PlacementYearFrom(to);
  return static_cast<int>(std::count_if(spans.begin(), spans.end(), [&](const PlacementSpan& s) {
    return s.start <= to && (!s.end || *s.end >= from);
  }));
}

PlacementTracker::Step PlacementTracker::Accommodated(absl::CivilDay on, uint64_t position,
                                                      const v1::ChildAccommodated& a) {
  if (looked_after_) return Step::kNone;
  looked_after_ = true;
  period_started_ = on;
  in_period_ = 0;
  from_accommodation_ = false;
  if (a.placement_type().empty()) return Step::kNone;
  TrackedPlacement p;
  p.type = a.placement_type();
  p.provider = a.provider();
  p.postcode = a.placement_postcode();
  p.started = on;
  p.position = position;
  Move(std::move(p));
  from_accommodation_ = true;
  return Step::kMoved;
}

PlacementTracker::Step PlacementTracker::Started(absl::CivilDay on, uint64_t position,
                                                 const v1::PlacementStarted& p) {
  if (!looked_after_) return Step::kNone;
  TrackedPlacement next;
  next.type = p.placement_type();
  next.provider = p.provider();
  next.postcode = p.placement_postcode();
  next.placement_id = p.placement_id();
  next.started = on;
  next.position = position;
  const bool same_day_first = from_accommodation_ && current_ && on == period_started_;
  const bool goes_on = current_ && (p.rne() == "L" || (!p.placement_id().empty() &&
                                                       p.placement_id() == current_->placement_id));
  from_accommodation_ = false;
  if (same_day_first || goes_on) {
    next.started = current_->started;
    next.position = current_->position;
    if (next.type.empty()) next.type = current_->type;
    current_ = std::move(next);
    return Step::kSamePlacement;
  }
  Move(std::move(next));
  return Step::kMoved;
}

PlacementTracker::Step PlacementTracker::Ended(absl::CivilDay on, const v1::PlacementEnded& p) {
  if (!looked_after_ || !current_) return Step::kNone;
  const std::string& id = p.placement_id();
  if (!id.empty() && id != current_->placement_id) return Step::kNone;
  End(on);
  return Step::kEnded;
}

PlacementTracker::Step PlacementTracker::Ceased(absl::CivilDay on) {
  if (!looked_after_) return Step::kNone;
  looked_after_ = false;
  if (!current_) return Step::kNone;
  End(on);
  return Step::kEnded;
}

void PlacementTracker::Move(TrackedPlacement next) {
  if (current_) End(next.started);
  spans_.push_back({next.started, std::nullopt});
  ++in_period_;
  current_ = std::move(next);
}

void PlacementTracker::End(absl::CivilDay on) {
  if (!spans_.empty() && !spans_.back().end) spans_.back().end = on;
  current_.reset();
  from_accommodation_ = false;
}

}  // namespace carelog
