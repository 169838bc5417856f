#include "projections/case_summary.h"

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Accommodated;
using ::carelog::testing::Envelope;

v1::Event Ceased(const std::string& id, const std::string& when) {
  v1::Event e = Envelope(id, "C", when);
  e.mutable_child_ceased_looked_after()->set_reason("E11");
  return e;
}

v1::Event Held(const std::string& id, const std::string& when) {
  v1::Event e = Envelope(id, "C", when);
  e.mutable_review_held()->set_review_id(id);
  e.mutable_review_held()->set_participation("PN1");
  return e;
}

TEST(CaseSummaryTest, CountsPeriodsReviewsAndTheOpenPeriod) {
  std::vector<v1::Event> events = {
      Accommodated("a", "C", "2023-01-10T10:00:00Z"), Held("r1", "2023-02-01T10:00:00Z"),
      Ceased("b", "2023-06-01T10:00:00Z"), Accommodated("c", "C", "2024-02-05T10:00:00Z"),
      Held("r2", "2024-03-01T10:00:00Z")};
  for (size_t i = 0; i < events.size(); ++i) events[i].set_position(i + 1);
  CaseSummary s = SummariseCase("C", events);
  EXPECT_EQ(s.events, 5u);
  EXPECT_EQ(s.periods_of_care, 2);
  EXPECT_TRUE(s.looked_after);
  EXPECT_EQ(*s.looked_after_since, absl::CivilDay(2024, 2, 5));
  EXPECT_EQ(s.reviews_held, 2);
  EXPECT_EQ(*s.last_review, absl::CivilDay(2024, 3, 1));
}

TEST(CaseSummaryTest, FoldsInEffectiveOrderWhateverTheAppendOrder) {
  // The cessation was recorded before the accommodation it ends.
  std::vector<v1::Event> events = {Ceased("b", "2023-06-01T10:00:00Z"),
                                   Accommodated("a", "C", "2023-01-10T10:00:00Z")};
  events[0].set_position(1);
  events[1].set_position(2);
  CaseSummary s = SummariseCase("C", events);
  EXPECT_FALSE(s.looked_after);
  EXPECT_EQ(s.periods_of_care, 1);
  EXPECT_EQ(*s.last_event, absl::CivilDay(2023, 6, 1));
}

TEST(CaseSummaryTest, DatesAreLondonDates) {
  // 23:30 UTC on 31 March 2024 is 00:30 BST on 1 April in London.
  std::vector<v1::Event> events = {Accommodated("a", "C", "2024-03-31T23:30:00Z")};
  events[0].set_position(1);
  EXPECT_EQ(*SummariseCase("C", events).looked_after_since, absl::CivilDay(2024, 4, 1));
}

}  // namespace
}  // namespace carelog
