// Validation: everything events.md "What bad input gets" refuses, checked
// against the case's state as appended so far. A fact that breaks practice
// but happened is NOT refused here: the rules engine flags it as a finding.
#ifndef CARELOG_ENGINE_VALIDATION_H_
#define CARELOG_ENGINE_VALIDATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

// What validation needs to know of a case: the state in append order.
struct CaseState {
  bool looked_after = false;
  absl::flat_hash_set<std::string> reviews;    // reviewIds introduced
  // 64-bit hashes of the case's event ids (for corrections and retractions
  // to name an event the case has): 8 bytes an event rather than the id, so
  // a 10-million-event import's state stays small. A false "has it" needs
  // two ids of one case to collide in 64 bits.
  absl::flat_hash_set<uint64_t> event_ids;

  static uint64_t IdHash(std::string_view id);
  bool HasEvent(std::string_view id) const { return event_ids.contains(IdHash(id)); }
  void AddEvent(std::string_view id) { event_ids.insert(IdHash(id)); }
};

// How far in the future an occurredAt may be (senders' clock skew).
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);

// Checks one event's content, independent of the case: required fields,
// dates, codes valid for the event date's collection year, ids, the instant
// not beyond now + kClockSkew. kInvalidArgument "field 'X': reason".
[[nodiscard]] absl::Status ValidateContent(const v1::Event& event, absl::Time now);

// Checks the event against the case's state as appended so far.
// kFailedPrecondition naming the field: an act on a review the log has not
// introduced, childAccommodated while looked after, childCeasedLookedAfter
// while not, a correction of an event the case does not have.
[[nodiscard]] absl::Status ValidateAgainstState(const v1::Event& event, const CaseState& state);

// Both of the above, content first.
[[nodiscard]] absl::Status ValidateEvent(const v1::Event& event, const CaseState& state,
                                         absl::Time now);

// Advances the state past an accepted event.
void ApplyToState(const v1::Event& event, CaseState* state);
// The same but for the event's own id, which the caller keeps elsewhere (an
// import keeps the ids its file brings with their cases, engine/admission.h).
void ApplyFactsToState(const v1::Event& event, CaseState* state);

}  // namespace carelog

#endif  // CARELOG_ENGINE_VALIDATION_H_
