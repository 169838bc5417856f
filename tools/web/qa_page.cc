// "/qa": the QA report for a chosen period, computed live from the log as
// `carelog report qa` does — its indicators with their definitions, charts
// drawn in CSS (no script), and each of its tables as a CSV download
// ("/qa/<name>.csv" with the same period). The report lists cases with
// pending obligations, so it is a read across all cases: recorded first.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "engine/calendar.h"
#include "projections/qa_html.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {
namespace {

struct Period {
  absl::CivilDay from, to;
};

// The period asked for; by default the UK financial quarter (April, July,
// October, January) to date, the period QA returns are prepared for.
bool ParsePeriod(const PageEnv& env, const WebRequest& req, const Viewer& viewer, Period* p,
                 WebResponse* bad) {
  const absl::CivilDay today = TodayInLondon(env);
  const int quarter_start_month = ((static_cast<int>(today.month()) - 1) / 3) * 3 + 1;
  const absl::CivilDay quarter(today.year(), quarter_start_month, 1);
  if (!ParseDateField(req, "to", today, viewer, &p->to, bad)) return false;
  if (!ParseDateField(req, "from", quarter, viewer, &p->from, bad)) return false;
  if (req.Query("from").empty() && p->from > p->to) p->from = absl::CivilDay(p->to.year(), 1, 1);
  if (p->from > p->to) {
    *bad = BadField(viewer, "from", "From", "The start of the period must be on or before its end");
    return false;
  }
  return true;
}

std::string Pct(int64_t num, int64_t den) {
  auto p = Percent(num, den);
  return p ? absl::StrFormat("%.1f%%", *p) : "n/a";
}

// A bar for a percentage, as a class of carelog.css (the CSP forbids
// inline styles): widths in steps of 5.
std::string Bar(int64_t num, int64_t den) {
  auto p = Percent(num, den);
  const int step = p ? static_cast<int>(*p / 5.0 + 0.5) * 5 : 0;
  return absl::StrCat("<span class=\"clg-bar clg-bar-", step, "\" aria-hidden=\"true\"></span> ",
                      web::EscapeHtml(Pct(num, den)));
}

std::string Query(const Period& p) {
  return absl::StrCat("from=", FormatDate(p.from), "&amp;to=", FormatDate(p.to));
}

// The report of the period the request asks for, its read recorded first
// (as `method`); or the page that says why not.
std::optional<QaReport> ReportFor(const PageEnv& env, const WebRequest& req, const Viewer& viewer,
                                  std::string_view method, Period* period, WebResponse* refused) {
  if (!ParsePeriod(env, req, viewer, period, refused)) return std::nullopt;
  if (absl::Status s = RecordWebRead(env, viewer, req, method, ""); !s.ok()) {
    *refused = ReadRefused(s, "", viewer);
    return std::nullopt;
  }
  auto report = env.queries->Qa(period->from, period->to);
  if (!report.ok()) {
    *refused = ServiceFault(report.status(), viewer);
    return std::nullopt;
  }
  return std::move(*report);
}

}  // namespace

WebResponse QaPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  Period period;
  WebResponse refused;
  std::optional<QaReport> report = ReportFor(env, req, viewer, "QaPage", &period, &refused);
  if (!report) return refused;
  const QaReport& r = *report;

  std::string body = absl::StrCat(
      Heading1("Quality assurance"),
      Paragraph(absl::StrCat("Reviews and tasks from ", web::LongDateWithWeekday(r.from), " to ", web::LongDateWithWeekday(r.to),
                             "; obligations as they stood at the end of ", web::LongDate(r.to), ".")),
      "<form method=\"get\" action=\"/qa\" novalidate class=\"clg-inline-form\">",
      web::DateInput({.id = "from", .name = "from", .label = "From", .value = FormatDate(r.from)}).value,
      web::DateInput({.id = "to", .name = "to", .label = "To", .value = FormatDate(r.to)}).value,
      web::Button("Show the period", web::ButtonStyle::kSecondary).value, "</form>");

  std::vector<std::pair<std::string, std::string>> headline = {
      {"Reviews held", absl::StrCat(r.reviews_held)},
      {"Reviews on time", Pct(r.reviews_on_time, r.reviews_held)},
      {"Children whose reviews were all on time (NI66)", absl::StrCat(r.ni66_on_time, " of ", r.ni66_children, " (", Pct(r.ni66_on_time, r.ni66_children), ")")},
      {"Tasks due in the period", absl::StrCat(r.tasks_due)},
      {"Tasks done on time", Pct(r.tasks_met, r.tasks_due)},
      {"Postponements requested", absl::StrCat(r.postponements.requested)},
      {"Overdue now", absl::StrCat(r.overdue_now)},
      {"Due within 10 working days", absl::StrCat(r.due_soon)},
      {"Reviews held outside a period of care", absl::StrCat(r.reviews_outside_period)},
      {"Children with 3 or more placements in the year", absl::StrCat(r.stability.three_or_more, " (", Pct(r.stability.three_or_more, r.stability.looked_after), ")")},
      {"Long-term placements stable for 2 years", absl::StrCat(r.stability.long_term_stable, " (", Pct(r.stability.long_term_stable, r.stability.long_term), ")")},
  };
  absl::StrAppend(&body, Heading2("Headline"), SummaryList(headline));

  Table reviews;
  reviews.id = "qa-reviews";
  reviews.caption = "Reviews held on time, by rule";
  reviews.head = {"Rule", "Held", "On time", "Share on time"};
  reviews.numeric_columns = {1, 2};
  reviews.raw_columns = {3};
  for (const auto& l : r.reviews) {
    reviews.rows.push_back({l.rule, absl::StrCat(l.held), absl::StrCat(l.on_time), Bar(l.on_time, l.held)});
  }
  absl::StrAppend(&body, RenderTable(reviews));

  Table trend;
  trend.id = "qa-trend";
  trend.caption = "Reviews on time, month by month";
  trend.head = {"Month", "Held", "On time", "Share on time"};
  trend.numeric_columns = {1, 2};
  trend.raw_columns = {3};
  for (const auto& m : r.trend) {
    trend.rows.push_back({MonthYear(m.year, m.month), absl::StrCat(m.held), absl::StrCat(m.on_time), Bar(m.on_time, m.held)});
  }
  absl::StrAppend(&body, RenderTable(trend));

  Table tasks;
  tasks.id = "qa-tasks";
  tasks.caption = "Tasks around each review";
  tasks.head = {"Rule", "Due", "Met", "Met late", "Overdue", "Short notice", "Share met"};
  tasks.numeric_columns = {1, 2, 3, 4, 5};
  tasks.raw_columns = {6};
  for (const auto& t : r.tasks) {
    tasks.rows.push_back({t.rule, absl::StrCat(t.due), absl::StrCat(t.met), absl::StrCat(t.met_late),
                          absl::StrCat(t.overdue), absl::StrCat(t.short_notice), Bar(t.met, t.due)});
  }
  absl::StrAppend(&body, RenderTable(tasks));

  const auto& pp = r.postponements;
  absl::StrAppend(&body, Heading2("Postponements"),
                  SummaryList({{"Requested", absl::StrCat(pp.requested)},
                               {"With notice", absl::StrCat(pp.with_notice)},
                               {"Approved", absl::StrCat(pp.approvals)},
                               {"Approved by a Service Manager", absl::StrCat(pp.approved_by_service_manager)},
                               {"Re-dated on time", absl::StrCat(pp.redated_on_time, " of ", pp.redate_due)},
                               {"Postponed reviews out of timescale", absl::StrCat(pp.out_of_timescale, " of ", pp.postponed_reviews)}}));

  Table findings;
  findings.id = "qa-findings";
  findings.caption = "Findings dated in the period, by rule";
  findings.head = {"Rule", "Findings"};
  findings.numeric_columns = {1};
  for (const auto& [rule, n] : r.findings) findings.rows.push_back({rule, absl::StrCat(n)});
  if (!findings.rows.empty()) absl::StrAppend(&body, RenderTable(findings));

  Table load;
  load.id = "qa-iro-load";
  load.caption = "Overdue and due soon, by IRO";
  load.head = {"IRO", "Overdue", "Due within 10 working days"};
  load.numeric_columns = {1, 2};
  for (const auto& [iro, l] : r.by_iro) {
    load.rows.push_back({iro.empty() ? "Not recorded" : iro, absl::StrCat(l.overdue), absl::StrCat(l.due_soon)});
  }
  if (!load.rows.empty()) absl::StrAppend(&body, RenderTable(load));

  std::string downloads = "<ul class=\"govuk-list\">";
  for (const auto& [name, csv] : RenderQaCsv(r)) {
    absl::StrAppend(&downloads, "<li><a class=\"govuk-link\" download href=\"/qa/", web::EscapeHtml(name), "?",
                    Query(period), "\">", web::EscapeHtml(name), "</a></li>");
  }
  absl::StrAppend(&downloads, "</ul>");
  absl::StrAppend(&body, Heading2("Download the tables (CSV)"), downloads);

  std::string definitions = "<dl class=\"govuk-summary-list\">";
  for (const auto& [id, text] : QaDefinitions()) {
    absl::StrAppend(&definitions, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">",
                    web::EscapeHtml(id), "</dt><dd class=\"govuk-summary-list__value\">", web::EscapeHtml(text), "</dd></div>");
  }
  absl::StrAppend(&definitions, "</dl>");
  absl::StrAppend(&body, "<details class=\"govuk-details\"><summary class=\"govuk-details__summary\">"
                         "<span class=\"govuk-details__summary-text\">How each indicator is defined</span>"
                         "</summary><div class=\"govuk-details__text\">", definitions, "</div></details>");
  WebResponse w;
  w.body = RenderShell(viewer, "qa", "Quality assurance", body);
  return w;
}

WebResponse QaCsv(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  absl::string_view name = req.path;
  absl::ConsumePrefix(&name, "/qa/");
  Period period;
  WebResponse refused;
  std::optional<QaReport> report = ReportFor(env, req, viewer, "QaCsv", &period, &refused);
  if (!report) return refused;
  for (auto& [file, csv] : RenderQaCsv(*report)) {
    if (file != name) continue;
    WebResponse w;
    w.content_type = "text/csv; charset=utf-8";
    w.body = std::move(csv);
    w.headers.push_back({"Content-Disposition",
                         absl::StrCat("attachment; filename=\"qa-", FormatDate(period.from), "-",
                                      FormatDate(period.to), "-", file, "\"")});
    return w;
  }
  return ErrorPage(404, "No such table", absl::StrCat("The QA report has no table '", name, "'."), &viewer);
}

}  // namespace carelog
