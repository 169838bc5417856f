// Helpers of the review scenario tests (pace_pack_test, bristol_pack_test,
// england_000_pack_test, short_notice_test, salford_permanency_meeting_test),
// on top of pack_scenario.h: one row by rule and index, and the review
// payloads the seeds speak of.
#ifndef CARELOG_TESTS_FOLD_SCENARIO_H_
#define CARELOG_TESTS_FOLD_SCENARIO_H_

#include <string>

#include "pack_scenario.h"

namespace carelog::scenario {

inline int Count(const CaseDeadlines& d, const std::string& rule) {
  return static_cast<int>(Rows(d, rule).size());
}

// The n-th obligation (0-based) of `rule`, or a failed test.
inline Obligation Get(const CaseDeadlines& d, const std::string& rule, int n = 0) {
  std::vector<Obligation> rows = Rows(d, rule);
  if (n < static_cast<int>(rows.size())) return rows[n];
  ADD_FAILURE() << "no obligation " << rule << " #" << n << " (" << rows.size() << " of them)";
  return Obligation();
}

inline std::string Scheduled(const std::string& r, const std::string& date,
                             const std::string& stage = "") {
  return absl::StrCat("review_scheduled { review_id: '", r, "' scheduled_for: '", date,
                      "' format: MEETING", stage.empty() ? "" : " stage: " + stage, " }");
}
inline std::string Held(const std::string& r, const std::string& stage = "",
                        const std::string& extra = "") {
  return absl::StrCat("review_held { review_id: '", r, "' participation: 'PN1'",
                      stage.empty() ? "" : " stage: " + stage, " ", extra, " }");
}
inline std::string Act(const std::string& type, const std::string& r) {
  return absl::StrCat(type, " { review_id: '", r, "' }");
}

inline constexpr char kAccommodated[] =
    "child_accommodated { legal_status: 'C2' placement_type: 'U1' }";

}  // namespace carelog::scenario

#endif  // CARELOG_TESTS_FOLD_SCENARIO_H_
