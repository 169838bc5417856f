// Scenario tests of the deadlines projection, one group per rule of the core
// England table (rules.md), named after the seed document and section whose
// wording they follow: met, met late, overdue, open and closed; then the edge
// cases of "Details that decide edge cases", the findings, and the further
// rules of the other packs.
#include "projections/deadlines.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "projections/deadlines_format.h"
#include "pack_scenario.h"

namespace carelog {
namespace {

using carelog::v1::Event;
using S = ObligationStatus;

// The case builder, the embedded packs, the fold and the findings lookup are the
// scenario tests' (pack_scenario.h): one way to write a child's log.
using scenario::Case;
using scenario::D;
using scenario::Findings;
using scenario::Fold;
using scenario::Registry;


// The n-th obligation (0-based) of `rule`, or a failed test.
Obligation Get(const CaseDeadlines& d, const std::string& rule, int n = 0) {
  for (const Obligation& o : d.obligations) {
    if (o.rule_id == rule && n-- == 0) return o;
  }
  ADD_FAILURE() << "no obligation " << rule;
  return Obligation();
}

int Count(const CaseDeadlines& d, const std::string& rule) {
  return std::count_if(d.obligations.begin(), d.obligations.end(),
                       [&](const Obligation& o) { return o.rule_id == rule; });
}

void ExpectStatus(const Obligation& o, S status, const std::string& due,
                  const std::string& met_on = "") {
  EXPECT_EQ(ObligationStatusName(o.status), ObligationStatusName(status)) << o.rule_id;
  EXPECT_EQ(FormatDate(o.due), due) << o.rule_id;
  if (met_on.empty()) {
    EXPECT_FALSE(o.met_on.has_value()) << o.rule_id;
  } else {
    ASSERT_TRUE(o.met_on.has_value()) << o.rule_id;
    EXPECT_EQ(FormatDate(*o.met_on), met_on) << o.rule_id;
  }
  EXPECT_FALSE(o.source_document.empty());
}

const char kAccommodated[] = "child_accommodated { legal_status: 'C2' placement_type: 'U1' }";
const char kCeased[] = "child_ceased_looked_after { reason: 'E11' }";
const char kNotified[] = "iro_service_notified {}";
const char kAllocated[] = "iro_allocated { iro_id: 'iro-1' }";
std::string Scheduled(const std::string& r, const std::string& date,
                      const std::string& format = "MEETING") {
  return absl::StrCat("review_scheduled { review_id: '", r, "' scheduled_for: '", date,
                      "' format: ", format, " }");
}
std::string Held(const std::string& r) {
  return absl::StrCat("review_held { review_id: '", r, "' participation: 'PN1' }");
}
std::string Rearranged(const std::string& r, const std::string& date) {
  return absl::StrCat("review_rearranged { review_id: '", r, "' new_date: '", date, "' }");
}
std::string Act(const std::string& type, const std::string& r) {
  return absl::StrCat(type, " { review_id: '", r, "' }");
}
std::string Approved(const std::string& r, bool iro = true) {
  return absl::StrCat("review_postponement_approved { review_id: '", r,
                      "' iro_consulted: ", iro ? "true" : "false", " }");
}

// ------------------------------------------------------------------------
// iro.notify — 001 §4.1 "As soon as a child comes into care, the child's
// social worker must notify the Independent Reviewing Officer Service by
// e-mail, preferably before, or at the latest within, 2 working days."
// Child comes into care Mon 2 Sep 2024: due Wed 4 Sep.

TEST(Deadlines, IroNotify_001_s4_1_Met) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-04", kNotified);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.notify"), S::kMet, "2024-09-04", "2024-09-04");
}
TEST(Deadlines, IroNotify_001_s4_1_MetLate) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-05", kNotified);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.notify"), S::kMetLate, "2024-09-04", "2024-09-05");
}
TEST(Deadlines, IroNotify_001_s4_1_Overdue) {
  Case c;
  c.On("2024-09-02", kAccommodated);
  ExpectStatus(Get(Fold(c, "2024-09-05"), "iro.notify"), S::kOverdue, "2024-09-04");
}
TEST(Deadlines, IroNotify_001_s4_1_OpenOnDueDate) {
  Case c;
  c.On("2024-09-02", kAccommodated);
  ExpectStatus(Get(Fold(c, "2024-09-04"), "iro.notify"), S::kOpen, "2024-09-04");
}
TEST(Deadlines, IroNotify_001_s4_1_ClosedWhenCareEndsFirst) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-03", kCeased);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.notify"), S::kClosed, "2024-09-04");
}
TEST(Deadlines, IroNotify_001_s4_1_StaysOverdueWhenCareEndsAfterDue) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-06", kCeased);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.notify"), S::kOverdue, "2024-09-04");
}
// "preferably before": notified Tue 20 Aug while not looked after; the 10th
// working day after it is Wed 4 Sep (26 Aug is a bank holiday).
TEST(Deadlines, IroNotify_001_s4_1_PreferablyBefore) {
  Case c;
  c.On("2024-08-20", kNotified).On("2024-09-03", kAccommodated);
  CaseDeadlines d = Fold(c, "2024-09-20");
  ExpectStatus(Get(d, "iro.notify"), S::kMet, "2024-09-05", "2024-08-20");
  // iro.allocate counts from the date the child became looked after.
  ExpectStatus(Get(d, "iro.allocate"), S::kOverdue, "2024-09-10");
  EXPECT_EQ(Get(d, "iro.allocate").trigger_position, 1u);
}
TEST(Deadlines, IroNotify_001_s4_1_PreferablyBeforeAllocationBeforeCare) {
  Case c;
  c.On("2024-08-20", kNotified).On("2024-08-22", kAllocated).On("2024-09-03", kAccommodated);
  CaseDeadlines d = Fold(c, "2024-09-20");
  ExpectStatus(Get(d, "iro.allocate"), S::kMet, "2024-09-10", "2024-08-22");
}
TEST(Deadlines, IroNotify_001_s4_1_TooEarlyNotificationDoesNotCount) {
  Case c;
  c.On("2024-08-20", kNotified).On("2024-09-05", kAccommodated);
  CaseDeadlines d = Fold(c, "2024-09-20");
  ExpectStatus(Get(d, "iro.notify"), S::kOverdue, "2024-09-09");
  EXPECT_EQ(Count(d, "iro.allocate"), 0);
}

// ------------------------------------------------------------------------
// iro.allocate — 001 §4.1 "Once the IRO service has received the written
// notification ... the IRO service will allocate an IRO within 5 working
// days." Notified Tue 3 Sep 2024: due Tue 10 Sep.

Case Notified() {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-03", kNotified);
  return c;
}
TEST(Deadlines, IroAllocate_001_s4_1_Met) {
  Case c = Notified();
  c.On("2024-09-10", kAllocated);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.allocate"), S::kMet, "2024-09-10", "2024-09-10");
}
TEST(Deadlines, IroAllocate_001_s4_1_MetLate) {
  Case c = Notified();
  c.On("2024-09-11", kAllocated);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.allocate"), S::kMetLate, "2024-09-10",
               "2024-09-11");
}
TEST(Deadlines, IroAllocate_001_s4_1_Overdue) {
  ExpectStatus(Get(Fold(Notified(), "2024-09-11"), "iro.allocate"), S::kOverdue, "2024-09-10");
}
TEST(Deadlines, IroAllocate_001_s4_1_Open) {
  ExpectStatus(Get(Fold(Notified(), "2024-09-06"), "iro.allocate"), S::kOpen, "2024-09-10");
}
TEST(Deadlines, IroAllocate_001_s4_1_Closed) {
  Case c = Notified();
  c.On("2024-09-09", kCeased);
  ExpectStatus(Get(Fold(c, "2024-09-20"), "iro.allocate"), S::kClosed, "2024-09-10");
}
TEST(Deadlines, IroAllocate_001_s4_1_CountsFromFirstNotificationOnly) {
  Case c = Notified();
  c.On("2024-09-05", kNotified);
  CaseDeadlines d = Fold(c, "2024-09-20");
  EXPECT_EQ(Count(d, "iro.allocate"), 1);
  EXPECT_EQ(Get(d, "iro.notify").met_on, D("2024-09-03"));
}
TEST(Deadlines, IroAllocate_001_s4_1_LateNotificationStillStartsAllocation) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-09", kNotified);
  CaseDeadlines d = Fold(c, "2024-09-20");
  ExpectStatus(Get(d, "iro.notify"), S::kMetLate, "2024-09-04", "2024-09-09");
  ExpectStatus(Get(d, "iro.allocate"), S::kOverdue, "2024-09-16");
}

// ------------------------------------------------------------------------
// review.initial — 001 §2.1 "An initial Child in Care Review should be
// conducted within 20 working days of the child coming into care" (reg 33).
// Into care Mon 2 Sep 2024: due Mon 30 Sep.

TEST(Deadlines, ReviewInitial_001_s2_1_Met) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-30", Held("R1"));
  Obligation o = Get(Fold(c, "2024-10-01"), "review.initial");
  ExpectStatus(o, S::kMet, "2024-09-30", "2024-09-30");
  EXPECT_EQ(o.review_id, "R1");
}
TEST(Deadlines, ReviewInitial_001_s2_1_MetLate) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-10-01", Held("R1"));
  ExpectStatus(Get(Fold(c, "2024-10-02"), "review.initial"), S::kMetLate, "2024-09-30",
               "2024-10-01");
}
TEST(Deadlines, ReviewInitial_001_s2_1_Overdue) {
  Case c;
  c.On("2024-09-02", kAccommodated);
  ExpectStatus(Get(Fold(c, "2024-10-01"), "review.initial"), S::kOverdue, "2024-09-30");
}
TEST(Deadlines, ReviewInitial_001_s2_1_Open) {
  Case c;
  c.On("2024-09-02", kAccommodated);
  ExpectStatus(Get(Fold(c, "2024-09-30"), "review.initial"), S::kOpen, "2024-09-30");
}
TEST(Deadlines, ReviewInitial_001_s2_1_Closed) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-20", kCeased);
  ExpectStatus(Get(Fold(c, "2024-10-20"), "review.initial"), S::kClosed, "2024-09-30");
}
TEST(Deadlines, ReviewInitial_001_s2_1_AnyReviewMeetsIt) {
  // "whatever it was called": an unscheduled review id meets the chain.
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", Scheduled("INITIAL", "2024-09-27"))
      .On("2024-09-25", Held("MIGRATED-7"));
  ExpectStatus(Get(Fold(c, "2024-10-20"), "review.initial"), S::kMet, "2024-09-30", "2024-09-25");
}

// ------------------------------------------------------------------------
// review.second — 001 §2.1 "The second Child in Care Review should be
// conducted within three months of an Initial Child in Care Review".
// First review held Wed 25 Sep 2024: due Wed 25 Dec 2024 (months ignore
// bank holidays).

Case FirstHeld() {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-25", Held("R1"));
  return c;
}
TEST(Deadlines, ReviewSecond_001_s2_1_Met) {
  Case c = FirstHeld();
  c.On("2024-12-10", Held("R2"));
  ExpectStatus(Get(Fold(c, "2025-01-10"), "review.second"), S::kMet, "2024-12-25", "2024-12-10");
}
TEST(Deadlines, ReviewSecond_001_s2_1_MetLate) {
  Case c = FirstHeld();
  c.On("2025-01-06", Held("R2"));
  ExpectStatus(Get(Fold(c, "2025-01-10"), "review.second"), S::kMetLate, "2024-12-25",
               "2025-01-06");
}
TEST(Deadlines, ReviewSecond_001_s2_1_Overdue) {
  ExpectStatus(Get(Fold(FirstHeld(), "2024-12-26"), "review.second"), S::kOverdue, "2024-12-25");
}
TEST(Deadlines, ReviewSecond_001_s2_1_Open) {
  ExpectStatus(Get(Fold(FirstHeld(), "2024-12-25"), "review.second"), S::kOpen, "2024-12-25");
}
TEST(Deadlines, ReviewSecond_001_s2_1_Closed) {
  Case c = FirstHeld();
  c.On("2024-12-25", kCeased);
  ExpectStatus(Get(Fold(c, "2025-03-01"), "review.second"), S::kClosed, "2024-12-25");
}

// ------------------------------------------------------------------------
// review.subsequent — 001 §2.1 "Subsequent Child in Care Reviews should be
// conducted not more than six months after any previous review."
// Second review held Tue 10 Dec 2024: due Tue 10 Jun 2025.

Case SecondHeld() {
  Case c = FirstHeld();
  c.On("2024-12-10", Held("R2"));
  return c;
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_Met) {
  Case c = SecondHeld();
  c.On("2025-06-10", Held("R3"));
  CaseDeadlines d = Fold(c, "2025-06-11");
  ExpectStatus(Get(d, "review.subsequent"), S::kMet, "2025-06-10", "2025-06-10");
  // ...and the next one runs six months from R3.
  ExpectStatus(Get(d, "review.subsequent", 1), S::kOpen, "2025-12-10");
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_MetLate) {
  Case c = SecondHeld();
  c.On("2025-06-11", Held("R3"));
  ExpectStatus(Get(Fold(c, "2025-06-12"), "review.subsequent"), S::kMetLate, "2025-06-10",
               "2025-06-11");
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_Overdue) {
  ExpectStatus(Get(Fold(SecondHeld(), "2025-06-11"), "review.subsequent"), S::kOverdue,
               "2025-06-10");
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_Open) {
  ExpectStatus(Get(Fold(SecondHeld(), "2025-01-01"), "review.subsequent"), S::kOpen,
               "2025-06-10");
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_Closed) {
  Case c = SecondHeld();
  c.On("2025-03-01", kCeased);
  ExpectStatus(Get(Fold(c, "2025-07-01"), "review.subsequent"), S::kClosed, "2025-06-10");
}
TEST(Deadlines, ReviewSubsequent_001_s2_1_MonthEndClamps) {
  // rules.md: 31 Aug 2024 + 6 months = 28 Feb 2025.
  Case c;
  c.On("2024-05-01", kAccommodated)
      .On("2024-05-20", Held("R1"))
      .On("2024-08-31", Held("R2"));
  ExpectStatus(Get(Fold(c, "2024-09-01"), "review.subsequent"), S::kOpen, "2025-02-28");
}

// ------------------------------------------------------------------------
// review.invitations — 001 §5 "Invitations to reviews and consultation
// documents should be sent out ... at least 10 working days before the
// meeting", §6. Review R1 on Fri 27 Sep 2024: due Fri 13 Sep.

Case ScheduledR1() {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-03", Scheduled("R1", "2024-09-27"));
  return c;
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_Met) {
  Case c = ScheduledR1();
  c.On("2024-09-13", Act("invitations_sent", "R1"));
  Obligation o = Get(Fold(c, "2024-09-30"), "review.invitations");
  ExpectStatus(o, S::kMet, "2024-09-13", "2024-09-13");
  EXPECT_EQ(o.review_id, "R1");
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_MetLate) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Act("invitations_sent", "R1"));
  ExpectStatus(Get(Fold(c, "2024-09-20"), "review.invitations"), S::kMetLate, "2024-09-13",
               "2024-09-16");
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_Overdue) {
  ExpectStatus(Get(Fold(ScheduledR1(), "2024-09-14"), "review.invitations"), S::kOverdue,
               "2024-09-13");
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_Open) {
  ExpectStatus(Get(Fold(ScheduledR1(), "2024-09-13"), "review.invitations"), S::kOpen,
               "2024-09-13");
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_ClosedByCancellation) {
  Case c = ScheduledR1();
  c.On("2024-09-10", "review_cancelled { review_id: 'R1' reason: 'child returned home' }");
  CaseDeadlines d = Fold(c, "2024-10-20");
  ExpectStatus(Get(d, "review.invitations"), S::kClosed, "2024-09-13");
  // The statutory chain stays open.
  ExpectStatus(Get(d, "review.initial"), S::kOverdue, "2024-09-30");
}
TEST(Deadlines, ReviewInvitations_001_s5_s6_OtherReviewDoesNotMeetIt) {
  Case c = ScheduledR1();
  c.On("2024-09-04", Scheduled("R9", "2024-11-29")).On("2024-09-05", Act("invitations_sent", "R9"));
  ExpectStatus(Get(Fold(c, "2024-09-14"), "review.invitations"), S::kOverdue, "2024-09-13");
}
TEST(Deadlines, ReviewInvitations_001_s5_ConsultationPapersAreInvitations) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", Scheduled("R1", "2024-09-27", "CONSULTATION"))
      .On("2024-09-12", Act("invitations_sent", "R1"));
  ExpectStatus(Get(Fold(c, "2024-09-30"), "review.invitations"), S::kMet, "2024-09-13",
               "2024-09-12");
}

// ------------------------------------------------------------------------
// review.documents — 001 §6 "The social worker must ensure the following
// documents are available to the IRO at least 3 working days before the
// Review". R1 on Fri 27 Sep 2024: due Tue 24 Sep.

TEST(Deadlines, ReviewDocuments_001_s6_Met) {
  Case c = ScheduledR1();
  c.On("2024-09-24", Act("review_documents_provided", "R1"));
  ExpectStatus(Get(Fold(c, "2024-09-30"), "review.documents"), S::kMet, "2024-09-24", "2024-09-24");
}
TEST(Deadlines, ReviewDocuments_001_s6_MetLate) {
  Case c = ScheduledR1();
  c.On("2024-09-26", Act("review_documents_provided", "R1"));
  ExpectStatus(Get(Fold(c, "2024-09-26"), "review.documents"), S::kMetLate, "2024-09-24",
               "2024-09-26");
}
TEST(Deadlines, ReviewDocuments_001_s6_Overdue) {
  ExpectStatus(Get(Fold(ScheduledR1(), "2024-09-25"), "review.documents"), S::kOverdue,
               "2024-09-24");
}
TEST(Deadlines, ReviewDocuments_001_s6_Open) {
  ExpectStatus(Get(Fold(ScheduledR1(), "2024-09-20"), "review.documents"), S::kOpen, "2024-09-24");
}
TEST(Deadlines, ReviewDocuments_001_s6_ClosedByRedating) {
  Case c = ScheduledR1();
  c.On("2024-09-20", Rearranged("R1", "2024-09-30"));
  CaseDeadlines d = Fold(c, "2024-09-23");
  ExpectStatus(Get(d, "review.documents", 0), S::kClosed, "2024-09-24");
  ExpectStatus(Get(d, "review.documents", 1), S::kOpen, "2024-09-25");
}
TEST(Deadlines, ReviewDocuments_001_s6_HeldWithoutThemStaysOverdue) {
  Case c = ScheduledR1();
  c.On("2024-09-27", Held("R1")).On("2024-09-30", Act("review_documents_provided", "R1"));
  // Held after the due date: the breach happened; the later act meets nothing.
  ExpectStatus(Get(Fold(c, "2024-10-01"), "review.documents"), S::kOverdue, "2024-09-24");
}

// ------------------------------------------------------------------------
// review.decisions — 001 §7 "all decisions/actions arising from the review
// are recorded on the outcomes form ... within 5 working days of the review
// being held". Held Fri 27 Sep 2024: due Fri 4 Oct.

Case HeldR1() {
  Case c = ScheduledR1();
  c.On("2024-09-27", Held("R1"));
  return c;
}
TEST(Deadlines, ReviewDecisions_001_s7_Met) {
  Case c = HeldR1();
  c.On("2024-10-04", Act("review_decisions_recorded", "R1"));
  ExpectStatus(Get(Fold(c, "2024-10-10"), "review.decisions"), S::kMet, "2024-10-04", "2024-10-04");
}
TEST(Deadlines, ReviewDecisions_001_s7_MetLate) {
  Case c = HeldR1();
  c.On("2024-10-07", Act("review_decisions_recorded", "R1"));
  ExpectStatus(Get(Fold(c, "2024-10-10"), "review.decisions"), S::kMetLate, "2024-10-04",
               "2024-10-07");
}
TEST(Deadlines, ReviewDecisions_001_s7_Overdue) {
  ExpectStatus(Get(Fold(HeldR1(), "2024-10-05"), "review.decisions"), S::kOverdue, "2024-10-04");
}
TEST(Deadlines, ReviewDecisions_001_s7_Open) {
  ExpectStatus(Get(Fold(HeldR1(), "2024-10-04"), "review.decisions"), S::kOpen, "2024-10-04");
}
TEST(Deadlines, ReviewDecisions_001_s7_Closed) {
  Case c = HeldR1();
  c.On("2024-10-01", kCeased);
  ExpectStatus(Get(Fold(c, "2024-10-10"), "review.decisions"), S::kClosed, "2024-10-04");
}

// ------------------------------------------------------------------------
// review.minutes — 001 §7 "The IRO will complete the meeting notes on the
// child's records within 15 working days of the Review". Held Fri 27 Sep
// 2024: due Fri 18 Oct.

TEST(Deadlines, ReviewMinutes_001_s7_Met) {
  Case c = HeldR1();
  c.On("2024-10-18", Act("review_minutes_completed", "R1"));
  ExpectStatus(Get(Fold(c, "2024-10-20"), "review.minutes"), S::kMet, "2024-10-18", "2024-10-18");
}
TEST(Deadlines, ReviewMinutes_001_s7_MetLate) {
  Case c = HeldR1();
  c.On("2024-10-21", Act("review_minutes_completed", "R1"));
  ExpectStatus(Get(Fold(c, "2024-10-22"), "review.minutes"), S::kMetLate, "2024-10-18",
               "2024-10-21");
}
TEST(Deadlines, ReviewMinutes_001_s7_Overdue) {
  ExpectStatus(Get(Fold(HeldR1(), "2024-10-19"), "review.minutes"), S::kOverdue, "2024-10-18");
}
TEST(Deadlines, ReviewMinutes_001_s7_Open) {
  ExpectStatus(Get(Fold(HeldR1(), "2024-10-01"), "review.minutes"), S::kOpen, "2024-10-18");
}
TEST(Deadlines, ReviewMinutes_001_s7_Closed) {
  Case c = HeldR1();
  c.On("2024-10-18", kCeased);
  ExpectStatus(Get(Fold(c, "2024-10-30"), "review.minutes"), S::kClosed, "2024-10-18");
}

// ------------------------------------------------------------------------
// postponement.rearranged — 003 "The social worker must lead on
// rearranging the review and ensure a new date is set within 3 working
// days". Approved Mon 16 Sep 2024: due Thu 19 Sep.

Case ApprovedR1() {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1"), carelog::v1::SERVICE_MANAGER);
  return c;
}
TEST(Deadlines, PostponementRearranged_003_Met) {
  Case c = ApprovedR1();
  c.On("2024-09-19", Rearranged("R1", "2024-10-04"));
  Obligation o = Get(Fold(c, "2024-09-20"), "postponement.rearranged");
  ExpectStatus(o, S::kMet, "2024-09-19", "2024-09-19");
  EXPECT_EQ(o.review_id, "R1");
}
TEST(Deadlines, PostponementRearranged_003_MetLate) {
  Case c = ApprovedR1();
  c.On("2024-09-20", Rearranged("R1", "2024-10-04"));
  ExpectStatus(Get(Fold(c, "2024-09-20"), "postponement.rearranged"), S::kMetLate, "2024-09-19",
               "2024-09-20");
}
TEST(Deadlines, PostponementRearranged_003_Overdue) {
  ExpectStatus(Get(Fold(ApprovedR1(), "2024-09-20"), "postponement.rearranged"), S::kOverdue,
               "2024-09-19");
}
TEST(Deadlines, PostponementRearranged_003_Open) {
  ExpectStatus(Get(Fold(ApprovedR1(), "2024-09-19"), "postponement.rearranged"), S::kOpen,
               "2024-09-19");
}
TEST(Deadlines, PostponementRearranged_003_ClosedByCancellation) {
  Case c = ApprovedR1();
  c.On("2024-09-18", "review_cancelled { review_id: 'R1' reason: 'x' }");
  ExpectStatus(Get(Fold(c, "2024-09-30"), "postponement.rearranged"), S::kClosed, "2024-09-19");
}
TEST(Deadlines, PostponementRearranged_003_FurtherScheduleMeetsIt) {
  Case c = ApprovedR1();
  c.On("2024-09-17", Scheduled("R1", "2024-10-03"));
  ExpectStatus(Get(Fold(c, "2024-09-30"), "postponement.rearranged"), S::kMet, "2024-09-19",
               "2024-09-17");
}
TEST(Deadlines, PostponementRearranged_003_AnyApproverCounts) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1"), carelog::v1::TEAM_MANAGER);
  CaseDeadlines d = Fold(c, "2024-09-30");
  EXPECT_EQ(Count(d, "postponement.rearranged"), 1);
  // The approver is Bristol's rule alone (issue 14 point 4), from May 2024.
  EXPECT_TRUE(Findings(d, "postponement.approver").empty());
  EXPECT_EQ(Findings(Fold(c, "2024-09-30", "england-bristol"), "postponement.approver").size(), 1u);
}
TEST(Deadlines, PostponementRearranged_003_RulesMdWorkingDayExample) {
  // rules.md: D = Fri 20 Dec 2024, N = 3 -> Fri 27 Dec 2024.
  Case c;
  c.On("2024-12-02", kAccommodated)
      .On("2024-12-03", Scheduled("R1", "2024-12-23"))
      .On("2024-12-20", Approved("R1"), carelog::v1::SERVICE_MANAGER);
  ExpectStatus(Get(Fold(c, "2024-12-27"), "postponement.rearranged"), S::kOpen, "2024-12-27");
}

// ------------------------------------------------------------------------
// Details that decide edge cases (rules.md).

TEST(Deadlines, Chain_001_s2_1_LateReviewMovesTheChain) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-10-07", Held("R1"));
  CaseDeadlines d = Fold(c, "2024-10-08");
  ExpectStatus(Get(d, "review.initial"), S::kMetLate, "2024-09-30", "2024-10-07");
  ExpectStatus(Get(d, "review.second"), S::kOpen, "2025-01-07");
}

TEST(Deadlines, Chain_003_PostponementNeverMovesTheStatutoryDate) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1"), carelog::v1::SERVICE_MANAGER)
      .On("2024-09-17", Rearranged("R1", "2024-10-08"))
      .On("2024-10-08", Held("R1"));
  CaseDeadlines d = Fold(c, "2024-10-09");
  ExpectStatus(Get(d, "review.initial"), S::kMetLate, "2024-09-30", "2024-10-08");
  ExpectStatus(Get(d, "review.second"), S::kOpen, "2025-01-08");
  ASSERT_EQ(Findings(d, "postponement.out_of_timescale").size(), 1u);
}

TEST(Deadlines, Redating_001_s6_ClosesOldPreReviewObligations) {
  Case c = ScheduledR1();
  c.On("2024-09-05", Act("invitations_sent", "R1"))  // for the old date
      .On("2024-09-10", Rearranged("R1", "2024-09-30"))
      .On("2024-09-17", Act("invitations_sent", "R1"));  // after the re-dating
  CaseDeadlines d = Fold(c, "2024-09-20");
  ASSERT_EQ(Count(d, "review.invitations"), 2);
  ExpectStatus(Get(d, "review.invitations", 0), S::kMet, "2024-09-13", "2024-09-05");
  // 17 Sep is after the new due date (16 Sep): late, but it counts.
  ExpectStatus(Get(d, "review.invitations", 1), S::kMetLate, "2024-09-16", "2024-09-17");
}

TEST(Deadlines, Redating_001_s6_OnlyLaterActsCount) {
  Case c = ScheduledR1();
  c.On("2024-09-05", Act("review_documents_provided", "R1"))
      .On("2024-09-10", Rearranged("R1", "2024-10-11"));
  CaseDeadlines d = Fold(c, "2024-10-09");
  ExpectStatus(Get(d, "review.documents", 0), S::kMet, "2024-09-24", "2024-09-05");
  ExpectStatus(Get(d, "review.documents", 1), S::kOverdue, "2024-10-08");
  ExpectStatus(Get(d, "review.invitations", 0), S::kClosed, "2024-09-13");
  ExpectStatus(Get(d, "review.invitations", 1), S::kOverdue, "2024-09-27");
}

TEST(Deadlines, Redating_001_s6_AfterDueStaysOverdue) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Rearranged("R1", "2024-10-11"));
  CaseDeadlines d = Fold(c, "2024-09-17");
  ExpectStatus(Get(d, "review.invitations", 0), S::kOverdue, "2024-09-13");
  ExpectStatus(Get(d, "review.invitations", 1), S::kOpen, "2024-09-27");
}

TEST(Deadlines, Redating_SecondReviewScheduledRedates) {
  Case c = ScheduledR1();
  c.On("2024-09-06", Scheduled("R1", "2024-09-26"));
  CaseDeadlines d = Fold(c, "2024-09-07");
  ASSERT_EQ(Count(d, "review.invitations"), 2);
  ExpectStatus(Get(d, "review.invitations", 0), S::kClosed, "2024-09-13");
  ExpectStatus(Get(d, "review.invitations", 1), S::kOpen, "2024-09-12");
}

TEST(Deadlines, FinishedReview_LaterActsCreateAndMeetNothing) {
  Case c = HeldR1();
  c.On("2024-09-30", Rearranged("R1", "2024-10-20"))
      .On("2024-09-30", Approved("R1"), carelog::v1::TEAM_MANAGER)
      .On("2024-09-30", Act("invitations_sent", "R1"));
  CaseDeadlines d = Fold(c, "2024-10-30");
  EXPECT_EQ(Count(d, "review.invitations"), 1);
  EXPECT_EQ(Count(d, "postponement.rearranged"), 0);
  EXPECT_TRUE(Findings(d, "postponement.approver").empty());
  ExpectStatus(Get(d, "review.invitations"), S::kOverdue, "2024-09-13");
}

TEST(Deadlines, HoldingClosesOpenPostponement) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1"), carelog::v1::SERVICE_MANAGER).On("2024-09-18", Held("R1"));
  ExpectStatus(Get(Fold(c, "2024-10-01"), "postponement.rearranged"), S::kClosed, "2024-09-19");
}

TEST(Deadlines, SecondActChangesNothing) {
  Case c = HeldR1();
  c.On("2024-10-01", Act("review_decisions_recorded", "R1"))
      .On("2024-10-09", Act("review_decisions_recorded", "R1"));
  Obligation o = Get(Fold(c, "2024-10-10"), "review.decisions");
  ExpectStatus(o, S::kMet, "2024-10-04", "2024-10-01");
  EXPECT_EQ(o.met_by_position, 4u);
}

TEST(Deadlines, SecondPeriodOfCareRestartsTheChain) {
  Case c = SecondHeld();
  c.On("2025-01-15", kCeased).On("2025-03-03", kAccommodated).On("2025-03-20", Held("R3"));
  CaseDeadlines d = Fold(c, "2025-04-01");
  ASSERT_EQ(Count(d, "review.initial"), 2);
  ExpectStatus(Get(d, "review.subsequent"), S::kClosed, "2025-06-10");
  ExpectStatus(Get(d, "review.initial", 1), S::kMet, "2025-03-31", "2025-03-20");
  ExpectStatus(Get(d, "review.second", 1), S::kOpen, "2025-06-20");
  ASSERT_EQ(Count(d, "iro.notify"), 2);
  ExpectStatus(Get(d, "iro.notify", 1), S::kOverdue, "2025-03-05");
}

TEST(Deadlines, EventsBetweenPeriodsCreateNothing) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-10", kCeased)
      .On("2024-09-11", Scheduled("R1", "2024-10-01"))
      .On("2024-09-12", "significant_event_reported { kind: 'MISSING' }")
      .On("2024-09-13", Held("R1"));
  CaseDeadlines d = Fold(c, "2024-12-01");
  EXPECT_EQ(Count(d, "review.invitations"), 0);
  EXPECT_EQ(Count(d, "review.early_considered"), 0);
  EXPECT_EQ(Count(d, "review.second"), 0);
  EXPECT_EQ(Count(d, "review.decisions"), 0);
}

TEST(Deadlines, OutOfOrderAppendGivesTheSameResult) {
  Case in_order;
  in_order.On("2024-09-02", kAccommodated)
      .On("2024-09-03", kNotified)
      .On("2024-09-03", Scheduled("R1", "2024-09-27"))
      .On("2024-09-12", Act("invitations_sent", "R1"))
      .On("2024-09-27", Held("R1"))
      .On("2024-10-02", Act("review_decisions_recorded", "R1"));
  // The same facts, recorded late: same occurredAt, appended in another order.
  Case late;
  late.events = in_order.events;
  std::swap(late.events[1], late.events[4]);
  std::swap(late.events[0], late.events[5]);
  for (size_t i = 0; i < late.events.size(); ++i) late.events[i].set_position(100 + i);
  std::string a, b;
  bool first = true;
  AppendDeadlinesJson(Fold(in_order, "2024-12-01"), &a, &first);
  first = true;
  AppendDeadlinesJson(Fold(late, "2024-12-01"), &b, &first);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("review.decisions"), std::string::npos);
}

TEST(Deadlines, AsOfLeavesOutLaterEvents) {
  Case c = HeldR1();
  CaseDeadlines d = Fold(c, "2024-09-26");
  EXPECT_EQ(Count(d, "review.decisions"), 0);
  ExpectStatus(Get(d, "review.initial"), S::kOpen, "2024-09-30");
}

TEST(Deadlines, EventDateIsLondonDate) {
  // 23:30 UTC on 30 Sep 2024 is 00:30 on 1 Oct in London (BST).
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-30", Held("R1"), carelog::v1::IRO, "23:30:00");
  ExpectStatus(Get(Fold(c, "2024-10-01"), "review.initial"), S::kMetLate, "2024-09-30",
               "2024-10-01");
  EXPECT_EQ(Count(Fold(c, "2024-09-30"), "review.second"), 0);
}

TEST(Deadlines, RetractedEventIsIgnored) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-25", Held("R1"));
  c.On("2024-09-26", "event_retracted { event_id: 'e2' reason: 'wrong child' }");
  CaseDeadlines d = Fold(c, "2024-10-01");
  ExpectStatus(Get(d, "review.initial"), S::kOverdue, "2024-09-30");
  EXPECT_EQ(Count(d, "review.second"), 0);
}

TEST(Deadlines, CorrectedDateIsUsed) {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-10-02", Held("R1"));
  c.On("2024-10-03",
       "event_corrected { event_id: 'e2' reason: 'typo' replacement { occurred_at { seconds: "
       "1727265600 } review_held { review_id: 'R1' participation: 'PN2' } } }");  // 2024-09-25
  CaseDeadlines d = Fold(c, "2024-10-05");
  ExpectStatus(Get(d, "review.initial"), S::kMet, "2024-09-30", "2024-09-25");
  ExpectStatus(Get(d, "review.second"), S::kOpen, "2024-12-25");
}

TEST(Deadlines, ApplyCorrectionsIsSeparate) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", kNotified)
      .On("2024-09-04", "event_retracted { event_id: 'e2' }")
      .On("2024-09-05", "event_retracted { event_id: 'e3' }");  // retracts the retraction
  std::vector<Event> out = ApplyCorrections(c.events);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[1].has_iro_service_notified());
}

// ------------------------------------------------------------------------
// Findings (rules.md "Findings"): recorded, never refused.

TEST(Findings, PostponementNotice_003_FewerThan5WorkingDays) {
  Case c = ScheduledR1();  // review Fri 27 Sep: notice needed by Fri 20 Sep
  c.On("2024-09-20", "review_postponement_requested { review_id: 'R1' requested_by: SOCIAL_WORKER reason: 'leave' }")
      .On("2024-09-23", "review_postponement_requested { review_id: 'R1' requested_by: SOCIAL_WORKER reason: 'leave' }");
  std::vector<Finding> f = Findings(Fold(c, "2024-09-30"), "postponement.notice");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].on, D("2024-09-23"));
  EXPECT_EQ(f[0].review_id, "R1");
  EXPECT_EQ(f[0].source_document, "003_57729b6622f01350.txt");
}
TEST(Findings, PostponementApprover_003_OnlyTheServiceManager) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1"), carelog::v1::SERVICE_MANAGER)
      .On("2024-09-17", Approved("R1"), carelog::v1::TEAM_MANAGER);
  // Bristol's rule alone (issue 14 point 4): england has no approver finding.
  EXPECT_TRUE(Findings(Fold(c, "2024-09-30"), "postponement.approver").empty());
  std::vector<Finding> f = Findings(Fold(c, "2024-09-30", "england-bristol"), "postponement.approver");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].detail, "approved by TEAM_MANAGER");
}
TEST(Findings, PostponementIroConsulted_003_DiscussionRecorded) {
  Case c = ScheduledR1();
  c.On("2024-09-16", Approved("R1", true), carelog::v1::SERVICE_MANAGER)
      .On("2024-09-17", Approved("R1", false), carelog::v1::SERVICE_MANAGER)
      .On("2024-09-18", "review_postponement_approved { review_id: 'R1' }",
          carelog::v1::SERVICE_MANAGER);
  EXPECT_EQ(Findings(Fold(c, "2024-09-30"), "postponement.iro_consulted").size(), 2u);
}
TEST(Findings, PostponementOutOfTimescale_003_reg33_NewDateAfterDue) {
  Case c = ScheduledR1();  // review.initial due 30 Sep
  c.On("2024-09-16", Rearranged("R1", "2024-09-30")).On("2024-09-17", Rearranged("R1", "2024-10-01"));
  std::vector<Finding> f = Findings(Fold(c, "2024-09-30"), "postponement.out_of_timescale");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].on, D("2024-09-17"));
}
TEST(Findings, CarePlanAuthorised_003_FiveDaysBefore) {
  Case ok = ScheduledR1();
  ok.On("2024-09-22", "care_plan_authorised { review_id: 'R1' }").On("2024-09-27", Held("R1"));
  EXPECT_TRUE(Findings(Fold(ok, "2024-09-30"), "care_plan.authorised").empty());
  Case late = ScheduledR1();
  late.On("2024-09-23", "care_plan_authorised { review_id: 'R1' }").On("2024-09-27", Held("R1"));
  std::vector<Finding> f = Findings(Fold(late, "2024-09-30"), "care_plan.authorised");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].review_id, "R1");
  // A plan authorised for an earlier review does not count for the next.
  Case stale = HeldR1();
  stale.On("2024-09-01", "care_plan_authorised {}");
  stale.On("2024-12-10", Held("R2"));
  EXPECT_EQ(Findings(Fold(stale, "2024-12-30"), "care_plan.authorised").size(), 2u);
}
TEST(Findings, ReviewMeetingAnnual_000_001_s11_004_s8) {
  Case c;
  c.On("2022-01-03", kAccommodated)
      .On("2023-06-01", Held("R5"))  // a meeting
      .On("2023-07-01", "review_arrangement_changed { reduced_meetings: true }")
      .On("2023-11-01", Scheduled("R6", "2023-12-01", "CONSULTATION"))
      .On("2023-12-01", Held("R6"))
      .On("2024-05-01", Scheduled("R7", "2024-06-03", "CONSULTATION"))
      .On("2024-06-03", Held("R7"));
  std::vector<Finding> f = Findings(Fold(c, "2024-07-01"), "review.meeting_annual");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].review_id, "R7");
}

// ------------------------------------------------------------------------
// Further rules.

TEST(FurtherRules, EarlyReview_001_s2_3_SignificantEventNeedsADecision) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-10-07", "significant_event_reported { kind: 'SCHOOL_EXCLUSION' }")
      .On("2024-10-08", "significant_event_reported { kind: 'MISSING' }")
      .On("2024-10-10", "early_review_considered { significant_event_id: 'e2' bring_forward: false }");
  CaseDeadlines d = Fold(c, "2024-10-16");
  ExpectStatus(Get(d, "review.early_considered", 0), S::kMet, "2024-10-14", "2024-10-10");
  ExpectStatus(Get(d, "review.early_considered", 1), S::kOverdue, "2024-10-15");
}
TEST(FurtherRules, BeforeReview_001_s5_s6_s8) {
  Case c = ScheduledR1();  // Fri 27 Sep 2024
  c.On("2024-08-30", Act("child_consulted", "R1"));  // before scheduling: does not count
  CaseDeadlines d = Fold(c, "2024-09-13");
  // Counted back (20 working days: 30 Aug) it falls before the booking on
  // 3 Sep: short notice, due the day before the review (issue 14 point 10;
  // it was OVERDUE from birth, due 30 Aug).
  ExpectStatus(Get(d, "review.child_consulted"), S::kOpen, "2024-09-26");
  EXPECT_TRUE(Get(d, "review.child_consulted").short_notice);
  ExpectStatus(Get(d, "review.iro_contacts_social_worker"), S::kOverdue, "2024-09-12");
  ExpectStatus(Get(d, "review.carer_consultation"), S::kOpen, "2024-09-20");
}
TEST(FurtherRules, ManagerResponse_001_s9) {
  Case c = HeldR1();
  c.On("2024-10-01", Act("review_minutes_completed", "R1"))
      .On("2024-10-09", "manager_responded { review_id: 'R1' agreed: true }");
  ExpectStatus(Get(Fold(c, "2024-10-10"), "review.manager_response"), S::kMetLate, "2024-10-08",
               "2024-10-09");
}
TEST(FurtherRules, DisputeInformal_001_s9_s13) {
  Case c = HeldR1();
  c.On("2024-10-01", "dispute_raised { review_id: 'R1' stage: 'INFORMAL' }");
  ExpectStatus(Get(Fold(c, "2024-10-16"), "dispute.informal_resolution"), S::kOverdue,
               "2024-10-15");
}
TEST(FurtherRules, ScotlandReg45) {
  // Scotland: 6 weeks, then 3 months, then 6 months; Scottish bank holidays.
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-10-10", Held("R1"));
  CaseDeadlines d = Fold(c, "2024-10-20", "scotland");
  EXPECT_EQ(d.division, Division::kScotland);
  ExpectStatus(Get(d, "review.initial"), S::kMet, "2024-10-14", "2024-10-10");
  ExpectStatus(Get(d, "review.second"), S::kOpen, "2025-01-10");
  EXPECT_EQ(Count(d, "iro.notify"), 0);
}
TEST(FurtherRules, ScotlandPace_002_MilestoneReviews) {
  Case c;
  c.On("2024-09-02", kAccommodated, carelog::v1::SOCIAL_WORKER, "09:00:00")
      .On("2024-09-05", "placement_planning_meeting_held {}", carelog::v1::TEAM_MANAGER,
          "10:00:00")
      .On("2024-09-20", Held("R1"))
      .On("2024-10-16", Held("R2"));
  CaseDeadlines d = Fold(c, "2024-10-20", "scotland-pace");
  // 72 hours from 09:00 UTC 2 Sep is 09:00 UTC 5 Sep: 10:00 is late.
  Obligation meeting = Get(d, "pace.planning_meeting_72h");
  EXPECT_EQ(meeting.status, S::kMetLate);
  ExpectStatus(Get(d, "pace.review_2_3_week"), S::kMet, "2024-09-23", "2024-09-20");
  ExpectStatus(Get(d, "pace.review_6_week"), S::kMetLate, "2024-10-14", "2024-10-16");
  ExpectStatus(Get(d, "pace.review_3_month"), S::kOpen, "2025-01-13");
  ExpectStatus(Get(d, "pace.minutes_2_3_week"), S::kOverdue, "2024-10-04");
  // The reg 45 floor still applies.
  ExpectStatus(Get(d, "review.initial"), S::kMet, "2024-10-14", "2024-09-20");
}
TEST(FurtherRules, Salford_004_s8_ConsultationChairsReport20WorkingDays) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-03", Scheduled("R1", "2024-09-27", "CONSULTATION"))
      .On("2024-09-27", Held("R1"));
  CaseDeadlines d = Fold(c, "2024-10-20", "england-salford");
  EXPECT_EQ(Count(d, "review.minutes"), 0);
  ExpectStatus(Get(d, "review.minutes_consultation"), S::kOpen, "2024-10-25");
}
TEST(FurtherRules, Salford_004_s9_StatutoryVisitsRecur) {
  Case c;
  c.On("2024-09-02", kAccommodated)
      .On("2024-09-02", "placement_started { placement_type: 'U1' placement_id: 'P1' }")
      .On("2024-09-06", "statutory_visit { seen_alone: true }")
      .On("2024-10-21", "statutory_visit {}")
      .On("2024-10-22", "stability_concern_raised { concern: 'carer unwell' }");
  CaseDeadlines d = Fold(c, "2024-12-10", "england-salford");
  ExpectStatus(Get(d, "placement.stability_meeting"), S::kOverdue, "2024-11-05");
  ExpectStatus(Get(d, "visits.first_week"), S::kMet, "2024-09-09", "2024-09-06");
  ExpectStatus(Get(d, "visits.six_weekly", 0), S::kMetLate, "2024-10-18", "2024-10-21");
  ExpectStatus(Get(d, "visits.six_weekly", 1), S::kOverdue, "2024-12-02");
}
TEST(FurtherRules, Salford_004_s8_EligibilityExcludesConnectedPersons) {
  Case c;
  c.On("2022-09-01", kAccommodated)
      .On("2022-09-01", "placement_started { placement_id: 'P1' long_term: true connected_person: true }")
      .On("2024-03-01", "review_arrangement_changed { reduced_meetings: true }");
  std::vector<Finding> f = Findings(Fold(c, "2024-04-01", "england-salford"),
                                    "review.reduced_meeting_eligibility");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].detail.find("connected person"), std::string::npos);
  // England's base rule (001 §11) does not exclude them.
  EXPECT_TRUE(Findings(Fold(c, "2024-04-01", "england"), "review.reduced_meeting_eligibility").empty());
}
TEST(FurtherRules, Authority000_EligibilityNeedsPanelAndEveryAgreement) {
  Case c;
  c.On("2022-09-01", kAccommodated)
      .On("2022-09-01", "placement_started { placement_id: 'P1' connected_person: true }")
      .On("2024-04-01", "review_arrangement_changed { reduced_meetings: true agreed_by: IRO agreed_by: SOCIAL_WORKER }");
  std::vector<Finding> f =
      Findings(Fold(c, "2024-05-01", "england-000"), "review.reduced_meeting_eligibility");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].detail.find("panel"), std::string::npos);
  EXPECT_NE(f[0].detail.find("TEAM_MANAGER, SERVICE_MANAGER, IRO_MANAGER"), std::string::npos);
  EXPECT_EQ(f[0].source_document, "000_20df4aec2ff6001c.txt");
}
TEST(FurtherRules, Bristol_003_EmergencyPostponementFromMay2024) {
  auto emergency = [](const std::string& date) {
    Case c;
    c.On(date, kAccommodated)
        .On(date, Scheduled("R1", "2024-09-27"))
        .On("2024-09-27", "review_postponement_requested { review_id: 'R1' requested_by: IRO emergency: true }",
            carelog::v1::IRO);
    return c;
  };
  Case c = emergency("2024-09-02");
  EXPECT_TRUE(Findings(Fold(c, "2024-09-30", "england-bristol"), "postponement.notice").empty());
  EXPECT_EQ(Findings(Fold(c, "2024-09-30", "england"), "postponement.notice").size(), 1u);
}

// A case is judged under the version in force on the date of each trigger.
TEST(Versions, EachTriggerUsesTheVersionInForceOnItsDate) {
  const char* pack = R"(name: "v" division: "england-and-wales"
    versions { effective_from: "2020-01-01"
      rules { id: "review.decisions" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_HELD
        met_by: "reviewDecisionsRecorded" amount: 5 unit: WORKING_DAYS direction: AFTER
        source { document: "001" section: "7" } } }
    versions { effective_from: "2024-10-01"
      rules { id: "review.decisions" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_HELD
        met_by: "reviewDecisionsRecorded" amount: 10 unit: WORKING_DAYS direction: AFTER
        source { document: "001 v2" section: "7" } } })";
  auto reg = PolicyRegistry::Load({{"v.textpb", pack}});
  ASSERT_TRUE(reg.ok()) << reg.status();
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-27", Held("R1")).On("2024-10-01", Held("R2"));
  CaseDeadlines d = FoldDeadlines("C-1", c.events, **reg->Find("v"), Calendar::Default(),
                                  D("2024-12-01"));
  Obligation first = Get(d, "review.decisions", 0), second = Get(d, "review.decisions", 1);
  EXPECT_EQ(first.due, D("2024-10-04"));
  EXPECT_EQ(first.pack_version, 1);
  EXPECT_EQ(second.due, D("2024-10-15"));
  EXPECT_EQ(second.pack_version, 2);
  EXPECT_EQ(second.source_document, "001 v2");
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

// Recording lag (the audit trail's "recorded late" as a finding): an act
// recorded more than 5 working days after it happened is flagged; migrated
// history (SYSTEM) is not.
TEST(Deadlines, RecordingTimely_001_s7_Finding) {
  Case c;
  c.On("2024-03-01", "child_accommodated { legal_status: 'C2' placement_type: 'U1' }");
  c.On("2024-03-04", "iro_service_notified {}");
  c.On("2024-03-05", "iro_allocated { iro_id: 'iro-1' }", carelog::v1::SYSTEM);
  auto recorded = [](Event& e, const std::string& date) {
    e.mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilSecond(D(date)), absl::UTCTimeZone()) + absl::Hours(12)));
  };
  recorded(c.events[0], "2024-03-08");  // Fri 1 Mar + 5 working days = Fri 8 Mar: on time
  recorded(c.events[1], "2024-03-27");  // 23 days after Mon 4 Mar: late
  recorded(c.events[2], "2024-06-01");  // SYSTEM: exempt
  CaseDeadlines d = Fold(c, "2024-06-30");
  std::vector<Finding> f = Findings(d, "recording.timely");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].position, 2u);
  EXPECT_NE(f[0].detail.find("recorded late: 23 days"), std::string::npos) << f[0].detail;
  recorded(c.events[0], "2024-03-11");  // one working day too late
  EXPECT_EQ(Findings(Fold(c, "2024-06-30"), "recording.timely").size(), 2u);
}

}  // namespace
}  // namespace carelog
