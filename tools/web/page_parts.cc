#include "tools/web/page_parts.h"


#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "projections/erasure.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/html.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/pages.h"

namespace carelog {

bool ParseDateField(const WebRequest& req, std::string_view field, absl::CivilDay fallback,
                    const Viewer& viewer, absl::CivilDay* out, WebResponse* bad) {
  const std::string text = req.Query(field);
  if (text.empty()) {
    *out = fallback;
    return true;
  }
  auto day = ParseDate(text);
  if (!day.ok()) {
    *bad = BadField(viewer, field, field,
                    absl::StrCat("Enter a real date as YYYY-MM-DD, for example 2026-03-31 (got '",
                                 text, "')"));
    return false;
  }
  *out = *day;
  return true;
}

bool ParseCaseQueryDates(const WebRequest& req, const PageEnv& env, const Viewer& viewer,
                         CaseQueryDates* out, WebResponse* bad) {
  if (const std::string known = req.Query("knownAt"); !known.empty()) {
    auto t = ParseKnownAt(known);
    if (!t.ok()) {
      *bad = BadField(viewer, "knownAt", "Known at",
                      absl::StrCat("Enter an instant such as 2026-03-31T17:00:00Z, or a date "
                                   "(the end of that day in London) (got '", known, "')"));
      return false;
    }
    out->known_at = *t;
  }
  return ParseDateField(req, "asOf", DefaultAsOf(out->known_at, env.clock->Now()), viewer,
                        &out->as_of, bad);
}

WebResponse BadField(const Viewer& viewer, std::string_view field, std::string_view label,
                     std::string_view problem) {
  const std::string body = absl::StrCat(
      web::ErrorSummary({{std::string(field), std::string(problem)}}).value,
      web::Heading(1, "The page could not be shown", web::TextSize::kL).value,
      Paragraph(absl::StrCat("The field ", std::string(label), " in the address is not right: ", std::string(problem),
                             ". Change it and try again.")));
  WebResponse w;
  w.status = 400;
  w.body = RenderShell(viewer, "", "The page could not be shown", body, /*has_errors=*/true);
  return w;
}

WebResponse ReadRefused(const absl::Status& s, std::string_view case_id, const Viewer& viewer) {
  if (absl::IsNotFound(s)) {
    return ErrorPage(404, "No such case",
                     absl::StrCat("There is no case '", std::string(case_id),
                                  "' in the store. Check the case reference."),
                     &viewer);
  }
  std::fprintf(stderr, "carelog: web: access log: %s\n", std::string(s.message()).c_str());
  return ErrorPage(503, "Sorry, this record cannot be shown now",
                   "Every read of a child's record is written to the access log before it is "
                   "shown, and the access log cannot be written at the moment. Nothing has been "
                   "shown. Try again later, or tell the system's administrator.",
                   &viewer);
}

WebResponse ServiceFault(const absl::Status& s, const Viewer& viewer) {
  if (IsErasedCase(s)) {
    // Not a fault: the record is gone by decision, and the page says whose.
    return ErrorPage(410, "This record was erased", std::string(s.message()), &viewer);
  }
  std::fprintf(stderr, "carelog: web: %s\n", s.ToString().c_str());
  if (absl::IsUnavailable(s)) {
    return ErrorPage(503, "Sorry, the service is unavailable", "Try again later.", &viewer);
  }
  return ErrorPage(500, "Sorry, there is a problem with the service",
                   "Try again later. The error has been written to the server's log.", &viewer);
}

std::string CaseDatesForm(std::string_view action, const CaseQueryDates& dates,
                          const WebRequest& req) {
  web::Field as_of{"asOf", "asOf", "As of", "The end of this day", "", FormatDate(dates.as_of)};
  web::Field known_at{"knownAt", "knownAt", "Known at (optional)",
                      "What was recorded by then: 2026-03-31T17:00:00Z, or a date", "",
                      req.Query("knownAt")};
  return absl::StrCat("<form method=\"get\" action=\"", web::EscapeHtml(action),
                      "\" novalidate class=\"clg-filters\">", web::DateInput(as_of).value,
                      web::TextInput(known_at, web::InputWidth::k20).value,
                      web::Button("Show the record", web::ButtonStyle::kSecondary).value,
                      "</form>");
}

absl::CivilDay TodayInLondon(const PageEnv& env) {
  return DefaultAsOf(std::nullopt, env.clock->Now());
}

std::string Heading1(std::string_view text) {
  return web::Heading(1, text, web::TextSize::kL).value;
}
std::string Heading2(std::string_view text) {
  return web::Heading(2, text, web::TextSize::kM).value;
}
std::string Paragraph(std::string_view text, bool raw) {
  return web::Paragraph(raw ? web::Content(web::Html{std::string(text)}) : web::Content(text))
      .value;
}

std::string SummaryList(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<web::SummaryRow> out;
  out.reserve(rows.size());
  for (const auto& [key, value] : rows) out.push_back({key, web::Content(value)});
  return web::SummaryList(out).value;
}

std::string RenderTable(const Table& t) {
  web::Table out;
  out.caption = t.caption;
  for (size_t i = 0; i < t.head.size(); ++i) {
    web::TableColumn c;
    c.heading = t.head[i];
    c.numeric = t.numeric_columns.count(i) > 0;
    if (static_cast<int>(i) == t.sort_column) {
      c.sort_href = t.sort_href;
      c.sort = t.sort_descending ? web::SortState::kDescending : web::SortState::kAscending;
    }
    out.columns.push_back(std::move(c));
  }
  for (const auto& row : t.rows) {
    std::vector<web::Content> cells;
    for (size_t i = 0; i < row.size(); ++i) {
      cells.push_back(t.raw_columns.count(i) ? web::Content(web::Html{row[i]})
                                             : web::Content(row[i]));
    }
    out.rows.push_back(std::move(cells));
  }
  out.id = t.id;
  return web::RenderTable(out).value;
}

std::string StatusTagHtml(std::string_view status) {
  web::TagColour colour = web::TagColour::kGrey;
  if (status == "OVERDUE" || status == "RETRACTED") colour = web::TagColour::kRed;
  if (status == "OPEN") colour = web::TagColour::kBlue;
  if (status == "MET") colour = web::TagColour::kGreen;
  if (status == "MET_LATE" || status == "CORRECTED") colour = web::TagColour::kOrange;
  return web::Tag(status, colour).value;
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string MonthYear(int year, int month) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};
  return absl::StrCat(month >= 1 && month <= 12 ? kMonths[month - 1] : "?", " ", year);
}

}  // namespace carelog
