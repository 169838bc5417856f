// Damage to the files of a store (issue 12, "silent loss"): a write-ahead log
// damaged after a crash, a truncated MANIFEST, records removed from the end,
// byte flips in table files. The rule under test: the store never reopens
// silently with fewer (or other) events than it acknowledged, and verify
// reads every byte. Also the durable head file that makes this checkable.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_reader.h"
#include "rocksdb/table_properties.h"
#include "rocksdb/write_batch.h"
#include "store/backup.h"
#include "store/bulk_loader.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;
using ::carelog::testing::ReadFile;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;

class StoreDamageTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventStore> Open(const std::string& dir) {
    StoreOptions o;
    o.clock = &clock_;
    o.create_if_missing = true;
    auto s = EventStore::Open(dir, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  absl::Status OpenStatus(const std::string& dir, bool read_only) {
    StoreOptions o;
    o.clock = &clock_;
    o.create_if_missing = false;
    return read_only ? EventStoreReader::Open(dir, o).status() : EventStore::Open(dir, o).status();
  }

  // `count` synced appends (each acknowledged alone) of 3 records each.
  static void AppendSynced(EventStore* s, const std::string& tag, int count) {
    for (int i = 0; i < count; ++i) {
      AppendRequest req;
      for (int k = 0; k < 3; ++k) {
        req.records.push_back(NewRecord{absl::StrCat("C-", k), absl::StrCat(tag, i, "-", k),
                                        absl::StrCat("payload ", tag, i, std::string(100, 'p'))});
      }
      req.sync = true;
      auto r = s->Append(std::move(req));
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // The store in `dir` as a kill -9 after 60 synced appends leaves it: its
  // files copied while it is open, so the acknowledged appends are in the
  // write-ahead log only, not yet in a table file.
  std::string KilledStore(const std::string& name) {
    const std::string live = dir_.Sub(name + "-live"), crashed = dir_.Sub(name);
    auto s = Open(live);
    AppendSynced(s.get(), "a", 60);
    acknowledged_ = s->LastPosition();
    fs::copy(live, crashed, fs::copy_options::recursive);
    s.reset();
    return crashed;
  }

  static std::vector<std::string> Files(const std::string& dir, const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string p = e.path().string();
      if (p.size() >= suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(p);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string LargestWal(const std::string& dir) {
    std::string best;
    uint64_t size = 0;
    for (const std::string& f : Files(dir, ".log")) {
      if (fs::file_size(f) > size) {
        size = fs::file_size(f);
        best = f;
      }
    }
    return best;
  }
  static void FlipByte(const std::string& path, uint64_t offset) {
    std::string bytes = ReadFile(path);
    ASSERT_LT(offset, bytes.size()) << path;
    bytes[offset] ^= 0x5a;
    WriteFile(path, bytes);
  }

  // The store must refuse: either it does not open (kDataLoss), or it opens
  // with every acknowledged event. Never fewer.
  void ExpectRefusedOrWhole(const std::string& dir, bool read_only) {
    StoreOptions o;
    o.clock = &clock_;
    o.create_if_missing = false;
    absl::StatusOr<std::unique_ptr<EventStoreReader>> s = absl::UnknownError("not opened");
    if (read_only) {
      s = EventStoreReader::Open(dir, o);
    } else {
      auto w = EventStore::Open(dir, o);
      s = w.ok() ? absl::StatusOr<std::unique_ptr<EventStoreReader>>(*std::move(w)) : w.status();
    }
    if (s.ok()) {
      EXPECT_GE((*s)->LastPosition(), acknowledged_)
          << "reopened silently with fewer events than were acknowledged";
    } else {
      EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
    }
  }

  TempDir dir_;
  FakeClock clock_{T("2025-01-10T12:00:00Z")};
  uint64_t acknowledged_ = 0;
};

// --- Point 1: a damaged write-ahead log ---

TEST_F(StoreDamageTest, KilledStoreReopensWithEverything) {
  const std::string dir = KilledStore("k");
  ASSERT_GT(fs::file_size(LargestWal(dir)), 10000u) << "the appends should be in the WAL";
  auto s = Open(dir);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->LastPosition(), acknowledged_);
}

TEST_F(StoreDamageTest, ByteFlipInTheMiddleOfTheWriteAheadLogIsRefused) {
  const std::string dir = KilledStore("k");
  const std::string wal = LargestWal(dir);
  FlipByte(wal, fs::file_size(wal) / 2);
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    absl::Status s = OpenStatus(dir, read_only);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat("store ", dir, " is damaged")));
    EXPECT_THAT(std::string(s.message()), HasSubstr("write-ahead log"));
    EXPECT_THAT(std::string(s.message()), HasSubstr("restore from backup"));
  }
  // The refused open changed nothing: the damaged log is still there.
  EXPECT_TRUE(fs::exists(wal));
}

TEST_F(StoreDamageTest, WriteAheadLogCutTo70PercentIsRefused) {
  const std::string dir = KilledStore("k");
  const std::string wal = LargestWal(dir);
  fs::resize_file(wal, fs::file_size(wal) * 7 / 10);
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    absl::Status s = OpenStatus(dir, read_only);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat("store ", dir, " is damaged")));
    // Both heads: what the log has and what was acknowledged.
    EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat(acknowledged_, ":")));
  }
  // And stays refused (the read-write attempt did not "repair" it).
  EXPECT_EQ(OpenStatus(dir, false).code(), absl::StatusCode::kDataLoss);
}

TEST_F(StoreDamageTest, ByteFlipsAndCutsAnywhereInTheWriteAheadLogNeverLoseSilently) {
  const std::string original = KilledStore("k");
  const uint64_t size = fs::file_size(LargestWal(original));
  int trial = 0;
  for (uint64_t offset = 7; offset < size; offset += size / 23) {
    for (bool cut : {false, true}) {
      SCOPED_TRACE(absl::StrCat(cut ? "cut at " : "flip at ", offset));
      const std::string dir = dir_.Sub(absl::StrCat("t", trial++));
      fs::copy(original, dir, fs::copy_options::recursive);
      const std::string wal = LargestWal(dir);
      if (cut) {
        fs::resize_file(wal, offset);
      } else {
        FlipByte(wal, offset);
      }
      ExpectRefusedOrWhole(dir, true);
      ExpectRefusedOrWhole(dir, false);
    }
  }
}

// --- Point 2: a truncated MANIFEST ---

TEST_F(StoreDamageTest, ManifestCutBy100BytesAfterAnImportIsRefused) {
  const std::string dir = dir_.Sub("m");
  {
    auto s = Open(dir);
    AppendSynced(s.get(), "a", 5);
  }
  {
    auto s = Open(dir);
    AppendRequest req;  // a bulk import batch: ingested as table files
    for (int i = 0; i < 5000; ++i) {
      req.records.push_back(NewRecord{absl::StrCat("B-", i % 50), absl::StrCat("b", i),
                                      absl::StrCat("imported ", i)});
    }
    auto r = (*s->BeginBulkLoad())->AppendNew(std::move(req));
    ASSERT_TRUE(r.ok()) << r.status();
    acknowledged_ = s->LastPosition();
  }
  std::vector<std::string> manifests = Files(dir, "");
  std::string manifest;
  for (const auto& f : manifests) {
    if (fs::path(f).filename().string().rfind("MANIFEST-", 0) == 0) manifest = f;
  }
  ASSERT_FALSE(manifest.empty());
  fs::resize_file(manifest, fs::file_size(manifest) - 100);
  for (bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    absl::Status s = OpenStatus(dir, read_only);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  }
}

// --- Point 3: the durable head file ---

TEST_F(StoreDamageTest, HeadFileHoldsTheLastDurableHeadOwnerOnly) {
  const std::string dir = dir_.Sub("h");
  auto s = Open(dir);
  AppendSynced(s.get(), "a", 3);
  auto recorded = ReadHeadFile(dir);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_TRUE(recorded->has_value());
  EXPECT_EQ((*recorded)->size, 9u);
  EXPECT_EQ((*recorded)->root, s->Head()->root);
  struct stat st;
  ASSERT_EQ(stat((fs::path(dir) / kHeadFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(fs::path(dir) / absl::StrCat(kHeadFileName, ".tmp")));
}

TEST_F(StoreDamageTest, HeadFileThatDisagreesWithTheLogNamesBothHeads) {
  const std::string dir = dir_.Sub("h");
  TreeHead real;
  {
    auto s = Open(dir);
    AppendSynced(s.get(), "a", 3);
    real = *s->Head();
  }
  TreeHead other = real;
  other.root[0] ^= 1;
  ASSERT_TRUE(WriteHeadFile(dir, other).ok());
  for (bool read_only : {true, false}) {
    absl::Status s = OpenStatus(dir, read_only);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(FormatTreeHead(real)));
    EXPECT_THAT(std::string(s.message()), HasSubstr(FormatTreeHead(other)));
  }
}

TEST_F(StoreDamageTest, DamagedHeadFileIsRefused) {
  const std::string dir = dir_.Sub("h");
  {
    auto s = Open(dir);
    AppendSynced(s.get(), "a", 3);
  }
  const std::string path = (fs::path(dir) / kHeadFileName).string();
  const std::string good = ReadFile(path);
  // Both slots damaged.
  FlipByte(path, 25);
  FlipByte(path, 4096 + 25);
  absl::Status s = OpenStatus(dir, true);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("head file"));
  // Cut short.
  WriteFile(path, good.substr(0, 5000));
  s = OpenStatus(dir, false);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("head file"));
}

TEST_F(StoreDamageTest, ATornHeadFileUpdateLeavesThePreviousHead) {
  // Each update overwrites the slot holding the older head: a power cut in
  // the middle of one damages only that slot.
  for (uint64_t slot : {0u, 1u}) {
    SCOPED_TRACE(absl::StrCat("slot ", slot, " torn"));
    const std::string dir = dir_.Sub(absl::StrCat("h", slot));
    {
      auto s = Open(dir);
      AppendSynced(s.get(), "a", 3);  // heads 3, 6, 9 written in turn
    }
    const std::string path = (fs::path(dir) / kHeadFileName).string();
    std::string torn = ReadFile(path);
    ASSERT_EQ(torn.size(), 8192u);
    for (uint64_t i = slot * 4096 + 20; i < slot * 4096 + 60; ++i) torn[i] = 'x';
    WriteFile(path, torn);
    auto head = ReadHeadFile(dir);
    ASSERT_TRUE(head.ok()) << head.status();
    ASSERT_TRUE(head->has_value());
    EXPECT_TRUE((*head)->size == 6 || (*head)->size == 9) << (*head)->size;
    auto s = Open(dir);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->LastPosition(), 9u);
    AppendSynced(s.get(), "b", 2);  // the store goes on, rewriting the torn slot
    s.reset();
    auto after = ReadHeadFile(dir);
    ASSERT_TRUE(after.ok() && after->has_value());
    EXPECT_EQ((*after)->size, 15u);
    EXPECT_NE(ReadFile(path).find(absl::StrCat("head 12:")), std::string::npos)
        << "the previous head should be in the other slot";
  }
}

// The last event removed cleanly through RocksDB: its record, its index keys
// and every tree node it completed. Nothing inside the database is left to
// say it was there; the head file does.
void RemoveLastEventCleanly(const std::string& dir, uint64_t n) {
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  ASSERT_TRUE(db->Get({}, format::RecordKey(n), &value).ok());
  StoredRecord r = *format::DecodeRecord(value);
  rocksdb::WriteBatch b;
  b.Delete(format::RecordKey(n));
  b.Delete(format::IdKey(r.id));
  b.Delete(format::StreamKey(r.stream, r.version));
  for (int level = 0; level < 64; ++level) {
    const uint64_t width = uint64_t{1} << level;
    if (n % width == 0) b.Delete(format::TreeNodeKey(level, n / width - 1));
  }
  ASSERT_TRUE(db->Write({}, &b).ok());
  ASSERT_TRUE(db->Flush({}).ok());
}

TEST_F(StoreDamageTest, LastEventRemovedCleanlyIsCaughtWithoutAnEarlierHead) {
  const std::string dir = dir_.Sub("d");
  {
    auto s = Open(dir);
    AppendSynced(s.get(), "a", 4);  // 12 events: the last completes (2, 2)
  }
  RemoveLastEventCleanly(dir, 12);
  absl::Status s = OpenStatus(dir, true);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("11:"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("12:"));
  // The command line: verify and head both refuse, without --head.
  auto v = RunCarelog(absl::StrCat("verify --store ", dir), dir_);
  EXPECT_EQ(v.status, 1) << v.out << v.err;
  EXPECT_THAT(v.err, HasSubstr("damaged"));
  auto h = RunCarelog(absl::StrCat("head --store ", dir), dir_);
  EXPECT_NE(h.status, 0) << h.out;
  EXPECT_EQ(h.out, "");
}

// --- Point 4: verify reads every byte; head of a store missing its end ---

TEST_F(StoreDamageTest, HeadOfAStoreMissingItsLastRecordFails) {
  // Without a head file to compare (a store written before it existed): the
  // record alone is gone; its index keys and tree leaf remain.
  const std::string dir = dir_.Sub("d");
  {
    auto s = Open(dir);
    AppendSynced(s.get(), "a", 4);
  }
  fs::remove(fs::path(dir) / kHeadFileName);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete({}, format::RecordKey(12)).ok());
  }
  auto h = RunCarelog(absl::StrCat("head --store ", dir), dir_);
  EXPECT_EQ(h.status, 1) << h.out;
  EXPECT_EQ(h.out, "");
  EXPECT_THAT(h.err, HasSubstr("position 12"));
  auto v = RunCarelog(absl::StrCat("verify --store ", dir), dir_);
  EXPECT_EQ(v.status, 1) << v.out;
}

struct Block {
  const char* what;
  uint64_t offset;
};

// Offsets in the middle of a data, filter and index block of a table file
// (block-based table layout: data blocks, then the filter, then the index).
std::vector<Block> BlocksOf(const std::string& sst) {
  rocksdb::Options o;
  rocksdb::SstFileReader reader(o);
  EXPECT_TRUE(reader.Open(sst).ok());
  auto p = reader.GetTableProperties();
  std::vector<Block> out;
  out.push_back({"data", p->data_size / 2});
  if (p->filter_size > 0) out.push_back({"filter", p->data_size + p->filter_size / 2});
  out.push_back({"index", p->data_size + p->filter_size + (p->filter_size > 0 ? 5 : 0) +
                              p->index_size / 2});
  return out;
}

TEST_F(StoreDamageTest, ByteFlipInAnyBlockOfATableFileFailsVerify) {
  const std::string original = dir_.Sub("sst");
  {
    auto s = Open(original);
    AppendSynced(s.get(), "a", 40);
  }  // closed: flushed into a table file
  std::vector<std::string> tables = Files(original, ".sst");
  ASSERT_FALSE(tables.empty());
  int trial = 0;
  for (const std::string& table : tables) {
    for (const Block& b : BlocksOf(table)) {
      SCOPED_TRACE(absl::StrCat(b.what, " block of ", fs::path(table).filename().string(),
                                " at ", b.offset));
      const std::string dir = dir_.Sub(absl::StrCat("flip", trial++));
      fs::copy(original, dir, fs::copy_options::recursive);
      FlipByte((fs::path(dir) / fs::path(table).filename()).string(), b.offset);
      StoreOptions o;
      o.create_if_missing = false;
      auto s = EventStoreReader::Open(dir, o);
      if (!s.ok()) {
        EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
        continue;
      }
      auto r = (*s)->Verify();
      EXPECT_TRUE(!r.ok() || !r->ok) << "verify passed a table file with a flipped byte";
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
      }
      // And a backup of it is refused.
      auto m = BackupStore(**s, dir + "-backup");
      EXPECT_FALSE(m.ok()) << "backup accepted a table file with a flipped byte";
    }
  }
  EXPECT_GE(trial, 3);
}

}  // namespace
}  // namespace carelog
