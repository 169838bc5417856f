// ShredRanges (store/internal/shred.h): after it, no byte of a shredded
// value is in any file of the store directory — tables at every level, the
// write-ahead log, MANIFEST, anything — while the values beside it still
// are, the log still verifies, and the store reopens.
#include "store/internal/shred.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/internal/store_internals.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using internal::KeyRange;
using internal::ShredRanges;
using internal::StoreInternals;
using testing::FilesHolding;

// Distinctive text a case's free-text field might hold: a name and a date of
// birth. Each value spells it out whole, with its number, so a compressed
// block still holds it literally at least once.
constexpr char kErased[] = "Zebedee Quillfeather-Marlowe, born 17 April 2009";
constexpr char kKept[] = "Ottoline Brackenbury-Vance, born 2 November 2011";

std::string Key(const std::string& stream, int i) {
  return absl::StrCat("D", stream, "/", 1000 + i);
}

class ShredTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EventStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    // Some records in the log, so there is a chain to verify.
    AppendRequest req;
    for (int i = 0; i < 3; ++i) req.records.push_back({"C-2", absl::StrCat("e", i), "payload"});
    ASSERT_TRUE(store_->Append(std::move(req)).ok());
  }

  rocksdb::DB* Db() { return StoreInternals::Db(*store_); }

  // Values of both streams, spread over a table pushed to the bottom level,
  // a newer table at level 0, and the memtable (so the write-ahead log).
  void WriteBothStreamsEverywhere() {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    int i = 0;
    for (int round = 0; round < 3; ++round) {
      for (int k = 0; k < 20; ++k, ++i) {
        ASSERT_TRUE(Db()->Put(wo, Key("C-1", i), absl::StrCat(kErased, " #", i)).ok());
        ASSERT_TRUE(Db()->Put(wo, Key("C-2", i), absl::StrCat(kKept, " #", i)).ok());
      }
      if (round == 0) {
        ASSERT_TRUE(Db()->Flush(rocksdb::FlushOptions()).ok());
        ASSERT_TRUE(Db()->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
      } else if (round == 1) {
        ASSERT_TRUE(Db()->Flush(rocksdb::FlushOptions()).ok());
      }
    }
    written_ = i;
  }

  testing::TempDir dir_;
  std::unique_ptr<EventStore> store_;
  int written_ = 0;
};

TEST_F(ShredTest, NoByteOfAShreddedRangeIsLeftInAnyFile) {
  WriteBothStreamsEverywhere();
  // The test can see the text where it is: before, both are on disk.
  ASSERT_FALSE(FilesHolding(dir_.path(), kErased).empty());
  ASSERT_FALSE(FilesHolding(dir_.path(), kKept).empty());

  ASSERT_TRUE(ShredRanges(Db(), {KeyRange{"DC-1/", "DC-1/\xff"}}).ok());

  EXPECT_EQ(FilesHolding(dir_.path(), kErased), std::vector<std::string>())
      << "a file still holds the shredded text";
  EXPECT_FALSE(FilesHolding(dir_.path(), kKept).empty()) << "the other stream's text went too";
  std::string value;
  for (int i = 0; i < written_; ++i) {
    EXPECT_TRUE(Db()->Get(rocksdb::ReadOptions(), Key("C-1", i), &value).IsNotFound()) << i;
    ASSERT_TRUE(Db()->Get(rocksdb::ReadOptions(), Key("C-2", i), &value).ok()) << i;
    EXPECT_EQ(value, absl::StrCat(kKept, " #", i));
  }
  auto v = store_->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;

  // Reopened (the write-ahead log replayed), nothing comes back.
  store_.reset();
  auto again = EventStore::Open(dir_.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->LastPosition(), 3u);
  EXPECT_TRUE(StoreInternals::Db(**again)
                  ->Get(rocksdb::ReadOptions(), Key("C-1", 0), &value)
                  .IsNotFound());
  EXPECT_EQ(FilesHolding(dir_.path(), kErased), std::vector<std::string>());
}

TEST_F(ShredTest, ARangeThatEndsBeforeItBeginsIsRefusedAndNothingIsDeleted) {
  WriteBothStreamsEverywhere();
  const absl::Status s = ShredRanges(Db(), {KeyRange{"DC-1/", "DC-1/\xff"}, KeyRange{"DC-2/", "DC-2/"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  std::string value;
  EXPECT_TRUE(Db()->Get(rocksdb::ReadOptions(), Key("C-1", 0), &value).ok());
  EXPECT_FALSE(FilesHolding(dir_.path(), kErased).empty());
}

}  // namespace
}  // namespace carelog
