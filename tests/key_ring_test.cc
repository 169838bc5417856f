// KeyRing and RewrapDataKeys (store/internal/key_ring.h): a stream's data key
// is created once, in the caller's write, stored only wrapped, found again
// after reopening; another master key or a tampered value is named, nothing
// served; rotation re-wraps every key in one write or none; and a destroyed
// key is gone from every file, so what it sealed cannot be opened again.
#include "store/internal/key_ring.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/event_store.h"
#include "store/internal/store_internals.h"
#include "store/master_key.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::AnyFileHolds;

using internal::DataKeyKey;
using internal::DataKeyRange;
using internal::KeyRing;
using internal::RewrapDataKeys;
using internal::StoreInternals;
using ::testing::HasSubstr;

SecretKey NewKey() { return std::move(SecretKey::Generate()).value(); }

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto store = EventStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  rocksdb::DB* Db() { return StoreInternals::Db(*store_); }
  void Write(rocksdb::WriteBatch* batch) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(Db()->Write(wo, batch).ok());
  }
  // A data key made for `stream` under `master` and written.
  std::string Create(const SecretKey& master, const std::string& stream) {
    KeyRing ring(Db(), master.Copy());
    std::string wrapped;
    auto key = ring.FindOrCreate(stream, &wrapped);
    EXPECT_TRUE(key.ok()) << key.status();
    EXPECT_FALSE(wrapped.empty());
    rocksdb::WriteBatch batch;
    batch.Put(DataKeyKey(stream), wrapped);
    Write(&batch);
    ring.CommitPending();
    return key.ok() ? std::string((*key)->bytes()) : std::string();
  }

  testing::TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(KeyRingTest, AKeyIsCreatedOnceInTheCallersWriteAndStoredOnlyWrapped) {
  const SecretKey master = NewKey();
  KeyRing ring(Db(), master.Copy());
  EXPECT_EQ(ring.Find("C-1").status().code(), absl::StatusCode::kNotFound);

  std::string wrapped;
  auto first = ring.FindOrCreate("C-1", &wrapped);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(wrapped.size(), kWrappedDataKeyBytes);
  // Same commit group: the same key, nothing more to write.
  std::string none;
  auto again = ring.FindOrCreate("C-1", &none);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_TRUE(none.empty());
  const std::string key_bytes((*first)->bytes());
  // Not written until the caller writes: another ring does not see it.
  EXPECT_EQ(KeyRing(Db(), master.Copy()).Find("C-1").status().code(), absl::StatusCode::kNotFound);
  // A write that failed: the key is dropped, the next call makes another.
  ring.DropPending();
  std::string retry;
  auto second = ring.FindOrCreate("C-1", &retry);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(retry.empty());
  EXPECT_NE((*second)->bytes(), key_bytes);
  const std::string written_key((*second)->bytes());
  rocksdb::WriteBatch batch;
  batch.Put(DataKeyKey("C-1"), retry);
  Write(&batch);
  ring.CommitPending();
  ASSERT_TRUE(Db()->Flush(rocksdb::FlushOptions()).ok());

  Reopen();
  KeyRing reopened(Db(), master.Copy());
  auto found = reopened.Find("C-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ((*found)->bytes(), written_key);
  // Streams have keys of their own.
  EXPECT_NE(Create(master, "C-2"), written_key);
  // Never in clear in any file of the store; the wrapped value is.
  EXPECT_FALSE(AnyFileHolds(dir_.path(), written_key));
  std::string stored;
  ASSERT_TRUE(Db()->Get(rocksdb::ReadOptions(), DataKeyKey("C-1"), &stored).ok());
  EXPECT_EQ(stored, retry);
}

TEST_F(KeyRingTest, AnotherMasterKeyOrATamperedValueIsNamedAndNothingServed) {
  const SecretKey master = NewKey();
  Create(master, "C-1");
  const SecretKey other = NewKey();
  auto wrong = KeyRing(Db(), other.Copy()).Find("C-1");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied) << wrong.status();
  EXPECT_THAT(wrong.status().message(), HasSubstr(MasterKeyId(master)));
  EXPECT_THAT(wrong.status().message(), HasSubstr(MasterKeyId(other)));
  // FindOrCreate must not paper over it with a new key.
  std::string wrapped_new;
  EXPECT_EQ(KeyRing(Db(), other.Copy()).FindOrCreate("C-1", &wrapped_new).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(wrapped_new.empty());

  std::string wrapped;
  ASSERT_TRUE(Db()->Get(rocksdb::ReadOptions(), DataKeyKey("C-1"), &wrapped).ok());
  wrapped[wrapped.size() - 5] ^= 0x01;
  ASSERT_TRUE(Db()->Put(rocksdb::WriteOptions(), DataKeyKey("C-1"), wrapped).ok());
  auto tampered = KeyRing(Db(), master.Copy()).Find("C-1");
  EXPECT_EQ(tampered.status().code(), absl::StatusCode::kDataLoss) << tampered.status();
  // Moved to another stream's key: it does not open there either.
  wrapped[wrapped.size() - 5] ^= 0x01;
  ASSERT_TRUE(Db()->Put(rocksdb::WriteOptions(), DataKeyKey("C-9"), wrapped).ok());
  EXPECT_EQ(KeyRing(Db(), master.Copy()).Find("C-9").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyRingTest, RotationRewrapsEveryKeyOrNone) {
  const SecretKey old_master = NewKey();
  std::string keys[3];
  for (int i = 0; i < 3; ++i) keys[i] = Create(old_master, absl::StrCat("C-", i));
  const SecretKey new_master = NewKey();

  rocksdb::WriteBatch batch;
  auto report = RewrapDataKeys(Db(), old_master, new_master, &batch);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->keys, 3u);
  EXPECT_EQ(batch.Count(), 3u);
  Write(&batch);
  KeyRing after(Db(), new_master.Copy());
  for (int i = 0; i < 3; ++i) {
    auto k = after.Find(absl::StrCat("C-", i));
    ASSERT_TRUE(k.ok()) << k.status();
    EXPECT_EQ((*k)->bytes(), keys[i]) << "rotation changes the wrapping, not the data key";
    EXPECT_EQ(KeyRing(Db(), old_master.Copy()).Find(absl::StrCat("C-", i)).status().code(),
              absl::StatusCode::kPermissionDenied);
  }

  // One key that does not unwrap under the key given: nothing is re-wrapped.
  std::string wrapped;
  ASSERT_TRUE(Db()->Get(rocksdb::ReadOptions(), DataKeyKey("C-1"), &wrapped).ok());
  wrapped.back() ^= 0x01;
  ASSERT_TRUE(Db()->Put(rocksdb::WriteOptions(), DataKeyKey("C-1"), wrapped).ok());
  const SecretKey third = NewKey();
  rocksdb::WriteBatch none;
  auto refused = RewrapDataKeys(Db(), new_master, third, &none);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss) << refused.status();
  EXPECT_EQ(none.Count(), 0u);
  EXPECT_TRUE(KeyRing(Db(), new_master.Copy()).Find("C-0").ok());
  EXPECT_TRUE(KeyRing(Db(), new_master.Copy()).Find("C-2").ok());
  EXPECT_EQ(KeyRing(Db(), third.Copy()).Find("C-0").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(KeyRingTest, ADestroyedKeyIsGoneFromEveryFileAndWhatItSealedStaysSealed) {
  const SecretKey master = NewKey();
  Create(master, "C-1");
  Create(master, "C-2");
  KeyRing ring(Db(), master.Copy());
  auto key = ring.Find("C-1");
  ASSERT_TRUE(key.ok());
  auto sealed = internal::SealPayload(**key, "C-1", "e1", "Zebedee Quillfeather-Marlowe, born 17 April 2009");
  ASSERT_TRUE(sealed.ok());
  std::string wrapped;
  ASSERT_TRUE(Db()->Get(rocksdb::ReadOptions(), DataKeyKey("C-1"), &wrapped).ok());
  ASSERT_TRUE(AnyFileHolds(dir_.path(), wrapped));

  ASSERT_TRUE(internal::ShredRanges(Db(), {DataKeyRange("C-1")}).ok());
  ring.Forget("C-1");

  EXPECT_FALSE(AnyFileHolds(dir_.path(), wrapped)) << "the wrapped key survived in a file";
  EXPECT_EQ(ring.Find("C-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(ring.Find("C-2").ok()) << "the range took its neighbour";
  // A new key for the stream (were it ever created again) opens nothing old.
  std::string fresh_wrapped;
  auto fresh = ring.FindOrCreate("C-1", &fresh_wrapped);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(internal::OpenPayload(**fresh, "C-1", "e1", *sealed).ok());
  // And the payload is bound to its stream and id.
  auto c2 = ring.Find("C-2");
  ASSERT_TRUE(c2.ok());
  auto s2 = internal::SealPayload(**c2, "C-2", "e2", "text");
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(internal::OpenPayload(**c2, "C-2", "e2", *s2).ok());
  EXPECT_EQ(internal::OpenPayload(**c2, "C-2", "e3", *s2).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace carelog
