// Queries::WorkTray on a generated store: from checkpoints the same tray as
// folded from the log, as of several dates (after the last event, a year on,
// and before it, which is folded either way); every row an OVERDUE or OPEN
// obligation Queries::Deadlines reports, and every one of those in the
// window a row; filters and counts through the query; bad windows refused.
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "engine/gen/generate_histories.h"
#include "engine/importer.h"
#include "gtest/gtest.h"
#include "projections/care_plan_state.h"
#include "projections/views/queries.h"
#include "projections/work_tray.h"
#include "tests/generated_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::TempDir;

// case, rule, review, due, status.
using Key = std::tuple<std::string, std::string, std::string, absl::CivilDay, std::string>;

class WorkTrayQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    absl::Status imported =
        testing::ImportGeneratedHistories(store_.get(), &clock_, 60, 3, 16);
    ASSERT_TRUE(imported.ok()) << imported;
    auto queries = Queries::WithEmbeddedPacks(store_.get());
    ASSERT_TRUE(queries.ok());
    queries_ = std::move(*queries);
    ASSERT_TRUE(queries_->UpdateCheckpoints(false).ok());
  }

  WorkTray Tray(absl::CivilDay as_of, const WorkTrayFilter& f, int days, bool checkpoints) {
    auto t = queries_->WorkTray(as_of, f, days, checkpoints);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *std::move(t) : WorkTray();
  }

  // Every OVERDUE obligation and every OPEN one due by `horizon`, as
  // Queries::Deadlines reports them.
  std::set<Key> DeadlinesInWindow(absl::CivilDay as_of, int days) {
    std::set<Key> out;
    DeadlinesQuery q;
    q.as_of = as_of;
    absl::Status s = queries_->Deadlines(
        q, [](CaseDeadlinesAnswer&) {},
        [&](CaseDeadlinesAnswer& a) {
          const absl::CivilDay horizon =
              DueSoonHorizon(Calendar::Default(), a.deadlines.division, as_of, days);
          for (const Obligation& o : a.deadlines.obligations) {
            if (o.status == ObligationStatus::kOverdue ||
                (o.status == ObligationStatus::kOpen && o.due <= horizon)) {
              out.insert({o.case_id, o.rule_id, o.review_id, o.due,
                          std::string(ObligationStatusName(o.status))});
            }
          }
          return absl::OkStatus();
        });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 5, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Queries> queries_;
  const absl::CivilDay today_{2025, 10, 5};
};

TEST_F(WorkTrayQueryTest, FromCheckpointsTheSameTrayAsFoldedAndOnlyDeadlinesRows) {
  for (absl::CivilDay d : {today_, today_ + 40, today_ + 365, absl::CivilDay(2025, 3, 3)}) {
    for (int days : {1, 10, 30}) {
      const WorkTray with = Tray(d, {}, days, true);
      const WorkTray without = Tray(d, {}, days, false);
      EXPECT_EQ(RenderWorkTrayJson(with), RenderWorkTrayJson(without))
          << FormatDate(d) << " " << days;
      EXPECT_FALSE(with.rows.empty()) << FormatDate(d) << " " << days;
      EXPECT_EQ(with.overdue + with.due_soon, static_cast<int>(with.rows.size()));

      std::set<Key> rows;
      for (const WorkTrayRow& r : with.rows) {
        EXPECT_TRUE(r.status == ObligationStatus::kOverdue || r.status == ObligationStatus::kOpen);
        EXPECT_TRUE(rows.insert({r.case_id, r.rule_id, r.review_id, r.due,
                                 std::string(ObligationStatusName(r.status))})
                        .second)
            << "a row twice: " << r.case_id << " " << r.rule_id;
      }
      EXPECT_EQ(rows, DeadlinesInWindow(d, days)) << FormatDate(d) << " " << days;
    }
  }
}

TEST_F(WorkTrayQueryTest, EveryRowCarriesItsCasesAllocationsAsTheStateSays) {
  const WorkTray t = Tray(today_, {}, 10, true);
  ASSERT_FALSE(t.rows.empty());
  int with_iro = 0;
  for (size_t i = 0; i < t.rows.size(); i += 7) {  // a sample; State is per case
    const WorkTrayRow& r = t.rows[i];
    auto s = queries_->State(r.case_id, today_, std::nullopt, false);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(r.iro, s->iro) << r.case_id;
    EXPECT_EQ(r.team, s->team) << r.case_id;
    EXPECT_EQ(r.social_worker, s->social_worker) << r.case_id;
    if (!r.iro.empty()) ++with_iro;
  }
  EXPECT_GT(with_iro, 0);
}

TEST_F(WorkTrayQueryTest, FiltersAndCountsThroughTheQuery) {
  const WorkTray all = Tray(today_, {}, 10, true);
  ASSERT_FALSE(all.by_iro.empty());
  // The busiest IRO: their tray is their rows of the whole tray, and their
  // count is the same in both.
  WorkTrayCount busiest = all.by_iro[0];
  for (const WorkTrayCount& c : all.by_iro) {
    if (c.overdue + c.due_soon > busiest.overdue + busiest.due_soon) busiest = c;
  }
  WorkTrayFilter f;
  f.iro = busiest.name;
  const WorkTray theirs = Tray(today_, f, 10, true);
  EXPECT_EQ(theirs.overdue, busiest.overdue);
  EXPECT_EQ(theirs.due_soon, busiest.due_soon);
  EXPECT_EQ(theirs.by_iro, all.by_iro);  // the other IROs still counted
  size_t expected = 0;
  for (const WorkTrayRow& r : all.rows) expected += r.iro == busiest.name;
  EXPECT_EQ(theirs.rows.size(), expected);
  for (const WorkTrayRow& r : theirs.rows) EXPECT_EQ(r.iro, busiest.name);

  // A rule's rows, latest first.
  f = {};
  f.rule = all.rows[0].rule_id;
  f.sort = WorkTraySort::kDueLatestFirst;
  const WorkTray rule = Tray(today_, f, 10, false);
  ASSERT_FALSE(rule.rows.empty());
  for (size_t i = 0; i < rule.rows.size(); ++i) {
    EXPECT_EQ(rule.rows[i].rule_id, *f.rule);
    if (i > 0) {
      EXPECT_GE(rule.rows[i - 1].due, rule.rows[i].due);
    }
  }
  EXPECT_EQ(RenderWorkTrayJson(rule), RenderWorkTrayJson(Tray(today_, f, 10, true)));

  // A pack's rows, and a pack no case has.
  f = {};
  f.pack = all.rows[0].pack;
  const WorkTray pack = Tray(today_, f, 10, true);
  size_t of_pack = 0;
  for (const WorkTrayRow& r : all.rows) of_pack += r.pack == *f.pack;
  EXPECT_EQ(pack.rows.size(), of_pack);
  for (const WorkTrayRow& r : pack.rows) EXPECT_EQ(r.pack, *f.pack);
  f.pack = "no-such-pack";
  const WorkTray none = Tray(today_, f, 10, true);
  EXPECT_TRUE(none.rows.empty());
  EXPECT_TRUE(none.by_iro.empty());
}

TEST_F(WorkTrayQueryTest, AWindowOutsideOneToAYearIsRefused) {
  for (int days : {0, -1, kWorkTrayMaxWorkingDays + 1}) {
    auto t = queries_->WorkTray(today_, {}, days);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << days;
  }
  EXPECT_TRUE(queries_->WorkTray(today_, {}, kWorkTrayMaxWorkingDays).ok());
}

}  // namespace
}  // namespace carelog
