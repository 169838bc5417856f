// The subject access bundle of `carelog sar` (issue 19): a child's whole
// record as the child (or a care leaver years later) asks for it under a
// subject access request — every event as stored with the corrections and
// withdrawals made to it, every obligation and finding, every access record
// (who read the record, when, through what) — as one printable HTML document
// in plain language and as JSON, with the log's head and an inclusion proof
// of each event and access record, so that `carelog check-proof` can show
// without the store that the bundle is what the log held.
//
// Dates for people are UK dates ("3 March 2024"), times London's with the
// zone ("14:05 GMT", "09:30 BST"); the JSON keeps RFC 3339 instants and
// YYYY-MM-DD dates. Every free text (comments, reasons, ids, names) is
// escaped. Pure functions (the query layer gathers the inputs:
// Queries::SubjectAccess); thread-compatible.
#ifndef CARELOG_PROJECTIONS_SUBJECT_ACCESS_H_
#define CARELOG_PROJECTIONS_SUBJECT_ACCESS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/service.pb.h"
#include "projections/deadlines.h"
#include "store/event_store.h"
#include "store/inclusion_proof.h"

namespace carelog {

// The "format" of the bundle's JSON.
inline constexpr char kSubjectAccessFormat[] = "carelog-subject-access/1";

// Everything in one bundle, read from one head: every record listed is among
// its first head.size records, and every proof is to that head.
struct SubjectAccess {
  std::string case_id;
  std::string pack_name;     // the policy pack that judged the deadlines
  // Rule id -> its description in the pack (policy.proto Rule.description),
  // shown beside each obligation and finding; a rule not here shows its id.
  std::map<std::string, std::string> rule_descriptions;
  absl::CivilDay as_of;      // deadlines judged at the end of this London date
  // The access record of the read that made this bundle (also in `access`):
  // who, through what, when (its `at` is the bundle's time).
  v1::AccessRecord request;
  TreeHead head;
  // The case's events as stored (position, version, recordedAt set), in log
  // order: originals, corrections and retractions alike.
  std::vector<v1::Event> events;
  CaseDeadlines deadlines;  // obligations and findings, corrections applied
  std::vector<v1::AccessRecord> access;  // position set, in log order
  // One per event, in the order of `events`; one per access record, in the
  // order of `access`. Each proves its record among head.size records.
  std::vector<InclusionProofData> event_proofs;
  std::vector<InclusionProofData> access_proofs;
  // In an encrypted store: stream -> hex of its data key (the case's, and
  // its access log's when it has one), so that `check-proof --data-key`
  // opens each proof's sealed leaf and shows the entry it holds. Empty in a
  // plain store, whose leaves hold the entries in clear.
  std::map<std::string, std::string> data_keys;
};

// "dateOfBirth" -> "Date of birth", "iroId" -> "IRO id": a lowerCamelCase
// field name in words, first letter capital, known initialisms (IRO, URN,
// UPN, CIN, LA, ID, SDQ, RNE) kept in capitals.
std::string HumaniseFieldName(std::string_view lower_camel);

// "3 March 2024": the day without a leading zero, the month in full.
std::string UkDate(absl::CivilDay day);

// "3 March 2024 at 14:05 GMT" / "1 July 2024 at 09:30 BST": the instant in
// Europe/London (24-hour clock, the zone in force then).
std::string UkDateTime(absl::Time t);

// The bundle as one JSON object (README "Subject access"): format, caseId,
// pack, asOf, generatedAt, request {by, role, through, peer, position},
// head {treeSize, rootHash}, events [{position, eventId, type, occurredAt,
// recordedAt, actor, comment, corrects, correctedBy, retractedBy, event
// (the event's own JSON), proof}], obligations, findings, accessRecords
// [{position, at, by, role, through, caseId, peer, eventId, outcome, proof}],
// and, from an encrypted store, dataKeys {stream: hex}.
// Each "proof" is exactly InclusionProofJson's object.
std::string RenderSubjectAccessJson(const SubjectAccess& sar);

// The bundle as one self-contained printable HTML document (inline CSS with
// @media print, no script, no external resource), in plain language for the
// child: about this record, everything recorded in date order, corrections
// and withdrawals, deadlines and whether they were met, who has looked at
// the record, and how to check it has not been changed.
std::string RenderSubjectAccessHtml(const SubjectAccess& sar);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SUBJECT_ACCESS_H_
