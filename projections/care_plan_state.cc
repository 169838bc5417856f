#include "projections/care_plan_state.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/event_time.h"
#include "projections/placement_tracker.h"

namespace carelog {

namespace {

using v1::Event;

// The milestones of a permanence track (PACE, Salford, 004) the state lists.
bool IsMilestone(const Event& e) {
  switch (e.payload_case()) {
    case Event::kPlacementPlanningMeetingHeld:
    case Event::kLegalPlanningMeetingHeld:
    case Event::kFamilyGroupConferenceHeld:
    case Event::kPermanencyPlanningMeetingHeld:
    case Event::kFinalCarePlanningMeetingHeld:
    case Event::kPermanenceProgressMeetingHeld:
    case Event::kParentingAssessmentCompleted:
    case Event::kKinshipAssessmentReferred:
    case Event::kKinshipAssessmentCompleted:
    case Event::kPrePermanenceReportSent:
    case Event::kReportsSentToLegalAndParents:
    case Event::kCarePlanningMeetingHeld: return true;
    default: return false;
  }
}

// The statutory review chain of a pack: obligations met by the next review
// held, opened when the period starts or a review is held (case_fold.cc's
// kReviewChain), including a track's numbered reviews (PACE).
std::set<std::string> ChainRules(const ResolvedPack& pack) {
  std::set<std::string> out;
  for (const PolicyRuleSet& v : pack.versions) {
    for (const v1::Rule& r : v.rules) {
      if (r.kind() != v1::OBLIGATION || r.met_by() != "reviewHeld") continue;
      if (r.trigger() == v1::PERIOD_STARTED || r.trigger() == v1::FIRST_REVIEW_HELD ||
          r.trigger() == v1::LATER_REVIEW_HELD)
        out.insert(r.id());
    }
  }
  return out;
}

std::string PlacementText(const std::optional<CarePlanPlacement>& p) {
  if (!p) return "";
  std::string out = p->type.empty() ? "type not recorded" : p->type;
  if (!p->provider.empty()) absl::StrAppend(&out, ", provider ", p->provider);
  if (!p->district.empty()) absl::StrAppend(&out, ", ", p->district);
  return out;
}

class StateFold {
 public:
  explicit StateFold(CarePlanState* s) : s_(*s) {}

  void Apply(absl::CivilDay on, const Event& e) {
    on_ = on;
    pos_ = e.position();
    switch (e.payload_case()) {
      case Event::kChildRegistered: {
        const auto& r = e.child_registered();
        SetBirth(r.date_of_birth());
        if (!r.sex().empty()) s_.child.sex = r.sex();
        if (!r.authority_code().empty()) s_.child.authority = r.authority_code();
        break;
      }
      case Event::kChildAccommodated: Accommodated(e.child_accommodated()); break;
      case Event::kChildCeasedLookedAfter: Ceased(e.child_ceased_looked_after()); break;
      case Event::kLegalStatusChanged:
        if (s_.looked_after) SetLegalStatus(e.legal_status_changed().legal_status());
        break;
      case Event::kPlacementStarted: PlacementStarted(e.placement_started()); break;
      case Event::kPlacementEnded: {
        const std::optional<CarePlanPlacement> before = s_.placement;
        if (placements_.Ended(on, e.placement_ended()) != PlacementTracker::Step::kEnded) break;
        Change("placement", PlacementText(before), "");
        s_.placement.reset();
        break;
      }
      case Event::kSocialWorkerAllocated: {
        const auto& a = e.social_worker_allocated();
        Change("social worker", s_.social_worker, a.social_worker_id());
        if (a.social_worker_id() != s_.social_worker) s_.social_worker_since = on;
        s_.social_worker = a.social_worker_id();
        Change("team", s_.team, a.team());
        if (a.team() != s_.team) s_.team_since = a.team().empty() ? std::nullopt : std::optional(on);
        s_.team = a.team();
        break;
      }
      case Event::kIroAllocated: {
        const std::string& iro = e.iro_allocated().iro_id();
        Change("IRO", s_.iro, iro);
        if (iro != s_.iro) s_.iro_since = on;
        s_.iro = iro;
        break;
      }
      case Event::kReviewArrangementChanged: {
        if (!s_.looked_after) break;  // as the deadlines fold: a period's arrangement
        const auto& a = e.review_arrangement_changed();
        Change("review arrangement", Arrangement(s_.reduced_meetings),
               Arrangement(a.reduced_meetings()));
        s_.reduced_meetings = a.reduced_meetings();
        s_.arrangement_since = on;
        s_.arrangement_agreed_by.clear();
        for (int role : a.agreed_by()) s_.arrangement_agreed_by.push_back(static_cast<v1::Role>(role));
        break;
      }
      case Event::kPermanenceRecommended: {
        const std::string& plan = e.permanence_recommended().plan();
        Change("permanence recommendation", s_.permanence.recommended_plan, plan);
        s_.permanence.recommended_plan = plan;
        s_.permanence.recommended_on = on;
        break;
      }
      case Event::kPanelDecision: {
        const auto& d = e.panel_decision();
        std::string to = absl::StrCat(d.panel().empty() ? "panel" : d.panel(), ": ",
                                      d.decision().empty() ? "decision not recorded" : d.decision());
        if (!d.plan().empty()) absl::StrAppend(&to, " (", d.plan(), ")");
        changes_.push_back({on, pos_, "panel decision", last_panel_, to});
        last_panel_ = to;
        s_.permanence.panel = d.panel();
        s_.permanence.panel_decision = d.decision();
        s_.permanence.panel_plan = d.plan();
        s_.permanence.panel_on = on;
        break;
      }
      case Event::kReviewScheduled:
        if (e.review_scheduled().format() != v1::REVIEW_FORMAT_UNSPECIFIED)
          formats_[e.review_scheduled().review_id()] = e.review_scheduled().format();
        break;
      case Event::kReviewHeld: {
        const auto& h = e.review_held();
        if (s_.looked_after && held_in_period_.insert(h.review_id()).second)
          ++s_.reviews_held_in_period;
        CarePlanReview r;
        r.review_id = h.review_id();
        r.held_on = on;
        auto f = formats_.find(h.review_id());
        if (f != formats_.end()) r.format = f->second;
        r.participation = h.participation();
        r.position = pos_;
        s_.last_review = std::move(r);
        break;
      }
      default:
        if (IsMilestone(e)) {
          const std::string name(EventTypeName(e));
          s_.permanence.milestones.push_back({name, on, pos_});
          changes_.push_back({on, pos_, "milestone", "", name});
        }
        break;
    }
  }

  void Finish() {
    s_.placement_spans = placements_.spans();
    s_.history = std::move(changes_);
  }


 private:
  static std::string Arrangement(bool reduced) {
    return reduced ? "reduced meetings" : "standard";
  }

  void Change(const char* what, const std::string& from, const std::string& to) {
    if (from != to) changes_.push_back({on_, pos_, what, from, to});
  }

  void SetBirth(const std::string& text) {
    if (text.empty()) return;
    if (auto d = ParseDate(text); d.ok()) s_.child.date_of_birth = *d;
  }

  void SetLegalStatus(const std::string& ls) {
    if (ls.empty() || ls == s_.legal_status) return;
    Change("legal status", s_.legal_status, ls);
    s_.legal_status = ls;
    s_.legal_status_since = on_;
  }

  // The tracker's current placement as the state shows it.
  void TakePlacement() {
    const std::optional<TrackedPlacement>& t = placements_.current();
    CarePlanPlacement p;
    p.type = t->type;
    p.provider = t->provider;
    p.district = PostcodeDistrict(t->postcode);
    p.placement_id = t->placement_id;
    p.started = t->started;
    p.position = t->position;
    Change("placement", PlacementText(s_.placement), PlacementText(p));
    s_.placement = std::move(p);
    s_.placements_in_period = placements_.in_period();
  }

  void Accommodated(const v1::ChildAccommodated& a) {
    if (s_.looked_after) return;  // refused upstream: the open period keeps its facts
    SetBirth(a.date_of_birth());
    s_.looked_after = true;
    ++s_.periods;
    Change("period of care", "not looked after", "looked after");
    s_.period_started = on_;
    s_.period_ended.reset();
    s_.ceased_reason.clear();
    // A period's own legal status, arrangement and plan start afresh.
    if (a.legal_status() != s_.legal_status)
      Change("legal status", s_.legal_status, a.legal_status());
    s_.legal_status = a.legal_status();
    s_.legal_status_since =
        a.legal_status().empty() ? std::nullopt : std::optional<absl::CivilDay>(on_);
    if (s_.reduced_meetings) Change("review arrangement", "reduced meetings", "standard");
    s_.reduced_meetings = false;
    s_.arrangement_since.reset();
    s_.arrangement_agreed_by.clear();
    s_.permanence = CarePlanPermanence();
    last_panel_.clear();
    s_.placements_in_period = 0;
    s_.reviews_held_in_period = 0;
    held_in_period_.clear();
    if (placements_.Accommodated(on_, pos_, a) == PlacementTracker::Step::kMoved) TakePlacement();
  }

  void Ceased(const v1::ChildCeasedLookedAfter& c) {
    if (!s_.looked_after) return;
    if (placements_.Ceased(on_) == PlacementTracker::Step::kEnded)
      Change("placement", PlacementText(s_.placement), "");
    s_.placement.reset();
    Change("period of care", "looked after",
           c.reason().empty() ? "not looked after" : absl::StrCat("not looked after (", c.reason(), ")"));
    s_.looked_after = false;
    s_.period_ended = on_;
    s_.ceased_reason = c.reason();
  }

  void PlacementStarted(const v1::PlacementStarted& p) {
    if (!s_.looked_after) return;  // as the deadlines fold: placements are in a period
    SetLegalStatus(p.legal_status());
    if (placements_.Started(on_, pos_, p) != PlacementTracker::Step::kNone) TakePlacement();
  }

  CarePlanState& s_;
  absl::CivilDay on_;
  uint64_t pos_ = 0;
  std::vector<CarePlanChange> changes_;
  PlacementTracker placements_;  // what counts as a placement and a move
  std::map<std::string, v1::ReviewFormat> formats_;
  std::set<std::string> held_in_period_;
  std::string last_panel_;
};

void CountObligations(const CaseDeadlines& d, const ResolvedPack& pack, const Calendar& cal,
                      CarePlanState* s) {
  s->open = s->overdue = s->due_within_10_working_days = 0;
  s->next_review_due.reset();
  s->next_review_rule.clear();
  const std::set<std::string> chain = ChainRules(pack);
  const absl::CivilDay horizon = DueSoonHorizon(cal, pack.division, s->as_of, 10);
  for (const Obligation& o : d.obligations) {
    if (o.status == ObligationStatus::kOpen) {
      ++s->open;
      if (o.due <= horizon) ++s->due_within_10_working_days;
    }
    if (o.status == ObligationStatus::kOverdue) ++s->overdue;
    const bool unmet = !o.met_on && !o.closed_on &&
                       (o.status == ObligationStatus::kOpen || o.status == ObligationStatus::kOverdue);
    if (unmet && chain.count(o.rule_id) && (!s->next_review_due || o.due < *s->next_review_due)) {
      s->next_review_due = o.due;
      s->next_review_rule = o.rule_id;
    }
  }
}

}  // namespace

absl::CivilDay DueSoonHorizon(const Calendar& cal, Division d, absl::CivilDay as_of,
                              int working_days) {
  return cal.AddWorkingDays(d, as_of, working_days);
}

std::string PostcodeDistrict(std::string_view postcode) {
  std::string compact;
  for (char c : postcode) {
    if (c == ' ' || c == '\t') continue;
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return "";
    compact.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  // A full postcode is the outward code (2-4 characters, a letter first)
  // then the inward code (a digit and two letters).
  if (compact.size() < 5 || compact.size() > 7) return "";
  const std::string inward = compact.substr(compact.size() - 3);
  if (!absl::ascii_isdigit(static_cast<unsigned char>(inward[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[1])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(inward[2])))
    return "";
  std::string outward = compact.substr(0, compact.size() - 3);
  if (!absl::ascii_isalpha(static_cast<unsigned char>(outward[0]))) return "";
  if (!std::any_of(outward.begin(), outward.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }))
    return "";
  return outward;
}

CarePlanState FoldCarePlanEvents(std::string_view case_id, std::vector<v1::Event> events,
                                 absl::CivilDay through) {
  CarePlanState s;
  s.case_id = std::string(case_id);
  s.as_of = through;
  const std::vector<v1::Event> corrected = ApplyCorrections(std::move(events));
  StateFold fold(&s);
  for (const DatedEvent& d : InEffectiveOrder(corrected)) {
    if (d.day > through) break;  // effective order is by date first
    fold.Apply(d.day, *d.event);
    s.last_event_day = d.day;
  }
  fold.Finish();
  return s;
}

void RestateCarePlanState(const CaseDeadlines& deadlines, const ResolvedPack& pack,
                          const Calendar& cal, absl::CivilDay as_of, CarePlanState* s) {
  s->as_of = as_of;
  s->child.age.reset();
  if (s->child.date_of_birth) s->child.age = AgeOn(*s->child.date_of_birth, as_of);
  s->period_days = s->looked_after && s->period_started ? as_of - *s->period_started : 0;
  if (s->placement) s->placement->days = as_of - s->placement->started;
  s->placements_in_12_months = PlacementsInYearTo(s->placement_spans, as_of);
  CountObligations(deadlines, pack, cal, s);
}

CarePlanState FoldCarePlanState(std::string_view case_id, std::vector<v1::Event> events,
                                const CaseDeadlines& deadlines, const ResolvedPack& pack,
                                const Calendar& cal, absl::CivilDay as_of) {
  CarePlanState s = FoldCarePlanEvents(case_id, std::move(events), as_of);
  RestateCarePlanState(deadlines, pack, cal, as_of, &s);
  return s;
}

}  // namespace carelog
