// The deadlines fold over thousands of generated cases, checked against a
// second, deliberately naive implementation of the statutory review chain
// written here from rules.md alone: first review 20 working days after the
// child became looked after, the second 3 months after the first was held,
// then 6 months after the previous; any review held in the period meets the
// open one; the end of the period closes it (CLOSED on or before its due
// date, else it stays OVERDUE).
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "engine/policy.h"
#include "gtest/gtest.h"
#include "projections/deadlines.h"
#include "engine/gen/generate_histories.h"

namespace carelog {
namespace {

using v1::Event;

struct ChainItem {
  std::string rule;
  absl::CivilDay due;
  std::string status;
  std::string met_on;
  bool operator<(const ChainItem& o) const {
    return std::tie(rule, due, status, met_on) < std::tie(o.rule, o.due, o.status, o.met_on);
  }
  bool operator==(const ChainItem& o) const {
    return std::tie(rule, due, status, met_on) == std::tie(o.rule, o.due, o.status, o.met_on);
  }
};

std::string Describe(const std::vector<ChainItem>& v) {
  std::string s;
  for (const auto& i : v) {
    absl::StrAppend(&s, "  ", i.rule, " due ", FormatDate(i.due), " ", i.status, " ", i.met_on, "\n");
  }
  return s;
}

std::vector<ChainItem> Naive(const std::vector<Event>& log, absl::CivilDay as_of) {
  const Calendar& cal = Calendar::Default();
  std::vector<Event> events = ApplyCorrections(log);
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::make_tuple(LondonDate(a.occurred_at()), a.occurred_at().seconds(), a.position()) <
           std::make_tuple(LondonDate(b.occurred_at()), b.occurred_at().seconds(), b.position());
  });
  std::vector<ChainItem> out;
  std::optional<ChainItem> open;
  int held = 0;
  std::set<std::string> reviews;
  for (const Event& e : events) {
    const absl::CivilDay day = LondonDate(e.occurred_at());
    if (day > as_of) break;
    if (e.has_child_accommodated() && !open) {
      held = 0;
      open = ChainItem{"review.initial", cal.AddWorkingDays(Division::kEnglandAndWales, day, 20), "", ""};
    } else if (e.has_child_ceased_looked_after() && open) {
      open->status = day <= open->due ? "CLOSED" : "OVERDUE";
      out.push_back(*open);
      open.reset();
    } else if (e.has_review_held()) {
      if (!reviews.insert(e.review_held().review_id()).second || !open) continue;
      open->status = day <= open->due ? "MET" : "MET_LATE";
      open->met_on = FormatDate(day);
      out.push_back(*open);
      ++held;
      open = ChainItem{held == 1 ? "review.second" : "review.subsequent",
                       AddMonths(day, held == 1 ? 3 : 6), "", ""};
    }
  }
  if (open) {
    open->status = as_of > open->due ? "OVERDUE" : "OPEN";
    out.push_back(*open);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DeadlinesCrossCheckTest, ReviewChainOfThousandsOfGeneratedCasesAgreesWithANaiveFold) {
  std::ostringstream text;
  GenOptions opts;
  opts.children = 2500;
  opts.years = 3;
  opts.seed = 20241123;
  ASSERT_TRUE(GenerateHistories(opts, text).ok());
  std::map<std::string, std::vector<Event>> cases;
  std::istringstream in(text.str());
  std::string line;
  EventJsonParser parser;
  uint64_t pos = 0;
  while (std::getline(in, line)) {
    Event e;
    ASSERT_TRUE(parser.Parse(line, &e).ok()) << line;
    e.set_position(++pos);
    cases[e.case_id()].push_back(std::move(e));
  }
  ASSERT_GE(cases.size(), 2000u);
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  int checked = 0, disagreements = 0;
  size_t obligations = 0;
  for (const absl::CivilDay as_of : {absl::CivilDay(2024, 3, 31), opts.end}) {
    for (const auto& [id, events] : cases) {
      CaseDeadlines d = FoldDeadlines(id, events, *pack, Calendar::Default(), as_of);
      std::vector<ChainItem> fold;
      for (const Obligation& o : d.obligations) {
        if (o.rule_id != "review.initial" && o.rule_id != "review.second" &&
            o.rule_id != "review.subsequent") {
          continue;
        }
        fold.push_back(ChainItem{o.rule_id, o.due, std::string(ObligationStatusName(o.status)),
                                 o.met_on ? FormatDate(*o.met_on) : ""});
      }
      std::sort(fold.begin(), fold.end());
      const std::vector<ChainItem> naive = Naive(events, as_of);
      obligations += naive.size();
      ++checked;
      if (fold != naive && ++disagreements <= 3) {
        ADD_FAILURE() << id << " as of " << FormatDate(as_of) << "\nfold:\n"
                      << Describe(fold) << "naive:\n" << Describe(naive);
      }
    }
  }
  EXPECT_EQ(disagreements, 0) << "of " << checked << " case folds";
  EXPECT_GT(obligations, 10000u);
}

}  // namespace
}  // namespace carelog
