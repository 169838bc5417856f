// The care-plan state of a case: who the child is, where they live and since when, under
// what legal status, who is responsible, what the plan is and what is due —
// the first screen of a case (`carelog state`), as it stood at the end of a
// date, and its history as dated changes (a timeline; "where was this child
// on 3 March 2023 and who was responsible" is the state as of that day).
//
// A pure fold of one case's events, like the deadlines fold: corrections and
// retractions first (ApplyCorrections), then effective order. Anything the
// events do not say is an empty optional or an empty string, which the
// renderers show as "not recorded" — the fold never guesses.
//
// Decisions where the issue is silent (also in README "carelog state"):
// - What counts as a placement and a move is placement_tracker.h's, the QA
//   report's stability measures' own: the accommodation's placement, then
//   each placementStarted in a period except the same placement recorded
//   again (the period's first, on its first day; RNE "L"; the current id).
// - "Placements in the last 12 months" are those the child was in on some
//   day of the 12 months ending on as_of, in any period: the number the QA
//   report counts for the year ending that day.
// - Allocations (social worker, team, IRO) stand until another allocation:
//   no event ends them, so ceasing to be looked after leaves them as they
//   were. A team is the latest allocation's own (empty: not recorded).
// - Legal status, the review arrangement and the permanence plan belong to a
//   period: a new childAccommodated starts them afresh; when the child is not
//   looked after they show the last period's.
// - The postcode is kept as its district only (the outward code): the full
//   postcode of a child's home is never in this projection.
#ifndef CARELOG_PROJECTIONS_CARE_PLAN_STATE_H_
#define CARELOG_PROJECTIONS_CARE_PLAN_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/placement_tracker.h"

namespace carelog {

// Bump when FoldCarePlanEvents would fold the same events differently: it is
// part of the checkpoints' fingerprint (deadlines_checkpoint.h), so a state
// checkpointed by an older fold is refolded, never shown.
inline constexpr int kCarePlanStateFoldVersion = 1;

struct CarePlanChild {
  std::optional<absl::CivilDay> date_of_birth;
  std::optional<int> age;  // whole years on as_of; unset without a date of birth
  std::string sex;          // SSDA903 SEX code ("1" male, "2" female); "" = not recorded
  std::string authority;    // DfE LA code; "" = not recorded
};

struct CarePlanPlacement {
  std::string type;      // SSDA903 PLACE code; "" = not recorded
  std::string provider;  // SSDA903 PLACE_PROVIDER; "" = not recorded
  std::string district;  // outward code of the placement's postcode; "" = not recorded
  std::string placement_id;
  absl::CivilDay started;
  int64_t days = 0;  // as_of - started
  uint64_t position = 0;  // the event that started it
};

struct CarePlanMilestone {
  std::string name;  // the event type, e.g. "permanencyPlanningMeetingHeld"
  absl::CivilDay on;
  uint64_t position = 0;
};

struct CarePlanPermanence {
  std::string recommended_plan;  // permanenceRecommended.plan; "" = none recorded
  std::optional<absl::CivilDay> recommended_on;
  std::string panel, panel_decision, panel_plan;  // the latest panelDecision
  std::optional<absl::CivilDay> panel_on;
  std::vector<CarePlanMilestone> milestones;  // effective order
};

struct CarePlanReview {
  std::string review_id;
  absl::CivilDay held_on;
  v1::ReviewFormat format = v1::REVIEW_FORMAT_UNSPECIFIED;  // its schedule's
  std::string participation;  // PN0-PN7; "" = not recorded
  uint64_t position = 0;
};

// One dated change in the history.
struct CarePlanChange {
  absl::CivilDay on;
  uint64_t position = 0;  // the event that made it
  // "period of care", "legal status", "placement", "social worker", "team",
  // "IRO", "review arrangement", "permanence recommendation",
  // "panel decision", "milestone", "review held".
  std::string what;
  std::string from, to;  // "" = nothing recorded before / after
};

struct CarePlanState {
  std::string case_id;
  absl::CivilDay as_of;
  // Set by the caller that left out what was recorded after it (the fold
  // sees only the events it is given); shown by the renderers.
  std::optional<absl::Time> known_at;
  CarePlanChild child;

  bool looked_after = false;
  int periods = 0;  // periods of care begun by as_of
  // The current period's start (looked after), or the last period's.
  std::optional<absl::CivilDay> period_started;
  int64_t period_days = 0;  // looked after: as_of - period_started
  // Not looked after: how the last period ended (SSDA903 REC code).
  std::optional<absl::CivilDay> period_ended;
  std::string ceased_reason;

  std::string legal_status;  // LS code; "" = not recorded
  std::optional<absl::CivilDay> legal_status_since;

  std::optional<CarePlanPlacement> placement;  // none: not placed / not recorded
  int placements_in_period = 0;
  int placements_in_12_months = 0;  // PlacementsInYearTo(placement_spans, as_of)
  // Every placement of every period, begun by as_of (not rendered: what the
  // count above is restated from).
  std::vector<PlacementSpan> placement_spans;

  std::string social_worker, team, iro;  // "" = not recorded
  std::optional<absl::CivilDay> social_worker_since, team_since, iro_since;

  bool reduced_meetings = false;  // else the standard arrangement
  // The reviewArrangementChanged that set the arrangement in this period;
  // unset: none recorded (the standard arrangement applies).
  std::optional<absl::CivilDay> arrangement_since;
  std::vector<v1::Role> arrangement_agreed_by;

  CarePlanPermanence permanence;
  int reviews_held_in_period = 0;
  std::optional<CarePlanReview> last_review;  // any period

  // From the deadlines of the same case and as_of (the caller's fold).
  std::string next_review_rule;  // the open statutory review obligation's rule
  std::optional<absl::CivilDay> next_review_due;
  int open = 0, overdue = 0;
  int due_within_10_working_days = 0;  // OPEN, due by the 10th working day after as_of

  std::vector<CarePlanChange> history;  // effective order, up to as_of
  std::optional<absl::CivilDay> last_event_day;  // the latest day folded; unset: none
};

// The last day an OPEN obligation may fall due and still count as due within
// `working_days` working days of the end of `as_of`: the working_days-th
// working day after it in the division's calendar (Calendar::AddWorkingDays;
// weekends and bank holidays skipped, as_of never counting). The one window
// of the state's due_within_10_working_days and the work tray (work_tray.h).
// Pure.
absl::CivilDay DueSoonHorizon(const Calendar& cal, Division d, absl::CivilDay as_of,
                              int working_days);

// The outward code ("district") of a UK postcode: "M6" for "M6 5AB" or
// "m65ab", "SW1A" for "SW1A 1AA". "" when `postcode` is not one.
std::string PostcodeDistrict(std::string_view postcode);

// Folds one case's events (any order; position set) to its state at the end
// of `as_of`: events dated (Europe/London) after it are left out; corrections
// apply first, whatever their own date. `deadlines` is FoldDeadlines of the
// same events, pack and as_of (the next review and the counts come from it);
// `pack` names its statutory review chain and division. Pure, never fails;
// safe from any thread. Equal to RestateCarePlanState(FoldCarePlanEvents(
// events, as_of), ...).
CarePlanState FoldCarePlanState(std::string_view case_id, std::vector<v1::Event> events,
                                const CaseDeadlines& deadlines, const ResolvedPack& pack,
                                const Calendar& cal, absl::CivilDay as_of);

// The two halves of that fold, for checkpoints (a case's state folded once
// through the end of time, restated at each date asked):
//
// What the events alone say, from those dated up to `through`; the fields
// that depend on the day asked (age, days, the year's placements, the next
// review, the counts) are left for RestateCarePlanState. Pure.
CarePlanState FoldCarePlanEvents(std::string_view case_id, std::vector<v1::Event> events,
                                 absl::CivilDay through);
// Sets `s`'s as_of and every field that depends on it, the obligations'
// from `deadlines` (as FoldCarePlanState's). The answer equals the fold's
// at as_of when `s` was folded through a day on or after as_of and no event
// it holds is dated after as_of (as_of >= s->last_event_day). Pure.
void RestateCarePlanState(const CaseDeadlines& deadlines, const ResolvedPack& pack,
                          const Calendar& cal, absl::CivilDay as_of, CarePlanState* s);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_CARE_PLAN_STATE_H_
