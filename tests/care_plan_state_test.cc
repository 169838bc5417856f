// The care-plan state (projections/care_plan_state.h): one hand-built child
// — registered, accommodated, a placement recorded in detail on the day, a
// move, a legal status change, an IRO allocation later retracted, a reduced
// meeting arrangement agreed then ended, a plan, a return home and a
// re-entry, a placement type corrected a year later — as of several dates
// and as known at an instant, with the state written out; the postcode
// district; "not recorded"; the obligation counts; and a cross-check of the
// counts over generated histories against a recount from the raw events.
#include "projections/care_plan_state.h"

#include <map>
#include <set>
#include <sstream>

#include "engine/event_json.h"
#include "engine/event_time.h"
#include "engine/gen/generate_histories.h"
#include "projections/care_plan_state_format.h"
#include "projections/case_trail.h"
#include "tests/pack_scenario.h"

namespace carelog {
namespace {

using scenario::D;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const ResolvedPack& England() { return **scenario::Registry().Find("england"); }

CarePlanState StateOf(const std::vector<v1::Event>& events, const std::string& as_of) {
  const CaseDeadlines d = FoldDeadlines("C-1", events, England(), Calendar::Default(), D(as_of));
  return FoldCarePlanState("C-1", events, d, England(), Calendar::Default(), D(as_of));
}

// The child of every test below; positions e1.. in the order written.
scenario::Case Child() {
  scenario::Case c;
  c.On("2023-01-05", "child_registered { date_of_birth: '2015-03-02' authority_code: '801' sex: '1' }")  // e1
      .On("2023-01-09", "social_worker_allocated { social_worker_id: 'sw-1' team: 'Team A' }")  // e2
      .On("2023-01-10", "child_accommodated { legal_status: 'V2' placement_type: 'U4' }")  // e3
      .On("2023-01-10",
          "placement_started { placement_type: 'U4' provider: 'PR1' placement_postcode: 'M6 5AB' "
          "placement_id: 'P-1' }")  // e4: the same placement in detail
      .On("2023-01-16", "iro_allocated { iro_id: 'iro-1' }")  // e5
      .On("2023-01-20",
          "review_scheduled { review_id: 'R-1' scheduled_for: '2023-02-03' format: MEETING }")  // e6
      .On("2023-02-03", "review_held { review_id: 'R-1' participation: 'PN1' }")  // e7
      .On("2023-02-20", "legal_status_changed { legal_status: 'C2' }")  // e8
      .On("2023-03-01",
          "placement_started { placement_type: 'U5' provider: 'PR2' placement_postcode: 'sw1a1aa' "
          "placement_id: 'P-2' }")  // e9: corrected to U6 by e20
      .On("2023-03-10", "iro_allocated { iro_id: 'iro-2' }")  // e10: retracted by e21
      .On("2023-04-01",
          "review_arrangement_changed { reduced_meetings: true agreed_by: [IRO, CARER] }")  // e11
      .On("2023-05-01", "social_worker_allocated { social_worker_id: 'sw-2' team: 'Team B' }")  // e12
      .On("2023-06-01", "permanence_recommended { plan: 'LONG_TERM_FOSTER' }")  // e13
      .On("2023-06-15", "permanency_planning_meeting_held {}")  // e14
      .On("2023-07-01",
          "panel_decision { panel: 'FOSTERING' decision: 'APPROVED' plan: 'LONG_TERM_FOSTER' }")  // e15
      .On("2023-08-01", "review_arrangement_changed { reduced_meetings: false }")  // e16
      .On("2023-09-01", "child_ceased_looked_after { reason: 'E13' }")  // e17: home to parents
      .On("2024-01-15", "child_accommodated { legal_status: 'V2' placement_type: 'U1' }")  // e18
      .On("2024-02-01", "placement_started { placement_type: 'U3' placement_id: 'P-3' }")  // e19
      .On("2024-02-10",
          "event_corrected { event_id: 'e9' reason: 'wrong type' replacement { placement_started { "
          "placement_type: 'U6' provider: 'PR2' placement_postcode: 'SW1A 1AA' placement_id: 'P-2' "
          "} } }")  // e20
      .On("2024-02-11", "event_retracted { event_id: 'e10' reason: 'wrong child' }");  // e21
  // Each recorded an hour after it happened.
  for (v1::Event& e : c.events) {
    e.mutable_recorded_at()->set_seconds(e.occurred_at().seconds() + 3600);
  }
  return c;
}

TEST(CarePlanStateTest, EarlyInTheFirstPeriod) {
  const CarePlanState s = StateOf(Child().events, "2023-02-10");
  EXPECT_EQ(s.child.date_of_birth, D("2015-03-02"));
  EXPECT_EQ(s.child.age, 7);
  EXPECT_EQ(s.child.sex, "1");
  EXPECT_EQ(s.child.authority, "801");
  EXPECT_TRUE(s.looked_after);
  EXPECT_EQ(s.periods, 1);
  EXPECT_EQ(s.period_started, D("2023-01-10"));
  EXPECT_EQ(s.period_days, 31);
  EXPECT_EQ(s.legal_status, "V2");
  EXPECT_EQ(s.legal_status_since, D("2023-01-10"));
  ASSERT_TRUE(s.placement.has_value());
  // The placementStarted of the accommodation day is the same placement.
  EXPECT_EQ(s.placement->type, "U4");
  EXPECT_EQ(s.placement->provider, "PR1");
  EXPECT_EQ(s.placement->district, "M6");
  EXPECT_EQ(s.placement->started, D("2023-01-10"));
  EXPECT_EQ(s.placement->days, 31);
  EXPECT_EQ(s.placements_in_period, 1);
  EXPECT_EQ(s.placements_in_12_months, 1);
  EXPECT_EQ(s.social_worker, "sw-1");
  EXPECT_EQ(s.social_worker_since, D("2023-01-09"));
  EXPECT_EQ(s.team, "Team A");
  EXPECT_EQ(s.iro, "iro-1");
  EXPECT_EQ(s.iro_since, D("2023-01-16"));
  EXPECT_FALSE(s.reduced_meetings);
  EXPECT_FALSE(s.arrangement_since.has_value());
  ASSERT_TRUE(s.last_review.has_value());
  EXPECT_EQ(s.last_review->review_id, "R-1");
  EXPECT_EQ(s.last_review->held_on, D("2023-02-03"));
  EXPECT_EQ(s.last_review->format, v1::MEETING);
  EXPECT_EQ(s.last_review->participation, "PN1");
  EXPECT_EQ(s.reviews_held_in_period, 1);
  // review.second: three months after the first review.
  EXPECT_EQ(s.next_review_rule, "review.second");
  EXPECT_EQ(s.next_review_due, D("2023-05-03"));
}

TEST(CarePlanStateTest, AfterAMoveWithTheCorrectionAndRetractionApplied) {
  const CarePlanState s = StateOf(Child().events, "2023-04-15");
  EXPECT_EQ(s.legal_status, "C2");
  EXPECT_EQ(s.legal_status_since, D("2023-02-20"));
  ASSERT_TRUE(s.placement.has_value());
  EXPECT_EQ(s.placement->type, "U6");  // e20's correction, whatever its own date
  EXPECT_EQ(s.placement->provider, "PR2");
  EXPECT_EQ(s.placement->district, "SW1A");
  EXPECT_EQ(s.placement->placement_id, "P-2");
  EXPECT_EQ(s.placement->started, D("2023-03-01"));
  EXPECT_EQ(s.placement->days, 45);
  EXPECT_EQ(s.placements_in_period, 2);
  EXPECT_EQ(s.iro, "iro-1");  // iro-2's allocation was retracted
  EXPECT_EQ(s.iro_since, D("2023-01-16"));
  EXPECT_TRUE(s.reduced_meetings);
  EXPECT_EQ(s.arrangement_since, D("2023-04-01"));
  EXPECT_THAT(s.arrangement_agreed_by, ElementsAre(v1::IRO, v1::CARER));
}

TEST(CarePlanStateTest, AsKnownAtAnInstantBeforeTheCorrectionAndRetraction) {
  const std::vector<v1::Event> known =
      RecordedBy(Child().events, LondonEndOfDay(D("2023-12-31")));
  const CarePlanState s = StateOf(known, "2023-04-15");
  ASSERT_TRUE(s.placement.has_value());
  EXPECT_EQ(s.placement->type, "U5");
  EXPECT_EQ(s.placement->district, "SW1A");  // "sw1a1aa" as recorded
  EXPECT_EQ(s.iro, "iro-2");
  EXPECT_EQ(s.iro_since, D("2023-03-10"));
}

TEST(CarePlanStateTest, HomeToParentsKeepsTheLastPeriodsPlanAndNoPlacement) {
  const CarePlanState s = StateOf(Child().events, "2023-09-30");
  EXPECT_FALSE(s.looked_after);
  EXPECT_EQ(s.period_started, D("2023-01-10"));
  EXPECT_EQ(s.period_ended, D("2023-09-01"));
  EXPECT_EQ(s.ceased_reason, "E13");
  EXPECT_EQ(s.period_days, 0);
  EXPECT_FALSE(s.placement.has_value());
  EXPECT_EQ(s.placements_in_period, 2);
  EXPECT_EQ(s.legal_status, "C2");
  EXPECT_FALSE(s.reduced_meetings);
  EXPECT_EQ(s.arrangement_since, D("2023-08-01"));
  EXPECT_EQ(s.social_worker, "sw-2");
  EXPECT_EQ(s.team, "Team B");
  EXPECT_EQ(s.team_since, D("2023-05-01"));
  EXPECT_EQ(s.permanence.recommended_plan, "LONG_TERM_FOSTER");
  EXPECT_EQ(s.permanence.recommended_on, D("2023-06-01"));
  EXPECT_EQ(s.permanence.panel, "FOSTERING");
  EXPECT_EQ(s.permanence.panel_decision, "APPROVED");
  EXPECT_EQ(s.permanence.panel_plan, "LONG_TERM_FOSTER");
  EXPECT_EQ(s.permanence.panel_on, D("2023-07-01"));
  ASSERT_EQ(s.permanence.milestones.size(), 1u);
  EXPECT_EQ(s.permanence.milestones[0].name, "permanencyPlanningMeetingHeld");
  EXPECT_EQ(s.permanence.milestones[0].on, D("2023-06-15"));
  EXPECT_FALSE(s.next_review_due.has_value());  // no period: no review due
}

TEST(CarePlanStateTest, ReEntryStartsAPeriodAfresh) {
  const CarePlanState s = StateOf(Child().events, "2024-03-01");
  EXPECT_TRUE(s.looked_after);
  EXPECT_EQ(s.periods, 2);
  EXPECT_EQ(s.period_started, D("2024-01-15"));
  EXPECT_EQ(s.period_days, 46);
  EXPECT_FALSE(s.period_ended.has_value());
  EXPECT_EQ(s.legal_status, "V2");
  EXPECT_EQ(s.legal_status_since, D("2024-01-15"));
  ASSERT_TRUE(s.placement.has_value());
  EXPECT_EQ(s.placement->type, "U3");
  EXPECT_EQ(s.placement->provider, "");
  EXPECT_EQ(s.placement->district, "");
  EXPECT_EQ(s.placement->started, D("2024-02-01"));
  EXPECT_EQ(s.placements_in_period, 2);  // U1 on accommodation, then U3
  // The 12 months ending 2024-03-01 begin 2023-03-02: the child was in P-2
  // (from 2023-03-01 until the period ended on 2023-09-01), then U1 and U3 —
  // placements the child was in during the year, as the QA report counts.
  EXPECT_EQ(s.placements_in_12_months, 3);
  EXPECT_EQ(s.permanence.recommended_plan, "");
  EXPECT_FALSE(s.permanence.panel_on.has_value());
  EXPECT_TRUE(s.permanence.milestones.empty());
  EXPECT_FALSE(s.arrangement_since.has_value());
  EXPECT_EQ(s.reviews_held_in_period, 0);
  ASSERT_TRUE(s.last_review.has_value());
  EXPECT_EQ(s.last_review->review_id, "R-1");  // the last period's
  // review.initial: 20 working days after 2024-01-15, unmet.
  EXPECT_EQ(s.next_review_rule, "review.initial");
  EXPECT_EQ(s.next_review_due, D("2024-02-12"));
  EXPECT_GE(s.overdue, 1);
}

std::vector<std::string> HistoryLines(const CarePlanState& s) {
  std::vector<std::string> out;
  for (const CarePlanChange& c : s.history)
    out.push_back(absl::StrCat(FormatDate(c.on), " e", c.position, " ", c.what, ": ", c.from,
                               " -> ", c.to));
  return out;
}

TEST(CarePlanStateTest, HistoryIsTheDatedChanges) {
  EXPECT_THAT(
      HistoryLines(StateOf(Child().events, "2024-03-01")),
      ElementsAre("2023-01-09 e2 social worker:  -> sw-1", "2023-01-09 e2 team:  -> Team A",
                  "2023-01-10 e3 period of care: not looked after -> looked after",
                  "2023-01-10 e3 legal status:  -> V2", "2023-01-10 e3 placement:  -> U4",
                  "2023-01-10 e4 placement: U4 -> U4, provider PR1, M6",
                  "2023-01-16 e5 IRO:  -> iro-1", "2023-02-20 e8 legal status: V2 -> C2",
                  "2023-03-01 e9 placement: U4, provider PR1, M6 -> U6, provider PR2, SW1A",
                  "2023-04-01 e11 review arrangement: standard -> reduced meetings",
                  "2023-05-01 e12 social worker: sw-1 -> sw-2",
                  "2023-05-01 e12 team: Team A -> Team B",
                  "2023-06-01 e13 permanence recommendation:  -> LONG_TERM_FOSTER",
                  "2023-06-15 e14 milestone:  -> permanencyPlanningMeetingHeld",
                  "2023-07-01 e15 panel decision:  -> FOSTERING: APPROVED (LONG_TERM_FOSTER)",
                  "2023-08-01 e16 review arrangement: reduced meetings -> standard",
                  "2023-09-01 e17 placement: U6, provider PR2, SW1A -> ",
                  "2023-09-01 e17 period of care: looked after -> not looked after (E13)",
                  "2024-01-15 e18 period of care: not looked after -> looked after",
                  "2024-01-15 e18 legal status: C2 -> V2", "2024-01-15 e18 placement:  -> U1",
                  "2024-02-01 e19 placement: U1 -> U3"));
  // "Where was this child on 3 March 2023 and who was responsible": the
  // state as of that day, whose history stops there.
  const CarePlanState then = StateOf(Child().events, "2023-03-03");
  EXPECT_EQ(then.placement->type, "U6");
  EXPECT_EQ(then.social_worker, "sw-1");
  EXPECT_EQ(then.iro, "iro-1");
  EXPECT_EQ(then.history.back().position, 9u);
}

TEST(CarePlanStateTest, WhatTheEventsDoNotSayIsNotRecorded) {
  scenario::Case c;
  c.On("2024-05-01", "child_accommodated {}");
  const CarePlanState s = StateOf(c.events, "2024-05-10");
  EXPECT_FALSE(s.child.date_of_birth.has_value());
  EXPECT_FALSE(s.child.age.has_value());
  EXPECT_EQ(s.legal_status, "");
  EXPECT_FALSE(s.placement.has_value());
  EXPECT_EQ(s.placements_in_period, 0);
  const std::string text = RenderCarePlanStateText(s);
  EXPECT_THAT(text, HasSubstr("  Date of birth   not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Sex             not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Legal status    not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Current         not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Social worker   not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  IRO             not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Last review     not recorded\n"));
  EXPECT_THAT(text, HasSubstr("  Recommendation  not recorded\n"));
  const std::string json = RenderCarePlanStateJson(s);
  EXPECT_THAT(json, HasSubstr(R"("child":{"dateOfBirth":null,"age":null,"sex":null,"authority":null})"));
  EXPECT_THAT(json, HasSubstr(R"("legalStatus":null,"placement":null,"placementsInPeriod":0)"));
  EXPECT_THAT(json, HasSubstr(R"("socialWorker":null,"team":null,"iro":null)"));
  EXPECT_THAT(json, HasSubstr(R"("lastReview":null)"));
}

TEST(CarePlanStateTest, RenderedState) {
  const CarePlanState s = StateOf(Child().events, "2023-04-15");
  const std::string text = RenderCarePlanStateText(s);
  EXPECT_THAT(text, HasSubstr("Case C-1 at the end of 2023-04-15\n"));
  EXPECT_THAT(text, HasSubstr("  Date of birth   2015-03-02 (age 8)\n"));
  EXPECT_THAT(text, HasSubstr("  Sex             1 (male)\n"));
  EXPECT_THAT(text, HasSubstr("  Looked after    since 2023-01-10 (95 days; period 1)\n"));
  EXPECT_THAT(text, HasSubstr("  District        SW1A\n"));
  EXPECT_THAT(text, HasSubstr("  Arrangement     reduced meetings since 2023-04-01 (agreed by IRO, CARER)\n"));
  EXPECT_THAT(text, HasSubstr("  Last review     R-1 held 2023-02-03, format MEETING, participation PN1\n"));
  EXPECT_THAT(text, HasSubstr("  Next review due 2023-05-03 (review.second)\n"));
  // Never the full postcode.
  EXPECT_THAT(text, Not(HasSubstr("1AA")));
  const std::string json = RenderCarePlanStateJson(s);
  EXPECT_THAT(json, HasSubstr(R"("placement":{"type":"U6","provider":"PR2","district":"SW1A","placementId":"P-2","started":"2023-03-01","days":45,"position":9})"));
  EXPECT_THAT(json, HasSubstr(R"("reviewArrangement":{"reducedMeetings":true,"since":"2023-04-01","agreedBy":["IRO","CARER"]})"));
  EXPECT_THAT(json, HasSubstr(R"("nextReview":{"due":"2023-05-03","rule":"review.second"})"));
  EXPECT_THAT(json, Not(HasSubstr("1AA")));
}

TEST(CarePlanStateTest, PostcodeDistrictIsTheOutwardCodeOnly) {
  EXPECT_EQ(PostcodeDistrict("M6 5AB"), "M6");
  EXPECT_EQ(PostcodeDistrict("m65ab"), "M6");
  EXPECT_EQ(PostcodeDistrict("SW1A 1AA"), "SW1A");
  EXPECT_EQ(PostcodeDistrict("EC1A1BB"), "EC1A");
  EXPECT_EQ(PostcodeDistrict(" BS1 4DJ "), "BS1");
  EXPECT_EQ(PostcodeDistrict(""), "");
  EXPECT_EQ(PostcodeDistrict("M6"), "");  // not a postcode: nothing guessed
  EXPECT_EQ(PostcodeDistrict("NOT KNOWN"), "");
  EXPECT_EQ(PostcodeDistrict("12345"), "");
  EXPECT_EQ(PostcodeDistrict("M6-5AB"), "");
}

TEST(CarePlanStateTest, ObligationCountsAndTheNextReviewFromTheDeadlines) {
  CaseDeadlines d;
  auto add = [&](const std::string& rule, const std::string& due, ObligationStatus st) {
    Obligation o;
    o.rule_id = rule;
    o.due = D(due);
    o.status = st;
    if (st == ObligationStatus::kMet) o.met_on = D(due);
    d.obligations.push_back(o);
  };
  add("review.initial", "2024-06-01", ObligationStatus::kMet);
  add("review.second", "2024-12-01", ObligationStatus::kOverdue);
  add("review.subsequent", "2025-03-01", ObligationStatus::kOpen);
  // 2024-12-20 is a Friday; with Christmas, Boxing Day and New Year's Day
  // the 10th working day after it is 2025-01-08. Due today counts too.
  add("review.minutes", "2025-01-08", ObligationStatus::kOpen);
  add("review.decisions", "2025-01-09", ObligationStatus::kOpen);
  add("visit.statutory", "2024-12-20", ObligationStatus::kOpen);
  const CarePlanState s =
      FoldCarePlanState("C-1", {}, d, England(), Calendar::Default(), D("2024-12-20"));
  EXPECT_EQ(s.open, 4);
  EXPECT_EQ(s.overdue, 1);
  EXPECT_EQ(s.due_within_10_working_days, 2);  // minutes and the visit
  EXPECT_EQ(s.next_review_rule, "review.second");  // the earliest unmet of the chain
  EXPECT_EQ(s.next_review_due, D("2024-12-01"));
}

// Independent recounts from the raw events (after the corrections pre-pass,
// which is the rule for every view): looked after, periods, placements in the
// current or last period and in the year, reviews held in the period, the
// last review's date; the obligation counts against the deadlines' rows.
TEST(CarePlanStateTest, CountsOverGeneratedHistoriesAgreeWithARecountFromTheRawEvents) {
  std::ostringstream text;
  GenOptions opts;
  opts.children = 300;
  opts.years = 3;
  opts.seed = 20261202;
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
  int checked = 0, moved = 0, reentered = 0;
  for (const absl::CivilDay as_of : {absl::CivilDay(2024, 3, 31), opts.end}) {
    for (const auto& [id, events] : cases) {
      const CaseDeadlines d = FoldDeadlines(id, events, England(), Calendar::Default(), as_of);
      const CarePlanState s =
          FoldCarePlanState(id, events, d, England(), Calendar::Default(), as_of);
      // The recount: by date, then log position (no two events of a
      // generated case that matter here share a date and a time).
      std::vector<v1::Event> raw = ApplyCorrections(events);
      std::stable_sort(raw.begin(), raw.end(), [](const v1::Event& a, const v1::Event& b) {
        return ToTime(a.occurred_at()) < ToTime(b.occurred_at());
      });
      bool in_care = false;
      int periods = 0, in_period = 0, held = 0;
      std::optional<absl::CivilDay> period_start, last_held;
      // Each placement's [start, end], end unset while the child is in it.
      std::vector<std::pair<absl::CivilDay, std::optional<absl::CivilDay>>> spans;
      std::set<std::string> held_ids;
      for (const v1::Event& e : raw) {
        const absl::CivilDay day = LondonDate(e.occurred_at());
        if (day > as_of) break;
        if (e.has_child_accommodated() && !in_care) {
          in_care = true;
          ++periods;
          period_start = day;
          in_period = e.child_accommodated().placement_type().empty() ? 0 : 1;
          if (in_period) spans.push_back({day, std::nullopt});
          held = 0;
          held_ids.clear();
        } else if (e.has_child_ceased_looked_after()) {
          in_care = false;
          if (!spans.empty() && !spans.back().second) spans.back().second = day;
        } else if (e.has_placement_ended() && in_care) {
          // Generated placementEnded events name the current placement.
          if (!spans.empty() && !spans.back().second) spans.back().second = day;
        } else if (e.has_placement_started() && in_care && day != *period_start) {
          ++in_period;
          if (!spans.empty() && !spans.back().second) spans.back().second = day;
          spans.push_back({day, std::nullopt});
        } else if (e.has_review_held()) {
          last_held = day;
          if (in_care && held_ids.insert(e.review_held().review_id()).second) ++held;
        }
      }
      // In the placement on some day of the 12 months ending as_of: it ended
      // (if it did) on or after the day after as_of less 12 months.
      const absl::CivilDay year_from = AddMonths(as_of, -12) + 1;
      const int in_year = static_cast<int>(std::count_if(
          spans.begin(), spans.end(), [&](const auto& x) { return !x.second || *x.second >= year_from; }));
      int open = 0, overdue = 0;
      for (const Obligation& o : d.obligations) {
        open += o.status == ObligationStatus::kOpen;
        overdue += o.status == ObligationStatus::kOverdue;
      }
      SCOPED_TRACE(absl::StrCat(id, " as of ", FormatDate(as_of)));
      ASSERT_EQ(s.looked_after, in_care);
      ASSERT_EQ(s.periods, periods);
      ASSERT_EQ(s.placements_in_period, in_period);
      ASSERT_EQ(s.placements_in_12_months, in_year);
      ASSERT_EQ(s.reviews_held_in_period, held);
      ASSERT_EQ(s.last_review ? std::optional(s.last_review->held_on) : std::nullopt, last_held);
      ASSERT_EQ(s.open, open);
      ASSERT_EQ(s.overdue, overdue);
      if (!in_care) {
        ASSERT_FALSE(s.placement.has_value());
      }
      moved += in_period > 1;
      reentered += periods > 1;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 600);
  EXPECT_GT(moved, 50);      // the recount saw moves ...
  EXPECT_GT(reentered, 10);  // ... and re-entries
}

}  // namespace
}  // namespace carelog
