// The audit trail: a golden test of a hand-written case drawn from seed 003
// (Bristol's practice direction): a postponement requested late, approved by
// a team manager without the IRO, re-dated late to a date past the
// statutory timescale, the review held late and recorded late, then its
// participation code corrected. Plus as-of and known-at views.
#include "projections/case_trail.h"

#include <fstream>
#include <sstream>

#include "engine/event_log.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

class CaseTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = carelog::testing::OpenTestStore(dir_.path(), &clock_);
    log_ = std::make_unique<EventLog>(store_.get(), &clock_);
    registry_ = std::make_unique<PolicyRegistry>(*PolicyRegistry::LoadEmbedded());
    Build();
  }

  // Appends one event that happened at `occurred` and was recorded at
  // `recorded` (the store's clock), by `actor` in `role`.
  void Act(const std::string& occurred, const std::string& recorded, const std::string& actor,
           v1::Role role, const std::string& payload) {
    v1::Event e;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(payload, &e)) << payload;
    e.set_event_id(absl::StrCat("ev-", ++n_));
    e.set_case_id("C-003");
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(T(occurred)));
    e.mutable_actor()->set_id(actor);
    e.mutable_actor()->set_role(role);
    clock_.Set(T(recorded));
    auto r = log_->AppendCase({e}, std::nullopt);
    ASSERT_TRUE(r.ok()) << r.status() << " for " << payload;
  }

  void Build() {
    using v1::Role;
    Act("2024-05-01T10:00:00Z", "2024-05-01T16:00:00Z", "sw-1", v1::SOCIAL_WORKER,
        "child_accommodated { legal_status: 'C2' placement_type: 'U1' }");
    Act("2024-05-02T09:00:00Z", "2024-05-02T09:05:00Z", "sw-1", v1::SOCIAL_WORKER,
        "iro_service_notified {}");
    Act("2024-05-07T11:00:00Z", "2024-05-07T11:00:00Z", "irom-1", v1::IRO_MANAGER,
        "iro_allocated { iro_id: 'iro-1' }");
    Act("2024-05-08T10:00:00Z", "2024-05-08T10:00:00Z", "sw-1", v1::SOCIAL_WORKER,
        "review_scheduled { review_id: 'R-1' scheduled_for: '2024-05-29' format: MEETING }");
    Act("2024-05-13T10:00:00Z", "2024-05-13T10:00:00Z", "admin-1", v1::ADMIN,
        "invitations_sent { review_id: 'R-1' }");
    // 003: "no less than 5 working days' notice" — asked on the Friday
    // before a Wednesday review.
    Act("2024-05-24T09:00:00Z", "2024-05-24T09:00:00Z", "sw-1", v1::SOCIAL_WORKER,
        "review_postponement_requested { review_id: 'R-1' requested_by: SOCIAL_WORKER reason: "
        "'social worker on leave' }");
    // 003: "Only the Service Manager can approve a postponement ... only
    // having followed a discussion with the IRO."
    Act("2024-05-24T15:00:00Z", "2024-05-24T15:00:00Z", "tm-1", v1::TEAM_MANAGER,
        "review_postponement_approved { review_id: 'R-1' }");
    // 003: "ensure a new date is set within 3 working days and within the
    // statutory timescales" — set on the 6th working day, past the 20.
    Act("2024-06-04T10:00:00Z", "2024-06-04T10:00:00Z", "sw-1", v1::SOCIAL_WORKER,
        "review_rearranged { review_id: 'R-1' new_date: '2024-06-12' }");
    Act("2024-06-05T10:00:00Z", "2024-06-05T10:00:00Z", "admin-1", v1::ADMIN,
        "invitations_sent { review_id: 'R-1' }");
    Act("2024-06-06T10:00:00Z", "2024-06-06T10:00:00Z", "tm-1", v1::TEAM_MANAGER,
        "care_plan_authorised { review_id: 'R-1' }");
    Act("2024-06-07T10:00:00Z", "2024-06-07T10:00:00Z", "sw-1", v1::SOCIAL_WORKER,
        "review_documents_provided { review_id: 'R-1' documents: 'care plan' }");
    // Held on 12 June, but not entered until 5 July.
    Act("2024-06-12T10:00:00Z", "2024-07-05T14:00:00Z", "iro-1", v1::IRO,
        "review_held { review_id: 'R-1' participation: 'PN1' }");
    Act("2024-06-18T10:00:00Z", "2024-07-05T14:30:00Z", "iro-1", v1::IRO,
        "review_decisions_recorded { review_id: 'R-1' }");
    Act("2024-07-10T10:00:00Z", "2024-07-10T10:00:00Z", "iro-1", v1::IRO,
        "review_minutes_completed { review_id: 'R-1' }");
    Act("2024-07-11T10:00:00Z", "2024-07-11T10:00:00Z", "admin-2", v1::ADMIN,
        "event_corrected { event_id: 'ev-12' reason: 'participation code entered wrongly' "
        "replacement { review_held { review_id: 'R-1' participation: 'PN3' } } }");
  }

  CaseTrail Trail(const std::string& as_of, std::optional<std::string> known_at = std::nullopt,
                   bool current = false) {
    auto events = log_->ReadCase("C-003");
    EXPECT_TRUE(events.ok());
    CaseTrailOptions o;
    o.as_of = *ParseDate(as_of);
    if (known_at) o.known_at = T(*known_at);
    o.current_rules = current;
    return BuildCaseTrail("C-003", *events, **registry_->Find("england"), Calendar::Default(), o);
  }

  const CaseTrailEntry& Entry(const CaseTrail& t, const std::string& id) {
    for (const auto& a : t.entries) {
      if (a.event.event_id() == id) return a;
    }
    ADD_FAILURE() << "no entry " << id;
    static CaseTrailEntry none;
    return none;
  }

  TempDir dir_;
  FakeClock clock_{T("2024-05-01T00:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<PolicyRegistry> registry_;
  int n_ = 0;
};

TEST_F(CaseTrailTest, GoldenTextOfTheBristolCase) {
  const std::string got = RenderCaseTrailText(Trail("2024-07-15"));
  const std::string path = std::string(CARELOG_SOURCE_DIR) + "/tests/golden/audit_003.txt";
  if (std::getenv("CARELOG_UPDATE_GOLDEN") != nullptr) std::ofstream(path) << got;
  std::ifstream f(path);
  ASSERT_TRUE(f.good()) << "missing golden file " << path;
  std::stringstream want;
  want << f.rdbuf();
  EXPECT_EQ(got, want.str()) << "run with CARELOG_UPDATE_GOLDEN=1 to accept a deliberate change";
}

TEST_F(CaseTrailTest, AnswersWhoDidWhatWhenAndWhichRuleItBroke) {
  CaseTrail t = Trail("2024-07-15");
  const CaseTrailEntry& approval = Entry(t, "ev-7");
  EXPECT_EQ(approval.event.actor().role(), v1::TEAM_MANAGER);
  std::vector<std::string> rules;
  for (const auto& f : approval.findings) rules.push_back(f.rule_id);
  // Judged by england: the approver is Bristol's rule alone (issue 14 point 4).
  EXPECT_THAT(rules, ::testing::UnorderedElementsAre("postponement.iro_consulted"));
  ASSERT_EQ(approval.created.size(), 1u);
  EXPECT_EQ(approval.created[0].rule_id, "postponement.rearranged");
  EXPECT_EQ(FormatDate(approval.created[0].due), "2024-05-30");  // 27 May is a bank holiday
  EXPECT_EQ(approval.created[0].status, ObligationStatus::kMetLate);
  EXPECT_EQ(approval.created[0].source_document, "003_57729b6622f01350.txt");

  const CaseTrailEntry& redate = Entry(t, "ev-8");
  ASSERT_FALSE(redate.findings.empty());
  EXPECT_EQ(redate.findings[0].rule_id, "postponement.out_of_timescale");

  const CaseTrailEntry& held = Entry(t, "ev-12");
  EXPECT_EQ(held.recorded_late_days, 23);
  bool met_initial = false;
  for (const auto& o : held.met) {
    if (o.rule_id == "review.initial") {
      met_initial = true;
      EXPECT_EQ(o.status, ObligationStatus::kMetLate);
      EXPECT_EQ(FormatDate(o.due), "2024-05-31");
    }
  }
  EXPECT_TRUE(met_initial);
  ASSERT_EQ(held.corrections.size(), 1u);
  EXPECT_EQ(held.corrections[0].event.actor().id(), "admin-2");
  EXPECT_EQ(held.corrections[0].event.event_corrected().reason(), "participation code entered wrongly");
  // The original stays as recorded; the correction sits beside it.
  EXPECT_EQ(held.event.review_held().participation(), "PN1");
  EXPECT_EQ(Entry(t, "ev-15").corrects_event_id, "ev-12");
}

TEST_F(CaseTrailTest, AsOfShowsTheCaseAsItStoodThen) {
  CaseTrail t = Trail("2024-06-05");
  for (const auto& a : t.entries) EXPECT_LE(a.date, absl::CivilDay(2024, 6, 5));
  bool initial_overdue = false;
  for (const auto& o : t.deadlines.obligations) {
    if (o.rule_id == "review.initial") initial_overdue = o.status == ObligationStatus::kOverdue;
  }
  EXPECT_TRUE(initial_overdue) << "on 5 June the first review was past its 31 May due date";
}

TEST_F(CaseTrailTest, KnownAtShowsOnlyWhatWasRecordedAndTheDifference) {
  // On 20 June the system did not yet know the review of 12 June had been held.
  CaseTrail t = Trail("2024-06-20", "2024-06-20T23:00:00Z");
  for (const auto& a : t.entries) EXPECT_NE(a.event.event_id(), "ev-12");
  ASSERT_EQ(t.not_yet_recorded.size(), 2u);
  EXPECT_EQ(t.not_yet_recorded[0].event.event_id(), "ev-12");
  EXPECT_EQ(t.not_yet_recorded[0].recorded_late_days, 23);
  bool diff = false;
  for (const auto& d : t.differences) {
    if (d.rule_id == "review.initial") {
      diff = true;
      EXPECT_EQ(d.then_status, "OVERDUE");
      EXPECT_EQ(d.now_status, "MET_LATE");
    }
  }
  EXPECT_TRUE(diff);
  const std::string text = RenderCaseTrailText(t);
  EXPECT_THAT(text, HasSubstr("recorded late: 23 days"));
  EXPECT_THAT(text, HasSubstr("review.initial (R-1) due 2024-05-31: then OVERDUE, now MET_LATE"));
}

// The settings section: only with changes (the golden above has none), each
// change with who and when, a calendar by hash and dates, and a change made
// after --known-at marked as not in force in the view of then.
TEST_F(CaseTrailTest, SettingsChangesAreShownAndMarkedAfterKnownAt) {
  CaseTrail t = Trail("2024-06-20", "2024-06-20T23:00:00Z");
  EXPECT_EQ(RenderCaseTrailText(t).find("Settings changes"), std::string::npos);
  v1::SettingChanged before, after;
  before.set_setting("pack");
  before.set_new_value("england");
  before.set_changed_by("alice");
  before.set_via("cli");
  before.mutable_at()->set_seconds(absl::ToUnixSeconds(T("2024-05-01T09:00:00Z")));
  before.set_position(1);
  after.set_setting("holidays.json");
  after.set_old_value("{}");
  after.set_old_sha256(std::string(32, '\x01'));
  after.set_new_value("{\"scotland\":{}}");
  after.set_new_sha256(std::string(32, '\xab'));
  v1::DivisionHolidays* d = after.add_holidays();
  d->set_division("scotland");
  d->add_dates("2024-12-02");
  after.set_changed_by("bob");
  after.set_via("cli");
  after.mutable_at()->set_seconds(absl::ToUnixSeconds(T("2024-07-01T09:00:00Z")));
  after.set_position(40);
  t.settings.pack_setting = "pack";
  t.settings.calendar_sha256 = std::string(32, '\xab');
  t.settings.changes = {before, after};
  const std::string text = RenderCaseTrailText(t);
  std::string hex01, hexab;
  for (int i = 0; i < 32; ++i) {
    hex01 += "01";
    hexab += "ab";
  }
  EXPECT_THAT(text, HasSubstr("Judged under pack 'england' (the store default)"));
  EXPECT_THAT(text, HasSubstr("2024-05-01T09:00:00Z  position 1  pack: (unset) -> england  by alice (cli)\n"));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("position 40  holidays.json: SHA-256 ", hex01,
                                            " (2 bytes) -> SHA-256 ", hexab, " (15 bytes)")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("bank-holidays file, SHA-256 ", hexab, "\n")));
  EXPECT_THAT(text, HasSubstr("by bob (cli)  [made after the known-at instant]\n      scotland 2024-12-02\n"));
  const std::string json = RenderCaseTrailJson(t);
  EXPECT_THAT(json, HasSubstr(R"("position":40,"setting":"holidays.json","at":"2024-07-01T09:00:00Z","changedBy":"bob","via":"cli","afterKnownAt":true,"oldSha256":"0101)"));
  EXPECT_THAT(json, HasSubstr(R"("dates":{"scotland":["2024-12-02"]}})"));
  EXPECT_THAT(json, HasSubstr(absl::StrCat(R"("packSetting":"pack","calendarSha256":")", hexab,
                                            R"(","changes":[)")));
  EXPECT_THAT(json, HasSubstr(R"("old":null,"new":"england"})"));
}

TEST_F(CaseTrailTest, KnownAtBeforeTheCorrectionShowsTheUncorrectedRecord) {
  CaseTrail before = Trail("2024-07-10", "2024-07-10T23:00:00Z");
  EXPECT_TRUE(Entry(before, "ev-12").corrections.empty());
  CaseTrail after = Trail("2024-07-10", "2024-07-11T23:00:00Z");
  EXPECT_EQ(Entry(after, "ev-12").corrections.size(), 1u);
}

TEST_F(CaseTrailTest, RecordingLagIsAFinding) {
  CaseTrail t = Trail("2024-07-15");
  bool found = false;
  for (const auto& f : Entry(t, "ev-12").findings) found = found || f.rule_id == "recording.timely";
  EXPECT_TRUE(found);
}

TEST_F(CaseTrailTest, JsonCarriesTheSameFacts) {
  const std::string json = RenderCaseTrailJson(Trail("2024-07-15"));
  EXPECT_THAT(json, HasSubstr(R"("caseId":"C-003","pack":"england","rules":"in-force","asOf":"2024-07-15")"));
  EXPECT_THAT(json, HasSubstr(R"("eventId":"ev-7","type":"reviewPostponementApproved")"));
  EXPECT_THAT(json, HasSubstr(R"("actor":{"id":"tm-1","role":"TEAM_MANAGER"})"));
  EXPECT_THAT(json, HasSubstr(R"("recordedLateDays":23)"));
  EXPECT_THAT(json, HasSubstr(R"("kind":"corrected")"));
  EXPECT_THAT(json, HasSubstr(R"("rule":"postponement.iro_consulted")"));
}

// Issue 14 point 9: each obligation and finding shows what its rule's number
// rests on (the rule's basis in the pack version it was judged under) beside
// its source, in the text and the JSON.
TEST_F(CaseTrailTest, ShowsEachRulesBasisBesideItsSource) {
  const CaseTrail t = Trail("2024-07-15");
  const std::string text = RenderCaseTrailText(t);
  EXPECT_THAT(text, HasSubstr("obligation review.initial (R-1) due 2024-05-31: MET_LATE on "
                              "2024-06-12  [001_73579c9466dfdbf3.txt, 2.1 (CPPCR 2010 reg 33); "
                              "statutory; pack v1]"));
  EXPECT_THAT(text, HasSubstr("[001_73579c9466dfdbf3.txt, 4.1; practice; pack v1]"));
  EXPECT_THAT(text, HasSubstr("! finding postponement.iro_consulted: no discussion with the IRO "
                              "recorded  [003_57729b6622f01350.txt, Practice Change (after a "
                              "discussion with the IRO); practice; pack v1]"));
  const std::string json = RenderCaseTrailJson(t);
  EXPECT_THAT(json, HasSubstr(R"j("section":"2.1 (CPPCR 2010 reg 33)"},"basis":"STATUTORY","packVersion":1})j"));
  EXPECT_THAT(json, HasSubstr(R"("rule":"iro.notify","due":"2024-05-03")"));
  EXPECT_THAT(json, HasSubstr(R"("section":"4.1"},"basis":"PRACTICE","packVersion":1})"));
  EXPECT_THAT(json, HasSubstr(R"j("section":"Practice Change (after a discussion with the IRO)"},"basis":"PRACTICE","packVersion":1})j"));
  // Every rule the trail judged with has its basis; every row shows one.
  size_t rows = 0;
  for (const Obligation& o : t.deadlines.obligations) {
    ++rows;
    EXPECT_TRUE(t.bases.contains({o.pack_version, o.rule_id})) << o.rule_id;
  }
  for (const Finding& f : t.deadlines.findings) {
    ++rows;
    EXPECT_TRUE(t.bases.contains({f.pack_version, f.rule_id})) << f.rule_id;
  }
  size_t shown = 0;
  for (size_t at = json.find("\"basis\":"); at != std::string::npos;
       at = json.find("\"basis\":", at + 1)) {
    ++shown;
  }
  EXPECT_GE(shown, rows);
}

TEST_F(CaseTrailTest, CurrentRulesJudgesWithTheNewestVersion) {
  // Bristol's direction took effect in May 2024: a child accommodated in
  // April is judged under version 1 by default, under version 2 with
  // --rules current.
  v1::Event e = carelog::testing::Accommodated("a", "C-B", "2024-04-10T10:00:00Z");
  e.set_position(1);
  const ResolvedPack& bristol = **registry_->Find("england-bristol");
  ASSERT_GE(bristol.versions.size(), 2u);
  CaseTrailOptions o;
  o.as_of = absl::CivilDay(2024, 4, 30);
  CaseTrail in_force = BuildCaseTrail("C-B", {e}, bristol, Calendar::Default(), o);
  o.current_rules = true;
  CaseTrail current = BuildCaseTrail("C-B", {e}, bristol, Calendar::Default(), o);
  ASSERT_FALSE(in_force.deadlines.obligations.empty());
  for (const auto& ob : in_force.deadlines.obligations) EXPECT_EQ(ob.pack_version, 1);
  for (const auto& ob : current.deadlines.obligations) {
    EXPECT_EQ(ob.pack_version, bristol.versions.back().number);
  }
  EXPECT_THAT(RenderCaseTrailText(current), HasSubstr("today's rules applied to every date"));
}

// Issue 14 point 10: review R-1 was booked on 8 May for 29 May, less than the
// 20 working days review.child_consulted counts back, so the row is due the
// day before the review (28 May) and the trail says why; review.invitations
// (rules.md's exact core rule) keeps its counted date and no mark.
TEST_F(CaseTrailTest, SaysWhichObligationsWereBookedAtShortNotice) {
  const CaseTrail t = Trail("2024-07-15");
  const std::string text = RenderCaseTrailText(t);
  EXPECT_THAT(text, HasSubstr("obligation review.child_consulted (R-1) due 2024-05-28 (booked at "
                              "short notice): OVERDUE"));
  EXPECT_THAT(text, HasSubstr("obligation review.invitations (R-1) due 2024-05-14: MET"));
  const std::string json = RenderCaseTrailJson(t);
  EXPECT_THAT(json, HasSubstr(R"("rule":"review.child_consulted","due":"2024-05-28","status":"OVERDUE","closedOn":"2024-06-04","shortNotice":true)"));
  EXPECT_THAT(json, Not(HasSubstr(R"("rule":"review.invitations","due":"2024-05-14","status":"MET","metOn":"2024-05-13","shortNotice")")));
}

}  // namespace
}  // namespace carelog
