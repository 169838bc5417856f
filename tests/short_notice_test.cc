// Obligations due before they exist (issue 14 point 10): 001's further rules
// counted back from the meeting are short-notice rules (pack england): booked
// at shorter notice than they count back, they are due the day before the
// review and marked short notice; rules.md's core rules stay exact.
#include "fold_scenario.h"

namespace carelog::scenario {
namespace {

// 001 §5, §6, §8. Child comes into care Mon 2 Sep 2024; on Tue 3 Sep the
// initial review is booked 12 working days ahead: Wed 4, Thu 5, Fri 6, Mon 9
// ... Fri 13, Mon 16 ... Thu 19 Sep 2024.
//   review.child_consulted, 20 working days before Thu 19 Sep: back over
//     the Summer bank holiday (Mon 26 Aug) to Wed 21 Aug, before the
//     booking: short notice, due Wed 18 Sep (consulted Tue 17 Sep: met);
//   review.iro_contacts_social_worker, 15 days before: Wed 4 Sep, after
//     the booking: exact (contact Tue 10 Sep: late);
//   review.carer_consultation, 5 working days before: Thu 12 Sep, exact;
//   review.invitations (core, exact), 10 working days before: Thu 5 Sep;
//   review.documents (core, exact), 3 working days before: Mon 16 Sep.
TEST(ShortNotice, Section5_6_InitialReviewBooked12WorkingDaysAhead) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", Scheduled("R1", "2024-09-19"))
      .On("2024-09-10", Act("iro_contacted_social_worker", "R1"), carelog::v1::IRO)
      .On("2024-09-17", Act("child_consulted", "R1"));
  CaseDeadlines d = Fold(c, "2024-09-18", "england");
  const Obligation consulted = Get(d, "review.child_consulted");
  EXPECT_EQ(Row(consulted), "MET 2024-09-18 2024-09-17");
  EXPECT_TRUE(consulted.short_notice);
  const Obligation contact = Get(d, "review.iro_contacts_social_worker");
  EXPECT_EQ(Row(contact), "MET_LATE 2024-09-04 2024-09-10");
  EXPECT_FALSE(contact.short_notice);
  EXPECT_EQ(Row(Get(d, "review.carer_consultation")), "OVERDUE 2024-09-12");
  EXPECT_FALSE(Get(d, "review.carer_consultation").short_notice);
  EXPECT_EQ(Row(Get(d, "review.invitations")), "OVERDUE 2024-09-05");
  EXPECT_EQ(Row(Get(d, "review.documents")), "OVERDUE 2024-09-16");
  EXPECT_FALSE(Get(d, "review.invitations").short_notice);
}

// A re-dating is a booking too. On Wed 11 Sep the review is moved to Mon 23
// Sep: new obligations for the new date, counted from it:
//   child consulted, 20 working days before: Fri 23 Aug, before Wed 11 Sep:
//     short notice, due the working day before the review, Fri 20 Sep;
//   IRO contact, 15 days before: Sun 8 Sep, before the re-dating: short
//     notice, due Sun 22 Sep;
//   carer's paper, 5 working days before: Mon 16 Sep, exact;
//   invitations (core), 10 working days before: Mon 9 Sep: exact, so due
//     before the re-dating that made it.
TEST(ShortNotice, Section5_6_ReDatingIsABookingToo) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", Scheduled("R1", "2024-09-19"))
      .On("2024-09-11", "review_rearranged { review_id: 'R1' new_date: '2024-09-23' }");
  CaseDeadlines d = Fold(c, "2024-09-12", "england");
  ASSERT_EQ(Count(d, "review.child_consulted"), 2);
  const Obligation consulted = Get(d, "review.child_consulted", 1);
  EXPECT_EQ(Row(consulted), "OPEN 2024-09-20");
  EXPECT_TRUE(consulted.short_notice);
  const Obligation contact = Get(d, "review.iro_contacts_social_worker", 1);
  EXPECT_EQ(Row(contact), "OPEN 2024-09-22");
  EXPECT_TRUE(contact.short_notice);
  EXPECT_EQ(Row(Get(d, "review.carer_consultation", 1)), "OPEN 2024-09-16");
  EXPECT_EQ(Row(Get(d, "review.invitations", 1)), "OVERDUE 2024-09-09");
}

// Booked for the next day: the working day before the review is the booking
// day (Tue 10 Sep). Booked for the same day: never before the booking day.
// Booked on Sat 7 Sep for Mon 9 Sep: the first working day from the booking
// is the review day itself.
TEST(ShortNotice, Section5_BookedForTomorrowIsDueOnTheBookingDay) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-10", Scheduled("R1", "2024-09-11"));
  EXPECT_EQ(Row(Get(Fold(c, "2024-09-10", "england"), "review.child_consulted")),
            "OPEN 2024-09-10");
  Case same_day;
  same_day.On("2024-09-02", kAccommodated).On("2024-09-10", Scheduled("R1", "2024-09-10"));
  EXPECT_EQ(Row(Get(Fold(same_day, "2024-09-10", "england"), "review.child_consulted")),
            "OPEN 2024-09-10");
  Case weekend;
  weekend.On("2024-09-02", kAccommodated).On("2024-09-07", Scheduled("R1", "2024-09-09"));
  const CaseDeadlines d = Fold(weekend, "2024-09-08", "england");
  EXPECT_EQ(Row(Get(d, "review.child_consulted")), "OPEN 2024-09-09");
  // Counted in calendar days: the day before the review, Sun 8 Sep.
  EXPECT_EQ(Row(Get(d, "review.iro_contacts_social_worker")), "OPEN 2024-09-08");
}

}  // namespace
}  // namespace carelog::scenario
