// Bristol's postponement rules (003, pack england-bristol from May 2024),
// issue 14 points 3 and 4: the IRO's on-the-day emergency route, and which
// of 003's rules are Bristol's alone.
#include "fold_scenario.h"

namespace carelog::scenario {
namespace {

// Child accommodated Mon 2 Sep 2024; the initial review booked on Tue 3 Sep
// for Fri 27 Sep 2024. Notice (5 working days before) needed by Fri 20 Sep.
Case BookedFor27Sep() {
  Case c;
  c.On("2024-09-02", kAccommodated).On("2024-09-03", Scheduled("R1", "2024-09-27"));
  return c;
}
std::string Request(const std::string& by, bool emergency) {
  return absl::StrCat("review_postponement_requested { review_id: 'R1'",
                      by.empty() ? "" : " requested_by: " + by, " reason: 'ill' emergency: ",
                      emergency ? "true" : "false", " }");
}

// 003 "If the allocated IRO has to postpone due to emergency circumstances on
// the day ... Where the IRO has had to postpone a review they must lead on
// rearranging the review and ensure a new date is set within 3 working
// days". The IRO postpones on the day (Fri 27 Sep): no notice finding; a new
// date due 3 working days later, Wed 2 Oct 2024 (Mon 30 Sep, Tue 1, Wed 2);
// re-dated Tue 1 Oct: met.
TEST(BristolPack, SectionPracticeChange_IroEmergencyOnTheDayIsExemptAndReDatedIn3WorkingDays) {
  Case c = BookedFor27Sep();
  c.On("2024-09-27", Request("IRO", true), carelog::v1::IRO)
      .On("2024-10-01", "review_rearranged { review_id: 'R1' new_date: '2024-10-10' }",
          carelog::v1::IRO);
  CaseDeadlines d = Fold(c, "2024-10-05", "england-bristol");
  EXPECT_TRUE(Findings(d, "postponement.notice").empty());
  ASSERT_EQ(Count(d, "postponement.emergency_rearranged"), 1);
  const Obligation redate = Get(d, "postponement.emergency_rearranged");
  EXPECT_EQ(redate.review_id, "R1");
  EXPECT_EQ(Row(redate), "MET 2024-10-02 2024-10-01");
  // Not re-dated: overdue after Wed 2 Oct.
  Case unmet = BookedFor27Sep();
  unmet.On("2024-09-27", Request("IRO", true), carelog::v1::IRO);
  EXPECT_EQ(Row(Get(Fold(unmet, "2024-10-05", "england-bristol"),
                    "postponement.emergency_rearranged")),
            "OVERDUE 2024-10-02");
  // Who asked, when requestedBy is not recorded: whoever recorded it.
  Case by_actor = BookedFor27Sep();
  by_actor.On("2024-09-27", Request("", true), carelog::v1::IRO);
  CaseDeadlines a = Fold(by_actor, "2024-10-05", "england-bristol");
  EXPECT_TRUE(Findings(a, "postponement.notice").empty());
  EXPECT_EQ(Count(a, "postponement.emergency_rearranged"), 1);
}

// Two days before (Wed 25 Sep), marked emergency by the IRO: not on the day,
// so held to the notice (needed by Fri 20 Sep) and no emergency re-dating.
TEST(BristolPack, SectionPracticeChange_IroEmergencyBeforeTheDayNeedsNotice) {
  Case c = BookedFor27Sep();
  c.On("2024-09-25", Request("IRO", true), carelog::v1::IRO);
  CaseDeadlines d = Fold(c, "2024-10-05", "england-bristol");
  std::vector<Finding> f = Findings(d, "postponement.notice");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].on, D("2024-09-25"));
  EXPECT_EQ(Count(d, "postponement.emergency_rearranged"), 0);
}

// A social worker's request marked emergency, on the day: only the IRO's is
// the emergency route; the social worker needs 5 working days' notice.
TEST(BristolPack, SectionPracticeChange_SocialWorkersEmergencyNeedsNotice) {
  Case c = BookedFor27Sep();
  c.On("2024-09-27", Request("SOCIAL_WORKER", true));
  CaseDeadlines d = Fold(c, "2024-10-05", "england-bristol");
  EXPECT_EQ(Findings(d, "postponement.notice").size(), 1u);
  EXPECT_EQ(Count(d, "postponement.emergency_rearranged"), 0);
  // Recorded by the IRO on the social worker's behalf: still the social
  // worker's request.
  Case recorded_by_iro = BookedFor27Sep();
  recorded_by_iro.On("2024-09-27", Request("SOCIAL_WORKER", true), carelog::v1::IRO);
  EXPECT_EQ(Findings(Fold(recorded_by_iro, "2024-10-05", "england-bristol"), "postponement.notice")
                .size(),
            1u);
}

// England (rules.md's core): the notice has no exemption and there is no
// emergency route.
TEST(BristolPack, SectionPracticeChange_EnglandHasNoEmergencyRoute) {
  Case c = BookedFor27Sep();
  c.On("2024-09-27", Request("IRO", true), carelog::v1::IRO);
  CaseDeadlines d = Fold(c, "2024-10-05", "england");
  EXPECT_EQ(Findings(d, "postponement.notice").size(), 1u);
  EXPECT_EQ(Count(d, "postponement.emergency_rearranged"), 0);
}

// 003 "Only the Service Manager can approve a postponement": Bristol's, from
// its date of change (May 2024). A team manager's approval in April 2024 is
// judged by england (no approver rule); in June 2024 it is a finding; an
// england case never has it.
TEST(BristolPack, SectionPracticeChange_OnlyTheServiceManagerApprovesFromMay2024) {
  auto approved_by_team_manager = [](const std::string& accommodated, const std::string& booked,
                                     const std::string& review, const std::string& approved) {
    Case c;
    c.On(accommodated, kAccommodated)
        .On(booked, Scheduled("R1", review))
        .On(approved, "review_postponement_approved { review_id: 'R1' iro_consulted: true }",
            carelog::v1::TEAM_MANAGER);
    return c;
  };
  Case april = approved_by_team_manager("2024-04-01", "2024-04-02", "2024-04-26", "2024-04-10");
  EXPECT_TRUE(Findings(Fold(april, "2024-04-30", "england-bristol"), "postponement.approver").empty());
  Case june = approved_by_team_manager("2024-06-03", "2024-06-04", "2024-06-28", "2024-06-12");
  std::vector<Finding> f = Findings(Fold(june, "2024-06-30", "england-bristol"), "postponement.approver");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].detail, "approved by TEAM_MANAGER");
  EXPECT_TRUE(Findings(Fold(june, "2024-06-30", "england"), "postponement.approver").empty());
  // The re-dating within 3 working days is core England either way.
  EXPECT_EQ(Count(Fold(june, "2024-06-30", "england"), "postponement.rearranged"), 1);
}

}  // namespace
}  // namespace carelog::scenario

namespace carelog::scenario {
namespace {

// The loader: the emergency route names whose it is.
TEST(BristolPack, LoaderRefusesAnEmergencyRouteWithoutRoles) {
  const std::string notice = R"(name: "t" division: "england-and-wales"
    versions { effective_from: "2024-05-01"
      rules { id: "n" kind: FINDING basis: PRACTICE check: POSTPONEMENT_NOTICE
        amount: 5 unit: WORKING_DAYS direction: BEFORE exempt_emergency: true ROLES
        source { document: "003" section: "Practice Change" } } })";
  std::string with_roles = notice;
  with_roles.replace(with_roles.find("ROLES"), 5, "emergency_roles: \"IRO\"");
  EXPECT_TRUE(PolicyRegistry::Load({{"t.textpb", with_roles}}).ok());
  std::string without = notice;
  without.replace(without.find("ROLES"), 5, "");
  auto bad = PolicyRegistry::Load({{"t.textpb", without}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("emergency_roles"), std::string::npos);
  std::string unknown = notice;
  unknown.replace(unknown.find("ROLES"), 5, "emergency_roles: \"CHAIR\"");
  EXPECT_FALSE(PolicyRegistry::Load({{"t.textpb", unknown}}).ok());
}

}  // namespace
}  // namespace carelog::scenario
