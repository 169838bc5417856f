#include "engine/code_lists.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace carelog {
namespace {

// Collection years are inclusive on both ends. kSince marks codes in use
// before any data carelog handles (their exact introduction year is not
// modelled, so historic data validates); kOpen marks codes not retired.
constexpr int kSince = 2000;
constexpr int kOpen = 9999;

struct CodeEntry {
  CodeList list;
  std::string_view code;
  int valid_from;  // first collection year the code may be used
  int valid_to;    // last collection year the code may be used
};

constexpr CodeList LS = CodeList::kLegalStatus;
constexpr CodeList PLACE = CodeList::kPlacement;
constexpr CodeList REC = CodeList::kReasonCeased;
constexpr CodeList PN = CodeList::kParticipation;

// The SSDA903 code lists. Retired codes with no use since before kSince
// (e.g. legal status V1) are left out rather than given guessed dates.
constexpr CodeEntry kCodes[] = {
    // LS: legal status.
    {LS, "C1", kSince, kOpen},  // interim care order
    {LS, "C2", kSince, kOpen},  // full care order
    {LS, "D1", kSince, kOpen},  // freeing order granted
    {LS, "E1", kSince, kOpen},  // placement order granted
    {LS, "J1", kSince, kOpen},  // remanded to LA / youth detention accommodation
    {LS, "J2", kSince, kOpen},  // placed in LA accommodation under PACE
    {LS, "J3", kSince, kOpen},  // sentenced to youth rehabilitation order with residence
    {LS, "L1", kSince, kOpen},  // police protection, in LA accommodation
    {LS, "L2", kSince, kOpen},  // emergency protection order
    {LS, "L3", kSince, kOpen},  // child assessment order, in LA accommodation
    {LS, "V2", kSince, kOpen},  // single period of accommodation under s20
    {LS, "V3", kSince, kOpen},  // short breaks, episodes recorded
    {LS, "V4", kSince, kOpen},  // short breaks, agreements recorded

    // PLACE: placement type.
    {PLACE, "A3", kSince, kOpen},
    {PLACE, "A4", kSince, kOpen},
    {PLACE, "A5", kSince, kOpen},
    {PLACE, "A6", kSince, kOpen},
    {PLACE, "H5", kSince, kOpen},
    {PLACE, "K1", kSince, kOpen},
    {PLACE, "K2", kSince, kOpen},
    {PLACE, "P1", kSince, kOpen},
    {PLACE, "P2", kSince, kOpen},
    {PLACE, "P3", kSince, kOpen},
    {PLACE, "R1", kSince, kOpen},
    {PLACE, "R2", kSince, kOpen},
    {PLACE, "R3", kSince, kOpen},
    {PLACE, "R5", kSince, kOpen},
    {PLACE, "S1", kSince, kOpen},
    {PLACE, "T0", kSince, kOpen},
    {PLACE, "T1", kSince, kOpen},
    {PLACE, "T2", kSince, kOpen},
    {PLACE, "T3", kSince, kOpen},
    {PLACE, "T4", kSince, kOpen},
    {PLACE, "U1", kSince, kOpen},
    {PLACE, "U2", kSince, kOpen},
    {PLACE, "U3", kSince, kOpen},
    {PLACE, "U4", kSince, kOpen},
    {PLACE, "U5", kSince, kOpen},
    {PLACE, "U6", kSince, kOpen},
    // Z1 ("other placements") gives way to Z11-Z14 from 2025-26.
    {PLACE, "Z1", kSince, 2024},
    {PLACE, "Z11", 2025, kOpen},
    {PLACE, "Z12", 2025, kOpen},
    {PLACE, "Z13", 2025, kOpen},
    {PLACE, "Z14", 2025, kOpen},

    // REC: reason episode ceased.
    {REC, "E11", kSince, kOpen},  // adopted, application unopposed
    {REC, "E12", kSince, kOpen},  // adopted, consent dispensed with
    {REC, "E13", kSince, kOpen},  // left care to live with parent/relative, no PR
    {REC, "E14", kSince, kOpen},  // accommodation on remand ended
    {REC, "E15", kSince, kOpen},  // age assessment found child 18 or over
    {REC, "E16", kSince, kOpen},  // child moved abroad
    {REC, "E17", kSince, kOpen},  // aged 18+, remained with carers (staying put)
    {REC, "E2", kSince, kOpen},   // died
    {REC, "E3", kSince, kOpen},   // care taken over by another LA
    {REC, "E41", kSince, kOpen},  // residence / child arrangements order
    {REC, "E45", kSince, kOpen},  // SGO, former foster carer, relative/friend
    {REC, "E46", kSince, kOpen},  // SGO, former foster carer, not relative/friend
    {REC, "E47", kSince, kOpen},  // SGO, other carer, relative/friend
    {REC, "E48", kSince, kOpen},  // SGO, other carer, not relative/friend
    {REC, "E4A", kSince, kOpen},  // returned home, part of care planning
    {REC, "E4B", kSince, kOpen},  // returned home, not part of care planning
    {REC, "E5", kSince, kOpen},   // independent living, formal support
    {REC, "E6", kSince, kOpen},   // independent living, no formal support
    {REC, "E7", kSince, kOpen},   // transferred to adult social care residential
    {REC, "E8", kSince, kOpen},   // any other reason
    {REC, "E9", kSince, kOpen},   // sentenced to custody
    {REC, "X1", kSince, kOpen},   // episode ceases, new one begins same day

    // PN: participation in review.
    {PN, "PN0", kSince, kOpen},  // child under 4
    {PN, "PN1", kSince, kOpen},
    {PN, "PN2", kSince, kOpen},
    {PN, "PN3", kSince, kOpen},
    {PN, "PN4", kSince, kOpen},
    {PN, "PN5", kSince, kOpen},
    {PN, "PN6", kSince, kOpen},
    {PN, "PN7", kSince, kOpen},

    // CIN: category of need.
    {CodeList::kCategoryOfNeed, "N1", kSince, kOpen},  // abuse or neglect
    {CodeList::kCategoryOfNeed, "N2", kSince, kOpen},  // child's disability
    {CodeList::kCategoryOfNeed, "N3", kSince, kOpen},  // parental illness or disability
    {CodeList::kCategoryOfNeed, "N4", kSince, kOpen},  // family in acute stress
    {CodeList::kCategoryOfNeed, "N5", kSince, kOpen},  // family dysfunction
    {CodeList::kCategoryOfNeed, "N6", kSince, kOpen},  // socially unacceptable behaviour
    {CodeList::kCategoryOfNeed, "N7", kSince, kOpen},  // low income
    {CodeList::kCategoryOfNeed, "N8", kSince, kOpen},  // absent parenting

    // PLACE_PROVIDER.
    {CodeList::kProvider, "PR0", kSince, kOpen},  // parents or person with parental responsibility
    {CodeList::kProvider, "PR1", kSince, kOpen},  // own council
    {CodeList::kProvider, "PR2", kSince, kOpen},  // other council
    {CodeList::kProvider, "PR3", kSince, kOpen},  // other public provision
    {CodeList::kProvider, "PR4", kSince, kOpen},  // private provision
    {CodeList::kProvider, "PR5", kSince, kOpen},  // voluntary/third sector

    // REASON_PLACE_CHANGE.
    {CodeList::kReasonPlaceChange, "CARPL", kSince, kOpen},  // change to/implementation of care plan
    {CodeList::kReasonPlaceChange, "CLOSE", kSince, kOpen},  // resignation or closure of provision
    {CodeList::kReasonPlaceChange, "ALLEG", kSince, kOpen},  // allegation (s47)
    {CodeList::kReasonPlaceChange, "STAND", kSince, kOpen},  // standards of care concern
    {CodeList::kReasonPlaceChange, "APPRR", kSince, kOpen},  // approval removed
    {CodeList::kReasonPlaceChange, "CREQB", kSince, kOpen},  // carer requests, behaviour
    {CodeList::kReasonPlaceChange, "CREQO", kSince, kOpen},  // carer requests, other
    {CodeList::kReasonPlaceChange, "CHILD", kSince, kOpen},  // child requests
    {CodeList::kReasonPlaceChange, "LAREQ", kSince, kOpen},  // responsible authority requests
    {CodeList::kReasonPlaceChange, "PLACE", kSince, kOpen},  // change in the status of a placement only
    {CodeList::kReasonPlaceChange, "CUSTOD", kSince, kOpen}, // custody arrangement
    {CodeList::kReasonPlaceChange, "OTHER", kSince, kOpen},

    // SW_REASON: reason for a change of social worker (a return column from
    // 2023-24; valid on earlier allocations too, which later returns report).
    {CodeList::kSocialWorkerChange, "MANAGE", kSince, kOpen},  // management decision
    {CodeList::kSocialWorkerChange, "FCONTA", kSince, kOpen},  // fixed contract ended
    {CodeList::kSocialWorkerChange, "LEFTRL", kSince, kOpen},  // left the role
    {CodeList::kSocialWorkerChange, "ORGRST", kSince, kOpen},  // organisational restructure
    {CodeList::kSocialWorkerChange, "TSPROC", kSince, kOpen},  // transfer between services/teams
    {CodeList::kSocialWorkerChange, "ABSENC", kSince, kOpen},  // absence
    {CodeList::kSocialWorkerChange, "CHCHAN", kSince, kOpen},  // child's circumstances changed
    {CodeList::kSocialWorkerChange, "PCCHAN", kSince, kOpen},  // parent's/carer's request
    {CodeList::kSocialWorkerChange, "SWDIED", kSince, kOpen},  // social worker died
    {CodeList::kSocialWorkerChange, "OTHERS", kSince, kOpen},

    // PREV_PERM: permanence order before this period of care.
    {CodeList::kPreviousPermanence, "P1", kSince, kOpen},  // adoption
    {CodeList::kPreviousPermanence, "P2", kSince, kOpen},  // special guardianship order
    {CodeList::kPreviousPermanence, "P3", kSince, kOpen},  // residence order
    {CodeList::kPreviousPermanence, "P4", kSince, kOpen},  // child arrangements order
    {CodeList::kPreviousPermanence, "Z1", kSince, kOpen},  // none, or not known

    // REASON_PLACED_CEASED (a reversed decision; E11/E12 come from REC).
    {CodeList::kAdoptionDecisionReversed, "RD1", kSince, kOpen},
    {CodeList::kAdoptionDecisionReversed, "RD2", kSince, kOpen},
    {CodeList::kAdoptionDecisionReversed, "RD3", kSince, kOpen},
    {CodeList::kAdoptionDecisionReversed, "RD4", kSince, kOpen},

    // SEX.
    {CodeList::kSex, "1", kSince, kOpen},  // male
    {CodeList::kSex, "2", kSince, kOpen},  // female

    // ETHNIC.
    {CodeList::kEthnicity, "WBRI", kSince, kOpen},
    {CodeList::kEthnicity, "WIRI", kSince, kOpen},
    {CodeList::kEthnicity, "WOTH", kSince, kOpen},
    {CodeList::kEthnicity, "WIRT", kSince, kOpen},
    {CodeList::kEthnicity, "WROM", kSince, kOpen},
    {CodeList::kEthnicity, "MWBC", kSince, kOpen},
    {CodeList::kEthnicity, "MWBA", kSince, kOpen},
    {CodeList::kEthnicity, "MWAS", kSince, kOpen},
    {CodeList::kEthnicity, "MOTH", kSince, kOpen},
    {CodeList::kEthnicity, "AIND", kSince, kOpen},
    {CodeList::kEthnicity, "APKN", kSince, kOpen},
    {CodeList::kEthnicity, "ABAN", kSince, kOpen},
    {CodeList::kEthnicity, "AOTH", kSince, kOpen},
    {CodeList::kEthnicity, "BCRB", kSince, kOpen},
    {CodeList::kEthnicity, "BAFR", kSince, kOpen},
    {CodeList::kEthnicity, "BOTH", kSince, kOpen},
    {CodeList::kEthnicity, "CHNE", kSince, kOpen},
    {CodeList::kEthnicity, "OOTH", kSince, kOpen},
    {CodeList::kEthnicity, "REFU", kSince, kOpen},
    {CodeList::kEthnicity, "NOBT", kSince, kOpen},
};

bool ValidIn(CodeList list, std::string_view code, int year) {
  for (const CodeEntry& e : kCodes) {
    if (e.list == list && e.code == code) {
      return e.valid_from <= year && year <= e.valid_to;
    }
  }
  return false;
}

}  // namespace

std::string_view CodeListName(CodeList list) {
  switch (list) {
    case CodeList::kLegalStatus: return "LS";
    case CodeList::kPlacement: return "PLACE";
    case CodeList::kReasonCeased: return "REC";
    case CodeList::kParticipation: return "PN";
    case CodeList::kCategoryOfNeed: return "CIN";
    case CodeList::kProvider: return "PLACE_PROVIDER";
    case CodeList::kReasonPlaceChange: return "REASON_PLACE_CHANGE";
    case CodeList::kSocialWorkerChange: return "SW_REASON";
    case CodeList::kPreviousPermanence: return "PREV_PERM";
    case CodeList::kAdoptionDecisionReversed: return "REASON_PLACED_CEASED";
    case CodeList::kEthnicity: return "ETHNIC";
    case CodeList::kSex: return "SEX";
  }
  return "unknown";
}

std::string CollectionYearName(int year) {
  return absl::StrFormat("%d-%02d", year, (year + 1) % 100);
}

bool IsTemporaryPlacement(std::string_view place) {
  return place.size() == 2 && place[0] == 'T' && place[1] >= '0' && place[1] <= '4';
}

int CollectionYear(absl::CivilDay day) {
  const int year = static_cast<int>(day.year());
  return day.month() >= 4 ? year : year - 1;
}

bool IsValidCode(CodeList list, std::string_view code, absl::CivilDay on) {
  return ValidIn(list, code, CollectionYear(on));
}

absl::Status CheckCode(CodeList list, std::string_view code, absl::CivilDay on) {
  const int year = CollectionYear(on);
  if (ValidIn(list, code, year)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("unknown ", std::string(CodeListName(list)), " code '",
                                                 std::string(code),
                                                 "' for collection year ",
                                                 CollectionYearName(year)));
}

std::vector<std::string> CodesFor(CodeList list, int year) {
  std::vector<std::string> out;
  for (const CodeEntry& e : kCodes) {
    if (e.list == list && e.valid_from <= year && year <= e.valid_to) {
      out.emplace_back(e.code);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace carelog
