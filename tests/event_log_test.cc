#include "engine/event_log.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Accommodated;
using ::carelog::testing::Envelope;
using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = carelog::testing::OpenTestStore(dir_.path(), &clock_);
    log_ = std::make_unique<EventLog>(store_.get(), &clock_);
  }
  v1::Event Ceased(const std::string& id, const std::string& c) {
    v1::Event e = Envelope(id, c, "2024-04-01T10:00:00Z");
    e.mutable_child_ceased_looked_after()->set_reason("E11");
    return e;
  }

  TempDir dir_;
  FakeClock clock_{T("2024-06-01T12:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, EncodingIsDeterministicAndIgnoresStoreFields) {
  v1::Event e = Accommodated("a", "C");
  v1::Event with = e;
  with.set_position(9);
  with.set_version(3);
  with.mutable_recorded_at()->set_seconds(5);
  EXPECT_EQ(EncodeEvent(e), EncodeEvent(with));
}

TEST_F(EventLogTest, DecodeSetsStoreFields) {
  auto r = log_->AppendCase({Accommodated("a", "C")}, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status();
  auto events = log_->ReadCase("C");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].position(), 1u);
  EXPECT_EQ((*events)[0].version(), 1u);
  EXPECT_EQ((*events)[0].recorded_at().seconds(), absl::ToUnixSeconds(clock_.Now()));
}

TEST_F(EventLogTest, AppendReturnsPositionsAndNewVersion) {
  auto r = log_->AppendCase({Accommodated("a", "C"), Ceased("b", "C")}, 0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->positions, ElementsAre(1, 2));
  EXPECT_EQ(r->case_version, 2u);
}

TEST_F(EventLogTest, StaleExpectedVersionIsAborted) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, 0).ok());
  auto r = log_->AppendCase({Ceased("b", "C")}, 0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(EventLogTest, IdempotentRetrySkipsStateChecks) {
  // Re-sending an accommodation would fail the state check (already looked
  // after) if it were validated again: a retry must just report its position.
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).ok());
  auto r = log_->AppendCase({Accommodated("a", "C")}, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->already_present, ElementsAre(true));
  EXPECT_THAT(r->positions, ElementsAre(1));
}

TEST_F(EventLogTest, ReusedIdWithOtherContentIsAlreadyExists) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).ok());
  v1::Event other = Accommodated("a", "C", "2024-03-02T10:00:00Z");
  auto r = log_->AppendCase({other}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
}

// Issue 12 point 16: nothing was recorded at the position the old message
// named; the message says what happened instead.
TEST_F(EventLogTest, SameIdTwiceInOneBatchWithOtherContentNamesBothEvents) {
  v1::Event first = Envelope("dup", "C", "2024-03-02T10:00:00Z");
  first.mutable_iro_allocated()->set_iro_id("iro-1");
  v1::Event second = first;
  second.mutable_iro_allocated()->set_iro_id("iro-2");
  auto r = log_->AppendCase({Accommodated("a", "C"), first, second}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(),
            "event 3: field 'eventId': 'dup' appears twice in this batch (events 2 and 3) with "
            "different content; nothing from this batch was recorded");
  EXPECT_EQ(store_->LastPosition(), 0u);
}

TEST_F(EventLogTest, SameIdTwiceInOneBatchWithSameContentIsRecordedOnce) {
  v1::Event first = Envelope("dup", "C", "2024-03-02T10:00:00Z");
  first.mutable_iro_allocated()->set_iro_id("iro-1");
  auto r = log_->AppendCase({Accommodated("a", "C"), first, first}, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->positions, ElementsAre(1, 2, 2));
  EXPECT_THAT(r->already_present, ElementsAre(false, false, true));
  EXPECT_EQ(store_->LastPosition(), 2u);
}

TEST_F(EventLogTest, IdOfAnotherCaseSaysSoWithoutNamingIt) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "OTHER-CHILD")}, std::nullopt).ok());
  auto r = log_->AppendCase({Accommodated("b", "C"), Accommodated("a", "C")}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(),
            "event 2: field 'eventId': 'a' is already recorded for another case, at position 1; "
            "event ids are unique across the whole log");
  EXPECT_THAT(std::string(r.status().message()), ::testing::Not(HasSubstr("OTHER-CHILD")));
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(EventLogTest, StateViolationIsFailedPrecondition) {
  auto r = log_->AppendCase({Ceased("b", "C")}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("event 1:"));
}

TEST_F(EventLogTest, MalformedContentIsInvalidArgument) {
  v1::Event e = Accommodated("a", "C");
  e.mutable_child_accommodated()->set_placement_type("Q7");
  EXPECT_EQ(log_->AppendCase({e}, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EventLogTest, BatchMustBeOneCase) {
  auto r = log_->AppendCase({Accommodated("a", "C"), Accommodated("b", "D")}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LastPosition(), 0u);
}

TEST_F(EventLogTest, ConcurrentWritersOnOneCaseRevalidate) {
  // Two writers race to accommodate the same child: the state check must see
  // the winner's event, so exactly one accommodation is accepted.
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = log_->AppendCase({Accommodated(absl::StrCat("acc-", i), "C")}, std::nullopt);
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == absl::StatusCode::kFailedPrecondition) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

TEST_F(EventLogTest, RetryWithTheFirstAttemptsExpectedVersionReportsOriginalPositions) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, 0).ok());
  // The reply was lost; the client retries the same batch, still expecting 0.
  auto r = log_->AppendCase({Accommodated("a", "C")}, 0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->positions, ElementsAre(1));
  EXPECT_THAT(r->already_present, ElementsAre(true));
  EXPECT_EQ(r->case_version, 1u);
  // A batch with anything new still needs the right version.
  EXPECT_EQ(log_->AppendCase({Accommodated("a", "C"), Ceased("b", "C")}, 0).status().code(),
            absl::StatusCode::kAborted);
}

// AppendCase keeps each case's state between calls; the log stays the truth:
// what another writer stored since is folded in before the next decision,
// and a refused batch leaves nothing of itself in the state the next
// decision is made on.
TEST_F(EventLogTest, KeptCaseStateFollowsTheLog) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).ok());
  // Refused against the kept state (already looked after): nothing kept from it.
  EXPECT_EQ(log_->AppendCase({Accommodated("a2", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Another writer (its own EventLog, as the importer is) ends the episode.
  EventLog other(store_.get(), &clock_);
  ASSERT_TRUE(other.AppendCase({Ceased("b", "C")}, std::nullopt).ok());
  // This log decides on the state after "b": a second cessation is refused,
  // not admitted on the state it kept (nor sent round the version check).
  auto again = log_->AppendCase({Ceased("c", "C")}, std::nullopt);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
  // Its version is the log's: 2, not the 1 it last wrote.
  EXPECT_EQ(log_->AppendCase({Accommodated("d", "C")}, 1).status().code(),
            absl::StatusCode::kAborted);
  auto r = log_->AppendCase({Accommodated("d", "C")}, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->case_version, 3u);
  // And the state it kept after its own append is the log's too.
  EXPECT_EQ(log_->AppendCase({Accommodated("e", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(log_->AppendCase({Ceased("f", "C")}, 3).ok());
  auto events = log_->ReadCase("C");
  ASSERT_TRUE(events.ok());
  std::vector<std::string> ids;
  for (const v1::Event& e : *events) ids.push_back(e.event_id());
  EXPECT_THAT(ids, ElementsAre("a", "b", "d", "f"));
}

// A batch refused part-way was checked on a state taken from the cache and
// advanced past its first events: none of them was stored, so the next
// append is decided on the log's state, not on the refused batch's.
TEST_F(EventLogTest, ABatchRefusedPartWayLeavesNoStateBehind) {
  ASSERT_TRUE(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).ok());
  EXPECT_EQ(log_->AppendCase({Ceased("b", "C"), Ceased("c", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->LastPosition(), 1u);
  // Still looked after: a cessation is admitted, a second accommodation not.
  EXPECT_EQ(log_->AppendCase({Accommodated("d", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto r = log_->AppendCase({Ceased("e", "C")}, 1);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->case_version, 2u);
  // Then ceased: the kept state follows.
  EXPECT_EQ(log_->AppendCase({Ceased("f", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(log_->AppendCase({Accommodated("g", "C")}, 2).ok());
}

TEST_F(EventLogTest, StoreSetFieldsFromBinarySendersAreRefused) {
  v1::Event e = Accommodated("a", "C");
  e.set_position(42);
  auto r = log_->AppendCase({e}, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("field 'position': is set by the store"));
  EXPECT_EQ(store_->LastPosition(), 0u);
}

}  // namespace
}  // namespace carelog
