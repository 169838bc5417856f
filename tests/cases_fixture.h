// The four children the case-list tests share (cases_list_test,
// cases_command_test, service_test's ListCases): C-A (iro-7, Team North,
// looked after, moved on 2024-04-02), C-B (iro-7, Team South, looked after),
// C-C (iro-8, Team North, no longer looked after), C-D (registered only:
// never looked after, nothing allocated). NDJSON, one event a line.
#ifndef CARELOG_TESTS_CASES_FIXTURE_H_
#define CARELOG_TESTS_CASES_FIXTURE_H_

namespace carelog::testing {

inline constexpr char kFourCasesNdjson[] =
    R"({"eventId":"a1","caseId":"C-A","occurredAt":"2024-02-20T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"socialWorkerAllocated":{"socialWorkerId":"sw-1","team":"Team North"}})"
    "\n"
    R"({"eventId":"a2","caseId":"C-A","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"a3","caseId":"C-A","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n"
    R"({"eventId":"a4","caseId":"C-A","occurredAt":"2024-03-05T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"iroAllocated":{"iroId":"iro-7"}})"
    "\n"
    R"({"eventId":"a5","caseId":"C-A","occurredAt":"2024-04-02T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"placementStarted":{"placementType":"U4","provider":"PR1","placementId":"P-2"}})"
    "\n"
    R"({"eventId":"b1","caseId":"C-B","occurredAt":"2024-03-15T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"V2","placementType":"U3"}})"
    "\n"
    R"({"eventId":"b2","caseId":"C-B","occurredAt":"2024-03-15T11:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"socialWorkerAllocated":{"socialWorkerId":"sw-2","team":"Team South"}})"
    "\n"
    R"({"eventId":"b3","caseId":"C-B","occurredAt":"2024-03-18T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n"
    R"({"eventId":"b4","caseId":"C-B","occurredAt":"2024-03-19T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"iroAllocated":{"iroId":"iro-7"}})"
    "\n"
    R"({"eventId":"c1","caseId":"C-C","occurredAt":"2024-01-10T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"V2","placementType":"U5"}})"
    "\n"
    R"({"eventId":"c2","caseId":"C-C","occurredAt":"2024-01-11T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n"
    R"({"eventId":"c3","caseId":"C-C","occurredAt":"2024-01-12T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"iroAllocated":{"iroId":"iro-8"}})"
    "\n"
    R"({"eventId":"c4","caseId":"C-C","occurredAt":"2024-01-12T11:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"socialWorkerAllocated":{"socialWorkerId":"sw-1","team":"Team North"}})"
    "\n"
    R"({"eventId":"c5","caseId":"C-C","occurredAt":"2024-01-31T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childCeasedLookedAfter":{"reason":"E13"}})"
    "\n"
    R"({"eventId":"d1","caseId":"C-D","occurredAt":"2024-02-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"2016-05-01","authorityCode":"801","sex":"2"}})"
    "\n";

}  // namespace carelog::testing

#endif  // CARELOG_TESTS_CASES_FIXTURE_H_
