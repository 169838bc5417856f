// WriteCaseLines: a child's drafted acts as the NDJSON lines of one case.
//
// Lines come in effective order (childRegistered first), except that a few
// acts are recorded late (moved 2..8 lines down), duplicates are retracted,
// and a few earlier lines are corrected or retracted as entered in error a
// few lines after them: the mess real records have. Every reference (an
// earlyReviewConsidered's report, a correction's target) names an earlier
// line, so the lines pass the importer's checks in append order.
#ifndef CARELOG_ENGINE_GEN_CASE_LINES_H_
#define CARELOG_ENGINE_GEN_CASE_LINES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/gen/child_history.h"
#include "engine/gen/draft_event.h"
#include "engine/gen/random.h"

namespace carelog::gen {

// Appends case "C-<child, 6 digits>"'s lines to `out` (reordering and
// pruning `drafts`); returns the number of lines. `rng` decides the late
// entries, corrections and retractions.
uint64_t WriteCaseLines(const Cohort& cohort, int child, Rng& rng, std::vector<DraftEvent>& drafts,
                        std::string& out);

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_CASE_LINES_H_
