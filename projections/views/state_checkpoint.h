// The care-plan state value of a case's checkpoint: its name and bytes. The
// grammar is at the top of state_checkpoint.cc; it shares the deadlines
// checkpoint's framing and fingerprint (deadlines_checkpoint.h), so one
// fingerprint and case version say whether all of a case's values are
// current. Written and checked with the others by DeadlinesView::Update and
// Check; read by CaseStateView. Pure: no I/O.
#ifndef CARELOG_PROJECTIONS_VIEWS_STATE_CHECKPOINT_H_
#define CARELOG_PROJECTIONS_VIEWS_STATE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "projections/care_plan_state.h"
#include "projections/case_summary.h"

namespace carelog {

// The checkpoint name prefix, followed by the case id.
inline constexpr char kStateCaseCheckpoint[] = "state/case/";
std::string StateCaseName(std::string_view case_id);

struct StateCheckpoint {
  std::string fingerprint;    // the case's DeadlinesFingerprint
  uint64_t case_version = 0;  // the case's stream version the fold reflects
  CarePlanState state;        // FoldCarePlanEvents(..., kEndOfTime)
  CaseSummary summary;        // SummariseCase of the same events
};

std::string EncodeStateCheckpoint(const StateCheckpoint& c);

// Parses a value EncodeStateCheckpoint wrote; `case_id` is put back (the key
// holds it). The state's as_of is kEndOfTime until restated. kDataLoss naming
// the case and what is wrong when the bytes are short, fail their checksum,
// do not parse, or hold a date outside years 0001-9999.
[[nodiscard]] absl::StatusOr<StateCheckpoint> DecodeStateCheckpoint(std::string_view case_id,
                                                                    std::string_view bytes);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_STATE_CHECKPOINT_H_
