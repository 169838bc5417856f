// What several pages share: the date fields of a case query, the answers to
// a refused or failed read, and the few GOV.UK patterns pages build from
// (over tools/web/look/).
#ifndef CARELOG_TOOLS_WEB_PAGE_PARTS_H_
#define CARELOG_TOOLS_WEB_PAGE_PARTS_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "tools/web/web_page.h"

namespace carelog {

// The effective date and recording instant of a case view, from the query
// fields asOf (YYYY-MM-DD, default: knownAt's London date, else today) and
// knownAt (an RFC 3339 instant or a date: the end of that day in London).
struct CaseQueryDates {
  absl::CivilDay as_of;
  std::optional<absl::Time> known_at;
};

// False with `*bad` set to a 400 page naming the field and what is wrong
// with it (the GOV.UK error summary) when a field does not parse.
[[nodiscard]] bool ParseCaseQueryDates(const WebRequest& req, const PageEnv& env,
                                       const Viewer& viewer, CaseQueryDates* out,
                                       WebResponse* bad);
// A date field alone ("asOf", "from", ...): `fallback` when empty.
[[nodiscard]] bool ParseDateField(const WebRequest& req, std::string_view field,
                                  absl::CivilDay fallback, const Viewer& viewer,
                                  absl::CivilDay* out, WebResponse* bad);

// A 400 page: "There is a problem" with one error naming the field.
WebResponse BadField(const Viewer& viewer, std::string_view field, std::string_view label,
                     std::string_view problem);

// The answer to a read whose access record was not written: 404 for
// kNotFound (no such case), 503 otherwise (no record, no read).
WebResponse ReadRefused(const absl::Status& s, std::string_view case_id, const Viewer& viewer);
// 503 for a store that cannot answer, 500 for anything else.
WebResponse ServiceFault(const absl::Status& s, const Viewer& viewer);

// The GET form of a case view's dates (as-of, known-at), posting to `action`.
std::string CaseDatesForm(std::string_view action, const CaseQueryDates& dates,
                          const WebRequest& req);

// Today's date in London by the server's clock.
absl::CivilDay TodayInLondon(const PageEnv& env);

// ------------------------------------------------------------ patterns ---
// Text arguments are escaped unless said otherwise.
std::string Heading1(std::string_view text);
std::string Heading2(std::string_view text);
std::string Paragraph(std::string_view text, bool raw = false);
std::string SummaryList(const std::vector<std::pair<std::string, std::string>>& rows);

struct Table {
  std::string caption;                    // shown as a medium heading
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::set<size_t> raw_columns;           // cells already HTML (links, tags)
  std::set<size_t> numeric_columns;       // right-aligned
  std::string id;                         // the table element's id, if any
  // The column whose heading links to `sort_href` (a sort the server
  // applies), with aria-sort from `sort_descending`; -1: none.
  int sort_column = -1;
  std::string sort_href;
  bool sort_descending = false;
};
std::string RenderTable(const Table& t);

// A GOV.UK tag for an obligation status ("OVERDUE" red, "OPEN" blue, "MET"
// green, "MET_LATE" orange, "CLOSED" grey, others grey), as HTML.
std::string StatusTagHtml(std::string_view status);

absl::Time FromProtoTime(const google::protobuf::Timestamp& ts);
// "March 2026".
std::string MonthYear(int year, int month);

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_PAGE_PARTS_H_
