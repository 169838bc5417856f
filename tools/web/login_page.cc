// "/login": the sign-in page, and the pages of refusals and faults.
#include "absl/strings/str_cat.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {

WebResponse LoginPage(int status, std::string_view form_token, std::string_view next,
                      std::string_view name, std::string_view error, bool signed_out) {
  std::string body;
  if (!error.empty()) {
    absl::StrAppend(&body,
                    "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">"
                    "<div role=\"alert\"><h2 class=\"govuk-error-summary__title\">There is a problem</h2>"
                    "<div class=\"govuk-error-summary__body\"><ul class=\"govuk-list govuk-error-summary__list\">"
                    "<li><a href=\"#name\">", web::EscapeHtml(error), "</a></li></ul></div></div></div>");
  }
  if (signed_out) {
    absl::StrAppend(&body,
                    "<div class=\"govuk-notification-banner govuk-notification-banner--success\" "
                    "role=\"alert\" aria-labelledby=\"signed-out-title\"><div class=\"govuk-notification-banner__header\">"
                    "<h2 class=\"govuk-notification-banner__title\" id=\"signed-out-title\">Success</h2></div>"
                    "<div class=\"govuk-notification-banner__content\"><p class=\"govuk-notification-banner__heading\">"
                    "You have signed out.</p></div></div>");
  }
  absl::StrAppend(
      &body, Heading1("Sign in to carelog"),
      "<form method=\"post\" action=\"/login\" novalidate>",
      "<input type=\"hidden\" name=\"csrf_token\" value=\"", web::EscapeHtml(form_token), "\">",
      "<input type=\"hidden\" name=\"next\" value=\"", web::EscapeHtml(next), "\">",
      "<div class=\"govuk-form-group", error.empty() ? "" : " govuk-form-group--error", "\">",
      "<label class=\"govuk-label\" for=\"name\">Name</label>",
      "<input class=\"govuk-input govuk-!-width-one-half\" id=\"name\" name=\"name\" type=\"text\" "
      "autocomplete=\"username\" spellcheck=\"false\" value=\"", web::EscapeHtml(name), "\"></div>",
      "<div class=\"govuk-form-group\"><label class=\"govuk-label\" for=\"password\">Password</label>",
      "<input class=\"govuk-input govuk-!-width-one-half\" id=\"password\" name=\"password\" "
      "type=\"password\" autocomplete=\"current-password\"></div>",
      "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\" id=\"sign-in\">Sign in</button>",
      "</form>");
  WebResponse w;
  w.status = status;
  w.body = RenderSignedOutShell("Sign in", body);
  return w;
}

WebResponse ErrorPage(int status, std::string_view title, std::string_view message,
                      const Viewer* viewer) {
  const std::string body = absl::StrCat(Heading1(title), Paragraph(message));
  WebResponse w;
  w.status = status;
  w.body = viewer != nullptr ? RenderShell(*viewer, "", title, body)
                             : RenderSignedOutShell(title, body);
  return w;
}

}  // namespace carelog
