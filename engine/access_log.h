// The access log: every read of a child's record by the gRPC service (which
// token, which case, when) as records in the store itself, so the hash chain
// and the Merkle tree cover it like every event. Each record is a
// carelog.v1.AccessRecord in the system stream "$access/<caseId>" (reads of
// one case) or "$access" (reads across all cases, reads that found nothing,
// proofs of system records); system streams start with
// '$' and are not cases (EventStore::Streams leaves them out). Listing them:
// projections/access_log_render.h.
#ifndef CARELOG_ENGINE_ACCESS_LOG_H_
#define CARELOG_ENGINE_ACCESS_LOG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "carelog/v1/service.pb.h"
#include "store/event_store.h"

namespace carelog {

inline constexpr char kAccessStream[] = "$access";

// "$access/<caseId>", or "$access" for "" (all cases).
std::string AccessStream(std::string_view case_id);

// True for a name that is not a case: system streams start with '$'.
inline bool IsSystemStream(std::string_view stream) {
  return !stream.empty() && stream[0] == '$';
}

// What AccessRecord.outcome says of a read that found no such case or event.
inline constexpr char kAccessNotFound[] = "NOT_FOUND";

// An id a client asked for that names nothing, as an access record keeps it:
// printable ASCII as is (a backslash doubled), every other byte as \xNN, cut
// to at most 128 bytes and then followed by " ... (N bytes)". So a reader
// can neither write an unbounded record nor control characters into an
// auditor's terminal.
std::string AccessIdText(std::string_view id);

// Appends the record (synced, `at` set from the clock if unset) and returns
// its position. The caller answers the read only after this succeeded. The
// stream is "$access/<caseId>" for an answered read of one case, "$access"
// otherwise (all cases, a system record, or outcome NOT_FOUND: a miss creates
// no stream). Errors are the store's.
[[nodiscard]] absl::StatusOr<uint64_t> RecordAccess(EventStore* store, v1::AccessRecord record);

// The access records of one case, or of every case for "", in log order,
// `position` set. For one case: its reads, the reads of all cases, and the
// reads that asked for its id and found nothing (before it existed); not the
// misses of other ids nor proofs of system records.
[[nodiscard]] absl::StatusOr<std::vector<v1::AccessRecord>> ReadAccessLog(
    const EventStoreReader& store, std::string_view case_id);

}  // namespace carelog

#endif  // CARELOG_ENGINE_ACCESS_LOG_H_
