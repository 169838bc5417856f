// "/cases": every case at the end of a date, as `carelog cases` lists them
// (next review due first), filterable by IRO, team and overdue; each case
// links to its page. A read across all cases: recorded first.
#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {

WebResponse CasesPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  absl::CivilDay as_of;
  if (WebResponse bad; !ParseDateField(req, "asOf", TodayInLondon(env), viewer, &as_of, &bad)) {
    return bad;
  }
  CaseListFilter filter;
  if (!req.Query("iro").empty()) filter.iro = req.Query("iro");
  if (!req.Query("team").empty()) filter.team = req.Query("team");
  filter.overdue_only = req.Query("overdue") == "yes";
  if (absl::Status s = RecordWebRead(env, viewer, req, "CaseList", ""); !s.ok()) {
    return ReadRefused(s, "", viewer);
  }
  auto rows = env.queries->CaseList(as_of, filter);
  if (!rows.ok()) return ServiceFault(rows.status(), viewer);
  Table t;
  t.id = "cases";
  t.caption = absl::StrCat(rows->size(), rows->size() == 1 ? " case" : " cases", " at the end of ",
                           web::LongDate(as_of));
  t.head = {"Case", "Looked after", "Placement", "Legal status", "IRO", "Team",
            "Next review due", "Overdue"};
  t.raw_columns = {0};
  t.numeric_columns = {7};
  for (const CaseListRow& row : *rows) {
    const CarePlanState& s = row.state;
    t.rows.push_back(
        {absl::StrCat("<a class=\"govuk-link\" href=\"/cases/", web::EscapeHtml(web::EscapeQueryValue(s.case_id)),
                      "?asOf=", FormatDate(as_of), "\">", web::EscapeHtml(s.case_id), "</a>"),
         s.looked_after ? "Yes" : "No", s.placement ? s.placement->type : "—",
         s.legal_status.empty() ? "—" : s.legal_status, s.iro.empty() ? "—" : s.iro,
         s.team.empty() ? "—" : s.team,
         s.next_review_due ? web::LongDate(*s.next_review_due) : "None open", absl::StrCat(s.overdue)});
  }
  const std::string body = absl::StrCat(
      Heading1("Cases"),
      "<form method=\"get\" action=\"/cases\" novalidate class=\"clg-inline-form\">",
      web::DateInput({.id = "asOf", .name = "asOf", .label = "As of", .value = FormatDate(as_of)}).value,
      web::TextInput({.id = "iro", .name = "iro", .label = "IRO", .value = req.Query("iro")},
                     web::InputWidth::k10)
          .value,
      web::TextInput({.id = "team", .name = "team", .label = "Team", .value = req.Query("team")},
                     web::InputWidth::k10)
          .value,
      "<div class=\"govuk-form-group\"><div class=\"govuk-checkboxes govuk-checkboxes--small\">"
      "<div class=\"govuk-checkboxes__item\"><input class=\"govuk-checkboxes__input\" id=\"overdue\" "
      "name=\"overdue\" type=\"checkbox\" value=\"yes\"",
      filter.overdue_only ? " checked" : "",
      "><label class=\"govuk-label govuk-checkboxes__label\" for=\"overdue\">Only cases with "
      "something overdue</label></div></div></div>",
      web::Button("Show cases", web::ButtonStyle::kSecondary).value, "</form>",
      RenderTable(t));
  WebResponse w;
  w.body = RenderShell(viewer, "cases", "Cases", body);
  return w;
}

}  // namespace carelog
