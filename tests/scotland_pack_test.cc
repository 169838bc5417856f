// Scenario tests of the `scotland` pack (Looked After Children (Scotland)
// Regulations 2009, reg 45), named after the regulation they follow; due
// dates worked out by hand in the comments.
#include "tests/pack_scenario.h"

namespace carelog::scenario {
namespace {

using ::testing::ElementsAre;

// reg 45(2)(a)-(c): the citations are reg 45(2), not 45(1).
TEST(ScotlandPack, Reg45_2_CitationsAre45_2_aToC) {
  Case c;
  c.On("2024-09-02", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2024-10-10", "review_held { review_id: 'R1' }")
      .On("2025-01-06", "review_held { review_id: 'R2' }");
  CaseDeadlines d = Fold(c, "2025-02-01", "scotland");
  // 2 Sep 2024 + 6 weeks = 14 Oct; 10 Oct + 3 months = 10 Jan 2025;
  // 6 Jan 2025 + 6 months = 6 Jul 2025.
  ASSERT_EQ(Rows(d, "review.initial").size(), 1u);
  EXPECT_EQ(Row(Rows(d, "review.initial")[0]), "MET 2024-10-14 2024-10-10");
  EXPECT_EQ(Rows(d, "review.initial")[0].source_section, "reg 45(2)(a)");
  EXPECT_EQ(Rows(d, "review.second")[0].source_section, "reg 45(2)(b)");
  EXPECT_EQ(Rows(d, "review.subsequent")[0].source_section, "reg 45(2)(c)");
  EXPECT_THAT(RowsOf(d, "review.initial_short_term"), ElementsAre());
}

// reg 45(3): a short-term placement's first review within 3 months, not 6
// weeks; the later intervals (45(2)(b), (c)) are unchanged (the source we
// hold is silent on them for short-term placements).
TEST(ScotlandPack, Reg45_3_ShortTermPlacementFirstReviewWithinThreeMonths) {
  Case c;
  c.On("2024-09-02",
       "child_accommodated { legal_status: 'V2' placement_type: 'U1' short_term: true }")
      .On("2024-11-20", "review_held { review_id: 'R1' }");
  CaseDeadlines d = Fold(c, "2024-12-01", "scotland");
  // 2 Sep 2024 + 3 months = 2 Dec 2024: held 20 Nov, in time (6 weeks would
  // have been 14 Oct, MET_LATE).
  EXPECT_THAT(RowsOf(d, "review.initial_short_term"), ElementsAre("MET 2024-12-02 2024-11-20"));
  EXPECT_THAT(RowsOf(d, "review.initial"), ElementsAre());
  // 20 Nov 2024 + 3 months = 20 Feb 2025.
  EXPECT_THAT(RowsOf(d, "review.second"), ElementsAre("OPEN 2025-02-20"));
  // PACE (an overlay of scotland) keeps the floor for short-term placements too.
  CaseDeadlines pace = Fold(c, "2024-12-01", "scotland-pace");
  EXPECT_THAT(RowsOf(pace, "review.initial_short_term"), ElementsAre("MET 2024-12-02 2024-11-20"));
}

}  // namespace
}  // namespace carelog::scenario
