// The QA report projection over hand-built histories: every figure is
// checked against a count worked out by hand from the history (rules.md
// timescales), not against the projection's own arithmetic.
#include "projections/qa_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/qa_html.h"

namespace carelog {
namespace {

using carelog::v1::Event;

absl::CivilDay D(const std::string& text) { return *ParseDate(text); }

const PolicyRegistry& Registry() {
  static const auto* reg = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  return *reg;
}

struct Case {
  std::string id;
  std::vector<Event> events;
  Case& On(const std::string& date, const std::string& payload,
           carelog::v1::Role role = carelog::v1::SOCIAL_WORKER) {
    Event e;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(payload, &e)) << payload;
    e.set_case_id(id);
    e.set_position(events.size() + 1);
    e.set_event_id(absl::StrCat(id, "-e", e.position()));
    e.mutable_actor()->set_id("someone");
    e.mutable_actor()->set_role(role);
    const absl::Time t = absl::FromCivil(absl::CivilSecond(D(date)), absl::UTCTimeZone()) +
                         absl::Hours(12) + absl::Seconds(events.size());
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
    events.push_back(e);
    return *this;
  }
};

QaReport Report(const std::vector<Case>& cases, const std::string& from, const std::string& to) {
  const ResolvedPack* pack = *Registry().Find("england");
  std::vector<QaCase> in;
  for (const Case& c : cases) {
    QaCase q;
    q.case_id = c.id;
    q.events = c.events;
    q.pack = pack;
    q.deadlines = FoldDeadlines(c.id, c.events, *pack, Calendar::Default(), D(to));
    in.push_back(std::move(q));
  }
  return ComputeQaReport(in, D(from), D(to), Calendar::Default());
}

constexpr char kAcc[] = "child_accommodated { legal_status: 'C2' placement_type: 'U1' }";

// A: looked after all period, IRO and team allocated, reviews on time then late.
// B: looked after from 1 Feb, nothing done. C: a review with no period of care.
std::vector<Case> Timeliness() {
  Case a{"A", {}}, b{"B", {}}, c{"C", {}};
  a.On("2024-01-02", kAcc)
      .On("2024-01-03", "iro_service_notified {}")
      // allocate due 5 working days after 3 Jan = 10 Jan: met late.
      .On("2024-01-20", "iro_allocated { iro_id: 'iro-7' }", carelog::v1::IRO_MANAGER)
      .On("2024-01-05", "social_worker_allocated { social_worker_id: 'sw-1' team: 'Team 1' }")
      // initial due 20 working days after 2 Jan = 30 Jan: on time.
      .On("2024-01-10", "review_held { review_id: 'A1' participation: 'PN1' }", carelog::v1::IRO)
      // decisions due 17 Jan: on time; minutes due 31 Jan: never.
      .On("2024-01-12", "review_decisions_recorded { review_id: 'A1' }", carelog::v1::IRO)
      // second due 10 Apr: on time. Its decisions (12 Apr) and minutes (26 Apr): never.
      .On("2024-04-05", "review_held { review_id: 'A2' participation: 'PN3' }", carelog::v1::IRO)
      // subsequent due 5 Oct: outside the period.
      .On("2024-12-01", "review_held { review_id: 'A3' participation: 'PN3' }", carelog::v1::IRO);
  // B: initial due 20 working days after 1 Feb = 29 Feb; notify due 5 Feb.
  b.On("2024-02-01", kAcc);
  c.On("2024-03-15", "review_held { review_id: 'C1' participation: 'PN7' }", carelog::v1::IRO);
  return {a, b, c};
}

TEST(QaReportTest, ReviewsHeldAndTimelinessByType) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-06-30");
  ASSERT_EQ(r.reviews.size(), 3u);
  EXPECT_EQ(r.reviews[0].rule, "review.initial");
  EXPECT_EQ(r.reviews[0].held, 1);
  EXPECT_EQ(r.reviews[0].on_time, 1);
  EXPECT_EQ(r.reviews[1].rule, "review.second");
  EXPECT_EQ(r.reviews[1].held, 1);
  EXPECT_EQ(r.reviews[1].on_time, 1);
  EXPECT_EQ(r.reviews[2].held, 0);
  EXPECT_EQ(r.reviews_held, 2);
  EXPECT_EQ(r.reviews_on_time, 2);
  EXPECT_EQ(r.reviews_outside_period, 1);  // C
  EXPECT_EQ(r.findings[kOutsidePeriodRule], 1);
  // Participation counts every review held in the period, C's too.
  EXPECT_EQ(r.participation, (std::map<std::string, int64_t>{{"PN1", 1}, {"PN3", 1}, {"PN7", 1}}));
  // A late review later on: a wider period shows it.
  QaReport year = Report(Timeliness(), "2024-01-01", "2024-12-31");
  EXPECT_EQ(year.reviews[2].held, 1);
  EXPECT_EQ(year.reviews[2].on_time, 0);
  EXPECT_EQ(year.reviews_held, 3);
  EXPECT_EQ(year.reviews_on_time, 2);
  EXPECT_EQ(Percent(year.reviews_on_time, year.reviews_held), 66.7);
}

TEST(QaReportTest, Ni66ShapeCountsChildrenLookedAfterFourWeeks) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-06-30");
  // A and B were looked after 4+ weeks; C never. A's reviews due in the
  // period (30 Jan, 10 Apr) were on time; B's (29 Feb) is overdue.
  EXPECT_EQ(r.ni66_children, 2);
  EXPECT_EQ(r.ni66_on_time, 1);
  // A period of 3 weeks: B (from 1 Feb) is looked after 20 days of it.
  QaReport short_period = Report(Timeliness(), "2024-01-01", "2024-02-20");
  EXPECT_EQ(short_period.ni66_children, 1);  // A only (50 days); B 19 days
  EXPECT_EQ(short_period.ni66_on_time, 1);
}

TEST(QaReportTest, TasksOnTime) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-06-30");
  auto task = [&](const std::string& rule) {
    for (const auto& t : r.tasks)
      if (t.rule == rule) return t;
    ADD_FAILURE() << rule;
    return QaReport::TaskLine{};
  };
  // notify: A met (3 Jan), B overdue (due 5 Feb).
  EXPECT_EQ(task("iro.notify").due, 2);
  EXPECT_EQ(task("iro.notify").met, 1);
  EXPECT_EQ(task("iro.notify").overdue, 1);
  // allocate: A late; B never notified so nothing due.
  EXPECT_EQ(task("iro.allocate").due, 1);
  EXPECT_EQ(task("iro.allocate").met_late, 1);
  // decisions: A1 on time, A2 never; minutes: A1 and A2 never.
  EXPECT_EQ(task("review.decisions").due, 2);
  EXPECT_EQ(task("review.decisions").met, 1);
  EXPECT_EQ(task("review.decisions").overdue, 1);
  EXPECT_EQ(task("review.minutes").due, 2);
  EXPECT_EQ(task("review.minutes").overdue, 2);
  // No review was scheduled: no invitations or documents due.
  EXPECT_EQ(task("review.invitations").due, 0);
  EXPECT_EQ(task("review.documents").due, 0);
  EXPECT_EQ(r.tasks_due, 7);
  EXPECT_EQ(r.tasks_met, 2);
}

TEST(QaReportTest, OverdueAndDueSoonByIroAndTeam) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-06-30");
  // Overdue at 30 Jun: A minutes x2 and A2 decisions (iro-7, Team 1); B
  // notify and initial review (unallocated).
  std::map<std::string, int> a_rules, b_rules;
  for (const auto& p : r.pending) {
    ASSERT_TRUE(p.overdue) << p.case_id << " " << p.rule;
    if (p.case_id == "A") {
      ++a_rules[p.rule];
      EXPECT_EQ(p.iro, "iro-7");
      EXPECT_EQ(p.team, "Team 1");
    } else {
      ++b_rules[p.rule];
      EXPECT_EQ(p.iro, "unallocated");
      EXPECT_EQ(p.team, "unallocated");
    }
  }
  EXPECT_EQ(a_rules, (std::map<std::string, int>{{"review.decisions", 1}, {"review.minutes", 2}}));
  EXPECT_EQ(b_rules, (std::map<std::string, int>{{"iro.notify", 1}, {"review.initial", 1}}));
  EXPECT_EQ(r.overdue_now, 5);
  EXPECT_EQ(r.by_iro["iro-7"].overdue, 3);
  EXPECT_EQ(r.by_team["unallocated"].overdue, 2);
  // Most days overdue first: A1's minutes (due 31 Jan, 15 working days after
  // 10 Jan) = 151 days at 30 Jun, then B's notify (due 5 Feb) = 146.
  EXPECT_EQ(r.pending[0].case_id, "A");
  EXPECT_EQ(r.pending[0].rule, "review.minutes");
  EXPECT_EQ(r.pending[0].days_overdue, D("2024-06-30") - D("2024-01-31"));
  EXPECT_EQ(r.pending[1].rule, "iro.notify");
  EXPECT_EQ(r.pending[1].days_overdue, D("2024-06-30") - D("2024-02-05"));
  // Due soon: at 30 Sep, A's subsequent review (due 5 Oct) is within 10 working days.
  QaReport sep = Report(Timeliness(), "2024-07-01", "2024-09-30");
  EXPECT_EQ(sep.due_soon, 1);
  EXPECT_EQ(sep.by_iro["iro-7"].due_soon, 1);
}

TEST(QaReportTest, MonthlyTrend) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-12-31");
  ASSERT_EQ(r.trend.size(), 12u);
  EXPECT_EQ(r.trend[0].held, 1);   // Jan: A1 on time
  EXPECT_EQ(r.trend[0].on_time, 1);
  EXPECT_EQ(r.trend[3].held, 1);   // Apr: A2 on time
  EXPECT_EQ(r.trend[11].held, 1);  // Dec: A3 late
  EXPECT_EQ(r.trend[11].on_time, 0);
  EXPECT_EQ(r.trend[5].held, 0);
}

// D: a social worker's late-notice request approved by a team manager,
// re-dated late and beyond the statutory date. E: an IRO's request with
// notice, approved by a Service Manager, re-dated in time within timescale.
std::vector<Case> Postponements() {
  Case d{"D", {}}, e{"E", {}};
  d.On("2024-01-02", kAcc)
      .On("2024-01-04", "review_scheduled { review_id: 'D1' scheduled_for: '2024-01-25' format: MEETING }")
      .On("2024-01-23", "review_postponement_requested { review_id: 'D1' requested_by: SOCIAL_WORKER reason: 'sick' }")
      .On("2024-01-23", "review_postponement_approved { review_id: 'D1' }", carelog::v1::TEAM_MANAGER)
      // re-dating due 3 working days after 23 Jan = 26 Jan; done 5 Feb; new
      // date 20 Feb is after review.initial's 30 Jan.
      .On("2024-02-05", "review_rearranged { review_id: 'D1' new_date: '2024-02-20' }")
      .On("2024-02-20", "review_held { review_id: 'D1' participation: 'PN2' }", carelog::v1::IRO);
  e.On("2024-02-01", kAcc)
      .On("2024-02-02", "review_scheduled { review_id: 'E1' scheduled_for: '2024-02-26' format: MEETING }")
      .On("2024-02-12", "review_postponement_requested { review_id: 'E1' requested_by: IRO reason: 'leave' }", carelog::v1::IRO)
      .On("2024-02-13", "review_postponement_approved { review_id: 'E1' iro_consulted: true }", carelog::v1::SERVICE_MANAGER)
      .On("2024-02-14", "review_rearranged { review_id: 'E1' new_date: '2024-02-28' }")
      .On("2024-02-28", "review_held { review_id: 'E1' participation: 'PN1' }", carelog::v1::IRO);
  return {d, e};
}

TEST(QaReportTest, Postponements) {
  QaReport r = Report(Postponements(), "2024-01-01", "2024-06-30");
  const auto& p = r.postponements;
  EXPECT_EQ(p.requested, 2);
  EXPECT_EQ(p.by_requester, (std::map<std::string, int64_t>{{"IRO", 1}, {"SOCIAL_WORKER", 1}}));
  EXPECT_EQ(p.with_notice, 1);
  EXPECT_EQ(p.approvals, 2);
  EXPECT_EQ(p.approved_by_service_manager, 1);
  EXPECT_EQ(p.redate_due, 2);
  EXPECT_EQ(p.redated_on_time, 1);
  EXPECT_EQ(p.postponed_reviews, 2);
  EXPECT_EQ(p.out_of_timescale, 1);
  EXPECT_EQ(r.findings["postponement.notice"], 1);
  // Only a Service Manager approves: Bristol's rule (003, england-bristol
  // from May 2024), not england's (issue 14 point 4).
  EXPECT_EQ(r.findings["postponement.approver"], 0);
  EXPECT_EQ(r.findings["postponement.out_of_timescale"], 1);
  EXPECT_EQ(r.reviews_held, 2);
  EXPECT_EQ(r.reviews_on_time, 1);  // D late (20 Feb > 30 Jan), E on time (28 Feb <= 29 Feb)
}

// An overlay that renames a rule the report counts: the report finds rules
// by their QA tag, so the renamed rule still counts when it carries the tag
// (it once silently dropped out, the report knowing only england's ids).
std::string RenamingOverlay(bool tagged) {
  const std::string task_tag = tagged ? "qa: QA_TASK" : "";
  const std::string notice_tag = tagged ? "qa: QA_POSTPONEMENT_NOTICE" : "";
  return absl::StrCat(R"pb(
    name: "england-renamed" extends: "england"
    versions {
      effective_from: "2011-04-01"
      remove: "review.minutes"
      remove: "postponement.notice"
      rules {
        id: "review.minutes_written"
        kind: OBLIGATION basis: PRACTICE )pb", task_tag, R"pb(
        trigger: REVIEW_HELD met_by: "reviewMinutesCompleted"
        amount: 15 unit: WORKING_DAYS direction: AFTER
        source { document: "001_73579c9466dfdbf3.txt" section: "7" }
      }
      rules {
        id: "postponement.short_notice"
        kind: FINDING basis: PRACTICE )pb", notice_tag, R"pb(
        check: POSTPONEMENT_NOTICE
        amount: 5 unit: WORKING_DAYS direction: BEFORE
        source { document: "003_57729b6622f01350.txt" section: "Practice Change (postponement)" }
      }
    })pb");
}

QaReport ReportUnderOverlay(const std::vector<Case>& cases, bool tagged) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [name, text] : EmbeddedPacks()) files.emplace_back(name, text);
  files.emplace_back("england-renamed.textpb", RenamingOverlay(tagged));
  absl::StatusOr<PolicyRegistry> registry = PolicyRegistry::Load(std::move(files));
  EXPECT_TRUE(registry.ok()) << registry.status();
  const ResolvedPack* pack = *registry->Find("england-renamed");
  std::vector<QaCase> in;
  for (const Case& c : cases) {
    QaCase q;
    q.case_id = c.id;
    q.events = c.events;
    q.pack = pack;
    q.deadlines = FoldDeadlines(c.id, c.events, *pack, Calendar::Default(), D("2024-06-30"));
    in.push_back(std::move(q));
  }
  return ComputeQaReport(in, D("2024-01-01"), D("2024-06-30"), Calendar::Default());
}

TEST(QaReportTest, RenamedRuleCarryingTheTagStillCounts) {
  QaReport r = ReportUnderOverlay(Timeliness(), /*tagged=*/true);
  // As under england (TasksOnTime): minutes of A1 and A2 never written.
  EXPECT_EQ(r.tasks_due, 7);
  EXPECT_EQ(r.tasks_met, 2);
  bool found = false;
  for (const auto& t : r.tasks) {
    if (t.rule != "review.minutes_written") continue;
    found = true;
    EXPECT_EQ(t.due, 2);
    EXPECT_EQ(t.overdue, 2);
  }
  EXPECT_TRUE(found);
  QaReport p = ReportUnderOverlay(Postponements(), /*tagged=*/true);
  EXPECT_EQ(p.postponements.requested, 2);
  EXPECT_EQ(p.postponements.with_notice, 1);  // as under england (Postponements)
  EXPECT_EQ(p.findings["postponement.short_notice"], 1);

  // Without the tag the renamed rules are not indicators: the report says
  // so by counting them nowhere but among the findings.
  QaReport untagged = ReportUnderOverlay(Timeliness(), /*tagged=*/false);
  EXPECT_EQ(untagged.tasks_due, 5);
  QaReport untagged_p = ReportUnderOverlay(Postponements(), /*tagged=*/false);
  EXPECT_EQ(untagged_p.postponements.with_notice, 2);
}

// Issue 14 point 10: a task counted back from a review booked at shorter
// notice (Obligation::short_notice, re-dated by the pack to the day before
// the review) is counted apart from late tasks. Hand-made rows: the fold's
// part is tested with the fold.
TEST(QaReportTest, TasksBookedAtShortNoticeAreCountedApartNotAsLate) {
  QaCase c;
  c.case_id = "S";
  c.pack = *Registry().Find("england");
  c.deadlines.case_id = "S";
  const auto row = [](const std::string& rule, const std::string& due, ObligationStatus status,
                      bool short_notice) {
    Obligation o;
    o.rule_id = rule;
    o.due = D(due);
    o.status = status;
    if (status == ObligationStatus::kMet) o.met_on = o.due;
    if (status == ObligationStatus::kMetLate) o.met_on = o.due + 1;
    o.short_notice = short_notice;
    return o;
  };
  // Invitations: one booked in time and met; three booked at short notice,
  // two met by the day before the review, one met on the review's day
  // (MET_LATE against the re-dated due date); one booked in time and late.
  c.deadlines.obligations = {
      row("review.invitations", "2024-02-01", ObligationStatus::kMet, false),
      row("review.invitations", "2024-02-05", ObligationStatus::kMet, true),
      row("review.invitations", "2024-03-05", ObligationStatus::kMet, true),
      row("review.invitations", "2024-04-05", ObligationStatus::kMetLate, true),
      row("review.invitations", "2024-05-07", ObligationStatus::kMetLate, false),
      // Documents: one at short notice still undone at the end of the period.
      row("review.documents", "2024-05-20", ObligationStatus::kOverdue, true),
      // Outside the period: not counted at all.
      row("review.invitations", "2023-12-01", ObligationStatus::kMet, true),
  };
  const QaReport r = ComputeQaReport({c}, D("2024-01-01"), D("2024-06-30"), Calendar::Default());
  auto task = [&](const std::string& rule) {
    for (const auto& t : r.tasks)
      if (t.rule == rule) return t;
    ADD_FAILURE() << rule;
    return QaReport::TaskLine{};
  };
  const QaReport::TaskLine inv = task("review.invitations");
  EXPECT_EQ(inv.due, 2);  // the two booked in time
  EXPECT_EQ(inv.met, 1);
  EXPECT_EQ(inv.met_late, 1);  // the short-notice MET_LATE is not late
  EXPECT_EQ(inv.overdue, 0);
  EXPECT_EQ(inv.short_notice, 3);
  EXPECT_EQ(inv.short_notice_met_before_review, 2);
  const QaReport::TaskLine docs = task("review.documents");
  EXPECT_EQ(docs.due, 0);
  EXPECT_EQ(docs.overdue, 0);
  EXPECT_EQ(docs.short_notice, 1);
  EXPECT_EQ(docs.short_notice_met_before_review, 0);
  EXPECT_EQ(r.tasks_due, 2);
  EXPECT_EQ(r.tasks_met, 1);
  EXPECT_EQ(r.tasks_short_notice, 4);
  EXPECT_EQ(r.tasks_short_notice_met_before_review, 2);
  // Still pending: the overdue short-notice documents are overdue now.
  EXPECT_EQ(r.overdue_now, 1);

  const std::string html = RenderQaHtml(r);
  EXPECT_THAT(html, ::testing::HasSubstr(
                        "review.invitations<br><small class=\"short-notice\">booked at short "
                        "notice: 3 (met before the review: 2) &mdash; not counted as late</small>"));
  EXPECT_THAT(html, ::testing::HasSubstr("booked at short notice: 1 (met before the review: 0)"));
  // A line without such rows reads as before.
  EXPECT_THAT(html, ::testing::HasSubstr("<tr><td>iro.notify</td>"));
  EXPECT_THAT(RenderQaJson(r),
              ::testing::HasSubstr(R"({"rule":"review.invitations","due":2,"met":1,"metLate":1,"overdue":0,"onTimePct":50.0,"shortNotice":3,"shortNoticeMetBeforeReview":2})"));
  for (const auto& [name, text] : RenderQaCsv(r)) {
    if (name != "tasks.csv") continue;
    EXPECT_THAT(text, ::testing::StartsWith(
                          "rule,due,met,metLate,overdue,onTimePct,shortNotice,"
                          "shortNoticeMetBeforeReview\n"));
    EXPECT_THAT(text, ::testing::HasSubstr("\nreview.invitations,2,1,1,0,50.0,3,2\n"));
  }
  bool defined = false;
  for (const auto& [k, v] : QaDefinitions()) {
    if (k == "tasks") defined = v.find("booked at short notice") != std::string::npos;
  }
  EXPECT_TRUE(defined) << "the tasks definition says how short-notice rows count";
}

TEST(QaReportTest, RenderersAgreeOnHeadline) {
  QaReport r = Report(Timeliness(), "2024-01-01", "2024-06-30");
  const std::string json = RenderQaJson(r);
  EXPECT_THAT(json, ::testing::HasSubstr(R"("headline":{"reviewsHeld":2,"reviewsOnTimePct":100.0,"ni66Children":2,"ni66OnTimePct":50.0,"tasksDue":7,"tasksOnTimePct":28.6,"postponementsRequested":0,"postponementsWithNoticePct":null,"overdueNow":5,"dueSoon":0,"reviewsOutsidePeriod":1,"placements3Plus":0,"placements3PlusPct":0.0,"longTermStable":0,"longTermStablePct":null})"));
  const std::string html = RenderQaHtml(r);
  EXPECT_THAT(html, ::testing::HasSubstr(R"(data-figure="ni66OnTimePct">50.0<)"));
  EXPECT_THAT(html, ::testing::HasSubstr(R"(data-figure="postponementsWithNoticePct">n/a<)"));
  EXPECT_THAT(html, ::testing::Not(::testing::HasSubstr("<script")));
  EXPECT_THAT(html, ::testing::Not(::testing::HasSubstr("http://fonts")));
  int csv_files = 0;
  for (const auto& [name, text] : RenderQaCsv(r)) {
    ++csv_files;
    if (name == "headline.csv") {
      EXPECT_THAT(text, ::testing::HasSubstr("overdueNow,5\n"));
    }
  }
  EXPECT_GE(csv_files, 10);
}

}  // namespace
}  // namespace carelog
