// SSDA903 export: the return's tables for a collection year (1 April Y -
// 31 March Y+1) in the DfE's CSV columns and DD/MM/YYYY dates, from each
// child's rows (ssda903_return.h says what each row is made of).
//
// Tables written: Header, Episodes, Reviews, SWEpisodes, PlacedAdoption,
// PrevPerm and OC2 (the tables carelog's events can fill). A child is in
// the return when an episode of theirs is open on a day of the year or a
// review of theirs was held in it; their rows of the other tables follow.
#ifndef CARELOG_PROJECTIONS_SSDA903_EXPORT_H_
#define CARELOG_PROJECTIONS_SSDA903_EXPORT_H_

#include <string>
#include <vector>

#include "carelog/v1/events.pb.h"
#include "projections/ssda903_return.h"

namespace carelog {

struct Ssda903Table {
  std::string file;  // "episodes.csv": the validator's and the DfE's name
  std::string text;  // CSV with its header line
  uint64_t rows = 0;
};

struct Ssda903Tables {
  Ssda903Table header, episodes, reviews, sw_episodes, placed_adoption, prev_perm, oc2;
  uint64_t children = 0;

  // Every table, in the order above.
  std::vector<const Ssda903Table*> All() const {
    return {&header, &episodes, &reviews, &sw_episodes, &placed_adoption, &prev_perm, &oc2};
  }
};

// Empty tables (header lines only).
Ssda903Tables Start903Tables();

// Appends one child's rows.
void Append903Child(const Child903& child, Ssda903Tables* out);

// Appends one case's rows for collection year `year` (nothing when the case
// is not in that year's return).
void Append903Case(const std::string& case_id, std::vector<v1::Event> events, int year,
                   Ssda903Tables* out);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SSDA903_EXPORT_H_
