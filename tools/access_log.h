// The access log: every read of a child's record by the gRPC service (which
// token, which case, when) as records in the store itself, so the hash chain
// and the Merkle tree cover it like every event. Each record is a
// carelog.v1.AccessRecord in the system stream "$access/<caseId>" (reads of
// one case) or "$access" (reads across all cases); system streams start with
// '$' and are not cases (EventStore::Streams leaves them out).
#ifndef CARELOG_TOOLS_ACCESS_LOG_H_
#define CARELOG_TOOLS_ACCESS_LOG_H_

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

// Appends the record (synced, `at` set from the clock if unset) and returns
// its position. The caller answers the read only after this succeeded.
[[nodiscard]] absl::StatusOr<uint64_t> RecordAccess(EventStore* store, v1::AccessRecord record);

// The access records of one case (with the all-cases reads among them), or of
// every case for "", in log order, `position` set.
[[nodiscard]] absl::StatusOr<std::vector<v1::AccessRecord>> ReadAccessLog(
    const EventStore& store, std::string_view case_id);

// One line per record: "POSITION AT TOKEN ROLE METHOD CASE PEER".
std::string RenderAccessText(const std::vector<v1::AccessRecord>& records);
// A JSON array of {"position","at","token","role","method","caseId","peer"}.
std::string RenderAccessJson(const std::vector<v1::AccessRecord>& records);

}  // namespace carelog

#endif  // CARELOG_TOOLS_ACCESS_LOG_H_
