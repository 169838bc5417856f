// The pre-submission check of an SSDA903 return (`carelog export 903
// --check`): what each child's rows lack that the return requires, and the
// event (and field) that would supply it, so that an analyst can have it
// recorded before the DfE's deadline. Codes are judged by the same
// codes-by-year tables as `import-903` and validation (engine/code_lists.h),
// on the date of the row they are in.
//
// What is required, as data (kRequirements in the .cc, each naming the
// validator rule it keeps): the header's sex, date of birth, ethnicity, UPN
// and, for girls, mother status (and the baby's date of birth); each
// episode's category of need, placement provider (not for T0-T4 or Z1),
// home and placement postcodes (not for short breaks V3/V4), the reason for
// a placement change where one ended the episode, a URN for supported
// accommodation (H5) from 28 October 2023 and none for placement types that
// have no Ofsted registration; review participation by age (PN0 under 4);
// a social worker, with registration number and reason, for a child looked
// after on 31 March; a decision to place for adoption beside a placement
// order (E1, D1) or a placement for adoption (A3-A6); the previous
// permanence option of a child who started to be looked after in the year;
// an SDQ score or reason for a child looked after for the year aged 4-16.
#ifndef CARELOG_PROJECTIONS_SSDA903_CHECK_H_
#define CARELOG_PROJECTIONS_SSDA903_CHECK_H_

#include <string>
#include <vector>

#include "projections/ssda903_return.h"

namespace carelog {

struct Missing903 {
  std::string child;
  std::string table;    // the return's table: "Header", "Episodes", ...
  std::string row;      // which row: "episode from 03/11/2023"; "" for the header
  std::string column;   // "ETHNIC"
  std::string problem;  // "not recorded", "'Q9' is not a CIN code for 2023-24", ...
  std::string supply;   // the event and field that would supply it: "childRegistered.ethnicity"
  std::string event_id; // the event to correct, when one exists ("" = append a new one)
  std::string rule;     // the validator rule it keeps: "103"
};

// What `c`'s rows lack for collection year `year`, in table order then row
// order. Empty when the child's part of the return is complete. Pure.
std::vector<Missing903> Check903Child(const Child903& c, int year);

// The check's report. "table": a line per gap under a line per child,
// then a count; "csv": child,table,row,column,problem,supply,eventId,rule;
// "json": {"year":"2023-24","children":N,"childrenIncomplete":M,"gaps":[...]}.
// `children` is the number of children in the return.
std::string RenderMissing903(const std::vector<Missing903>& gaps, int year, uint64_t children,
                             const std::string& format);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SSDA903_CHECK_H_
