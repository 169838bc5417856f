// SSDA903 export: the Header, Episodes and Reviews tables of a collection
// year (1 April Y - 31 March Y+1) from the log, in the DfE's CSV columns and
// DD/MM/YYYY dates. Pure: folds each case's events (after corrections, in
// effective order).
//
// Episodes recorded by `import-903` (source "ssda903", placementStarted with
// an RNE) are written back exactly as imported. Other histories are
// described from their events: childAccommodated opens an episode (RNE S),
// legalStatusChanged (L) and placementStarted (P) end the current one with
// REC X1 and open the next, childCeasedLookedAfter ends it with its REC.
// An episode belongs to the year when it is open on any day of it; a review
// when it was held in it; a child when it has either.
#ifndef CARELOG_PROJECTIONS_SSDA903_EXPORT_H_
#define CARELOG_PROJECTIONS_SSDA903_EXPORT_H_

#include <string>
#include <vector>

#include "carelog/v1/events.pb.h"

namespace carelog {

struct Ssda903Tables {
  std::string header;    // CSV text with its header line
  std::string episodes;
  std::string reviews;
  uint64_t children = 0, episode_rows = 0, review_rows = 0;
};

// Empty tables (header lines only).
Ssda903Tables Start903Tables();

// Appends one case's rows for collection year `year`.
void Append903Case(const std::string& case_id, std::vector<v1::Event> events, int year,
                   Ssda903Tables* out);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SSDA903_EXPORT_H_
