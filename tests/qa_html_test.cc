// The QA report's HTML rendered by a real headless Chromium: the charts are
// in the DOM, a screenshot is produced, and the headline figures in the DOM
// equal the JSON report's. Skipped (with the reason) if /usr/bin/chromium is
// absent; tools/quickstart installs it.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kChromium[] = "/usr/bin/chromium";

std::string ChromiumFlags(const TempDir& dir, const std::string& profile) {
  return absl::StrCat(kChromium,
                      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                      " --disable-background-networking --disable-component-update --disable-sync"
                      " --user-data-dir=",
                      dir.Sub(profile));
}

void CheckReportInChromium(const std::string& store, const std::string& from, const std::string& to) {
  TempDir dir;
  const std::string json = dir.Sub("qa.json"), html = dir.Sub("qa.html");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " report qa --store ", store, " --from ", from, " --to ",
                             to, " --format json --out ", json)), 0);
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " report qa --store ", store, " --from ", from, " --to ",
                             to, " --format html --out ", html)), 0);
  const std::string dom_file = dir.Sub("dom.html"), png = dir.Sub("qa.png");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(ChromiumFlags(dir, "p1"), " --dump-dom file://", html, " >", dom_file,
                             " 2>", dir.Sub("chromium1.err"))), 0)
      << carelog::testing::ReadFile(dir.Sub("chromium1.err"));
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(ChromiumFlags(dir, "p2"), " --window-size=1200,2400 --screenshot=", png,
                             " file://", html, " >/dev/null 2>", dir.Sub("chromium2.err"))), 0)
      << carelog::testing::ReadFile(dir.Sub("chromium2.err"));
  const std::string dom = carelog::testing::ReadFile(dom_file);
  const std::string shot = carelog::testing::ReadFile(png);
  ASSERT_GT(shot.size(), 10000u);
  EXPECT_EQ(shot.substr(1, 3), "PNG");

  // The charts, as parsed by the browser.
  for (const char* id : {"chart-trend", "chart-postponements", "chart-postponements-by",
                         "chart-participation"}) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("<svg id=\"", id, "\""))) << id;
  }
  EXPECT_THAT(dom, HasSubstr("<rect class=\"bar\""));
  EXPECT_THAT(dom, HasSubstr("<polyline class=\"line\""));
  EXPECT_THAT(dom, HasSubstr("<table id=\"overdue\">"));
  EXPECT_THAT(dom, HasSubstr("<table id=\"stability\">"));
  EXPECT_THAT(dom, ::testing::Not(HasSubstr("<script")));

  // Every headline figure in the DOM equals the JSON report's.
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(carelog::testing::ReadFile(json));
  int figures = 0;
  for (auto [key, value] : doc["headline"].get_object()) {
    std::string text;
    if (value.is_null()) {
      text = "n/a";
    } else if (value.is_int64()) {
      text = absl::StrCat(int64_t(value));
    } else {
      text = absl::StrFormat("%.1f", double(value));
    }
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("data-figure=\"", std::string(key), "\">", text, "<")))
        << key;
    ++figures;
  }
  EXPECT_EQ(figures, 15);
}

TEST(QaHtmlTest, DemoDataRendersInChromium) {
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent (apt-get install -y chromium; tools/quickstart does)";
  }
  TempDir dir;
  const std::string store = dir.Sub("s");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " gen --children 40 --years 2 --seed 7 --end 2025-09-30 2>/dev/null | ",
                             CARELOG_BINARY, " import --store ", store, " - >/dev/null")), 0);
  CheckReportInChromium(store, "2024-10-01", "2025-09-30");
}

TEST(QaHtmlTest, Ssda903DataRendersInChromium) {
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent (apt-get install -y chromium; tools/quickstart does)";
  }
  TempDir dir;
  const std::string store = dir.Sub("s");
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat(CARELOG_BINARY, " import-903 --skip-invalid --store ", store, " ",
                             CARELOG_SHARED_DIR, "/data/ssda903-fake >/dev/null 2>&1")), 0);
  CheckReportInChromium(store, "2017-04-01", "2018-03-31");
}

}  // namespace
}  // namespace carelog
