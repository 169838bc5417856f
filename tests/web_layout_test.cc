// The page around every web page (tools/web/look/layout.h).
#include "tools/web/look/layout.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/web/look/assets.h"

namespace carelog::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

PageShell SignedInTray() {
  PageShell p;
  p.title = "Work tray";
  p.navigation = {{"Work tray", "/tray", true}, {"Cases", "/cases", false}, {"Quality", "/qa", false}};
  p.user = SignedInUser{"Sam Patel", "IRO manager"};
  p.csrf_token = "tok-123";
  p.body = Html{"<h1 class=\"govuk-heading-l\">Work tray</h1>\n"};
  return p;
}

TEST(WebLayoutTest, IsAWholeGovukDocumentInBritishEnglish) {
  const std::string html = RenderPage(SignedInTray());
  EXPECT_EQ(html.find("<!DOCTYPE html>\n<html lang=\"en-GB\" class=\"govuk-template\">"), 0u);
  EXPECT_THAT(html, HasSubstr("<body class=\"govuk-template__body\">"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<title>Work tray \xE2\x80\x93 carelog</title>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(WebLayoutTest, LinksTheEmbeddedStylesheetsAndNothingElse) {
  const std::string html = RenderPage(SignedInTray());
  for (std::string_view path : {kGovukFrontendCssPath, kCarelogCssPath}) {
    EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"" + std::string(path) + "\">"));
    EXPECT_NE(FindAsset(path), nullptr) << path;
  }
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("style=")));
  EXPECT_THAT(html, Not(HasSubstr("<style")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
}

TEST(WebLayoutTest, SkipLinkLeadsToMainWhichHoldsTheBody) {
  const std::string html = RenderPage(SignedInTray());
  const size_t skip = html.find("<a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>");
  const size_t header = html.find("<header");
  const size_t main = html.find("<main class=\"govuk-main-wrapper\" id=\"main-content\">");
  const size_t body = html.find("<h1 class=\"govuk-heading-l\">Work tray</h1>");
  const size_t main_end = html.find("</main>");
  const size_t footer = html.find("<footer class=\"govuk-footer\">");
  ASSERT_NE(skip, std::string::npos);
  ASSERT_NE(main, std::string::npos);
  ASSERT_NE(body, std::string::npos);
  ASSERT_NE(footer, std::string::npos);
  // The skip link is the first thing in the body, before the header.
  EXPECT_LT(skip, header);
  EXPECT_LT(header, main);
  EXPECT_LT(main, body);
  EXPECT_LT(body, main_end);
  EXPECT_LT(main_end, footer);
  EXPECT_THAT(html, Not(HasSubstr("govuk-phase-banner")));
}

TEST(WebLayoutTest, ServiceNameLinksHomeAndTheCurrentItemIsMarked) {
  const std::string html = RenderPage(SignedInTray());
  EXPECT_THAT(html, HasSubstr("<a href=\"/\" class=\"govuk-service-navigation__link\">carelog</a>"));
  EXPECT_THAT(html, HasSubstr("<li class=\"govuk-service-navigation__item govuk-service-navigation__item--active\">\n"
                              "<a class=\"govuk-service-navigation__link\" href=\"/tray\" aria-current=\"page\">"
                              "<strong class=\"govuk-service-navigation__active-fallback\">Work tray</strong></a>"));
  EXPECT_THAT(html, HasSubstr("<li class=\"govuk-service-navigation__item\">\n"
                              "<a class=\"govuk-service-navigation__link\" href=\"/cases\">Cases</a>"));
  // Exactly one current item.
  size_t n = 0;
  for (size_t at = html.find("aria-current"); at != std::string::npos; at = html.find("aria-current", at + 1)) ++n;
  EXPECT_EQ(n, 1u);
}

TEST(WebLayoutTest, ASignedInUserIsNamedAndCanSignOutWithTheCsrfToken) {
  const std::string html = RenderPage(SignedInTray());
  EXPECT_THAT(html, HasSubstr("Signed in as <strong>Sam Patel</strong> (IRO manager)"));
  EXPECT_THAT(html, HasSubstr("<form method=\"post\" action=\"/sign-out\""));
  EXPECT_THAT(html, HasSubstr("<input type=\"hidden\" name=\"csrf_token\" value=\"tok-123\">"));
  EXPECT_THAT(html, HasSubstr(">Sign out</button>"));
}

TEST(WebLayoutTest, NobodySignedInMeansNoAccountAndNoForm) {
  PageShell p = SignedInTray();
  p.user.reset();
  p.navigation.clear();
  const std::string html = RenderPage(p);
  EXPECT_THAT(html, Not(HasSubstr("Signed in")));
  EXPECT_THAT(html, Not(HasSubstr("<form")));
  EXPECT_THAT(html, Not(HasSubstr("tok-123")));
  EXPECT_THAT(html, Not(HasSubstr("<nav")));
  EXPECT_THAT(html, HasSubstr(">carelog</a>"));
}

TEST(WebLayoutTest, PagesWithErrorsSayErrorFirstInTheTitle) {
  PageShell p = SignedInTray();
  p.has_errors = true;
  EXPECT_THAT(RenderPage(p), HasSubstr("<title>Error: Work tray \xE2\x80\x93 carelog</title>"));
}

TEST(WebLayoutTest, EveryTextOfTheShellIsEscapedButTheBodyIsNot) {
  const std::string evil = "<script>x</script>\"";
  PageShell p;
  p.title = evil;
  p.navigation = {{evil, "/a\"><script>", true}};
  p.user = SignedInUser{evil, evil};
  p.csrf_token = "\"><script>";
  p.body = Html{"<p class=\"govuk-body\">kept</p>"};
  const std::string html = RenderPage(p);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("<title>&lt;script&gt;x&lt;/script&gt;&quot; \xE2\x80\x93 carelog</title>"));
  EXPECT_THAT(html, HasSubstr("value=\"&quot;&gt;&lt;script&gt;\""));
  EXPECT_THAT(html, HasSubstr("<p class=\"govuk-body\">kept</p>"));
}

}  // namespace
}  // namespace carelog::web
