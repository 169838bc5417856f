// SSDA903 code lists (LS, PLACE, REC, PN) as data, each code with the
// collection years it is valid in. A collection year Y runs 1 April Y to
// 31 March Y+1 ("2025-26" is Y = 2025).
#ifndef CARELOG_ENGINE_CODE_LISTS_H_
#define CARELOG_ENGINE_CODE_LISTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

namespace carelog {

enum class CodeList {
  kLegalStatus,    // LS
  kPlacement,      // PLACE
  kReasonCeased,   // REC
  kParticipation,  // PN (review participation, PN0-PN7)
  // The return's other coded columns (issue 17): optional in events, listed
  // by `export 903 --check` when a return needs them.
  kCategoryOfNeed,      // CIN (N1-N8)
  kProvider,            // PLACE_PROVIDER (PR0-PR5)
  kReasonPlaceChange,   // REASON_PLACE_CHANGE
  kSocialWorkerChange,  // SW_REASON
  kPreviousPermanence,  // PREV_PERM
  kAdoptionDecisionReversed,  // REASON_PLACED_CEASED (RD1-RD4)
  kEthnicity,           // ETHNIC
  kSex,                 // SEX (1 male, 2 female)
};

std::string_view CodeListName(CodeList list);  // "LS", "PLACE", "REC", "PN", "CIN", ...

// The collection year a date falls in (1 April - 31 March): 2025-05-01 -> 2025,
// 2026-03-31 -> 2025.
int CollectionYear(absl::CivilDay day);

bool IsValidCode(CodeList list, std::string_view code, absl::CivilDay on);

// "2025-26" for collection year 2025.
std::string CollectionYearName(int year);

// A temporary placement (PLACE T0-T4): the return records no reason for a
// placement change beside one (SSDA903 rule 226).
bool IsTemporaryPlacement(std::string_view place);

// OK if valid on that date; else kInvalidArgument such as
// "unknown PLACE code 'Z1' for collection year 2025-26".
[[nodiscard]] absl::Status CheckCode(CodeList list, std::string_view code, absl::CivilDay on);

// Codes valid in collection year `year`, sorted.
std::vector<std::string> CodesFor(CodeList list, int year);

}  // namespace carelog

#endif  // CARELOG_ENGINE_CODE_LISTS_H_
