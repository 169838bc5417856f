// MigrateToSealed (store/migrate.h): a plain store copied into a new
// encrypted one keeps every record's position, stream, version, id, recorded
// time and payload and every setting; both verify; the mapping of heads is
// recorded; nothing of a payload is in the new store's files; the old store
// is left as it was; and a store already encrypted, or a target that holds
// anything, is refused.
#include "store/migrate.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/base/clock.h"
#include "store/internal/store_internals.h"
#include "store/merkle.h"
#include "store/sealing.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::AnyFileHolds;

using ::testing::HasSubstr;

std::vector<StoredRecord> All(const EventStoreReader& store) {
  std::vector<StoredRecord> out;
  EXPECT_TRUE(store.ScanLog(1, [&](const StoredRecord& r) {
                     out.push_back(r);
                     return true;
                   }).ok());
  return out;
}

class MigrateTest : public ::testing::Test {
 protected:
  MigrateTest() : master_(std::move(SecretKey::Generate()).value()) {}
  void SetUp() override {
    FakeClock clock(absl::FromUnixSeconds(1700000000));
    StoreOptions o;
    o.clock = &clock;
    auto store = EventStore::Open(from(), o);
    ASSERT_TRUE(store.ok());
    // Groups at three different times, one of them large (several copies'
    // groups), with an idempotent repeat that stores nothing.
    for (int g = 0; g < 3; ++g) {
      clock.Advance(absl::Hours(1 + g));
      AppendRequest req;
      const int n = g == 1 ? 12000 : 3;
      for (int i = 0; i < n; ++i) {
        req.records.push_back({absl::StrCat("C-", i % 7), absl::StrCat("e", g, "-", i),
                               absl::StrCat("Zebedee Quillfeather-Marlowe entry ", g, "/", i)});
      }
      ASSERT_TRUE((*store)->Append(std::move(req)).ok());
    }
    ASSERT_TRUE((*store)->PutSetting("pack", "scotland").ok());
    old_head_ = *(*store)->Head();
  }
  std::string from() const { return dir_.Sub("plain"); }
  std::string to() const { return dir_.Sub("sealed"); }

  testing::TempDir dir_;
  SecretKey master_;
  TreeHead old_head_;
};

TEST_F(MigrateTest, TheCopyKeepsEveryRecordAndSettingAndRecordsTheMapping) {
  auto report = MigrateToSealed(from(), to(), master_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->records, 12006u);
  EXPECT_EQ(report->settings, 1u);
  EXPECT_EQ(report->old_head.root, old_head_.root);
  EXPECT_NE(report->new_head.root, old_head_.root) << "sealed leaves cannot hash the same";

  StoreOptions plain;
  plain.create_if_missing = false;
  auto old_store = EventStoreReader::Open(from(), plain);
  ASSERT_TRUE(old_store.ok());
  EXPECT_EQ((*old_store)->Head()->root, old_head_.root) << "the old store changed";
  StoreOptions keyed = plain;
  keyed.master_key = &master_;
  auto new_store = EventStoreReader::Open(to(), keyed);
  ASSERT_TRUE(new_store.ok()) << new_store.status();
  EXPECT_TRUE((*new_store)->encrypted());

  const std::vector<StoredRecord> a = All(**old_store), b = All(**new_store);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(b[i].position, a[i].position);
    EXPECT_EQ(b[i].stream, a[i].stream);
    EXPECT_EQ(b[i].version, a[i].version);
    EXPECT_EQ(b[i].id, a[i].id);
    EXPECT_EQ(b[i].recorded_at_micros, a[i].recorded_at_micros);
    EXPECT_EQ(b[i].payload, a[i].payload);
  }
  EXPECT_EQ(*(*new_store)->GetSetting("pack"), "scotland");
  auto v = (*new_store)->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->head.root, report->new_head.root);

  std::string mapping;
  ASSERT_TRUE(internal::StoreInternals::Db(**new_store)
                  ->Get(rocksdb::ReadOptions(), format::MetaKey(kMigratedFromMeta), &mapping)
                  .ok());
  EXPECT_EQ(mapping, report->mapping);
  EXPECT_THAT(mapping, HasSubstr(absl::StrCat("plain 12006:", merkle::ToHex(old_head_.root),
                                              " -> 12006:",
                                              merkle::ToHex(report->new_head.root))));
  new_store->reset();
  EXPECT_FALSE(AnyFileHolds(to(), "Zebedee"));
  EXPECT_TRUE(AnyFileHolds(from(), "Zebedee")) << "the test cannot see the old store's text";
}

TEST_F(MigrateTest, AnEncryptedSourceOrATargetThatHoldsAnythingIsRefused) {
  std::filesystem::create_directories(to());
  testing::WriteFile(dir_.Sub("sealed/notes.txt"), "mine");
  auto busy = MigrateToSealed(from(), to(), master_);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kFailedPrecondition) << busy.status();
  EXPECT_THAT(busy.status().message(), HasSubstr("not empty"));

  ASSERT_TRUE(MigrateToSealed(from(), dir_.Sub("once"), master_).ok());
  auto twice = MigrateToSealed(dir_.Sub("once"), dir_.Sub("twice"), master_);
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition) << twice.status();
  EXPECT_THAT(twice.status().message(), HasSubstr("already encrypted"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("twice")));
}

}  // namespace
}  // namespace carelog
