// Placements and ceasing to look after, for CaseFold (case_fold.h): which
// placement is current, the obligations that belong to a placement
// (policy.proto's placement_scoped), and what a child's ceasing to be looked
// after checks and leaves to do (004 §10).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/event_time.h"
#include "projections/case_fold.h"

namespace carelog::case_fold {

void CaseFold::ClosePlacementObligations(absl::CivilDay on) {
  if (!period_ || !period_->placement) return;
  const int serial = period_->placement->serial;
  // Closed with the placement: CLOSED if it ends on or before the due date,
  // OVERDUE if after (Finish); no later act meets it.
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.placement_serial == serial) MarkClosed(tracked, on);
  });
}

void CaseFold::StartPlacement(const OrderedEvent& current) {
  const auto& p = current.event->placement_started();
  // A new placement ends the one before it, recorded or not.
  ClosePlacementObligations(current.date);
  CurrentPlacement placement;
  placement.started = current.date;
  placement.id = p.placement_id();
  placement.long_term = p.long_term();
  placement.connected_person = p.connected_person();
  placement.serial = ++facts_.placements_started;
  placement.type = p.placement_type();
  // childAccommodated.emergency describes the placement the child came into
  // care in: the period's first placementStarted, which counts once.
  placement.emergency = p.emergency() || facts_.emergency_for_first_placement;
  facts_.emergency_for_first_placement = false;
  placement.short_term = p.short_term();
  period_->placement = std::move(placement);
}

void CaseFold::EndPlacement(const OrderedEvent& current) {
  const std::string& id = current.event->placement_ended().placement_id();
  if (!period_->placement || !(id.empty() || id == period_->placement->id)) return;
  ClosePlacementObligations(current.date);
  period_->placement.reset();
}

void CaseFold::CeaseLookingAfter(const OrderedEvent& current) {
  if (!period_) return;
  // CEASE_APPROVAL: a decision to cease that needed a director's approval
  // (`applies`: legal status, age on the day) and had none in the period.
  ForFindingRules(current.date, carelog::v1::CEASE_APPROVAL, [&](const Rule& r, int version) {
    if (r.amount() > 0 && DateByRule(period_->started, r) > current.date) return;  // too short
    const bool approved = std::any_of(
        facts_.cease_approvals.begin(), facts_.cease_approvals.end(), [&](carelog::v1::Role role) {
          return std::find(r.roles().begin(), r.roles().end(), carelog::v1::Role_Name(role)) !=
                 r.roles().end();
        });
    if (!approved)
      AddFinding(r, version, current, "",
                 absl::StrCat("ceased to be looked after with no approval by ",
                              absl::StrJoin(r.roles(), " or ")));
  });
  EndPeriod(current);
  // The steps after ceasing (EVENT rules on childCeasedLookedAfter) outlive
  // the period: period 0, met by acts while no period is open.
  const VersionRuleIndex& in_force = rules_.On(current.date);
  for (const Rule* r : in_force.TriggeredBy(current.type)) {
    TrackedObligation& tracked = OpenObligation(*r, in_force.version->number,
                                                ObligationKind::kFirstAct, current, current.date,
                                                "", false);
    tracked.after_care = true;
  }
}

void CaseFold::MeetAfterCareActs(const OrderedEvent& current) {
  for (TrackedObligation& tracked : obligations_) {
    if (tracked.after_care && !tracked.done && tracked.rule->met_by() == current.type)
      MarkMet(tracked, current);
  }
}

void CaseFold::CloseAfterCare(absl::CivilDay on) {
  for (TrackedObligation& tracked : obligations_) {
    if (tracked.after_care) MarkClosed(tracked, on);
  }
}

}  // namespace carelog::case_fold
