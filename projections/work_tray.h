// The IRO manager's work tray (issue 16; `carelog tray`, the web app's
// landing page): every obligation OVERDUE, and every OPEN one due within the
// next N working days, of every case at the end of a date — with who is
// responsible for the child (IRO, team, social worker, from the allocation
// events), the pack that judges it and the rule's source — filterable, sorted
// by due date, with counts per IRO and per team.
//
// Pure: built from each case's restated obligations (deadlines.h) and its
// care-plan state at the same date (care_plan_state.h), which the query layer
// reads from checkpoints (Queries::WorkTray).
//
// Decisions where the issue is silent (also in README "carelog tray"):
// - "Due in the next N working days" is the state's own window
//   (DueSoonHorizon): OPEN and due on or before the N-th working day after
//   as_of, in the case's pack's division calendar; as_of itself and anything
//   earlier still OPEN count too (e.g. a HOURS rule due later today).
// - Rules are data: every rule's OVERDUE/OPEN obligations are in the tray,
//   whatever the rule; MET, MET_LATE and CLOSED never are.
// - Filters compare exactly (an IRO's id, a team's name, a rule id, a pack
//   name, as recorded); "" matches "not recorded". A value nothing has gives
//   an empty tray, not an error.
// - The per-IRO counts are over the rows matching every filter but --iro,
//   the per-team counts over those matching every filter but --team: picking
//   one IRO still shows the others' workload (a faceted count). The totals
//   are the filtered tray's.
#ifndef CARELOG_PROJECTIONS_WORK_TRAY_H_
#define CARELOG_PROJECTIONS_WORK_TRAY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "engine/calendar.h"
#include "projections/care_plan_state.h"
#include "projections/deadlines.h"

namespace carelog {

// The default window of the tray, in working days after as_of.
inline constexpr int kWorkTrayDefaultWorkingDays = 10;
// The widest window asked for: a year of working days and then some. Beyond
// it the tray is no longer "what is due soon".
inline constexpr int kWorkTrayMaxWorkingDays = 366;

enum class WorkTraySort { kDueEarliestFirst, kDueLatestFirst };

struct WorkTrayRow {
  std::string case_id;
  std::string rule_id;
  std::string review_id;  // "" unless the rule is about one review
  absl::CivilDay due;
  ObligationStatus status = ObligationStatus::kOpen;  // kOverdue or kOpen only
  // OVERDUE: working days from the due date to as_of (due excluded, as_of
  // included; 0 when it went overdue on a non-working day or today). OPEN:
  // working days left, from as_of to the due date (as_of excluded, due
  // included; 0 when due today).
  int working_days = 0;
  std::string iro, team, social_worker;  // "" = not recorded
  std::optional<int> child_age;          // whole years on as_of; unset: not recorded
  bool looked_after = false;
  std::string pack;  // the pack that judges the case
  std::string source_document, source_section;  // where the rule comes from
};

// Every set filter must hold (AND); each compares exactly.
struct WorkTrayFilter {
  std::optional<std::string> iro;
  std::optional<std::string> team;
  std::optional<std::string> rule;
  std::optional<std::string> pack;
  WorkTraySort sort = WorkTraySort::kDueEarliestFirst;
};

// Overdue and due-soon rows of one IRO or team ("" = not recorded).
struct WorkTrayCount {
  std::string name;
  int overdue = 0;
  int due_soon = 0;
  bool operator==(const WorkTrayCount&) const = default;
};

struct WorkTray {
  absl::CivilDay as_of;
  int working_days = kWorkTrayDefaultWorkingDays;
  std::vector<WorkTrayRow> rows;  // filtered, in the asked order
  int overdue = 0, due_soon = 0;  // of `rows`
  // In name order ("" first); only names with at least one row.
  std::vector<WorkTrayCount> by_iro;   // rows matching every filter but iro
  std::vector<WorkTrayCount> by_team;  // rows matching every filter but team
};

// One case's candidate rows at the end of as_of, unfiltered and unsorted:
// its OVERDUE obligations and its OPEN ones due on or before
// DueSoonHorizon(cal, deadlines.division, as_of, working_days). `deadlines`
// must be restated at as_of (RestateAt) and `state` be the case's state at
// as_of (RestateCarePlanState / FoldCarePlanState); `pack` is its pack's
// name. working_days >= 1 (the caller checks). Pure; thread-safe.
std::vector<WorkTrayRow> WorkTrayRowsOf(const CaseDeadlines& deadlines,
                                        const CarePlanState& state, std::string_view pack,
                                        const Calendar& cal, absl::CivilDay as_of,
                                        int working_days);

// Whether a row passes the filter (sort ignored).
[[nodiscard]] bool WorkTrayRowMatches(const WorkTrayRow& row, const WorkTrayFilter& filter);

// The tray from every case's WorkTrayRowsOf (any order): filtered, counted
// and sorted by due date in the filter's order, ties by case id, then rule
// id, then review id (so the order is total and stable across runs). Pure.
WorkTray BuildWorkTray(std::vector<WorkTrayRow> candidates, const WorkTrayFilter& filter,
                       absl::CivilDay as_of, int working_days);

// The counts then the rows, fixed-width; ids and names made terminal-safe,
// "-" where nothing is recorded.
std::string RenderWorkTrayTable(const WorkTray& tray);
// RFC 4180 CSV of the rows with a header line; "" where nothing is recorded.
std::string RenderWorkTrayCsv(const WorkTray& tray);
// One JSON object: asOf, workingDays, the totals, byIro, byTeam (name null
// where not recorded) and rows (null where not recorded).
std::string RenderWorkTrayJson(const WorkTray& tray);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_WORK_TRAY_H_
