// Erasure of a case, as the views see it (issue 19). The store destroys the
// case's data key (EventStore::Erase); what the log keeps is a CaseErasure
// in the system stream "$erasures": who erased which case, when, why, under
// what authority (or the retention rule whose period had ended) and how many
// events. Every view names an erased case by that record: a query about one
// case answers kFailedPrecondition with ErasedCaseMessage, and the lists
// (`cases`, the QA report) list the erasures.
#ifndef CARELOG_PROJECTIONS_ERASURE_H_
#define CARELOG_PROJECTIONS_ERASURE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "carelog/v1/service.pb.h"
#include "store/event_store.h"

namespace carelog {

inline constexpr char kErasuresStream[] = "$erasures";

// Every erasure in the log, in log order, each with its position set.
// kDataLoss when one does not parse; the store's read errors.
[[nodiscard]] absl::StatusOr<std::vector<v1::CaseErasure>> ReadErasures(
    const EventStoreReader& store);

// The erasure of `case_id`, nullopt when it was not erased. Reads nothing in
// a plain store (it cannot erase); else the store's erased streams first
// (cheap), the erasures only for an erased case.
[[nodiscard]] absl::StatusOr<std::optional<v1::CaseErasure>> ErasureOf(
    const EventStoreReader& store, const std::string& case_id);

// "case 'ID' was erased on 3 December 2026 at 11:05 by NAME (reason: ...;
// under authority REF | its retention period had ended on DATE: RULE,
// SOURCE): its N events, positions F to L, can no longer be read; the
// erasure is at position P". One line, for errors and the terminal.
std::string ErasedCaseMessage(const v1::CaseErasure& erasure);

// kFailedPrecondition with ErasedCaseMessage, and the case id as the
// status's kErasedCasePayload, so that a caller (the web application) can
// tell "this case was erased" from other refusals without reading words.
inline constexpr char kErasedCasePayload[] = "type.carelog/erased-case";
absl::Status ErasedCaseError(const v1::CaseErasure& erasure);
// True for a status made by ErasedCaseError.
bool IsErasedCase(const absl::Status& status);

// The erasures as a table (one line each, then a count), and as a JSON array
// of objects with the record's fields (dates YYYY-MM-DD, times RFC 3339).
std::string RenderErasuresTable(const std::vector<v1::CaseErasure>& erasures);
std::string RenderErasuresJson(const std::vector<v1::CaseErasure>& erasures);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_ERASURE_H_
