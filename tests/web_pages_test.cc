// The pages of the web application (tools/web/pages.h) as functions, without
// a socket: over a store holding tests/cases_fixture.h's four children, what
// each page says must be what the query layer says — the tray's rows, an
// obligation's status as of a date, what was recorded after a known-at
// instant, the QA tables — and no page carries an inline script or style
// (the Content-Security-Policy forbids them).
#include "tools/web/pages.h"

#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/access_log.h"
#include "engine/importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/qa_html.h"
#include "tests/cases_fixture.h"
#include "store/sealing.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class WebPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenTestStore(dir_.Sub("store"), SystemClock());
    std::istringstream in(testing::kFourCasesNdjson);
    ASSERT_TRUE(ImportNdjson(store_.get(), in, ImportOptions{}).ok());
    auto q = Queries::WithEmbeddedPacks(store_.get());
    ASSERT_TRUE(q.ok()) << q.status();
    queries_ = std::move(*q);
    env_ = PageEnv{store_.get(), queries_.get(), &clock_};
  }

  WebRequest Get(const std::string& path, std::map<std::string, std::string> query = {}) {
    WebRequest r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    r.peer = "127.0.0.1:5000";
    return r;
  }

  // The table row of the obligations table holding `rule`.
  static std::string RowOf(const std::string& html, const std::string& table_id,
                           const std::string& rule) {
    const size_t table = html.find(absl::StrCat("id=\"", table_id, "\""));
    if (table == std::string::npos) return "";
    const size_t at = html.find(absl::StrCat(">", rule, "<"), table);
    if (at == std::string::npos) return "";
    const size_t start = html.rfind("<tr", at);
    return html.substr(start, html.find("</tr>", at) - start);
  }

  static void ExpectNoInlineScriptOrStyle(const std::string& html) {
    EXPECT_THAT(html, Not(HasSubstr("<script>")));
    EXPECT_THAT(html, Not(HasSubstr(" style=")));
    EXPECT_THAT(html, Not(HasSubstr("<style")));
    EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::T("2024-06-30T12:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Queries> queries_;
  PageEnv env_;
  const Viewer auditor_{"alice", "auditor", "csrf-of-alice"};
  const Viewer iro_manager_{"ian", "iro_manager", "csrf-of-ian"};
};

TEST_F(WebPagesTest, CasePageShowsAnObligationsStatusAsOfTheDateAsked) {
  auto early = CasePage(env_, Get("/cases/C-A", {{"asOf", "2024-03-10"}}), auditor_);
  auto late = CasePage(env_, Get("/cases/C-A", {{"asOf", "2024-06-30"}}), auditor_);
  ASSERT_EQ(early.status, 200) << early.body;
  ASSERT_EQ(late.status, 200);
  const std::string then = RowOf(early.body, "obligations", "review.initial");
  const std::string now = RowOf(late.body, "obligations", "review.initial");
  ASSERT_FALSE(then.empty()) << early.body;
  EXPECT_THAT(then, HasSubstr("OPEN"));
  EXPECT_THAT(now, HasSubstr("OVERDUE"));
  // The due date is machine-readable for the browser test.
  EXPECT_THAT(now, HasSubstr("<time datetime=\"2024-"));
  // The state: who is responsible, as allocated.
  EXPECT_THAT(late.body, HasSubstr("iro-7"));
  EXPECT_THAT(late.body, HasSubstr("Team North"));
  // The trail: each event with its actor and role, and a proof link for an auditor.
  EXPECT_THAT(late.body, HasSubstr("iroAllocated"));
  EXPECT_THAT(late.body, HasSubstr("irom (IRO_MANAGER)"));
  EXPECT_THAT(late.body, HasSubstr("/proof?event=a4"));
  EXPECT_THAT(late.body, HasSubstr("/access-log?case=C-A"));
  ExpectNoInlineScriptOrStyle(late.body);
  // An IRO manager sees the case but no proof or access-log links.
  auto iro = CasePage(env_, Get("/cases/C-A", {{"asOf", "2024-06-30"}}), iro_manager_);
  EXPECT_THAT(iro.body, Not(HasSubstr("/proof?event=")));
  EXPECT_THAT(iro.body, Not(HasSubstr("/access-log?case=")));
}

TEST_F(WebPagesTest, CasePageKnownAtShowsWhatWasRecordedLater) {
  // Every event was recorded now (the import), long after it happened: as
  // known at 2024-04-01 the record showed nothing.
  auto page = CasePage(env_, Get("/cases/C-A", {{"asOf", "2024-06-30"}, {"knownAt", "2024-04-01"}}),
                       auditor_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("Recorded after the known-at instant"));
  EXPECT_THAT(page.body, HasSubstr("childAccommodated"));
  EXPECT_THAT(page.body, HasSubstr("as known at"));
}

TEST_F(WebPagesTest, EveryCaseViewIsRecordedAndAMissIsRecordedAsNotFound) {
  ASSERT_EQ(CasePage(env_, Get("/cases/C-B"), auditor_).status, 200);
  auto records = ReadAccessLog(*store_, "C-B");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].method(), "CasePage");
  EXPECT_EQ((*records)[0].token_name(), "web:alice");
  EXPECT_EQ((*records)[0].peer(), "127.0.0.1:5000");
  auto missing = CasePage(env_, Get("/cases/C-Z"), auditor_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("C-Z"));
  auto all = ReadAccessLog(*store_, "C-Z");
  ASSERT_TRUE(all.ok());
  ASSERT_FALSE(all->empty());
  EXPECT_EQ(all->back().outcome(), kAccessNotFound);
  // The access-log page lists both reads of C-B (the page view, then its own).
  auto log = AccessLogPage(env_, Get("/access-log", {{"case", "C-B"}}), auditor_);
  ASSERT_EQ(log.status, 200);
  EXPECT_THAT(log.body, HasSubstr("CasePage"));
  EXPECT_THAT(log.body, HasSubstr("AccessLog"));
  EXPECT_THAT(log.body, HasSubstr("web:alice"));
}

// An erased case's page is not a fault of the service: 410, with the
// erasure in words (who, when, why, under what authority).
TEST(WebPagesErasedTest, AnErasedCasesPageSaysItWasErasedAndByWhom) {
  testing::TempDir dir;
  SecretKey master = *SecretKey::Generate();
  StoreOptions o;
  o.sync = false;
  o.master_key = &master;
  auto store = EventStore::Open(dir.Sub("store"), o);
  ASSERT_TRUE(store.ok()) << store.status();
  std::istringstream in(testing::kFourCasesNdjson);
  ASSERT_TRUE(ImportNdjson(store->get(), in, ImportOptions{}).ok());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  ASSERT_TRUE(queries.ok());
  EraseCaseRequest erase;
  erase.case_id = "C-A";
  erase.reason = "court ordered";
  erase.authority = "HC-2026-0042";
  erase.erased_by = "root";
  erase.through = "carelog erase";
  erase.at = absl::Now();
  ASSERT_TRUE((*queries)->Erase(erase).ok());
  FakeClock clock(testing::T("2024-06-30T12:00:00Z"));
  PageEnv env{store->get(), queries->get(), &clock};
  WebRequest r;
  r.method = "GET";
  r.path = "/cases/C-A";
  r.peer = "127.0.0.1:5000";
  auto page = CasePage(env, r, Viewer{"alice", "auditor", "csrf-of-alice"});
  EXPECT_EQ(page.status, 410) << page.body;
  EXPECT_THAT(page.body, HasSubstr("This record was erased"));
  EXPECT_THAT(page.body, HasSubstr("under authority HC-2026-0042"));
  r.path = "/cases/C-B";
  EXPECT_EQ(CasePage(env, r, Viewer{"alice", "auditor", "csrf-of-alice"}).status, 200);
}

TEST_F(WebPagesTest, TrayPageIsTheQueryLayersTrayFilteredAndSorted) {
  auto tray = queries_->WorkTray(absl::CivilDay(2024, 6, 30), WorkTrayFilter{}, 10);
  ASSERT_TRUE(tray.ok()) << tray.status();
  ASSERT_FALSE(tray->rows.empty());
  auto page = TrayPage(env_, Get("/", {{"asOf", "2024-06-30"}}), iro_manager_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr(absl::StrCat(tray->rows.size(), " obligation")));
  for (const WorkTrayRow& r : tray->rows) {
    EXPECT_THAT(page.body, HasSubstr(absl::StrCat("/cases/", r.case_id, "?asOf=2024-06-30")));
  }
  EXPECT_THAT(page.body, Not(HasSubstr("/cases/C-D?")));  // nothing due for C-D
  ExpectNoInlineScriptOrStyle(page.body);

  // Filtered by an IRO: only that IRO's cases; the counts still list both IROs.
  auto iro7_south = TrayPage(env_, Get("/", {{"asOf", "2024-06-30"}, {"iro", "iro-7"}, {"team", "Team South"}}),
                       iro_manager_);
  ASSERT_EQ(iro7_south.status, 200);
  EXPECT_THAT(iro7_south.body, HasSubstr("/cases/C-B?"));
  EXPECT_THAT(iro7_south.body, Not(HasSubstr("/cases/C-A?")));

  // Latest first reverses the order of the rows.
  auto latest = TrayPage(env_, Get("/", {{"asOf", "2024-06-30"}, {"sort", "-due"}}), iro_manager_);
  ASSERT_EQ(latest.status, 200);
  EXPECT_THAT(latest.body, HasSubstr("aria-sort=\"descending\""));
  const std::string first = tray->rows.front().case_id, last = tray->rows.back().case_id;
  if (first != last) {
    EXPECT_LT(latest.body.find(absl::StrCat("/cases/", last, "?")),
              latest.body.find(absl::StrCat("/cases/", first, "?")));
  }
  // Every access to the tray is one read across all cases.
  auto all = ReadAccessLog(*store_, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(all->back().method(), "WorkTray");
}

// A large council's tray is tens of thousands of rows: a page shows 100, in
// the tray's order, with GOV.UK pagination; the counts are of the whole tray.
TEST_F(WebPagesTest, TrayPagesAHundredRowsAtATime) {
  auto gen = testing::RunCarelog("gen --children 40 --years 2 --seed 11 --end 2026-06-30", dir_);
  ASSERT_EQ(gen.status, 0) << gen.err;
  std::istringstream in(gen.out);
  ASSERT_TRUE(ImportNdjson(store_.get(), in, ImportOptions{}).ok());
  auto tray = queries_->WorkTray(absl::CivilDay(2026, 6, 30), WorkTrayFilter{}, 10);
  ASSERT_TRUE(tray.ok());
  ASSERT_GT(tray->rows.size(), 200u) << "the generated tray is too small to page";
  const size_t pages = (tray->rows.size() + 99) / 100;
  auto rows_of = [](const std::string& html) {
    const size_t table = html.find("id=\"tray\"");
    size_t n = 0;
    for (size_t at = html.find("href=\"/cases/", table); at != std::string::npos;
         at = html.find("href=\"/cases/", at + 1)) {
      ++n;
    }
    return n;
  };
  auto first = TrayPage(env_, Get("/", {{"asOf", "2026-06-30"}}), iro_manager_);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(rows_of(first.body), 100u);
  EXPECT_THAT(first.body, HasSubstr(absl::StrCat(tray->rows.size(), " obligations to act on: 1 to 100 shown")));
  EXPECT_THAT(first.body, HasSubstr("rel=\"next\""));
  EXPECT_THAT(first.body, Not(HasSubstr("rel=\"prev\"")));
  EXPECT_THAT(first.body, HasSubstr(absl::StrCat("aria-label=\"Page ", pages, "\"")));
  auto second = TrayPage(env_, Get("/", {{"asOf", "2026-06-30"}, {"page", "2"}}), iro_manager_);
  EXPECT_THAT(second.body, HasSubstr("101 to 200 shown"));
  EXPECT_THAT(second.body, HasSubstr("rel=\"prev\""));
  EXPECT_THAT(second.body, HasSubstr("aria-current=\"page\">2<"));
  // The 101st row of the tray is the first of page 2.
  const WorkTrayRow& r = tray->rows[100];
  const size_t table = second.body.find("id=\"tray\"");
  EXPECT_EQ(second.body.find("href=\"/cases/", table),
            second.body.find(absl::StrCat("href=\"/cases/", r.case_id, "?"), table));
  auto beyond = TrayPage(env_, Get("/", {{"asOf", "2026-06-30"}, {"page", "9999"}}), iro_manager_);
  EXPECT_EQ(beyond.status, 200);
  EXPECT_THAT(beyond.body, HasSubstr(absl::StrCat(" to ", tray->rows.size(), " shown")));
  EXPECT_EQ(TrayPage(env_, Get("/", {{"page", "0"}}), iro_manager_).status, 400);
  EXPECT_EQ(TrayPage(env_, Get("/", {{"page", "two"}}), iro_manager_).status, 400);
}

TEST_F(WebPagesTest, BadQueryValuesGetA400NamingTheField) {
  auto bad = TrayPage(env_, Get("/", {{"days", "0"}}), iro_manager_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("href=\"#days\""));
  EXPECT_THAT(bad.body, HasSubstr("<title>Error: The page could not be shown"));
  auto date = CasePage(env_, Get("/cases/C-A", {{"asOf", "2024-02-30"}}), auditor_);
  EXPECT_EQ(date.status, 400);
  EXPECT_THAT(date.body, HasSubstr("2024-02-30"));
  // Nothing was read, so nothing was recorded.
  EXPECT_TRUE(ReadAccessLog(*store_, "C-A")->empty());
}

TEST_F(WebPagesTest, QaPageAndItsCsvDownloadsAreTheReportsOwn) {
  auto page = QaPage(env_, Get("/qa", {{"from", "2024-01-01"}, {"to", "2024-06-30"}}), auditor_);
  ASSERT_EQ(page.status, 200) << page.body;
  auto report = queries_->Qa(absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 6, 30));
  ASSERT_TRUE(report.ok());
  for (const auto& [name, csv] : RenderQaCsv(*report)) {
    EXPECT_THAT(page.body, HasSubstr(absl::StrCat("/qa/", name, "?from=2024-01-01&amp;to=2024-06-30")));
    auto download = QaCsv(env_, Get(absl::StrCat("/qa/", name), {{"from", "2024-01-01"}, {"to", "2024-06-30"}}),
                          auditor_);
    ASSERT_EQ(download.status, 200) << name;
    EXPECT_EQ(download.body, csv) << name;
    EXPECT_THAT(download.content_type, HasSubstr("text/csv"));
  }
  EXPECT_THAT(page.body, HasSubstr("clg-bar"));
  ExpectNoInlineScriptOrStyle(page.body);
  EXPECT_EQ(QaCsv(env_, Get("/qa/nothing.csv"), auditor_).status, 404);
  auto backwards = QaPage(env_, Get("/qa", {{"from", "2024-06-01"}, {"to", "2024-01-01"}}), auditor_);
  EXPECT_EQ(backwards.status, 400);
}

TEST_F(WebPagesTest, ProofDownloadIsProveJsonOfACaseEventOnly) {
  auto proof = ProofDownload(env_, Get("/proof", {{"event", "a1"}}), auditor_);
  ASSERT_EQ(proof.status, 200) << proof.body;
  EXPECT_EQ(proof.content_type, "application/json");
  EXPECT_THAT(proof.body, HasSubstr("\"eventId\": \"a1\""));
  testing::WriteFile(dir_.Sub("proof.json"), proof.body);
  auto checked = testing::RunCarelog(absl::StrCat("check-proof ", dir_.Sub("proof.json")), dir_);
  EXPECT_EQ(checked.status, 0) << checked.err;
  // Tampered: one hex digit of the leaf changed.
  std::string tampered = proof.body;
  const size_t leaf = tampered.find("\"leaf\": \"");
  ASSERT_NE(leaf, std::string::npos);
  char& digit = tampered[leaf + 20];
  digit = digit == '0' ? '1' : '0';
  testing::WriteFile(dir_.Sub("tampered.json"), tampered);
  EXPECT_NE(testing::RunCarelog(absl::StrCat("check-proof ", dir_.Sub("tampered.json")), dir_).status, 0);
  // The proof was a read of C-A, recorded with the event.
  auto records = ReadAccessLog(*store_, "C-A");
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].method(), "Prove");
  EXPECT_EQ((*records)[0].event_id(), "a1");
  // An access record is not a child's event: no proof of it here.
  auto system = ProofDownload(env_, Get("/proof", {{"event", (*records)[0].event_id() + "x"}}), auditor_);
  EXPECT_EQ(system.status, 404);
}

TEST_F(WebPagesTest, IntegrityPageShowsTheHeadAndOnlyAnAdminGetsTheButton) {
  auto page = IntegrityPage(env_, Get("/integrity"), auditor_);
  ASSERT_EQ(page.status, 200);
  auto head = store_->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_THAT(page.body, HasSubstr(absl::StrCat(head->size)));
  EXPECT_THAT(page.body, Not(HasSubstr("/integrity/verify")));
  auto admin = IntegrityPage(env_, Get("/integrity"), Viewer{"root", "admin", "tok-123"});
  EXPECT_THAT(admin.body, HasSubstr("action=\"/integrity/verify\""));
  EXPECT_THAT(admin.body, HasSubstr("name=\"csrf_token\" value=\"tok-123\""));
}

}  // namespace
}  // namespace carelog
