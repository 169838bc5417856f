// Conditions (policy.proto's Applies) and rule groups for CaseFold
// (case_fold.h): the facts the events carry about the child and the
// placement, and whether a rule opens for one trigger.
//
// A fact the events do not carry makes a condition on it false (no date of
// birth: no age condition holds), except `not_legal_status`, which holds when
// no legal status is recorded (the status is not one of those listed).
#include <algorithm>

#include "engine/event_time.h"
#include "projections/case_fold.h"

namespace carelog::case_fold {

namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& codes,
              const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// The placement facts a condition is judged on.
struct PlacementFacts {
  bool known = false;
  std::string type;
  bool emergency = false;
  bool short_term = false;
  std::optional<absl::CivilDay> started;
};

}  // namespace

void CaseFold::TrackFacts(const OrderedEvent& current) {
  const Event& e = *current.event;
  auto set_birth = [&](const std::string& text) {
    if (text.empty()) return;
    auto d = ParseDate(text);
    if (d.ok()) facts_.date_of_birth = *d;
  };
  switch (e.payload_case()) {
    case Event::kChildRegistered: set_birth(e.child_registered().date_of_birth()); break;
    case Event::kChildAccommodated: {
      const auto& a = e.child_accommodated();
      if (period_) break;  // refused upstream: the open period keeps its facts
      set_birth(a.date_of_birth());
      facts_.legal_status = a.legal_status();  // a new period's own, or not recorded
      facts_.accommodated_placement_type = a.placement_type();
      facts_.accommodated_emergency = a.emergency();
      facts_.accommodated_short_term = a.short_term();
      facts_.emergency_for_first_placement = a.emergency();
      facts_.cease_approvals.clear();
      break;
    }
    case Event::kLegalStatusChanged:
      if (!e.legal_status_changed().legal_status().empty())
        facts_.legal_status = e.legal_status_changed().legal_status();
      break;
    case Event::kPlacementStarted:
      // An SSDA903 episode's legal status comes with its placement.
      if (!e.placement_started().legal_status().empty())
        facts_.legal_status = e.placement_started().legal_status();
      break;
    default: break;
  }
}

bool CaseFold::RuleApplies(const Rule& rule, const OrderedEvent& trigger,
                           absl::CivilDay due_or_on) const {
  if (!rule.has_applies()) return true;
  const carelog::v1::Applies& a = rule.applies();
  const Event& e = *trigger.event;

  if (!a.legal_status().empty() &&
      (facts_.legal_status.empty() || !Contains(a.legal_status(), facts_.legal_status)))
    return false;
  if (!facts_.legal_status.empty() && Contains(a.not_legal_status(), facts_.legal_status))
    return false;

  // PERIOD_STARTED rules are about the placement the child was accommodated
  // into (childAccommodated); every other rule about the current placement.
  PlacementFacts placement;
  if (rule.kind() == carelog::v1::OBLIGATION && rule.trigger() == carelog::v1::PERIOD_STARTED) {
    placement.known = true;
    placement.type = facts_.accommodated_placement_type;
    placement.emergency = facts_.accommodated_emergency;
    placement.short_term = facts_.accommodated_short_term;
    if (period_) placement.started = period_->started;
  } else if (period_ && period_->placement) {
    placement.known = true;
    placement.type = period_->placement->type;
    placement.emergency = period_->placement->emergency;
    placement.short_term = period_->placement->short_term;
    placement.started = period_->placement->started;
  }
  if (!a.placement_type().empty() &&
      (!placement.known || !Contains(a.placement_type(), placement.type)))
    return false;
  if (a.emergency_placement() && !(placement.known && placement.emergency)) return false;
  if (a.short_term_placement() && !(placement.known && placement.short_term)) return false;
  if (a.not_short_term_placement() && !(placement.known && !placement.short_term)) return false;
  if (a.within_placement_months() > 0 &&
      !(placement.started && due_or_on <= AddMonths(*placement.started, a.within_placement_months())))
    return false;
  if (a.after_placement_months() > 0 &&
      !(placement.started && due_or_on > AddMonths(*placement.started, a.after_placement_months())))
    return false;

  if (a.reduced_meetings() && !(period_ && period_->reduced_meetings)) return false;

  const bool ceased = e.payload_case() == Event::kChildCeasedLookedAfter;
  if (a.unplanned_ending() &&
      !(ceased && e.child_ceased_looked_after().has_planned() &&
        !e.child_ceased_looked_after().planned()))
    return false;
  if (!a.ceased_reason().empty() &&
      !(ceased && Contains(a.ceased_reason(), e.child_ceased_looked_after().reason())))
    return false;
  if (a.plan_not_agreed() &&
      !(e.payload_case() == Event::kReviewHeld && e.review_held().has_plan_agreed() &&
        !e.review_held().plan_agreed()))
    return false;

  if (a.min_age() > 0 || a.max_age() > 0) {
    if (!facts_.date_of_birth) return false;
    const int age = AgeOn(*facts_.date_of_birth, due_or_on);
    if (a.min_age() > 0 && age < a.min_age()) return false;
    if (a.max_age() > 0 && age >= a.max_age()) return false;
  }
  return true;
}

absl::CivilDay CaseFold::CandidateDue(const Rule& rule, const OrderedEvent& trigger,
                                      absl::CivilDay anchor) const {
  if (rule.unit() == carelog::v1::HOURS)
    return LondonToday(trigger.at + absl::Hours(rule.amount()));
  return DateByRule(anchor, rule);
}

bool CaseFold::RuleOpens(const Rule& rule, const OrderedEvent& trigger, absl::CivilDay anchor,
                         absl::CivilDay due) const {
  if (rule.group().empty()) return RuleApplies(rule, trigger, due);
  // The members are the rules of the same version (the one `rule` is in)
  // with the same group and trigger; the first listed wins a tie.
  for (const PolicyRuleSet& v : pack_.versions) {
    if (v.rules.empty() || &rule < v.rules.data() || &rule >= v.rules.data() + v.rules.size())
      continue;
    const Rule* best = nullptr;
    absl::CivilDay best_due;
    for (const Rule& m : v.rules) {
      if (m.group() != rule.group() || m.kind() != rule.kind() || m.trigger() != rule.trigger() ||
          m.trigger_event() != rule.trigger_event())
        continue;
      const absl::CivilDay m_due = &m == &rule ? due : CandidateDue(m, trigger, anchor);
      if (!RuleApplies(m, trigger, m_due)) continue;
      if (best == nullptr || m_due < best_due) {
        best = &m;
        best_due = m_due;
      }
    }
    return best == &rule;
  }
  return RuleApplies(rule, trigger, due);
}

}  // namespace carelog::case_fold
