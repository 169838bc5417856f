// Salford's permanency planning meeting (004 §2(3), pack england-salford),
// issue 14 point 8: before the second review.
#include "fold_scenario.h"

namespace carelog::scenario {
namespace {

constexpr char kMeeting[] = "permanency_planning_meeting_held {}";

// 004 §2(3) "A Permanency planning meeting must take place prior to the
// second Looked After Review". Child looked after Mon 2 Sep 2024, first
// review held Fri 27 Sep 2024: the second is due within 3 months, Fri 27
// Dec 2024, and until it is held the meeting shows as due then.
//   meeting Fri 20 Dec: met;
//   meeting Fri 20 Sep, before the first review (earlier in the period):
//     met on that day;
//   no meeting, second review held Fri 13 Dec: it was due the day before,
//     Thu 12 Dec, and stays OVERDUE; a meeting on Mon 16 Dec meets nothing.
TEST(SalfordPack, Section2_3_PermanencyPlanningMeetingBeforeTheSecondReview) {
  Case first;
  first.On("2024-09-02", kAccommodated).On("2024-09-27", Held("R1"));
  EXPECT_EQ(Row(Get(Fold(first, "2024-11-01", "england-salford"),
                    "permanence.permanency_planning_meeting")),
            "OPEN 2024-12-27");

  Case met = first;
  met.On("2024-12-20", kMeeting);
  EXPECT_EQ(Row(Get(Fold(met, "2024-12-21", "england-salford"),
                    "permanence.permanency_planning_meeting")),
            "MET 2024-12-27 2024-12-20");

  Case earlier;
  earlier.On("2024-09-02", kAccommodated).On("2024-09-20", kMeeting).On("2024-09-27", Held("R1"));
  EXPECT_EQ(Row(Get(Fold(earlier, "2024-11-01", "england-salford"),
                    "permanence.permanency_planning_meeting")),
            "MET 2024-12-27 2024-09-20");

  Case missed = first;
  missed.On("2024-12-13", Held("R2")).On("2024-12-16", kMeeting);
  CaseDeadlines d = Fold(missed, "2025-01-10", "england-salford");
  ASSERT_EQ(Count(d, "permanence.permanency_planning_meeting"), 1);
  EXPECT_EQ(Row(Get(d, "permanence.permanency_planning_meeting")), "OVERDUE 2024-12-12");
}

// A meeting in an earlier period of care does not count for this one.
TEST(SalfordPack, Section2_3_MeetingInAnEarlierPeriodDoesNotCount) {
  Case c;
  c.On("2024-01-08", kAccommodated)
      .On("2024-01-15", kMeeting)
      .On("2024-02-01", "child_ceased_looked_after { reason: 'E11' }")
      .On("2024-09-02", kAccommodated)
      .On("2024-09-27", Held("R1"));
  EXPECT_EQ(Row(Get(Fold(c, "2024-11-01", "england-salford"),
                    "permanence.permanency_planning_meeting")),
            "OPEN 2024-12-27");
}

}  // namespace
}  // namespace carelog::scenario
