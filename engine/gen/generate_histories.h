// `carelog gen`: realistic synthetic case histories of children in care, as
// NDJSON in the public event contract (shared/spec/events.md).
//
// Each child is one case ("C-000001", ...) whose lines form one block: first
// `childRegistered`, then the child's periods of care (with re-entries),
// reviews, visits, placements, significant events, permanence milestones and
// the occasional late entry, correction and retraction, roughly in effective
// order. The lines satisfy every check the importer makes in append order
// (review acts only after the review is introduced, accommodation only while
// not looked after, corrections only of earlier lines, codes valid for the
// collection year of the event's date).
//
// Deterministic: the output is a pure function of the options (own
// xoshiro256** generator seeded through splitmix64, integer arithmetic only,
// no clock, no std:: distributions).
//
// The parts (engine/gen/): child_history.h (a child's life story: periods of
// care, placements, significant events, visits), review_cycle.cc (reviews,
// postponements, cancellations), timeline.h (days, office-hour minutes,
// collection years), code_tables.h (how often each code appears),
// case_lines.h (late entries, corrections, the lines), random.h.
#ifndef CARELOG_ENGINE_GEN_GENERATE_HISTORIES_H_
#define CARELOG_ENGINE_GEN_GENERATE_HISTORIES_H_

#include <cstdint>
#include <ostream>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace carelog {

struct GenOptions {
  int children = 100;
  int years = 1;
  uint64_t seed = 1;
  // Histories run over the `years` years ending at `end` (inclusive); no
  // occurredAt falls after that day.
  absl::CivilDay end = absl::CivilDay(2025, 9, 30);
};

// Writes NDJSON lines to `out`; returns the number of events written.
// kInvalidArgument for children < 0, years outside 1..30, or an end date
// outside 2000..2100.
absl::StatusOr<uint64_t> GenerateHistories(const GenOptions& opts, std::ostream& out);

}  // namespace carelog

#endif  // CARELOG_ENGINE_GEN_GENERATE_HISTORIES_H_
