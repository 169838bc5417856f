// Renders the deadlines projection for `carelog deadlines` (cli.md): JSON
// (exact keys), CSV for spreadsheets, and a table for people. Pure functions,
// safe from any thread.
#ifndef CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_
#define CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_

#include <string>
#include <string_view>
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

// One array of many cases rendered apart (e.g. on worker threads): each
// case's CaseText, joined by Add in case order, gives the bytes of one
// AppendDeadlinesJson over them all. The caller writes "[" and "]".
class DeadlinesJsonJoin {
 public:
  // The case's obligations, AppendDeadlinesJson with a `first` of its own.
  static std::string CaseText(const CaseDeadlines& d);
  // Appends `case_text` to `out`, after a comma if an element precedes it.
  void Add(std::string_view case_text, std::string* out);

 private:
  bool first_ = true;
};

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

// The same table built one case at a time, keeping only the rows it shows
// and counts of the rest (memory grows with overdue and due-soon rows, not
// with the log). Not thread-safe; `cal` must outlive it.
class DeadlinesTable {
 public:
  DeadlinesTable(absl::CivilDay as_of, const Calendar& cal);
  void Add(const CaseDeadlines& c);
  // RenderDeadlinesTable of every case added. Call once.
  std::string Render();

 private:
  struct Row {
    std::string case_id, rule_id, review_id;
    absl::CivilDay due;
    int days;  // overdue (calendar days) or working days left
    std::string source;
  };
  absl::CivilDay as_of_;
  const Calendar& cal_;
  std::vector<Row> overdue_, soon_;
  int later_ = 0, met_ = 0, met_late_ = 0, closed_ = 0;
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_DEADLINES_FORMAT_H_
