// The QA report (`carelog report qa`): review-timeliness indicators for a
// period [from, to], and placement stability at `to` (qa_stability.h), computed as a pure function of each case's events and
// its deadlines fold (FoldDeadlines as of `to`). Renderers are in
// projections/qa_html.h. Every indicator's definition is QaDefinitions().
#ifndef CARELOG_PROJECTIONS_QA_REPORT_H_
#define CARELOG_PROJECTIONS_QA_REPORT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/policy.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/qa_stability.h"

namespace carelog {

struct QaCase {
  std::string case_id;
  std::vector<v1::Event> events;  // the case's log (positions set)
  CaseDeadlines deadlines;        // FoldDeadlines(..., as_of = to)
  // Its rules' QA tags and review chain (policy.proto's QaTag); null = england.
  const ResolvedPack* pack = nullptr;
};

// num / den as a percentage rounded to one decimal; nullopt when den == 0.
std::optional<double> Percent(int64_t num, int64_t den);

inline constexpr int kDueSoonWorkingDays = 10;
// The finding the QA report adds: a review held while the child was not in a
// period of care (e.g. SSDA903 reviews of children with no episode).
inline constexpr char kOutsidePeriodRule[] = "review.outside_period_of_care";

struct QaReport {
  absl::CivilDay from, to;

  struct ReviewLine {
    std::string rule;  // review.initial, review.second, review.subsequent, ...
    int64_t held = 0, on_time = 0;
  };
  // england's chain rules in its order, then any other pack's sorted by id.
  std::vector<ReviewLine> reviews;
  int64_t reviews_held = 0, reviews_on_time = 0;
  int64_t reviews_outside_period = 0;

  int64_t ni66_children = 0, ni66_on_time = 0;

  struct TaskLine {
    std::string rule;
    int64_t due = 0, met = 0, met_late = 0, overdue = 0;  // due = met + met_late + overdue
    // Rows booked at short notice (Obligation::short_notice: the review was
    // booked later than the rule counts back, so the task was re-dated to the
    // day before the review): counted here apart, in none of the above, so
    // they are neither late nor on time; met_before_review = those MET by the
    // day before the review.
    int64_t short_notice = 0, short_notice_met_before_review = 0;
  };
  // The rules tagged QA_TASK: england's in its order, then any other pack's
  // sorted by id.
  std::vector<TaskLine> tasks;
  int64_t tasks_due = 0, tasks_met = 0;  // short-notice rows in neither
  int64_t tasks_short_notice = 0, tasks_short_notice_met_before_review = 0;

  struct Postponements {
    int64_t requested = 0;
    std::map<std::string, int64_t> by_requester;  // role name -> requests
    int64_t with_notice = 0;
    int64_t approvals = 0, approved_by_service_manager = 0;
    int64_t redate_due = 0, redated_on_time = 0;
    int64_t postponed_reviews = 0, out_of_timescale = 0;
  } postponements;

  std::map<std::string, int64_t> participation;  // PN code -> reviews held
  std::map<std::string, int64_t> findings;       // rule id -> findings dated in the period

  struct Pending {
    std::string case_id, rule, review_id;
    absl::CivilDay due;
    bool overdue = false;  // else due soon
    int64_t days_overdue = 0;  // to - due (overdue only)
    std::string iro, team;
  };
  std::vector<Pending> pending;  // overdue (most days first), then due soon (soonest first)
  struct Load {
    int64_t overdue = 0, due_soon = 0;
  };
  std::map<std::string, Load> by_iro, by_team;
  int64_t overdue_now = 0, due_soon = 0;

  struct Month {
    int year = 0, month = 0;
    int64_t held = 0, on_time = 0;
  };
  std::vector<Month> trend;  // every month that overlaps [from, to]

  // The DfE's placement stability measures at `to` (qa_stability.h).
  PlacementStability stability;

  // Cases erased (issue 19) before the report was made. Their events can
  // no longer be read, so every figure above leaves them out, in every
  // period; the report says so rather than pretend the figures are those of
  // a report made before the erasure. A report of this period made while
  // the case could be read (from first_recorded, the London date its first
  // event was recorded, to erased_on) may have counted it.
  struct ErasedCase {
    std::string case_id;
    absl::CivilDay first_recorded, erased_on;  // London dates
    std::string authority;  // "" = the retention period had ended
    int64_t events = 0;
  };
  std::vector<ErasedCase> erased;  // in log order of the erasures
};

// Builds the report one case at a time, so that a caller need not hold
// every case's events at once (memory stays flat in the log's size). Not
// thread-safe; `cal` must outlive the builder.
class QaReportBuilder {
 public:
  QaReportBuilder(absl::CivilDay from, absl::CivilDay to, const Calendar& cal);
  // What Add works out from one case alone (its events after corrections,
  // in effective order, and its placement stability): Prepare may run for
  // many cases at once, on any threads, while Add counts them one at a time.
  struct Prepared {
    // ApplyCorrections(c.events), in effective order (InEffectiveOrder):
    // pointers into c.events, or into `corrected` for events a correction
    // changed (copies; c.events is not).
    std::deque<v1::Event> corrected;
    std::vector<DatedEvent> items;
    ChildStability stability;  // StabilityOf(items, to)
  };
  // Thread-safe; `to` is the builder's.
  static Prepared Prepare(const QaCase& c, absl::CivilDay to);
  // Counts one case (any order: the report sorts what it lists).
  // Add(c) is Add(c, Prepare(c, to)); `prepared` must be c's, and c
  // unchanged since.
  void Add(const QaCase& c);
  void Add(const QaCase& c, const Prepared& prepared);
  // The report of every case added. Call once.
  QaReport Finish();

 private:
  // What the report reads in a pack: its review-chain rules (obligations met
  // by reviewHeld) and every rule's QA tag, by id, over all its versions.
  struct PackRules {
    std::set<std::string> chain;
    std::vector<std::string> chain_order;  // first appearance in the pack
    std::vector<std::string> tasks;        // tagged QA_TASK, in pack order
    std::map<std::string, v1::QaTag> tag;
    static PackRules Of(const ResolvedPack& pack);
    v1::QaTag TagOf(const std::string& rule_id) const;
  };
  // The rules of `pack` (null = england), read once per pack; the first
  // sight of a pack adds its task lines.
  const PackRules& RulesOf(const ResolvedPack* pack);

  std::map<const ResolvedPack*, PackRules> rules_of_;
  const PackRules* layout_ = nullptr;  // england's: the lines always listed
  absl::CivilDay from_, to_;
  const Calendar& cal_;
  QaReport r_;
  std::map<std::string, QaReport::ReviewLine> review_lines_;
  std::map<std::string, QaReport::TaskLine> task_lines_;
  std::map<std::pair<int, int>, QaReport::Month> months_;
};

// The report of `cases` (QaReportBuilder over them).
QaReport ComputeQaReport(const std::vector<QaCase>& cases, absl::CivilDay from,
                         absl::CivilDay to, const Calendar& cal);

// {indicator id, definition} in report order; the renderers print them.
const std::vector<std::pair<std::string, std::string>>& QaDefinitions();

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_QA_REPORT_H_
