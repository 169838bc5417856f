// DraftEvent: one act of a generated history before it becomes a line.
//
// A child's history is drafted in the order its parts are decided (periods,
// placements, reviews, visits), then sorted into effective order, given late
// entries, corrections and retractions, and written (case_lines.h).
#ifndef CARELOG_ENGINE_GEN_DRAFT_EVENT_H_
#define CARELOG_ENGINE_GEN_DRAFT_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "carelog/v1/events.pb.h"

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
  // seq of the event whose eventId the act names (the significant event an
  // earlyReviewConsidered answers; for corrections and retractions, a line
  // index), set when the lines are written (case_lines.cc); -1 if none.
  int32_t refers_to = -1;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string actor;
  // The act: only its payload is set here; the envelope (eventId, caseId,
  // occurredAt, actor) is filled in when the line is written.
  v1::Event act;
  // The replacement an eventCorrected gives (a payload, and occurredAt when
  // the date was wrong); none if this act is never corrected.
  std::optional<v1::Event> correction;
  int64_t line_key = 0;  // line order, with late entries moved down
};

// An event whose payload is the one `payload` (an Event::mutable_* accessor)
// selects, filled in by `fill(Payload&)`:
//   Act(&v1::Event::mutable_iro_allocated, [&](v1::IroAllocated& p) { p.set_iro_id(iro); })
template <typename Payload, typename Fill>
v1::Event Act(Payload* (v1::Event::*payload)(), Fill fill) {
  v1::Event e;
  fill(*(e.*payload)());
  return e;
}
// An event whose payload has no fields ({"iroServiceNotified":{}}).
template <typename Payload>
v1::Event Act(Payload* (v1::Event::*payload)()) {
  v1::Event e;
  (e.*payload)();
  return e;
}
// An act about one review that says nothing else ({"invitationsSent":{"reviewId":"R-1"}}).
template <typename Payload>
v1::Event ReviewAct(Payload* (v1::Event::*payload)(), const std::string& review_id) {
  v1::Event e;
  (e.*payload)()->set_review_id(review_id);
  return e;
}

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_DRAFT_EVENT_H_
