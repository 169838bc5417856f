#include "store/event_store.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/perf_context.h"
#include "rocksdb/perf_level.h"
#include "rocksdb/table.h"
#include "store/bulk_loader.h"
#include "store/internal/store_internals.h"
#include "store/private_files.h"
#include "store/record_format.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

NewRecord Rec(const std::string& stream, const std::string& id, const std::string& payload = "p") {
  return NewRecord{stream, id, payload};
}

AppendRequest Req(std::vector<NewRecord> recs) {
  AppendRequest r;
  r.records = std::move(recs);
  return r;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    StoreOptions o;
    o.clock = &clock_;
    o.sync = false;
    auto s = EventStore::Open(dir_.path(), o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  std::vector<std::string> Ids(const std::vector<StoredRecord>& recs) {
    std::vector<std::string> out;
    for (const auto& r : recs) out.push_back(r.id);
    return out;
  }

  TempDir dir_;
  FakeClock clock_{T("2024-05-01T12:00:00Z")};
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, EmptyStoreHasNoRecords) {
  EXPECT_EQ(store_->LastPosition(), 0u);
  auto v = store_->StreamVersion("C-1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 0u);
  auto recs = store_->ReadStream("C-1");
  ASSERT_TRUE(recs.ok());
  EXPECT_TRUE(recs->empty());
}

TEST_F(EventStoreTest, AppendAssignsGapFreePositionsVersionsAndClockTime) {
  auto r = store_->Append(Req({Rec("C-1", "a"), Rec("C-2", "b"), Rec("C-1", "c")}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->positions, ElementsAre(1, 2, 3));
  EXPECT_EQ(r->appended, 3u);
  EXPECT_EQ(r->stream_versions["C-1"], 2u);
  EXPECT_EQ(r->stream_versions["C-2"], 1u);
  auto c1 = store_->ReadStream("C-1");
  ASSERT_TRUE(c1.ok());
  EXPECT_THAT(Ids(*c1), ElementsAre("a", "c"));
  EXPECT_EQ((*c1)[1].version, 2u);
  EXPECT_EQ((*c1)[1].position, 3u);
  EXPECT_EQ((*c1)[0].recorded_at_micros, absl::ToUnixMicros(T("2024-05-01T12:00:00Z")));
}

TEST_F(EventStoreTest, PositionsStayGapFreeAcrossReopen) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b")})).ok());
  Reopen();
  EXPECT_EQ(store_->LastPosition(), 2u);
  auto r = store_->Append(Req({Rec("C-1", "c")}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->positions, ElementsAre(3));
  EXPECT_EQ(r->stream_versions["C-1"], 3u);
  std::vector<uint64_t> seen;
  ASSERT_TRUE(store_->ScanLog(1, [&](const StoredRecord& rec) {
    seen.push_back(rec.position);
    return true;
  }).ok());
  EXPECT_THAT(seen, ElementsAre(1, 2, 3));
}

TEST_F(EventStoreTest, SameIdSameContentIsNoOpReturningOriginalPosition) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a", "x")})).ok());
  auto r = store_->Append(Req({Rec("C-1", "a", "x")}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->positions, ElementsAre(1));
  EXPECT_THAT(r->already_present, ElementsAre(true));
  EXPECT_EQ(r->appended, 0u);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(EventStoreTest, SameIdOtherContentIsRefusedAndAppendsNothing) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a", "x")})).ok());
  auto r = store_->Append(Req({Rec("C-1", "b", "y"), Rec("C-1", "a", "DIFFERENT")}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("'a'"));
  EXPECT_EQ(store_->LastPosition(), 1u);
  EXPECT_EQ(store_->Lookup("b").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EventStoreTest, SameIdOtherStreamIsRefused) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a", "x")})).ok());
  auto r = store_->Append(Req({Rec("C-2", "a", "x")}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(EventStoreTest, DuplicateIdWithinOneRequest) {
  auto r = store_->Append(Req({Rec("C-1", "a", "x"), Rec("C-1", "a", "x")}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->positions, ElementsAre(1, 1));
  EXPECT_THAT(r->already_present, ElementsAre(false, true));
  auto bad = store_->Append(Req({Rec("C-1", "b", "x"), Rec("C-1", "b", "y")}));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(EventStoreTest, ExpectedVersionMatchAppends) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a")})).ok());
  AppendRequest req = Req({Rec("C-1", "b")});
  req.expected_versions["C-1"] = 1;
  auto r = store_->Append(std::move(req));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stream_versions["C-1"], 2u);
}

TEST_F(EventStoreTest, StaleExpectedVersionIsAbortedAndAppendsNothing) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a")})).ok());
  AppendRequest req = Req({Rec("C-1", "b"), Rec("C-2", "c")});
  req.expected_versions["C-1"] = 0;
  auto r = store_->Append(std::move(req));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("expected version 0"));
  EXPECT_EQ(store_->LastPosition(), 1u);
  EXPECT_EQ(*store_->StreamVersion("C-2"), 0u);
}

TEST_F(EventStoreTest, ExpectedVersionZeroMeansNewStream) {
  AppendRequest req = Req({Rec("C-9", "a")});
  req.expected_versions["C-9"] = 0;
  ASSERT_TRUE(store_->Append(std::move(req)).ok());
  AppendRequest again = Req({Rec("C-9", "b")});
  again.expected_versions["C-9"] = 0;
  EXPECT_EQ(store_->Append(std::move(again)).status().code(), absl::StatusCode::kAborted);
}

TEST_F(EventStoreTest, EmptyStreamOrIdIsInvalid) {
  EXPECT_EQ(store_->Append(Req({Rec("", "a")})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append(Req({Rec("C-1", "")})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LastPosition(), 0u);
}

TEST_F(EventStoreTest, LookupById) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a", "pa"), Rec("C-2", "b", "pb")})).ok());
  auto r = store_->Lookup("b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->position, 2u);
  EXPECT_EQ(r->payload, "pb");
  EXPECT_EQ(store_->Lookup("zz").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EventStoreTest, StreamPrefixesDoNotOverlap) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-10", "b"), Rec("C-1", "c")})).ok());
  EXPECT_THAT(Ids(*store_->ReadStream("C-1")), ElementsAre("a", "c"));
  EXPECT_THAT(Ids(*store_->ReadStream("C-10")), ElementsAre("b"));
  EXPECT_EQ(*store_->StreamVersion("C-1"), 2u);
  EXPECT_EQ(*store_->StreamVersion("C-10"), 1u);
  EXPECT_THAT(*store_->Streams(), ElementsAre("C-1", "C-10"));
}

TEST_F(EventStoreTest, ReadStreamFromVersion) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b"), Rec("C-1", "c")})).ok());
  EXPECT_THAT(Ids(*store_->ReadStream("C-1", 2)), ElementsAre("b", "c"));
}

TEST_F(EventStoreTest, ScanLogFromPositionAndStop) {
  ASSERT_TRUE(store_->Append(Req({Rec("A", "1"), Rec("B", "2"), Rec("A", "3"), Rec("C", "4")})).ok());
  std::vector<std::string> ids;
  ASSERT_TRUE(store_->ScanLog(2, [&](const StoredRecord& r) {
    ids.push_back(r.id);
    return ids.size() < 2;
  }).ok());
  EXPECT_THAT(ids, ElementsAre("2", "3"));
}

TEST_F(EventStoreTest, HashChainLinksRecords) {
  ASSERT_TRUE(store_->Append(Req({Rec("A", "1", "x"), Rec("A", "2", "y")})).ok());
  auto r1 = store_->ReadPosition(1);
  auto r2 = store_->ReadPosition(2);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->chain, format::ChainHash(Hash256{}, format::EncodeLeaf(*r1)));
  EXPECT_EQ(r2->chain, format::ChainHash(r1->chain, format::EncodeLeaf(*r2)));
}

TEST_F(EventStoreTest, ChainContinuesAcrossReopen) {
  ASSERT_TRUE(store_->Append(Req({Rec("A", "1", "x")})).ok());
  Reopen();
  ASSERT_TRUE(store_->Append(Req({Rec("A", "2", "y")})).ok());
  auto r1 = store_->ReadPosition(1);
  auto r2 = store_->ReadPosition(2);
  EXPECT_EQ(r2->chain, format::ChainHash(r1->chain, format::EncodeLeaf(*r2)));
}

TEST_F(EventStoreTest, CorruptedValueIsDetectedOnRead) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a", "payload-bytes")})).ok());
  std::string value;
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Get({}, format::RecordKey(1), &value).ok());
  value[value.size() / 2] ^= 0x40;
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Put({}, format::RecordKey(1), value).ok());
  auto r = store_->ReadPosition(1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store_->ReadStream("C-1").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(store_->ScanLog(1, [](const StoredRecord&) { return true; }).ok());
}

TEST_F(EventStoreTest, RecordMovedToAnotherKeyIsDetected) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b")})).ok());
  std::string v1, v2;
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Get({}, format::RecordKey(1), &v1).ok());
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Get({}, format::RecordKey(2), &v2).ok());
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Put({}, format::RecordKey(1), v2).ok());
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Put({}, format::RecordKey(2), v1).ok());
  auto r = store_->ReadPosition(1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("swapped"));
}

TEST_F(EventStoreTest, DeletedRecordIsAGapInTheScan) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b"), Rec("C-1", "c")})).ok());
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Delete({}, format::RecordKey(2)).ok());
  absl::Status s = store_->ScanLog(1, [](const StoredRecord&) { return true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("position 2"));
}

TEST_F(EventStoreTest, DeletedStreamIndexEntryIsDetected) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b"), Rec("C-1", "c")})).ok());
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Delete({}, format::StreamKey("C-1", 2)).ok());
  EXPECT_EQ(store_->ReadStream("C-1").status().code(), absl::StatusCode::kDataLoss);
}

// The grammar's 'S' varint32(len) stream fixed64be(version), byte for byte,
// and the append path (which builds the key in place) writes those bytes.
TEST_F(EventStoreTest, StreamKeysAreTheGrammarsBytes) {
  EXPECT_EQ(format::StreamKey("C-1", 258), std::string("S\x03" "C-1\0\0\0\0\0\0\x01\x02", 13));
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b")})).ok());
  std::string value;
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Get({}, format::StreamKey("C-1", 2), &value).ok());
  EXPECT_EQ(value, format::EncodeFixed64BE(2));
}

TEST_F(EventStoreTest, StreamIndexPointingElsewhereIsDetected) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-2", "b")})).ok());
  ASSERT_TRUE(
      carelog::testing::RawDb(*store_)->Put({}, format::StreamKey("C-1", 1), format::EncodeFixed64BE(2)).ok());
  EXPECT_EQ(store_->ReadStream("C-1").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(EventStoreTest, SettingsRoundTripAndSurviveReopen) {
  EXPECT_EQ(store_->GetSetting("pack").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->PutSetting("pack", "scotland").ok());
  Reopen();
  EXPECT_EQ(*store_->GetSetting("pack"), "scotland");
}

TEST_F(EventStoreTest, ConcurrentAppendersAreGroupCommittedWithoutGaps) {
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store_->Append(
            Req({Rec(absl::StrCat("C-", t), absl::StrCat("e-", t, "-", i), "x")}));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->LastPosition(), static_cast<uint64_t>(kThreads * kPerThread));
  uint64_t expect = 1;
  Hash256 prev{};
  ASSERT_TRUE(store_->ScanLog(1, [&](const StoredRecord& r) {
    EXPECT_EQ(r.position, expect++);
    EXPECT_EQ(r.chain, format::ChainHash(prev, format::EncodeLeaf(r)));
    prev = r.chain;
    return true;
  }).ok());
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(*store_->StreamVersion(absl::StrCat("C-", t)), static_cast<uint64_t>(kPerThread));
  }
}

TEST_F(EventStoreTest, ConcurrentVersionRaceHasExactlyOneWinner) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "seed")})).ok());
  std::atomic<int> wins{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      AppendRequest req = Req({Rec("C-1", absl::StrCat("r-", t))});
      req.expected_versions["C-1"] = 1;
      auto r = store_->Append(std::move(req));
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == absl::StatusCode::kAborted) {
        ++aborted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(aborted.load(), 5);
  EXPECT_EQ(*store_->StreamVersion("C-1"), 2u);
}

// Whole-store passes (import, checkpoint) open with a smaller cache than a
// query's; the size must reach the tables, for writers and readers alike.
size_t BlockCacheBytes(const EventStoreReader& store) {
  const auto* t = internal::StoreInternals::Db(store)
                      ->GetOptions()
                      .table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
  return t == nullptr || t->block_cache == nullptr ? 0 : t->block_cache->GetCapacity();
}

TEST(EventStoreOpenTest, TheBlockCacheIsTheSizeAsked) {
  TempDir dir;
  {
    auto s = EventStore::Open(dir.path());
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(BlockCacheBytes(**s), size_t{256} << 20);
  }
  StoreOptions o;
  o.block_cache_bytes = size_t{8} << 20;
  {
    auto s = EventStore::Open(dir.path(), o);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(BlockCacheBytes(**s), size_t{8} << 20);
  }
  o.create_if_missing = false;
  auto r = EventStoreReader::Open(dir.path(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(BlockCacheBytes(**r), size_t{8} << 20);
}

// A table's filter grows with the table. Whole, a look-up of an absent id
// (every append's idempotency check, every verify step) read all of it each
// time it was not cached: 23 MB a look-up at 50 million events. Partitioned,
// it reads one partition.
TEST(EventStoreOpenTest, AnAbsentIdReadsOneFilterPartitionNotTheWholeFilter) {
  TempDir dir;
  {
    auto s = EventStore::Open(dir.path());
    ASSERT_TRUE(s.ok()) << s.status();
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<NewRecord> recs;
      for (int i = 0; i < 1000; ++i) {
        recs.push_back(Rec(absl::StrCat("C-", i % 97), absl::StrCat("ev-", batch, "-", i)));
      }
      ASSERT_TRUE((*s)->Append(Req(std::move(recs))).ok());
    }
    // Into the last level, where nothing is pinned.
    rocksdb::DB* db = internal::StoreInternals::Db(**s);
    ASSERT_TRUE(db->Flush({}).ok());
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    ASSERT_TRUE(db->CompactRange(c, nullptr, nullptr).ok());
  }
  StoreOptions o;
  o.create_if_missing = false;
  o.block_cache_bytes = size_t{64} << 10;  // smaller than the whole filter
  auto r = EventStoreReader::Open(dir.path(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  rocksdb::TablePropertiesCollection tables;
  ASSERT_TRUE(internal::StoreInternals::Db(**r)->GetPropertiesOfAllTables(&tables).ok());
  uint64_t largest_filter = 0;
  for (const auto& [name, p] : tables) {
    largest_filter = std::max(largest_filter, p->filter_size);
    EXPECT_GT(p->index_partitions, 0u) << name;
  }
  ASSERT_GT(largest_filter, uint64_t{32} << 10) << "too few keys to tell the layouts apart";

  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  for (int i = 0; i < 20; ++i) {
    rocksdb::get_perf_context()->Reset();
    auto found = (*r)->Lookup(absl::StrCat("absent-", i));
    EXPECT_EQ(found.status().code(), absl::StatusCode::kNotFound);
    EXPECT_LT(rocksdb::get_perf_context()->block_read_byte, 16u << 10)
        << "look-up " << i << " read " << rocksdb::get_perf_context()->block_read_byte
        << " bytes; the largest filter is " << largest_filter;
  }
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
}

TEST(EventStoreOpenTest, RefusesDirectoryWithOtherFiles) {
  TempDir dir;
  std::ofstream(dir.Sub("notes.txt")) << "hello";
  auto s = EventStore::Open(dir.path());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("not a carelog store"));
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("notes.txt")));
}

TEST(EventStoreOpenTest, RefusesRocksDbThatIsNotACarelogStore) {
  TempDir dir;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.path(), &db).ok());
    ASSERT_TRUE(db->Put({}, "someone-else", "data").ok());
    delete db;
  }
  auto s = EventStore::Open(dir.path());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("no carelog format marker"));
}

TEST(EventStoreOpenTest, RefusesNewerFormatVersion) {
  TempDir dir;
  { ASSERT_TRUE(EventStore::Open(dir.path()).ok()); }
  {
    rocksdb::DB* db;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &db).ok());
    ASSERT_TRUE(db->Put({}, format::MetaKey("format"), "99").ok());
    delete db;
  }
  auto s = EventStore::Open(dir.path());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("format version 99"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("newer"));
}

// Checkpoints and a stream's version read together, from one snapshot.
TEST_F(EventStoreTest, GetCheckpointsAtReadsValuesAndTheStreamVersion) {
  ASSERT_TRUE(store_->Append(Req({Rec("C-1", "a"), Rec("C-1", "b"), Rec("C-2", "c")})).ok());
  ASSERT_TRUE(store_->PutCheckpoints({{"x/C-1", "one"}, {"y/C-1", ""}}).ok());
  auto read = store_->GetCheckpointsAt("C-1", {"x/C-1", "missing", "y/C-1"});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->stream_version, 2u);
  ASSERT_EQ(read->values.size(), 3u);
  EXPECT_EQ(read->values[0], std::optional<std::string>("one"));
  EXPECT_EQ(read->values[1], std::nullopt);
  EXPECT_EQ(read->values[2], std::optional<std::string>(""));
  auto none = store_->GetCheckpointsAt("C-9", {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->stream_version, 0u);
  EXPECT_TRUE(none->values.empty());
}

TEST(EventStoreOpenTest, MissingStoreWithoutCreateIsNotFound) {
  TempDir dir;
  StoreOptions o;
  o.create_if_missing = false;
  EXPECT_EQ(EventStore::Open(dir.Sub("nope"), o).status().code(), absl::StatusCode::kNotFound);
}

TEST(EventStoreOpenTest, SecondOpenInSameProcessSaysInUse) {
  TempDir dir;
  auto first = EventStore::Open(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = EventStore::Open(dir.path());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("in use by PID"));
}

// A store opened read-only is an EventStoreReader, which has no Append: the
// refusal is the compiler's, not a status at run time.
template <typename Store>
concept CanAppend = requires(Store& s, AppendRequest r) { s.Append(std::move(r)); };
static_assert(CanAppend<EventStore>);
static_assert(!CanAppend<EventStoreReader>);

TEST(EventStoreOpenTest, ReadOnlyRefusesAppends) {
  TempDir dir;
  { ASSERT_TRUE(EventStore::Open(dir.path()).ok()); }
  StoreOptions o;
  auto s = EventStoreReader::Open(dir.path(), o);
  ASSERT_TRUE(s.ok()) << s.status();
  static_assert(!CanAppend<std::remove_reference_t<decltype(**s)>>);
}

// The keys and values of a new store in `dir` after fill(store, bulk).
template <typename Fill>
std::string KeysAfter(const std::string& dir, Clock* clock, Fill&& fill, bool bulk) {
  auto store = testing::OpenTestStore(dir, clock);
  fill(store.get(), bulk);
  return testing::DumpKeys(carelog::testing::RawDb(*store));
}

// `store` verifies, with `events` records in its log.
void ExpectVerifies(EventStore& store, uint64_t events) {
  auto v = store.Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << "position " << v->position << ": " << v->problem;
  EXPECT_EQ(v->events, events);
}

// The staged files (kBulkStagePrefix) left in `dir`.
std::vector<std::string> StagedFilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::StartsWith(name, kBulkStagePrefix)) names.push_back(name);
  }
  return names;
}

// A bulk append (ingested as a table file, past the write-ahead log and the
// memtable) stores exactly the keys and values of an ordinary one, with
// ordinary appends before and after it, and the result verifies.
TEST(EventStoreBulkTest, BulkAppendStoresTheSameBytesAsAppend) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  auto fill = [&](EventStore* store, bool bulk) {
    ASSERT_TRUE(store->Append(Req({Rec("C-1", "first"), Rec("C-2", "second")})).ok());
    AppendRequest big;
    for (int i = 0; i < 5000; ++i) {
      big.records.push_back(Rec(absl::StrCat("C-", i % 37), absl::StrCat("id-", i),
                                absl::StrCat("payload ", i)));
    }
    big.records.push_back(Rec("C-1", "first"));  // already present: skipped
    big.records.push_back(Rec("C-3", "id-7", "payload 7"));  // reused in the group: refused
    std::unique_ptr<BulkLoader> loader;
    if (bulk) loader = std::move(store->BeginBulkLoad()).value();
    auto append = [&](AppendRequest req) {
      return bulk ? loader->Append(std::move(req)) : store->Append(std::move(req));
    };
    auto refused = append(big);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists) << refused.status();
    big.records.pop_back();
    auto r = append(std::move(big));
    loader.reset();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->appended, 5000u);
    EXPECT_EQ(r->positions.back(), 1u);
    EXPECT_EQ(r->stream_versions.at("C-1"), 1u + 136u);
    ASSERT_TRUE(store->Append(Req({Rec("C-1", "last")})).ok());
  };
  TempDir plain_dir, bulk_dir;
  const std::string plain = KeysAfter(plain_dir.path(), &clock, fill, false);
  const std::string bulk = KeysAfter(bulk_dir.path(), &clock, fill, true);
  EXPECT_EQ(plain.size(), bulk.size());
  EXPECT_TRUE(plain == bulk) << "the bulk append wrote other bytes";
  auto store = testing::OpenTestStore(bulk_dir.path(), &clock);
  EXPECT_EQ(store->LastPosition(), 5003u);
  EXPECT_EQ(testing::DumpKeys(carelog::testing::RawDb(*store)), plain);
  ExpectVerifies(*store, 5003u);
  auto c1 = store->ReadStream("C-1");
  ASSERT_TRUE(c1.ok()) << c1.status();
  EXPECT_EQ(c1->size(), 1u + 136u + 1u);
}

// A loader's groups are planned in the same buffers one after another
// (internal::PlanBuffers) and ingested as tables: three such groups, one
// refused in between, give the bytes of ordinary appends.
TEST(EventStoreBulkTest, SuccessiveBulkGroupsStoreTheSameBytesAsAppend) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  auto group = [](int g, size_t n) {
    AppendRequest req;
    for (size_t i = 0; i < n; ++i) {
      req.records.push_back(Rec(absl::StrCat("C-", (i * 7 + g) % 101), absl::StrCat("id-", g, "-", i),
                                absl::StrCat("payload ", g, " ", i, std::string(i % 50, 'x'))));
    }
    return req;
  };
  auto fill = [&](EventStore* store, bool bulk) {
    std::unique_ptr<BulkLoader> loader;
    if (bulk) loader = std::move(store->BeginBulkLoad()).value();
    auto append = [&](AppendRequest req) {
      return bulk ? loader->AppendNew(std::move(req)) : store->Append(std::move(req));
    };
    ASSERT_TRUE(append(group(1, 6000)).ok());
    AppendRequest refused = group(2, 5000);
    refused.records.push_back(Rec("C-0", "id-2-3", "other"));  // reused in the group
    EXPECT_EQ(append(std::move(refused)).status().code(), absl::StatusCode::kAlreadyExists);
    ASSERT_TRUE(append(group(3, 4500)).ok());
    ASSERT_TRUE(append(group(4, 9000)).ok());
  };
  TempDir plain_dir, bulk_dir;
  const std::string plain = KeysAfter(plain_dir.path(), &clock, fill, false);
  const std::string bulk = KeysAfter(bulk_dir.path(), &clock, fill, true);
  EXPECT_TRUE(plain == bulk) << "the bulk appends wrote other bytes";
  auto store = testing::OpenTestStore(bulk_dir.path(), &clock);
  EXPECT_EQ(store->LastPosition(), 19500u);
  ExpectVerifies(*store, 19500u);
}


// Staged groups (BulkLoader::Stage, then Commit) are invisible until the
// commit ingests them all at once, and then the store holds exactly the
// bytes of ordinary appends, after ordinary appends and before more.
TEST(EventStoreBulkTest, StagedGroupsStoreTheSameBytesAsAppend) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  auto group = [](int g, size_t n) {
    AppendRequest req;
    for (size_t i = 0; i < n; ++i) {
      req.records.push_back(Rec(absl::StrCat("C-", (i * 7 + g) % 101), absl::StrCat("id-", g, "-", i),
                                absl::StrCat("payload ", g, " ", i, std::string(i % 50, 'x'))));
    }
    return req;
  };
  auto fill = [&](EventStore* store, bool staged) {
    ASSERT_TRUE(store->Append(Req({Rec("C-1", "first"), Rec("C-2", "second")})).ok());
    std::unique_ptr<BulkLoader> loader;
    if (staged) loader = std::move(store->BeginBulkLoad()).value();
    auto append = [&](AppendRequest req) {
      return staged ? loader->Stage(std::move(req)) : store->Append(std::move(req));
    };
    auto first = append(group(1, 6000));
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->positions.front(), 3u);
    AppendRequest refused = group(2, 5000);
    refused.records.push_back(Rec("C-0", "id-2-3", "other"));  // reused in the group
    EXPECT_EQ(append(std::move(refused)).status().code(), absl::StatusCode::kAlreadyExists);
    ASSERT_TRUE(append(group(3, 30)).ok());  // a small group is staged as tables too
    auto last = append(group(4, 9000));
    ASSERT_TRUE(last.ok()) << last.status();
    EXPECT_EQ(last->positions.back(), 15032u);
    const uint64_t c4 = last->stream_versions.at("C-4");
    if (staged) {
      EXPECT_EQ(store->LastPosition(), 2u) << "staged groups are not in the log before Commit";
      auto c4 = store->ReadStream("C-4");
      ASSERT_TRUE(c4.ok()) << c4.status();
      EXPECT_TRUE(c4->empty());
      EXPECT_EQ(loader->AppendNew(group(5, 1)).status().code(),
                absl::StatusCode::kFailedPrecondition);
      ASSERT_TRUE(loader->Commit().ok());
      EXPECT_EQ(store->LastPosition(), 15032u);
      loader.reset();
    }
    auto after = store->Append(Req({Rec("C-4", "last")}));
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->positions.front(), 15033u);
    EXPECT_EQ(after->stream_versions.at("C-4"), c4 + 1)
        << "the version cache took the staged groups'";
  };
  TempDir plain_dir, staged_dir;
  const std::string plain = KeysAfter(plain_dir.path(), &clock, fill, false);
  const std::string staged = KeysAfter(staged_dir.path(), &clock, fill, true);
  EXPECT_TRUE(plain == staged) << "the staged load wrote other bytes";
  EXPECT_THAT(StagedFilesIn(staged_dir.path()), ::testing::IsEmpty());
  auto store = testing::OpenTestStore(staged_dir.path(), &clock);
  ExpectVerifies(*store, 15033u);
  auto head = store->Head();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->size, 15033u);
}

// More staged groups than are merged at once (internal::StagedTables::
// kRunsAtOnce, 256): their runs are merged in rounds, and the store holds
// the same bytes as ordinary appends.
TEST(EventStoreBulkTest, ManyStagedGroupsAreMergedInRounds) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  auto fill = [&](EventStore* store, bool staged) {
    std::unique_ptr<BulkLoader> loader;
    if (staged) loader = std::move(store->BeginBulkLoad()).value();
    for (int g = 0; g < 300; ++g) {
      AppendRequest req;
      // 4,500 records: the tree reaches the levels kept in memory (>= 12).
      for (int i = 0; i < 15; ++i) {
        req.records.push_back(Rec(absl::StrCat("C-", (g * 15 + i) % 17), absl::StrCat("m-", g, "-", i),
                                  absl::StrCat("payload ", g, " ", i)));
      }
      auto r = staged ? loader->Stage(std::move(req)) : store->Append(std::move(req));
      ASSERT_TRUE(r.ok()) << r.status();
    }
    if (staged) {
      ASSERT_TRUE(loader->Commit().ok());
    }
  };
  TempDir plain_dir, staged_dir;
  const std::string plain = KeysAfter(plain_dir.path(), &clock, fill, false);
  const std::string staged = KeysAfter(staged_dir.path(), &clock, fill, true);
  EXPECT_TRUE(plain == staged) << "the staged load wrote other bytes";
  EXPECT_THAT(StagedFilesIn(staged_dir.path()), ::testing::IsEmpty());
  auto store = testing::OpenTestStore(staged_dir.path(), &clock);
  EXPECT_EQ(store->LastPosition(), 4500u);
  ExpectVerifies(*store, 4500u);
}

// After a bulk load of case C-1 that stored nothing into a store holding
// one record: the log still ends at 1, no staged file is left, `staged_id`
// is not in the log, and appending it takes position 2 and C-1's version 2.
void ExpectNothingStagedWasStored(EventStore& store, const std::string& dir,
                                  const std::string& staged_id) {
  EXPECT_EQ(store.LastPosition(), 1u);
  EXPECT_THAT(StagedFilesIn(dir), ::testing::IsEmpty());
  EXPECT_FALSE(store.Lookup(staged_id).ok());
  auto next = store.Append(Req({Rec("C-1", staged_id)}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->positions.front(), 2u);
  EXPECT_EQ(next->stream_versions.at("C-1"), 2u);
  ExpectVerifies(store, 2u);
}

// A staged run damaged on disk before the commit (a flipped byte in the
// file of a group's id and stream keys) is found by the merge: the commit
// fails naming the run, nothing staged is in the log, no staged file is
// left, and the store appends and verifies as before.
TEST(EventStoreBulkTest, ADamagedRunFailsTheCommitAndAppendsNothing) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  TempDir dir;
  auto store = testing::OpenTestStore(dir.path(), &clock);
  ASSERT_TRUE(store->Append(Req({Rec("C-1", "first")})).ok());
  {
    auto loader = std::move(store->BeginBulkLoad()).value();
    for (int g = 0; g < 2; ++g) {
      AppendRequest req;
      for (int i = 0; i < 5000; ++i) {
        req.records.push_back(Rec(absl::StrCat("C-", i % 13), absl::StrCat("d-", g, "-", i)));
      }
      ASSERT_TRUE(loader->Stage(std::move(req)).ok());
    }
    int damaged = 0;
    for (const std::string& name : StagedFilesIn(dir.path())) {
      if (name.find("-run") == std::string::npos) continue;
      const std::string path = dir.path() + "/" + name;
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(100);
      char c = 0;
      f.read(&c, 1);
      c = static_cast<char>(c ^ 0x04);
      f.seekp(100);
      f.write(&c, 1);
      ++damaged;
    }
    ASSERT_EQ(damaged, 2) << "a run per staged group";
    const absl::Status committed = loader->Commit();
    EXPECT_EQ(committed.code(), absl::StatusCode::kDataLoss) << committed;
    EXPECT_THAT(std::string(committed.message()), ::testing::HasSubstr("sorted run"));
    EXPECT_THAT(std::string(committed.message()), ::testing::HasSubstr("checksum"));
  }
  ExpectNothingStagedWasStored(*store, dir.path(), "d-0-0");
}

// Staged groups never committed (the loader dropped, e.g. after a refusal
// in the holder's own checks) leave the store and its directory as they
// were, and the next appends take the positions they would have had.
TEST(EventStoreBulkTest, StagedGroupsNotCommittedAreDropped) {
  FakeClock clock{T("2024-05-01T12:00:00Z")};
  TempDir dir;
  auto store = testing::OpenTestStore(dir.path(), &clock);
  ASSERT_TRUE(store->Append(Req({Rec("C-1", "first")})).ok());
  {
    auto loader = std::move(store->BeginBulkLoad()).value();
    AppendRequest req;
    for (int i = 0; i < 5000; ++i) req.records.push_back(Rec("C-1", absl::StrCat("s-", i)));
    auto staged = loader->Stage(std::move(req));
    ASSERT_TRUE(staged.ok()) << staged.status();
    EXPECT_EQ(staged->positions.back(), 5001u);
  }
  ExpectNothingStagedWasStored(*store, dir.path(), "s-0");
}
}  // namespace
}  // namespace carelog
