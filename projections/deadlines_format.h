// Renders the deadlines projection for `carelog deadlines` (cli.md): JSON
// (exact keys), CSV for spreadsheets, and a table for people. Pure functions,
// safe from any thread.
#ifndef CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_
#define CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "engine/calendar.h"
#include "projections/deadlines.h"

namespace carelog {

// "document, section" of an obligation, e.g. "001_73579c9466dfdbf3.txt, 4.1".
std::string SourceText(const Obligation& o);

// Appends one JSON object per obligation, in order, to `out`, each preceded by
// a comma unless `*first` (which it then clears); the caller writes the
// enclosing "[" and "]" so that all cases make one array. Keys: "caseId",
// "rule", "due", "status" (OPEN, MET, MET_LATE, OVERDUE, CLOSED), "metOn" and
// "reviewId" when present, "source"; dates as YYYY-MM-DD.
void AppendDeadlinesJson(const CaseDeadlines& d, std::string* out, bool* first);

// The CSV header line "caseId,rule,due,status,metOn,reviewId,source\n".
void AppendDeadlinesCsvHeader(std::string* out);
// One CSV line per obligation (RFC 4180 quoting), same columns as the header.
void AppendDeadlinesCsv(const CaseDeadlines& d, std::string* out);

// A table for people: overdue obligations first (most days overdue first,
// with the days), then those due within the next 10 working days of `as_of`
// (working days of each case's division), then a one-line summary of the
// rest. Never fails.
std::string RenderDeadlinesTable(const std::vector<CaseDeadlines>& cases, absl::CivilDay as_of,
                                 const Calendar& cal);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_
