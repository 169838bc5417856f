// Placement stability (projections/qa_stability.h) over hand-built
// histories: each edge of the two DfE measures with the count worked out by
// hand from the definitions, then the same children in one QA report and its
// JSON, CSV and HTML. The report ends 31 March 2025: the year is 1 April 2024
// to 31 March 2025; 2.5 years back is 30 September 2022, 2 years back
// 31 March 2023. Last, over generated histories, the care-plan state's
// "placements in the last 12 months" and looked-after flag against this
// report's, child by child (one definition, placement_tracker.h).
#include "projections/qa_stability.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "engine/event_json.h"
#include "engine/gen/generate_histories.h"
#include "pack_scenario.h"
#include "projections/care_plan_state.h"
#include "projections/qa_html.h"
#include "projections/qa_report.h"

namespace carelog {
namespace {

using scenario::Case;
using scenario::D;
using ::testing::HasSubstr;

constexpr char kTo[] = "2025-03-31";

std::string Accommodated(const std::string& type, const std::string& born = "") {
  return absl::StrCat("child_accommodated { legal_status: 'C2' placement_type: '", type, "'",
                      born.empty() ? "" : absl::StrCat(" date_of_birth: '", born, "'"), " }");
}
std::string Registered(const std::string& born) {
  return absl::StrCat("child_registered { date_of_birth: '", born, "' }");
}
std::string Placed(const std::string& type, const std::string& extra = "") {
  return absl::StrCat("placement_started { placement_type: '", type, "' ", extra, " }");
}
constexpr char kCeased[] = "child_ceased_looked_after { reason: 'E13' }";

// Noon UTC on `date`, as Case::On writes it, in seconds.
int64_t Noon(const std::string& date) {
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(D(date)), absl::UTCTimeZone()) +
                             absl::Hours(12));
}

// The child's stability, worked out from copies (ApplyCorrections) and, as
// the QA report does, from pointers into the case's events
// (QaReportBuilder::Prepare): the same events, in the same order, and the
// same answer, or the test fails.
ChildStability Of(const Case& c, const std::string& to = kTo) {
  const std::vector<v1::Event> events = ApplyCorrections(c.events);
  const std::vector<DatedEvent> items = InEffectiveOrder(events);
  const ChildStability copied = StabilityOf(items, D(to));
  QaCase qc;
  qc.case_id = "C1";
  qc.events = c.events;
  const QaReportBuilder::Prepared prepared = QaReportBuilder::Prepare(qc, D(to));
  EXPECT_EQ(prepared.items.size(), items.size());
  for (size_t i = 0; i < std::min(items.size(), prepared.items.size()); ++i) {
    EXPECT_EQ(prepared.items[i].day, items[i].day) << i;
    EXPECT_EQ(prepared.items[i].event->SerializeAsString(), items[i].event->SerializeAsString())
        << i;
  }
  const ChildStability& p = prepared.stability;
  EXPECT_EQ(p.looked_after, copied.looked_after);
  EXPECT_EQ(p.placements_in_year, copied.placements_in_year);
  EXPECT_EQ(p.no_date_of_birth, copied.no_date_of_birth);
  EXPECT_EQ(p.long_term, copied.long_term);
  EXPECT_EQ(p.stable, copied.stable);
  EXPECT_EQ(p.placed_for_adoption, copied.placed_for_adoption);
  return copied;
}

TEST(QaStabilityTest, TheYearIsTheTwelveMonthsEndingAtTheEndDate) {
  EXPECT_EQ(StabilityYearFrom(D("2025-03-31")), D("2024-04-01"));
  EXPECT_EQ(StabilityYearFrom(D("2024-06-30")), D("2023-07-01"));
  EXPECT_EQ(StabilityYearFrom(D("2025-02-28")), D("2024-02-29"));  // 2024-02-28 + 1
}

TEST(QaStabilityTest, ExactlyThreePlacementsInTheYearCount) {
  Case c;
  c.On("2024-05-01", Accommodated("U1"))
      .On("2024-08-01", Placed("U2"))
      .On("2025-01-10", Placed("U3"));
  const ChildStability s = Of(c);
  EXPECT_TRUE(s.looked_after);
  EXPECT_EQ(s.placements_in_year, 3);
  // Two: the accommodation's and one move.
  Case two;
  two.On("2024-05-01", Accommodated("U1")).On("2024-08-01", Placed("U2"));
  EXPECT_EQ(Of(two).placements_in_year, 2);
}

TEST(QaStabilityTest, ThePlacementTheChildWasInWhenTheYearBeganCounts) {
  Case before;  // in U1 since 2023 on 1 April 2024, then two moves
  before.On("2023-06-01", Accommodated("U1"))
      .On("2024-06-01", Placed("U2"))
      .On("2024-12-01", Placed("U3"));
  EXPECT_EQ(Of(before).placements_in_year, 3);
  Case left_before;  // left U1 on 31 March 2024, the day before the year
  left_before.On("2023-06-01", Accommodated("U1"))
      .On("2024-03-31", Placed("U2"))
      .On("2024-06-01", Placed("U3"));
  EXPECT_EQ(Of(left_before).placements_in_year, 2);
  Case left_first_day;  // still in U1 when 1 April 2024 began
  left_first_day.On("2023-06-01", Accommodated("U1"))
      .On("2024-04-01", Placed("U2"))
      .On("2024-10-01", Placed("U3"));
  EXPECT_EQ(Of(left_first_day).placements_in_year, 3);
  // Moves after the end date are not read.
  Case later;
  later.On("2024-05-01", Accommodated("U1"))
      .On("2024-08-01", Placed("U2"))
      .On("2025-04-01", Placed("U3"));
  EXPECT_EQ(Of(later).placements_in_year, 2);
}

TEST(QaStabilityTest, AReEntrysPlacementsCountWithTheFirstPeriods) {
  Case c;
  c.On("2024-04-10", Accommodated("U1"))
      .On("2024-06-01", kCeased)
      .On("2024-07-01", Placed("U4"))  // not looked after: no placement in care
      .On("2024-09-01", Accommodated("U2"))
      .On("2024-12-01", Placed("U3"));
  const ChildStability s = Of(c);
  EXPECT_TRUE(s.looked_after);
  EXPECT_EQ(s.placements_in_year, 3);
  // Three placements but no longer looked after at the end: in neither count.
  Case gone = c;
  gone.On("2025-03-31", kCeased);
  EXPECT_FALSE(Of(gone).looked_after);
  PlacementStability t;
  AddStability(Of(gone), &t);
  EXPECT_EQ(t.looked_after, 0);
  EXPECT_EQ(t.three_or_more, 0);
}

TEST(QaStabilityTest, The903ShapeCountsTheFirstPlacementOnceAndALegalStatusChangeNotAtAll) {
  Case c;  // import-903: childAccommodated and placementStarted the same day
  c.On("2024-05-01", Accommodated("U1"))
      .On("2024-05-01", Placed("U1", "placement_id: '903-a' rne: 'S'"))
      .On("2024-07-01", Placed("U1", "placement_id: '903-b' rne: 'L'"))
      .On("2024-09-01", Placed("U2", "placement_id: '903-c' rne: 'P'"));
  EXPECT_EQ(Of(c).placements_in_year, 2);
  Case same_id;  // the current placement re-recorded under its own id
  same_id.On("2024-05-01", Accommodated("U1"))
      .On("2024-06-01", Placed("U2", "placement_id: 'P-2'"))
      .On("2024-07-01", Placed("U3", "placement_id: 'P-2'"));
  EXPECT_EQ(Of(same_id).placements_in_year, 2);
}

TEST(QaStabilityTest, AnAccommodationWithNoPlacementTypeWaitsForTheFirstPlacementStarted) {
  Case c;
  c.On("2024-05-01", "child_accommodated { legal_status: 'V2' }")
      .On("2024-05-03", Placed("U1"))
      .On("2024-08-01", Placed("U2"));
  EXPECT_EQ(Of(c).placements_in_year, 2);
}

TEST(QaStabilityTest, ExactlyTwoAndAHalfYearsAndTwoYearsAreEnough) {
  Case c;
  c.On("2022-09-30", Accommodated("U1", "2015-01-01")).On("2023-03-31", Placed("U2"));
  ChildStability s = Of(c);
  EXPECT_TRUE(s.long_term);
  EXPECT_TRUE(s.stable);
  EXPECT_FALSE(s.placed_for_adoption);
  Case day_short;  // looked after one day less than 2.5 years
  day_short.On("2022-10-01", Accommodated("U1", "2015-01-01"));
  EXPECT_FALSE(Of(day_short).long_term);
  Case moved;  // 2.5 years looked after, but one day less than 2 years placed
  moved.On("2022-09-30", Accommodated("U1", "2015-01-01")).On("2023-04-01", Placed("U2"));
  s = Of(moved);
  EXPECT_TRUE(s.long_term);
  EXPECT_FALSE(s.stable);
  Case broken;  // a break in care: looked after continuously only since 2023
  broken.On("2020-01-01", Accommodated("U1", "2015-01-01"))
      .On("2023-01-01", kCeased)
      .On("2023-02-01", Accommodated("U1"));
  EXPECT_FALSE(Of(broken).long_term);
}

TEST(QaStabilityTest, AChildWhoTurns16OnTheEndDateIsNotInTheLongTermMeasure) {
  Case sixteen;
  sixteen.On("2020-01-01", Registered("2009-03-31")).On("2020-01-02", Accommodated("U1"));
  EXPECT_FALSE(Of(sixteen).long_term);
  Case fifteen;  // 16 tomorrow
  fifteen.On("2020-01-01", Registered("2009-04-01")).On("2020-01-02", Accommodated("U1"));
  ChildStability s = Of(fifteen);
  EXPECT_TRUE(s.long_term);
  EXPECT_TRUE(s.stable);
  Case unknown;  // no date of birth anywhere: age unknown, counted apart
  unknown.On("2020-01-02", Accommodated("U1"));
  s = Of(unknown);
  EXPECT_FALSE(s.long_term);
  EXPECT_TRUE(s.no_date_of_birth);
}

TEST(QaStabilityTest, PlacedForAdoptionIsStableHoweverRecent) {
  Case c;
  c.On("2021-01-01", Accommodated("U1", "2019-05-01")).On("2024-11-01", Placed("A4"));
  const ChildStability s = Of(c);
  EXPECT_TRUE(s.long_term);
  EXPECT_TRUE(s.placed_for_adoption);
  EXPECT_TRUE(s.stable);
  for (const char* code : {"A3", "A4", "A5", "A6"}) EXPECT_TRUE(PlacedForAdoption(code)) << code;
  for (const char* code : {"A1", "P1", "U1", ""}) EXPECT_FALSE(PlacedForAdoption(code)) << code;
}

TEST(QaStabilityTest, ACorrectedPlacementCountsAsCorrected) {
  Case type;  // U1 corrected to A5: placed for adoption
  type.On("2021-01-01", Accommodated("U1", "2019-05-01"))
      .On("2024-10-01", Placed("U1"))  // e2
      .On("2024-10-20", "event_corrected { event_id: 'e2' replacement { placement_started { "
                        "placement_type: 'A5' } } }");
  ChildStability s = Of(type);
  EXPECT_TRUE(s.placed_for_adoption);
  EXPECT_TRUE(s.stable);
  Case start;  // a move recorded on 1 May 2023: less than 2 years at the end date
  start.On("2021-01-01", Accommodated("U1", "2015-05-01")).On("2023-05-01", Placed("U2"));  // e2
  EXPECT_FALSE(Of(start).stable);
  // Corrected to 1 March 2023: 2 years and a month.
  start.On("2023-05-02", absl::StrCat("event_corrected { event_id: 'e2' replacement { "
                                      "occurred_at { seconds: ",
                                      Noon("2023-03-01"), " } placement_started { "
                                      "placement_type: 'U2' } } }"));
  EXPECT_TRUE(Of(start).stable);
  // A move corrected out of the year no longer counts in it.
  Case moved_out;
  moved_out.On("2023-06-01", Accommodated("U1"))
      .On("2024-06-01", Placed("U2"))  // e2
      .On("2024-12-01", Placed("U3"))
      .On("2024-12-02", absl::StrCat("event_corrected { event_id: 'e2' replacement { "
                                     "occurred_at { seconds: ",
                                     Noon("2024-02-01"), " } placement_started { "
                                     "placement_type: 'U2' } } }"));
  EXPECT_EQ(Of(moved_out).placements_in_year, 2);  // U2 (from before the year), U3
}

TEST(QaStabilityTest, ARetractedPlacementIsNotCounted) {
  Case c;
  c.On("2024-05-01", Accommodated("U1"))
      .On("2024-08-01", Placed("U2"))  // e2
      .On("2025-01-10", Placed("U3"))
      .On("2025-01-11", "event_retracted { event_id: 'e2' reason: 'wrong child' }");
  EXPECT_EQ(Of(c).placements_in_year, 2);
  Case stable;  // the only move since 2021 retracted: in U1 since 2021
  stable.On("2021-01-01", Accommodated("U1", "2015-05-01"))
      .On("2024-08-01", Placed("U2"))  // e2
      .On("2024-08-02", "event_retracted { event_id: 'e2' reason: 'entered in error' }");
  EXPECT_TRUE(Of(stable).stable);
}

TEST(QaStabilityTest, APlacementEndedWithNoNextOneIsNotAStablePlacement) {
  Case c;
  c.On("2021-01-01", Accommodated("U1", "2015-05-01")).On("2024-08-01", "placement_ended {}");
  const ChildStability s = Of(c);
  EXPECT_TRUE(s.long_term);
  EXPECT_FALSE(s.stable);
  EXPECT_EQ(s.placements_in_year, 1);
}

// The children above in one report: its totals and the renderers.
TEST(QaStabilityTest, TheReportCountsEveryChildAndPrintsBothMeasures) {
  std::vector<Case> cases(7);
  cases[0]  // 3 placements, looked after
      .On("2024-05-01", Accommodated("U1"))
      .On("2024-08-01", Placed("U2"))
      .On("2025-01-10", Placed("U3"));
  cases[1].On("2024-05-01", Accommodated("U1")).On("2024-08-01", Placed("U2"));  // 2
  cases[2]  // 3 placements, then ceased: in neither
      .On("2024-05-01", Accommodated("U1"))
      .On("2024-08-01", Placed("U2"))
      .On("2025-01-10", Placed("U3"))
      .On("2025-02-01", kCeased);
  cases[3].On("2021-01-01", Accommodated("U1", "2015-01-01"));  // long term, stable
  cases[4]  // long term, placed for adoption in the year
      .On("2021-01-01", Accommodated("U1", "2019-01-01"))
      .On("2024-11-01", Placed("A4"));
  cases[5]  // long term, moved: not stable
      .On("2021-01-01", Accommodated("U1", "2012-01-01"))
      .On("2024-06-01", Placed("U2"));
  cases[6].On("2021-01-01", Accommodated("U1"));  // no date of birth
  const ResolvedPack* pack = *scenario::Registry().Find("england");
  std::vector<QaCase> in;
  for (size_t i = 0; i < cases.size(); ++i) {
    QaCase q;
    q.case_id = absl::StrCat("C-", i);
    q.events = cases[i].events;
    q.pack = pack;
    q.deadlines = FoldDeadlines(q.case_id, q.events, *pack, Calendar::Default(), D(kTo));
    in.push_back(std::move(q));
  }
  const QaReport r = ComputeQaReport(in, D("2025-01-01"), D(kTo), Calendar::Default());
  const PlacementStability& s = r.stability;
  EXPECT_EQ(s.year_from, D("2024-04-01"));
  EXPECT_EQ(s.looked_after, 6);
  EXPECT_EQ(s.three_or_more, 1);
  EXPECT_EQ(s.long_term, 3);
  EXPECT_EQ(s.long_term_stable, 2);
  EXPECT_EQ(s.placed_for_adoption, 1);
  EXPECT_EQ(s.long_term_no_date_of_birth, 1);

  const std::string json = RenderQaJson(r);
  EXPECT_THAT(json, HasSubstr(R"("placements3Plus":1,"placements3PlusPct":16.7,"longTermStable":2,"longTermStablePct":66.7})"));
  EXPECT_THAT(json, HasSubstr(R"("stability":{"yearFrom":"2024-04-01","to":"2025-03-31","lookedAfter":6,"threeOrMorePlacements":1,"threeOrMorePlacementsPct":16.7,"longTerm":3,"longTermStable":2,"longTermStablePct":66.7,"placedForAdoption":1,"noDateOfBirth":1})"));
  EXPECT_THAT(json, HasSubstr(R"("placements3Plus":"Placement stability, short term (the DfE's)"));
  EXPECT_THAT(json, HasSubstr(R"("longTermStability":"Placement stability, long term (the DfE's)"));
  bool csv = false;
  for (const auto& [name, text] : RenderQaCsv(r)) {
    if (name == "headline.csv") {
      EXPECT_THAT(text, HasSubstr("placements3PlusPct,16.7\n"));
    }
    if (name != "stability.csv") continue;
    csv = true;
    EXPECT_EQ(text,
              "measure,count,of,pct,from,to\n"
              "threeOrMorePlacements,1,6,16.7,2024-04-01,2025-03-31\n"
              "longTermStable,2,3,66.7,,2025-03-31\n"
              "placedForAdoption,1,3,33.3,,2025-03-31\n"
              "noDateOfBirth,1,,,,2025-03-31\n");
  }
  EXPECT_TRUE(csv);
  const std::string html = RenderQaHtml(r);
  EXPECT_THAT(html, HasSubstr(R"(data-figure="longTermStablePct">66.7<)"));
  EXPECT_THAT(html, HasSubstr("<h2>Placement stability</h2><table id=\"stability\">"));
  EXPECT_THAT(html, HasSubstr("<dt>longTermStability</dt>"));
  EXPECT_THAT(html, HasSubstr("looked after 2.5+ years with no date of birth recorded: 1 (in neither"));
}

// The care-plan state's "placements in the last 12 months" as of a day is the
// number this report counts for the year ending that day, and both agree on
// whether the child is looked after: every generated child, at several end
// dates (a 29 February, year ends, the histories' last day).
TEST(QaStabilityTest, TheCarePlanStateCountsThePlacementsThisReportCounts) {
  std::ostringstream text;
  GenOptions opts;
  opts.children = 300;
  opts.years = 3;
  opts.seed = 20261203;
  ASSERT_TRUE(GenerateHistories(opts, text).ok());
  std::map<std::string, std::vector<v1::Event>> cases;
  std::istringstream in(text.str());
  std::string line;
  EventJsonParser parser;
  uint64_t pos = 0;
  while (std::getline(in, line)) {
    v1::Event e;
    ASSERT_TRUE(parser.Parse(line, &e).ok()) << line;
    e.set_position(++pos);
    cases[e.case_id()].push_back(std::move(e));
  }
  ASSERT_EQ(cases.size(), 300u);
  const ResolvedPack& england = **scenario::Registry().Find("england");
  int checked = 0, three_plus = 0, none = 0, looked_after = 0;
  for (const auto& [id, events] : cases) {
    const std::vector<v1::Event> corrected = ApplyCorrections(events);
    const std::vector<DatedEvent> items = InEffectiveOrder(corrected);
    for (const absl::CivilDay to : {absl::CivilDay(2023, 6, 30), absl::CivilDay(2024, 2, 29),
                                    absl::CivilDay(2024, 3, 31), absl::CivilDay(2025, 3, 31),
                                    opts.end}) {
      const CaseDeadlines d = FoldDeadlines(id, events, england, Calendar::Default(), to);
      const CarePlanState s = FoldCarePlanState(id, events, d, england, Calendar::Default(), to);
      const ChildStability q = StabilityOf(items, to);
      SCOPED_TRACE(absl::StrCat(id, " to ", FormatDate(to)));
      ASSERT_EQ(s.placements_in_12_months, q.placements_in_year);
      ASSERT_EQ(s.looked_after, q.looked_after);
      three_plus += q.placements_in_year >= 3;
      none += q.placements_in_year == 0;
      looked_after += q.looked_after;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1500);
  // Not vacuous: children with three or more placements in the year, with
  // none, looked after and not.
  EXPECT_GT(three_plus, 100);
  EXPECT_GT(none, 100);
  EXPECT_GT(looked_after, 500);
  EXPECT_LT(looked_after, checked - 100);
}

}  // namespace
}  // namespace carelog
