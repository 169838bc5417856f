// Retention of a case record (projections/retention.h): from the date of
// birth or death, under England's and Scotland's rules as the packs state
// them, with corrections and retractions applied, and the conventions the
// header decides (anniversaries, 29 February, "before 18").
#include "projections/retention.h"

#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Envelope;
using ::testing::HasSubstr;
using ::testing::Not;
using Basis = CaseRetention::Basis;

absl::CivilDay D(const std::string& s) { return *ParseDate(s); }

const v1::RecordRetention& PackRule(const std::string& pack) {
  static const PolicyRegistry* registry = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  const ResolvedPack* p = *registry->Find(pack);
  EXPECT_TRUE(p->retention.has_value()) << pack;
  return *p->retention;
}

class Case {
 public:
  Case& Born(const std::string& dob, const std::string& on = "2020-01-01T10:00:00Z") {
    v1::Event e = Next(on);
    e.mutable_child_registered()->set_date_of_birth(dob);
    events_.push_back(e);
    return *this;
  }
  Case& AccommodatedBorn(const std::string& dob, const std::string& on = "2020-01-02T10:00:00Z") {
    v1::Event e = Next(on);
    e.mutable_child_accommodated()->set_legal_status("C2");
    e.mutable_child_accommodated()->set_placement_type("U1");
    e.mutable_child_accommodated()->set_date_of_birth(dob);
    events_.push_back(e);
    return *this;
  }
  Case& Died(const std::string& day) {
    v1::Event e = Next(day + "T12:00:00Z");
    e.mutable_child_died();
    events_.push_back(e);
    return *this;
  }
  Case& Retract(const std::string& event_id) {
    v1::Event e = Next("2024-06-01T10:00:00Z");
    e.mutable_event_retracted()->set_event_id(event_id);
    e.mutable_event_retracted()->set_reason("entered on the wrong child");
    events_.push_back(e);
    return *this;
  }
  Case& CorrectBirth(const std::string& event_id, const std::string& dob) {
    v1::Event e = Next("2024-06-02T10:00:00Z");
    e.mutable_event_corrected()->set_event_id(event_id);
    e.mutable_event_corrected()->set_reason("date of birth mistyped");
    e.mutable_event_corrected()->mutable_replacement()->mutable_child_registered()
        ->set_date_of_birth(dob);
    events_.push_back(e);
    return *this;
  }
  const std::vector<v1::Event>& events() const { return events_; }

 private:
  v1::Event Next(const std::string& occurred) {
    v1::Event e = Envelope("e" + std::to_string(events_.size() + 1), "C-1",
                           occurred.size() == 10 ? occurred + "T10:00:00Z" : occurred);
    e.set_position(events_.size() + 1);
    return e;
  }
  std::vector<v1::Event> events_;
};

CaseRetention Work(const Case& c, const std::string& pack = "england") {
  return WorkOutRetention("C-1", pack, c.events(), &PackRule(pack));
}

TEST(RetentionTest, AddYearsKeepsTheDayAndMoves29FebruaryTo1March) {
  EXPECT_EQ(AddYears(D("2010-06-15"), 75), D("2085-06-15"));
  EXPECT_EQ(AddYears(D("2008-02-29"), 4), D("2012-02-29"));
  EXPECT_EQ(AddYears(D("2008-02-29"), 75), D("2083-03-01"));
  EXPECT_EQ(AddYears(D("2008-02-28"), 75), D("2083-02-28"));
}

TEST(RetentionTest, EnglandKeepsUntilThe75thBirthdayAndNotADayLess) {
  const CaseRetention r = Work(Case().Born("1950-06-15"));
  EXPECT_EQ(r.basis, Basis::kBirth);
  EXPECT_EQ(r.date_of_birth, D("1950-06-15"));
  EXPECT_EQ(r.destroy_from, D("2025-06-15"));
  EXPECT_FALSE(r.EndedBy(D("2025-06-14")));
  EXPECT_TRUE(r.EndedBy(D("2025-06-15")));
  EXPECT_EQ(r.rule_id, "retention.case_record");
  EXPECT_THAT(r.source, HasSubstr("Care Planning, Placement and Case Review (England) "
                                  "Regulations 2010, reg 50"));
}

TEST(RetentionTest, AChildWhoDiedBefore18IsKept15YearsFromTheDeath) {
  const CaseRetention r = Work(Case().Born("2005-01-10").Died("2010-03-03"));
  EXPECT_EQ(r.basis, Basis::kDeath);
  EXPECT_EQ(r.date_of_death, D("2010-03-03"));
  // 15 years beginning with 3 March 2010 end on 2 March 2025.
  EXPECT_EQ(r.destroy_from, D("2025-03-03"));
  EXPECT_FALSE(r.EndedBy(D("2025-03-02")));
}

TEST(RetentionTest, DyingOnOrAfterThe18thBirthdayKeepsTheBirthRule) {
  EXPECT_EQ(Work(Case().Born("2000-05-01").Died("2018-04-30")).basis, Basis::kDeath);
  const CaseRetention r = Work(Case().Born("2000-05-01").Died("2018-05-01"));
  EXPECT_EQ(r.basis, Basis::kBirth);
  EXPECT_EQ(r.destroy_from, D("2075-05-01"));
}

TEST(RetentionTest, ScotlandKeeps100YearsFromBirthOr25FromAnEarlyDeath) {
  const CaseRetention born = Work(Case().Born("1950-06-15"), "scotland");
  EXPECT_EQ(born.destroy_from, D("2050-06-15"));
  EXPECT_THAT(born.source, HasSubstr("Looked After Children (Scotland) Regulations 2009, reg 43"));
  const CaseRetention died = Work(Case().Born("2005-01-10").Died("2010-03-03"), "scotland");
  EXPECT_EQ(died.basis, Basis::kDeath);
  EXPECT_EQ(died.destroy_from, D("2035-03-03"));
}

TEST(RetentionTest, OverlaysInheritTheirBasePacksRule) {
  EXPECT_EQ(PackRule("england-bristol").years_after_birth(), 75);
  EXPECT_EQ(PackRule("england-salford").years_after_death(), 15);
  EXPECT_EQ(PackRule("scotland-pace").years_after_birth(), 100);
}

TEST(RetentionTest, ACorrectedDateOfBirthAndARetractedDeathCount) {
  // e1: born 1950 (mistyped), e2: died as a child, then e1 corrected to
  // 1960 and the death retracted (recorded on the wrong child).
  const CaseRetention r =
      Work(Case().Born("1950-01-01").Died("1962-05-05").CorrectBirth("e1", "1960-01-01").Retract(
          "e2"));
  EXPECT_EQ(r.date_of_birth, D("1960-01-01"));
  EXPECT_FALSE(r.date_of_death.has_value());
  EXPECT_EQ(r.basis, Basis::kBirth);
  EXPECT_EQ(r.destroy_from, D("2035-01-01"));
}

TEST(RetentionTest, TheLatestDateOfBirthInEffectiveOrderWins) {
  const CaseRetention r = Work(Case().Born("1950-01-01").AccommodatedBorn("1951-02-02"));
  EXPECT_EQ(r.date_of_birth, D("1951-02-02"));
}

TEST(RetentionTest, WithoutADateOfBirthThePeriodIsUnknownNeverDue) {
  Case none;
  none.Died("2010-03-03");
  const CaseRetention r = Work(none);
  EXPECT_EQ(r.basis, Basis::kUnknown);
  EXPECT_FALSE(r.destroy_from.has_value());
  EXPECT_FALSE(r.EndedBy(D("2200-01-01")));
  EXPECT_THAT(r.why_unknown, HasSubstr("date of birth not recorded"));
  EXPECT_THAT(r.why_unknown, HasSubstr("died"));
  const CaseRetention no_rule = WorkOutRetention("C-1", "custom", Case().Born("1900-01-01").events(),
                                                 nullptr);
  EXPECT_EQ(no_rule.basis, Basis::kUnknown);
  EXPECT_EQ(no_rule.why_unknown, "pack 'custom' has no retention rule");
}

TEST(RetentionTest, RenderingsListTheRuleAndCountWhatIsDue) {
  std::vector<CaseRetention> cases = {Work(Case().Born("1950-06-15")),
                                      Work(Case().Born("2005-01-10").Died("2010-03-03"))};
  cases[1].case_id = "C-\x1b[2J";
  Case none;
  none.Died("2010-03-03");
  std::vector<CaseRetention> unknown = {Work(none)};
  unknown[0].case_id = "C-\"3\"";
  const std::string table = RenderRetentionTable(cases, unknown, D("2025-06-15"), true);
  EXPECT_THAT(table, HasSubstr("C-1              1950-06-15 -          2025-06-15 birth  yes"));
  EXPECT_THAT(table, HasSubstr("2010-03-03 2025-03-03 death  yes"));
  EXPECT_THAT(table, Not(HasSubstr("\x1b")));
  EXPECT_THAT(table, HasSubstr("2 cases whose retention period had ended by 2025-06-15 (of 2 "
                               "listed); 1 whose period cannot be worked out\n"));
  const std::string json = RenderRetentionJson(cases, unknown, D("2025-03-02"));
  EXPECT_THAT(json, HasSubstr(R"({"asOf":"2025-03-02","cases":[{"caseId":"C-1","pack":"england",)"
                              R"("dateOfBirth":"1950-06-15","dateOfDeath":null,"basis":"birth",)"
                              R"("destroyFrom":"2025-06-15","ended":false,)"
                              R"("rule":"retention.case_record",)"));
  EXPECT_THAT(json, HasSubstr(R"("caseId":"C-\"3\"","pack":"england","dateOfDeath":"2010-03-03",)"
                              R"("why":"date of birth not recorded)"));
}

}  // namespace
}  // namespace carelog
