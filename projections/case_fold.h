// CaseFold: the state machine behind FoldDeadlines (deadlines.h), private
// to projections/. One case's events, in effective order, open obligations
// (the pack's OBLIGATION rules, each by its trigger), meet or close them as
// later acts arrive, and record findings (FINDING rules, by check).
//
// Split by concept: the obligation bookkeeping and triggers are in
// case_fold.cc, what each event type does to the fold in case_fold_events.cc,
// the conditions rules apply under (Applies, groups) in case_fold_applies.cc,
// placements and ceasing to look after in case_fold_placements.cc, the public
// entry points (corrections, ordering, restating) in deadlines.cc.
#ifndef CARELOG_PROJECTIONS_CASE_FOLD_H_
#define CARELOG_PROJECTIONS_CASE_FOLD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/policy.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/rule_index.h"

namespace carelog::case_fold {

using carelog::v1::Event;
using carelog::v1::Rule;

// The Event.payload oneof.
const google::protobuf::OneofDescriptor* PayloadOneof();

// One event of the case as the fold sees it: in effective order (date, time,
// position), with its London date and payload name worked out once.
struct OrderedEvent {
  const Event* event;
  absl::CivilDay date;
  absl::Time at;
  std::string_view type;  // payload name, e.g. "reviewHeld"
  size_t seq;             // 1-based index in effective order
};

// How an obligation is met (or closed): the structural semantics the pack
// cannot say (policy.proto's header).
enum class ObligationKind {
  kReviewChain,   // met by the next (or N-th) review held in the period
  kPreReview,     // one scheduled date of one review
  kPostponement,  // met by re-dating the review
  kEarlyReview,   // met by earlyReviewConsidered naming the report
  kFirstAct,      // met by the first later `met_by` act (same review if scoped)
};

// An obligation while the fold runs: the row it will report plus what
// deciding its fate needs.
struct TrackedObligation {
  Obligation row;  // what FoldDeadlines reports
  const Rule* rule;
  ObligationKind kind;
  int period;
  bool scoped = false;          // only acts on row.review_id count
  std::string match_event_id;   // kEarlyReview
  std::optional<absl::Time> met_at;
  bool done = false;            // met or closed
  // --- conditions, placements and ceasing (case_fold_applies.cc,
  // case_fold_placements.cc) ---
  // The rule's `applies` (or its group) did not select it: no row, nothing
  // meets it (kept so indices into obligations_ stay valid).
  bool not_applicable = false;
  // placement_scoped rules: the placement (CurrentPlacement::serial) it
  // belongs to; 0 = none.
  int placement_serial = 0;
  // Triggered by childCeasedLookedAfter: outlives the period (period 0), met
  // by acts after it, closed when a new period starts.
  bool after_care = false;
};

struct ReviewState {
  std::optional<absl::CivilDay> scheduled;
  carelog::v1::ReviewFormat format = carelog::v1::MEETING;
  // Reviews (issue 14): what the review is in a milestone track, as last
  // recorded (reviewScheduled.stage, then reviewHeld.stage, which wins).
  carelog::v1::ReviewStage stage = carelog::v1::REVIEW_STAGE_UNSPECIFIED;
  bool held = false;
  bool cancelled = false;
  bool finished() const { return held || cancelled; }
};

struct CarePlanAuthorisation {
  absl::CivilDay date;
  std::string review_id;
  size_t seq;
};

struct CurrentPlacement {
  absl::CivilDay started;
  std::string id;
  bool long_term = false;
  bool connected_person = false;
  // --- conditions and placement scope (case_fold_placements.cc) ---
  int serial = 0;          // 1-based count of placements started in the case
  std::string type;        // PLACE code
  bool emergency = false;  // placementStarted.emergency, or childAccommodated's
                           // for the period's first placement
  bool short_term = false;
};

// The facts `applies` conditions are judged on (case_fold_applies.cc), kept
// in and out of a period: a date of birth or legal status may be recorded
// before the child becomes looked after.
struct ChildFacts {
  std::optional<absl::CivilDay> date_of_birth;
  std::string legal_status;  // LS code, "" = not recorded
  // The childAccommodated that opened the current (or last) period.
  std::string accommodated_placement_type;
  bool accommodated_emergency = false;
  bool accommodated_short_term = false;
  // childAccommodated.emergency still to pass to the period's first placement.
  bool emergency_for_first_placement = false;
  int placements_started = 0;
  // ceaseApproved roles recorded in the current period (CEASE_APPROVAL).
  std::vector<carelog::v1::Role> cease_approvals;
};

struct PeriodOfCare {
  int index = 0;
  absl::CivilDay started;
  size_t start_seq = 0;
  int reviews_held = 0;
  bool iro_notified = false;
  size_t last_held_seq = 0;
  std::optional<absl::CivilDay> last_meeting;
  bool reduced_meetings = false;
  std::vector<CarePlanAuthorisation> authorisations;
  std::optional<CurrentPlacement> placement;
  bool panel_approved = false;
};

// The status of an obligation neither met nor closed at the end of `as_of`.
inline ObligationStatus UnmetStatus(const Obligation& o, absl::CivilDay as_of) {
  return as_of > o.due ? ObligationStatus::kOverdue : ObligationStatus::kOpen;
}

// Folds one case's events, in effective order, into its obligations and
// findings under `pack` (FoldDeadlines).
class CaseFold {
 public:
  // `rules` (and its pack) must outlive the fold. With options.findings
  // false no finding is worked out (Finish returns none).
  CaseFold(std::string_view case_id, const RuleIndex& rules, const Calendar& cal,
           absl::CivilDay as_of, const FoldOptions& options)
      : case_id_(case_id), rules_(rules), pack_(rules.pack()), calendar_(cal), as_of_(as_of),
        findings_wanted_(options.findings), earlier_act_types_(EarlierActTypes(pack_)) {}

  void Apply(const OrderedEvent& current);
  CaseDeadlines Finish();

 private:
  // `d` moved by the rule's amount/unit in its direction (not HOURS).
  absl::CivilDay DateByRule(absl::CivilDay d, const Rule& r) const;
  TrackedObligation& OpenObligation(const Rule& rule, int version, ObligationKind kind,
                                    const OrderedEvent& trigger, absl::CivilDay anchor,
                                    std::string review_id, bool scoped);
  void MarkMet(TrackedObligation& tracked, const OrderedEvent& act);
  static void MarkClosed(TrackedObligation& tracked, absl::CivilDay on);
  void AddFinding(const Rule& rule, int version, const OrderedEvent& current, std::string review_id,
                  std::string detail);
  // f(const Rule&, int version) for the OBLIGATION rules of `trigger` in
  // force `on`, in pack order.
  template <typename F>
  void ForObligationRules(absl::CivilDay on, carelog::v1::Trigger trigger, F f);
  // The same for the FINDING rules of `check`; none when findings are not
  // wanted (every finding rule's work only records findings).
  template <typename F>
  void ForFindingRules(absl::CivilDay on, carelog::v1::Check check, F f);
  template <typename F>
  void ForOpenObligations(F f);  // open obligations of the current period

  void StartPeriod(const OrderedEvent& current);
  void EndPeriod(const OrderedEvent& current);
  void FirePeriodStarted(const OrderedEvent& current);
  void FireIroNotified(const OrderedEvent& trigger, absl::CivilDay anchor);
  void ScheduleReview(const OrderedEvent& current, const std::string& review_id,
                      absl::CivilDay date, carelog::v1::ReviewFormat format);
  void ReviewHeld(const OrderedEvent& current);
  void FinishReview(const std::string& review_id, absl::CivilDay on);
  void MeetByAct(const OrderedEvent& current);
  void FireEventTriggers(const OrderedEvent& current);
  void CheckReducedMeetingEligibility(const OrderedEvent& current);

  // ---- Reviews (issue 14: milestones, until-next-review, earlier acts,
  // short notice, the emergency postponement route): case_fold_reviews.cc.
  // True if the review held (or scheduled) as `stage`, the `number`-th of the
  // period, is the one rule `r` is about: by recorded stage when both the rule
  // and the review name one (ADDITIONAL is no milestone), else by number
  // (0 = any review).
  static bool IsRulesReview(const Rule& r, carelog::v1::ReviewStage stage, int number);
  // A BEFORE obligation just opened by a booking on `booked`: a short-notice
  // rule whose counted date falls before the booking is due the day before
  // the review instead (never before the booking day), marked short notice.
  void ApplyShortNotice(TrackedObligation& tracked, absl::CivilDay booked,
                        absl::CivilDay review_day) const;
  // The review `current` holds: every open until-next-review obligation was
  // due the day before (and stays OVERDUE); closed here so that a later act
  // cannot meet it.
  void CloseUntilNextReview(const OrderedEvent& current);
  // Opening an until-next-review obligation: due on the open statutory chain
  // obligation's due date; false (nothing to open) when no chain is open.
  bool DueAtNextReview(TrackedObligation& tracked) const;
  // earlier_acts_count: an act of the rule's met_by earlier in the period
  // meets the obligation just opened.
  void MeetByEarlierAct(TrackedObligation& tracked);
  // The emergency route of 003: a request marked emergency, by a role in
  // `emergency_roles` (requested_by, else the actor's), on the review's
  // scheduled date.
  static bool OnEmergencyRoute(const Rule& r, const OrderedEvent& request,
                               const ReviewState& review);
  void PostponementRequested(const OrderedEvent& current);
  // A reduced-meeting arrangement ended: what applied only under it
  // (applies.reduced_meetings, e.g. 000's midway review) closes.
  void CloseReducedMeetingObligations(absl::CivilDay on);
  // The met_by types of the pack's earlier_acts_count rules: only these are
  // remembered per period, so a pack without such rules (most) pays nothing
  // per event.
  static absl::flat_hash_set<std::string_view> EarlierActTypes(const ResolvedPack& pack);
  // The first act of each of those types in the open period.
  absl::flat_hash_map<std::string_view, OrderedEvent> first_act_in_period_;
  // ---- end Reviews

  // --- conditions (case_fold_applies.cc) ---
  // Records the facts conditions are judged on; every event, in or out of a
  // period, before anything else.
  void TrackFacts(const OrderedEvent& current);
  // `rule.applies()` holds for an obligation triggered by `trigger` and due on
  // `due_or_on` (a finding: on the event's date).
  bool RuleApplies(const Rule& rule, const OrderedEvent& trigger, absl::CivilDay due_or_on) const;
  // Whether `rule`, about to open with `anchor` (due `due`), opens at all:
  // its applies holds and, in a group, it is the member with the earliest due
  // date among those whose applies holds.
  bool RuleOpens(const Rule& rule, const OrderedEvent& trigger, absl::CivilDay anchor,
                 absl::CivilDay due) const;
  // The due date `rule` would have opening at `anchor` on `trigger`.
  absl::CivilDay CandidateDue(const Rule& rule, const OrderedEvent& trigger,
                              absl::CivilDay anchor) const;

  // --- placements and ceasing (case_fold_placements.cc) ---
  void StartPlacement(const OrderedEvent& current);
  void EndPlacement(const OrderedEvent& current);
  // Closes the open obligations of the current placement on `on`.
  void ClosePlacementObligations(absl::CivilDay on);
  // childCeasedLookedAfter: the approval findings, the end of the period, and
  // the steps that outlive it.
  void CeaseLookingAfter(const OrderedEvent& current);
  // An act while no period is open meets the open after-care obligations.
  void MeetAfterCareActs(const OrderedEvent& current);
  // A new period closes what the last ceasing left open.
  void CloseAfterCare(absl::CivilDay on);
  ChildFacts facts_;

  std::string case_id_;
  const RuleIndex& rules_;
  const ResolvedPack& pack_;
  const Calendar& calendar_;
  absl::CivilDay as_of_;
  const bool findings_wanted_;
  const absl::flat_hash_set<std::string_view> earlier_act_types_;  // views into pack_
  std::vector<TrackedObligation> obligations_;
  std::vector<Finding> findings_;
  std::optional<PeriodOfCare> period_;  // the open period of care, if any
  int periods_started_ = 0;
  std::vector<OrderedEvent> acts_before_period_;  // while no period is open
  absl::flat_hash_map<std::string, ReviewState> reviews_;
};

template <typename F>
void CaseFold::ForObligationRules(absl::CivilDay on, carelog::v1::Trigger trigger, F f) {
  const VersionRuleIndex& v = rules_.On(on);
  for (const Rule* r : v.Obligations(trigger)) f(*r, v.version->number);
}

template <typename F>
void CaseFold::ForFindingRules(absl::CivilDay on, carelog::v1::Check check, F f) {
  if (!findings_wanted_) return;
  const VersionRuleIndex& v = rules_.On(on);
  for (const Rule* r : v.Findings(check)) f(*r, v.version->number);
}

template <typename F>
void CaseFold::ForOpenObligations(F f) {
  if (!period_) return;
  for (TrackedObligation& tracked : obligations_) {
    if (!tracked.done && tracked.period == period_->index) f(tracked);
  }
}

}  // namespace carelog::case_fold

#endif  // CARELOG_PROJECTIONS_CASE_FOLD_H_
