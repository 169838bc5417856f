#include "engine/event_json.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

absl::Status ParseLine(const std::string& line, v1::Event* e) {
  EventJsonParser p;
  return p.Parse(line, e);
}

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

// The example line of events.md, unchanged.
constexpr char kSpecExample[] =
    R"({"eventId": "b7c1-…", "caseId": "C-000123", "occurredAt": "2024-03-01T14:05:00Z",
 "actor": {"id": "sw-17", "role": "SOCIAL_WORKER"},
 "reviewHeld": {"reviewId": "R-9", "participation": "PN1"}})";

TEST(EventJsonTest, ParsesTheSpecExampleUnchanged) {
  v1::Event e;
  ASSERT_TRUE(ParseLine(kSpecExample, &e).ok());
  EXPECT_EQ(e.event_id(), "b7c1-…");
  EXPECT_EQ(e.case_id(), "C-000123");
  EXPECT_EQ(e.occurred_at().seconds(), 1709301900);
  EXPECT_EQ(e.actor().role(), v1::SOCIAL_WORKER);
  EXPECT_EQ(e.review_held().review_id(), "R-9");
  EXPECT_EQ(e.review_held().participation(), "PN1");
}

// Instants of the common shape "YYYY-MM-DDTHH:MM:SSZ" take a fast path; it
// must accept and refuse exactly what the general parser does, with the same
// instant, including leap days, month ends, year edges and fields out of
// range. One parser for all, as an import's worker uses one.
TEST(EventJsonTest, CommonInstantsAgreeWithTheGeneralParser) {
  EventJsonParser parser;
  auto line = [](const std::string& instant) {
    return absl::StrCat(R"({"eventId":"e","caseId":"C","occurredAt":")", instant,
                        R"(","actor":{"id":"a","role":"SOCIAL_WORKER"},)",
                        R"("reviewHeld":{"reviewId":"R"}})");
  };
  std::vector<std::string> instants = {
      "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
      "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "1900-02-29T00:00:00Z",
      "2000-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
      "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z",
      "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "2024-01-01t10:00:00Z",
      "2024-01-01T10:00:00z", "2024-1-01T10:00:00Z",  "2024-01-01T10:00:00+01:00",
      "2024-01-01T10:00:00.5Z", "2024-01-01 10:00:00Z", "+024-01-01T10:00:00Z",
      "2024-03-31T00:59:59Z", "2024-10-27T01:00:00Z", "1970-01-01T00:00:00Z"};
  // The fast path counts days itself: every year's ends and leap-day edges.
  for (int y = 1; y <= 9999; ++y) {
    for (const char* md : {"01-01", "02-28", "02-29", "03-01", "12-31"}) {
      instants.push_back(absl::StrFormat("%04d-%sT%02d:%02d:%02dZ", y, md, y % 24, y % 60,
                                         (y * 7) % 60));
    }
  }
  for (int y : {1, 4, 99, 100, 400, 1582, 1969, 1999, 2038, 2100, 2400, 9998}) {
    for (int m = 1; m <= 12; ++m) {
      for (int d : {1, 28, 29, 30, 31}) {
        instants.push_back(absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                                           (y + m) % 24, (d * 7) % 60, (m * 13) % 60));
      }
    }
  }
  for (const std::string& instant : instants) {
    SCOPED_TRACE(instant);
    v1::Event e;
    absl::Status s = parser.Parse(line(instant), &e);
    absl::Time t;
    std::string err;
    const bool general = absl::ParseTime(absl::RFC3339_full, instant, &t, &err);
    absl::CivilDay day;
    const bool same_date =
        general && absl::ParseCivilTime(instant.substr(0, 10), &day) &&
        absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day()) ==
            instant.substr(0, 10) &&
        std::isdigit(static_cast<unsigned char>(instant[0]));
    if (!s.ok()) {
      EXPECT_THAT(Msg(s), HasSubstr("occurredAt"));
      EXPECT_FALSE(same_date && absl::ToUnixSeconds(t) >= -62135596800 &&
                   absl::ToUnixSeconds(t) <= 253402300799)
          << "refused an instant the general parser accepts: " << Msg(s);
      continue;
    }
    ASSERT_TRUE(general);
    EXPECT_TRUE(same_date) << "accepted a date the general parser normalises";
    EXPECT_EQ(e.occurred_at().seconds(), absl::ToUnixSeconds(t));
    EXPECT_EQ(e.occurred_at().nanos(),
              (t - absl::FromUnixSeconds(absl::ToUnixSeconds(t))) / absl::Nanoseconds(1));
  }
}

TEST(EventJsonTest, AgreesWithProtobufsOwnJsonParser) {
  // The contract is protobuf's JSON mapping: both parsers must agree.
  const std::string line =
      R"({"eventId":"e1","caseId":"C-1","occurredAt":"2024-03-01T14:05:00.250+01:00",)"
      R"("actor":{"id":"sm-1","role":"SERVICE_MANAGER"},"correlationId":"k","source":"mosaic",)"
      R"("reviewPostponementApproved":{"reviewId":"R-1","iroConsulted":false}})";
  v1::Event ours, theirs;
  ASSERT_TRUE(ParseLine(line, &ours).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &theirs).ok());
  EXPECT_EQ(ours.SerializeAsString(), theirs.SerializeAsString());
  EXPECT_TRUE(ours.review_postponement_approved().has_iro_consulted());
}

TEST(EventJsonTest, RoundTripsThroughEventToJson) {
  v1::Event e;
  ASSERT_TRUE(ParseLine(kSpecExample, &e).ok());
  v1::Event back;
  ASSERT_TRUE(ParseLine(EventToJson(e), &back).ok());
  EXPECT_EQ(e.SerializeAsString(), back.SerializeAsString());
  EXPECT_EQ(PayloadName(e), "reviewHeld");
}

// Every payload of the schema is named by its own JSON name, and no payload
// by "", whichever was set before.
TEST(EventJsonTest, PayloadNameNamesEveryPayload) {
  const google::protobuf::OneofDescriptor* oneof =
      v1::Event::descriptor()->FindOneofByName("payload");
  ASSERT_GT(oneof->field_count(), 50);
  v1::Event e;
  EXPECT_EQ(PayloadName(e), "");
  for (int i = 0; i < oneof->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = oneof->field(i);
    e.GetReflection()->MutableMessage(&e, f);
    EXPECT_EQ(PayloadName(e), f->json_name()) << f->name();
  }
  e.clear_payload();
  EXPECT_EQ(PayloadName(e), "");
}

TEST(EventJsonTest, AcceptsOriginalFieldNamesAndNulls) {
  v1::Event e;
  ASSERT_TRUE(ParseLine(R"({"event_id":"e","case_id":"C","occurred_at":"2024-01-01T00:00:00Z",)"
                        R"("actor":{"id":"a","role":"IRO"},"comment":null,"iro_service_notified":{}})",
                        &e)
                  .ok());
  EXPECT_TRUE(e.has_iro_service_notified());
}

TEST(EventJsonTest, ParsesRepeatedAndNestedCorrections) {
  v1::Event e;
  ASSERT_TRUE(ParseLine(R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z",)"
                        R"("actor":{"id":"a","role":"ADMIN"},"eventCorrected":{"eventId":"x",)"
                        R"("reason":"typo","replacement":{"reviewHeld":{"reviewId":"R","participation":"PN2"}}}})",
                        &e)
                  .ok());
  EXPECT_EQ(e.event_corrected().replacement().review_held().participation(), "PN2");
  ASSERT_TRUE(ParseLine(R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z",)"
                        R"("actor":{"id":"a","role":"ADMIN"},"reviewDocumentsProvided":{"reviewId":"R",)"
                        R"("documents":["care plan","health"]}})",
                        &e)
                  .ok());
  EXPECT_EQ(e.review_documents_provided().documents_size(), 2);
}

// Issue 14's fields and events (README "Event contract beyond events.md"):
// each parses, and as protobuf's own JSON parser reads it.
TEST(EventJsonTest, ParsesIssue14FieldsAndEventsAsProtobufDoes) {
  const std::string env =
      R"("eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","role":"SOCIAL_WORKER"})";
  const std::vector<std::string> payloads = {
      R"("childAccommodated":{"legalStatus":"C2","placementType":"U1","shortTerm":true})",
      R"("reviewScheduled":{"reviewId":"R","scheduledFor":"2024-02-01","format":"MEETING","stage":"SIX_WEEK"})",
      R"("reviewHeld":{"reviewId":"R","participation":"PN1","stage":"PRE_PERMANENCE","planAgreed":false})",
      R"("placementStarted":{"placementType":"U1","emergency":true,"shortTerm":true})",
      R"("prePermanenceReportSent":{"reviewId":"R"})",
      R"("prePermanenceReportSent":{})",
      R"("reportsSentToLegalAndParents":{"reviewId":"R"})",
      R"("kinshipAssessmentCompleted":{})",
      R"("cinPlanCompleted":{})",
      R"("riskAssessmentCompleted":{})",
      R"("childAndFamilyAssessmentCompleted":{})",
  };
  for (const std::string& p : payloads) {
    const std::string line = absl::StrCat("{", env, ",", p, "}");
    v1::Event ours, theirs;
    ASSERT_TRUE(ParseLine(line, &ours).ok()) << line;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &theirs).ok()) << line;
    EXPECT_EQ(ours.SerializeAsString(), theirs.SerializeAsString()) << line;
    v1::Event back;
    ASSERT_TRUE(ParseLine(EventToJson(ours), &back).ok()) << EventToJson(ours);
    EXPECT_EQ(back.SerializeAsString(), ours.SerializeAsString()) << line;
  }
  v1::Event held;
  ASSERT_TRUE(ParseLine(absl::StrCat("{", env, ",", payloads[2], "}"), &held).ok());
  EXPECT_EQ(held.review_held().stage(), v1::PRE_PERMANENCE);
  // planAgreed false is recorded, not "not recorded".
  EXPECT_TRUE(held.review_held().has_plan_agreed());
  EXPECT_FALSE(held.review_held().plan_agreed());
}

struct Bad {
  const char* name;
  const char* line;
  const char* expect;
};

class EventJsonRefusalTest : public ::testing::TestWithParam<Bad> {};

TEST_P(EventJsonRefusalTest, RefusedNamingTheFieldAndReason) {
  v1::Event e;
  absl::Status s = ParseLine(GetParam().line, &e);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Msg(s), HasSubstr(GetParam().expect));
}

#define ENV R"("eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","role":"IRO"})"

INSTANTIATE_TEST_SUITE_P(
    Refusals, EventJsonRefusalTest,
    ::testing::Values(
        Bad{"MalformedJson", R"({"eventId": )", "malformed JSON"},
        Bad{"NotAnObject", R"([1,2])", "must be a JSON object"},
        Bad{"TrailingGarbage", "{" ENV R"(,"iroServiceNotified":{}} x)", "malformed JSON"},
        Bad{"UnknownPayload", "{" ENV R"(,"reviewExploded":{}})", "unknown payload 'reviewExploded'"},
        Bad{"UnknownEnvelopeField", "{" ENV R"(,"colour":"red","iroServiceNotified":{}})",
            "unknown field 'colour'"},
        Bad{"UnknownPayloadField", "{" ENV R"(,"reviewHeld":{"reviewId":"R","mood":"x"}})",
            "unknown field 'reviewHeld.mood'"},
        Bad{"NoPayload", "{" ENV "}", "no payload"},
        Bad{"TwoPayloads", "{" ENV R"(,"iroServiceNotified":{},"invitationsSent":{"reviewId":"R"}})",
            "two payloads"},
        Bad{"WrongType", "{" ENV R"(,"reviewHeld":{"reviewId":7}})",
            "field 'reviewHeld.reviewId': want a string"},
        Bad{"WrongBoolType", "{" ENV R"(,"childAccommodated":{"emergency":"yes"}})",
            "field 'childAccommodated.emergency': want true or false"},
        Bad{"UnknownRole", R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","role":"NURSE"},"iroServiceNotified":{}})",
            "field 'actor.role': unknown value 'NURSE'"},
        Bad{"BadInstant", R"({"eventId":"e","caseId":"C","occurredAt":"1 March 2024","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'occurredAt': bad instant"},
        Bad{"ImpossibleInstant", R"({"eventId":"e","caseId":"C","occurredAt":"2023-02-29T10:00:00Z","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'occurredAt': bad instant '2023-02-29"},
        Bad{"NegativeYearInstant", R"({"eventId":"e","caseId":"C","occurredAt":"-292-12-30T13:30:00Z","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "outside years 0001 to 9999"},
        Bad{"InstantBeforeYearOne", R"({"eventId":"e","caseId":"C","occurredAt":"0001-01-01T00:30:00+01:00","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "outside years 0001 to 9999"},
        Bad{"InstantWithoutZone", R"({"eventId":"e","caseId":"C","occurredAt":"2024-03-01T10:00:00","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'occurredAt': bad instant"},
        Bad{"StoreSetPosition", "{" ENV R"(,"position":"5","iroServiceNotified":{}})",
            "field 'position': is set by the store"},
        Bad{"StoreSetRecordedAt", "{" ENV R"(,"recordedAt":"2024-01-01T00:00:00Z","iroServiceNotified":{}})",
            "field 'recordedAt': is set by the store"},
        Bad{"UnknownReviewStage", "{" ENV R"(,"reviewHeld":{"reviewId":"R","stage":"NINE_WEEK"}})",
            "field 'reviewHeld.stage': unknown value 'NINE_WEEK'"},
        Bad{"PayloadNotObject", "{" ENV R"(,"reviewHeld":"R-1"})", "field 'reviewHeld': want an object"},
        // Issue 12 point 13: an instant with spaces around it was accepted.
        Bad{"InstantWithTrailingSpace", R"({"eventId":"e","caseId":"C","occurredAt":"2024-03-01T10:00:00Z ","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'occurredAt': bad instant '2024-03-01T10:00:00Z ': no spaces"},
        Bad{"InstantWithLeadingSpace", R"({"eventId":"e","caseId":"C","occurredAt":" 2024-03-01T10:00:00+01:00","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'occurredAt': bad instant ' 2024-03-01T10:00:00+01:00': no spaces"},
        // Issue 12 point 11: a key given twice is refused (last-wins would
        // let two readers of one line see two different events), at every
        // level, a null included, and under both of a field's names.
        Bad{"DuplicateCaseId", "{" ENV R"(,"caseId":"X-2","iroServiceNotified":{}})",
            "field 'caseId' appears twice"},
        Bad{"DuplicateNullThenValue", R"({"eventId":"e","caseId":null,"caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","role":"IRO"},"iroServiceNotified":{}})",
            "field 'caseId' appears twice"},
        Bad{"DuplicateUnderOriginalName", "{" ENV R"(,"case_id":"X-2","iroServiceNotified":{}})",
            "field 'caseId' appears twice"},
        Bad{"DuplicateActorId", R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","role":"IRO","id":"b"},"iroServiceNotified":{}})",
            "field 'actor.id' appears twice"},
        Bad{"DuplicatePayloadField", "{" ENV R"(,"reviewHeld":{"reviewId":"R-1","participation":"PN1","reviewId":"R-2"}})",
            "field 'reviewHeld.reviewId' appears twice"},
        Bad{"DuplicatePayload", "{" ENV R"(,"iroServiceNotified":{},"iroServiceNotified":{}})",
            "field 'iroServiceNotified' appears twice"},
        Bad{"DuplicateInCorrection", "{" ENV R"(,"eventCorrected":{"eventId":"x","reason":"typo","replacement":{"reviewHeld":{"reviewId":"R","reviewId":"S"}}}})",
            "field 'eventCorrected.replacement.reviewHeld.reviewId' appears twice"},
        // Paths are spelled out only for a refusal (event_json.cc): array
        // elements and the whole of a two-payload message still read right.
        Bad{"ArrayElementWrongType", "{" ENV R"(,"reviewDocumentsProvided":{"reviewId":"R","documents":["a",7]}})",
            "field 'reviewDocumentsProvided.documents[1]': want a string, got a number"},
        Bad{"RepeatedEnumUnknown", "{" ENV R"(,"reviewArrangementChanged":{"agreedBy":["IRO","NURSE"]}})",
            "field 'reviewArrangementChanged.agreedBy[1]': unknown value 'NURSE'"},
        Bad{"TwoPayloadsNamed", "{" ENV R"(,"iroServiceNotified":{},"invitationsSent":{"reviewId":"R"}})",
            "two payloads 'iroServiceNotified' and 'invitationsSent': an event carries exactly one"},
        Bad{"BadInstantInPayload", "{" ENV R"(,"eventCorrected":{"eventId":"x","reason":"r","replacement":{"occurredAt":"2024-02-30T00:00:00Z"}}})",
            "field 'eventCorrected.replacement.occurredAt': bad instant '2024-02-30T00:00:00Z'"}),
    [](const ::testing::TestParamInfo<Bad>& info) { return info.param.name; });

// One parser and one Event reused line after line, as the importer's
// workers do (the parser keeps cleared payload messages to put back into
// later events): every line gives exactly what a fresh parser gives into a
// fresh Event, nothing left over from the lines before, whatever the order
// of payload types, refusals in between included.
TEST(EventJsonTest, ReusedParserAndEventGiveWhatFreshOnesGive) {
  const std::vector<std::string> lines = {
      "{" ENV R"(,"reviewHeld":{"reviewId":"R-1","participation":"PN1","stage":"SIX_WEEK"}})",
      "{" ENV R"(,"reviewHeld":{"reviewId":"R-2"}})",
      "{" ENV R"(,"reviewDocumentsProvided":{"reviewId":"R","documents":["a","b","c"]}})",
      "{" ENV R"(,"reviewDocumentsProvided":{"reviewId":"S","documents":["d"]}})",
      "{" ENV R"(,"reviewHeld":"not an object"})",
      "{" ENV R"(,"reviewHeld":{"participation":"PN4"}})",
      "{" ENV R"(,"iroServiceNotified":{}})",
      "{" ENV R"(,"reviewHeld":{"reviewId":"R-3","mood":"x"}})",
      "{" ENV R"(,"reviewHeld":{"reviewId":"R-4"}})",
      "{" ENV R"(,"eventCorrected":{"eventId":"x","reason":"r","replacement":{"reviewHeld":{"reviewId":"R-5"}}}})",
      "{" ENV R"(,"eventCorrected":{"eventId":"y","reason":"s"}})",
      "{" ENV R"(,"reviewDocumentsProvided":{"reviewId":"T"}})",
      // The envelope's messages: absent, null, partly given, of the wrong
      // type, an instant with a fraction (the general path), a bad one.
      R"({"eventId":"e","caseId":"C","reviewHeld":{"reviewId":"R-6"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":null,"actor":null,"reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00.25Z","actor":{"role":"SOCIAL_WORKER"},"reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00+01:00","actor":{"id":"b"},"reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":5,"actor":{"id":"a","role":"IRO"},"reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":"a","reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":"2024-02-30T00:00:00Z","actor":{"id":"a"},"reviewHeld":{"reviewId":"R"}})",
      R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-01T00:00:00Z","actor":{"id":"a","mood":"x"},"reviewHeld":{"reviewId":"R"}})",
  };
  EventJsonParser reused;
  v1::Event event;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < lines.size(); ++i) {
      // A different order each round, so payloads move between types.
      const std::string& line = lines[(i * (round + 1) + round) % lines.size()];
      v1::Event fresh;
      const absl::Status want = ParseLine(line, &fresh);
      const absl::Status got = reused.Parse(line, &event);
      EXPECT_EQ(got, want) << line;
      if (want.ok()) {
        EXPECT_EQ(event.SerializeAsString(), fresh.SerializeAsString()) << line;
        EXPECT_EQ(EventToJson(event), EventToJson(fresh)) << line;
      }
    }
  }
}

// The parser keeps each enum field's names as it finds them: names given in
// turn, an unknown one and the "unspecified" one between them, must each
// give what a fresh parser gives, and the refusals name the value.
TEST(EventJsonTest, EnumNamesGiveWhatAFreshParserGives) {
  const auto line = [](const char* role) {
    return absl::StrCat(R"({"eventId":"e","caseId":"C","occurredAt":"2024-01-02T10:00:00Z",)",
                        R"("actor":{"id":"a","role":")", role, R"("},"reviewHeld":{"reviewId":"R"}})");
  };
  EventJsonParser reused;
  v1::Event event;
  std::vector<v1::Role> roles;
  for (const char* role : {"IRO", "SOCIAL_WORKER", "IRO", "NURSE", "ROLE_UNSPECIFIED",
                                "SOCIAL_WORKER", "iro", "IRO", "NURSE"}) {
    SCOPED_TRACE(role);
    v1::Event fresh;
    const absl::Status want = EventJsonParser().Parse(line(role), &fresh);
    const absl::Status got = reused.Parse(line(role), &event);
    EXPECT_EQ(got, want);
    if (!got.ok()) {
      EXPECT_THAT(Msg(got), HasSubstr(absl::StrCat("field 'actor.role': unknown value '", role)));
      continue;
    }
    EXPECT_EQ(event.SerializeAsString(), fresh.SerializeAsString());
    roles.push_back(event.actor().role());
  }
  EXPECT_THAT(roles, ::testing::ElementsAre(v1::IRO, v1::SOCIAL_WORKER, v1::IRO,
                                            v1::SOCIAL_WORKER, v1::IRO));
}

// The parser guesses each key from the order the last object of its type
// gave: keys in another order, a key given twice right where the guess
// points, a snake_case name where camelCase came before, and a key missing
// must each still give what a fresh parser gives.
TEST(EventJsonTest, KeysInAnyOrderGiveWhatAFreshParserGives) {
  const std::vector<std::string> lines = {
      R"({"eventId":"e1","caseId":"C","occurredAt":"2024-01-02T10:00:00Z","actor":{"id":"a","role":"IRO"},"reviewHeld":{"reviewId":"R-1","participation":"PN1"}})",
      R"({"reviewHeld":{"participation":"PN1","reviewId":"R-2"},"actor":{"role":"IRO","id":"a"},"occurredAt":"2024-01-02T10:00:00Z","caseId":"C","eventId":"e2"})",
      R"({"eventId":"e3","caseId":"C","caseId":"D","occurredAt":"2024-01-02T10:00:00Z","actor":{"id":"a","role":"IRO"},"reviewHeld":{"reviewId":"R-3"}})",
      R"({"eventId":"e4","case_id":"C","occurredAt":"2024-01-02T10:00:00Z","actor":{"id":"a","role":"IRO"},"reviewHeld":{"review_id":"R-4","reviewId":"R-5"}})",
      R"({"eventId":"e5","occurredAt":"2024-01-02T10:00:00Z","actor":{"id":"a","role":"IRO"},"reviewHeld":{"reviewId":"R-6"}})",
      R"({"eventId":"e6","caseId":"C","occurredAt":"2024-01-02T10:00:00Z","actor":{"id":"a","role":"IRO"},"reviewHeld":{"reviewId":"R-7","participation":"PN1"}})",
  };
  EventJsonParser reused;
  v1::Event event;
  std::vector<absl::Status> verdicts;
  for (const std::string& line : lines) {
    v1::Event fresh;
    const absl::Status want = EventJsonParser().Parse(line, &fresh);
    const absl::Status got = reused.Parse(line, &event);
    EXPECT_EQ(got, want) << line;
    if (want.ok()) EXPECT_EQ(event.SerializeAsString(), fresh.SerializeAsString()) << line;
    verdicts.push_back(got);
  }
  // What each line is, so that the comparison above has something to compare.
  EXPECT_TRUE(verdicts[0].ok()) << verdicts[0];
  EXPECT_TRUE(verdicts[1].ok()) << verdicts[1];
  EXPECT_THAT(std::string(verdicts[2].message()), HasSubstr("'caseId' appears twice"));
  EXPECT_THAT(std::string(verdicts[3].message()), HasSubstr("'reviewHeld.reviewId' appears twice"));
  EXPECT_TRUE(verdicts[4].ok()) << verdicts[4];  // caseId is ValidateContent's to require
  EXPECT_EQ(event.case_id(), "C");
  EXPECT_EQ(event.review_held().review_id(), "R-7");
}

}  // namespace
}  // namespace carelog
