// The 903 pre-submission check (projections/ssda903_check): each gap names
// the table, row, column, the event and field that would supply it, the
// event to correct and the validator rule; a complete child has none; codes
// are judged by the year's code lists.
#include "projections/ssda903_check.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pack_scenario.h"

namespace carelog {
namespace {

using scenario::Case;
using ::testing::HasSubstr;

constexpr char kComplete[] =
    "child_accommodated { legal_status: 'C1' placement_type: 'U4' cin: 'N1' provider: 'PR1' "
    "home_postcode: 'M1 1AA' placement_postcode: 'M2 2BB' previous_permanence: 'Z1' }";

Case Registered(const std::string& extra = "upn: 'A123456789012' mother: '0'") {
  Case c;
  c.On("2019-03-01", "child_registered { date_of_birth: '2012-05-06' sex: '2' ethnicity: 'WBRI' " +
                         extra + " }");
  c.On("2023-06-01", "social_worker_allocated { social_worker_id: 'sw-1' "
                     "registration_number: 'SW100' reason: 'MANAGE' }");
  return c;
}

std::vector<Missing903> Check(const Case& c, int year = 2023) {
  std::optional<Child903> r = Build903Child("C-1", c.events, year);
  EXPECT_TRUE(r.has_value());
  return r ? Check903Child(*r, year) : std::vector<Missing903>();
}

std::string Columns(const std::vector<Missing903>& gaps) {
  std::string out;
  for (const Missing903& g : gaps) absl::StrAppend(&out, out.empty() ? "" : " ", g.table, ".", g.column);
  return out;
}

TEST(Ssda903Check, ACompleteChildHasNoGap) {
  Case c = Registered();
  c.On("2023-06-01", kComplete);
  EXPECT_EQ(Columns(Check(c)), "");
}

TEST(Ssda903Check, NamesTheEventThatWouldSupplyEachGap) {
  Case c = Registered("");  // no UPN, no mother status
  c.On("2023-06-01", "child_accommodated { legal_status: 'C1' placement_type: 'U4' }");
  const std::string accommodation = c.events.back().event_id();
  std::vector<Missing903> gaps = Check(c);
  EXPECT_EQ(Columns(gaps),
            "Header.UPN Header.MOTHER Episodes.CIN Episodes.PLACE_PROVIDER Episodes.HOME_POST "
            "Episodes.PL_POST PrevPerm.PREV_PERM");
  ASSERT_EQ(gaps.size(), 7u);
  EXPECT_EQ(gaps[0].supply, "childRegistered.upn");
  EXPECT_EQ(gaps[0].rule, "442");
  EXPECT_EQ(gaps[1].supply, "childRegistered.mother");
  EXPECT_EQ(gaps[2].supply, "childAccommodated.cin");
  EXPECT_EQ(gaps[2].event_id, accommodation);
  EXPECT_EQ(gaps[2].row, "episode from 01/06/2023");
  EXPECT_EQ(gaps[6].supply, "childAccommodated.previousPermanence");
  for (const Missing903& g : gaps) EXPECT_EQ(g.child, "C-1");
}

TEST(Ssda903Check, AMissingReasonForAPlacementChangePointsAtTheMove) {
  Case c = Registered();
  c.On("2023-06-01", kComplete)
      .On("2023-09-01", "placement_started { placement_type: 'U5' provider: 'PR1' "
                          "placement_postcode: 'M4 4DD' }");
  const std::string move = c.events.back().event_id();
  std::vector<Missing903> gaps = Check(c);
  ASSERT_EQ(Columns(gaps), "Episodes.REASON_PLACE_CHANGE");
  EXPECT_EQ(gaps[0].supply, "placementStarted.reasonPlaceChange");
  EXPECT_EQ(gaps[0].event_id, move);
  EXPECT_EQ(gaps[0].rule, "225");
}

TEST(Ssda903Check, CodesAreJudgedForTheYear) {
  Case c = Registered("upn: 'A123456789012' mother: '0'");
  // Z1 became Z11-Z14 in 2025-26: in an imported episode of 2025 it is wrong.
  c.On("2025-06-01", kComplete)
      .On("2025-06-01",
          "placement_started { placement_type: 'Z1' rne: 'S' legal_status: 'C1' cin: 'N1' "
          "home_postcode: 'M1 1AA' placement_postcode: 'M2 2BB' }");
  c.events.back().set_source("ssda903");
  std::vector<Missing903> gaps = Check(c, 2025);
  bool found = false;
  for (const Missing903& g : gaps) {
    if (g.column == "PLACE") {
      found = true;
      EXPECT_THAT(g.problem, HasSubstr("unknown PLACE code 'Z1' for collection year 2025-26"));
    }
  }
  EXPECT_TRUE(found) << Columns(gaps);
}

TEST(Ssda903Check, ParticipationByAge) {
  Case c = Registered();
  c.On("2023-06-01", kComplete)
      .On("2023-07-01", "review_held { review_id: 'R1' participation: 'PN0' }");
  std::vector<Missing903> gaps = Check(c);
  ASSERT_EQ(Columns(gaps), "Reviews.REVIEW_CODE");
  EXPECT_EQ(gaps[0].rule, "440");
  EXPECT_EQ(gaps[0].row, "review on 01/07/2023");
}

TEST(Ssda903Check, AdoptionNeedsTheDecisionAndSocialWorkersTheirNumbers) {
  Case c;
  c.On("2019-03-01", "child_registered { date_of_birth: '2021-05-06' sex: '1' ethnicity: 'WBRI' "
                     "upn: 'A123456789012' }");
  c.On("2023-06-01", "social_worker_allocated { social_worker_id: 'sw-9' }");
  c.On("2023-06-01", "child_accommodated { legal_status: 'E1' placement_type: 'A6' cin: 'N1' "
                     "provider: 'PR1' home_postcode: 'M1 1AA' placement_postcode: 'M2 2BB' "
                     "previous_permanence: 'P2' }");
  std::vector<Missing903> gaps = Check(c);
  EXPECT_EQ(Columns(gaps),
            "SWEpisodes.SW_ID SWEpisodes.SW_REASON PlacedAdoption.DATE_PLACED PrevPerm.LA_PERM "
            "PrevPerm.DATE_PERM");
  EXPECT_EQ(gaps[2].supply, "adoptionDecisionMade");
  EXPECT_EQ(gaps[2].rule, "553");
  EXPECT_THAT(gaps[0].problem, HasSubstr("sw-9"));
}

TEST(Ssda903Check, RendersTableCsvAndJson) {
  Case c = Registered("");
  c.On("2023-06-01", kComplete);
  std::vector<Missing903> gaps = Check(c);
  ASSERT_EQ(gaps.size(), 2u);
  const std::string table = RenderMissing903(gaps, 2023, 5, "table");
  EXPECT_THAT(table, HasSubstr("C-1\n  Header: UPN not recorded"));
  EXPECT_THAT(table, HasSubstr("SSDA903 2023-24: 5 children in the return, 1 with something "
                               "missing (2 gaps)"));
  const std::string csv = RenderMissing903(gaps, 2023, 5, "csv");
  EXPECT_THAT(csv, HasSubstr("child,table,row,column,problem,supply,eventId,rule\n"
                             "C-1,Header,,UPN,"));
  const std::string json = RenderMissing903(gaps, 2023, 5, "json");
  EXPECT_THAT(json, HasSubstr("{\"year\":\"2023-24\",\"children\":5,\"childrenIncomplete\":1,"));
  EXPECT_THAT(json, HasSubstr("\"column\":\"MOTHER\",\"problem\":\"not recorded for a girl (0 or "
                              "1)\",\"supply\":\"childRegistered.mother\""));
}

}  // namespace
}  // namespace carelog
