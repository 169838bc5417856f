// The page around every carelog web page: GOV.UK's template (skip link,
// header with the service navigation, main, footer) with the signed-in user
// and a sign-out form. Pure; thread-safe.
#ifndef CARELOG_TOOLS_WEB_LOOK_LAYOUT_H_
#define CARELOG_TOOLS_WEB_LOOK_LAYOUT_H_

#include <optional>
#include <string>
#include <vector>

#include "tools/web/look/html.h"

namespace carelog::web {

// One item of the service navigation.
struct NavItem {
  std::string label{};
  std::string href{};
  // This item is the page shown (aria-current="page", and the active style).
  bool current = false;
};

// Who is signed in, as the header shows them.
struct SignedInUser {
  std::string name{};  // "Sam Patel"
  std::string role{};  // "IRO manager"
};

struct PageShell {
  // The page's own title, "Work tray": the <title> is "Work tray – carelog".
  std::string title{};
  // The page shows form errors: the <title> starts "Error: " (GOV.UK's
  // pattern: screen readers hear it first).
  bool has_errors = false;
  std::vector<NavItem> navigation{};
  // Set when someone is signed in: the header names them and has a sign-out
  // button, a POST to /sign-out carrying `csrf_token`.
  std::optional<SignedInUser> user{};
  std::string csrf_token{};
  // The content of <main>, already rendered.
  Html body{};
};

// The whole document: <!DOCTYPE html>, <html lang="en-GB"
// class="govuk-template">, the stylesheets from /assets/ (assets.h), no
// script, no style attribute, nothing loaded from another origin. All text
// of `page` is escaped; `page.body` is inserted as it is.
[[nodiscard]] std::string RenderPage(const PageShell& page);

}  // namespace carelog::web

#endif  // CARELOG_TOOLS_WEB_LOOK_LAYOUT_H_
