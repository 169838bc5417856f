// EventStore::Erase (store/internal/erasure.h): the erasure's record and the
// stream's marker in one write, then the data key and the named checkpoints
// shredded. Afterwards the stream's records read back erased through every
// read (a whole-log scan no longer stops at them), no file holds the
// stream's text, its key or its checkpoints, verify and every earlier proof
// hold, appends to it are refused, and a shredding cut short is finished by
// the next read-write open; a damaged marker is named and the store refused.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/internal/erasure.h"
#include "store/internal/key_ring.h"
#include "store/internal/store_internals.h"
#include "store/merkle.h"
#include "store/sealing.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::AnyFileHolds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kName[] = "Zebedee Quillfeather-Marlowe, born 17 April 2009";
constexpr char kOther[] = "Ottoline Brackenbury-Vance, born 2 November 2011";
constexpr char kCheckpointText[] = "Zebedee's checkpointed fold";

std::string Payload(const char* who, int i) { return absl::StrCat(who, " (entry ", i, ")"); }

class ErasureTest : public ::testing::Test {
 protected:
  ErasureTest() : master_(std::move(SecretKey::Generate()).value()) {}

  std::unique_ptr<EventStore> Open() {
    StoreOptions o;
    o.master_key = &master_;
    auto store = EventStore::Open(dir_.path(), o);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // Ten records of C-1 (kName) and ten of C-2 (kOther), interleaved, and a
  // checkpoint of each.
  void Fill(EventStore* store) {
    for (int i = 0; i < 10; ++i) {
      AppendRequest req;
      req.records.push_back({"C-1", absl::StrCat("a", i), Payload(kName, i)});
      req.records.push_back({"C-2", absl::StrCat("b", i), Payload(kOther, i)});
      ASSERT_TRUE(store->Append(std::move(req)).ok());
    }
    ASSERT_TRUE(store->PutCheckpoints({{"fold/C-1", kCheckpointText}, {"fold/C-2", kOther}}).ok());
  }
  NewRecord ErasureRecord() { return {"$erasures", "erase-C-1", "C-1 erased: 10 records"}; }

  testing::TempDir dir_;
  SecretKey master_;
};

TEST_F(ErasureTest, TheStreamReadsBackErasedAndNoFileHoldsItsTextWhileEveryProofHolds) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(store.get());
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
  // What the files would show if the checkpoint were in clear: its sealed value.
  std::string sealed_checkpoint;
  ASSERT_TRUE(
      db->Get(rocksdb::ReadOptions(), format::CheckpointKey("fold/C-1"), &sealed_checkpoint).ok());
  ASSERT_TRUE(AnyFileHolds(dir_.path(), wrapped)) << "the test cannot see the key in the files";

  auto erased = store->Erase("C-1", ErasureRecord(), {"fold/C-1"});
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->positions, std::vector<uint64_t>{21});

  // At once, in this process: every read.
  auto stream = store->ReadStream("C-1");
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_EQ(stream->size(), 10u);
  for (const StoredRecord& r : *stream) {
    EXPECT_TRUE(r.erased);
    EXPECT_TRUE(r.payload.empty());
    EXPECT_FALSE(r.sealed_payload.empty());
  }
  uint64_t scanned = 0, scanned_erased = 0;
  ASSERT_TRUE(store
                  ->ScanLog(1,
                            [&](const StoredRecord& r) {
                              ++scanned;
                              if (r.erased) ++scanned_erased;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(scanned, 21u);
  EXPECT_EQ(scanned_erased, 10u);
  EXPECT_EQ(store->ReadPosition(21)->payload, "C-1 erased: 10 records");
  EXPECT_THAT(*store->Streams(), ElementsAre("C-2"));
  EXPECT_THAT(*store->ErasedStreams(), ElementsAre("C-1"));
  EXPECT_EQ(store->GetCheckpoint("fold/C-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store->GetCheckpoint("fold/C-2"), kOther);

  // No copy of the key, the payloads or the checkpoint in any file; C-2's
  // key is still there.
  EXPECT_FALSE(AnyFileHolds(dir_.path(), wrapped)) << "the wrapped key survived in a file";
  EXPECT_FALSE(AnyFileHolds(dir_.path(), sealed_checkpoint)) << "the checkpoint survived";
  std::string other_wrapped;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), internal::DataKeyKey("C-2"), &other_wrapped).ok());
  EXPECT_TRUE(AnyFileHolds(dir_.path(), other_wrapped)) << "the other case's key went too";

  // The log: verify passes, the old head is a prefix, the old proof holds.
  auto v = store->Verify();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  auto root_then = store->RootAt(head_before->size);
  ASSERT_TRUE(root_then.ok());
  EXPECT_EQ(*root_then, head_before->root);
  EXPECT_TRUE(merkle::VerifyInclusion(2, head_before->size, leaf_hash, *proof_before, *root_then));
  auto consistency = store->ConsistencyProof(head_before->size, 21);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(merkle::VerifyConsistency(head_before->size, 21, head_before->root,
                                        store->Head()->root, *consistency));

  // Nothing more goes into C-1, under any key; C-2 goes on.
  AppendRequest more;
  more.records.push_back({"C-1", "a10", Payload(kName, 10)});
  auto refused = store->Append(std::move(more));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("erased"));
  AppendRequest other;
  other.records.push_back({"C-2", "b10", Payload(kOther, 10)});
  ASSERT_TRUE(store->Append(std::move(other)).ok());

  // Reopened, the same.
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->ReadStream("C-1")->front().erased);
  EXPECT_EQ(store->ReadStream("C-2")->back().payload, Payload(kOther, 10));
  AppendRequest again;
  again.records.push_back({"C-1", "a11", Payload(kName, 11)});
  EXPECT_EQ(store->Append(std::move(again)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Erase("C-1", {"$erasures", "erase-C-1-again", "again"}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(AnyFileHolds(dir_.path(), "Zebedee"));
}

TEST_F(ErasureTest, RefusalsChangeNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(store.get());
  const uint64_t last = store->LastPosition();
  EXPECT_EQ(store->Erase("C-9", {"$erasures", "e9", "x"}, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store->Erase("C-1", {"C-1", "e1", "x"}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->LastPosition(), last);
  EXPECT_TRUE(store->ErasedStreams()->empty());
  EXPECT_EQ(store->ReadStream("C-1")->front().payload, Payload(kName, 0));

  // A plain store cannot erase: it must be migrated first.
  testing::TempDir plain_dir;
  auto plain = EventStore::Open(plain_dir.path());
  ASSERT_TRUE(plain.ok());
  AppendRequest req;
  req.records.push_back({"C-1", "a0", Payload(kName, 0)});
  ASSERT_TRUE((*plain)->Append(std::move(req)).ok());
  auto refused = (*plain)->Erase("C-1", ErasureRecord(), {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("migrate"));
  EXPECT_EQ((*plain)->LastPosition(), 1u);
}

TEST_F(ErasureTest, AShreddingCutShortIsFinishedByTheNextOpen) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(store.get());
  std::string wrapped;
  rocksdb::DB* db = internal::StoreInternals::Db(*store);
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), internal::DataKeyKey("C-1"), &wrapped).ok());
  // As if the process died right after the erasure's write: the marker and
  // the record are stored, nothing is shredded.
  internal::ErasureMarker marker;
  marker.stream = "C-1";
  marker.checkpoints = {"fold/C-1"};
  AppendRequest req;
  req.records.push_back(ErasureRecord());
  ASSERT_TRUE(store->Append(std::move(req)).ok());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(db->Put(wo, internal::ErasureMarkerKey("C-1"),
                      internal::EncodeErasureMarker(marker)).ok());
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  store.reset();
  ASSERT_TRUE(AnyFileHolds(dir_.path(), wrapped));

  // A read-only open changes nothing, but already reads the stream erased.
  StoreOptions ro;
  ro.master_key = &master_;
  auto reader = EventStoreReader::Open(dir_.path(), ro);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->ReadStream("C-1")->front().erased);
  reader->reset();

  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(AnyFileHolds(dir_.path(), wrapped)) << "the open did not finish the shredding";
  EXPECT_EQ(store->GetCheckpoint("fold/C-1").status().code(), absl::StatusCode::kNotFound);
  auto markers = internal::ReadErasureMarkers(internal::StoreInternals::Db(*store));
  ASSERT_TRUE(markers.ok());
  ASSERT_EQ(markers->size(), 1u);
  EXPECT_TRUE((*markers)[0].shredded);
  EXPECT_THAT((*markers)[0].checkpoints, ElementsAre("fold/C-1"));
  EXPECT_TRUE(store->Verify()->ok);
}

TEST_F(ErasureTest, ADamagedMarkerIsNamedAndTheStoreIsNotOpened) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Fill(store.get());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(internal::StoreInternals::Db(*store)
                  ->Put(wo, internal::ErasureMarkerKey("C-1"), "X\x05" "ab")
                  .ok());
  store.reset();
  StoreOptions o;
  o.master_key = &master_;
  auto reopened = EventStore::Open(dir_.path(), o);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(reopened.status().message(), HasSubstr("erasure marker of stream 'C-1'"));
}

}  // namespace
}  // namespace carelog
