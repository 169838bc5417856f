// Policy packs: loading, validation errors, overlays and versions.
#include "engine/policy.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

const char kGoodRule[] = R"(
  rules {
    id: "x.rule"
    kind: OBLIGATION basis: PRACTICE
    trigger: PERIOD_STARTED
    met_by: "iroServiceNotified"
    amount: 2 unit: WORKING_DAYS direction: AFTER
    source { document: "001_73579c9466dfdbf3.txt" section: "4.1" }
  })";

std::string Pack(const std::string& rules, const std::string& extra = "") {
  return absl::StrCat("name: \"t\" division: \"england-and-wales\" ", extra,
                      " versions { effective_from: \"2020-01-01\" ", rules, " }");
}

absl::Status LoadOne(const std::string& text) {
  return PolicyRegistry::Load({{"t.textpb", text}}).status();
}

TEST(Policy, EmbeddedPacksLoad) {
  auto reg = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_THAT(reg->Names(), ::testing::IsSupersetOf({"england", "scotland", "scotland-pace",
                                                     "england-000", "england-bristol",
                                                     "england-salford"}));
}

TEST(Policy, EnglandCarriesEveryCoreRuleAndFindingWithSource) {
  auto reg = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(reg.ok()) << reg.status();
  auto england = reg->Find("england");
  ASSERT_TRUE(england.ok());
  EXPECT_EQ((*england)->division, Division::kEnglandAndWales);
  const PolicyRuleSet& v = (*england)->VersionOn(absl::CivilDay(2024, 6, 1));
  for (const char* id :
       {"iro.notify", "iro.allocate", "review.initial", "review.second", "review.subsequent",
        "review.invitations", "review.documents", "review.decisions", "review.minutes",
        "postponement.rearranged", "postponement.notice",
        "postponement.iro_consulted", "postponement.out_of_timescale", "care_plan.authorised",
        "review.meeting_annual"}) {
    auto it = std::find_if(v.rules.begin(), v.rules.end(),
                           [&](const carelog::v1::Rule& r) { return r.id() == id; });
    ASSERT_NE(it, v.rules.end()) << id;
    EXPECT_FALSE(it->source().document().empty()) << id;
    EXPECT_FALSE(it->source().section().empty()) << id;
  }
  // Only a Service Manager approves: Bristol's (003) alone, not core England
  // (issue 14 point 4).
  auto approver = [](const PolicyRuleSet& set) {
    return std::count_if(set.rules.begin(), set.rules.end(), [](const carelog::v1::Rule& r) {
      return r.id() == "postponement.approver";
    });
  };
  EXPECT_EQ(approver(v), 0);
  const ResolvedPack* bristol = *reg->Find("england-bristol");
  EXPECT_EQ(approver(bristol->VersionOn(absl::CivilDay(2024, 6, 1))), 1);
  EXPECT_EQ(approver(bristol->VersionOn(absl::CivilDay(2024, 4, 30))), 0);
}

TEST(Policy, CoreNumbersAreRulesMd) {
  auto reg = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(reg.ok());
  const ResolvedPack* england = *reg->Find("england");
  auto rule = [&](std::string_view id) {
    for (const auto& r : england->versions.back().rules)
      if (r.id() == id) return r;
    return carelog::v1::Rule();
  };
  EXPECT_EQ(rule("iro.notify").amount(), 2);
  EXPECT_EQ(rule("iro.allocate").amount(), 5);
  EXPECT_EQ(rule("review.initial").amount(), 20);
  EXPECT_EQ(rule("review.second").unit(), carelog::v1::MONTHS);
  EXPECT_EQ(rule("review.second").amount(), 3);
  EXPECT_EQ(rule("review.subsequent").amount(), 6);
  EXPECT_EQ(rule("review.invitations").amount(), 10);
  EXPECT_EQ(rule("review.invitations").direction(), carelog::v1::BEFORE);
  EXPECT_EQ(rule("review.documents").amount(), 3);
  EXPECT_EQ(rule("review.decisions").amount(), 5);
  EXPECT_EQ(rule("review.minutes").amount(), 15);
  EXPECT_EQ(rule("postponement.rearranged").amount(), 3);
}

TEST(Policy, ScotlandUsesScottishHolidays) {
  auto reg = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ((*reg->Find("scotland"))->division, Division::kScotland);
  EXPECT_EQ((*reg->Find("scotland-pace"))->division, Division::kScotland);
}

TEST(Policy, UnknownPackIsNotFound) {
  auto reg = PolicyRegistry::LoadEmbedded();
  ASSERT_TRUE(reg.ok());
  auto p = reg->Find("wales");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(p.status().message(), HasSubstr("england"));
}

TEST(Policy, GoodTestPackLoads) { EXPECT_TRUE(LoadOne(Pack(kGoodRule)).ok()); }

TEST(Policy, UnknownTriggerNamesFileAndRule) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("PERIOD_STARTED"), 14, "PERIOD_BEGAN");
  absl::Status s = LoadOne(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("t.textpb"));
  EXPECT_THAT(s.message(), HasSubstr("x.rule"));
  EXPECT_THAT(s.message(), HasSubstr("unknown trigger 'PERIOD_BEGAN'"));
}

TEST(Policy, MissingSourceIsRefused) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("source {"), std::string("source { document: \"001_73579c9466dfdbf3.txt\" section: \"4.1\" }").size(), "");
  absl::Status s = LoadOne(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("x.rule"));
  EXPECT_THAT(s.message(), HasSubstr("missing source"));
}

TEST(Policy, NegativeNumberIsRefused) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("amount: 2"), 9, "amount: -2");
  absl::Status s = LoadOne(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("x.rule"));
  EXPECT_THAT(s.message(), HasSubstr("negative amount -2"));
}

TEST(Policy, UnknownEventTypeIsRefused) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("iroServiceNotified"), 18, "iroPhoned");
  EXPECT_THAT(LoadOne(text).message(), HasSubstr("unknown met_by event 'iroPhoned'"));
}

TEST(Policy, SyntaxErrorNamesLine) {
  absl::Status s = LoadOne("name: \"t\"\nversions { effective_from: }");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("t.textpb: syntax: 2:"));
}

TEST(Policy, UnknownUnitIsASyntaxError) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("WORKING_DAYS"), 12, "FORTNIGHTS");
  EXPECT_THAT(LoadOne(text).message(), HasSubstr("FORTNIGHTS"));
}

TEST(Policy, BadDivisionAndDatesAreRefused) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("england-and-wales"), 17, "mars");
  EXPECT_THAT(LoadOne(text).message(), HasSubstr("unknown division 'mars'"));
  std::string two = absl::StrCat(
      "name: \"t\" division: \"scotland\" versions { effective_from: \"2021-01-01\" ", kGoodRule,
      "} versions { effective_from: \"2020-01-01\" ", kGoodRule, "}");
  EXPECT_THAT(LoadOne(two).message(), HasSubstr("out of date order"));
}

TEST(Policy, DuplicateRuleIdIsRefused) {
  EXPECT_THAT(LoadOne(Pack(absl::StrCat(kGoodRule, kGoodRule))).message(),
              HasSubstr("duplicate id"));
}

TEST(Policy, BeforeOnlyForScheduledDate) {
  std::string text = Pack(kGoodRule);
  text.replace(text.find("AFTER"), 5, "BEFORE");
  EXPECT_THAT(LoadOne(text).message(), HasSubstr("BEFORE applies only"));
}

TEST(Policy, UnknownFindingCheckIsRefused) {
  absl::Status s = LoadOne(Pack(R"(rules { id: "f" kind: FINDING basis: PRACTICE check: VIBES
      source { document: "003" section: "x" } })"));
  EXPECT_THAT(s.message(), HasSubstr("unknown check 'VIBES'"));
}

// The vocabularies are enums (policy.proto): a name none of them has is
// refused by the text-format parser, and the loader says which pack, rule,
// field and name, and where.
TEST(Policy, UnknownVocabularyNamesPackRuleAndWord) {
  std::string format = Pack(kGoodRule);
  format.replace(format.find("met_by"), 0, "review_format: WEBINAR ");
  absl::Status s = LoadOne(format);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("t.textpb: rule 'x.rule': unknown review_format 'WEBINAR' (at "));
  std::string tag = Pack(kGoodRule);
  tag.replace(tag.find("met_by"), 0, "qa: QA_VIBES ");
  EXPECT_THAT(LoadOne(tag).message(), HasSubstr("rule 'x.rule': unknown qa 'QA_VIBES'"));
  // A number no name has is refused by the loader, spelled as the number.
  std::string number = Pack(kGoodRule);
  number.replace(number.find("PERIOD_STARTED"), 14, "42");
  EXPECT_THAT(LoadOne(number).message(), HasSubstr("rule 'x.rule': unknown trigger '42'"));
}

TEST(Policy, OverlayNeedsItsBase) {
  std::string overlay = R"(name: "o" extends: "nowhere" versions { effective_from: "2020-01-01" })";
  EXPECT_THAT(PolicyRegistry::Load({{"o.textpb", overlay}}).status().message(),
              HasSubstr("extends unknown pack 'nowhere'"));
}

// Overlays replace, add and remove by id, from their own effective date; a
// case is judged under the version in force on each trigger's date.
TEST(Policy, OverlayVersionsResolveByDate) {
  std::string base = absl::StrCat(
      "name: \"base\" division: \"england-and-wales\" versions { effective_from: \"2020-01-01\" ",
      kGoodRule, R"( rules { id: "y.rule" kind: OBLIGATION basis: PRACTICE trigger: IRO_NOTIFIED
        met_by: "iroAllocated" amount: 5 unit: WORKING_DAYS direction: AFTER
        source { document: "001" section: "4.1" } } })");
  std::string overlay = R"(name: "local" extends: "base"
    versions { effective_from: "2022-06-01"
      remove: "y.rule"
      rules { id: "x.rule" kind: OBLIGATION basis: PRACTICE trigger: PERIOD_STARTED met_by: "iroServiceNotified"
        amount: 1 unit: WORKING_DAYS direction: AFTER source { document: "003" section: "local" } }
      rules { id: "z.rule" kind: OBLIGATION basis: PRACTICE trigger: PERIOD_STARTED met_by: "reviewHeld"
        amount: 4 unit: WEEKS direction: AFTER source { document: "003" section: "local" } } })";
  auto reg = PolicyRegistry::Load({{"base.textpb", base}, {"local.textpb", overlay}});
  ASSERT_TRUE(reg.ok()) << reg.status();
  const ResolvedPack* local = *reg->Find("local");
  ASSERT_EQ(local->versions.size(), 2u);
  const PolicyRuleSet& before = local->VersionOn(absl::CivilDay(2022, 5, 31));
  const PolicyRuleSet& after = local->VersionOn(absl::CivilDay(2022, 6, 1));
  EXPECT_EQ(before.number, 1);
  EXPECT_EQ(after.number, 2);
  ASSERT_EQ(before.rules.size(), 2u);
  EXPECT_EQ(before.rules[0].amount(), 2);
  ASSERT_EQ(after.rules.size(), 2u);
  EXPECT_EQ(after.rules[0].id(), "x.rule");
  EXPECT_EQ(after.rules[0].amount(), 1);
  EXPECT_EQ(after.rules[1].id(), "z.rule");
  // Before the first version, the first applies.
  EXPECT_EQ(&local->VersionOn(absl::CivilDay(2000, 1, 1)), &local->versions.front());
}

// Issue 19: a pack's retention of case records; an overlay keeps its base's
// unless it states its own.
TEST(Policy, RetentionIsValidatedAndInherited) {
  const std::string keep75 = R"(retention { id: "retention.case_record" years_after_birth: 75
      years_after_death: 15 died_before_age: 18 source { document: "reg 50" } })";
  auto reg = PolicyRegistry::Load(
      {{"t.textpb", Pack(kGoodRule, keep75)},
       {"o.textpb", R"(name: "o" extends: "t" versions { effective_from: "2020-01-01" })"},
       {"p.textpb", R"(name: "p" extends: "t" retention { id: "local" years_after_birth: 80
          years_after_death: 20 died_before_age: 18 source { document: "local" } }
          versions { effective_from: "2020-01-01" })"}});
  ASSERT_TRUE(reg.ok()) << reg.status();
  ASSERT_TRUE((*reg->Find("o"))->retention.has_value());
  EXPECT_EQ((*reg->Find("o"))->retention->years_after_birth(), 75);
  EXPECT_EQ((*reg->Find("p"))->retention->years_after_birth(), 80);
  auto none = PolicyRegistry::Load({{"t.textpb", Pack(kGoodRule)}});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE((*none->Find("t"))->retention.has_value());

  EXPECT_THAT(LoadOne(Pack(kGoodRule, R"(retention { id: "r" years_after_birth: 75
      years_after_death: 15 died_before_age: 18 })")).message(),
              HasSubstr("t.textpb: rule 'r': retention has no source document"));
  EXPECT_THAT(LoadOne(Pack(kGoodRule, R"(retention { id: "r" years_after_birth: 75
      died_before_age: 18 source { document: "x" } })")).message(),
              HasSubstr("retention needs years_after_birth, years_after_death and "
                        "died_before_age > 0"));
  EXPECT_THAT(LoadOne(Pack(kGoodRule, R"(retention { years_after_birth: 75 })")).message(),
              HasSubstr("retention has no id"));
}

TEST(Policy, OverlayRemovingUnknownRuleIsRefused) {
  std::string base = Pack(kGoodRule);
  std::string overlay =
      R"(name: "o" extends: "t" versions { effective_from: "2020-01-01" remove: "nope" })";
  EXPECT_THAT(PolicyRegistry::Load({{"t.textpb", base}, {"o.textpb", overlay}}).status().message(),
              HasSubstr("'nope'"));
}

TEST(Policy, EventTypeNames) {
  carelog::v1::Event e;
  e.mutable_review_held()->set_review_id("R1");
  EXPECT_EQ(EventTypeName(e), "reviewHeld");
  EXPECT_TRUE(IsEventTypeName("stabilityConcernRaised"));
  EXPECT_FALSE(IsEventTypeName("stability_concern_raised"));
  EXPECT_EQ(EventTypeName(carelog::v1::Event()), "");
}

// Conditions, placement scope, groups and cease approvals (issue 14): each
// refusal names the file and the rule.
std::string Visit(const std::string& id, const std::string& fields) {
  return absl::StrCat(R"(
  rules {
    id: ")", id, R"("
    kind: OBLIGATION basis: PRACTICE
    met_by: "statutoryVisit"
    amount: 6 unit: WEEKS direction: AFTER
    source { document: "004_a3167e59fbe810f1.txt" section: "9" }
    )", fields, " }");
}

TEST(Policy, AppliesPlacementScopeAndGroupsLoad) {
  const std::string group =
      R"(trigger: EVENT trigger_event: "statutoryVisit" placement_scoped: true group: "next")";
  EXPECT_TRUE(LoadOne(Pack(Visit("a", absl::StrCat(group, R"( applies { placement_type: "U1" within_placement_months: 12 })")) +
                           Visit("b", absl::StrCat(group, " applies { min_age: 16 }"))))
                  .ok());
}

TEST(Policy, AppliesUnknownCodesAreRefused) {
  const std::string trigger = R"(trigger: EVENT trigger_event: "placementStarted" )";
  EXPECT_THAT(LoadOne(Pack(Visit("a", trigger + R"(applies { legal_status: "Z9" })"))).message(),
              HasSubstr("t.textpb: rule 'a': applies: unknown LS code 'Z9'"));
  EXPECT_THAT(LoadOne(Pack(Visit("a", trigger + R"(applies { not_legal_status: "V9" })"))).message(),
              HasSubstr("rule 'a': applies: unknown LS code 'V9'"));
  EXPECT_THAT(LoadOne(Pack(Visit("a", trigger + R"(applies { placement_type: "U9" })"))).message(),
              HasSubstr("t.textpb: rule 'a': applies: unknown PLACE code 'U9'"));
  // A ceasing reason needs a childCeasedLookedAfter trigger.
  EXPECT_THAT(LoadOne(Pack(Visit("a", trigger + R"(applies { ceased_reason: "E4A" })"))).message(),
              HasSubstr("rule 'a': applies: unplanned_ending/ceased_reason need a "
                        "childCeasedLookedAfter trigger"));
  EXPECT_THAT(
      LoadOne(Pack(Visit("a", R"(trigger: EVENT trigger_event: "childCeasedLookedAfter"
                                 applies { ceased_reason: "E99" })")))
          .message(),
      HasSubstr("rule 'a': applies: unknown REC code 'E99'"));
}

TEST(Policy, GroupMembersShareTheirTrigger) {
  EXPECT_THAT(
      LoadOne(Pack(Visit("a", R"(trigger: EVENT trigger_event: "statutoryVisit" group: "g")") +
                   Visit("b", R"(trigger: EVENT trigger_event: "placementStarted" group: "g")")))
          .message(),
      HasSubstr("t.textpb: rule 'b': group 'g' has another trigger than rule 'a'"));
}

TEST(Policy, PlacementScopedNeedsAPlacementTrigger) {
  EXPECT_THAT(LoadOne(Pack(Visit("a", "trigger: PERIOD_STARTED placement_scoped: true"))).message(),
              HasSubstr("t.textpb: rule 'a': placement_scoped needs an EVENT trigger"));
  EXPECT_THAT(LoadOne(Pack(Visit("a", R"(trigger: EVENT trigger_event: "placementEnded"
                                         placement_scoped: true)")))
                  .message(),
              HasSubstr("rule 'a': placement_scoped needs an EVENT trigger"));
  // Months into the placement mean nothing without one.
  EXPECT_THAT(LoadOne(Pack(Visit("a", R"(trigger: EVENT trigger_event: "statutoryVisit"
                                         applies { within_placement_months: 12 })")))
                  .message(),
              HasSubstr("rule 'a': applies: within/after_placement_months need placement_scoped"));
}

TEST(Policy, CeaseApprovalNeedsRoles) {
  const char kFinding[] = R"(
  rules {
    id: "cease.approval"
    kind: FINDING basis: PRACTICE check: CEASE_APPROVAL
    %s
    applies { legal_status: "V2" max_age: 16 }
    source { document: "004_a3167e59fbe810f1.txt" section: "10" }
  })";
  auto finding = [&](const std::string& roles) {
    std::string text = kFinding;
    text.replace(text.find("%s"), 2, roles);
    return text;
  };
  EXPECT_THAT(LoadOne(Pack(finding(""))).message(),
              HasSubstr("t.textpb: rule 'cease.approval': CEASE_APPROVAL needs roles"));
  EXPECT_THAT(LoadOne(Pack(finding(R"(roles: "DEPUTY_DIRECTOR")"))).message(),
              HasSubstr("rule 'cease.approval': unknown role 'DEPUTY_DIRECTOR'"));
  EXPECT_TRUE(LoadOne(Pack(finding(R"(roles: "ASSISTANT_DIRECTOR")"))).ok());
}

}  // namespace
}  // namespace carelog
