// The PACE track of 002 (pack scotland-pace, Scottish working days), issue 14
// point 7: milestone reviews matched by what they are, the reports before
// one review of the track, the further review when no plan is agreed, the
// kinship assessment.
#include "fold_scenario.h"

namespace carelog::scenario {
namespace {

// 002 "6 Week Review" / "3 month review": each milestone is the review that
// is it. Child accommodated Mon 21 Oct 2024:
//   2/3 week review due 21 Oct + 3 weeks  = Mon 11 Nov 2024 (held Fri 8 Nov)
//   6 week review   due 21 Oct + 6 weeks  = Mon  2 Dec 2024 (held Wed 4 Dec)
//   3 month review  due 21 Oct + 19 weeks = Mon  3 Mar 2025 (not yet)
// An extra review at 4 weeks (Mon 18 Nov, ADDITIONAL) is no milestone: by
// count it was the second review and met the 6-week one, and the real
// 6-week review, the third held, met the 19-week one.
TEST(PacePack, Section6WeekReview_ExtraReviewAt4WeeksIsNoMilestone) {
  Case c;
  c.On("2024-10-21", kAccommodated)
      .On("2024-11-08", Held("R1", "TWO_TO_THREE_WEEK"))
      .On("2024-11-08", Scheduled("R2", "2024-12-04", "SIX_WEEK"))
      .On("2024-11-18", Held("X", "ADDITIONAL"))
      .On("2024-12-04", Held("R2", "SIX_WEEK"));
  CaseDeadlines d = Fold(c, "2024-12-10", "scotland-pace");
  EXPECT_EQ(Row(Get(d, "pace.review_2_3_week")), "MET 2024-11-11 2024-11-08");
  EXPECT_EQ(Row(Get(d, "pace.review_6_week")), "MET_LATE 2024-12-02 2024-12-04");
  EXPECT_EQ(Row(Get(d, "pace.review_3_month")), "OPEN 2025-03-03");
  // The minutes of the 2/3 week review only: not of the extra review.
  EXPECT_EQ(Count(d, "pace.minutes_2_3_week"), 1);
  // The reg 45 floor counts every review: the extra one met it.
  EXPECT_EQ(Row(Get(d, "review.second")), "MET 2025-02-08 2024-11-18");
}

// 002 "2/3 Week Review": the invitation to the 6 week review "will request
// the Looked After Child report be provided 5 working days in advance of the
// review". 6 week review booked for Wed 4 Dec 2024: counting back Scottish
// working days: Tue 3 Dec (1), Mon 2 Dec is St Andrew's Day (substitute, a
// Scottish bank holiday), Fri 29 Nov (2), Thu 28 (3), Wed 27 (4), Tue 26 Nov
// (5): due Tue 26 Nov (in England it would be Wed 27 Nov). Provided Wed 27
// Nov: late. The 2/3 week review gets no LAC report rule.
TEST(PacePack, Section2_3WeekReview_LacReport5WorkingDaysBeforeThe6WeekReview) {
  Case c;
  c.On("2024-10-21", kAccommodated)
      .On("2024-10-22", Scheduled("R1", "2024-11-08", "TWO_TO_THREE_WEEK"))
      .On("2024-11-08", Held("R1", "TWO_TO_THREE_WEEK"))
      .On("2024-11-08", Scheduled("R2", "2024-12-04", "SIX_WEEK"))
      .On("2024-11-27", Act("review_documents_provided", "R2"));
  CaseDeadlines d = Fold(c, "2024-12-01", "scotland-pace");
  ASSERT_EQ(Count(d, "pace.lac_report_6_week"), 1);
  const Obligation report = Get(d, "pace.lac_report_6_week");
  EXPECT_EQ(report.review_id, "R2");
  EXPECT_EQ(Row(report), "MET_LATE 2024-11-26 2024-11-27");
}

// A review booked with no stage (a history from before stages were
// recorded) is counted: the 6-week LAC report is for the second review.
TEST(PacePack, Section2_3WeekReview_UnstagedBookingCountsAsTheNextReview) {
  Case c;
  c.On("2024-10-21", kAccommodated)
      .On("2024-10-22", Scheduled("R1", "2024-11-08"))
      .On("2024-11-08", Held("R1"))
      .On("2024-11-08", Scheduled("R2", "2024-12-04"));
  CaseDeadlines d = Fold(c, "2024-12-01", "scotland-pace");
  ASSERT_EQ(Count(d, "pace.lac_report_6_week"), 1);
  EXPECT_EQ(Get(d, "pace.lac_report_6_week").review_id, "R2");
}

// 002 "3 month review" / "Pre Permanency Review". Child accommodated Mon 2
// Sep 2024; the pre-permanence review is booked for Wed 28 May 2025
// (39 weeks: due Mon 2 Jun 2025).
//   pre-permanence report to Legal Services, 2 weeks before: Wed 14 May
//     2025 (sent Mon 12 May: met);
//   all reports to legal and parents, at least 14 days before: Wed 14 May
//     2025 (sent Fri 16 May: late);
//   no plan agreed on 28 May: a further review within 3 months, due Thu 28
//     Aug 2025, met by the next review held (Mon 1 Sep: late);
//   Adoption & Permanence Panel within 12 weeks: Wed 20 Aug 2025.
// Kinship assessment referred Mon 6 Jan 2025: 12 weeks, due Mon 31 Mar
// 2025; completed Fri 4 Apr: late.
TEST(PacePack, SectionPrePermanencyReview_ReportsAndFurtherReview) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2025-01-06", "kinship_assessment_referred {}")
      .On("2025-04-04", "kinship_assessment_completed {}")
      .On("2025-04-14", Scheduled("R4", "2025-05-28", "PRE_PERMANENCE"))
      .On("2025-05-12", Act("pre_permanence_report_sent", "R4"))
      .On("2025-05-16", Act("reports_sent_to_legal_and_parents", "R4"))
      .On("2025-05-28", Held("R4", "PRE_PERMANENCE", "plan_agreed: false"))
      .On("2025-09-01", Held("R5", "ADDITIONAL"));
  CaseDeadlines d = Fold(c, "2025-09-02", "scotland-pace");
  EXPECT_EQ(Row(Get(d, "pace.kinship_assessment")), "MET_LATE 2025-03-31 2025-04-04");
  EXPECT_EQ(Row(Get(d, "pace.pre_permanence_report_legal")), "MET 2025-05-14 2025-05-12");
  EXPECT_EQ(Row(Get(d, "pace.reports_legal_and_parents")), "MET_LATE 2025-05-14 2025-05-16");
  EXPECT_EQ(Row(Get(d, "pace.review_pre_permanence")), "MET 2025-06-02 2025-05-28");
  ASSERT_EQ(Count(d, "pace.further_review_no_plan"), 1);
  EXPECT_EQ(Row(Get(d, "pace.further_review_no_plan")), "MET_LATE 2025-08-28 2025-09-01");
  EXPECT_EQ(Row(Get(d, "pace.panel")), "OVERDUE 2025-08-20");
  // A second record of the pre-permanence review is no further review.
  Case twice = c;
  twice.events.pop_back();
  twice.On("2025-06-03", Held("R4", "PRE_PERMANENCE", "plan_agreed: false"));
  EXPECT_EQ(Row(Get(Fold(twice, "2025-09-02", "scotland-pace"), "pace.further_review_no_plan")),
            "OVERDUE 2025-08-28");
}

// A plan agreed (or not recorded): no further review is owed.
TEST(PacePack, SectionPrePermanencyReview_PlanAgreedNeedsNoFurtherReview) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2025-05-28", Held("R4", "PRE_PERMANENCE", "plan_agreed: true"));
  EXPECT_EQ(Count(Fold(c, "2025-09-02", "scotland-pace"), "pace.further_review_no_plan"), 0);
  Case unrecorded;
  unrecorded.On("2024-09-02", kAccommodated).On("2025-05-28", Held("R4", "PRE_PERMANENCE"));
  EXPECT_EQ(Count(Fold(unrecorded, "2025-09-02", "scotland-pace"), "pace.further_review_no_plan"),
            0);
}

// The loader: a BEFORE rule about one review of a track is accepted; a rule
// about ADDITIONAL reviews (no milestone) is not.
TEST(PacePack, LoaderAcceptsBeforeRulesOnOneReviewOfTheTrack) {
  const std::string rule = R"(name: "t" division: "scotland"
    versions { effective_from: "2020-01-01"
      rules { id: "x" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_SCHEDULED_DATE
        review_stage: STAGE review_number: 2 met_by: "reviewDocumentsProvided"
        amount: 5 unit: WORKING_DAYS direction: BEFORE
        source { document: "002" section: "6 Week Review" } } })";
  std::string ok = rule;
  ok.replace(ok.find("STAGE"), 5, "SIX_WEEK");
  EXPECT_TRUE(PolicyRegistry::Load({{"t.textpb", ok}}).ok());
  std::string additional = rule;
  additional.replace(additional.find("STAGE"), 5, "ADDITIONAL");
  auto bad = PolicyRegistry::Load({{"t.textpb", additional}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ADDITIONAL"), std::string::npos);
}

}  // namespace
}  // namespace carelog::scenario
