// The query layer (projections/views/queries.h): each query answers what
// the folds give for the store's cases, packs and calendar, in case order,
// and names a missing case the same way for every caller.
#include "projections/views/queries.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "engine/gen/generate_histories.h"
#include "engine/importer.h"
#include "gtest/gtest.h"
#include "projections/care_plan_state_format.h"
#include "projections/deadlines_format.h"
#include "projections/qa_html.h"
#include "projections/ssda903_return.h"
#include "projections/case_summary.h"
#include "projections/retention.h"
#include "projections/ssda903_export.h"
#include "projections/views/case_packs.h"
#include "tests/generated_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::TempDir;

// How the queries of every case are asked to read (SetWholeStoreReads).
struct Read {
  size_t hold_bytes;
  size_t window;
};

class QueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    absl::Status imported =
        testing::ImportGeneratedHistories(store_.get(), &clock_, 12, 2, 5);
    ASSERT_TRUE(imported.ok()) << imported;
    auto queries = Queries::WithEmbeddedPacks(store_.get());
    ASSERT_TRUE(queries.ok()) << queries.status();
    queries_ = std::move(*queries);
    auto cases = store_->Streams();
    ASSERT_TRUE(cases.ok());
    cases_ = *cases;
    ASSERT_EQ(cases_.size(), 12u);
  }

  std::vector<v1::Event> Events(const std::string& id) {
    EventLog log(store_.get(), &clock_);
    auto events = log.ReadCase(id);
    EXPECT_TRUE(events.ok());
    return *events;
  }

  // Every case's obligations as the query delivers them, as JSON.
  std::string DeadlinesJson(const DeadlinesQuery& q, absl::Status* status) {
    std::string out;
    *status = queries_->Deadlines(
        q, [](CaseDeadlinesAnswer& a) { a.text = DeadlinesJsonJoin::CaseText(a.deadlines); },
        [&](CaseDeadlinesAnswer& a) {
          absl::StrAppend(&out, a.text, "\n");
          return absl::OkStatus();
        });
    return out;
  }

  // A budget of about half the log's records as LogByCase counts them: the
  // queries of every case then read it in two passes.
  size_t TwoPassBudget() {
    auto per_byte = LogByCase::EstimatePasses(*store_, 1);
    EXPECT_TRUE(per_byte.ok());
    const size_t budget = per_byte.ok() ? *per_byte / 2 + *per_byte / 8 : 1;
    EXPECT_EQ(LogByCase::EstimatePasses(*store_, budget).value_or(0), 2u);
    return budget;
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 5, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Queries> queries_;
  std::vector<std::string> cases_;
};

TEST_F(QueriesTest, DeadlinesAreTheFoldOfEveryCaseInCaseOrder) {
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  CasePacks packs(store_.get(), &*registry);
  const absl::CivilDay as_of(2025, 6, 30);
  std::string want;
  for (const std::string& id : cases_) {
    CaseDeadlines d = FoldDeadlines(id, Events(id), **packs.For(id), Calendar::Default(), as_of);
    d.findings.clear();
    absl::StrAppend(&want, DeadlinesJsonJoin::CaseText(d), "\n");
  }
  for (bool use_checkpoints : {true, false}) {
    DeadlinesQuery q;
    q.as_of = as_of;
    q.use_checkpoints = use_checkpoints;
    absl::Status s;
    EXPECT_EQ(DeadlinesJson(q, &s), want);
    EXPECT_TRUE(s.ok()) << s;
  }
  // A replay reads the log in one pass (above), in many (a budget of about
  // one case's records), or case by case (no pass allowed): the same answer.
  struct Replay {
    size_t hold_bytes;
    size_t max_passes;
  };
  for (Replay r : {Replay{16 << 10, 1000}, Replay{1, 1000}, Replay{kReplayHoldBytes, 0}}) {
    DeadlinesQuery q;
    q.as_of = as_of;
    q.use_checkpoints = false;
    q.replay_hold_bytes = r.hold_bytes;
    q.replay_max_passes = r.max_passes;
    absl::Status s;
    EXPECT_EQ(DeadlinesJson(q, &s), want) << r.hold_bytes << " bytes, " << r.max_passes;
    EXPECT_TRUE(s.ok()) << s;
  }
  // From checkpoints once they are written: the same answer.
  ASSERT_TRUE(queries_->UpdateCheckpoints(/*rebuild=*/false).ok());
  DeadlinesQuery q;
  q.as_of = as_of;
  absl::Status s;
  EXPECT_EQ(DeadlinesJson(q, &s), want);
  EXPECT_TRUE(s.ok()) << s;
}

TEST_F(QueriesTest, OneCaseAndAMissingCase) {
  DeadlinesQuery q;
  q.as_of = absl::CivilDay(2025, 6, 30);
  q.case_id = cases_[3];
  absl::Status s;
  EXPECT_FALSE(DeadlinesJson(q, &s).empty());
  EXPECT_TRUE(s.ok()) << s;
  q.case_id = "C-nobody";
  EXPECT_EQ(DeadlinesJson(q, &s), "");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no case 'C-nobody' in the store");
  q.case_id = "";  // an empty id is a case id like any other, not "every case"
  DeadlinesJson(q, &s);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  auto trail = queries_->Audit("C-nobody", CaseTrailOptions());
  EXPECT_EQ(trail.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(trail.status().message(), "no case 'C-nobody' in the store");
}

TEST_F(QueriesTest, DeliverErrorStopsTheQuery) {
  DeadlinesQuery q;
  q.as_of = absl::CivilDay(2025, 6, 30);
  int delivered = 0;
  absl::Status s = queries_->Deadlines(
      q, [](CaseDeadlinesAnswer&) {},
      [&](CaseDeadlinesAnswer&) {
        return ++delivered == 2 ? absl::CancelledError("enough") : absl::OkStatus();
      });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(delivered, 2);
}

TEST_F(QueriesTest, CalendarIsKeptUntilTheHolidaysSettingChanges) {
  auto first = queries_->CurrentCalendar();
  ASSERT_TRUE(first.ok());
  auto again = queries_->CurrentCalendar();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  ASSERT_TRUE(store_
                  ->PutSetting(kHolidaysSetting,
                               R"({"england-and-wales":{"division":"england-and-wales","events":[)"
                               R"({"title":"Extra","date":"2025-07-01"}]}})")
                  .ok());
  auto changed = queries_->CurrentCalendar();
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(first->get(), changed->get());
  const absl::CivilDay extra(2025, 7, 1);
  EXPECT_TRUE((*first)->calendar.IsWorkingDay(Division::kEnglandAndWales, extra));
  EXPECT_FALSE((*changed)->calendar.IsWorkingDay(Division::kEnglandAndWales, extra));
}

TEST_F(QueriesTest, QaAuditAndCasesAnswerFromTheLog) {
  auto qa = queries_->Qa(absl::CivilDay(2024, 10, 1), absl::CivilDay(2025, 9, 30));
  ASSERT_TRUE(qa.ok()) << qa.status();
  EXPECT_FALSE(RenderQaJson(*qa).empty());
  auto trail = queries_->Audit(cases_[0], CaseTrailOptions());
  ASSERT_TRUE(trail.ok()) << trail.status();
  EXPECT_EQ(trail->case_id, cases_[0]);
  std::vector<std::string> listed;
  ASSERT_TRUE(queries_
                  ->Cases([&](const CaseSummary& s) {
                    EXPECT_EQ(s.events, Events(s.case_id).size());
                    listed.push_back(s.case_id);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(listed, cases_);
  auto access = queries_->AccessLog("");
  ASSERT_TRUE(access.ok());
  EXPECT_TRUE(access->empty());
}

// The QA report is ComputeQaReport over every case's events and fold, read
// from one pass of the log, from two, case by case (a budget too small for
// a pass), a window of one case or of several at a time: the same JSON each
// way.
TEST_F(QueriesTest, QaIsTheReportOfEveryCaseHoweverTheLogIsRead) {
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  CasePacks packs(store_.get(), &*registry);
  const absl::CivilDay from(2024, 10, 1), to(2025, 9, 30);
  std::vector<QaCase> cases;
  for (const std::string& id : cases_) {
    QaCase c;
    c.case_id = id;
    c.events = Events(id);
    c.pack = *packs.For(id);
    c.deadlines = FoldDeadlines(id, c.events, *c.pack, Calendar::Default(), to);
    cases.push_back(std::move(c));
  }
  const std::string want = RenderQaJson(ComputeQaReport(cases, from, to, Calendar::Default()));
  ASSERT_NE(want.find("\"reviewsHeld\""), std::string::npos);
  const size_t two_passes = TwoPassBudget();
  for (Read r : {Read{kReplayHoldBytes, 256}, Read{kReplayHoldBytes, 1}, Read{two_passes, 5},
                 Read{1, 5}, Read{1, 256}}) {
    queries_->SetWholeStoreReads(r.hold_bytes, r.window);
    auto qa = queries_->Qa(from, to);
    ASSERT_TRUE(qa.ok()) << qa.status();
    EXPECT_EQ(RenderQaJson(*qa), want) << r.hold_bytes << " bytes, window " << r.window;
  }
}

// Cases, Return903 and Retention are the folds of every case's events, in
// case order, however the log is read (one pass, two, case by case) and however
// many cases a window folds at once.
TEST_F(QueriesTest, EveryCaseQueriesAreTheFoldsOfEachCaseHoweverTheLogIsRead) {
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  CasePacks packs(store_.get(), &*registry);
  auto describe_summary = [](const CaseSummary& c) {
    auto day = [](const std::optional<absl::CivilDay>& d) {
      return d ? absl::FormatCivilTime(*d) : std::string("-");
    };
    return absl::StrCat(c.case_id, " ", c.events, " ", c.periods_of_care, " ", c.looked_after,
                        " ", day(c.looked_after_since), " ", c.reviews_held, " ",
                        day(c.last_review), " ", day(c.last_event), "\n");
  };
  auto csv = [](const Ssda903Tables& t) {
    std::string all;
    for (const Ssda903Table* table : t.All()) absl::StrAppend(&all, table->file, "\n", table->text);
    return all;
  };
  const absl::CivilDay as_of(2025, 9, 30);
  std::string want_cases;
  Ssda903Tables want_903 = Start903Tables();
  std::vector<CaseRetention> want_retention;
  for (const std::string& id : cases_) {
    absl::StrAppend(&want_cases, describe_summary(SummariseCase(id, Events(id))));
    if (auto child = Build903Child(id, Events(id), 2025)) Append903Child(*child, &want_903);
    want_retention.push_back(
        WorkOutRetention(id, (*packs.For(id))->name, Events(id),
                         (*packs.For(id))->retention ? &*(*packs.For(id))->retention : nullptr));
  }
  ASSERT_GT(want_903.children, 0u);
  const std::string want_retention_json = RenderRetentionJson(want_retention, {}, as_of);
  const size_t two_passes = TwoPassBudget();
  for (Read r : {Read{kReplayHoldBytes, 256}, Read{kReplayHoldBytes, 5}, Read{two_passes, 3},
                 Read{1, 1}, Read{1, 256}}) {
    queries_->SetWholeStoreReads(r.hold_bytes, r.window);
    std::string got_cases;
    ASSERT_TRUE(queries_
                    ->Cases([&](const CaseSummary& c) {
                      absl::StrAppend(&got_cases, describe_summary(c));
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_EQ(got_cases, want_cases) << r.hold_bytes << " bytes, window " << r.window;
    Ssda903Tables got_903 = Start903Tables();
    ASSERT_TRUE(queries_
                    ->Return903(2025,
                                [&](const Child903& child) {
                                  Append903Child(child, &got_903);
                                  return absl::OkStatus();
                                })
                    .ok());
    EXPECT_EQ(got_903.children, want_903.children);
    EXPECT_EQ(csv(got_903), csv(want_903)) << r.hold_bytes << " bytes, window " << r.window;
    auto retention = queries_->Retention();
    ASSERT_TRUE(retention.ok()) << retention.status();
    EXPECT_EQ(RenderRetentionJson(*retention, {}, as_of), want_retention_json)
        << r.hold_bytes << " bytes, window " << r.window;
    // A deliver that fails stops the query with its error.
    int delivered = 0;
    absl::Status stopped = queries_->Cases([&](const CaseSummary&) {
      return ++delivered == 3 ? absl::CancelledError("enough") : absl::OkStatus();
    });
    EXPECT_EQ(stopped, absl::CancelledError("enough"));
    EXPECT_EQ(delivered, 3);
  }
}

// The state of a case is the fold of its events with its deadlines, under
// the case's pack and the store's calendar; known-at leaves out what was
// recorded later (here: everything, imported on 2025-10-05).
TEST_F(QueriesTest, CarePlanStateIsTheFoldOfTheCaseAndKnownAtLeavesOutLaterRecords) {
  const absl::CivilDay as_of(2025, 6, 30);
  auto state = queries_->State(cases_[0], as_of, std::nullopt);
  ASSERT_TRUE(state.ok()) << state.status();
  auto registry = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(registry.ok());
  const ResolvedPack& pack = **registry->Find("england");
  const std::vector<v1::Event> events = Events(cases_[0]);
  const CaseDeadlines d = FoldDeadlines(cases_[0], events, pack, Calendar::Default(), as_of);
  const CarePlanState want =
      FoldCarePlanState(cases_[0], events, d, pack, Calendar::Default(), as_of);
  EXPECT_EQ(RenderCarePlanStateJson(*state), RenderCarePlanStateJson(want));
  EXPECT_GE(state->periods, 1);

  const absl::Time before_import = absl::FromCivil(absl::CivilSecond(2025, 10, 1, 0, 0, 0),
                                                   absl::UTCTimeZone());
  auto then = queries_->State(cases_[0], as_of, before_import);
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(then->known_at, before_import);
  EXPECT_EQ(then->periods, 0);
  EXPECT_TRUE(then->history.empty());

  auto missing = queries_->State("C-nobody", as_of, std::nullopt);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace carelog
