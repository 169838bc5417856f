// The deadlines checkpoint, whole: the names it is kept under in the store,
// the bytes of each value (a case's fold, its findings, its index entry, the
// head), the fingerprint that says which rules and calendar a fold was made
// under. The grammar is at the top of deadlines_checkpoint.cc; the store
// reads and writes are projections/views/deadlines_view.h. Pure: no I/O.
//
// A checkpoint is one case's fold of its whole history (FoldDeadlines as of
// kEndOfTime), stamped with the case version it reflects and a fingerprint
// of everything else the fold depends on, so that a reader can tell a
// checkpoint it may trust from one it must rebuild.
#ifndef CARELOG_PROJECTIONS_VIEWS_DEADLINES_CHECKPOINT_H_
#define CARELOG_PROJECTIONS_VIEWS_DEADLINES_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"

namespace carelog {

// Checkpoint names (EventStore checkpoints, 'P' keys in record_format.cc);
// each of the first three is followed by the case id.
inline constexpr char kDeadlinesCaseCheckpoint[] = "deadlines/case/";
inline constexpr char kDeadlinesFindingsCheckpoint[] = "deadlines/findings/";
inline constexpr char kDeadlinesIndexCheckpoint[] = "deadlines/index/";
inline constexpr char kDeadlinesHeadCheckpoint[] = "deadlines/head";

std::string DeadlinesCaseName(std::string_view case_id);
std::string DeadlinesFindingsName(std::string_view case_id);
std::string DeadlinesIndexName(std::string_view case_id);
// The case id of an index name; nullopt for a name not under the index.
std::optional<std::string_view> CaseOfDeadlinesIndexName(std::string_view name);

// Byte sizes of the grammar's fixed parts.
inline constexpr size_t kDeadlinesFingerprintBytes = 16;  // also CalendarDigest's size
inline constexpr size_t kDeadlinesCaseVersionBytes = 8;   // fixed64
inline constexpr size_t kDeadlinesChecksumBytes = 4;      // fixed32
// An index value: the first bytes of the case's main value.
inline constexpr size_t kDeadlinesIndexBytes =
    kDeadlinesFingerprintBytes + kDeadlinesCaseVersionBytes;
// The header of a main or findings value: its index bytes, then the checksum.
inline constexpr size_t kDeadlinesValueHeaderBytes = kDeadlinesIndexBytes + kDeadlinesChecksumBytes;
// The head: position, cases, written_at_micros, each fixed64.
inline constexpr size_t kDeadlinesHeadBytes = 3 * 8;

// kDeadlinesFingerprintBytes naming the working-day calendar: its bank
// holidays for every division, 1900-2100. Two calendars with the same digest
// count working days the same way over that range. Deterministic;
// thread-safe.
std::string CalendarDigest(const Calendar& cal);

// kDeadlinesFingerprintBytes naming what a case's fold depends on besides
// its events: the fold's code (kDeadlinesFoldVersion, and the care-plan
// state's kCarePlanStateFoldVersion, whose value shares it), every version and
// rule of `pack`, and the calendar (its CalendarDigest). Any change to any of
// them changes it.
std::string DeadlinesFingerprint(const ResolvedPack& pack, std::string_view calendar_digest);

struct DeadlinesCheckpoint {
  std::string fingerprint;  // DeadlinesFingerprint of the pack and calendar used
  uint64_t case_version = 0;  // the case's stream version the fold reflects
  CaseDeadlines deadlines;    // FoldDeadlines(..., kEndOfTime)
};

// The values of a checkpoint: the fold without findings, and the findings.
struct DeadlinesCheckpointValues {
  std::string main;
  std::string findings;
};
DeadlinesCheckpointValues EncodeDeadlinesCheckpoint(const DeadlinesCheckpoint& c);

// fingerprint || case_version || crc32 || body: the framing every value of a
// case's checkpoint shares (main, findings, and the care-plan state of
// state_checkpoint.h), so that PeekDeadlinesCheckpoint reads any of them.
std::string FrameCheckpointValue(std::string_view fingerprint, uint64_t case_version,
                                 std::string_view body);

// The index value kept beside a main value: its first kDeadlinesIndexBytes.
std::string DeadlinesIndexValue(std::string_view main);
// The fingerprint an index value names; nullopt when it is not an index
// value (wrong size): the case is then refolded as if it had none.
std::optional<std::string> FingerprintOfDeadlinesIndex(std::string_view index);

// The fingerprint and case version of value bytes (its index bytes),
// checksum checked, without parsing the fold (for deciding whether it is
// current). kDataLoss when too short or the checksum fails.
using DeadlinesCheckpointHead = std::pair<std::string, uint64_t>;
[[nodiscard]] absl::StatusOr<DeadlinesCheckpointHead> PeekDeadlinesCheckpoint(
    std::string_view bytes);

// Parses values written by EncodeDeadlinesCheckpoint; `case_id` is put back
// in every obligation and finding (the key holds it, not the value). With
// `findings` null the findings are left out (empty): a reader of obligations
// only need not read them. kDataLoss naming what is wrong when bytes are
// short, fail their checksum, do not parse, or the findings value is not of
// the same fingerprint and case version as the main one.
[[nodiscard]] absl::StatusOr<DeadlinesCheckpoint> DecodeDeadlinesCheckpoint(
    std::string_view case_id, std::string_view main, const std::string_view* findings);
// The same, for a main value whose header `head` a PeekDeadlinesCheckpoint
// of `main` already returned: its checksum is not computed again.
[[nodiscard]] absl::StatusOr<DeadlinesCheckpoint> DecodePeekedDeadlinesCheckpoint(
    std::string_view case_id, DeadlinesCheckpointHead head, std::string_view main,
    const std::string_view* findings);

// The head value: up to which log position every case's checkpoint was
// brought up to date (catch-up starts after it).
struct DeadlinesHead {
  uint64_t position = 0;
  uint64_t cases = 0;
  int64_t written_at_micros = 0;
};
std::string EncodeDeadlinesHead(const DeadlinesHead& head);
// kDataLoss when the bytes are not kDeadlinesHeadBytes long.
[[nodiscard]] absl::StatusOr<DeadlinesHead> DecodeDeadlinesHead(std::string_view bytes);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_DEADLINES_CHECKPOINT_H_
