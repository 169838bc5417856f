#include "tools/web/look/layout.h"

#include "absl/strings/str_cat.h"
#include "tools/web/look/assets.h"

namespace carelog::web {
namespace {

void AppendNavigation(const PageShell& page, std::string* out) {
  if (page.navigation.empty()) return;
  // No menu toggle button: it needs GOV.UK Frontend's JavaScript, and
  // without it the list is simply shown in full.
  *out += "<nav aria-label=\"Menu\" class=\"govuk-service-navigation__wrapper\">\n"
          "<ul class=\"govuk-service-navigation__list\" id=\"navigation\">\n";
  for (const NavItem& item : page.navigation) {
    absl::StrAppend(out, "<li class=\"govuk-service-navigation__item",
                    item.current ? " govuk-service-navigation__item--active" : "",
                    "\">\n<a class=\"govuk-service-navigation__link\" href=\"", EscapeHtml(item.href),
                    "\"", item.current ? " aria-current=\"page\"" : "", ">");
    // <strong> keeps the current item marked when the user's own colours
    // override the active style (as GOV.UK Frontend's template does).
    if (item.current) {
      absl::StrAppend(out, "<strong class=\"govuk-service-navigation__active-fallback\">",
                      EscapeHtml(item.label), "</strong>");
    } else {
      *out += EscapeHtml(item.label);
    }
    *out += "</a>\n</li>\n";
  }
  *out += "</ul>\n</nav>\n";
}

void AppendAccount(const PageShell& page, std::string* out) {
  if (!page.user) return;
  absl::StrAppend(out,
                  "<div class=\"clg-account\">\n<p class=\"govuk-body-s clg-account__user\">"
                  "Signed in as <strong>",
                  EscapeHtml(page.user->name), "</strong>");
  if (!page.user->role.empty()) absl::StrAppend(out, " (", EscapeHtml(page.user->role), ")");
  absl::StrAppend(out,
                  "</p>\n<form method=\"post\" action=\"/sign-out\" class=\"clg-account__form\">\n"
                  "<input type=\"hidden\" name=\"csrf_token\" value=\"",
                  EscapeHtml(page.csrf_token),
                  "\">\n<button type=\"submit\" class=\"govuk-button govuk-button--secondary "
                  "clg-account__button\">Sign out</button>\n</form>\n</div>\n");
}

}  // namespace

std::string RenderPage(const PageShell& page) {
  std::string out;
  out.reserve(page.body.value.size() + 4096);
  absl::StrAppend(
      &out,
      "<!DOCTYPE html>\n<html lang=\"en-GB\" class=\"govuk-template\">\n<head>\n"
      "<meta charset=\"utf-8\">\n<title>",
      page.has_errors ? "Error: " : "", EscapeHtml(page.title),
      " \xE2\x80\x93 carelog</title>\n"  // en dash, as GOV.UK titles
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">\n"
      "<meta name=\"theme-color\" content=\"#1d70b8\">\n"
      // An empty icon: no request for /favicon.ico (img-src allows data:).
      "<link rel=\"icon\" href=\"data:,\">\n"
      "<link rel=\"stylesheet\" href=\"",
      std::string(kGovukFrontendCssPath), "\">\n<link rel=\"stylesheet\" href=\"", std::string(kCarelogCssPath),
      "\">\n</head>\n<body class=\"govuk-template__body\">\n"
      "<a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\n"
      // Not the GOV.UK header: its crown and GOV.UK logotype are for services
      // on GOV.UK. The service navigation carries the service name instead.
      "<header class=\"govuk-template__header\">\n"
      "<section aria-label=\"Service information\" class=\"govuk-service-navigation\">\n"
      "<div class=\"govuk-width-container\">\n<div class=\"govuk-service-navigation__container\">\n"
      "<span class=\"govuk-service-navigation__service-name\">\n"
      "<a href=\"/\" class=\"govuk-service-navigation__link\">carelog</a>\n</span>\n");
  AppendNavigation(page, &out);
  out += "</div>\n";
  AppendAccount(page, &out);
  absl::StrAppend(&out,
                  "</div>\n</section>\n</header>\n<div class=\"govuk-width-container\">\n"
                  "<main class=\"govuk-main-wrapper\" id=\"main-content\">\n",
                  page.body.value,
                  "</main>\n</div>\n<footer class=\"govuk-footer\">\n<div class=\"govuk-width-container\">\n"
                  "<div class=\"govuk-footer__meta\">\n<div class=\"govuk-footer__meta-item "
                  "govuk-footer__meta-item--grow\">\n"
                  "<p class=\"govuk-body-s\">carelog: children's care-plan review deadlines</p>\n"
                  "</div>\n</div>\n</div>\n</footer>\n</body>\n</html>\n");
  return out;
}

}  // namespace carelog::web
