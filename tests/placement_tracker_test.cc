// What counts as a placement and a move (projections/placement_tracker.h),
// one rule of its header per test: hand-built events fed to PlacementTracker
// with the Step each returns, the current placement and the spans written
// out by hand; then the year of PlacementYearFrom and PlacementsInYearTo's
// count at the year's edges.
#include "projections/placement_tracker.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog {

// Whole-value comparison and printing for the expectations below (in the
// namespace of the types, where gtest finds them).
bool operator==(const TrackedPlacement& a, const TrackedPlacement& b) {
  return a.type == b.type && a.provider == b.provider && a.postcode == b.postcode &&
         a.placement_id == b.placement_id && a.started == b.started && a.position == b.position;
}
void PrintTo(const TrackedPlacement& p, std::ostream* os) {
  *os << "{type '" << p.type << "' provider '" << p.provider << "' postcode '" << p.postcode
      << "' id '" << p.placement_id << "' started " << p.started << " position " << p.position
      << "}";
}
bool operator==(const PlacementSpan& a, const PlacementSpan& b) {
  return a.start == b.start && a.end == b.end;
}
void PrintTo(const PlacementSpan& s, std::ostream* os) {
  *os << "[" << s.start << ", ";
  if (s.end) {
    *os << *s.end << "]";
  } else {
    *os << "open]";
  }
}
void PrintTo(PlacementTracker::Step s, std::ostream* os) {
  switch (s) {
    case PlacementTracker::Step::kNone: *os << "kNone"; return;
    case PlacementTracker::Step::kMoved: *os << "kMoved"; return;
    case PlacementTracker::Step::kSamePlacement: *os << "kSamePlacement"; return;
    case PlacementTracker::Step::kEnded: *os << "kEnded"; return;
  }
}

namespace {

using Step = PlacementTracker::Step;
using Spans = std::vector<PlacementSpan>;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

v1::ChildAccommodated Accommodation(const std::string& type) {
  v1::ChildAccommodated a;
  a.set_legal_status("C2");
  a.set_placement_type(type);
  return a;
}

v1::PlacementStarted Start(const std::string& type, const std::string& provider,
                           const std::string& id, const std::string& rne = "",
                           const std::string& postcode = "") {
  v1::PlacementStarted p;
  p.set_placement_type(type);
  p.set_provider(provider);
  p.set_placement_id(id);
  p.set_rne(rne);
  p.set_placement_postcode(postcode);
  return p;
}

v1::PlacementEnded Ending(const std::string& id) {
  v1::PlacementEnded p;
  p.set_placement_id(id);
  p.set_reason("E11");
  return p;
}

TrackedPlacement P(const std::string& type, const std::string& provider, const std::string& id,
                   absl::CivilDay started, uint64_t position, const std::string& postcode = "") {
  TrackedPlacement p;
  p.type = type;
  p.provider = provider;
  p.postcode = postcode;
  p.placement_id = id;
  p.started = started;
  p.position = position;
  return p;
}

PlacementSpan Open(absl::CivilDay start) { return {start, std::nullopt}; }
PlacementSpan Closed(absl::CivilDay start, absl::CivilDay end) { return {start, end}; }

// --- The accommodation's placement -------------------------------------

TEST(PlacementTracker, AnAccommodationNamingAPlacementTypeIsTheFirstPlacement) {
  PlacementTracker t;
  EXPECT_EQ(t.Accommodated(D(2024, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U4", "", "", D(2024, 1, 10), 3));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2024, 1, 10))}));
}

TEST(PlacementTracker, TheAccommodationsProviderAndPostcodeAreThePlacements) {
  PlacementTracker t;
  v1::ChildAccommodated a = Accommodation("U4");
  a.set_provider("PR4");
  a.set_placement_postcode("M2 2BB");
  ASSERT_EQ(t.Accommodated(D(2024, 1, 10), 3, a), Step::kMoved);
  EXPECT_EQ(t.current(), P("U4", "PR4", "", D(2024, 1, 10), 3, "M2 2BB"));
}

TEST(PlacementTracker, AnAccommodationWithNoPlacementTypeIsNoPlacementUntilOneStarts) {
  PlacementTracker t;
  EXPECT_EQ(t.Accommodated(D(2024, 1, 10), 3, Accommodation("")), Step::kNone);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 0);
  EXPECT_EQ(t.spans(), Spans());
  // The first placementStarted, even on the day, is then the first
  // placement: there is no accommodation's placement for it to be.
  EXPECT_EQ(t.Started(D(2024, 1, 10), 4, Start("U4", "PR1", "P-1", "", "M6 5AB")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U4", "PR1", "P-1", D(2024, 1, 10), 4, "M6 5AB"));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2024, 1, 10))}));
}

// --- The period's first placementStarted on its first day ----------------

TEST(PlacementTracker, SameDayFirstPlacementStartedIsTheAccommodationsPlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  // The detailed record: its provider, id, postcode and type are kept; the
  // start and the event that started it stay the accommodation's.
  EXPECT_EQ(t.Started(D(2023, 1, 10), 4, Start("U5", "PR1", "P-1", "", "M6 5AB")),
            Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U5", "PR1", "P-1", D(2023, 1, 10), 3, "M6 5AB"));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2023, 1, 10))}));
}

TEST(PlacementTracker, SameDayFirstPlacementStartedWithNoTypeKeepsTheAccommodationsType) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  EXPECT_EQ(t.Started(D(2023, 1, 10), 4, Start("", "PR1", "P-1")), Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U4", "PR1", "P-1", D(2023, 1, 10), 3));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2023, 1, 10))}));
}

TEST(PlacementTracker, OnlyTheFirstSameDayPlacementStartedIsTheAccommodationsPlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 1, 10), 4, Start("U4", "PR1", "P-1")), Step::kSamePlacement);
  // A second placement begun the same day (another id) is a move.
  EXPECT_EQ(t.Started(D(2023, 1, 10), 5, Start("U5", "PR2", "P-2")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U5", "PR2", "P-2", D(2023, 1, 10), 5));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 1, 10)), Open(D(2023, 1, 10))}));
}

TEST(PlacementTracker, APlacementStartedOnALaterDayIsAMove) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  EXPECT_EQ(t.Started(D(2023, 1, 11), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U5", "PR1", "P-1", D(2023, 1, 11), 4));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 1, 11)), Open(D(2023, 1, 11))}));
}

// --- The current placement recorded again -------------------------------

TEST(PlacementTracker, ALegalStatusChangeRneLIsTheSamePlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  // RNE "L" with another type and provider and no id: still the placement
  // begun on 1 February (its details are the new record's).
  EXPECT_EQ(t.Started(D(2023, 6, 1), 5, Start("U6", "PR2", "", "L")), Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U6", "PR2", "", D(2023, 2, 1), 4));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)), Open(D(2023, 2, 1))}));
  // With no type, the current type stays.
  EXPECT_EQ(t.Started(D(2023, 7, 1), 6, Start("", "PR2", "", "L")), Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U6", "PR2", "", D(2023, 2, 1), 4));
  EXPECT_EQ(t.in_period(), 2);
}

TEST(PlacementTracker, OtherReasonsForANewEpisodeAreMoves) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  EXPECT_EQ(t.Started(D(2023, 6, 1), 4, Start("U6", "PR2", "", "P")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U6", "PR2", "", D(2023, 6, 1), 4));
  EXPECT_EQ(t.in_period(), 2);
}

TEST(PlacementTracker, TheCurrentPlacementsOwnIdIsTheSamePlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1", "", "M6 5AB")), Step::kMoved);
  EXPECT_EQ(t.Started(D(2023, 5, 1), 5, Start("U6", "PR3", "P-1", "", "SW1A 1AA")),
            Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U6", "PR3", "P-1", D(2023, 2, 1), 4, "SW1A 1AA"));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)), Open(D(2023, 2, 1))}));
}

TEST(PlacementTracker, NoIdIsNotTheCurrentPlacementsId) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "")), Step::kMoved);
  // Both without an id: two placements, not one recorded twice.
  EXPECT_EQ(t.Started(D(2023, 5, 1), 5, Start("U5", "PR1", "")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U5", "PR1", "", D(2023, 5, 1), 5));
  EXPECT_EQ(t.in_period(), 3);
}

// --- placementEnded -------------------------------------------------------

TEST(PlacementTracker, APlacementEndedNamingNoIdEndsTheCurrentPlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.Ended(D(2023, 3, 1), Ending("")), Step::kEnded);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(),
            Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)), Closed(D(2023, 2, 1), D(2023, 3, 1))}));
  // Nothing left to end.
  EXPECT_EQ(t.Ended(D(2023, 3, 2), Ending("")), Step::kNone);
  // The next placement is a move that starts a span of its own.
  EXPECT_EQ(t.Started(D(2023, 3, 5), 6, Start("U6", "PR2", "P-2")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U6", "PR2", "P-2", D(2023, 3, 5), 6));
  EXPECT_EQ(t.in_period(), 3);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)),
                              Closed(D(2023, 2, 1), D(2023, 3, 1)), Open(D(2023, 3, 5))}));
}

TEST(PlacementTracker, APlacementEndedNamingTheCurrentIdEndsIt) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("")), Step::kNone);
  ASSERT_EQ(t.Started(D(2023, 1, 12), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.Ended(D(2023, 3, 1), Ending("P-1")), Step::kEnded);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 12), D(2023, 3, 1))}));
}

TEST(PlacementTracker, APlacementEndedNamingAnotherIdEndsNothing) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.Ended(D(2023, 3, 1), Ending("P-0")), Step::kNone);
  EXPECT_EQ(t.current(), P("U5", "PR1", "P-1", D(2023, 2, 1), 4));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)), Open(D(2023, 2, 1))}));
}

TEST(PlacementTracker, AnIdNamedWhileInTheAccommodationsPlacementEndsNothing) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  // The accommodation's placement has no id: an id names another one.
  EXPECT_EQ(t.Ended(D(2023, 3, 1), Ending("P-1")), Step::kNone);
  EXPECT_EQ(t.current(), P("U4", "", "", D(2023, 1, 10), 3));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2023, 1, 10))}));
  // No id ends it.
  EXPECT_EQ(t.Ended(D(2023, 3, 2), Ending("")), Step::kEnded);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 3, 2))}));
}

TEST(PlacementTracker, AfterAnEndTheFirstDayPlacementStartedIsAMove) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Ended(D(2023, 1, 10), Ending("")), Step::kEnded);
  // The accommodation's placement is over: this one is not it again.
  EXPECT_EQ(t.Started(D(2023, 1, 10), 5, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U5", "PR1", "P-1", D(2023, 1, 10), 5));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(),
            Spans({Closed(D(2023, 1, 10), D(2023, 1, 10)), Open(D(2023, 1, 10))}));
}

// --- Ceasing to be looked after, and outside a period ---------------------

TEST(PlacementTracker, CeasingToBeLookedAfterEndsThePlacement) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  EXPECT_EQ(t.Ceased(D(2023, 9, 1)), Step::kEnded);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 2);  // the last period's
  EXPECT_EQ(t.spans(),
            Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)), Closed(D(2023, 2, 1), D(2023, 9, 1))}));
  // Ceasing again: not looked after, nothing to end.
  EXPECT_EQ(t.Ceased(D(2023, 9, 2)), Step::kNone);
}

TEST(PlacementTracker, CeasingWithNoPlacementEndsNone) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("")), Step::kNone);
  EXPECT_EQ(t.Ceased(D(2023, 2, 1)), Step::kNone);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 0);
  EXPECT_EQ(t.spans(), Spans());
}

TEST(PlacementTracker, NothingHappensWhileNotLookedAfter) {
  PlacementTracker t;
  EXPECT_EQ(t.Started(D(2023, 1, 1), 1, Start("U5", "PR1", "P-1")), Step::kNone);
  EXPECT_EQ(t.Ended(D(2023, 1, 2), Ending("")), Step::kNone);
  EXPECT_EQ(t.Ceased(D(2023, 1, 3)), Step::kNone);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 0);
  EXPECT_EQ(t.spans(), Spans());
  // And after a period: a placementStarted once the child went home.
  ASSERT_EQ(t.Accommodated(D(2023, 2, 1), 4, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Ceased(D(2023, 3, 1)), Step::kEnded);
  EXPECT_EQ(t.Started(D(2023, 3, 5), 6, Start("U5", "PR1", "P-1")), Step::kNone);
  EXPECT_EQ(t.current(), std::nullopt);
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 2, 1), D(2023, 3, 1))}));
}

TEST(PlacementTracker, AnAccommodationWhileLookedAfterIsIgnored) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  EXPECT_EQ(t.Accommodated(D(2023, 2, 1), 4, Accommodation("U5")), Step::kNone);
  EXPECT_EQ(t.current(), P("U4", "", "", D(2023, 1, 10), 3));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.spans(), Spans({Open(D(2023, 1, 10))}));
}

TEST(PlacementTracker, ASecondPeriodCountsItsOwnPlacementsAndKeepsEverySpan) {
  PlacementTracker t;
  ASSERT_EQ(t.Accommodated(D(2023, 1, 10), 3, Accommodation("U4")), Step::kMoved);
  ASSERT_EQ(t.Started(D(2023, 2, 1), 4, Start("U5", "PR1", "P-1")), Step::kMoved);
  ASSERT_EQ(t.Ceased(D(2023, 9, 1)), Step::kEnded);
  ASSERT_EQ(t.in_period(), 2);
  // Re-entry: the rules start again (the same-day first placementStarted is
  // the accommodation's placement in this period too).
  EXPECT_EQ(t.Accommodated(D(2024, 1, 15), 6, Accommodation("U1")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U1", "", "", D(2024, 1, 15), 6));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.Started(D(2024, 1, 15), 7, Start("", "PR9", "P-3")), Step::kSamePlacement);
  EXPECT_EQ(t.current(), P("U1", "PR9", "P-3", D(2024, 1, 15), 6));
  EXPECT_EQ(t.in_period(), 1);
  EXPECT_EQ(t.Started(D(2024, 2, 1), 8, Start("U3", "PR4", "P-4")), Step::kMoved);
  EXPECT_EQ(t.current(), P("U3", "PR4", "P-4", D(2024, 2, 1), 8));
  EXPECT_EQ(t.in_period(), 2);
  EXPECT_EQ(t.spans(), Spans({Closed(D(2023, 1, 10), D(2023, 2, 1)),
                              Closed(D(2023, 2, 1), D(2023, 9, 1)),
                              Closed(D(2024, 1, 15), D(2024, 2, 1)), Open(D(2024, 2, 1))}));
  // A period with no placement type: none counted until one starts.
  ASSERT_EQ(t.Ceased(D(2024, 6, 1)), Step::kEnded);
  EXPECT_EQ(t.Accommodated(D(2024, 7, 1), 10, Accommodation("")), Step::kNone);
  EXPECT_EQ(t.in_period(), 0);
  EXPECT_EQ(t.spans().size(), 4u);
}

// --- The year ------------------------------------------------------------

TEST(PlacementTracker, TheYearIsTheDayAfterToLessTwelveMonths) {
  EXPECT_EQ(PlacementYearFrom(D(2025, 3, 31)), D(2024, 4, 1));
  EXPECT_EQ(PlacementYearFrom(D(2024, 3, 31)), D(2023, 4, 1));
  // 29 February less 12 months is 28 February 2023 (clamped): the year
  // begins 1 March.
  EXPECT_EQ(PlacementYearFrom(D(2024, 2, 29)), D(2023, 3, 1));
  EXPECT_EQ(PlacementYearFrom(D(2025, 2, 28)), D(2024, 2, 29));
}

TEST(PlacementTracker, APlacementLeftOnTheYearsFirstDayCounts) {
  // The year ending 31 March 2025 begins 1 April 2024.
  const absl::CivilDay to = D(2025, 3, 31);
  EXPECT_EQ(PlacementsInYearTo({Closed(D(2023, 1, 1), D(2024, 4, 1))}, to), 1);
  EXPECT_EQ(PlacementsInYearTo({Closed(D(2023, 1, 1), D(2024, 3, 31))}, to), 0);
}

TEST(PlacementTracker, APlacementStartedAfterTheYearDoesNotCount) {
  const absl::CivilDay to = D(2025, 3, 31);
  EXPECT_EQ(PlacementsInYearTo({Open(D(2025, 3, 31))}, to), 1);  // begun on `to`
  EXPECT_EQ(PlacementsInYearTo({Open(D(2025, 4, 1))}, to), 0);   // the day after
  EXPECT_EQ(PlacementsInYearTo({Closed(D(2025, 4, 1), D(2025, 5, 1))}, to), 0);
  EXPECT_EQ(PlacementsInYearTo({Open(D(2015, 6, 1))}, to), 1);  // still in it
  // The year of a 29 February: from 1 March 2023.
  EXPECT_EQ(PlacementsInYearTo({Closed(D(2022, 1, 1), D(2023, 3, 1))}, D(2024, 2, 29)), 1);
  EXPECT_EQ(PlacementsInYearTo({Closed(D(2022, 1, 1), D(2023, 2, 28))}, D(2024, 2, 29)), 0);
}

TEST(PlacementTracker, TheYearCountsEverySpanInItAcrossPeriods) {
  const absl::CivilDay to = D(2024, 3, 31);  // from 1 April 2023
  const Spans spans = {
      Closed(D(2022, 5, 1), D(2023, 3, 31)),  // left the day before: no
      Closed(D(2023, 3, 31), D(2023, 4, 1)),  // left on the first day: yes
      Closed(D(2023, 4, 1), D(2023, 9, 1)),   // yes (period ended)
      Closed(D(2024, 1, 15), D(2024, 2, 1)),  // yes (re-entry)
      Open(D(2024, 2, 1)),                    // yes
  };
  EXPECT_EQ(PlacementsInYearTo(spans, to), 4);
  // As of 14 January 2024 (from 15 January 2023): the first three; the
  // re-entry's had not begun.
  EXPECT_EQ(PlacementsInYearTo(spans, D(2024, 1, 14)), 3);
  EXPECT_EQ(PlacementsInYearTo({}, to), 0);
}

}  // namespace
}  // namespace carelog
