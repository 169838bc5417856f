#include "engine/code_lists.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(CodeListsTest, Names) {
  EXPECT_EQ(CodeListName(CodeList::kLegalStatus), "LS");
  EXPECT_EQ(CodeListName(CodeList::kPlacement), "PLACE");
  EXPECT_EQ(CodeListName(CodeList::kReasonCeased), "REC");
  EXPECT_EQ(CodeListName(CodeList::kParticipation), "PN");
}

TEST(CodeListsTest, CollectionYearBoundaries) {
  EXPECT_EQ(CollectionYear(D(2025, 3, 31)), 2024);
  EXPECT_EQ(CollectionYear(D(2025, 4, 1)), 2025);
  EXPECT_EQ(CollectionYear(D(2025, 5, 1)), 2025);
  EXPECT_EQ(CollectionYear(D(2025, 12, 31)), 2025);
  EXPECT_EQ(CollectionYear(D(2026, 1, 1)), 2025);
  EXPECT_EQ(CollectionYear(D(2026, 3, 31)), 2025);
  EXPECT_EQ(CollectionYear(D(2026, 4, 1)), 2026);
}

TEST(CodeListsTest, Z1RetiredAfter2024To25) {
  EXPECT_TRUE(IsValidCode(CodeList::kPlacement, "Z1", D(2025, 3, 31)));   // 2024-25
  EXPECT_FALSE(IsValidCode(CodeList::kPlacement, "Z1", D(2025, 4, 1)));   // 2025-26
  EXPECT_TRUE(IsValidCode(CodeList::kPlacement, "Z1", D(2010, 6, 1)));    // historic
  EXPECT_TRUE(CheckCode(CodeList::kPlacement, "Z1", D(2024, 4, 1)).ok());
}

TEST(CodeListsTest, Z11To14StartIn2025To26) {
  for (const char* code : {"Z11", "Z12", "Z13", "Z14"}) {
    EXPECT_FALSE(IsValidCode(CodeList::kPlacement, code, D(2025, 3, 31))) << code;
    EXPECT_TRUE(IsValidCode(CodeList::kPlacement, code, D(2025, 4, 1))) << code;
    EXPECT_TRUE(IsValidCode(CodeList::kPlacement, code, D(2030, 1, 1))) << code;
  }
}

TEST(CodeListsTest, ErrorNamesListCodeAndYear) {
  absl::Status s = CheckCode(CodeList::kPlacement, "Z1", D(2025, 5, 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unknown PLACE code 'Z1' for collection year 2025-26");

  s = CheckCode(CodeList::kPlacement, "Z11", D(2025, 3, 31));
  EXPECT_EQ(s.message(), "unknown PLACE code 'Z11' for collection year 2024-25");

  s = CheckCode(CodeList::kLegalStatus, "V1", D(2024, 1, 10));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unknown LS code 'V1' for collection year 2023-24");

  s = CheckCode(CodeList::kParticipation, "PN8", D(1999, 12, 31));
  EXPECT_EQ(s.message(), "unknown PN code 'PN8' for collection year 1999-00");

  s = CheckCode(CodeList::kReasonCeased, "e11", D(2024, 6, 1));
  EXPECT_THAT(s.message(), HasSubstr("REC code 'e11'"));  // codes are case-sensitive
}

TEST(CodeListsTest, CodesAreListSpecific) {
  // A real code from one list is not accepted in another.
  EXPECT_FALSE(IsValidCode(CodeList::kPlacement, "C1", D(2024, 6, 1)));
  EXPECT_FALSE(IsValidCode(CodeList::kLegalStatus, "P1", D(2024, 6, 1)));
  EXPECT_FALSE(IsValidCode(CodeList::kReasonCeased, "PN1", D(2024, 6, 1)));
  EXPECT_FALSE(IsValidCode(CodeList::kLegalStatus, "", D(2024, 6, 1)));
  EXPECT_TRUE(IsValidCode(CodeList::kReasonCeased, "E4A", D(2024, 6, 1)));
  EXPECT_TRUE(IsValidCode(CodeList::kReasonCeased, "X1", D(2024, 6, 1)));
}

TEST(CodeListsTest, FullLists2024) {
  EXPECT_EQ(CodesFor(CodeList::kLegalStatus, 2024),
            (std::vector<std::string>{"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3",
                                      "V2", "V3", "V4"}));
  EXPECT_EQ(CodesFor(CodeList::kPlacement, 2024),
            (std::vector<std::string>{"A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2",
                                      "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2",
                                      "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"}));
  EXPECT_EQ(CodesFor(CodeList::kReasonCeased, 2024),
            (std::vector<std::string>{"E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2",
                                      "E3", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B",
                                      "E5", "E6", "E7", "E8", "E9", "X1"}));
  EXPECT_THAT(CodesFor(CodeList::kParticipation, 2024),
              ElementsAre("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"));
}

TEST(CodeListsTest, PlacementList2025Swaps) {
  const std::vector<std::string> codes = CodesFor(CodeList::kPlacement, 2025);
  EXPECT_THAT(codes, Not(Contains("Z1")));
  EXPECT_THAT(codes, Contains("Z11"));
  EXPECT_THAT(codes, Contains("Z14"));
  EXPECT_EQ(codes.size(), 30u);  // 26 unchanged + Z11-Z14
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
}

TEST(CodeListsTest, HistoricDataValidates) {
  EXPECT_TRUE(IsValidCode(CodeList::kLegalStatus, "C2", D(2005, 6, 1)));
  EXPECT_TRUE(IsValidCode(CodeList::kReasonCeased, "E11", D(2000, 4, 1)));
  EXPECT_TRUE(IsValidCode(CodeList::kParticipation, "PN0", D(2012, 3, 1)));
  EXPECT_TRUE(CheckCode(CodeList::kLegalStatus, "V2", D(2001, 1, 1)).ok());
}

}  // namespace
}  // namespace carelog
