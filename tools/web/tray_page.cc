// "/": the work tray, the page an IRO manager opens every morning —
// obligations OVERDUE and due within the next N working days, per IRO and
// team, filterable by IRO, team, rule and pack, sorted by due date, each row
// linking to its case (Queries::WorkTray, as `carelog tray`). It names
// cases, so it is a read across all cases: recorded first.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {
namespace {

// Rows a page of the tray shows: a large council's tray is tens of
// thousands of rows (bench/council: 38,145), megabytes no browser should
// be sent each morning; the counts and totals are always of the whole tray.
constexpr size_t kTrayRowsPerPage = 100;

struct TrayAsk {
  absl::CivilDay as_of;
  int days = kWorkTrayDefaultWorkingDays;
  WorkTrayFilter filter;
  size_t page = 1;  // 1-based
};

// The query string of `ask` with one field changed: links keep the rest.
std::string TrayLink(const TrayAsk& ask, std::string_view field, std::string_view value) {
  std::vector<std::pair<std::string, std::string>> q = {{"asOf", FormatDate(ask.as_of)},
                                                        {"days", absl::StrCat(ask.days)}};
  auto add = [&](const char* name, const std::optional<std::string>& v) {
    if (name == field) {
      if (!value.empty()) q.push_back({name, std::string(value)});
    } else if (v) {
      q.push_back({name, *v});
    }
  };
  add("iro", ask.filter.iro);
  add("team", ask.filter.team);
  add("rule", ask.filter.rule);
  add("pack", ask.filter.pack);
  if (field == "page") q.push_back({"page", std::string(value)});
  const bool latest = ask.filter.sort == WorkTraySort::kDueLatestFirst;
  if (field == "sort") {
    if (!value.empty()) q.push_back({"sort", std::string(value)});
  } else if (latest) {
    q.push_back({"sort", "-due"});
  }
  return absl::StrCat("/?", web::QueryString(q));
}

std::string Named(std::string_view s) { return s.empty() ? "Not recorded" : std::string(s); }

std::string CountsTable(const char* id, const char* caption, const char* who,
                        const std::vector<WorkTrayCount>& counts, const TrayAsk& ask,
                        std::string_view field) {
  Table t;
  t.id = id;
  t.caption = caption;
  t.head = {who, "Overdue", "Due soon"};
  t.raw_columns = {0};
  t.numeric_columns = {1, 2};
  for (const WorkTrayCount& c : counts) {
    t.rows.push_back({absl::StrCat("<a class=\"govuk-link\" href=\"",
                                   web::EscapeHtml(TrayLink(ask, field, c.name.empty() ? "" : c.name)),
                                   "\">", web::EscapeHtml(Named(c.name)), "</a>"),
                      absl::StrCat(c.overdue), absl::StrCat(c.due_soon)});
  }
  return t.rows.empty() ? "" : RenderTable(t);
}

// A select of the IROs or teams the tray counts ("All" first); a chosen
// name the tray no longer has stays listed, so the form shows what was asked.
std::string SelectOf(const char* id, const char* label, const std::vector<WorkTrayCount>& counts,
                     const std::optional<std::string>& chosen) {
  std::vector<web::SelectOption> options = {{"", "All"}};
  bool listed = false;
  for (const WorkTrayCount& c : counts) {
    if (c.name.empty()) continue;
    listed |= chosen && *chosen == c.name;
    options.push_back({c.name, c.name});
  }
  if (chosen && !chosen->empty() && !listed) options.push_back({*chosen, *chosen});
  return web::Select({.id = id, .name = id, .label = label, .value = chosen.value_or("")}, options)
      .value;
}

std::string TextField(const char* id, const char* label, const char* hint,
                      const std::optional<std::string>& value) {
  return web::TextInput({.id = id, .name = id, .label = label, .hint = hint, .value = value.value_or("")},
                        web::InputWidth::k20)
      .value;
}

// GOV.UK's pagination: previous, the page numbers near this one, next.
std::string Pagination(const TrayAsk& ask, size_t pages) {
  if (pages <= 1) return "";
  auto link = [&](size_t page) { return web::EscapeHtml(TrayLink(ask, "page", absl::StrCat(page))); };
  std::string out = "<nav class=\"govuk-pagination\" aria-label=\"Pages of the work tray\">";
  if (ask.page > 1) {
    absl::StrAppend(&out, "<div class=\"govuk-pagination__prev\"><a class=\"govuk-link govuk-pagination__link\" href=\"",
                    link(ask.page - 1), "\" rel=\"prev\"><span class=\"govuk-pagination__link-title\">Previous",
                    "<span class=\"govuk-visually-hidden\"> page</span></span></a></div>");
  }
  absl::StrAppend(&out, "<ul class=\"govuk-pagination__list\">");
  for (size_t p = 1; p <= pages; ++p) {
    const bool near = p == 1 || p == pages || (p + 2 >= ask.page && p <= ask.page + 2);
    if (!near) {
      if (p == 2 || p == ask.page + 3) {
        absl::StrAppend(&out, "<li class=\"govuk-pagination__item govuk-pagination__item--ellipses\">&ctdot;</li>");
      }
      continue;
    }
    const bool current = p == ask.page;
    absl::StrAppend(&out, "<li class=\"govuk-pagination__item", current ? " govuk-pagination__item--current" : "",
                    "\"><a class=\"govuk-link govuk-pagination__link\" href=\"", link(p), "\" aria-label=\"Page ", p,
                    "\"", current ? " aria-current=\"page\"" : "", ">", p, "</a></li>");
  }
  absl::StrAppend(&out, "</ul>");
  if (ask.page < pages) {
    absl::StrAppend(&out, "<div class=\"govuk-pagination__next\"><a class=\"govuk-link govuk-pagination__link\" href=\"",
                    link(ask.page + 1), "\" rel=\"next\"><span class=\"govuk-pagination__link-title\">Next",
                    "<span class=\"govuk-visually-hidden\"> page</span></span></a></div>");
  }
  return absl::StrCat(out, "</nav>");
}

}  // namespace

WebResponse TrayPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  TrayAsk ask;
  if (WebResponse bad; !ParseDateField(req, "asOf", TodayInLondon(env), viewer, &ask.as_of, &bad)) {
    return bad;
  }
  if (const std::string days = req.Query("days"); !days.empty()) {
    if (!absl::SimpleAtoi(days, &ask.days) || ask.days < 1 || ask.days > kWorkTrayMaxWorkingDays) {
      return BadField(viewer, "days", "Working days ahead",
                      absl::StrCat("Enter a whole number of working days from 1 to ",
                                   kWorkTrayMaxWorkingDays));
    }
  }
  for (auto [name, field] : {std::pair<const char*, std::optional<std::string>*>{"iro", &ask.filter.iro},
                             {"team", &ask.filter.team},
                             {"rule", &ask.filter.rule},
                             {"pack", &ask.filter.pack}}) {
    if (const std::string v = req.Query(name); !v.empty()) *field = v;
  }
  if (const std::string sort = req.Query("sort"); !sort.empty()) {
    if (sort == "-due") {
      ask.filter.sort = WorkTraySort::kDueLatestFirst;
    } else if (sort != "due") {
      return BadField(viewer, "sort", "Order", "Sort by due date: earliest first (due) or latest first (-due)");
    }
  }
  if (const std::string page = req.Query("page"); !page.empty()) {
    if (!absl::SimpleAtoi(page, &ask.page) || ask.page < 1) {
      return BadField(viewer, "page", "Page", "Enter a page number from 1");
    }
  }
  if (absl::Status s = RecordWebRead(env, viewer, req, "WorkTray", ""); !s.ok()) {
    return ReadRefused(s, "", viewer);
  }
  auto tray = env.queries->WorkTray(ask.as_of, ask.filter, ask.days);
  if (!tray.ok()) return ServiceFault(tray.status(), viewer);

  const bool latest = ask.filter.sort == WorkTraySort::kDueLatestFirst;
  Table t;
  t.id = "tray";
  t.caption = absl::StrCat(tray->rows.size(), tray->rows.size() == 1 ? " obligation" : " obligations",
                           " to act on");
  t.head = {"Due", "Status", "Case", "Rule", "IRO", "Team", "Social worker", "Pack"};
  t.sort_column = 0;
  t.sort_href = TrayLink(ask, "sort", latest ? "" : "-due");
  t.sort_descending = latest;
  t.raw_columns = {1, 2};
  const size_t pages = std::max<size_t>(1, (tray->rows.size() + kTrayRowsPerPage - 1) / kTrayRowsPerPage);
  ask.page = std::min(ask.page, pages);  // past the end: the last page
  const size_t first = (ask.page - 1) * kTrayRowsPerPage;
  const size_t last = std::min(tray->rows.size(), first + kTrayRowsPerPage);
  if (pages > 1) {
    t.caption = absl::StrCat(tray->rows.size(), " obligations to act on: ", first + 1, " to ", last,
                             " shown");
  }
  for (size_t i = first; i < last; ++i) {
    const WorkTrayRow& r = tray->rows[i];
    const bool overdue = r.status == ObligationStatus::kOverdue;
    std::string status = absl::StrCat(StatusTagHtml(ObligationStatusName(r.status)), " ",
                                      web::EscapeHtml(overdue ? absl::StrCat(web::WorkingDays(r.working_days), " overdue")
                                                         : absl::StrCat(web::WorkingDays(r.working_days), " left")));
    t.rows.push_back({web::LongDate(r.due), status,
                      absl::StrCat("<a class=\"govuk-link\" href=\"/cases/", web::EscapeHtml(web::EscapeQueryValue(r.case_id)),
                                   "?asOf=", FormatDate(ask.as_of), "\">", web::EscapeHtml(r.case_id), "</a>"),
                      r.review_id.empty() ? r.rule_id : absl::StrCat(r.rule_id, " (", r.review_id, ")"),
                      Named(r.iro), Named(r.team), Named(r.social_worker), r.pack});
  }
  std::string body = absl::StrCat(
      Heading1("Work tray"),
      Paragraph(absl::StrCat(tray->overdue, " overdue and ", tray->due_soon, " due within ", web::WorkingDays(ask.days),
                             " of ", web::LongDateWithWeekday(ask.as_of), ".")));
  if (viewer.role == "auditor") {
    absl::StrAppend(&body, Paragraph("This is the IRO managers' tray: every obligation past its due date, and "
                                     "every open one due within the window, from each case's events as recorded. "
                                     "Open a case to see why it is late and who decided what."));
  }
  absl::StrAppend(
      &body, "<form method=\"get\" action=\"/\" novalidate class=\"clg-filters\">",
      web::DateInput({.id = "asOf", .name = "asOf", .label = "As of", .value = FormatDate(ask.as_of)}).value,
      // Not web::TextInput: inputmode="numeric" brings up a phone's number pad.
      "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"days\">Working days ahead</label>",
      "<input class=\"govuk-input govuk-input--width-3\" id=\"days\" name=\"days\" type=\"text\" inputmode=\"numeric\" value=\"",
      ask.days, "\"></div>", SelectOf("iro", "IRO", tray->by_iro, ask.filter.iro),
      SelectOf("team", "Team", tray->by_team, ask.filter.team),
      TextField("rule", "Rule", "For example, review.second", ask.filter.rule),
      TextField("pack", "Pack", "For example, england", ask.filter.pack),
      latest ? "<input type=\"hidden\" name=\"sort\" value=\"-due\">" : "",
      "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" id=\"apply-filters\">Apply filters</button>"
      " <a class=\"govuk-link\" href=\"/\">Clear filters</a></form>",
      "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-half\">",
      CountsTable("by-iro", "By IRO", "IRO", tray->by_iro, ask, "iro"),
      "</div><div class=\"govuk-grid-column-one-half\">",
      CountsTable("by-team", "By team", "Team", tray->by_team, ask, "team"), "</div></div>",
      t.rows.empty() ? Paragraph("Nothing is overdue or due in this window.") : RenderTable(t),
      Pagination(ask, pages));
  WebResponse w;
  w.body = RenderShell(viewer, "tray", "Work tray", body);
  return w;
}

}  // namespace carelog
