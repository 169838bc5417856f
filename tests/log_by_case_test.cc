// LogByCase (projections/views/log_by_case.h): the passes hold exactly what
// ReadStream returns for each case, within the budget, and every case is
// held by exactly one pass.
#include "projections/views/log_by_case.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/sealing.h"
#include "store/record_format.h"
#include "tests/generated_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::TempDir;

class LogByCaseTest : public ::testing::Test {
 protected:
  // `cases` cases of different lengths (case k has 1 + 3k records), their
  // records interleaved through the log, plus a system stream and a case
  // the caller does not ask for.
  void Fill(int cases) {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    for (int k = 0; k < cases; ++k) cases_.push_back(absl::StrCat("case-", 100 + k));
    for (int round = 0; round < 3 * cases + 1; ++round) {
      AppendRequest req;
      for (int k = 0; k < cases; ++k) {
        if (round > 3 * k) continue;
        // Payload sizes vary, so that a budget cuts between cases unevenly.
        req.records.push_back({cases_[k], absl::StrCat("e-", k, "-", round),
                               std::string(50 + (round * 37 + k * 11) % 400, 'a' + k % 26)});
      }
      req.records.push_back({"$access/x", absl::StrCat("a-", round), "seen"});
      req.records.push_back({"case-unasked", absl::StrCat("u-", round), "other"});
      auto r = store_->Append(std::move(req));
      ASSERT_TRUE(r.ok()) << r.status();
      clock_.Advance(absl::Seconds(1));
    }
  }

  // What ReadStream says of case i, as `log` holds it.
  void ExpectHeldAsRead(const LogByCase& log, size_t i) {
    auto want = store_->ReadStream(cases_[i]);
    ASSERT_TRUE(want.ok()) << want.status();
    absl::Span<const LogByCase::Record> held = log.RecordsOf(i);
    ASSERT_EQ(held.size(), want->size()) << cases_[i];
    for (size_t j = 0; j < held.size(); ++j) {
      const StoredRecord& w = (*want)[j];
      EXPECT_EQ(held[j].position, w.position);
      EXPECT_EQ(held[j].version, w.version);
      EXPECT_EQ(held[j].recorded_at_micros, w.recorded_at_micros);
      EXPECT_EQ(LogByCase::Payload(held[j]), w.payload);
      EXPECT_FALSE(held[j].erased);
    }
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 5, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::vector<std::string> cases_;
};

TEST_F(LogByCaseTest, OnePassHoldsEveryCaseAsReadStreamReadsIt) {
  Fill(12);
  // In one position range, or in several read side by side (each case's
  // records then come from more than one).
  for (unsigned parts : {1u, 2u, 3u, 7u, 0u}) {
    LogByCase log(store_.get(), cases_, 64 << 20, parts);
    auto end = log.ReadPass(0);
    ASSERT_TRUE(end.ok()) << end.status();
    EXPECT_EQ(*end, cases_.size());
    for (size_t i = 0; i < cases_.size(); ++i) ExpectHeldAsRead(log, i);
  }
}

TEST_F(LogByCaseTest, ASmallBudgetTakesSeveralPassesEachWithinIt) {
  Fill(12);
  for (unsigned parts : {1u, 3u}) {
  const size_t budget = 12 << 10;
  LogByCase log(store_.get(), cases_, budget, parts);
  size_t passes = 0;
  for (size_t first = 0; first < cases_.size();) {
    auto end = log.ReadPass(first);
    ASSERT_TRUE(end.ok()) << end.status();
    ASSERT_GT(*end, first);
    size_t bytes = 0;
    for (size_t i = first; i < *end; ++i) {
      ExpectHeldAsRead(log, i);
      for (const LogByCase::Record& r : log.RecordsOf(i)) {
        bytes += r.size + sizeof(LogByCase::Record);
      }
    }
    // Within the budget, unless the pass holds one case (held whatever its size).
    if (*end - first > 1) {
      EXPECT_LE(bytes, budget) << "pass from case " << first;
    }
    // Cases outside the pass hold nothing.
    if (first > 0) {
      EXPECT_TRUE(log.RecordsOf(first - 1).empty());
    }
    if (*end < cases_.size()) {
      EXPECT_TRUE(log.RecordsOf(*end).empty());
    }
    first = *end;
    ++passes;
  }
  // The cases hold ~60 KB: several passes, not one a case.
  EXPECT_GT(passes, 3u) << parts;
  EXPECT_LT(passes, cases_.size()) << parts;
  }
}

TEST_F(LogByCaseTest, ACaseLargerThanTheBudgetIsHeldAlone) {
  Fill(5);
  LogByCase log(store_.get(), cases_, 1);
  for (size_t first = 0; first < cases_.size(); ++first) {
    auto end = log.ReadPass(first);
    ASSERT_TRUE(end.ok()) << end.status();
    EXPECT_EQ(*end, first + 1);
    ExpectHeldAsRead(log, first);
  }
}

TEST_F(LogByCaseTest, EstimatePassesFromTheLogsLengthAndRecordSize) {
  store_ = OpenTestStore(dir_.Sub("s"), &clock_);
  auto none = LogByCase::EstimatePasses(*store_, 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  // 100 records of 160 payload bytes: 100 * (160 + entry) bytes held.
  AppendRequest req;
  for (int i = 0; i < 100; ++i) {
    req.records.push_back({absl::StrCat("c", i % 7), absl::StrCat("id", i), std::string(160, 'x')});
  }
  ASSERT_TRUE(store_->Append(std::move(req)).ok());
  const size_t total = 100 * (160 + sizeof(LogByCase::Record));
  for (size_t budget : {total, total - 1, total / 3, total * 10}) {
    auto passes = LogByCase::EstimatePasses(*store_, budget);
    ASSERT_TRUE(passes.ok());
    EXPECT_EQ(*passes, (total + budget - 1) / budget) << budget;
  }
}

TEST_F(LogByCaseTest, AGapInTheLogIsDataLossNotAShorterCase) {
  Fill(4);
  // Remove the record at position 5 behind the store's back.
  ASSERT_TRUE(testing::RawDb(*store_)
                  ->Delete(rocksdb::WriteOptions(), format::RecordKey(5))
                  .ok());
  LogByCase log(store_.get(), cases_, 64 << 20, 2);
  auto end = log.ReadPass(0);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(end.status().message().find("position 5"), std::string::npos) << end.status();
}

// A record rewritten behind the store's back (checksum intact) to say
// another version: the case's versions no longer run 1, 2, ..., whether the
// skip falls inside one position range or where two are joined.
TEST_F(LogByCaseTest, AVersionOutOfStepIsDataLossNamingThePosition) {
  Fill(4);
  auto stream = store_->ReadStream(cases_[3]);
  ASSERT_TRUE(stream.ok());
  StoredRecord changed = (*stream)[5];
  const uint64_t position = changed.position;
  changed.version = 9;
  ASSERT_TRUE(testing::RawDb(*store_)
                  ->Put(rocksdb::WriteOptions(), format::RecordKey(position),
                        format::EncodeRecord(changed))
                  .ok());
  for (unsigned parts : {1u, 2u, 5u, 11u}) {
    LogByCase log(store_.get(), cases_, 64 << 20, parts);
    auto end = log.ReadPass(0);
    ASSERT_FALSE(end.ok()) << parts;
    EXPECT_EQ(end.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(end.status().message().find(cases_[3]), std::string::npos) << end.status();
    EXPECT_NE(end.status().message().find("version"), std::string::npos) << end.status();
    auto whole = LogByCase::ReadWhole(store_.get(), 64 << 20, parts);
    ASSERT_FALSE(whole.ok()) << parts;
    EXPECT_EQ(whole.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(whole.status().message().find(cases_[3]), std::string::npos) << whole.status();
  }
}

TEST_F(LogByCaseTest, ReadWholeFindsTheCasesStreamsListsAndHoldsThem) {
  Fill(9);
  auto listed = store_->Streams();
  ASSERT_TRUE(listed.ok());
  // The cases Fill made, and the one it did not ask for; not the system stream.
  ASSERT_EQ(listed->size(), cases_.size() + 1);
  for (unsigned parts : {1u, 2u, 3u, 7u, 0u}) {
    auto whole = LogByCase::ReadWhole(store_.get(), 64 << 20, parts);
    ASSERT_TRUE(whole.ok()) << whole.status();
    ASSERT_NE(*whole, nullptr);
    const LogByCase& log = **whole;
    ASSERT_EQ(std::vector<std::string>(log.cases().begin(), log.cases().end()), *listed) << parts;
    cases_ = *listed;
    for (size_t i = 0; i < cases_.size(); ++i) ExpectHeldAsRead(log, i);
  }
}

TEST_F(LogByCaseTest, ReadWholeKeepsNothingWhenTheRecordsDoNotFit) {
  Fill(6);
  for (unsigned parts : {1u, 3u}) {
    auto whole = LogByCase::ReadWhole(store_.get(), 4 << 10, parts);
    ASSERT_TRUE(whole.ok()) << whole.status();
    EXPECT_EQ(*whole, nullptr) << parts;
  }
  auto empty = OpenTestStore(dir_.Sub("empty"), &clock_);
  auto none = LogByCase::ReadWhole(empty.get(), 4 << 10);
  ASSERT_TRUE(none.ok());
  ASSERT_NE(*none, nullptr);
  EXPECT_TRUE((*none)->cases().empty());
}

// An erased case (its data key destroyed) is not one ReadWhole finds, as
// Streams does not list it; the others read as before.
TEST_F(LogByCaseTest, ReadWholeLeavesOutAnErasedCase) {
  auto master = SecretKey::Generate();
  ASSERT_TRUE(master.ok());
  StoreOptions o;
  o.master_key = &*master;
  o.clock = &clock_;
  o.sync = false;
  auto opened = EventStore::Open(dir_.Sub("sealed"), o);
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = std::move(*opened);
  for (int i = 0; i < 6; ++i) {
    AppendRequest req;
    req.records.push_back({"C-1", absl::StrCat("a", i), absl::StrCat("one ", i)});
    req.records.push_back({"C-2", absl::StrCat("b", i), absl::StrCat("two ", i)});
    ASSERT_TRUE(store_->Append(std::move(req)).ok());
  }
  ASSERT_TRUE(store_->Erase("C-1", {"$erasures", "erase-C-1", "C-1 erased"}, {}).ok());
  auto listed = store_->Streams();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(*listed, std::vector<std::string>{"C-2"});
  auto whole = LogByCase::ReadWhole(store_.get(), 64 << 20, 2);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_NE(*whole, nullptr);
  ASSERT_EQ(std::vector<std::string>((*whole)->cases().begin(), (*whole)->cases().end()),
            *listed);
  cases_ = *listed;
  ExpectHeldAsRead(**whole, 0);
}

// Events(i) is EventLog::ReadCase of the case: the same events, with the
// positions, versions and record times the log gave them; a payload that is
// not an event is refused, not passed over.
TEST_F(LogByCaseTest, EventsAreWhatReadCaseReturns) {
  store_ = OpenTestStore(dir_.Sub("g"), &clock_);
  ASSERT_TRUE(testing::ImportGeneratedHistories(store_.get(), &clock_, 6, 2, 9).ok());
  auto whole = LogByCase::ReadWhole(store_.get(), 64 << 20);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_NE(*whole, nullptr);
  ASSERT_EQ((*whole)->cases().size(), 6u);
  EventLog log(store_.get(), &clock_);
  for (size_t i = 0; i < 6; ++i) {
    const std::string& id = (*whole)->cases()[i];
    auto want = log.ReadCase(id);
    ASSERT_TRUE(want.ok()) << want.status();
    auto got = (*whole)->Events(i);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), want->size()) << id;
    ASSERT_FALSE(got->empty());
    for (size_t k = 0; k < got->size(); ++k) {
      EXPECT_NE((*got)[k].position(), 0u);
      EXPECT_EQ((*got)[k].version(), k + 1);
      EXPECT_EQ((*got)[k].SerializeAsString(), (*want)[k].SerializeAsString()) << id << " " << k;
    }
  }
  Fill(2);  // payloads that are not events
  LogByCase bytes(store_.get(), cases_, 64 << 20);
  ASSERT_TRUE(bytes.ReadPass(0).ok());
  EXPECT_FALSE(bytes.Events(0).ok());
}

TEST_F(LogByCaseTest, AFirstCasePastTheListIsRefused) {
  Fill(2);
  LogByCase log(store_.get(), cases_, 64 << 20);
  EXPECT_EQ(log.ReadPass(2).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelog
