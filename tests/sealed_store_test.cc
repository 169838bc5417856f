// A sealed store (StoreOptions::master_key; issue 19's encryption at rest):
// payloads reach no file in clear, read back as they were appended, through
// every read; idempotent retries still compare content; the bulk path seals
// too; the store refuses to open without its master key or with another;
// and once a stream's data key is shredded its payloads cannot be read while
// verify, the head and a proof made before still hold.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/bulk_loader.h"
#include "store/event_store.h"
#include "store/internal/key_ring.h"
#include "store/internal/shred.h"
#include "store/internal/store_internals.h"
#include "store/master_key.h"
#include "store/merkle.h"
#include "store/sealing.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::AnyFileHolds;

using ::testing::HasSubstr;

constexpr char kName[] = "Zebedee Quillfeather-Marlowe, born 17 April 2009";
constexpr char kOther[] = "Ottoline Brackenbury-Vance, born 2 November 2011";

std::string Payload(const char* who, int i) { return absl::StrCat(who, " (entry ", i, ")"); }

class SealedStoreTest : public ::testing::Test {
 protected:
  SealedStoreTest() : master_(std::move(SecretKey::Generate()).value()) {}

  StoreOptions Options(const SecretKey* key) {
    StoreOptions o;
    o.master_key = key;
    return o;
  }
  std::unique_ptr<EventStore> OpenSealed() {
    auto store = EventStore::Open(dir_.path(), Options(&master_));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // Ten records of C-1 (kName) and ten of C-2 (kOther), interleaved.
  void AppendBoth(EventStore* store) {
    for (int i = 0; i < 10; ++i) {
      AppendRequest req;
      req.records.push_back({"C-1", absl::StrCat("a", i), Payload(kName, i)});
      req.records.push_back({"C-2", absl::StrCat("b", i), Payload(kOther, i)});
      ASSERT_TRUE(store->Append(std::move(req)).ok());
    }
  }

  testing::TempDir dir_;
  SecretKey master_;
};

TEST_F(SealedStoreTest, PayloadsReachNoFileInClearAndReadBackThroughEveryRead) {
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  AppendBoth(store.get());
  ASSERT_TRUE(internal::StoreInternals::Db(*store)->Flush(rocksdb::FlushOptions()).ok());
  EXPECT_FALSE(AnyFileHolds(dir_.path(), "Zebedee")) << "a payload was written in clear";
  EXPECT_FALSE(AnyFileHolds(dir_.path(), "Ottoline"));
  EXPECT_TRUE(AnyFileHolds(dir_.path(), "C-1")) << "the test cannot see the store's files";

  auto stream = store->ReadStream("C-1");
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_EQ(stream->size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ((*stream)[i].payload, Payload(kName, i));
    EXPECT_FALSE((*stream)[i].sealed_payload.empty());
    EXPECT_EQ((*stream)[i].sealed_payload.find("Zebedee"), std::string::npos);
  }
  auto one = store->Lookup("b3");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->payload, Payload(kOther, 3));
  auto at = store->ReadPosition(1);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->payload, Payload(kName, 0));
  int scanned = 0;
  ASSERT_TRUE(store
                  ->ScanLog(1,
                            [&](const StoredRecord& r) {
                              EXPECT_EQ(r.payload, Payload(r.stream == "C-1" ? kName : kOther,
                                                           (r.position - 1) / 2));
                              ++scanned;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(scanned, 20);

  // The leaf commits to the ciphertext: verify needs no key, and a record's
  // proof checks against the head with the leaf it re-encodes.
  auto v = store->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  auto head = store->Head();
  ASSERT_TRUE(head.ok());
  auto proof = store->InclusionProof(5, head->size);
  ASSERT_TRUE(proof.ok());
  auto rec5 = store->ReadPosition(5);
  ASSERT_TRUE(rec5.ok());
  EXPECT_TRUE(merkle::VerifyInclusion(4, head->size, merkle::LeafHash(format::EncodeLeaf(*rec5)),
                                      *proof, head->root));
  StoredRecord plain = *rec5;
  plain.sealed_payload.clear();  // the plaintext is not what the log holds
  EXPECT_FALSE(merkle::VerifyInclusion(4, head->size,
                                       merkle::LeafHash(format::EncodeLeaf(plain)), *proof,
                                       head->root));

  // A reader beside it, given the key, reads the same.
  store.reset();
  StoreOptions ro = Options(&master_);
  ro.create_if_missing = false;
  auto reader = EventStoreReader::Open(dir_.path(), ro);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto again = (*reader)->ReadStream("C-2");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[9].payload, Payload(kOther, 9));
}

TEST_F(SealedStoreTest, IdempotentRetriesCompareTheContentNotTheCiphertext) {
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  AppendBoth(store.get());
  store.reset();
  store = OpenSealed();  // the retry reads the first from the log, not memory
  AppendRequest same;
  same.records.push_back({"C-1", "a4", Payload(kName, 4)});
  auto r = store->Append(std::move(same));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->already_present[0]);
  EXPECT_EQ(r->positions[0], 9u);
  AppendRequest changed;
  changed.records.push_back({"C-1", "a4", "something else"});
  EXPECT_EQ(store->Append(std::move(changed)).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store->LastPosition(), 20u);
}

TEST_F(SealedStoreTest, TheBulkPathSealsAndStoresTheNewStreamsKeys) {
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  {
    auto loader = store->BeginBulkLoad();
    ASSERT_TRUE(loader.ok());
    AppendRequest req;
    for (int i = 0; i < 5000; ++i) {  // above kMinIngestRecords: ingested as tables
      req.records.push_back({absl::StrCat("C-", i % 50), absl::StrCat("x", i), Payload(kName, i)});
    }
    auto r = (*loader)->AppendNew(std::move(req));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->appended, 5000u);
  }
  EXPECT_FALSE(AnyFileHolds(dir_.path(), "Zebedee"));
  store.reset();
  store = OpenSealed();
  auto s = store->ReadStream("C-49");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 100u);
  EXPECT_EQ(s->back().payload, Payload(kName, 4999));
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// Staged groups (BulkLoader::Stage / Commit): the first group's new streams
// get their data keys, which the second group's records of the same streams
// use; nothing readable is left in any file, and all of it reads back.
TEST_F(SealedStoreTest, AStagedBulkLoadSealsWithTheKeysItsFirstGroupMade) {
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  {
    auto loader = store->BeginBulkLoad();
    ASSERT_TRUE(loader.ok());
    for (int g = 0; g < 2; ++g) {
      AppendRequest req;
      for (int i = 0; i < 3000; ++i) {
        const int n = g * 3000 + i;
        req.records.push_back({absl::StrCat("C-", i % 50), absl::StrCat("x", n), Payload(kName, n)});
      }
      auto r = (*loader)->Stage(std::move(req));
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->appended, 3000u);
    }
    ASSERT_TRUE((*loader)->Commit().ok());
  }
  EXPECT_FALSE(AnyFileHolds(dir_.path(), "Zebedee"));
  store.reset();
  store = OpenSealed();
  auto s = store->ReadStream("C-49");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 120u);
  EXPECT_EQ(s->back().payload, Payload(kName, 5999));
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

TEST_F(SealedStoreTest, WithoutItsMasterKeyOrWithAnotherTheStoreDoesNotOpen) {
  {
    auto store = OpenSealed();
    ASSERT_NE(store, nullptr);
    AppendBoth(store.get());
  }
  const std::string id = MasterKeyId(master_);
  auto none = EventStore::Open(dir_.path());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition) << none.status();
  EXPECT_THAT(none.status().message(), HasSubstr("encrypted"));
  EXPECT_THAT(none.status().message(), HasSubstr(id));
  StoreOptions ro;
  ro.create_if_missing = false;
  EXPECT_EQ(EventStoreReader::Open(dir_.path(), ro).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const SecretKey other = std::move(SecretKey::Generate()).value();
  auto wrong = EventStore::Open(dir_.path(), Options(&other));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied) << wrong.status();
  EXPECT_THAT(wrong.status().message(), HasSubstr(id));
  EXPECT_THAT(wrong.status().message(), HasSubstr(MasterKeyId(other)));

  // With it, everything is still there.
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastPosition(), 20u);
}

TEST_F(SealedStoreTest, APlainStoreWithRecordsRefusesAKeyAndStaysPlain) {
  {
    auto plain = EventStore::Open(dir_.path());
    ASSERT_TRUE(plain.ok());
    AppendRequest req;
    req.records.push_back({"C-1", "p1", "in clear"});
    ASSERT_TRUE((*plain)->Append(std::move(req)).ok());
  }
  auto keyed = EventStore::Open(dir_.path(), Options(&master_));
  EXPECT_EQ(keyed.status().code(), absl::StatusCode::kFailedPrecondition) << keyed.status();
  EXPECT_THAT(keyed.status().message(), HasSubstr("not encrypted"));
  auto plain = EventStore::Open(dir_.path());
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->ReadPosition(1)->payload, "in clear");
}

TEST_F(SealedStoreTest, AShreddedKeyLeavesItsPayloadsUnreadableAndEveryProofValid) {
  auto store = OpenSealed();
  ASSERT_NE(store, nullptr);
  AppendBoth(store.get());
  auto head_before = store->Head();
  ASSERT_TRUE(head_before.ok());
  auto proof_before = store->InclusionProof(3, head_before->size);  // C-1's second record
  ASSERT_TRUE(proof_before.ok());
  auto leaf_before = store->ReadPosition(3);
  ASSERT_TRUE(leaf_before.ok());
  const Hash256 leaf_hash = merkle::LeafHash(format::EncodeLeaf(*leaf_before));
  std::string wrapped;
  rocksdb::DB* db = internal::StoreInternals::Db(*store);
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), internal::DataKeyKey("C-1"), &wrapped).ok());

  ASSERT_TRUE(internal::ShredRanges(db, {internal::DataKeyRange("C-1")}).ok());
  store.reset();  // a store forgets nothing it cached until it is reopened
  store = OpenSealed();
  ASSERT_NE(store, nullptr);

  EXPECT_FALSE(AnyFileHolds(dir_.path(), wrapped)) << "the wrapped key survived in a file";
  auto gone = store->ReadStream("C-1");
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kFailedPrecondition) << gone.status();
  EXPECT_THAT(gone.status().message(), HasSubstr("destroyed"));
  auto kept = store->ReadStream("C-2");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ((*kept)[0].payload, Payload(kOther, 0));

  auto v = store->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  auto head_after = store->Head();
  ASSERT_TRUE(head_after.ok());
  EXPECT_EQ(head_after->root, head_before->root);
  EXPECT_TRUE(merkle::VerifyInclusion(2, head_before->size, leaf_hash, *proof_before,
                                      head_after->root));
  // New records go on: C-2's, and C-1 again under a new key.
  AppendRequest more;
  more.records.push_back({"C-2", "b10", Payload(kOther, 10)});
  ASSERT_TRUE(store->Append(std::move(more)).ok());
  EXPECT_EQ(store->ReadStream("C-2")->back().payload, Payload(kOther, 10));
}

TEST_F(SealedStoreTest, RotationMovesTheStoreToTheNewKeyAndOnlyThatKey) {
  {
    auto store = OpenSealed();
    ASSERT_NE(store, nullptr);
    AppendBoth(store.get());
  }
  const SecretKey next = std::move(SecretKey::Generate()).value();
  const SecretKey stranger = std::move(SecretKey::Generate()).value();
  // Not the store's key: refused, nothing changed.
  EXPECT_EQ(RotateMasterKey(dir_.path(), stranger, next).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_NE(OpenSealed(), nullptr);

  ASSERT_TRUE(RotateMasterKey(dir_.path(), master_, next).ok());
  auto old_key = EventStore::Open(dir_.path(), Options(&master_));
  EXPECT_EQ(old_key.status().code(), absl::StatusCode::kPermissionDenied) << old_key.status();
  EXPECT_THAT(old_key.status().message(), HasSubstr(MasterKeyId(next)));
  auto store = EventStore::Open(dir_.path(), Options(&next));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->ReadStream("C-1")->at(7).payload, Payload(kName, 7));
  AppendRequest more;
  more.records.push_back({"C-3", "c1", Payload(kOther, 1)});
  ASSERT_TRUE((*store)->Append(std::move(more)).ok());
  EXPECT_EQ((*store)->Lookup("c1")->payload, Payload(kOther, 1));
  store->reset();
  // A plain store has nothing to rotate.
  testing::TempDir plain_dir;
  ASSERT_TRUE(EventStore::Open(plain_dir.path()).ok());
  EXPECT_EQ(RotateMasterKey(plain_dir.path(), master_, next).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SealedStoreTest, WithoutItsKeyASealedStoreVerifiesButReadsNothing) {
  Hash256 root{};
  {
    auto store = OpenSealed();
    ASSERT_NE(store, nullptr);
    AppendBoth(store.get());
    root = store->Head()->root;
  }
  StoreOptions o;
  o.create_if_missing = false;
  o.without_master_key = true;
  auto reader = EventStoreReader::Open(dir_.path(), o);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto v = (*reader)->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ((*reader)->Head()->root, root);
  auto read = (*reader)->ReadStream("C-1");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition) << read.status();
  EXPECT_THAT(read.status().message(), HasSubstr("without its master key"));
  EXPECT_EQ((*reader)->Lookup("a1").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*reader)->ScanLog(1, [](const StoredRecord&) { return true; }).ok());
  // Only for reading: a writer still needs the key.
  EXPECT_EQ(EventStore::Open(dir_.path(), o).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SealedStoreTest, CheckpointsAreSealedTooAndOneThatCannotOpenReadsAsAbsent) {
  {
    auto store = OpenSealed();
    ASSERT_NE(store, nullptr);
    AppendBoth(store.get());
    ASSERT_TRUE(store->PutCheckpoints({{"state/case/C-1", kName}, {"state/case/C-2", kOther}}).ok());
    ASSERT_TRUE(internal::StoreInternals::Db(*store)->Flush(rocksdb::FlushOptions()).ok());
    EXPECT_FALSE(AnyFileHolds(dir_.path(), "Zebedee")) << "a checkpoint was written in clear";
    EXPECT_EQ(*store->GetCheckpoint("state/case/C-1"), kName);
    auto at = store->GetCheckpointsAt("C-2", {"state/case/C-2", "state/case/C-9"});
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(at->stream_version, 10u);
    EXPECT_EQ(at->values[0], std::optional<std::string>(kOther));
    EXPECT_EQ(at->values[1], std::nullopt);
    std::vector<std::string> seen;
    ASSERT_TRUE(store
                    ->ScanCheckpoints("state/",
                                      [&](std::string_view name, std::string_view bytes) {
                                        seen.push_back(std::string(name) + "=" + std::string(bytes));
                                        return true;
                                      })
                    .ok());
    EXPECT_EQ(seen, (std::vector<std::string>{absl::StrCat("state/case/C-1=", kName),
                                              absl::StrCat("state/case/C-2=", kOther)}));
    // A checkpoint moved to another name does not open there: absent.
    std::string sealed;
    rocksdb::DB* db = internal::StoreInternals::Db(*store);
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), format::CheckpointKey("state/case/C-1"), &sealed).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), format::CheckpointKey("state/case/C-3"), sealed).ok());
    EXPECT_EQ(store->GetCheckpoint("state/case/C-3").status().code(), absl::StatusCode::kNotFound);
  }
  StoreOptions o;
  o.create_if_missing = false;
  o.without_master_key = true;
  auto reader = EventStoreReader::Open(dir_.path(), o);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->GetCheckpoint("state/case/C-1").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace carelog
