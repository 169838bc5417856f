// Scenario tests of the `england-salford` pack (004, permanence planning
// policy), named after the 004 section they follow; due dates worked out by
// hand in the comments (England and Wales bank holidays).
#include "tests/pack_scenario.h"

namespace carelog::scenario {
namespace {

using ::testing::ElementsAre;

const char kPlanningMeeting[] = "legal_planning_meeting_held {}";

// §2(2): a legal planning meeting within 72 hours after Police Protection
// (LS L1), instead of 10 working days.
TEST(SalfordPack, Section2_2_LegalPlanningMeetingWithin72HoursOfPoliceProtection) {
  Case c;
  c.On("2024-09-02", "child_accommodated { legal_status: 'L1' placement_type: 'U1' }",
       carelog::v1::SOCIAL_WORKER, "09:00:00")
      .On("2024-09-05", kPlanningMeeting, carelog::v1::SOCIAL_WORKER, "10:00:00");
  CaseDeadlines d = Fold(c, "2024-10-01", "england-salford");
  // 09:00 UTC Mon 2 Sep + 72 hours = 09:00 UTC Thu 5 Sep: 10:00 is late.
  EXPECT_THAT(RowsOf(d, "permanence.legal_planning_meeting_police_protection"),
              ElementsAre("MET_LATE 2024-09-05 2024-09-05"));
  EXPECT_THAT(RowsOf(d, "permanence.legal_planning_meeting"), ElementsAre());

  // Any other legal status (or none recorded): 10 working days, 2 Sep + 10
  // working days = Mon 16 Sep.
  Case s20;
  s20.On("2024-09-02", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2024-09-13", kPlanningMeeting);
  CaseDeadlines v = Fold(s20, "2024-10-01", "england-salford");
  EXPECT_THAT(RowsOf(v, "permanence.legal_planning_meeting"),
              ElementsAre("MET 2024-09-16 2024-09-13"));
  EXPECT_THAT(RowsOf(v, "permanence.legal_planning_meeting_police_protection"), ElementsAre());
}

}  // namespace
}  // namespace carelog::scenario
