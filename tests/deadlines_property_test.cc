// Property tests of the deadlines fold over random case histories.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/deadlines.h"
#include "projections/rule_index.h"

namespace carelog {
namespace {

using carelog::v1::Event;

const PolicyRegistry& Registry() {
  static const auto* reg = new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
  return *reg;
}

// A random but plausible history: periods of care, reviews scheduled,
// re-dated, postponed, held, cancelled, and the acts that meet obligations,
// at random instants (several on the same second, to exercise positions).
std::vector<Event> RandomHistory(std::mt19937& rng) {
  std::vector<Event> out;
  const absl::Time start = absl::FromCivil(absl::CivilSecond(2024, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  absl::Time t = start;
  const int n = std::uniform_int_distribution<int>(5, 60)(rng);
  std::uniform_int_distribution<int> kind(0, 19), step(0, 5 * 24 * 60), review(1, 4),
      role(1, 15), days(0, 200);
  for (int i = 0; i < n; ++i) {
    if (kind(rng) != 0) t += absl::Minutes(step(rng));  // sometimes the same instant
    Event e;
    e.set_case_id("C-1");
    e.set_event_id(absl::StrCat("e", i + 1));
    e.set_position(i + 1);
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
    e.mutable_actor()->set_role(static_cast<carelog::v1::Role>(role(rng)));
    const std::string rid = absl::StrCat("R", review(rng));
    const std::string later = FormatDate(absl::ToCivilDay(t, absl::UTCTimeZone()) + days(rng));
    switch (kind(rng)) {
      case 0: case 1: e.mutable_child_accommodated()->set_legal_status("C2"); break;
      case 2: e.mutable_child_ceased_looked_after()->set_reason("E11"); break;
      case 3: e.mutable_iro_service_notified(); break;
      case 4: e.mutable_iro_allocated()->set_iro_id("i"); break;
      case 5: case 6:
        e.mutable_review_scheduled()->set_review_id(rid);
        e.mutable_review_scheduled()->set_scheduled_for(later);
        e.mutable_review_scheduled()->set_format(kind(rng) < 5 ? carelog::v1::CONSULTATION
                                                               : carelog::v1::MEETING);
        break;
      case 7: e.mutable_invitations_sent()->set_review_id(rid); break;
      case 8: e.mutable_review_documents_provided()->set_review_id(rid); break;
      case 9: case 10: e.mutable_review_held()->set_review_id(rid); break;
      case 11: e.mutable_review_decisions_recorded()->set_review_id(rid); break;
      case 12: e.mutable_review_minutes_completed()->set_review_id(rid); break;
      case 13: e.mutable_review_postponement_requested()->set_review_id(rid); break;
      case 14: e.mutable_review_postponement_approved()->set_review_id(rid); break;
      case 15:
        e.mutable_review_rearranged()->set_review_id(rid);
        e.mutable_review_rearranged()->set_new_date(later);
        break;
      case 16: e.mutable_review_cancelled()->set_review_id(rid); break;
      case 17: e.mutable_significant_event_reported()->set_kind("MISSING"); break;
      case 18: e.mutable_early_review_considered(); break;
      default:
        e.mutable_review_arrangement_changed()->set_reduced_meetings(true);
        break;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string Dump(const CaseDeadlines& d) {
  std::string s;
  for (const Obligation& o : d.obligations) {
    absl::StrAppend(&s, o.rule_id, "|", o.review_id, "|", FormatDate(o.due), "|",
                    std::string(ObligationStatusName(o.status)), "|",
                    o.met_on ? FormatDate(*o.met_on) : "-", "|", o.trigger_position, "|",
                    o.met_by_position.value_or(0), "|", o.pack_version, "\n");
  }
  for (const Finding& f : d.findings)
    absl::StrAppend(&s, "F ", f.rule_id, "|", f.review_id, "|", FormatDate(f.on), "|", f.position,
                    "|", f.detail, "\n");
  return s;
}

const carelog::v1::Rule* RuleOf(const ResolvedPack& pack, const Obligation& o) {
  for (const auto& r : pack.versions[o.pack_version - 1].rules)
    if (r.id() == o.rule_id) return &r;
  return nullptr;
}

class DeadlinesProperty : public ::testing::TestWithParam<std::string> {};

TEST_P(DeadlinesProperty, FoldIsIndependentOfAppendOrder) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<Event> events = RandomHistory(rng);
    const absl::CivilDay as_of(2025, 6, 30);
    const std::string expected = Dump(FoldDeadlines("C-1", events, pack, Calendar::Default(), as_of));
    std::shuffle(events.begin(), events.end(), rng);
    EXPECT_EQ(Dump(FoldDeadlines("C-1", events, pack, Calendar::Default(), as_of)), expected)
        << "round " << round;
  }
}

// A fold without findings (FoldOptions, for readers of obligations only) has
// the same obligations, and a fold under a prebuilt RuleIndex is the fold.
TEST_P(DeadlinesProperty, FindingsOffLeavesTheObligations) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  const RuleIndex rules(pack);
  FoldOptions no_findings;
  no_findings.findings = false;
  std::mt19937 rng(11);
  size_t findings = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<Event> events = RandomHistory(rng);
    // Some recorded late, for the recording findings.
    for (size_t i = 0; i < events.size(); i += 3) {
      events[i].mutable_recorded_at()->set_seconds(events[i].occurred_at().seconds() +
                                                   86400 * static_cast<int64_t>(i % 20));
    }
    const absl::CivilDay as_of(2025, 6, 30);
    const CaseDeadlines all = FoldDeadlines("C-1", events, pack, Calendar::Default(), as_of);
    EXPECT_EQ(Dump(FoldDeadlines("C-1", events, rules, Calendar::Default(), as_of, FoldOptions())),
              Dump(all)) << "round " << round;
    const CaseDeadlines obligations_only =
        FoldDeadlines("C-1", events, rules, Calendar::Default(), as_of, no_findings);
    EXPECT_TRUE(obligations_only.findings.empty());
    CaseDeadlines without = all;
    without.findings.clear();
    EXPECT_EQ(Dump(obligations_only), Dump(without)) << "round " << round;
    findings += all.findings.size();
  }
  // The rounds had findings to leave out, where the pack has finding rules.
  bool finding_rules = false;
  for (const auto& r : pack.versions.front().rules) finding_rules |= r.kind() == carelog::v1::FINDING;
  if (finding_rules) {
    EXPECT_GT(findings, 0u);
  }
}

// The fold of events the caller keeps (pointers, as a replay parses them onto
// an arena) is the fold of the events, with corrections (of payload and
// date, twice of one event, of a retracted one) and retractions (of events,
// of a retraction) applied alike, in any order.
TEST_P(DeadlinesProperty, FoldOfKeptEventsIsTheFold) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  const RuleIndex rules(pack);
  std::mt19937 rng(5);
  int corrected = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<Event> events = RandomHistory(rng);
    const size_t n = events.size();
    std::uniform_int_distribution<size_t> pick(0, n - 1);
    for (int k = 0; k < 4; ++k) {
      Event fix;
      fix.set_case_id("C-1");
      fix.set_event_id(absl::StrCat("fix", k));
      fix.set_position(n + k + 1);
      fix.mutable_occurred_at()->set_seconds(events[pick(rng)].occurred_at().seconds());
      const Event& target = events[pick(rng)];
      if (k == 3 && std::uniform_int_distribution<int>(0, 1)(rng) == 0) {
        fix.mutable_event_retracted()->set_event_id("fix2");  // a retraction of a correction or of a retraction
      } else if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
        fix.mutable_event_retracted()->set_event_id(target.event_id());
      } else {
        auto* c = fix.mutable_event_corrected();
        c->set_event_id(k == 1 ? events[0].event_id() : target.event_id());
        *c->mutable_replacement() = events[pick(rng)];
        c->mutable_replacement()->clear_event_id();
        if (k % 2 == 0) c->mutable_replacement()->clear_occurred_at();
        ++corrected;
      }
      events.push_back(std::move(fix));
    }
    const absl::CivilDay as_of(2025, 6, 30);
    const std::string expected =
        Dump(FoldDeadlines("C-1", events, rules, Calendar::Default(), as_of, FoldOptions()));
    std::vector<const Event*> kept;
    for (const Event& e : events) kept.push_back(&e);
    if (round % 2 == 1) std::shuffle(kept.begin(), kept.end(), rng);
    const std::vector<Event> before = events;
    EXPECT_EQ(Dump(FoldDeadlines("C-1", kept, rules, Calendar::Default(), as_of, FoldOptions())),
              expected) << "round " << round;
    // The caller's events are left as they were.
    for (size_t i = 0; i < events.size(); ++i)
      EXPECT_EQ(events[i].SerializeAsString(), before[i].SerializeAsString());
  }
  EXPECT_GT(corrected, 100);
}

TEST_P(DeadlinesProperty, EveryObligationHasASourceAndWorkingDayDues) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  std::mt19937 rng(7);
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    CaseDeadlines d = FoldDeadlines("C-1", RandomHistory(rng), pack, Calendar::Default(),
                                    absl::CivilDay(2025, 3, 1));
    for (const Obligation& o : d.obligations) {
      EXPECT_FALSE(o.source_document.empty()) << o.rule_id;
      EXPECT_FALSE(o.source_section.empty()) << o.rule_id;
      const carelog::v1::Rule* rule = RuleOf(pack, o);
      ASSERT_NE(rule, nullptr) << o.rule_id;
      // A short-notice row is due before the review, not a count of working
      // days (a review booked on a Saturday for that Saturday is due then).
      if (rule->unit() == carelog::v1::WORKING_DAYS && !o.short_notice) {
        EXPECT_TRUE(Calendar::Default().IsWorkingDay(pack.division, o.due))
            << o.rule_id << " due " << FormatDate(o.due);
        ++checked;
      }
      // Status agrees with the dates.
      const bool met = o.status == ObligationStatus::kMet || o.status == ObligationStatus::kMetLate;
      EXPECT_EQ(met, o.met_on.has_value());
      if (o.status == ObligationStatus::kMet && !o.due_at) {
        EXPECT_LE(*o.met_on, o.due);
      }
      if (o.status == ObligationStatus::kMetLate && !o.due_at) {
        EXPECT_GT(*o.met_on, o.due);
      }
      if (o.status == ObligationStatus::kClosed) {
        EXPECT_LE(*o.closed_on, o.due);
      }
    }
    for (const Finding& f : d.findings) EXPECT_FALSE(f.source_document.empty());
  }
  if (GetParam() != "scotland") {  // reg 45 counts weeks and months
    EXPECT_GT(checked, 100);
  }
}

TEST_P(DeadlinesProperty, LaterAsOfNeverUnmeetsOrUncloses) {
  const ResolvedPack& pack = **Registry().Find(GetParam());
  std::mt19937 rng(99);
  for (int round = 0; round < 100; ++round) {
    std::vector<Event> events = RandomHistory(rng);
    CaseDeadlines early = FoldDeadlines("C-1", events, pack, Calendar::Default(),
                                        absl::CivilDay(2024, 6, 30));
    CaseDeadlines late = FoldDeadlines("C-1", events, pack, Calendar::Default(),
                                       absl::CivilDay(2025, 6, 30));
    ASSERT_LE(early.obligations.size(), late.obligations.size());
    for (size_t i = 0; i < early.obligations.size(); ++i) {
      const Obligation& a = early.obligations[i];
      const Obligation& b = late.obligations[i];
      EXPECT_EQ(a.rule_id, b.rule_id);
      EXPECT_EQ(a.due, b.due);
      if (a.status != ObligationStatus::kOpen) {
        EXPECT_EQ(a.status, b.status) << a.rule_id;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Packs, DeadlinesProperty,
                         ::testing::Values("england", "scotland", "scotland-pace", "england-000",
                                           "england-bristol", "england-salford"));

}  // namespace
}  // namespace carelog
