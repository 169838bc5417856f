// DraftEvent: one act of a generated history before it becomes a line.
//
// A child's history is drafted in the order its parts are decided (periods,
// placements, reviews, visits), then sorted into effective order, given late
// entries, corrections and retractions, and written (case_lines.h).
#ifndef CARELOG_ENGINE_GEN_DRAFT_EVENT_H_
#define CARELOG_ENGINE_GEN_DRAFT_EVENT_H_

#include <cstdint>
#include <string>

namespace carelog::gen {

// What may happen to a drafted act when the lines are written.
enum DraftFlags : uint32_t {
  kMayBeRecordedLate = 1,  // may be recorded late: moved a few lines later
  kDuplicateEntry = 2,     // a duplicate entry, retracted a few lines later
  kMayBeRetracted = 4,     // may be retracted as entered in error
  kFirstLine = 8,          // childRegistered: always the first line of the block
};

struct DraftEvent {
  int64_t occurred = 0;  // occurredAt, in minutes since the epoch
  uint32_t seq = 0;      // order drafted: the index in the child's draft list
  uint32_t flags = 0;    // DraftFlags
  // seq of the event whose eventId goes between `payload` and
  // `payload_tail` (the significant event an earlyReviewConsidered answers;
  // for corrections and retractions, a line index); -1 if none.
  int32_t refers_to = -1;
  const char* role = "";
  std::string actor;
  std::string payload;       // `"payloadName":{...` JSON member(s)
  std::string payload_tail;  // after the referenced id (when refers_to >= 0)
  // Replacement Event members for an eventCorrected; empty if this act is
  // never corrected.
  std::string correction;
  int64_t line_key = 0;  // line order, with late entries moved down
};

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_DRAFT_EVENT_H_
