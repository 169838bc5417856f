// CaseSummary: the one-line view of a case shown by `carelog cases` — how many
// events, whether the child is looked after now, since when, and its reviews.
#ifndef CARELOG_PROJECTIONS_CASE_SUMMARY_H_
#define CARELOG_PROJECTIONS_CASE_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

struct CaseSummary {
  std::string case_id;
  uint64_t events = 0;
  int periods_of_care = 0;
  bool looked_after = false;
  std::optional<absl::CivilDay> looked_after_since;  // start of the open period
  int reviews_held = 0;
  std::optional<absl::CivilDay> last_review;
  std::optional<absl::CivilDay> last_event;
};

// Folds a case's events (any order; folded in effective order) into its
// summary. Pure; thread-compatible.
CaseSummary SummariseCase(std::string case_id, std::vector<v1::Event> events);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_CASE_SUMMARY_H_
