#include "engine/validation.h"

#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Accommodated;
using ::carelog::testing::Envelope;
using ::carelog::testing::T;
using ::testing::HasSubstr;

const absl::Time kNow = T("2024-06-01T12:00:00Z");

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

CaseState LookedAfterWithReview(const std::string& review) {
  CaseState s;
  s.looked_after = true;
  s.reviews.insert(review);
  s.AddEvent("prior");
  return s;
}

TEST(ValidationTest, AcceptsAWellFormedAccommodation) {
  EXPECT_TRUE(ValidateEvent(Accommodated("e1", "C-1"), CaseState{}, kNow).ok());
}

TEST(ValidationTest, MissingEventId) {
  v1::Event e = Accommodated("", "C-1");
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'eventId': missing required field"));
}

TEST(ValidationTest, MissingCaseId) {
  EXPECT_THAT(Msg(ValidateEvent(Accommodated("e", ""), {}, kNow)),
              HasSubstr("field 'caseId': missing"));
}

TEST(ValidationTest, ReservedCaseIdIsRefused) {
  EXPECT_THAT(Msg(ValidateEvent(Accommodated("e", "$access/C-1"), {}, kNow)),
              HasSubstr("field 'caseId': must not start with '$'"));
}

TEST(ValidationTest, MissingOccurredAt) {
  v1::Event e = Accommodated("e", "C");
  e.clear_occurred_at();
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)), HasSubstr("field 'occurredAt': missing"));
}

TEST(ValidationTest, MissingActorRole) {
  v1::Event e = Accommodated("e", "C");
  e.mutable_actor()->clear_role();
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)), HasSubstr("field 'actor.role': missing"));
}

TEST(ValidationTest, MissingActor) {
  v1::Event e = Accommodated("e", "C");
  e.clear_actor();
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)), HasSubstr("field 'actor': missing"));
}

TEST(ValidationTest, MissingRequiredPayloadField) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_held()->set_participation("PN1");
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'reviewHeld.reviewId': missing required field"));
}

TEST(ValidationTest, MissingLegalStatusCode) {
  v1::Event e = Accommodated("e", "C");
  e.mutable_child_accommodated()->clear_legal_status();
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)),
              HasSubstr("field 'childAccommodated.legalStatus': missing required field"));
}

TEST(ValidationTest, MissingReviewFormat) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_scheduled()->set_review_id("R");
  e.mutable_review_scheduled()->set_scheduled_for("2024-07-01");
  EXPECT_THAT(Msg(ValidateEvent(e, LookedAfterWithReview("R"), kNow)),
              HasSubstr("field 'reviewScheduled.format': missing"));
}

TEST(ValidationTest, BadDate) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_scheduled()->set_review_id("R");
  e.mutable_review_scheduled()->set_scheduled_for("2024-02-30");
  e.mutable_review_scheduled()->set_format(v1::MEETING);
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'reviewScheduled.scheduledFor': bad date '2024-02-30'"));
}

TEST(ValidationTest, BadDateShape) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_rearranged()->set_review_id("R");
  e.mutable_review_rearranged()->set_new_date("01/07/2024");
  EXPECT_THAT(Msg(ValidateEvent(e, LookedAfterWithReview("R"), kNow)),
              HasSubstr("field 'reviewRearranged.newDate': bad date '01/07/2024'"));
}

TEST(ValidationTest, OccurredAtInTheFutureIsRefused) {
  v1::Event e = Accommodated("e", "C", "2024-06-01T12:10:00Z");
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'occurredAt': in the future"));
}

TEST(ValidationTest, SmallClockSkewIsAllowed) {
  EXPECT_TRUE(ValidateEvent(Accommodated("e", "C", "2024-06-01T12:04:00Z"), {}, kNow).ok());
}

TEST(ValidationTest, UnknownLegalStatusCode) {
  v1::Event e = Accommodated("e", "C");
  e.mutable_child_accommodated()->set_legal_status("X9");
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'childAccommodated.legalStatus'"));
  EXPECT_THAT(Msg(s), HasSubstr("X9"));
}

TEST(ValidationTest, PlacementCodeCheckedAgainstTheEventsCollectionYear) {
  // Z1 was split into Z11-Z14 from 2025-26.
  v1::Event old_year = Accommodated("e", "C", "2025-03-31T10:00:00Z");
  old_year.mutable_child_accommodated()->set_placement_type("Z1");
  EXPECT_TRUE(ValidateEvent(old_year, {}, T("2026-01-01T00:00:00Z")).ok());
  v1::Event new_year = Accommodated("e", "C", "2025-04-01T10:00:00Z");
  new_year.mutable_child_accommodated()->set_placement_type("Z1");
  absl::Status s = ValidateEvent(new_year, {}, T("2026-01-01T00:00:00Z"));
  EXPECT_THAT(Msg(s), HasSubstr("field 'childAccommodated.placementType'"));
  new_year.mutable_child_accommodated()->set_placement_type("Z11");
  EXPECT_TRUE(ValidateEvent(new_year, {}, T("2026-01-01T00:00:00Z")).ok());
}

TEST(ValidationTest, UnknownParticipationCode) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_held()->set_review_id("R");
  e.mutable_review_held()->set_participation("PN9");
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)), HasSubstr("field 'reviewHeld.participation'"));
}

TEST(ValidationTest, UnknownReasonCeasedCode) {
  v1::Event e = Envelope("e", "C");
  e.mutable_child_ceased_looked_after()->set_reason("E99");
  EXPECT_THAT(Msg(ValidateEvent(e, LookedAfterWithReview("R"), kNow)),
              HasSubstr("field 'childCeasedLookedAfter.reason'"));
}

TEST(ValidationTest, UnknownSignificantEventKind) {
  v1::Event e = Envelope("e", "C");
  e.mutable_significant_event_reported()->set_kind("BAD_HAIR_DAY");
  EXPECT_THAT(Msg(ValidateEvent(e, {}, kNow)),
              HasSubstr("unknown significant event kind 'BAD_HAIR_DAY'"));
}

TEST(ValidationTest, ActOnReviewNotYetIntroducedIsRefused) {
  v1::Event e = Envelope("e", "C");
  e.mutable_invitations_sent()->set_review_id("R-7");
  absl::Status s = ValidateEvent(e, LookedAfterWithReview("R-1"), kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(s), HasSubstr("review 'R-7' has not been introduced"));
}

TEST(ValidationTest, EveryReviewActNeedsAnIntroducedReview) {
  const CaseState state = LookedAfterWithReview("R-1");
  std::vector<v1::Event> acts(9, Envelope("e", "C"));
  acts[0].mutable_invitations_sent()->set_review_id("R-2");
  acts[1].mutable_review_documents_provided()->set_review_id("R-2");
  acts[2].mutable_review_decisions_recorded()->set_review_id("R-2");
  acts[3].mutable_review_minutes_completed()->set_review_id("R-2");
  acts[4].mutable_review_postponement_requested()->set_review_id("R-2");
  acts[4].mutable_review_postponement_requested()->set_requested_by(v1::IRO);
  acts[4].mutable_review_postponement_requested()->set_reason("ill");
  acts[5].mutable_review_postponement_approved()->set_review_id("R-2");
  acts[6].mutable_review_postponement_rejected()->set_review_id("R-2");
  acts[7].mutable_review_rearranged()->set_review_id("R-2");
  acts[7].mutable_review_rearranged()->set_new_date("2024-07-01");
  acts[8].mutable_review_cancelled()->set_review_id("R-2");
  acts[8].mutable_review_cancelled()->set_reason("plan changed");
  for (const auto& e : acts) {
    EXPECT_EQ(ValidateEvent(e, state, kNow).code(), absl::StatusCode::kFailedPrecondition)
        << e.ShortDebugString();
  }
}

// Issue 14: the reports for a pre-permanence review name it (optionally):
// a named review must be one the log has introduced, like any review act;
// without a reviewId they are accepted as before.
TEST(ValidationTest, PrePermanenceReportsNameAnIntroducedReviewWhenTheyNameOne) {
  const CaseState state = LookedAfterWithReview("R-1");
  v1::Event sent = Envelope("e", "C");
  sent.mutable_pre_permanence_report_sent();
  EXPECT_TRUE(ValidateEvent(sent, state, kNow).ok());
  sent.mutable_pre_permanence_report_sent()->set_review_id("R-1");
  EXPECT_TRUE(ValidateEvent(sent, state, kNow).ok());
  sent.mutable_pre_permanence_report_sent()->set_review_id("R-2");
  absl::Status s = ValidateEvent(sent, state, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(s), HasSubstr("field 'prePermanenceReportSent.reviewId': review 'R-2' has not been introduced"));

  v1::Event all = Envelope("e", "C");
  all.mutable_reports_sent_to_legal_and_parents();
  EXPECT_TRUE(ValidateEvent(all, state, kNow).ok());
  all.mutable_reports_sent_to_legal_and_parents()->set_review_id("R-1");
  EXPECT_TRUE(ValidateEvent(all, state, kNow).ok());
  all.mutable_reports_sent_to_legal_and_parents()->set_review_id("R-9");
  s = ValidateEvent(all, state, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(s), HasSubstr("field 'reportsSentToLegalAndParents.reviewId': review 'R-9'"));
  // The id alphabet applies to it as to every id.
  all.mutable_reports_sent_to_legal_and_parents()->set_review_id("R 1");
  EXPECT_THAT(Msg(ValidateEvent(all, state, kNow)),
              HasSubstr("field 'reportsSentToLegalAndParents.reviewId': a space"));
}

// Issue 14: a review's stage is one of ReviewStage's values (a gRPC sender can
// put any number in an open enum); unset is fine.
TEST(ValidationTest, ReviewStageMustBeAKnownStage) {
  v1::Event held = Envelope("e", "C");
  held.mutable_review_held()->set_review_id("R-1");
  held.mutable_review_held()->set_participation("PN1");
  EXPECT_TRUE(ValidateEvent(held, {}, kNow).ok());
  held.mutable_review_held()->set_stage(v1::SIX_WEEK);
  held.mutable_review_held()->set_plan_agreed(false);
  EXPECT_TRUE(ValidateEvent(held, {}, kNow).ok());
  held.mutable_review_held()->set_stage(static_cast<v1::ReviewStage>(42));
  absl::Status s = ValidateEvent(held, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'reviewHeld.stage': unknown value 42"));

  v1::Event scheduled = Envelope("e", "C");
  auto* r = scheduled.mutable_review_scheduled();
  r->set_review_id("R-1");
  r->set_scheduled_for("2024-06-20");
  r->set_format(v1::MEETING);
  r->set_stage(v1::PRE_PERMANENCE);
  EXPECT_TRUE(ValidateEvent(scheduled, {}, kNow).ok());
  r->set_stage(static_cast<v1::ReviewStage>(-3));
  EXPECT_THAT(Msg(ValidateEvent(scheduled, {}, kNow)),
              HasSubstr("field 'reviewScheduled.stage': unknown value -3"));
}

// Issue 14's new events and flags need nothing the contract did not ask for.
TEST(ValidationTest, Issue14EventsAndFlagsAreAccepted) {
  const CaseState state = LookedAfterWithReview("R-1");
  std::vector<v1::Event> events(6, Envelope("e", "C"));
  events[0].mutable_kinship_assessment_completed();
  events[1].mutable_cin_plan_completed();
  events[2].mutable_risk_assessment_completed();
  events[3].mutable_child_and_family_assessment_completed();
  events[4].mutable_placement_started()->set_placement_type("U1");
  events[4].mutable_placement_started()->set_emergency(true);
  events[4].mutable_placement_started()->set_short_term(true);
  events[5].mutable_legal_status_changed()->set_legal_status("C2");
  for (const v1::Event& e : events) {
    EXPECT_TRUE(ValidateEvent(e, state, kNow).ok()) << e.ShortDebugString();
  }
  v1::Event acc = Accommodated("e1", "C-1");
  acc.mutable_child_accommodated()->set_short_term(true);
  EXPECT_TRUE(ValidateEvent(acc, CaseState{}, kNow).ok());
}

TEST(ValidationTest, ReviewHeldWithoutScheduleIsAccepted) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_held()->set_review_id("R-new");
  e.mutable_review_held()->set_participation("PN1");
  EXPECT_TRUE(ValidateEvent(e, LookedAfterWithReview("R-1"), kNow).ok());
  CaseState s;
  ApplyToState(e, &s);
  EXPECT_TRUE(s.reviews.contains("R-new"));
}

// The facts without the id: an import keeps its file's ids elsewhere.
TEST(ValidationTest, ApplyFactsToStateLeavesTheEventsIdOut) {
  v1::Event e = Envelope("e", "C");
  e.mutable_review_held()->set_review_id("R-new");
  CaseState facts;
  ApplyFactsToState(e, &facts);
  EXPECT_TRUE(facts.reviews.contains("R-new"));
  EXPECT_FALSE(facts.HasEvent("e"));
  ApplyFactsToState(Accommodated("a", "C"), &facts);
  EXPECT_TRUE(facts.looked_after);
  EXPECT_TRUE(facts.event_ids.empty());
  CaseState all;
  ApplyToState(e, &all);
  EXPECT_TRUE(all.HasEvent("e"));
  EXPECT_EQ(all.reviews, facts.reviews);
}

TEST(ValidationTest, AccommodatedWhileLookedAfterIsRefused) {
  CaseState s;
  ApplyToState(Accommodated("a", "C"), &s);
  absl::Status st = ValidateEvent(Accommodated("b", "C"), s, kNow);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(st), HasSubstr("already looked after"));
}

TEST(ValidationTest, CeasedWhileNotLookedAfterIsRefused) {
  v1::Event e = Envelope("e", "C");
  e.mutable_child_ceased_looked_after()->set_reason("E11");
  absl::Status st = ValidateEvent(e, CaseState{}, kNow);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Msg(st), HasSubstr("not looked after"));
}

TEST(ValidationTest, NewPeriodAfterCeasingIsAccepted) {
  CaseState s;
  ApplyToState(Accommodated("a", "C"), &s);
  v1::Event ceased = Envelope("b", "C");
  ceased.mutable_child_ceased_looked_after()->set_reason("E11");
  ASSERT_TRUE(ValidateEvent(ceased, s, kNow).ok());
  ApplyToState(ceased, &s);
  EXPECT_TRUE(ValidateEvent(Accommodated("c", "C"), s, kNow).ok());
}

TEST(ValidationTest, CorrectionOfUnknownEventIsRefused) {
  v1::Event e = Envelope("e", "C");
  e.mutable_event_retracted()->set_event_id("nope");
  e.mutable_event_retracted()->set_reason("entered on wrong child");
  EXPECT_EQ(ValidateEvent(e, LookedAfterWithReview("R"), kNow).code(),
            absl::StatusCode::kFailedPrecondition);
  e.mutable_event_retracted()->set_event_id("prior");
  EXPECT_TRUE(ValidateEvent(e, LookedAfterWithReview("R"), kNow).ok());
}

TEST(ValidationTest, CorrectionReplacementIsValidatedToo) {
  v1::Event e = Envelope("e", "C");
  e.mutable_event_corrected()->set_event_id("prior");
  e.mutable_event_corrected()->set_reason("wrong PN code");
  e.mutable_event_corrected()->mutable_replacement()->mutable_review_held()->set_review_id("R");
  e.mutable_event_corrected()->mutable_replacement()->mutable_review_held()->set_participation("PN8");
  EXPECT_THAT(Msg(ValidateEvent(e, LookedAfterWithReview("R"), kNow)),
              HasSubstr("field 'eventCorrected.replacement.reviewHeld.participation'"));
  e.mutable_event_corrected()->mutable_replacement()->mutable_review_held()->set_participation("PN3");
  EXPECT_TRUE(ValidateEvent(e, LookedAfterWithReview("R"), kNow).ok());
}

TEST(ValidationTest, PracticeBreachesAreNotRefused) {
  // A postponement approved by a team manager breaks 003's procedure but
  // happened: it is accepted (and flagged by the rules engine).
  v1::Event e = Envelope("e", "C", "2024-03-01T10:00:00Z", v1::TEAM_MANAGER);
  e.mutable_review_postponement_approved()->set_review_id("R");
  EXPECT_TRUE(ValidateEvent(e, LookedAfterWithReview("R"), kNow).ok());
}

// Issue 12 point 12: the id alphabet (engine/limits.h): 1 to 128 bytes of
// printable ASCII, in every id field, refused naming the field.
TEST(ValidationTest, IdsAreOneTo128BytesOfPrintableAscii) {
  const std::vector<std::string> bad_ids = {
      std::string("C-\0" "1", 4), "C-\x1b[2J", "C-1\n", "C-1 ", " C-1", "C\t1",
      "Caf\xc3\xa9",   // NFC
      "Cafe\xcc\x81",  // NFD
      "\xd0\xa1-1",    // Cyrillic Es
      "C-\x7f", std::string(129, 'x')};
  auto check = [&](const std::string& field, const std::function<void(v1::Event*, const std::string&)>& set,
                   v1::Event base, const CaseState& state) {
    for (const std::string& id : bad_ids) {
      v1::Event e = base;
      set(&e, id);
      absl::Status s = ValidateEvent(e, state, kNow);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field << " " << id;
      EXPECT_THAT(Msg(s), HasSubstr(absl::StrCat("field '", field, "'"))) << id;
      EXPECT_THAT(Msg(s), HasSubstr("printable ASCII")) << id;
      // The message never carries the raw bytes that were refused.
      for (char c : Msg(s)) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << field << ": " << Msg(s);
    }
  };
  check("caseId", [](v1::Event* e, const std::string& id) { e->set_case_id(id); },
        Accommodated("e", "C-1"), {});
  check("eventId", [](v1::Event* e, const std::string& id) { e->set_event_id(id); },
        Accommodated("e", "C-1"), {});
  check("actor.id", [](v1::Event* e, const std::string& id) { e->mutable_actor()->set_id(id); },
        Accommodated("e", "C-1"), {});
  check("correlationId", [](v1::Event* e, const std::string& id) { e->set_correlation_id(id); },
        Accommodated("e", "C-1"), {});
  v1::Event held = Envelope("e", "C-1");
  held.mutable_review_held()->set_participation("PN1");
  check("reviewHeld.reviewId",
        [](v1::Event* e, const std::string& id) { e->mutable_review_held()->set_review_id(id); },
        held, {});
  v1::Event iro = Envelope("e", "C-1");
  check("iroAllocated.iroId",
        [](v1::Event* e, const std::string& id) { e->mutable_iro_allocated()->set_iro_id(id); }, iro,
        {});
  v1::Event corr = Envelope("e", "C-1");
  corr.mutable_event_corrected()->set_event_id("prior");
  corr.mutable_event_corrected()->set_reason("typo");
  corr.mutable_event_corrected()->mutable_replacement()->mutable_review_held()->set_participation("PN1");
  check("eventCorrected.replacement.reviewHeld.reviewId",
        [](v1::Event* e, const std::string& id) {
          e->mutable_event_corrected()->mutable_replacement()->mutable_review_held()->set_review_id(id);
        },
        corr, LookedAfterWithReview("R"));
}

TEST(ValidationTest, IdsUsePrintableAsciiUpTo128Bytes) {
  v1::Event e = Accommodated("b7c1-9f0e:x/y@z+1~!", std::string(128, 'C'));
  e.mutable_actor()->set_id("COUNCIL\\j.smith@example.gov.uk");
  EXPECT_TRUE(ValidateEvent(e, {}, kNow).ok()) << ValidateEvent(e, {}, kNow);
}

// Issue 12 point 13: plausible dates (engine/limits.h), refused naming the
// field and the range.
TEST(ValidationTest, OccurredAtBefore1900IsRefused) {
  v1::Event e = Envelope("e", "C");
  e.mutable_iro_service_notified();
  e.mutable_occurred_at()->set_seconds(-62135596800);  // 0001-01-01T00:00:00Z
  absl::Status s = ValidateEvent(e, {}, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr("field 'occurredAt': 0001-01-01T00:00:00Z is before 1900-01-01"));
  e.mutable_occurred_at()->set_seconds(-2208988800);  // 1900-01-01T00:00:00Z
  EXPECT_TRUE(ValidateEvent(e, {}, kNow).ok());
}

TEST(ValidationTest, ScheduledDatesMustBeWithinTwoYearsOfTheEvent) {
  for (const char* date : {"0001-01-01", "9999-12-31", "2026-03-02", "2022-02-28"}) {
    v1::Event e = Envelope("e", "C");  // 2024-03-01
    e.mutable_review_scheduled()->set_review_id("R");
    e.mutable_review_scheduled()->set_scheduled_for(date);
    e.mutable_review_scheduled()->set_format(v1::MEETING);
    absl::Status s = ValidateEvent(e, {}, kNow);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << date;
    EXPECT_THAT(Msg(s), HasSubstr(absl::StrCat("field 'reviewScheduled.scheduledFor': ", date,
                                               " is outside 2022-03-01 to 2026-03-01")))
        << date;
  }
  for (const char* date : {"2026-03-01", "2022-03-01", "2024-03-27"}) {
    v1::Event e = Envelope("e", "C");
    e.mutable_review_scheduled()->set_review_id("R");
    e.mutable_review_scheduled()->set_scheduled_for(date);
    e.mutable_review_scheduled()->set_format(v1::MEETING);
    EXPECT_TRUE(ValidateEvent(e, {}, kNow).ok()) << date << ValidateEvent(e, {}, kNow);
  }
  v1::Event r = Envelope("e", "C");
  r.mutable_review_rearranged()->set_review_id("R");
  r.mutable_review_rearranged()->set_new_date("9999-12-31");
  EXPECT_THAT(Msg(ValidateEvent(r, LookedAfterWithReview("R"), kNow)),
              HasSubstr("field 'reviewRearranged.newDate': 9999-12-31 is outside"));
}

TEST(ValidationTest, DatesOfBirthMustBePlausible) {
  v1::Event a = Accommodated("e", "C");  // 2024-03-01
  a.mutable_child_accommodated()->set_date_of_birth("2099-01-01");
  EXPECT_THAT(Msg(ValidateEvent(a, {}, kNow)),
              HasSubstr("field 'childAccommodated.dateOfBirth': 2099-01-01 is outside 1900-01-01 "
                        "to 2024-03-01"));
  a.mutable_child_accommodated()->set_date_of_birth("2024-03-02");
  EXPECT_FALSE(ValidateEvent(a, {}, kNow).ok()) << "born after being accommodated";
  a.mutable_child_accommodated()->set_date_of_birth("1899-12-31");
  EXPECT_FALSE(ValidateEvent(a, {}, kNow).ok());
  a.mutable_child_accommodated()->set_date_of_birth("2024-03-01");
  EXPECT_TRUE(ValidateEvent(a, {}, kNow).ok());

  // An unborn child may be registered with the expected date of birth.
  v1::Event r = Envelope("e", "C");
  r.mutable_child_registered()->set_date_of_birth("2024-12-26");  // 300 days on
  EXPECT_TRUE(ValidateEvent(r, {}, kNow).ok()) << ValidateEvent(r, {}, kNow);
  r.mutable_child_registered()->set_date_of_birth("2024-12-27");
  EXPECT_THAT(Msg(ValidateEvent(r, {}, kNow)),
              HasSubstr("field 'childRegistered.dateOfBirth': 2024-12-27 is outside 1900-01-01 to "
                        "2024-12-26"));
  r.mutable_child_registered()->set_date_of_birth("2010-05-01");
  r.mutable_child_registered()->set_mother_child_dob("2099-01-01");
  EXPECT_THAT(Msg(ValidateEvent(r, {}, kNow)),
              HasSubstr("field 'childRegistered.motherChildDob': 2099-01-01 is outside"));
  // The 903 importer dates a registration at the child's own birth, so a
  // looked-after mother's child is born long after that event.
  r.mutable_child_registered()->set_mother_child_dob("2024-05-01");
  EXPECT_TRUE(ValidateEvent(r, {}, kNow).ok());
}

// Today is the London date of the `now` each call is given, also when one
// thread validates at several in turn (the validator keeps the last one's).
TEST(ValidationTest, TodayFollowsEachCallsNow) {
  v1::Event r = Envelope("e", "C");
  r.mutable_child_registered()->set_date_of_birth("2010-05-01");
  r.mutable_child_registered()->set_mother_child_dob("2025-03-28");  // 2024-06-01 + 300 days
  EXPECT_TRUE(ValidateEvent(r, {}, kNow).ok()) << ValidateEvent(r, {}, kNow);
  EXPECT_THAT(Msg(ValidateEvent(r, {}, kNow - absl::Hours(24))),
              HasSubstr("field 'childRegistered.motherChildDob': 2025-03-28 is outside 1900-01-01 "
                        "to 2025-03-27"));
  EXPECT_TRUE(ValidateEvent(r, {}, kNow).ok());
  // 23:30 UTC on 31 May is 00:30 on 1 June in London (BST); 22:30 is still 31 May.
  EXPECT_TRUE(ValidateEvent(r, {}, T("2024-05-31T23:30:00Z")).ok());
  EXPECT_FALSE(ValidateEvent(r, {}, T("2024-05-31T22:30:00Z")).ok());
  EXPECT_TRUE(ValidateEvent(r, {}, T("2024-05-31T23:30:00Z")).ok());
}

}  // namespace
}  // namespace carelog
