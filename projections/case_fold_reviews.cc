// Reviews in CaseFold (case_fold.h), the parts issue 14 added to the review
// bookkeeping of case_fold.cc:
// - milestone reviews matched by what they are (a recorded ReviewStage), not
//   by how many reviews came before (002 PACE: an extra review at 4 weeks is
//   not the 6-week review, and does not make the 6-week one the 19-week one);
// - until-next-review obligations (000's midway review, 004 §2(3)'s
//   permanency planning meeting): due before the next review, which closes
//   them;
// - acts earlier in the period that meet an obligation when it is opened;
// - short notice: a BEFORE rule counted back past its booking (001 §5, §6);
// - the emergency postponement route (003: the IRO's on-the-day
//   postponement).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "projections/case_fold.h"

namespace carelog::case_fold {

bool CaseFold::IsRulesReview(const Rule& r, carelog::v1::ReviewStage stage, int number) {
  if (r.review_stage() != carelog::v1::REVIEW_STAGE_UNSPECIFIED &&
      stage != carelog::v1::REVIEW_STAGE_UNSPECIFIED)
    return stage == r.review_stage();
  // No stage on one side: counted (old histories, or a rule about every review).
  return r.review_number() == 0 || r.review_number() == number;
}

void CaseFold::ApplyShortNotice(TrackedObligation& tracked, absl::CivilDay booked,
                                absl::CivilDay review_day) const {
  if (tracked.rule->short_notice() != carelog::v1::DUE_BEFORE_REVIEW) return;
  if (tracked.row.due >= booked) return;  // the booking gave the notice counted
  // Practice expects it before the meeting all the same: the last day (the
  // last working day, for a rule counted in working days) before it, never
  // before the booking day.
  const bool working = tracked.rule->unit() == carelog::v1::WORKING_DAYS;
  absl::CivilDay due = working ? calendar_.AddWorkingDays(pack_.division, review_day, -1)
                               : review_day - 1;
  if (due < booked) {
    due = booked;
    while (working && !calendar_.IsWorkingDay(pack_.division, due) && due < review_day) ++due;
  }
  tracked.row.due = due;
  tracked.row.short_notice = true;
}

bool CaseFold::DueAtNextReview(TrackedObligation& tracked) const {
  // The statutory chain (review_number 0): the one obligation every review
  // held meets. Its due date never moves with postponements.
  for (const TrackedObligation& chain : obligations_) {
    if (!chain.done && period_ && chain.period == period_->index &&
        chain.kind == ObligationKind::kReviewChain && chain.rule->review_number() == 0 &&
        chain.rule->review_stage() == carelog::v1::REVIEW_STAGE_UNSPECIFIED) {
      tracked.row.due = chain.row.due;
      return true;
    }
  }
  return false;
}

void CaseFold::CloseUntilNextReview(const OrderedEvent& current) {
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (!tracked.rule->until_next_review()) return;
    // Held with it unmet: it was due the day before, and stays OVERDUE.
    tracked.row.due = std::min(tracked.row.due, current.date - 1);
    MarkClosed(tracked, current.date);
  });
}

absl::flat_hash_set<std::string_view> CaseFold::EarlierActTypes(const ResolvedPack& pack) {
  absl::flat_hash_set<std::string_view> types;
  for (const PolicyRuleSet& v : pack.versions) {
    for (const Rule& r : v.rules) {
      if (r.earlier_acts_count()) types.insert(r.met_by());
    }
  }
  return types;
}

void CaseFold::MeetByEarlierAct(TrackedObligation& tracked) {
  if (!tracked.rule->earlier_acts_count()) return;
  auto it = first_act_in_period_.find(tracked.rule->met_by());
  if (it != first_act_in_period_.end()) MarkMet(tracked, it->second);
}

void CaseFold::CloseReducedMeetingObligations(absl::CivilDay on) {
  ForOpenObligations([&](TrackedObligation& tracked) {
    if (tracked.rule->applies().reduced_meetings()) MarkClosed(tracked, on);
  });
}

bool CaseFold::OnEmergencyRoute(const Rule& r, const OrderedEvent& request,
                                const ReviewState& review) {
  const auto& asked = request.event->review_postponement_requested();
  if (!asked.emergency() || !review.scheduled || request.date != *review.scheduled) return false;
  // Who asked: as recorded, else whoever recorded the request.
  const carelog::v1::Role role = asked.requested_by() != carelog::v1::ROLE_UNSPECIFIED
                                     ? asked.requested_by()
                                     : request.event->actor().role();
  const std::string& name = carelog::v1::Role_Name(role);
  return std::find(r.emergency_roles().begin(), r.emergency_roles().end(), name) !=
         r.emergency_roles().end();
}

void CaseFold::PostponementRequested(const OrderedEvent& current) {
  const auto& request = current.event->review_postponement_requested();
  const ReviewState& review = reviews_[request.review_id()];
  if (review.finished() || !review.scheduled) return;
  ForFindingRules(current.date, carelog::v1::POSTPONEMENT_NOTICE, [&](const Rule& r, int version) {
    // Only the emergency route is exempt: a request merely marked emergency
    // by anyone else is held to the notice (003).
    if (r.exempt_emergency() && OnEmergencyRoute(r, current, review)) return;
    const absl::CivilDay latest = DateByRule(*review.scheduled, r);
    if (current.date > latest)
      AddFinding(r, version, current, request.review_id(),
                 absl::StrCat("requested ", FormatDate(current.date), " for the review on ",
                              FormatDate(*review.scheduled), ", notice needed by ",
                              FormatDate(latest), request.emergency() ? " (emergency)" : ""));
  });
  ForObligationRules(current.date, carelog::v1::EMERGENCY_POSTPONEMENT,
                     [&](const Rule& r, int version) {
    if (!OnEmergencyRoute(r, current, review)) return;
    // Met by re-dating the review, as a postponement approved is.
    OpenObligation(r, version, ObligationKind::kPostponement, current, current.date,
                   request.review_id(), true);
  });
}

}  // namespace carelog::case_fold
