// 000's midway review (pack england-000), issue 14 point 5: only while a
// reduced-meeting arrangement is in force, between two reviews, closed by
// the next review; no invented number of months.
#include "fold_scenario.h"

namespace carelog::scenario {
namespace {

// 000 "How to apply?": "Between each six-month statutory review, there is a
// midway review (oversight on care plan) by the CRO with the social worker".
// Under 000 (from 13 Mar 2024):
//   R5 held Mon 3 Jun 2024, no arrangement yet: no midway (it was owed by
//     every child, 3 months after each review, under the old pack);
//   arrangement agreed Mon 1 Jul 2024;
//   R6 held Mon 2 Dec 2024: midway #1, due on the next review's statutory
//     date, R6 + 6 months = Mon 2 Jun 2025;
//   R7 held Fri 30 May 2025 with no midway: #1 was due the day before, Thu
//     29 May 2025, and stays OVERDUE; midway #2 due 30 May + 6 months = Sun
//     30 Nov 2025;
//   a midway held Mon 2 Jun 2025, after R7, meets #2 (not #1);
//   R8 held Mon 1 Dec 2025: #2 met already; midway #3 due 1 Jun 2026;
//   arrangement ended Mon 5 Jan 2026: #3 closes (CLOSED, not yet due).
TEST(Authority000Pack, HowToApply_MidwayBetweenReviewsUnderTheArrangement) {
  Case c;
  c.On("2022-01-03", kAccommodated)
      .On("2024-06-03", Held("R5"))
      .On("2024-07-01", "review_arrangement_changed { reduced_meetings: true }")
      .On("2024-12-02", Held("R6"))
      .On("2025-05-30", Held("R7"))
      .On("2025-06-02", "midway_review_held { note: 'arrangement revisited' }", carelog::v1::IRO)
      .On("2025-12-01", Held("R8"))
      .On("2026-01-05", "review_arrangement_changed { reduced_meetings: false }");
  CaseDeadlines d = Fold(c, "2026-01-10", "england-000");
  ASSERT_EQ(Count(d, "review.midway"), 3);
  EXPECT_EQ(Row(Get(d, "review.midway", 0)), "OVERDUE 2025-05-29");
  EXPECT_EQ(Get(d, "review.midway", 0).review_id, "R6");
  EXPECT_EQ(Row(Get(d, "review.midway", 1)), "MET 2025-11-30 2025-06-02");
  EXPECT_EQ(Row(Get(d, "review.midway", 2)), "CLOSED 2026-06-01");
}

// While the next review is still to come, the midway shows as due on its
// statutory date (R6 Mon 2 Dec 2024 + 6 months = Mon 2 Jun 2025): open
// before it, overdue after it.
TEST(Authority000Pack, HowToApply_MidwayDueOnTheNextReviewsStatutoryDate) {
  Case c;
  c.On("2022-01-03", kAccommodated)
      .On("2024-06-03", Held("R5"))
      .On("2024-07-01", "review_arrangement_changed { reduced_meetings: true }")
      .On("2024-12-02", Held("R6"));
  EXPECT_EQ(Row(Get(Fold(c, "2025-03-03", "england-000"), "review.midway")), "OPEN 2025-06-02");
  EXPECT_EQ(Row(Get(Fold(c, "2025-06-03", "england-000"), "review.midway")), "OVERDUE 2025-06-02");
}

// No arrangement: no midway review is owed.
TEST(Authority000Pack, HowToApply_NoArrangementNoMidway) {
  Case c;
  c.On("2024-04-01", kAccommodated).On("2024-04-26", Held("R1")).On("2024-07-19", Held("R2"));
  EXPECT_EQ(Count(Fold(c, "2024-12-01", "england-000"), "review.midway"), 0);
}

}  // namespace
}  // namespace carelog::scenario

namespace carelog::scenario {
namespace {

// The loader: an until-next-review rule has no number of its own.
TEST(Authority000Pack, LoaderRefusesANumberOnAnUntilNextReviewRule) {
  const std::string rule = R"(name: "t" division: "england-and-wales"
    versions { effective_from: "2024-03-13"
      rules { id: "m" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_HELD
        met_by: "midwayReviewHeld" until_next_review: true NUMBER
        source { document: "000" section: "How to apply?" } } })";
  std::string ok = rule;
  ok.replace(ok.find("NUMBER"), 6, "");
  EXPECT_TRUE(PolicyRegistry::Load({{"t.textpb", ok}}).ok()) << PolicyRegistry::Load({{"t.textpb", ok}}).status();
  std::string numbered = rule;
  numbered.replace(numbered.find("NUMBER"), 6, "amount: 3 unit: MONTHS direction: AFTER");
  auto bad = PolicyRegistry::Load({{"t.textpb", numbered}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("until_next_review"), std::string::npos);
}

}  // namespace
}  // namespace carelog::scenario
