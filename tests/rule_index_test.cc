// RuleIndex groups every embedded pack's rules exactly as the fold's old
// loops over every rule of the version chose them, in the same order.
#include "projections/rule_index.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using carelog::v1::Rule;

const PolicyRegistry& Registry() {
  static const auto* reg = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  return *reg;
}

// What the loop over every rule of `v` chose: the rules for which `pick` holds.
template <typename P>
std::vector<const Rule*> Loop(const PolicyRuleSet& v, P pick) {
  std::vector<const Rule*> out;
  for (const Rule& r : v.rules) {
    if (pick(r)) out.push_back(&r);
  }
  return out;
}

class RuleIndexTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleIndexTest, GroupsAreTheLoopsChoices) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  const RuleIndex index(pack);
  size_t grouped = 0;
  for (const PolicyRuleSet& v : pack.versions) {
    const VersionRuleIndex& in_force = index.On(v.effective_from);
    ASSERT_EQ(in_force.version, &v);
    for (int t = 0; t < v1::Trigger_ARRAYSIZE; ++t) {
      const auto trigger = static_cast<v1::Trigger>(t);
      EXPECT_EQ(in_force.Obligations(trigger), Loop(v, [&](const Rule& r) {
                  return r.kind() == v1::OBLIGATION && r.trigger() == trigger;
                })) << v1::Trigger_Name(trigger);
      grouped += in_force.Obligations(trigger).size();
    }
    for (int c = 0; c < v1::Check_ARRAYSIZE; ++c) {
      const auto check = static_cast<v1::Check>(c);
      EXPECT_EQ(in_force.Findings(check), Loop(v, [&](const Rule& r) {
                  return r.kind() == v1::FINDING && r.check() == check;
                })) << v1::Check_Name(check);
      grouped += in_force.Findings(check).size();
    }
    EXPECT_EQ(in_force.review_held, Loop(v, [](const Rule& r) {
                return r.kind() == v1::OBLIGATION && (r.trigger() == v1::FIRST_REVIEW_HELD ||
                                                      r.trigger() == v1::LATER_REVIEW_HELD ||
                                                      r.trigger() == v1::REVIEW_HELD);
              }));
    // Every event type a rule names, and one none does.
    absl::flat_hash_set<std::string> types = {"noSuchEvent", "reviewHeld"};
    for (const Rule& r : v.rules) types.insert(r.trigger_event());
    for (const std::string& type : types) {
      EXPECT_EQ(in_force.TriggeredBy(type), Loop(v, [&](const Rule& r) {
                  return r.kind() == v1::OBLIGATION && r.trigger() == v1::EVENT &&
                         r.trigger_event() == type;
                })) << type;
    }
  }
  // Each rule is in exactly one trigger or check group.
  size_t rules = 0;
  for (const PolicyRuleSet& v : pack.versions) rules += v.rules.size();
  EXPECT_EQ(grouped, rules);
}

TEST_P(RuleIndexTest, OnIsTheVersionInForce) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  const RuleIndex index(pack);
  for (const PolicyRuleSet& v : pack.versions) {
    for (absl::CivilDay day : {v.effective_from - 1, v.effective_from, v.effective_from + 1,
                               v.effective_from + 400}) {
      EXPECT_EQ(index.On(day).version, &pack.VersionOn(day)) << FormatDate(day);
    }
  }
  EXPECT_EQ(index.On(absl::CivilDay(1900, 1, 1)).version, &pack.versions.front());
  EXPECT_EQ(index.On(absl::CivilDay(9999, 12, 31)).version, &pack.versions.back());
}

TEST(RuleIndex, ValuesOutOfRangeHaveNoRules) {
  const RuleIndex index(**Registry().Find("england"));
  const VersionRuleIndex& v = index.On(absl::CivilDay(2025, 1, 1));
  EXPECT_TRUE(v.Obligations(static_cast<v1::Trigger>(v1::Trigger_ARRAYSIZE)).empty());
  EXPECT_TRUE(v.Findings(static_cast<v1::Check>(-1)).empty());
  EXPECT_FALSE(v.Findings(v1::RECORDED_LATE).empty());  // the pack has recording.timely
}

INSTANTIATE_TEST_SUITE_P(EveryPack, RuleIndexTest,
                         ::testing::ValuesIn(Registry().Names()));

}  // namespace
}  // namespace carelog
