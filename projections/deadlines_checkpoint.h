// The bytes of a deadlines checkpoint: one case's fold of its whole history
// (FoldDeadlines as of kEndOfTime), stamped with the case version it reflects
// and a fingerprint of everything else the fold depends on, so that a reader
// can tell a checkpoint it may trust from one it must rebuild. Pure: no I/O.
// Where checkpoints live in the store is tools/deadlines_view.h.
#ifndef CARELOG_PROJECTIONS_DEADLINES_CHECKPOINT_H_
#define CARELOG_PROJECTIONS_DEADLINES_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"

namespace carelog {

// 16 bytes naming the working-day calendar: its bank holidays for every
// division, 1900-2100. Two calendars with the same digest count working days
// the same way over that range. Deterministic; thread-safe.
std::string CalendarDigest(const Calendar& cal);

// 16 bytes naming what a case's fold depends on besides its events: the
// fold's code (kDeadlinesFoldVersion), every version and rule of `pack`, and
// the calendar (its CalendarDigest). Any change to any of them changes it.
std::string DeadlinesFingerprint(const ResolvedPack& pack, std::string_view calendar_digest);

struct DeadlinesCheckpoint {
  std::string fingerprint;  // DeadlinesFingerprint of the pack and calendar used
  uint64_t case_version = 0;  // the case's stream version the fold reflects
  CaseDeadlines deadlines;    // FoldDeadlines(..., kEndOfTime)
};

// The two values of a checkpoint (grammar in deadlines_checkpoint.cc): the
// fold without findings, and the findings.
struct DeadlinesCheckpointValues {
  std::string main;
  std::string findings;
};
DeadlinesCheckpointValues EncodeDeadlinesCheckpoint(const DeadlinesCheckpoint& c);

// Parses values written by EncodeDeadlinesCheckpoint; `case_id` is put back
// in every obligation and finding (the key holds it, not the value). With
// `findings` null the findings are left out (empty): a reader of obligations
// only need not read them. kDataLoss naming what is wrong when bytes are
// short, fail their checksum, do not parse, or the findings value is not of
// the same fingerprint and case version as the main one.
[[nodiscard]] absl::StatusOr<DeadlinesCheckpoint> DecodeDeadlinesCheckpoint(
    std::string_view case_id, std::string_view main, const std::string_view* findings);

// The fingerprint and case version of value bytes, checksum checked, without
// parsing the fold (for deciding whether it is current). kDataLoss when too
// short or the checksum fails.
[[nodiscard]] absl::StatusOr<std::pair<std::string, uint64_t>> PeekDeadlinesCheckpoint(
    std::string_view bytes);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_DEADLINES_CHECKPOINT_H_
