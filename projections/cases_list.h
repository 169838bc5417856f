// The case list (`carelog cases`): one row per case with the columns a
// manager sorts and filters by — the summary's counts of the whole log and
// the care-plan state at the end of a date (who is responsible, where the
// child lives, what is due) — its filters, its order and its renderings.
//
// Decisions where the issue is silent (also in README "carelog cases"):
// - events, periods of care, reviews held and the last review count the whole
//   log (SummariseCase, as before); "looked after", "since" and every new
//   column are the state as of the list's date (FoldCarePlanState), so the
//   --looked-after filter and the column always agree.
// - Filters compare exactly (an IRO's id, a team's name as recorded); a value
//   no case has gives an empty list, not an error.
// - Order: next statutory review due, earliest first, cases with none
//   recorded last; then case id.
#ifndef CARELOG_PROJECTIONS_CASES_LIST_H_
#define CARELOG_PROJECTIONS_CASES_LIST_H_

#include <optional>
#include <string>
#include <vector>

#include "projections/care_plan_state.h"
#include "projections/case_summary.h"

namespace carelog {

struct CaseListRow {
  CaseSummary summary;  // the whole log
  CarePlanState state;  // as of the list's date; its history left empty
};

// Every set filter must hold (AND).
struct CaseListFilter {
  std::optional<std::string> iro;   // state.iro equals it
  std::optional<std::string> team;  // state.team equals it
  std::optional<bool> looked_after;
  bool overdue_only = false;  // at least one OVERDUE obligation
};

[[nodiscard]] bool CaseListRowMatches(const CaseListRow& row, const CaseListFilter& filter);

// Sorts into the list's order (above). Pure.
void SortCaseList(std::vector<CaseListRow>* rows);

// A fixed-width table with a header line; ids and names made terminal-safe,
// "-" where nothing is recorded.
std::string RenderCaseListTable(const std::vector<CaseListRow>& rows);
// RFC 4180 CSV with a header line; "" where nothing is recorded.
std::string RenderCaseListCsv(const std::vector<CaseListRow>& rows);
// A JSON array of objects, one a line; null where nothing is recorded.
std::string RenderCaseListJson(const std::vector<CaseListRow>& rows);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_CASES_LIST_H_
