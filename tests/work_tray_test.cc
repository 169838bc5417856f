// The work tray (projections/work_tray.h) on hand-made cases: the window's
// edge across a weekend and the Easter bank holidays (and in Scotland, where
// Easter Monday is a working day), the working days over or left, MET /
// MET_LATE / CLOSED never listed, each filter alone and combined, both sort
// orders and their ties, the per-IRO and per-team counts (over the other
// filters), the empty tray and the renderings' shapes.
#include "projections/work_tray.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Wednesday before Easter 2024: Good Friday 29 March and Easter Monday
// 1 April are bank holidays in England and Wales; only Good Friday is in
// Scotland.
constexpr absl::CivilDay kAsOf(2024, 3, 20);

const Calendar& Cal() { return Calendar::Default(); }

Obligation Ob(const std::string& case_id, const std::string& rule, absl::CivilDay due,
              ObligationStatus status, const std::string& review = "") {
  Obligation o;
  o.case_id = case_id;
  o.rule_id = rule;
  o.review_id = review;
  o.due = due;
  o.status = status;
  o.source_document = "Care Planning Regulations 2010";
  o.source_section = absl::StrCat("reg. for ", rule);
  return o;
}

struct TestCase {
  CaseDeadlines deadlines;
  CarePlanState state;
  std::string pack = "england-000";
};

TestCase Case(const std::string& id, const std::string& iro, const std::string& team,
              std::vector<Obligation> obligations, Division division = Division::kEnglandAndWales) {
  TestCase c;
  c.deadlines.case_id = id;
  c.deadlines.division = division;
  c.deadlines.obligations = std::move(obligations);
  c.state.case_id = id;
  c.state.as_of = kAsOf;
  c.state.iro = iro;
  c.state.team = team;
  c.state.social_worker = iro.empty() ? "" : absl::StrCat("sw-of-", iro);
  c.state.looked_after = true;
  return c;
}

std::vector<WorkTrayRow> Candidates(const std::vector<TestCase>& cases, int days,
                                    absl::CivilDay as_of = kAsOf) {
  std::vector<WorkTrayRow> out;
  for (const TestCase& c : cases) {
    for (WorkTrayRow& r : WorkTrayRowsOf(c.deadlines, c.state, c.pack, Cal(), as_of, days))
      out.push_back(std::move(r));
  }
  return out;
}

WorkTray Tray(const std::vector<TestCase>& cases, const WorkTrayFilter& filter = {},
              int days = kWorkTrayDefaultWorkingDays) {
  return BuildWorkTray(Candidates(cases, days), filter, kAsOf, days);
}

// "C-1/rule" of each row, in order.
std::vector<std::string> Keys(const WorkTray& t) {
  std::vector<std::string> out;
  for (const WorkTrayRow& r : t.rows) {
    out.push_back(
        absl::StrCat(r.case_id, "/", r.rule_id, r.review_id.empty() ? "" : "/", r.review_id));
  }
  return out;
}

TEST(WorkTrayTest, TheCalendarIsWhatTheseTestsAssume) {
  EXPECT_TRUE(Cal().IsBankHoliday(Division::kEnglandAndWales, absl::CivilDay(2024, 3, 29)));
  EXPECT_TRUE(Cal().IsBankHoliday(Division::kEnglandAndWales, absl::CivilDay(2024, 4, 1)));
  EXPECT_TRUE(Cal().IsBankHoliday(Division::kScotland, absl::CivilDay(2024, 3, 29)));
  EXPECT_FALSE(Cal().IsBankHoliday(Division::kScotland, absl::CivilDay(2024, 4, 1)));
}

TEST(WorkTrayTest, WindowEndsOnTheNthWorkingDayAcrossTheEasterWeekend) {
  // Working days after Wed 20 March: 21, 22, 25, 26, 27, 28 (6th), then
  // Good Friday, the weekend and Easter Monday, then 2 April (7th) ... 5 April (10th).
  const std::vector<TestCase> cases = {
      Case("C-1", "iro-1", "Team A",
           {Ob("C-1", "today", kAsOf, ObligationStatus::kOpen),
            Ob("C-1", "tenth", absl::CivilDay(2024, 4, 5), ObligationStatus::kOpen),
            Ob("C-1", "saturday-after", absl::CivilDay(2024, 4, 6), ObligationStatus::kOpen),
            Ob("C-1", "eleventh", absl::CivilDay(2024, 4, 8), ObligationStatus::kOpen),
            Ob("C-1", "good-friday", absl::CivilDay(2024, 3, 29), ObligationStatus::kOpen),
            Ob("C-1", "seventh", absl::CivilDay(2024, 4, 2), ObligationStatus::kOpen)})};
  EXPECT_THAT(Keys(Tray(cases)),
              ElementsAre("C-1/today", "C-1/good-friday", "C-1/seventh", "C-1/tenth"));
  // Six working days end on Thursday 28th: Good Friday is out.
  EXPECT_THAT(Keys(Tray(cases, {}, 6)), ElementsAre("C-1/today"));
  // Seven reach over the four days off to Tuesday 2 April.
  EXPECT_THAT(Keys(Tray(cases, {}, 7)), ElementsAre("C-1/today", "C-1/good-friday", "C-1/seventh"));
  // Eleven take the Monday after.
  EXPECT_THAT(Keys(Tray(cases, {}, 11)),
              ElementsAre("C-1/today", "C-1/good-friday", "C-1/seventh", "C-1/tenth",
                          "C-1/saturday-after", "C-1/eleventh"));

  const WorkTray t = Tray(cases);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].working_days, 0);  // due today
  EXPECT_EQ(t.rows[1].working_days, 6);  // 29 March is a day off: the 6 before it
  EXPECT_EQ(t.rows[2].working_days, 7);
  EXPECT_EQ(t.rows[3].working_days, 10);
  EXPECT_EQ(t.due_soon, 4);
  EXPECT_EQ(t.overdue, 0);
}

TEST(WorkTrayTest, TheWindowIsTheCasesDivisions) {
  // In Scotland Easter Monday is a working day: the 10th is Thursday 4 April.
  const std::vector<TestCase> cases = {
      Case("C-S", "iro-1", "Team A",
           {Ob("C-S", "thursday", absl::CivilDay(2024, 4, 4), ObligationStatus::kOpen),
            Ob("C-S", "friday", absl::CivilDay(2024, 4, 5), ObligationStatus::kOpen)},
           Division::kScotland),
      Case("C-E", "iro-1", "Team A",
           {Ob("C-E", "thursday", absl::CivilDay(2024, 4, 4), ObligationStatus::kOpen),
            Ob("C-E", "friday", absl::CivilDay(2024, 4, 5), ObligationStatus::kOpen)})};
  EXPECT_THAT(Keys(Tray(cases)), ElementsAre("C-E/thursday", "C-S/thursday", "C-E/friday"));
  // The state's own count of the next ten working days is the same window.
  EXPECT_EQ(DueSoonHorizon(Cal(), Division::kScotland, kAsOf, 10), absl::CivilDay(2024, 4, 4));
  EXPECT_EQ(DueSoonHorizon(Cal(), Division::kEnglandAndWales, kAsOf, 10),
            absl::CivilDay(2024, 4, 5));
}

TEST(WorkTrayTest, OverdueRowsWhateverTheirAgeAndMetOrClosedNever) {
  const std::vector<TestCase> cases = {
      Case("C-1", "iro-1", "Team A",
           {Ob("C-1", "long-overdue", absl::CivilDay(2023, 6, 1), ObligationStatus::kOverdue),
            Ob("C-1", "weekend-overdue", absl::CivilDay(2024, 3, 16), ObligationStatus::kOverdue),
            Ob("C-1", "met", absl::CivilDay(2024, 3, 25), ObligationStatus::kMet),
            Ob("C-1", "met-late", absl::CivilDay(2024, 3, 1), ObligationStatus::kMetLate),
            Ob("C-1", "closed", absl::CivilDay(2024, 3, 22), ObligationStatus::kClosed),
            Ob("C-1", "far-off", absl::CivilDay(2024, 9, 1), ObligationStatus::kOpen)})};
  const WorkTray t = Tray(cases);
  EXPECT_THAT(Keys(t), ElementsAre("C-1/long-overdue", "C-1/weekend-overdue"));
  EXPECT_EQ(t.overdue, 2);
  EXPECT_EQ(t.due_soon, 0);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].status, ObligationStatus::kOverdue);
  EXPECT_EQ(t.rows[0].working_days, Cal().WorkingDaysBetween(Division::kEnglandAndWales,
                                                             absl::CivilDay(2023, 6, 1), kAsOf));
  EXPECT_GT(t.rows[0].working_days, 180);
  // Due on Saturday 16th: Monday, Tuesday and Wednesday since.
  EXPECT_EQ(t.rows[1].working_days, 3);
}

TEST(WorkTrayTest, ARowCarriesTheCaseAllocationsPackAndSource) {
  TestCase c = Case(
      "C-9", "iro-4", "Team Leeds",
      {Ob("C-9", "second-review", absl::CivilDay(2024, 3, 22), ObligationStatus::kOpen, "R-2")});
  c.pack = "salford";
  c.state.child.age = 12;
  c.state.looked_after = false;
  const WorkTray t = Tray({c});
  ASSERT_EQ(t.rows.size(), 1u);
  const WorkTrayRow& r = t.rows[0];
  EXPECT_EQ(r.case_id, "C-9");
  EXPECT_EQ(r.rule_id, "second-review");
  EXPECT_EQ(r.review_id, "R-2");
  EXPECT_EQ(r.due, absl::CivilDay(2024, 3, 22));
  EXPECT_EQ(r.status, ObligationStatus::kOpen);
  EXPECT_EQ(r.working_days, 2);
  EXPECT_EQ(r.iro, "iro-4");
  EXPECT_EQ(r.team, "Team Leeds");
  EXPECT_EQ(r.social_worker, "sw-of-iro-4");
  EXPECT_EQ(r.child_age, 12);
  EXPECT_FALSE(r.looked_after);
  EXPECT_EQ(r.pack, "salford");
  EXPECT_EQ(r.source_document, "Care Planning Regulations 2010");
  EXPECT_EQ(r.source_section, "reg. for second-review");
}

// Three IROs (one case with none recorded), two teams, two rules, two packs.
std::vector<TestCase> Council() {
  const absl::CivilDay d1(2024, 3, 18), d2(2024, 3, 22), d3(2024, 3, 27);
  std::vector<TestCase> cases = {
      Case("C-1", "iro-1", "Team A",
           {Ob("C-1", "review", d2, ObligationStatus::kOpen),
            Ob("C-1", "visit", d1, ObligationStatus::kOverdue)}),
      Case("C-2", "iro-1", "Team B",
           {Ob("C-2", "review", d1, ObligationStatus::kOverdue),
            Ob("C-2", "visit", d3, ObligationStatus::kOpen)}),
      Case("C-3", "iro-2", "Team A", {Ob("C-3", "review", d2, ObligationStatus::kOpen)}),
      Case("C-4", "", "",
           {Ob("C-4", "visit", absl::CivilDay(2024, 3, 11), ObligationStatus::kOverdue)}),
  };
  cases[2].pack = "salford";
  return cases;
}

TEST(WorkTrayTest, EachFilterAloneAndCombined) {
  const std::vector<TestCase> cases = Council();
  WorkTrayFilter f;
  f.iro = "iro-1";
  EXPECT_THAT(Keys(Tray(cases, f)),
              ElementsAre("C-1/visit", "C-2/review", "C-1/review", "C-2/visit"));
  f = {};
  f.team = "Team A";
  EXPECT_THAT(Keys(Tray(cases, f)), ElementsAre("C-1/visit", "C-1/review", "C-3/review"));
  f = {};
  f.rule = "visit";
  EXPECT_THAT(Keys(Tray(cases, f)), ElementsAre("C-4/visit", "C-1/visit", "C-2/visit"));
  f = {};
  f.pack = "salford";
  EXPECT_THAT(Keys(Tray(cases, f)), ElementsAre("C-3/review"));
  // "" is "not recorded": the cases nobody has been allocated to.
  f = {};
  f.iro = "";
  EXPECT_THAT(Keys(Tray(cases, f)), ElementsAre("C-4/visit"));
  f = {};
  f.iro = "iro-1";
  f.team = "Team B";
  f.rule = "review";
  f.pack = "england-000";
  EXPECT_THAT(Keys(Tray(cases, f)), ElementsAre("C-2/review"));
  f.pack = "salford";
  EXPECT_THAT(Keys(Tray(cases, f)), IsEmpty());
  f = {};
  f.rule = "no-such-rule";
  const WorkTray none = Tray(cases, f);
  EXPECT_THAT(none.rows, IsEmpty());
  EXPECT_EQ(none.overdue + none.due_soon, 0);
}

TEST(WorkTrayTest, SortsByDueEitherWayTiesByCaseRuleThenReview) {
  const absl::CivilDay d(2024, 3, 22);
  const std::vector<TestCase> cases = {
      Case(
          "C-2", "iro-1", "T",
          {Ob("C-2", "b", d, ObligationStatus::kOpen), Ob("C-2", "a", d, ObligationStatus::kOpen)}),
      Case("C-1", "iro-1", "T",
           {Ob("C-1", "r", d, ObligationStatus::kOpen, "R-2"),
            Ob("C-1", "r", d, ObligationStatus::kOpen, "R-1"),
            Ob("C-1", "z", absl::CivilDay(2024, 3, 21), ObligationStatus::kOpen),
            Ob("C-1", "y", absl::CivilDay(2024, 3, 25), ObligationStatus::kOpen)})};
  EXPECT_THAT(Keys(Tray(cases)),
              ElementsAre("C-1/z", "C-1/r/R-1", "C-1/r/R-2", "C-2/a", "C-2/b", "C-1/y"));
  WorkTrayFilter latest;
  latest.sort = WorkTraySort::kDueLatestFirst;
  EXPECT_THAT(Keys(Tray(cases, latest)),
              ElementsAre("C-1/y", "C-1/r/R-1", "C-1/r/R-2", "C-2/a", "C-2/b", "C-1/z"));
}

TEST(WorkTrayTest, CountsPerIroAndTeamAreOverTheOtherFilters) {
  const std::vector<TestCase> cases = Council();
  WorkTray t = Tray(cases);
  EXPECT_EQ(t.overdue, 3);
  EXPECT_EQ(t.due_soon, 3);
  // Name order, not recorded ("") first.
  EXPECT_THAT(t.by_iro, ElementsAre(WorkTrayCount{"", 1, 0}, WorkTrayCount{"iro-1", 2, 2},
                                    WorkTrayCount{"iro-2", 0, 1}));
  EXPECT_THAT(t.by_team, ElementsAre(WorkTrayCount{"", 1, 0}, WorkTrayCount{"Team A", 1, 2},
                                     WorkTrayCount{"Team B", 1, 1}));

  // One IRO picked: the totals are hers, the per-IRO counts still everyone's,
  // the per-team counts hers.
  WorkTrayFilter f;
  f.iro = "iro-1";
  t = Tray(cases, f);
  EXPECT_EQ(t.overdue, 2);
  EXPECT_EQ(t.due_soon, 2);
  EXPECT_THAT(t.by_iro, ElementsAre(WorkTrayCount{"", 1, 0}, WorkTrayCount{"iro-1", 2, 2},
                                    WorkTrayCount{"iro-2", 0, 1}));
  EXPECT_THAT(t.by_team, ElementsAre(WorkTrayCount{"Team A", 1, 1}, WorkTrayCount{"Team B", 1, 1}));

  // A rule filter narrows both sets of counts.
  f = {};
  f.rule = "review";
  t = Tray(cases, f);
  EXPECT_EQ(t.overdue, 1);
  EXPECT_EQ(t.due_soon, 2);
  EXPECT_THAT(t.by_iro, ElementsAre(WorkTrayCount{"iro-1", 1, 1}, WorkTrayCount{"iro-2", 0, 1}));
  EXPECT_THAT(t.by_team, ElementsAre(WorkTrayCount{"Team A", 0, 2}, WorkTrayCount{"Team B", 1, 0}));
}

TEST(WorkTrayTest, EmptyTray) {
  const WorkTray none = Tray({});
  EXPECT_THAT(none.rows, IsEmpty());
  EXPECT_THAT(none.by_iro, IsEmpty());
  EXPECT_THAT(none.by_team, IsEmpty());
  EXPECT_EQ(none.overdue, 0);
  EXPECT_EQ(none.due_soon, 0);
  // A case with nothing due soon is no row.
  const WorkTray quiet =
      Tray({Case("C-1", "iro-1", "T",
                 {Ob("C-1", "later", absl::CivilDay(2024, 6, 1), ObligationStatus::kOpen)})});
  EXPECT_THAT(quiet.rows, IsEmpty());
  EXPECT_THAT(quiet.by_iro, IsEmpty());
  EXPECT_EQ(RenderWorkTrayCsv(quiet),
            "due,status,case,working_days,rule,review,iro,social_worker,team,pack,"
            "source_document,source_section\n");
  EXPECT_EQ(RenderWorkTrayJson(quiet),
            "{\"asOf\":\"2024-03-20\",\"workingDays\":10,\"overdue\":0,\"dueSoon\":0,\n"
            " \"byIro\":[],\n \"byTeam\":[],\n \"rows\":[]}\n");
}

TEST(WorkTrayTest, RenderingsShowCountsAndRows) {
  const WorkTray t = Tray(Council());
  const std::string table = RenderWorkTrayTable(t);
  EXPECT_THAT(table, ::testing::StartsWith(
                         "work tray at the end of 2024-03-20: 3 overdue, 3 due within 10 working "
                         "days\n"));
  EXPECT_THAT(table, HasSubstr("not recorded"));
  EXPECT_THAT(table, HasSubstr("2 over"));
  // Counts, then one line per row after the rows' header.
  const size_t header = table.find("\ndue ");
  ASSERT_NE(header, std::string::npos) << table;
  const std::string rows = table.substr(header);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 1 + 1 + 6) << table;  // leading \n

  const std::string csv = RenderWorkTrayCsv(t);
  EXPECT_THAT(csv, HasSubstr("\n2024-03-18,OVERDUE,C-1,2,visit,,iro-1,sw-of-iro-1,Team A,"
                             "england-000,Care Planning Regulations 2010,reg. for visit\n"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 6);

  const std::string json = RenderWorkTrayJson(t);
  EXPECT_THAT(json, HasSubstr(R"("byIro":[{"name":null,"overdue":1,"dueSoon":0},)"));
  EXPECT_THAT(json,
              HasSubstr(R"({"caseId":"C-4","rule":"visit","reviewId":null,"due":"2024-03-11",)"
                        R"("status":"OVERDUE","workingDays":7,"iro":null,"team":null,)"
                        R"("socialWorker":null,"childAge":null,"lookedAfter":true,)"));
}

}  // namespace
}  // namespace carelog
