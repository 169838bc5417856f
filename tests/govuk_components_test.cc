// The GOV.UK components as HTML (tools/web/look/govuk_components.h, html.h).
#include "tools/web/look/govuk_components.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kScript = "<script>alert('x')</script> & \"q\"";
constexpr std::string_view kEscaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;";

int Count(std::string_view haystack, std::string_view needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

TEST(HtmlTest, EscapesTheFiveSpecialCharactersAndNothingElse) {
  EXPECT_EQ(EscapeHtml(kScript), kEscaped);
  EXPECT_EQ(EscapeHtml("Zoë O’Brien, 3 > 2"), "Zoë O’Brien, 3 &gt; 2");
  EXPECT_EQ(EscapeHtml(""), "");
  // Already-escaped text is escaped again: the functions take text, not HTML.
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");
}

TEST(HtmlTest, ContentEscapesTextButKeepsHtml) {
  EXPECT_EQ(Content(kScript).html(), kEscaped);
  EXPECT_EQ(Content(std::string(kScript)).html(), kEscaped);
  EXPECT_EQ(Content(Html{"<b>x</b>"}).html(), "<b>x</b>");
}

// Every text argument of every component, given a script: none comes out
// as markup.
TEST(GovukComponentsTest, NoTextArgumentComesOutAsMarkup) {
  const std::string s(kScript);
  std::vector<Html> all = {
      Heading(1, s, TextSize::kL, s),
      Paragraph(s),
      Link(s, s),
      SummaryList({{s, s}}),
      RenderTable({.caption = s,
                   .columns = {{.heading = s}, {.heading = s, .sort_href = s}},
                   .rows = {{s, s}},
                   .first_cell_is_row_header = true,
                   .id = s}),
      Tag(s, TagColour::kRed),
      ErrorSummary({{s, s}}),
      ErrorMessage(s, s),
      TextInput({.id = s, .name = s, .label = s, .hint = s, .error = s, .value = s},
                InputWidth::kFull, s),
      PasswordInput({.id = s, .name = s, .label = s, .hint = s, .error = s, .value = s},
                    InputWidth::kFull, s),
      DateInput({.id = s, .name = s, .label = s, .hint = s, .error = s, .value = s}),
      Select({.id = s, .name = s, .label = s, .hint = s, .error = s, .value = s}, {{s, s}}),
      Button(s, ButtonStyle::kPrimary, s, s),
      LinkButton(s, s),
      NotificationBanner(BannerKind::kInformation, s, s, s, s),
      InsetText(s),
      Details(s, s),
  };
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_THAT(all[i].value, Not(HasSubstr("<script")));
    EXPECT_THAT(all[i].value, Not(HasSubstr("'x'")));
    EXPECT_THAT(all[i].value, HasSubstr("&lt;script&gt;"));
  }
}

TEST(GovukComponentsTest, HeadingHasItsLevelSizeAndCaptionInside) {
  EXPECT_EQ(Heading(2, "Overdue reviews", TextSize::kM).value,
            "<h2 class=\"govuk-heading-m\">Overdue reviews</h2>\n");
  const std::string h = Heading(1, "Case C-1", TextSize::kXl, "Leeds").value;
  EXPECT_EQ(h.find("<h1 class=\"govuk-heading-xl\"><span class=\"govuk-caption-xl\">Leeds</span>"), 0u);
  EXPECT_THAT(h, HasSubstr("Case C-1</h1>"));
  EXPECT_THAT(Heading(9, "x", TextSize::kS).value, HasSubstr("<h6 class=\"govuk-heading-s\">"));
  EXPECT_THAT(Heading(0, "x", TextSize::kS).value, HasSubstr("<h1 "));
}

TEST(GovukComponentsTest, SummaryListHasARowPerPairAndNamesAMissingValue) {
  const std::string html =
      SummaryList({{"Child", "C-1"}, {"Placed", Html{"<strong>yes</strong>"}}, {"Social worker", ""}}).value;
  EXPECT_EQ(Count(html, "<div class=\"govuk-summary-list__row\">"), 3);
  EXPECT_THAT(html, HasSubstr("<dt class=\"govuk-summary-list__key\">Child</dt>\n"
                              "<dd class=\"govuk-summary-list__value\">C-1</dd>"));
  EXPECT_THAT(html, HasSubstr("<dd class=\"govuk-summary-list__value\"><strong>yes</strong></dd>"));
  EXPECT_THAT(html, HasSubstr("<dd class=\"govuk-summary-list__value\">Not recorded</dd>"));
}

TEST(GovukComponentsTest, TableRightAlignsNumericColumnsAndKeepsRowsRectangular) {
  const std::string html = RenderTable({.caption = "Overdue",
                                        .columns = {{.heading = "Child"},
                                                    {.heading = "Days late", .numeric = true}},
                                        .rows = {{"C-1", "3"}, {"C-2"}, {"C-3", "1", "extra"}},
                                        .first_cell_is_row_header = true})
                               .value;
  EXPECT_THAT(html, HasSubstr("<caption class=\"govuk-table__caption govuk-table__caption--m\">Overdue</caption>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Days late</th>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\" class=\"govuk-table__header\">C-1</th>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"govuk-table__cell govuk-table__cell--numeric\">3</td>"));
  // Three rows of two cells: the short row padded, the long one cut.
  EXPECT_EQ(Count(html, "<tr class=\"govuk-table__row\">"), 4);
  EXPECT_EQ(Count(html, "<td "), 3);
  EXPECT_EQ(Count(html, "<th scope=\"row\""), 3);
  EXPECT_THAT(html, Not(HasSubstr("extra")));
  EXPECT_THAT(html, Not(HasSubstr("aria-sort")));
}

TEST(GovukComponentsTest, ATableScrollsInAFocusableRegionNamedByItsCaption) {
  const std::string html =
      RenderTable({.caption = "Cases & reviews", .columns = {{.heading = "Child"}}, .rows = {{"C-1"}}}).value;
  EXPECT_EQ(html.find("<div class=\"clg-table-wrapper\" role=\"region\" aria-label=\"Cases &amp; reviews\" "
                      "tabindex=\"0\">\n<table class=\"govuk-table\">"),
            0u);
  EXPECT_TRUE(html.ends_with("</table>\n</div>\n"));
}

TEST(GovukComponentsTest, ATableCarriesItsIdOnlyWhenGiven) {
  const std::string with =
      RenderTable({.caption = "Tray", .columns = {{.heading = "Case"}}, .rows = {{"C-1"}}, .id = "tray"})
          .value;
  EXPECT_THAT(with, HasSubstr("<table class=\"govuk-table\" id=\"tray\">"));
  const std::string without =
      RenderTable({.caption = "Tray", .columns = {{.heading = "Case"}}, .rows = {{"C-1"}}}).value;
  EXPECT_THAT(without, HasSubstr("<table class=\"govuk-table\">"));
  EXPECT_THAT(without, Not(HasSubstr(" id=")));
}

TEST(GovukComponentsTest, SortableColumnsLinkAndSayHowTheyAreSorted) {
  const std::string html =
      RenderTable({.caption = "Cases",
                   .columns = {{.heading = "Due", .sort_href = "/tray?sort=due&dir=desc",
                                .sort = SortState::kAscending},
                               {.heading = "Child", .sort_href = "/tray?sort=child"}},
                   .rows = {}})
          .value;
  EXPECT_THAT(html, HasSubstr("aria-sort=\"ascending\"><a class=\"govuk-link\" "
                              "href=\"/tray?sort=due&amp;dir=desc\">Due</a></th>"));
  EXPECT_THAT(html, HasSubstr("aria-sort=\"none\"><a class=\"govuk-link\" href=\"/tray?sort=child\">Child</a>"));
}

TEST(GovukComponentsTest, TagColourIsTheCallersChoice) {
  EXPECT_EQ(Tag("Overdue", TagColour::kRed).value, "<strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>");
  EXPECT_EQ(Tag("Met", TagColour::kGreen).value, "<strong class=\"govuk-tag govuk-tag--green\">Met</strong>");
  EXPECT_EQ(Tag("Closed", TagColour::kGrey).value, "<strong class=\"govuk-tag govuk-tag--grey\">Closed</strong>");
  // Blue is GOV.UK's default tag: no modifier class.
  EXPECT_EQ(Tag("Open", TagColour::kBlue).value, "<strong class=\"govuk-tag\">Open</strong>");
}

TEST(GovukComponentsTest, ErrorSummaryLinksEachErrorToItsField) {
  EXPECT_EQ(ErrorSummary({}).value, "");
  const std::string html =
      ErrorSummary({{"review-date", "Enter the review date"}, {"reason", "Select a reason"}}).value;
  EXPECT_THAT(html, HasSubstr("There is a problem"));
  EXPECT_THAT(html, HasSubstr("role=\"alert\""));
  EXPECT_THAT(html, HasSubstr("<a href=\"#review-date\">Enter the review date</a>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"#reason\">Select a reason</a>"));
}

TEST(GovukComponentsTest, AFieldWithAnErrorIsDescribedByItsHintAndError) {
  const std::string html = TextInput({.id = "name",
                                      .name = "full_name",
                                      .label = "Full name",
                                      .hint = "As on the care plan",
                                      .error = "Enter a name",
                                      .value = "Sam"},
                                     InputWidth::k20, "name")
                               .value;
  EXPECT_THAT(html, HasSubstr("<div class=\"govuk-form-group govuk-form-group--error\">"));
  EXPECT_THAT(html, HasSubstr("<label class=\"govuk-label\" for=\"name\">Full name</label>"));
  EXPECT_THAT(html, HasSubstr("<div id=\"name-hint\" class=\"govuk-hint\">As on the care plan</div>"));
  EXPECT_THAT(html, HasSubstr("<p id=\"name-error\" class=\"govuk-error-message\">"
                              "<span class=\"govuk-visually-hidden\">Error:</span> Enter a name</p>"));
  EXPECT_THAT(html, HasSubstr("<input class=\"govuk-input govuk-input--width-20 govuk-input--error\" "
                              "id=\"name\" name=\"full_name\" type=\"text\" value=\"Sam\" "
                              "aria-describedby=\"name-hint name-error\" autocomplete=\"name\">"));
  // The error comes before the input (GOV.UK's order), after the hint.
  EXPECT_LT(html.find("name-hint\" class"), html.find("name-error\" class"));
  EXPECT_LT(html.find("govuk-error-message"), html.find("<input"));
}

TEST(GovukComponentsTest, AFieldWithoutHintOrErrorHasNoDescribedBy) {
  const std::string html = TextInput({.id = "q", .name = "q", .label = "Search"}).value;
  EXPECT_THAT(html, HasSubstr("<div class=\"govuk-form-group\">"));
  EXPECT_THAT(html, Not(HasSubstr("aria-describedby")));
  EXPECT_THAT(html, Not(HasSubstr("autocomplete")));
  EXPECT_THAT(html, HasSubstr("class=\"govuk-input\" id=\"q\""));
}

TEST(GovukComponentsTest, ALabelCanBeThePageHeading) {
  const std::string html =
      TextInput({.id = "q", .name = "q", .label = "What is the case?", .label_is_page_heading = true}).value;
  EXPECT_THAT(html, HasSubstr("<h1 class=\"govuk-label-wrapper\"><label class=\"govuk-label govuk-label--l\" "
                              "for=\"q\">What is the case?</label>\n</h1>"));
}

TEST(GovukComponentsTest, PasswordInputIsAPasswordFieldWithItsAutocomplete) {
  const std::string html =
      PasswordInput({.id = "password", .name = "password", .label = "Password"}, InputWidth::kFull,
                    "current-password")
          .value;
  EXPECT_EQ(Count(html, "<input"), 1);
  EXPECT_THAT(html, HasSubstr("type=\"password\" value=\"\""));
  EXPECT_THAT(html, HasSubstr("autocomplete=\"current-password\""));
  EXPECT_THAT(html, HasSubstr("<label class=\"govuk-label\" for=\"password\">Password</label>"));
}

TEST(GovukComponentsTest, DateInputIsOneNativeDateField) {
  const std::string html = DateInput({.id = "as-of",
                                      .name = "as_of",
                                      .label = "Show deadlines as of",
                                      .hint = "For example, 2026-12-02",
                                      .value = "2026-12-02"})
                               .value;
  EXPECT_EQ(Count(html, "<input"), 1);
  EXPECT_THAT(html, HasSubstr("type=\"date\" value=\"2026-12-02\" aria-describedby=\"as-of-hint\""));
  EXPECT_THAT(html, HasSubstr("<label class=\"govuk-label\" for=\"as-of\">Show deadlines as of</label>"));
}

TEST(GovukComponentsTest, SelectMarksTheCurrentValue) {
  const std::string html = Select({.id = "status", .name = "status", .label = "Status", .value = "overdue"},
                                  {{"", "Any"}, {"overdue", "Overdue"}, {"met", "Met"}})
                               .value;
  EXPECT_THAT(html, HasSubstr("<option value=\"overdue\" selected>Overdue</option>"));
  EXPECT_THAT(html, HasSubstr("<option value=\"met\">Met</option>"));
  EXPECT_THAT(html, HasSubstr("<option value=\"\">Any</option>"));
  EXPECT_EQ(Count(html, " selected"), 1);
  const std::string err =
      Select({.id = "s", .name = "s", .label = "S", .error = "Select one"}, {{"a", "A"}}).value;
  EXPECT_THAT(err, HasSubstr("<select class=\"govuk-select govuk-select--error\" id=\"s\" name=\"s\" "
                             "aria-describedby=\"s-error\">"));
}

TEST(GovukComponentsTest, ButtonsSubmitAndLinkButtonsLink) {
  EXPECT_EQ(Button("Save").value, "<button type=\"submit\" class=\"govuk-button\">Save</button>\n");
  EXPECT_EQ(Button("Close", ButtonStyle::kWarning, "action", "close").value,
            "<button type=\"submit\" class=\"govuk-button govuk-button--warning\" name=\"action\" "
            "value=\"close\">Close</button>\n");
  EXPECT_EQ(LinkButton("Export", "/export?f=csv&x=1", ButtonStyle::kSecondary).value,
            "<a href=\"/export?f=csv&amp;x=1\" role=\"button\" draggable=\"false\" "
            "class=\"govuk-button govuk-button--secondary\">Export</a>\n");
}

TEST(GovukComponentsTest, SuccessBannerIsAnAlertAndInformationARegion) {
  const std::string ok = NotificationBanner(BannerKind::kSuccess, "Success", "Review recorded").value;
  EXPECT_THAT(ok, HasSubstr("class=\"govuk-notification-banner govuk-notification-banner--success\" "
                            "role=\"alert\" aria-labelledby=\"govuk-notification-banner-title\""));
  EXPECT_THAT(ok, HasSubstr("id=\"govuk-notification-banner-title\">Success</h2>"));
  EXPECT_THAT(ok, HasSubstr("<p class=\"govuk-notification-banner__heading\">Review recorded</p>"));
  EXPECT_THAT(ok, Not(HasSubstr("govuk-body")));
  const std::string info =
      NotificationBanner(BannerKind::kInformation, "Important", "", "Data as of today", "b2").value;
  EXPECT_THAT(info, HasSubstr("class=\"govuk-notification-banner\" role=\"region\" aria-labelledby=\"b2\""));
  EXPECT_THAT(info, HasSubstr("<p class=\"govuk-body\">Data as of today</p>"));
  EXPECT_THAT(info, Not(HasSubstr("__heading")));
}

TEST(GovukComponentsTest, InsetTextAndDetailsWrapTheirContent) {
  EXPECT_EQ(InsetText("Reviews are due within 20 working days.").value,
            "<div class=\"govuk-inset-text\">Reviews are due within 20 working days.</div>\n");
  const std::string d = Details("How is this worked out?", Html{"<p class=\"govuk-body\">Rules</p>"}).value;
  EXPECT_THAT(d, HasSubstr("<details class=\"govuk-details\">"));
  EXPECT_THAT(d, HasSubstr("<span class=\"govuk-details__summary-text\">How is this worked out?</span>"));
  EXPECT_THAT(d, HasSubstr("<div class=\"govuk-details__text\"><p class=\"govuk-body\">Rules</p></div>"));
}

TEST(GovukComponentsTest, NoComponentWritesAStyleAttributeOrScript) {
  std::vector<Html> all = {
      Heading(1, "a", TextSize::kL, "b"), SummaryList({{"a", "b"}}),
      RenderTable({.caption = "c", .columns = {{.heading = "h", .numeric = true}}, .rows = {{"1"}}}),
      Tag("t", TagColour::kYellow), ErrorSummary({{"f", "m"}}),
      DateInput({.id = "d", .name = "d", .label = "D", .error = "e"}),
      NotificationBanner(BannerKind::kSuccess, "s", "h", "b"), Details("s", "b")};
  for (const Html& h : all) {
    EXPECT_THAT(h.value, Not(HasSubstr("style=")));
    EXPECT_THAT(h.value, Not(HasSubstr("<script")));
    EXPECT_THAT(h.value, Not(HasSubstr(" on")));  // no onclick= and the like
  }
}

TEST(GovukComponentsTest, PercentBarRoundsToAWidthClassCarelogCssHas) {
  const auto width = [](double p) {
    const std::string html = PercentBar(p).value;
    const size_t at = html.find(" clg-bar-");
    return html.substr(at + 9, html.find('"', at) - at - 9);
  };
  EXPECT_EQ(width(92), "90");
  EXPECT_EQ(width(92.5), "95");
  EXPECT_EQ(width(2.4), "0");
  EXPECT_EQ(width(2.6), "5");
  EXPECT_EQ(width(100), "100");
  EXPECT_EQ(width(250), "100");
  EXPECT_EQ(width(-3), "0");
  EXPECT_EQ(width(std::nan("")), "0");
  EXPECT_THAT(PercentBar(47, true).value, HasSubstr("clg-bar__fill clg-bar__fill--overdue clg-bar-45"));
  EXPECT_THAT(PercentBar(47).value, HasSubstr("aria-hidden=\"true\""));
  EXPECT_THAT(PercentBar(47).value, Not(HasSubstr("style=")));
}

}  // namespace
}  // namespace carelog::web
