// Writes sample pages made with the web look (every component, in the
// layout) and the embedded assets into a folder, for the browser test
// browser_layout_smoke (tests/browser/layout_smoke.js) to open in Chromium
// and check with axe-core. Usage: web_sample_page OUT_DIR. Writes
// OUT_DIR/index.html, OUT_DIR/error.html and OUT_DIR/assets/*.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "tools/web/look/assets.h"
#include "tools/web/look/govuk_components.h"
#include "tools/web/look/layout.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/url_escape.h"

namespace {

using namespace carelog::web;  // NOLINT: a test program

bool WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

std::vector<NavItem> Navigation(std::string_view current) {
  std::vector<NavItem> items = {{"Work tray", "/tray"}, {"Cases", "/cases"}, {"Quality", "/qa"},
                                {"Administration", "/admin"}};
  for (NavItem& i : items) i.current = i.label == current;
  return items;
}

std::string TrayPage() {
  const absl::CivilDay today(2026, 12, 2);
  Html body;
  body += NotificationBanner(BannerKind::kSuccess, "Success", "Review of C-1042 recorded as held",
                             Link("View the case", "/cases/C-1042"), "banner-success");
  body += Heading(1, "Work tray", TextSize::kL, "Leeds City Council");
  body += Paragraph("Deadlines as of " + LongDateWithWeekday(today) + ", last updated " +
                    LondonDateTime(absl::FromCivil(absl::CivilSecond(2026, 12, 2, 14, 5, 0), absl::UTCTimeZone())) +
                    ".");
  body += InsetText("A review is overdue when it was not held within " + WorkingDays(20) +
                    " of the child coming into care.");
  body += RenderTable({
      .caption = "Reviews overdue or due in the next 10 working days",
      .columns = {{.heading = "Child", .sort_href = UrlWithQuery("/tray", {{"sort", "child"}})},
                  {.heading = "Obligation"},
                  {.heading = "Due", .sort_href = UrlWithQuery("/tray", {{"sort", "due"}, {"dir", "desc"}}),
                   .sort = SortState::kAscending},
                  {.heading = "Status"},
                  {.heading = "Working days late", .numeric = true}},
      .rows = {{Link("C-1042", "/cases/C-1042"), "First review", ShortDate(absl::CivilDay(2026, 11, 20)),
                Tag("Overdue", TagColour::kRed), "8"},
               {Link("C-2210", "/cases/C-2210"), "Second review", ShortDate(absl::CivilDay(2026, 12, 9)),
                Tag("Due", TagColour::kBlue), "0"},
               {Link("C-0007", "/cases/C-0007"), "Visit", ShortDate(absl::CivilDay(2026, 9, 30)),
                Tag("Met", TagColour::kGreen), "0"},
               {Link("C-0099", "/cases/C-0099"), "Review", ShortDate(absl::CivilDay(2026, 6, 1)),
                Tag("Closed", TagColour::kGrey), "0"}},
      .first_cell_is_row_header = true});
  body += Heading(2, "On time this quarter", TextSize::kM);
  body += RenderTable({.caption = "Reviews held on time, by team",
                       .caption_size = TextSize::kS,
                       .columns = {{.heading = "Team"}, {.heading = "On time"}, {.heading = "Per cent", .numeric = true}},
                       .rows = {{"North", PercentBar(92), "92%"}, {"South", PercentBar(47, true), "47%"}},
                       .first_cell_is_row_header = true});
  body += Heading(2, "Child C-1042", TextSize::kM);
  body += SummaryList({{"Child", "C-1042"},
                       {"Came into care", LongDate(absl::CivilDay(2026, 10, 23))},
                       {"Status", Tag("Overdue", TagColour::kRed)},
                       {"Independent reviewing officer", ""}});
  body += Details("How are working days counted?",
                  Paragraph("Weekends and bank holidays in England are not working days."));
  body += Html{"<form method=\"get\" action=\"/tray\" novalidate>\n"};
  body += DateInput({.id = "as-of", .name = "as_of", .label = "Show deadlines as of",
                     .hint = "For example, 27/11/2026", .value = "2026-12-02"});
  body += Select({.id = "status", .name = "status", .label = "Status", .value = "overdue"},
                 {{"", "Any status"}, {"overdue", "Overdue"}, {"due", "Due"}, {"met", "Met"}});
  body += TextInput({.id = "child", .name = "child", .label = "Child reference", .hint = "Like C-1042"},
                    InputWidth::k10);
  body += Html{"<div class=\"govuk-button-group\">\n"};
  body += Button("Show deadlines");
  body += LinkButton("Export as CSV", UrlWithQuery("/tray.csv", {{"as_of", "2026-12-02"}}), ButtonStyle::kSecondary);
  body += Html{"</div>\n</form>\n"};
  body += NotificationBanner(BannerKind::kInformation, "Important", "",
                             "Bank holidays for 2027 have not been loaded yet.", "banner-info");
  return RenderPage({.title = "Work tray",
                     .navigation = Navigation("Work tray"),
                     .user = SignedInUser{"Sam Patel", "IRO manager"},
                     .csrf_token = "sample-csrf-token",
                     .body = std::move(body)});
}

std::string ErrorPage() {
  Html body;
  body += ErrorSummary({{"review-date", "Enter the date the review was held"},
                        {"outcome", "Select the outcome of the review"},
                        {"chair", "Enter the name of the person who chaired the review"}});
  body += Heading(1, "Record a review", TextSize::kL, "C-1042");
  body += Html{"<form method=\"post\" action=\"/cases/C-1042/reviews\" novalidate>\n"
               "<input type=\"hidden\" name=\"csrf_token\" value=\"sample-csrf-token\">\n"};
  body += DateInput({.id = "review-date", .name = "review_date", .label = "Date the review was held",
                     .hint = "For example, 27/11/2026", .error = "Enter the date the review was held"});
  body += Select({.id = "outcome", .name = "outcome", .label = "Outcome",
                  .error = "Select the outcome of the review"},
                 {{"", "Choose an outcome"}, {"held", "Held"}, {"adjourned", "Adjourned"}});
  body += TextInput({.id = "chair", .name = "chair", .label = "Chaired by", .hint = "Full name",
                     .error = "Enter the name of the person who chaired the review"},
                    InputWidth::k20, "name");
  body += Button("Save review");
  body += Button("Cancel", ButtonStyle::kWarning, "action", "cancel");
  body += Html{"</form>\n"};
  return RenderPage({.title = "Record a review",
                     .has_errors = true,
                     .navigation = Navigation("Cases"),
                     .user = SignedInUser{"Ada Okafor", "Auditor"},
                     .csrf_token = "sample-csrf-token",
                     .body = std::move(body)});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: web_sample_page OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  bool ok = WriteFile(out / "index.html", TrayPage()) && WriteFile(out / "error.html", ErrorPage());
  for (const Asset& a : AllAssets()) {
    ok = ok && WriteFile(out / std::string(a.path.substr(1)), a.body);
  }
  return ok ? 0 : 1;
}
