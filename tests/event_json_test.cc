#include "engine/event_json.h"

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
        Bad{"PayloadNotObject", "{" ENV R"(,"reviewHeld":"R-1"})", "field 'reviewHeld': want an object"}),
    [](const ::testing::TestParamInfo<Bad>& info) { return info.param.name; });

}  // namespace
}  // namespace carelog
