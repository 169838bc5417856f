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

const char kVisit[] = "statutory_visit {}";

// §2(1), §9 and rules.md ("closed with the placement"): a placement's
// planning meeting and visits belong to it. Before, a meeting and a visit for
// a placement two years on met the first placement's MET_LATE, and its
// six-weekly chain ran on across placements.
TEST(SalfordPack, Section2_1_PlacementObligationsBelongToTheirPlacement) {
  Case c;
  c.On("2022-03-01", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2022-03-01", "placement_started { placement_type: 'U1' placement_id: 'P1' }")
      .On("2022-03-03", kVisit)
      .On("2022-03-10", "placement_ended { placement_id: 'P1' }")
      .On("2024-03-04", "placement_started { placement_type: 'U1' placement_id: 'P2' }")
      .On("2024-03-05", "placement_planning_meeting_held {}")
      .On("2024-03-06", kVisit)
      // A new placement ends P2 (no placementEnded recorded).
      .On("2024-03-25", "placement_started { placement_type: 'U2' placement_id: 'P3' }");
  CaseDeadlines d = Fold(c, "2024-05-01", "england-salford");
  // Planning meeting, 72 hours from 12:00 UTC: P1 due 4 Mar 2022, never held,
  // P1 ended 10 Mar (after the due date): OVERDUE. P2 due 7 Mar 2024, held 5
  // Mar. P3 due 28 Mar 2024, never held: OVERDUE.
  EXPECT_THAT(RowsOf(d, "permanence.placement_planning_meeting"),
              ElementsAre("OVERDUE 2022-03-04", "MET 2024-03-07 2024-03-05", "OVERDUE 2024-03-28"));
  // First-week visit: P1 due 8 Mar 2022 (visited 3 Mar); P2 due 11 Mar 2024
  // (visited 6 Mar); P3 due 1 Apr 2024, none.
  EXPECT_THAT(RowsOf(d, "visits.first_week"),
              ElementsAre("MET 2022-03-08 2022-03-03", "MET 2024-03-11 2024-03-06",
                          "OVERDUE 2024-04-01"));
  // Six-weekly: 3 Mar 2022 + 42 days = 14 Apr 2022, closed when P1 ended on
  // 10 Mar (before the due date): CLOSED. 6 Mar 2024 + 42 days = 17 Apr
  // 2024, closed when P3 started on 25 Mar: CLOSED.
  EXPECT_THAT(RowsOf(d, "visits.six_weekly"), ElementsAre("CLOSED 2022-04-14", "CLOSED 2024-04-17"));
}

// §9: every 6 weeks in the first year of the placement, then every 6 months.
TEST(SalfordPack, Section9_VisitsSixWeeklyInFirstYearThenSixMonthly) {
  Case c;
  c.On("2023-01-09", "child_registered { date_of_birth: '2012-05-01' }")
      .On("2023-01-09", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2023-01-09", "placement_started { placement_type: 'U1' placement_id: 'P1' }")
      .On("2023-01-13", kVisit)
      .On("2023-02-20", kVisit)
      .On("2023-12-01", kVisit)
      .On("2024-05-20", kVisit);
  CaseDeadlines d = Fold(c, "2024-06-30", "england-salford");
  // First year of the placement: up to 9 Jan 2024.
  // 13 Jan 2023 + 6 weeks = 24 Feb 2023 (visited 20 Feb); 20 Feb + 6 weeks =
  // 3 Apr 2023 (visited 1 Dec: late).
  EXPECT_THAT(RowsOf(d, "visits.six_weekly"),
              ElementsAre("MET 2023-02-24 2023-02-20", "MET_LATE 2023-04-03 2023-12-01"));
  // 1 Dec 2023 + 6 weeks = 12 Jan 2024, past the first year: 1 Dec + 6 months
  // = 1 Jun 2024 (visited 20 May); 20 May + 6 months = 20 Nov 2024.
  EXPECT_THAT(RowsOf(d, "visits.six_monthly"),
              ElementsAre("MET 2024-06-01 2024-05-20", "OPEN 2024-11-20"));
  EXPECT_THAT(RowsOf(d, "visits.eight_weekly_16_plus"), ElementsAre());
}

// §9: aged 16 and over, at most every 8 weeks; the age is judged on the
// date the next visit would be due. No date of birth: the 16+ interval
// cannot apply.
TEST(SalfordPack, Section9_VisitsEightWeeklyFromSixteen) {
  auto history = [](bool with_birth) {
    Case c;
    if (with_birth) c.On("2023-01-09", "child_registered { date_of_birth: '2008-03-01' }");
    c.On("2023-01-09", "child_accommodated { legal_status: 'C2' placement_type: 'U4' }")
        .On("2023-01-09", "placement_started { placement_type: 'U4' placement_id: 'P1' }")
        .On("2023-01-13", kVisit)
        .On("2024-01-10", kVisit);
    return c;
  };
  CaseDeadlines d = Fold(history(true), "2024-03-10", "england-salford");
  // 10 Jan 2024 + 6 weeks = 21 Feb, past the first year (9 Jan 2024); + 8
  // weeks = 6 Mar 2024, when the young person is 16 (born 1 Mar 2008);
  // + 6 months = 10 Jul. Earliest: 6 Mar, unmet on 10 Mar: OVERDUE.
  EXPECT_THAT(RowsOf(d, "visits.eight_weekly_16_plus"), ElementsAre("OVERDUE 2024-03-06"));
  EXPECT_THAT(RowsOf(d, "visits.six_monthly"), ElementsAre());
  CaseDeadlines no_birth = Fold(history(false), "2024-03-10", "england-salford");
  EXPECT_THAT(RowsOf(no_birth, "visits.eight_weekly_16_plus"), ElementsAre());
  EXPECT_THAT(RowsOf(no_birth, "visits.six_monthly"), ElementsAre("OPEN 2024-07-10"));
}

// §9 is about foster placements (PLACE U1-U6): a residential placement or a
// placement for adoption has no §9 visits.
TEST(SalfordPack, Section9_CoversFosterPlacementsOnly) {
  Case c;
  c.On("2024-09-02", "child_accommodated { legal_status: 'C2' placement_type: 'R1' }")
      .On("2024-09-02", "placement_started { placement_type: 'R1' placement_id: 'P1' }")
      .On("2024-09-06", kVisit)
      .On("2024-10-01", "placement_started { placement_type: 'A5' placement_id: 'P2' }")
      .On("2024-10-03", kVisit);
  CaseDeadlines d = Fold(c, "2024-12-31", "england-salford");
  for (const char* rule : {"visits.first_week", "visits.six_weekly", "visits.six_monthly",
                           "visits.eight_weekly_16_plus"})
    EXPECT_THAT(RowsOf(d, rule), ElementsAre()) << rule;
}

// §7: a care planning meeting within 5 days of an emergency placement; the
// childAccommodated's emergency marks the first placement only, once.
TEST(SalfordPack, Section7_EmergencyPlacementCarePlanningMeetingWithin5Days) {
  Case c;
  c.On("2024-09-02",
       "child_accommodated { legal_status: 'V2' placement_type: 'U1' emergency: true }")
      .On("2024-09-02", "placement_started { placement_type: 'U1' placement_id: 'P1' }")
      .On("2024-09-06", "care_planning_meeting_held {}")
      .On("2024-10-01",
          "placement_started { placement_type: 'R1' placement_id: 'P2' emergency: true }")
      .On("2024-10-10", "placement_started { placement_type: 'U1' placement_id: 'P3' }");
  CaseDeadlines d = Fold(c, "2024-10-20", "england-salford");
  // 2 Sep + 5 days = 7 Sep (held 6 Sep); 1 Oct + 5 days = 6 Oct, none; P3 is
  // not an emergency placement.
  EXPECT_THAT(RowsOf(d, "placement.emergency_care_planning_meeting"),
              ElementsAre("MET 2024-09-07 2024-09-06", "OVERDUE 2024-10-06"));
}

// §10: a CIN plan within 2 weeks of a return home (REC E4A, E4B); the
// obligation outlives the period, and a new period closes it.
TEST(SalfordPack, Section10_ReturnHomeChildInNeedPlanWithinTwoWeeks) {
  Case c;
  c.On("2024-09-02", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2024-11-01", "child_ceased_looked_after { reason: 'E4A' planned: true }")
      .On("2024-11-14", "cin_plan_completed {}")
      .On("2024-12-02", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2025-01-10", "child_ceased_looked_after { reason: 'E4B' planned: true }")
      .On("2025-01-20", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2025-01-22", "cin_plan_completed {}")
      .On("2025-03-03", "child_ceased_looked_after { reason: 'E11' planned: true }");
  CaseDeadlines d = Fold(c, "2025-04-01", "england-salford");
  // 1 Nov 2024 + 2 weeks = 15 Nov (plan 14 Nov, after the period). 10 Jan
  // 2025 + 2 weeks = 24 Jan; looked after again on 20 Jan: CLOSED. Adopted
  // (E11): no CIN plan.
  EXPECT_THAT(RowsOf(d, "cease.cin_plan"), ElementsAre("MET 2024-11-15 2024-11-14", "CLOSED 2025-01-24"));
  EXPECT_THAT(RowsOf(d, "cease.risk_assessment"), ElementsAre());
}

// §10: after an unplanned ending, a risk assessment within 24 hours and the
// CAFAS within 15 working days.
TEST(SalfordPack, Section10_UnplannedEndingRiskAssessmentAndAssessment) {
  Case c;
  c.On("2024-09-02", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2024-12-20", "child_ceased_looked_after { reason: 'E8' planned: false }",
          carelog::v1::SOCIAL_WORKER, "10:00:00")
      .On("2024-12-21", "risk_assessment_completed {}", carelog::v1::SOCIAL_WORKER, "09:00:00");
  CaseDeadlines d = Fold(c, "2025-01-20", "england-salford");
  // 10:00 UTC Fri 20 Dec + 24 hours = 10:00 UTC 21 Dec (done 09:00).
  EXPECT_THAT(RowsOf(d, "cease.risk_assessment"), ElementsAre("MET 2024-12-21 2024-12-21"));
  // 15 working days from Fri 20 Dec 2024 (25, 26 Dec and 1 Jan are bank
  // holidays): 23, 24, 27, 30, 31 Dec, 2, 3, 6, 7, 8, 9, 10, 13, 14, 15 Jan
  // = Wed 15 Jan 2025; none by 20 Jan: OVERDUE.
  EXPECT_THAT(RowsOf(d, "cease.assessment"), ElementsAre("OVERDUE 2025-01-15"));
  // A planned ending (or one not recorded as unplanned) has neither.
  Case planned;
  planned.On("2024-09-02", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2024-12-20", "child_ceased_looked_after { reason: 'E8' planned: true }");
  CaseDeadlines p = Fold(planned, "2025-01-20", "england-salford");
  EXPECT_THAT(RowsOf(p, "cease.risk_assessment"), ElementsAre());
  EXPECT_THAT(RowsOf(p, "cease.assessment"), ElementsAre());
}

// §10: ceasing to look after a child under 16 accommodated under s20 (V2)
// for at least 20 working days needs the Assistant Director's approval.
TEST(SalfordPack, Section10_CeasingSection20Under16NeedsAssistantDirector) {
  auto history = [](const std::string& ceased_on, bool approved, const std::string& status) {
    Case c;
    c.On("2024-01-01", "child_registered { date_of_birth: '2012-01-01' }")
        .On("2024-09-02", absl::StrCat("child_accommodated { legal_status: '", status,
                                       "' placement_type: 'U1' }"));
    if (approved) c.On("2024-10-14", "cease_approved {}", carelog::v1::ASSISTANT_DIRECTOR);
    c.On(ceased_on, "child_ceased_looked_after { reason: 'E4A' planned: true }");
    return c;
  };
  // 2 Sep 2024 + 20 working days = 30 Sep: ceasing on 15 Oct needs approval.
  CaseDeadlines none = Fold(history("2024-10-15", false, "V2"), "2024-11-01", "england-salford");
  ASSERT_EQ(Findings(none, "cease.approval_assistant_director").size(), 1u);
  EXPECT_EQ(FormatDate(Findings(none, "cease.approval_assistant_director")[0].on), "2024-10-15");
  EXPECT_TRUE(Findings(Fold(history("2024-10-15", true, "V2"), "2024-11-01", "england-salford"),
                       "cease.approval_assistant_director")
                  .empty());
  // Ceasing on 27 Sep (before 30 Sep): looked after under 20 working days.
  EXPECT_TRUE(Findings(Fold(history("2024-09-27", false, "V2"), "2024-11-01", "england-salford"),
                       "cease.approval_assistant_director")
                  .empty());
  // Under a care order: not a s20 decision.
  EXPECT_TRUE(Findings(Fold(history("2024-10-15", false, "C2"), "2024-11-01", "england-salford"),
                       "cease.approval_assistant_director")
                  .empty());
}

// §10: aged 16 or 17 and s20: the Strategic Director's approval, however
// long looked after; the Assistant Director's is not enough.
TEST(SalfordPack, Section10_CeasingSection20At16Or17NeedsStrategicDirector) {
  Case c;
  c.On("2024-01-01", "child_registered { date_of_birth: '2008-06-01' }")
      .On("2024-09-02", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2024-09-05", "cease_approved {}", carelog::v1::ASSISTANT_DIRECTOR)
      .On("2024-09-06", "child_ceased_looked_after { reason: 'E4A' planned: true }");
  CaseDeadlines d = Fold(c, "2024-11-01", "england-salford");
  EXPECT_EQ(Findings(d, "cease.approval_strategic_director").size(), 1u);
  EXPECT_TRUE(Findings(d, "cease.approval_assistant_director").empty());
  Case ok;
  ok.On("2024-01-01", "child_registered { date_of_birth: '2008-06-01' }")
      .On("2024-09-02", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2024-09-05", "cease_approved {}", carelog::v1::STRATEGIC_DIRECTOR)
      .On("2024-09-06", "child_ceased_looked_after { reason: 'E4A' planned: true }");
  EXPECT_TRUE(Findings(Fold(ok, "2024-11-01", "england-salford"),
                       "cease.approval_strategic_director")
                  .empty());
}

// §4: yearly permanence progress meetings after the conclusion of care
// proceedings: anchored on the final order (legalStatusChanged to C2 or E1);
// under an interim care order the final care planning meeting does not
// anchor it.
TEST(SalfordPack, Section4_FirstProgressMeetingAfterConclusionOfProceedings) {
  Case c;
  c.On("2024-01-08", "child_accommodated { legal_status: 'C1' placement_type: 'U1' }")
      .On("2024-07-01", "final_care_planning_meeting_held {}")
      .On("2024-09-16", "legal_status_changed { legal_status: 'C2' }");
  CaseDeadlines d = Fold(c, "2024-12-31", "england-salford");
  // 16 Sep 2024 + 12 months = 16 Sep 2025.
  EXPECT_THAT(RowsOf(d, "permanence.progress_meeting_after_order"), ElementsAre("OPEN 2025-09-16"));
  EXPECT_THAT(RowsOf(d, "permanence.progress_meeting"), ElementsAre());
  // No proceedings (s20): a year after the final care planning meeting, 1
  // Jul 2025.
  Case s20;
  s20.On("2024-01-08", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")
      .On("2024-07-01", "final_care_planning_meeting_held {}");
  EXPECT_THAT(RowsOf(Fold(s20, "2024-12-31", "england-salford"), "permanence.progress_meeting"),
              ElementsAre("OPEN 2025-07-01"));
}

// The conditions other packs' rules rest on (policy.proto's Applies), on a
// pack written for the test: the triggering review's planAgreed and the
// reduced-meeting arrangement in force.
TEST(Conditions, PlanNotAgreedAndReducedMeetingsAreJudgedAtTheTrigger) {
  const char kPack[] = R"(
    name: "conditions" division: "england-and-wales"
    versions { effective_from: "2020-01-01"
      rules { id: "further_review" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_HELD
              met_by: "carePlanningMeetingHeld" amount: 3 unit: MONTHS direction: AFTER
              applies { plan_not_agreed: true }
              source { document: "002_70f4496eb9db34b8.txt" section: "test" } }
      rules { id: "midway" kind: OBLIGATION basis: CARELOG_DEFAULT trigger: REVIEW_HELD
              met_by: "carePlanningMeetingHeld" amount: 3 unit: MONTHS direction: AFTER
              applies { reduced_meetings: true }
              source { document: "000_20df4aec2ff6001c.txt" section: "test" } } })";
  auto reg = PolicyRegistry::Load({{"conditions.textpb", kPack}});
  ASSERT_TRUE(reg.ok()) << reg.status();
  Case c;
  c.On("2024-01-08", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }")
      .On("2024-02-01", "review_held { review_id: 'R1' plan_agreed: true }")
      .On("2024-03-01", "review_held { review_id: 'R2' plan_agreed: false }")
      .On("2024-03-02", "review_arrangement_changed { reduced_meetings: true }")
      .On("2024-04-01", "review_held { review_id: 'R3' }");
  CaseDeadlines d =
      FoldDeadlines("C-1", c.events, **reg->Find("conditions"), Calendar::Default(), D("2024-05-01"));
  // Only R2 recorded no agreed plan: 1 Mar + 3 months = 1 Jun; R3 recorded
  // nothing: not known to have no plan.
  EXPECT_THAT(RowsOf(d, "further_review"), ElementsAre("OPEN 2024-06-01"));
  // Only R3 was held under the arrangement: 1 Apr + 3 months = 1 Jul.
  EXPECT_THAT(RowsOf(d, "midway"), ElementsAre("OPEN 2024-07-01"));
}

}  // namespace
}  // namespace carelog::scenario
