// "/access-log?case=ID": who has read a child's record (the access log of
// engine/access_log.h: gRPC reads and page views alike), for the auditor.
// Reading it is itself a read of the case, recorded first.
#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "store/base/time_format.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {

WebResponse AccessLogPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  const std::string case_id = req.Query("case");
  if (case_id.empty()) return BadField(viewer, "case", "Case", "Give the case whose readers to list");
  if (absl::Status s = RecordWebRead(env, viewer, req, "AccessLog", case_id); !s.ok()) {
    return ReadRefused(s, case_id, viewer);
  }
  auto records = env.queries->AccessLog(case_id);
  if (!records.ok()) return ServiceFault(records.status(), viewer);
  Table t;
  t.id = "access-log";
  t.caption = absl::StrCat(records->size(), " reads of this case, oldest first");
  t.head = {"When", "Who", "Role", "What", "From", "Position"};
  t.numeric_columns = {5};
  for (const v1::AccessRecord& r : *records) {
    std::string what = r.method();
    if (r.case_id().empty()) absl::StrAppend(&what, " (all cases)");
    if (!r.event_id().empty()) absl::StrAppend(&what, ", event ", r.event_id());
    if (r.outcome() == kAccessNotFound) absl::StrAppend(&what, " (not found)");
    t.rows.push_back({web::LondonDateTime(FromProtoTime(r.at())), r.token_name(), r.role(), what, r.peer(),
                      absl::StrCat(r.position())});
  }
  const std::string body = absl::StrCat(
      "<span class=\"govuk-caption-l\">Case ", web::EscapeHtml(case_id), "</span>",
      Heading1("Who has read this case"),
      Paragraph("Every read of the child's record, by the service or these pages, is written to "
                "the log before it is answered. Web users show as web:NAME."),
      RenderTable(t),
      Paragraph(absl::StrCat("<a class=\"govuk-link\" href=\"/cases/", web::EscapeHtml(web::EscapeQueryValue(case_id)),
                             "\">Back to the case</a>"),
                true));
  WebResponse w;
  w.body = RenderShell(viewer, "cases", "Who has read this case", body);
  return w;
}

}  // namespace carelog
