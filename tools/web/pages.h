// The pages of the web application, one file each (tools/web/*_page.cc).
// Each is called by the server (web_server.cc) after it has checked the
// session, the page's roles (PageRoles) and, for a POST, the CSRF token; each
// renders from the query layer and returns its whole response. Bad query
// values give a 400 page naming the field, never a 500.
#ifndef CARELOG_TOOLS_WEB_PAGES_H_
#define CARELOG_TOOLS_WEB_PAGES_H_

#include <string>
#include <string_view>

#include "tools/web/web_page.h"

namespace carelog {

// "/": the work tray — obligations OVERDUE and due within N working days,
// filterable and sortable, with counts per IRO and team.
WebResponse TrayPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/cases": the case list at a date.
WebResponse CasesPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/cases/<id>": the child's state, timeline, obligations, trail, findings;
// asOf and knownAt as `carelog audit`.
WebResponse CasePage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/proof?case=ID&position=N": the inclusion proof of one event of the case,
// as `carelog prove` writes it (checkable with `carelog check-proof`).
WebResponse ProofDownload(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/access-log?case=ID": who read the case's record, from the access log.
WebResponse AccessLogPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/qa" and "/qa/<table>.csv": the QA report for a period, and its tables.
WebResponse QaPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
WebResponse QaCsv(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
// "/integrity": the head, the last verify and backup; POST
// "/integrity/verify" (admin) runs verify and records its result.
WebResponse IntegrityPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer);
WebResponse VerifyAction(const PageEnv& env, const WebRequest& req, const Viewer& viewer);

// The sign-in page. `form_token` is the double-submit token of the sign-in
// form (its cookie is set by the server); `next` where to go after.
WebResponse LoginPage(int status, std::string_view form_token, std::string_view next,
                      std::string_view name, std::string_view error, bool signed_out);

// A page for a refusal or a fault: the status, a title and what to do. With
// a viewer (signed in), the page has the usual header and navigation.
WebResponse ErrorPage(int status, std::string_view title, std::string_view message,
                      const Viewer* viewer);

// The usual page: the GOV.UK shell with the navigation `viewer`'s role may
// open (`current` is the route name of this page), its title and body.
// `has_errors`: the page shows a form's errors (its <title> starts "Error: ").
std::string RenderShell(const Viewer& viewer, std::string_view current, std::string_view title,
                        std::string_view body, bool has_errors = false);

// The shell for someone not signed in (the sign-in page, a stale session):
// no navigation, no sign-out form.
std::string RenderSignedOutShell(std::string_view title, std::string_view body,
                                 bool has_errors = false);

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_PAGES_H_
