// The SSDA903 return from native events (projections/ssda903_return):
// episodes (RNE S/L/P/B/T/U, DEC and REC only within the year, the reason
// for a placement change and its T0-T4 exception, CIN/provider/postcodes/URN
// from the acts), and the SWEpisodes, PlacedAdoption, PrevPerm and OC2 rows.
#include "projections/ssda903_return.h"

#include <string>

#include "gtest/gtest.h"
#include "pack_scenario.h"
#include "projections/ssda903_export.h"

namespace carelog {
namespace {

using scenario::Case;
using scenario::D;

constexpr char kAccommodated[] =
    "child_accommodated { legal_status: 'C1' placement_type: 'U4' cin: 'N1' provider: 'PR1' "
    "home_postcode: 'M1 1AA' placement_postcode: 'M2 2BB' urn: 'SC123456' "
    "previous_permanence: 'Z1' }";

Case Registered() {
  Case c;
  c.On("2019-03-01",
       "child_registered { date_of_birth: '2012-05-06' sex: '2' ethnicity: 'WBRI' "
       "upn: 'A123456789012' mother: '0' }");
  return c;
}

Child903 Build(const Case& c, int year) {
  std::optional<Child903> r = Build903Child("C-1", c.events, year);
  EXPECT_TRUE(r.has_value());
  return r.value_or(Child903());
}

TEST(Ssda903Return, AccommodationOpensAnEpisodeWithItsDetails) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated);
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 1u);
  const Episode903& ep = r.episodes[0];
  EXPECT_EQ(ep.decom, D("2023-06-01"));
  EXPECT_EQ(ep.rne, "S");
  EXPECT_EQ(ep.ls, "C1");
  EXPECT_EQ(ep.place, "U4");
  EXPECT_EQ(ep.cin, "N1");
  EXPECT_EQ(ep.provider, "PR1");
  EXPECT_EQ(ep.home_post, "M1 1AA");
  EXPECT_EQ(ep.pl_post, "M2 2BB");
  EXPECT_EQ(ep.urn, "SC123456");
  EXPECT_FALSE(ep.dec.has_value());
  EXPECT_EQ(r.sex, "2");
  EXPECT_EQ(r.ethnic, "WBRI");
  EXPECT_EQ(r.mother, "0");
  EXPECT_TRUE(r.looked_after_at_end);
  EXPECT_FALSE(r.continuously_looked_after);  // began in the year
  ASSERT_TRUE(r.prev_perm.has_value());
  EXPECT_EQ(r.prev_perm->prev_perm, "Z1");
}

TEST(Ssda903Return, AnEndingAfterTheYearIsNotInItsReturn) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2024-05-10", "child_ceased_looked_after { reason: 'E4A' }");
  Child903 y2023 = Build(c, 2023);
  ASSERT_EQ(y2023.episodes.size(), 1u);
  EXPECT_FALSE(y2023.episodes[0].dec.has_value());
  EXPECT_EQ(y2023.episodes[0].rec, "");
  EXPECT_TRUE(y2023.looked_after_at_end);
  Child903 y2024 = Build(c, 2024);
  ASSERT_EQ(y2024.episodes.size(), 1u);
  EXPECT_EQ(y2024.episodes[0].dec, D("2024-05-10"));
  EXPECT_EQ(y2024.episodes[0].rec, "E4A");
  EXPECT_FALSE(y2024.looked_after_at_end);
}

TEST(Ssda903Return, PlacementChangeCarriesItsReasonOnTheEpisodeItEnded) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2023-09-01",
          "placement_started { placement_type: 'U5' provider: 'PR4' reason_place_change: 'CHILD' "
          "placement_postcode: 'M3 3CC' }")
      .On("2023-11-01", "legal_status_changed { legal_status: 'C2' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 3u);
  EXPECT_EQ(r.episodes[0].rec, "X1");
  EXPECT_EQ(r.episodes[0].dec, D("2023-09-01"));
  EXPECT_EQ(r.episodes[0].reason_place_change, "CHILD");
  EXPECT_EQ(r.episodes[1].rne, "P");
  EXPECT_EQ(r.episodes[1].place, "U5");
  EXPECT_EQ(r.episodes[1].provider, "PR4");
  EXPECT_EQ(r.episodes[1].cin, "N1");  // the period's, carried on
  EXPECT_EQ(r.episodes[1].home_post, "M1 1AA");
  EXPECT_EQ(r.episodes[1].pl_post, "M3 3CC");
  // Ended by a change of legal status, not of placement: no reason.
  EXPECT_EQ(r.episodes[1].reason_place_change, "");
  EXPECT_EQ(r.episodes[2].rne, "L");
  EXPECT_EQ(r.episodes[2].ls, "C2");
  EXPECT_EQ(r.episodes[2].place, "U5");
}

TEST(Ssda903Return, LegalStatusAndPlacementOnOneDayAreOneEpisodeB) {
  for (bool placement_first : {true, false}) {
    Case c = Registered();
    c.On("2023-06-01", kAccommodated);
    const std::string place =
        "placement_started { placement_type: 'U6' provider: 'PR1' reason_place_change: 'CARPL' }";
    const std::string status = "legal_status_changed { legal_status: 'C2' }";
    c.On("2023-10-02", placement_first ? place : status)
        .On("2023-10-02", placement_first ? status : place);
    Child903 r = Build(c, 2023);
    ASSERT_EQ(r.episodes.size(), 2u) << placement_first;
    EXPECT_EQ(r.episodes[1].rne, "B") << placement_first;
    EXPECT_EQ(r.episodes[1].ls, "C2");
    EXPECT_EQ(r.episodes[1].place, "U6");
    EXPECT_EQ(r.episodes[0].reason_place_change, "CARPL") << placement_first;
  }
}

TEST(Ssda903Return, ANewPlacementsProviderIsItsOwnEvenWhenNotRecorded) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2023-08-01", "placement_started { placement_type: 'Z1' reason_place_change: 'LAREQ' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 2u);
  EXPECT_EQ(r.episodes[1].provider, "");  // not the foster placement's PR1
  EXPECT_EQ(r.episodes[1].pl_post, "");
  EXPECT_EQ(r.episodes[1].urn, "");
  EXPECT_EQ(r.episodes[1].home_post, "M1 1AA");  // the child's home goes on
  EXPECT_EQ(r.episodes[1].cin, "N1");
}

TEST(Ssda903Return, SameCarersIsTAndWithAStatusChangeU) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2023-08-01", "placement_started { placement_type: 'U5' same_carers: true "
                        "reason_place_change: 'PLACE' }")
      .On("2023-12-01", "legal_status_changed { legal_status: 'E1' }")
      .On("2023-12-01", "placement_started { placement_type: 'A5' provider: 'PR1' "
                        "reason_place_change: 'CARPL' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 3u);
  EXPECT_EQ(r.episodes[1].rne, "T");
  // A5: placed for adoption with the current foster carers, U with E1.
  EXPECT_EQ(r.episodes[2].rne, "U");
  EXPECT_EQ(r.episodes[2].ls, "E1");
}

TEST(Ssda903Return, NoReasonBesideATemporaryPlacement) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2023-07-01", "placement_started { placement_type: 'T1' reason_place_change: 'CARPL' }")
      .On("2023-07-20", "placement_started { placement_type: 'U4' reason_place_change: 'CARPL' }")
      .On("2023-09-20", "placement_started { placement_type: 'U5' reason_place_change: 'STAND' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 4u);
  EXPECT_EQ(r.episodes[0].reason_place_change, "");  // next is T1
  EXPECT_EQ(r.episodes[1].reason_place_change, "");  // is T1
  EXPECT_EQ(r.episodes[2].reason_place_change, "STAND");
}

TEST(Ssda903Return, SocialWorkerEpisodesLieWithinThePeriodOfCare) {
  Case c = Registered();
  c.On("2023-05-02",
       "social_worker_allocated { social_worker_id: 'sw-1' registration_number: 'SW100' "
       "reason: 'MANAGE' }")
      .On("2023-06-01", kAccommodated)
      .On("2023-10-03",
          "social_worker_allocated { social_worker_id: 'sw-2' registration_number: 'SW200' "
          "reason: 'LEFTRL' }")
      .On("2024-06-03",
          "social_worker_allocated { social_worker_id: 'sw-3' registration_number: 'SW300' "
          "reason: 'ORGRST' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.social_workers.size(), 2u);
  // Allocated before the child came into care: reported from that day.
  EXPECT_EQ(r.social_workers[0].decom, D("2023-06-01"));
  EXPECT_EQ(r.social_workers[0].dec, D("2023-10-03"));
  EXPECT_EQ(r.social_workers[0].sw_id, "SW100");
  EXPECT_EQ(r.social_workers[0].reason, "MANAGE");
  EXPECT_EQ(r.social_workers[1].decom, D("2023-10-03"));
  EXPECT_FALSE(r.social_workers[1].dec.has_value());  // replaced after 31 March
  EXPECT_EQ(r.social_workers[1].reason, "LEFTRL");
}

TEST(Ssda903Return, DecisionToPlaceForAdoptionUntilTheAdoption) {
  Case c = Registered();
  c.On("2022-06-01", kAccommodated)
      .On("2023-05-10", "adoption_decision_made {}", v1::AGENCY_DECISION_MAKER)
      .On("2023-07-10", "legal_status_changed { legal_status: 'E1' }")
      .On("2023-09-10", "placement_started { placement_type: 'A6' provider: 'PR1' "
                        "reason_place_change: 'CARPL' }")
      .On("2024-06-10", "child_ceased_looked_after { reason: 'E11' }");
  Child903 y2023 = Build(c, 2023);
  ASSERT_EQ(y2023.placed_adoption.size(), 1u);
  EXPECT_EQ(y2023.placed_adoption[0].date_placed, D("2023-05-10"));
  EXPECT_FALSE(y2023.placed_adoption[0].date_ceased.has_value());  // adopted after the year
  // Carried out by the adoption: the row has no end (rule 120: the reason
  // is a reversal's RD1-RD4 only).
  Child903 y2024 = Build(c, 2024);
  ASSERT_EQ(y2024.placed_adoption.size(), 1u);
  EXPECT_FALSE(y2024.placed_adoption[0].date_ceased.has_value());
  EXPECT_EQ(y2024.placed_adoption[0].reason_ceased, "");
  EXPECT_TRUE(y2024.placed_adoption[0].adopted);
}

TEST(Ssda903Return, AReversedDecisionEndsWithItsReason) {
  Case c = Registered();
  c.On("2022-06-01", kAccommodated)
      .On("2023-05-10", "adoption_decision_made {}")
      .On("2023-08-10", "adoption_decision_reversed { reason: 'RD1' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.placed_adoption.size(), 1u);
  EXPECT_EQ(r.placed_adoption[0].date_ceased, D("2023-08-10"));
  EXPECT_EQ(r.placed_adoption[0].reason_ceased, "RD1");
  EXPECT_TRUE(Build(c, 2024).placed_adoption.empty());  // not standing in 2024-25
}

TEST(Ssda903Return, Oc2FromTheYearsHealthEvents) {
  Case c = Registered();  // born 2012-05-06: 11 on 31 March 2024
  c.On("2021-06-01", kAccommodated)
      .On("2022-07-01", "dental_check_completed {}")  // the year before: not counted
      .On("2023-07-01", "health_assessment_completed {}")
      .On("2023-08-01", "immunisations_checked { up_to_date: true }")
      .On("2023-09-01", "sdq_completed { score: 14 }")
      .On("2023-10-01",
          "substance_misuse_identified { intervention_received: false "
          "intervention_offered: true }");
  Child903 r = Build(c, 2023);
  EXPECT_TRUE(r.continuously_looked_after);
  ASSERT_TRUE(r.oc2.has_value());
  EXPECT_EQ(r.oc2->health_assessment, "1");
  EXPECT_EQ(r.oc2->teeth_check, "0");
  EXPECT_EQ(r.oc2->immunisations, "1");
  EXPECT_EQ(r.oc2->sdq_score, "14");
  EXPECT_EQ(r.oc2->sdq_reason, "");
  EXPECT_EQ(r.oc2->convicted, "0");      // aged 10 or over
  EXPECT_EQ(r.oc2->health_check, "");    // only under 5
  EXPECT_EQ(r.oc2->substance_misuse, "1");
  EXPECT_EQ(r.oc2->intervention_received, "0");
  EXPECT_EQ(r.oc2->intervention_offered, "1");
}

TEST(Ssda903Return, NoOc2WhenThePeriodEndedInTheYear) {
  Case c = Registered();
  c.On("2021-06-01", kAccommodated).On("2023-07-01", "child_ceased_looked_after { reason: 'E4A' }");
  Child903 r = Build(c, 2023);
  EXPECT_FALSE(r.continuously_looked_after);
  EXPECT_FALSE(r.oc2.has_value());
  EXPECT_FALSE(r.looked_after_at_end);
}

TEST(Ssda903Return, CeasingOn31MarchLeavesTheYearContinuous) {
  Case c = Registered();
  c.On("2021-06-01", kAccommodated).On("2024-03-31", "child_ceased_looked_after { reason: 'E4A' }");
  Child903 r = Build(c, 2023);
  EXPECT_TRUE(r.continuously_looked_after);  // as the validator counts it (rule 191)
  EXPECT_TRUE(r.oc2.has_value());
  EXPECT_FALSE(r.looked_after_at_end);
}

TEST(Ssda903Return, AnAllocationAcrossTwoPeriodsIsOneSocialWorkerEpisode) {
  Case c = Registered();
  c.On("2023-05-02", "social_worker_allocated { social_worker_id: 'sw-1' "
                     "registration_number: 'SW100' reason: 'CHCHAN' }")
      .On("2023-05-03", kAccommodated)
      .On("2023-07-01", "child_ceased_looked_after { reason: 'E4A' }")
      .On("2023-11-01", kAccommodated);
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 2u);
  ASSERT_EQ(r.social_workers.size(), 1u);
  EXPECT_EQ(r.social_workers[0].decom, D("2023-05-03"));
  EXPECT_FALSE(r.social_workers[0].dec.has_value());
}

TEST(Ssda903Return, NotInAYearWithNoEpisodeOrReview) {
  Case c = Registered();
  c.On("2021-06-01", kAccommodated).On("2022-07-01", "child_ceased_looked_after { reason: 'E4A' }");
  EXPECT_FALSE(Build903Child("C-1", c.events, 2023).has_value());
  EXPECT_TRUE(Build903Child("C-1", c.events, 2022).has_value());
}

TEST(Ssda903Return, ARetractedPlacementIsNotAnEpisode) {
  Case c = Registered();
  c.On("2023-06-01", kAccommodated)
      .On("2023-09-01", "placement_started { placement_type: 'U5' reason_place_change: 'CHILD' }");
  const std::string placement_id = c.events.back().event_id();
  c.On("2023-09-02", "event_retracted { event_id: '" + placement_id + "' reason: 'Entered in error' }");
  Child903 r = Build(c, 2023);
  ASSERT_EQ(r.episodes.size(), 1u);
  EXPECT_EQ(r.episodes[0].place, "U4");
}

TEST(Ssda903Export, WritesEveryTableWithTheValidatorsColumns) {
  Case c = Registered();
  c.On("2023-05-02", "social_worker_allocated { social_worker_id: 'sw-1' "
                     "registration_number: 'SW100' reason: 'MANAGE' }")
      .On("2023-06-01", kAccommodated);
  Ssda903Tables t = Start903Tables();
  Append903Case("C-1", c.events, 2023, &t);
  EXPECT_EQ(t.children, 1u);
  EXPECT_EQ(t.header.text,
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC-1,2,06/05/2012,WBRI,A123456789012,0,\n");
  EXPECT_EQ(t.episodes.text,
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
            "PL_POST,URN\nC-1,01/06/2023,S,C1,N1,U4,PR1,,,,M1 1AA,M2 2BB,SC123456\n");
  EXPECT_EQ(t.sw_episodes.text,
            "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\nC-1,06/05/2012,SW100,01/06/2023,,MANAGE\n");
  EXPECT_EQ(t.prev_perm.text, "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nC-1,06/05/2012,Z1,,\n");
  EXPECT_EQ(t.placed_adoption.rows, 0u);
  EXPECT_EQ(t.oc2.rows, 0u);
  std::vector<std::string> files;
  for (const Ssda903Table* table : t.All()) files.push_back(table->file);
  EXPECT_EQ(files, (std::vector<std::string>{"header.csv", "episodes.csv", "reviews.csv",
                                             "swepisodes.csv", "placedadoption.csv",
                                             "prevperm.csv", "oc2.csv"}));
}

}  // namespace
}  // namespace carelog
