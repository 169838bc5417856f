// The page shell of every page (pages.h RenderShell, RenderSignedOutShell):
// the GOV.UK layout with the navigation the viewer's role may open.
#include "absl/strings/str_cat.h"
#include "tools/web/look/layout.h"
#include "tools/web/pages.h"

namespace carelog {
namespace {

struct NavEntry {
  const char* route;
  const char* label;
  const char* href;
};

constexpr NavEntry kNavigation[] = {
    {"tray", "Work tray", "/"},
    {"cases", "Cases", "/cases"},
    {"qa", "Quality assurance", "/qa"},
    {"integrity", "Integrity", "/integrity"},
};

std::string RoleName(std::string_view role) {
  if (role == "iro_manager") return "IRO manager";
  if (role == "qa") return "QA";
  if (role == "auditor") return "Auditor";
  if (role == "admin") return "Administrator";
  return std::string(role);
}

}  // namespace

std::string RenderShell(const Viewer& viewer, std::string_view current, std::string_view title,
                        std::string_view body, bool has_errors) {
  web::PageShell shell;
  shell.title = std::string(title);
  shell.has_errors = has_errors;
  for (const NavEntry& n : kNavigation) {
    if (!RoleMayOpen(viewer.role, n.route)) continue;
    shell.navigation.push_back({n.label, n.href, current == n.route});
  }
  shell.user = web::SignedInUser{viewer.user, RoleName(viewer.role)};
  shell.csrf_token = viewer.csrf_token;
  shell.body = web::Html{std::string(body)};
  return web::RenderPage(shell);
}

std::string RenderSignedOutShell(std::string_view title, std::string_view body, bool has_errors) {
  web::PageShell shell;
  shell.title = std::string(title);
  shell.has_errors = has_errors;
  shell.body = web::Html{std::string(body)};
  return web::RenderPage(shell);
}

}  // namespace carelog
