// What each event does to CaseFold (case_fold.h): CaseFold::Apply, the
// switch over payload types, and Finish, which settles every obligation's
// status.
#include "projections/case_fold.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/event_time.h"

namespace carelog::case_fold {

void CaseFold::Apply(const OrderedEvent& current) {
  const Event& e = *current.event;
  // Recording lag is judged on every event, in or out of a period: what the
  // system showed in the meantime was wrong. `roles` lists the actors exempt
  // (SYSTEM: migrated history is recorded late by nature, not by practice).
  if (e.has_recorded_at()) {
    ForFindingRules(current.date, carelog::v1::RECORDED_LATE, [&](const Rule& r, int version) {
      const std::string role = carelog::v1::Role_Name(e.actor().role());
      if (std::find(r.roles().begin(), r.roles().end(), role) != r.roles().end()) return;
      const absl::CivilDay recorded = LondonDate(e.recorded_at());
      const absl::CivilDay latest = DateByRule(current.date, r);
      if (recorded > latest) {
        AddFinding(
            r, version, current, "",
            absl::StrCat(std::string(EventTypeName(e)), " recorded late: ", recorded - current.date,
                         " days (on ", FormatDate(recorded), ", due by ", FormatDate(latest), ")"));
      }
    });
  }
  TrackFacts(current);
  switch (e.payload_case()) {
    case Event::kChildAccommodated:
      if (!period_) CloseAfterCare(current.date);
      StartPeriod(current);
      return;
    case Event::kChildCeasedLookedAfter: CeaseLookingAfter(current); return;
    default: break;
  }
  // Review bookkeeping happens in or out of a period; obligations only in one.
  switch (e.payload_case()) {
    case Event::kReviewScheduled:
      if (!period_) {
        ScheduleReview(current, e.review_scheduled().review_id(),
                       ParseDate(e.review_scheduled().scheduled_for()).value_or(current.date),
                       e.review_scheduled().format());
        return;
      }
      break;
    case Event::kReviewRearranged:
      if (!period_) {
        auto d = ParseDate(e.review_rearranged().new_date());
        if (d.ok())
          ScheduleReview(current, e.review_rearranged().review_id(), *d,
                         carelog::v1::REVIEW_FORMAT_UNSPECIFIED);
        return;
      }
      break;
    case Event::kReviewHeld:
      if (!period_) {
        ReviewHeld(current);
        return;
      }
      break;
    case Event::kReviewCancelled:
      if (!period_) {
        reviews_[e.review_cancelled().review_id()].cancelled = true;
        return;
      }
      break;
    default: break;
  }
  if (!period_) {
    MeetAfterCareActs(current);
    acts_before_period_.push_back(current);
    return;
  }

  // 1. The acts this event is (acts first: a recurring rule's act meets the
  //    previous obligation before current makes the next).
  MeetByAct(current);
  if (earlier_act_types_.contains(current.type))
    first_act_in_period_.try_emplace(current.type, current);

  // 2. What current starts or changes.
  switch (e.payload_case()) {
    case Event::kIroServiceNotified:
      if (!period_->iro_notified) {
        period_->iro_notified = true;
        FireIroNotified(current, current.date);
      }
      break;
    case Event::kReviewScheduled: {
      auto d = ParseDate(e.review_scheduled().scheduled_for());
      if (d.ok())
        ScheduleReview(current, e.review_scheduled().review_id(), *d,
                       e.review_scheduled().format());
      break;
    }
    case Event::kReviewRearranged: {
      auto d = ParseDate(e.review_rearranged().new_date());
      if (d.ok())
        ScheduleReview(current, e.review_rearranged().review_id(), *d,
                       carelog::v1::REVIEW_FORMAT_UNSPECIFIED);
      break;
    }
    case Event::kReviewHeld: ReviewHeld(current); break;
    case Event::kReviewCancelled: {
      ReviewState& review = reviews_[e.review_cancelled().review_id()];
      if (review.finished()) break;
      review.cancelled = true;
      FinishReview(e.review_cancelled().review_id(), current.date);
      break;
    }
    case Event::kReviewPostponementRequested: PostponementRequested(current); break;
    case Event::kReviewPostponementApproved: {
      const auto& approval = e.review_postponement_approved();
      const std::string review_id = approval.review_id();
      if (reviews_[review_id].finished()) break;
      ForFindingRules(
          current.date, carelog::v1::POSTPONEMENT_APPROVER, [&](const Rule& r, int version) {
            const std::string role = carelog::v1::Role_Name(e.actor().role());
            if (std::find(r.roles().begin(), r.roles().end(), role) == r.roles().end())
              AddFinding(r, version, current, review_id, absl::StrCat("approved by ", role));
          });
      if (!(approval.has_iro_consulted() && approval.iro_consulted())) {
        ForFindingRules(
            current.date, carelog::v1::POSTPONEMENT_IRO_CONSULTED, [&](const Rule& r, int version) {
              AddFinding(r, version, current, review_id, "no discussion with the IRO recorded");
            });
      }
      ForObligationRules(current.date, carelog::v1::POSTPONEMENT_APPROVED,
                         [&](const Rule& r, int version) {
                           OpenObligation(r, version, ObligationKind::kPostponement, current,
                                          current.date, review_id, true);
                         });
      break;
    }
    case Event::kSignificantEventReported:
      ForObligationRules(current.date, carelog::v1::SIGNIFICANT_EVENT,
                         [&](const Rule& r, int version) {
        TrackedObligation& tracked = OpenObligation(r, version, ObligationKind::kEarlyReview,
                                                    current, current.date, "", false);
        tracked.match_event_id = e.event_id();
      });
      break;
    case Event::kCarePlanAuthorised:
      period_->authorisations.push_back(
          {current.date, e.care_plan_authorised().review_id(), current.seq});
      break;
    case Event::kReviewArrangementChanged:
      period_->reduced_meetings = e.review_arrangement_changed().reduced_meetings();
      if (period_->reduced_meetings) CheckReducedMeetingEligibility(current);
      else CloseReducedMeetingObligations(current.date);
      break;
    case Event::kPlacementStarted: StartPlacement(current); break;
    case Event::kPlacementEnded: EndPlacement(current); break;
    case Event::kCeaseApproved: facts_.cease_approvals.push_back(e.actor().role()); break;
    case Event::kPanelDecision:
      if (e.panel_decision().decision() == "APPROVED") period_->panel_approved = true;
      break;
    default: break;
  }

  // 3. Rules any event type can trigger.
  FireEventTriggers(current);
}

CaseDeadlines CaseFold::Finish() {
  CaseDeadlines out;
  out.case_id = case_id_;
  out.division = pack_.division;
  out.obligations.reserve(obligations_.size());
  for (TrackedObligation& tracked : obligations_) {
    if (tracked.not_applicable) continue;
    Obligation& o = tracked.row;
    o.case_id = case_id_;
    o.rule_id = tracked.rule->id();
    o.source_document = tracked.rule->source().document();
    o.source_section = tracked.rule->source().section();
    if (o.met_on) {
      const bool on_time = o.due_at ? *tracked.met_at <= *o.due_at : *o.met_on <= o.due;
      o.status = on_time ? ObligationStatus::kMet : ObligationStatus::kMetLate;
    } else if (o.closed_on) {
      o.status = *o.closed_on <= o.due ? ObligationStatus::kClosed : ObligationStatus::kOverdue;
    } else {
      o.status = UnmetStatus(o, as_of_);
    }
    out.obligations.push_back(std::move(o));
  }
  out.findings = std::move(findings_);
  return out;
}

}  // namespace carelog::case_fold
