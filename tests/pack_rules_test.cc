// `carelog pack --rules`: a pack's rules as a policy officer checks them
// (projections/pack_rules.h). The real packs show every rule with its basis;
// a hand-made pack shows its conditions, timescales and checks in words; the
// CSV and JSON keep their shapes.
#include "projections/pack_rules.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

const PolicyRegistry& Registry() {
  static const auto* reg = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  return *reg;
}

// The fields of one CSV line (RFC 4180: quoted fields may hold commas and
// doubled quotes; no line breaks in these fields).
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

constexpr char kCsvHeader[] =
    "pack,packVersion,effectiveFrom,id,kind,description,trigger,appliesWhen,metByOrCheck,amount,"
    "unit,direction,timescale,basis,sourceDocument,sourceSection";

TEST(PackRulesTest, EnglandShowsEveryRuleWithItsBasisAndSource) {
  const ResolvedPack& england = **Registry().Find("england");
  const absl::CivilDay on(2025, 1, 1);
  const PolicyRuleSet& v = england.VersionOn(on);
  ASSERT_FALSE(v.rules.empty());
  const std::string table = RenderPackRulesTable(england, on);
  EXPECT_THAT(table, HasSubstr(absl::StrCat("Pack 'england' version ", v.number,
                                            ", in force from ", FormatDate(v.effective_from),
                                            " (the version in force on 2025-01-01): ",
                                            v.rules.size(), " rules")));
  for (const v1::Rule& r : v.rules) {
    ASSERT_NE(r.basis(), v1::BASIS_UNSPECIFIED) << r.id();
    // The rule's line: its id, then (after the kind and timescale) its basis
    // and its source.
    bool found = false;
    for (const std::string& line : Lines(table)) {
      if (line.rfind(absl::StrCat(r.id(), " "), 0) != 0) continue;
      found = true;
      EXPECT_THAT(line, HasSubstr(absl::StrCat("  ", BasisText(r.basis()), " ")));
      EXPECT_THAT(line, HasSubstr(r.source().document()));
      EXPECT_THAT(line, HasSubstr(r.source().section()));
    }
    EXPECT_TRUE(found) << r.id();
  }
  // rules.md's statutory review chain and a practice timescale, as a policy
  // officer reads them.
  EXPECT_THAT(table, HasSubstr("review.initial"));
  EXPECT_THAT(table, HasSubstr("20 working days after"));
  EXPECT_THAT(table, HasSubstr("10 working days before the review"));
  EXPECT_THAT(table, HasSubstr("triggered by: the child becomes looked after (childAccommodated)"));
  EXPECT_THAT(table, HasSubstr("met by: iroServiceNotified"));
  EXPECT_THAT(table, HasSubstr("checks: a postponement approved without the IRO consulted"));

  const std::vector<std::string> csv = Lines(RenderPackRulesCsv(england, on));
  ASSERT_EQ(csv.size(), v.rules.size() + 1);
  for (size_t i = 0; i < v.rules.size(); ++i) {
    const std::vector<std::string> f = CsvFields(csv[i + 1]);
    ASSERT_EQ(f.size(), 16u) << csv[i + 1];
    EXPECT_EQ(f[3], v.rules[i].id());
    EXPECT_EQ(f[13], v1::Basis_Name(v.rules[i].basis()));
  }
}

TEST(PackRulesTest, EveryVersionOfEveryPackHasABasisForEveryRule) {
  for (const std::string& name : Registry().Names()) {
    const ResolvedPack& pack = **Registry().Find(name);
    for (const PolicyRuleSet& v : pack.versions) {
      for (const PackRuleRow& row : PackRuleRows(v)) {
        EXPECT_NE(row.basis, v1::BASIS_UNSPECIFIED) << name << " v" << v.number << " " << row.id;
        EXPECT_FALSE(row.source_document.empty()) << name << " " << row.id;
      }
      EXPECT_THAT(RenderPackRulesTable(pack, v.effective_from),
                  ::testing::Not(HasSubstr("unspecified")))
          << name << " v" << v.number;
    }
  }
}

TEST(PackRulesTest, TheVersionInForceOnTheDateIsShown) {
  const ResolvedPack& bristol = **Registry().Find("england-bristol");
  ASSERT_GE(bristol.versions.size(), 2u);
  const PolicyRuleSet& later = bristol.versions[1];
  EXPECT_THAT(RenderPackRulesTable(bristol, later.effective_from - 1),
              HasSubstr("Pack 'england-bristol' version 1,"));
  EXPECT_THAT(RenderPackRulesTable(bristol, later.effective_from),
              HasSubstr(absl::StrCat("Pack 'england-bristol' version ", later.number, ",")));
  EXPECT_THAT(RenderPackRulesTable(bristol, absl::CivilDay(2000, 1, 1)),
              HasSubstr("version 1, in force from 2011-04-01 (no version was in force on "
                        "2000-01-01: the earliest)"));
}

v1::Rule Rule(const std::string& text) {
  v1::Rule r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
  return r;
}

// A pack made here, not loaded: it shows the words for each field whatever
// the loader's rules on combining them.
ResolvedPack ConditionsPack() {
  ResolvedPack p;
  p.name = "test-conditions";
  PolicyRuleSet v;
  v.effective_from = absl::CivilDay(2020, 1, 1);
  v.number = 1;
  v.rules = {
      Rule(R"pb(id: "legal.police_protection" description: "Legal planning meeting after police protection"
                kind: OBLIGATION basis: PRACTICE trigger: EVENT trigger_event: "legalStatusChanged"
                applies { legal_status: "L1" } met_by: "legalPlanningMeetingHeld"
                amount: 72 unit: HOURS direction: AFTER
                source { document: "004_salford.txt" section: "2(2)" })pb"),
      Rule(R"pb(id: "visits.sixteen_plus" kind: OBLIGATION basis: STATUTORY
                trigger: EVENT trigger_event: "statutoryVisit" met_by: "statutoryVisit"
                amount: 8 unit: WEEKS direction: AFTER placement_scoped: true group: "visits"
                applies { min_age: 16 after_placement_months: 12 placement_type: "U1" placement_type: "U2" }
                source { document: "004_salford.txt" section: "9" })pb"),
      Rule(R"pb(id: "review.midway" kind: OBLIGATION basis: CARELOG_DEFAULT trigger: REVIEW_HELD
                met_by: "midwayReviewHeld" until_next_review: true applies { reduced_meetings: true }
                source { document: "000_reduced.txt" section: "midway" })pb"),
      Rule(R"pb(id: "pace.pre_permanence_report" kind: OBLIGATION basis: PRACTICE
                trigger: REVIEW_SCHEDULED_DATE met_by: "prePermanenceReportSent"
                amount: 2 unit: WEEKS direction: BEFORE review_stage: PRE_PERMANENCE review_number: 4
                short_notice: DUE_BEFORE_REVIEW
                source { document: "002_pace.txt" section: "Pre Permanency Review" })pb"),
      Rule(R"pb(id: "pace.six_week" kind: OBLIGATION basis: PRACTICE trigger: PERIOD_STARTED
                met_by: "reviewHeld" review_stage: SIX_WEEK review_number: 2
                amount: 6 unit: WEEKS direction: AFTER
                source { document: "002_pace.txt" section: "6 Week Review" })pb"),
      Rule(R"pb(id: "pace.further_review" kind: OBLIGATION basis: PRACTICE trigger: REVIEW_HELD
                review_stage: PRE_PERMANENCE applies { plan_not_agreed: true } met_by: "reviewHeld"
                amount: 3 unit: MONTHS direction: AFTER
                source { document: "002_pace.txt" section: "Pre Permanency Review" })pb"),
      Rule(R"pb(id: "cease.unplanned_risk" kind: OBLIGATION basis: PRACTICE trigger: EVENT
                trigger_event: "childCeasedLookedAfter" met_by: "riskAssessmentCompleted"
                applies { unplanned_ending: true not_legal_status: "V2" max_age: 18 }
                amount: 24 unit: HOURS direction: AFTER
                source { document: "004_salford.txt" section: "10" })pb"),
      Rule(R"pb(id: "postponement.emergency_redated" kind: OBLIGATION basis: PRACTICE
                trigger: EMERGENCY_POSTPONEMENT emergency_roles: "IRO" met_by: "reviewRearranged"
                amount: 3 unit: WORKING_DAYS direction: AFTER
                source { document: "003_bristol.txt" section: "emergency" })pb"),
      Rule(R"pb(id: "cease.approval" kind: FINDING basis: PRACTICE check: CEASE_APPROVAL
                roles: "ASSISTANT_DIRECTOR" roles: "STRATEGIC_DIRECTOR"
                applies { legal_status: "C2" }
                source { document: "004_salford.txt" section: "10" })pb"),
      Rule(R"pb(id: "postponement.notice" kind: FINDING basis: PRACTICE check: POSTPONEMENT_NOTICE
                exempt_emergency: true emergency_roles: "IRO"
                amount: 5 unit: WORKING_DAYS direction: BEFORE
                source { document: "003_bristol.txt" section: "postponement" })pb"),
  };
  p.versions.push_back(std::move(v));
  return p;
}

// The block of one rule in the table: its line and the indented lines under it.
std::string Block(const std::string& table, const std::string& id) {
  std::string out;
  bool in = false;
  for (const std::string& line : Lines(table)) {
    if (line.rfind(absl::StrCat(id, " "), 0) == 0) {
      in = true;
    } else if (in && line.rfind("    ", 0) != 0) {
      break;
    }
    if (in) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

TEST(PackRulesTest, ConditionsTimescalesAndChecksInWords) {
  const ResolvedPack pack = ConditionsPack();
  const std::string table = RenderPackRulesTable(pack, absl::CivilDay(2024, 1, 1));

  const std::string legal = Block(table, "legal.police_protection");
  EXPECT_THAT(legal, HasSubstr("72 hours after"));
  EXPECT_THAT(legal, HasSubstr("  practice  "));
  EXPECT_THAT(legal, HasSubstr("004_salford.txt, 2(2)"));
  EXPECT_THAT(legal, HasSubstr("triggered by: each legalStatusChanged"));
  EXPECT_THAT(legal, HasSubstr("applies when: legal status L1"));
  EXPECT_THAT(legal, HasSubstr("met by: legalPlanningMeetingHeld"));

  const std::string visits = Block(table, "visits.sixteen_plus");
  EXPECT_THAT(visits, HasSubstr("8 weeks after"));
  EXPECT_THAT(visits, HasSubstr("  statutory  "));
  EXPECT_THAT(visits, HasSubstr("applies when: placement type U1 or U2; aged 16 or over; after the "
                                "first 12 months of the placement; belongs to the placement "
                                "current at the trigger (closes when it ends); one of group "
                                "'visits': of those that apply, the earliest due date counts"));

  const std::string midway = Block(table, "review.midway");
  EXPECT_THAT(midway, HasSubstr("before the next review"));
  EXPECT_THAT(midway, HasSubstr("  carelog default  "));
  EXPECT_THAT(midway, HasSubstr("applies when: under a reduced-meeting arrangement"));

  const std::string report = Block(table, "pace.pre_permanence_report");
  EXPECT_THAT(report, HasSubstr("timescale: 2 weeks before the review; booked at shorter notice: "
                                "due the day before the review"));
  EXPECT_THAT(report, HasSubstr("triggered by: a review is scheduled (its current scheduled date) "
                                "(only the PRE_PERMANENCE review (else the 4th review held))"));

  // A milestone of the track: the review named is the one that meets it.
  const std::string six = Block(table, "pace.six_week");
  EXPECT_THAT(six, HasSubstr("triggered by: the child becomes looked after (childAccommodated)\n"));
  EXPECT_THAT(six, HasSubstr("met by: reviewHeld (only the SIX_WEEK review (else the 2nd review held))"));
  EXPECT_THAT(Block(table, "pace.further_review"),
              HasSubstr("applies when: the review agreed no plan"));
  EXPECT_THAT(Block(table, "cease.unplanned_risk"),
              HasSubstr("applies when: legal status not V2; an unplanned ending; aged under 18"));
  EXPECT_THAT(Block(table, "cease.unplanned_risk"), HasSubstr("24 hours after"));
  EXPECT_THAT(Block(table, "postponement.emergency_redated"),
              HasSubstr("triggered by: an emergency postponement on the review's day by IRO"));

  const std::string approval = Block(table, "cease.approval");
  EXPECT_THAT(approval, HasSubstr("finding"));
  EXPECT_THAT(approval, HasSubstr("checks: ceasing to be looked after with no ceaseApproved by "
                                  "ASSISTANT_DIRECTOR, STRATEGIC_DIRECTOR before it"));
  EXPECT_THAT(approval, HasSubstr("applies when: legal status C2"));
  EXPECT_THAT(Block(table, "postponement.notice"),
              HasSubstr("checks: a postponement requested with less notice than this before the "
                        "review (the emergency route, an on-the-day postponement by IRO, is "
                        "exempt)"));
}

TEST(PackRulesTest, CsvAndJsonShapes) {
  const ResolvedPack pack = ConditionsPack();
  const absl::CivilDay on(2024, 1, 1);
  const std::vector<std::string> csv = Lines(RenderPackRulesCsv(pack, on));
  ASSERT_EQ(csv.size(), pack.versions[0].rules.size() + 1);
  EXPECT_EQ(csv[0], kCsvHeader);
  for (size_t i = 1; i < csv.size(); ++i) {
    EXPECT_EQ(CsvFields(csv[i]).size(), 16u) << csv[i];
  }
  const std::vector<std::string> visits = CsvFields(csv[2]);
  EXPECT_EQ(visits[0], "test-conditions");
  EXPECT_EQ(visits[1], "1");
  EXPECT_EQ(visits[2], "2020-01-01");
  EXPECT_EQ(visits[3], "visits.sixteen_plus");
  EXPECT_EQ(visits[4], "obligation");
  EXPECT_EQ(visits[9], "8");
  EXPECT_EQ(visits[10], "WEEKS");
  EXPECT_EQ(visits[11], "AFTER");
  EXPECT_EQ(visits[12], "8 weeks after");
  EXPECT_EQ(visits[13], "STATUTORY");
  EXPECT_EQ(visits[14], "004_salford.txt");
  EXPECT_EQ(visits[15], "9");

  const std::string json = RenderPackRulesJson(pack, on);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["pack"]), "test-conditions");
  EXPECT_EQ(int64_t(doc["version"]), 1);
  EXPECT_EQ(std::string_view(doc["effectiveFrom"]), "2020-01-01");
  EXPECT_EQ(std::string_view(doc["on"]), "2024-01-01");
  simdjson::dom::array rules = doc["rules"];
  ASSERT_EQ(rules.size(), pack.versions[0].rules.size());
  size_t i = 0;
  for (simdjson::dom::element r : rules) {
    const v1::Rule& want = pack.versions[0].rules[i++];
    EXPECT_EQ(std::string_view(r["id"]), want.id());
    EXPECT_EQ(std::string_view(r["basis"]), v1::Basis_Name(want.basis()));
    EXPECT_EQ(std::string_view(r["source"]["document"]), want.source().document());
    EXPECT_EQ(int64_t(r["packVersion"]), 1);
    if (want.kind() == v1::FINDING) {
      EXPECT_EQ(std::string_view(r["check"]), v1::Check_Name(want.check()));
    } else {
      EXPECT_EQ(std::string_view(r["trigger"]), v1::Trigger_Name(want.trigger()));
      EXPECT_EQ(std::string_view(r["metBy"]), want.met_by());
    }
  }
  simdjson::dom::element report = rules.at(3);
  EXPECT_EQ(std::string_view(report["reviewStage"]), "PRE_PERMANENCE");
  EXPECT_EQ(int64_t(report["reviewNumber"]), 4);
  EXPECT_EQ(std::string_view(report["shortNotice"]), "DUE_BEFORE_REVIEW");
  EXPECT_EQ(std::string_view(report["direction"]), "BEFORE");
  EXPECT_TRUE(bool(rules.at(2)["untilNextReview"]));
  EXPECT_EQ(std::string_view(rules.at(2)["timescale"]), "before the next review");
}

}  // namespace
}  // namespace carelog
