// The case list query (Queries::CaseList, projections/cases_list.h) over a
// small hand-built store: four children — C-A looked after with an overdue
// initial review, C-B looked after with it due soon, C-C home again, C-D
// registered only — with every column written out as of two dates, each
// filter alone and combined, and the order (next review due, none last).
#include "projections/views/queries.h"

#include <sstream>
#include <string>
#include <vector>

#include "engine/importer.h"
#include "gtest/gtest.h"
#include "tests/cases_fixture.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::TempDir;

constexpr const char* kStore = ::carelog::testing::kFourCasesNdjson;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

class CaseListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    std::istringstream in(kStore);
    ImportOptions o;
    o.clock = &clock_;
    auto r = ImportNdjson(store_.get(), in, o);
    ASSERT_TRUE(r.ok()) << r.status();
    auto queries = Queries::WithEmbeddedPacks(store_.get());
    ASSERT_TRUE(queries.ok()) << queries.status();
    queries_ = std::move(*queries);
  }

  std::vector<CaseListRow> List(absl::CivilDay as_of, const CaseListFilter& filter = {}) {
    auto rows = queries_->CaseList(as_of, filter);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<CaseListRow>{};
  }

  std::vector<std::string> Listed(absl::CivilDay as_of, const CaseListFilter& filter) {
    std::vector<std::string> ids;
    for (const CaseListRow& r : List(as_of, filter)) ids.push_back(r.summary.case_id);
    return ids;
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2024, 5, 1, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Queries> queries_;
};

using IdList = std::vector<std::string>;

TEST_F(CaseListTest, EveryColumnAsOfADateInTheOrderOfTheNextReviewDue) {
  const std::vector<CaseListRow> rows = List(D(2024, 4, 10));
  ASSERT_EQ(rows.size(), 4u);
  // C-A: its initial review (20 working days from 1 March 2024, past Easter)
  // was due on 2 April and has not been held.
  const CaseListRow& a = rows[0];
  EXPECT_EQ(a.summary.case_id, "C-A");
  EXPECT_EQ(a.summary.events, 5u);
  EXPECT_EQ(a.summary.periods_of_care, 1);
  EXPECT_EQ(a.summary.reviews_held, 0);
  EXPECT_FALSE(a.summary.last_review.has_value());
  EXPECT_TRUE(a.state.looked_after);
  EXPECT_EQ(a.state.period_started, D(2024, 3, 1));
  ASSERT_TRUE(a.state.placement.has_value());
  EXPECT_EQ(a.state.placement->type, "U4");  // the move of 2 April
  EXPECT_EQ(a.state.legal_status, "C2");
  EXPECT_EQ(a.state.iro, "iro-7");
  EXPECT_EQ(a.state.social_worker, "sw-1");
  EXPECT_EQ(a.state.team, "Team North");
  EXPECT_EQ(a.state.next_review_due, D(2024, 4, 2));
  EXPECT_EQ(a.state.overdue, 1);
  EXPECT_TRUE(a.state.history.empty()) << "a list row carries no history";
  // C-B: accommodated 15 March, its initial review due 16 April.
  const CaseListRow& b = rows[1];
  EXPECT_EQ(b.summary.case_id, "C-B");
  EXPECT_EQ(b.summary.events, 4u);
  EXPECT_TRUE(b.state.looked_after);
  EXPECT_EQ(b.state.period_started, D(2024, 3, 15));
  ASSERT_TRUE(b.state.placement.has_value());
  EXPECT_EQ(b.state.placement->type, "U3");
  EXPECT_EQ(b.state.legal_status, "V2");
  EXPECT_EQ(b.state.iro, "iro-7");
  EXPECT_EQ(b.state.social_worker, "sw-2");
  EXPECT_EQ(b.state.team, "Team South");
  EXPECT_EQ(b.state.next_review_due, D(2024, 4, 16));
  EXPECT_EQ(b.state.overdue, 0);
  // C-C: home since 31 January; no review due, so after those with one.
  const CaseListRow& c = rows[2];
  EXPECT_EQ(c.summary.case_id, "C-C");
  EXPECT_EQ(c.summary.events, 5u);
  EXPECT_EQ(c.summary.periods_of_care, 1);
  EXPECT_FALSE(c.state.looked_after);
  EXPECT_FALSE(c.state.placement.has_value());
  EXPECT_EQ(c.state.legal_status, "V2");  // the last period's
  EXPECT_EQ(c.state.iro, "iro-8");
  EXPECT_EQ(c.state.social_worker, "sw-1");
  EXPECT_EQ(c.state.team, "Team North");
  EXPECT_FALSE(c.state.next_review_due.has_value());
  EXPECT_EQ(c.state.overdue, 0);
  // C-D: registered only; nothing recorded.
  const CaseListRow& d = rows[3];
  EXPECT_EQ(d.summary.case_id, "C-D");
  EXPECT_EQ(d.summary.events, 1u);
  EXPECT_EQ(d.summary.periods_of_care, 0);
  EXPECT_FALSE(d.state.looked_after);
  EXPECT_FALSE(d.state.placement.has_value());
  EXPECT_EQ(d.state.legal_status, "");
  EXPECT_EQ(d.state.iro, "");
  EXPECT_EQ(d.state.social_worker, "");
  EXPECT_EQ(d.state.team, "");
  EXPECT_FALSE(d.state.next_review_due.has_value());
  EXPECT_EQ(d.state.overdue, 0);
}

TEST_F(CaseListTest, ARowsStateIsTheOneCaseQuerys) {
  for (const CaseListRow& r : List(D(2024, 4, 10))) {
    auto state = queries_->State(r.summary.case_id, D(2024, 4, 10), std::nullopt);
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(r.state.looked_after, state->looked_after) << r.summary.case_id;
    EXPECT_EQ(r.state.iro, state->iro) << r.summary.case_id;
    EXPECT_EQ(r.state.next_review_due, state->next_review_due) << r.summary.case_id;
    EXPECT_EQ(r.state.overdue, state->overdue) << r.summary.case_id;
    EXPECT_EQ(r.state.open, state->open) << r.summary.case_id;
  }
}

TEST_F(CaseListTest, AsOfAnEarlierDate) {
  const std::vector<CaseListRow> rows = List(D(2024, 1, 20));
  ASSERT_EQ(rows.size(), 4u);
  // C-C was looked after then: its initial review due 7 February comes first.
  EXPECT_EQ(rows[0].summary.case_id, "C-C");
  EXPECT_TRUE(rows[0].state.looked_after);
  EXPECT_EQ(rows[0].state.period_started, D(2024, 1, 10));
  ASSERT_TRUE(rows[0].state.placement.has_value());
  EXPECT_EQ(rows[0].state.placement->type, "U5");
  EXPECT_EQ(rows[0].state.next_review_due, D(2024, 2, 7));
  // The others had nothing due: case order. C-A's social worker was
  // allocated on 20 February, so not yet; the summary counts the whole log.
  EXPECT_EQ(rows[1].summary.case_id, "C-A");
  EXPECT_FALSE(rows[1].state.looked_after);
  EXPECT_EQ(rows[1].state.social_worker, "");
  EXPECT_EQ(rows[1].state.team, "");
  EXPECT_EQ(rows[1].summary.events, 5u);
  EXPECT_EQ(rows[2].summary.case_id, "C-B");
  EXPECT_EQ(rows[3].summary.case_id, "C-D");
}

TEST_F(CaseListTest, EachFilterAlone) {
  const absl::CivilDay on = D(2024, 4, 10);
  CaseListFilter f;
  f.iro = "iro-7";
  EXPECT_EQ(Listed(on, f), (IdList{"C-A", "C-B"}));
  f = {};
  f.team = "Team North";
  EXPECT_EQ(Listed(on, f), (IdList{"C-A", "C-C"}));
  f = {};
  f.looked_after = true;
  EXPECT_EQ(Listed(on, f), (IdList{"C-A", "C-B"}));
  f.looked_after = false;
  EXPECT_EQ(Listed(on, f), (IdList{"C-C", "C-D"}));
  f = {};
  f.overdue_only = true;
  EXPECT_EQ(Listed(on, f), (IdList{"C-A"}));
  // As of 16 April C-B's review is due that day: not yet overdue.
  EXPECT_EQ(Listed(D(2024, 4, 16), f), (IdList{"C-A"}));
  EXPECT_EQ(Listed(D(2024, 4, 17), f), (IdList{"C-A", "C-B"}));
}

TEST_F(CaseListTest, FiltersCombineAndAnUnknownValueIsAnEmptyList) {
  const absl::CivilDay on = D(2024, 4, 10);
  CaseListFilter f;
  f.iro = "iro-7";
  f.team = "Team North";
  EXPECT_EQ(Listed(on, f), (IdList{"C-A"}));
  f.overdue_only = true;
  EXPECT_EQ(Listed(on, f), (IdList{"C-A"}));
  f.looked_after = false;
  EXPECT_EQ(Listed(on, f), IdList{});
  f = {};
  f.team = "Team North";
  f.looked_after = false;
  EXPECT_EQ(Listed(on, f), (IdList{"C-C"}));
  f = {};
  f.team = "Team South";
  f.overdue_only = true;
  EXPECT_EQ(Listed(on, f), IdList{});
  f = {};
  f.iro = "iro-99";
  EXPECT_EQ(Listed(on, f), IdList{});
  f = {};
  f.team = "team north";  // names compare exactly
  EXPECT_EQ(Listed(on, f), IdList{});
}

}  // namespace
}  // namespace carelog
