// "/login": the sign-in page, and the pages of refusals and faults.
#include "absl/strings/str_cat.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {

WebResponse LoginPage(int status, std::string_view form_token, std::string_view next,
                      std::string_view name, std::string_view error, bool signed_out) {
  std::string body;
  if (!error.empty()) {
    body = web::ErrorSummary({{"name", std::string(error)}}).value;
  }
  if (signed_out) {
    absl::StrAppend(&body, web::NotificationBanner(web::BannerKind::kSuccess, "Success",
                                                   "You have signed out.", {}, "signed-out-title")
                               .value);
  }
  absl::StrAppend(
      &body, Heading1("Sign in to carelog"), "<form method=\"post\" action=\"/login\" novalidate>",
      "<input type=\"hidden\" name=\"csrf_token\" value=\"", web::EscapeHtml(form_token), "\">",
      "<input type=\"hidden\" name=\"next\" value=\"", web::EscapeHtml(next), "\">",
      web::TextInput({.id = "name", .name = "name", .label = "Name", .error = std::string(error),
                      .value = std::string(name)},
                     web::InputWidth::k20, "username")
          .value,
      web::PasswordInput({.id = "password", .name = "password", .label = "Password"},
                         web::InputWidth::k20, "current-password")
          .value,
      "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\" "
      "id=\"sign-in\">Sign in</button>",
      "</form>");
  WebResponse w;
  w.status = status;
  w.body = RenderSignedOutShell("Sign in", body, /*has_errors=*/!error.empty());
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
