// How often each code and text appears in generated histories: SSDA903 legal
// statuses, placement types, reasons for ceasing, participation codes and
// the everyday reasons a review moves. Rough national proportions, not data.
#ifndef CARELOG_ENGINE_GEN_CODE_TABLES_H_
#define CARELOG_ENGINE_GEN_CODE_TABLES_H_

#include "engine/gen/random.h"

namespace carelog::gen {

// D1 (freeing order) has not been made since December 2005 (validator 445).
inline constexpr WeightedChoice kLegalStatusOnEntry[] = {
    {"C2", 30}, {"V2", 28}, {"C1", 22}, {"L1", 6}, {"L2", 3}, {"E1", 4}};
inline constexpr WeightedChoice kPlacementTypeChild[] = {
    {"U1", 8}, {"U2", 6}, {"U3", 4}, {"U4", 26}, {"U5", 20}, {"U6", 14}, {"K2", 8},
    {"R1", 3}, {"P1", 4}, {"S1", 2}, {"Z", 2},   {"K1", 1},  {"R2", 1}};
inline constexpr WeightedChoice kPlacementTypeBaby[] = {
    {"U4", 40}, {"U5", 25}, {"U1", 15}, {"U2", 5}, {"P1", 8}, {"R1", 4}, {"Z", 3}};
inline constexpr WeightedChoice kPlacementTypeTeen[] = {{"H5", 22}, {"U4", 20}, {"U5", 14},
                                                        {"U6", 10}, {"K2", 20}, {"R1", 5},
                                                        {"S1", 3},  {"Z", 4},   {"R5", 2}};
inline constexpr WeightedChoice kPlacementTypePaceTransfer[] = {
    {"K2", 40}, {"U4", 30}, {"U6", 20}, {"K1", 10}};
inline constexpr WeightedChoice kOtherPlacementFrom2025[] = {
    {"Z11", 40}, {"Z12", 25}, {"Z13", 20}, {"Z14", 15}};
inline constexpr WeightedChoice kTemporaryPlacement[] = {
    {"T0", 20}, {"T1", 25}, {"T2", 25}, {"T3", 15}, {"T4", 15}};
inline constexpr WeightedChoice kParticipationOver4[] = {
    {"PN1", 46}, {"PN4", 14}, {"PN3", 10}, {"PN2", 9}, {"PN5", 8}, {"PN6", 6}, {"PN7", 7}};
inline constexpr WeightedChoice kReasonCeasedEarly[] = {
    {"E4A", 60}, {"E4B", 15}, {"E13", 12}, {"E8", 5}, {"E3", 4}, {"E16", 2}, {"E15", 2}};
inline constexpr WeightedChoice kReasonCeasedAt18[] = {{"E17", 30}, {"E5", 35}, {"E6", 15},
                                                       {"E8", 12},  {"E7", 5},  {"E9", 3}};
inline constexpr WeightedChoice kSignificantEventKind[] = {{"MISSING", 15},
                                                           {"HEALTH_EVENT", 13},
                                                           {"CHANGE_OF_PLAN", 11},
                                                           {"COMPLAINT", 8},
                                                           {"SCHOOL_EXCLUSION", 8},
                                                           {"CONTACT_CHANGE", 9},
                                                           {"FAMILY_EVENT", 9},
                                                           {"OFFENCE", 5},
                                                           {"SECTION_47", 4},
                                                           {"DECISIONS_NOT_IMPLEMENTED", 4},
                                                           {"PLACEMENT_DISRUPTION", 6},
                                                           {"PANEL_DECISION", 2}};
inline constexpr WeightedChoice kPostponementReason[] = {{"Social worker unwell", 20},
                                                         {"Child unavailable (school exams)", 12},
                                                         {"Carer unavailable", 12},
                                                         {"Key reports not ready", 18},
                                                         {"Clash with court hearing", 10},
                                                         {"Parent requested a new date", 10},
                                                         {"IRO unwell", 12},
                                                         {"Interpreter unavailable", 6}};
inline constexpr WeightedChoice kConsultationMethod[] = {{"visit", 45},
                                                         {"consultation form", 25},
                                                         {"Mind of My Own app", 15},
                                                         {"advocate", 10},
                                                         {"telephone", 5}};
inline constexpr WeightedChoice kReasonPlaceChange[] = {{"CARPL", 35}, {"CHILD", 12}, {"CREQB", 8},
                                                        {"STAND", 15}, {"CLOSE", 8},  {"LAREQ", 8},
                                                        {"ALLEG", 4},  {"OTHER", 10}};
// PLACE_PROVIDER by the kind of placement (validator 527-531, 550, 213: P1
// only with PR0, R2/R5 never the council's own, PR3 never for foster,
// adoption or children's homes, temporary placements have none).
inline constexpr WeightedChoice kProviderFoster[] = {{"PR1", 58}, {"PR4", 35}, {"PR5", 5}, {"PR2", 2}};
inline constexpr WeightedChoice kProviderAdoption[] = {{"PR1", 55}, {"PR2", 20}, {"PR5", 25}};
inline constexpr WeightedChoice kProviderChildrensHome[] = {{"PR4", 75}, {"PR1", 18}, {"PR5", 5}, {"PR2", 2}};
inline constexpr WeightedChoice kProviderSecureHome[] = {{"PR1", 45}, {"PR2", 45}, {"PR4", 10}};
inline constexpr WeightedChoice kProviderHealthOrCustody[] = {{"PR3", 85}, {"PR4", 15}};
inline constexpr WeightedChoice kProviderOther[] = {{"PR4", 60}, {"PR1", 25}, {"PR5", 10}, {"PR3", 5}};
// Category of need (CIN), children looked after.
inline constexpr WeightedChoice kCategoryOfNeed[] = {{"N1", 650}, {"N2", 30}, {"N3", 30}, {"N4", 70},
                                                     {"N5", 130}, {"N6", 20}, {"N7", 5},  {"N8", 65}};
// ETHNIC, children looked after (rough national proportions, per mille).
inline constexpr WeightedChoice kEthnicity[] = {
    {"WBRI", 660}, {"WIRI", 3},  {"WOTH", 50}, {"WIRT", 3},  {"WROM", 6},  {"MWBC", 30},
    {"MWBA", 10},  {"MWAS", 10}, {"MOTH", 40}, {"AIND", 6},  {"APKN", 13}, {"ABAN", 6},
    {"AOTH", 23},  {"BCRB", 12}, {"BAFR", 40}, {"BOTH", 20}, {"CHNE", 1},  {"OOTH", 40},
    {"REFU", 3},   {"NOBT", 3}};
// SW_REASON for a change of social worker within a period.
inline constexpr WeightedChoice kSocialWorkerChangeReason[] = {
    {"LEFTRL", 34}, {"MANAGE", 15}, {"TSPROC", 15}, {"ORGRST", 8}, {"FCONTA", 8},
    {"ABSENC", 8},  {"CHCHAN", 6},  {"PCCHAN", 3},  {"OTHERS", 3}};
// Why there is no SDQ score for a child of 4 to 16 (SDQ1 is for ages outside it).
inline constexpr WeightedChoice kSdqNotDone[] = {{"SDQ2", 30}, {"SDQ3", 20}, {"SDQ4", 30}, {"SDQ5", 20}};
// Postcode areas: the council's own (by LA code) and where children placed
// out of area go.
inline constexpr WeightedChoice kPostcodeAreaAway[] = {
    {"B", 10}, {"LS", 8}, {"NG", 6}, {"CF", 4}, {"SO", 5}, {"PL", 4}, {"BD", 6},
    {"L", 8},  {"SK", 6}, {"WN", 5}, {"GL", 5}, {"TA", 3}, {"BA", 4}, {"SN", 4}};
inline constexpr WeightedChoice kOutOfArea[] = {
    {"IN_AREA", 65}, {"OUT_OF_AREA", 25}, {"DISTANT", 10}};
inline constexpr WeightedChoice kAuthority[] = {{"801", 50}, {"355", 30}, {"876", 20}};

inline constexpr const char* kRetractReasons[] = {"Recorded on the wrong child's record",
                                                  "Entered in error", "Did not take place"};

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_CODE_TABLES_H_
