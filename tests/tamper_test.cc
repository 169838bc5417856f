// Tamper evidence: the store is changed behind carelog's back through the
// RocksDB API (as someone with file access could), and Verify must name the
// first broken position and what is wrong. Also: the tree head, proofs from
// the store, building the tree of an old store, and the CLI.
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/event_store.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kEvents = 10;

class TamperTest : public ::testing::Test {
 protected:
  // 10 events over three streams: position p is id "e<p>".
  void SetUp() override {
    auto s = OpenRw();
    for (int p = 1; p <= kEvents; ++p) {
      AppendRequest req;
      req.records.push_back(
          NewRecord{absl::StrCat("C-", p % 3), absl::StrCat("e", p), absl::StrCat("payload ", p)});
      ASSERT_TRUE(s->Append(std::move(req)).ok());
    }
    head_ = *s->Head();
  }

  std::unique_ptr<EventStore> OpenRw() {
    StoreOptions o;
    o.clock = &clock_;
    o.sync = false;
    auto s = EventStore::Open(dir_.path(), o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<EventStoreReader> OpenRo() {
    StoreOptions o;
    auto s = EventStoreReader::Open(dir_.path(), o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Runs fn on the raw RocksDB of the (closed) store.
  void Raw(const std::function<void(rocksdb::DB*)>& fn) {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    fn(db.get());
  }
  static std::string Get(rocksdb::DB* db, const std::string& key) {
    std::string v;
    EXPECT_TRUE(db->Get({}, key, &v).ok()) << key;
    return v;
  }
  static void Put(rocksdb::DB* db, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db->Put({}, key, value).ok());
  }
  static void Delete(rocksdb::DB* db, const std::string& key) {
    ASSERT_TRUE(db->Delete({}, key).ok());
  }
  static StoredRecord Record(rocksdb::DB* db, uint64_t p) {
    return *format::DecodeRecord(Get(db, format::RecordKey(p)));
  }

  VerifyReport Verify() {
    auto s = OpenRo();
    auto r = s->Verify();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyReport{};
  }
  void ExpectBroken(uint64_t position, const std::string& what) {
    VerifyReport r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.position, position) << r.problem;
    EXPECT_THAT(r.problem, HasSubstr(what));
  }

  TempDir dir_;
  FakeClock clock_{T("2024-05-01T12:00:00Z")};
  TreeHead head_;
};

TEST_F(TamperTest, UntouchedStoreVerifies) {
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  auto s = OpenRo();
  auto r = s->Verify([&](uint64_t done, uint64_t total) { progress.emplace_back(done, total); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok) << r->problem;
  EXPECT_EQ(r->events, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(r->head.size, head_.size);
  EXPECT_EQ(r->head.root, head_.root);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(uint64_t{kEvents}, uint64_t{kEvents}));
  EXPECT_EQ(s->Head()->root, head_.root);
}

TEST_F(TamperTest, HeadIsTheRfc9162RootOfTheLeaves) {
  auto s = OpenRo();
  merkle::Frontier f;
  ASSERT_TRUE(s->ScanLog(1, [&](const StoredRecord& r) {
    f.Append(merkle::LeafHash(format::EncodeLeaf(r)));
    return true;
  }).ok());
  EXPECT_EQ(f.Root(), head_.root);
  EXPECT_EQ(head_.size, static_cast<uint64_t>(kEvents));
}

TEST_F(TamperTest, RewrittenPayloadWithRecomputedChecksumBreaksTheChain) {
  Raw([](rocksdb::DB* db) {
    StoredRecord r = Record(db, 4);
    r.payload = "a different story";
    Put(db, format::RecordKey(4), format::EncodeRecord(r));  // valid crc, old chain
  });
  ExpectBroken(4, "hash chain broken");
}

TEST_F(TamperTest, RewrittenPayloadWithRecomputedChainIsCaughtByTheTree) {
  Raw([](rocksdb::DB* db) {
    StoredRecord prev = Record(db, 3);
    StoredRecord r = Record(db, 4);
    r.payload = "a different story";
    r.chain = format::ChainHash(prev.chain, format::EncodeLeaf(r));
    Put(db, format::RecordKey(4), format::EncodeRecord(r));
  });
  ExpectBroken(4, "Merkle subtree (level 0, index 3)");
}

TEST_F(TamperTest, RewrittenLogFromAPositionOnIsCaughtByTheTreeAndAnEarlierHead) {
  Hash256 root3, root5;
  {
    auto s = OpenRo();
    root3 = *s->RootAt(3);
    root5 = *s->RootAt(5);
  }
  // Recompute every chain value from position 4 on: the chain alone is happy.
  Raw([](rocksdb::DB* db) {
    Hash256 chain = Record(db, 3).chain;
    for (uint64_t p = 4; p <= kEvents; ++p) {
      StoredRecord r = Record(db, p);
      if (p == 4) r.payload = "rewritten";
      r.chain = format::ChainHash(chain, format::EncodeLeaf(r));
      chain = r.chain;
      Put(db, format::RecordKey(p), format::EncodeRecord(r));
    }
  });
  ExpectBroken(4, "does not match the records");
  // Recompute the tree too: the store is self-consistent again, and only a
  // head kept elsewhere shows the rewrite.
  Raw([](rocksdb::DB* db) {
    merkle::Frontier f;
    for (uint64_t p = 1; p <= kEvents; ++p) {
      f.Append(merkle::LeafHash(format::EncodeLeaf(Record(db, p))),
               [&](int level, uint64_t index, const Hash256& h) {
                 Put(db, format::TreeNodeKey(level, index),
                     std::string(reinterpret_cast<const char*>(h.data()), 32));
               });
    }
  });
  auto s = OpenRo();
  auto r = s->Verify();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok) << r->problem;
  EXPECT_NE(r->head.root, head_.root);
  EXPECT_FALSE(merkle::VerifyConsistency(kEvents, kEvents, head_.root, r->head.root, {}));
  EXPECT_FALSE(merkle::VerifyConsistency(5, kEvents, root5, r->head.root,
                                         *s->ConsistencyProof(5, kEvents)));
  // Positions 1-3 were not touched: the head of size 3 still holds.
  EXPECT_TRUE(merkle::VerifyConsistency(3, kEvents, root3, r->head.root,
                                        *s->ConsistencyProof(3, kEvents)));
}

TEST_F(TamperTest, FlippedByteIsACorruptRecord) {
  Raw([](rocksdb::DB* db) {
    std::string v = Get(db, format::RecordKey(6));
    v[30] ^= 0x20;
    Put(db, format::RecordKey(6), v);
  });
  ExpectBroken(6, "checksum mismatch");
}

TEST_F(TamperTest, FlippedByteInTheLastRecordStillLetsVerifyRun) {
  Raw([](rocksdb::DB* db) {
    std::string v = Get(db, format::RecordKey(kEvents));
    v[30] ^= 0x20;
    Put(db, format::RecordKey(kEvents), v);
  });
  ExpectBroken(kEvents, "checksum mismatch");
}

TEST_F(TamperTest, DeletedEvent) {
  Raw([](rocksdb::DB* db) { Delete(db, format::RecordKey(5)); });
  ExpectBroken(5, "position 5 is missing");
}

TEST_F(TamperTest, DeletedLastEvent) {
  Raw([](rocksdb::DB* db) { Delete(db, format::RecordKey(kEvents)); });
  ExpectBroken(kEvents, "is stored but the log has only 9 events");
}

TEST_F(TamperTest, SwappedEvents) {
  Raw([](rocksdb::DB* db) {
    const std::string a = Get(db, format::RecordKey(3)), b = Get(db, format::RecordKey(7));
    Put(db, format::RecordKey(3), b);
    Put(db, format::RecordKey(7), a);
  });
  ExpectBroken(3, "record says position 7");
}

TEST_F(TamperTest, DeletedStreamIndexEntry) {
  Raw([](rocksdb::DB* db) {
    StoredRecord r = Record(db, 7);
    Delete(db, format::StreamKey(r.stream, r.version));
  });
  ExpectBroken(7, "stream index entry for 'C-1' version 3 is missing");
}

TEST_F(TamperTest, AlteredStreamIndexEntry) {
  Raw([](rocksdb::DB* db) {
    StoredRecord r = Record(db, 7);
    Put(db, format::StreamKey(r.stream, r.version), format::EncodeFixed64BE(4));
  });
  ExpectBroken(7, "points at position 4, not at this record");
}

TEST_F(TamperTest, StrayStreamIndexEntries) {
  Raw([](rocksdb::DB* db) { Put(db, format::StreamKey("C-1", 9), format::EncodeFixed64BE(4)); });
  ExpectBroken(4, "stream index entry for 'C-1' version 9 points at position 4");
}

TEST_F(TamperTest, StrayStreamIndexEntryOfAnUnknownStream) {
  Raw([](rocksdb::DB* db) { Put(db, format::StreamKey("C-77", 1), format::EncodeFixed64BE(2)); });
  ExpectBroken(2, "'C-77' version 1");
}

TEST_F(TamperTest, DeletedIdIndexEntry) {
  Raw([](rocksdb::DB* db) { Delete(db, format::IdKey("e8")); });
  ExpectBroken(8, "id index entry for 'e8' is missing");
}

TEST_F(TamperTest, AlteredIdIndexEntry) {
  Raw([](rocksdb::DB* db) { Put(db, format::IdKey("e8"), format::EncodeFixed64BE(2)); });
  ExpectBroken(8, "id index entry for 'e8' points at position 2");
}

TEST_F(TamperTest, StrayIdIndexEntry) {
  Raw([](rocksdb::DB* db) { Put(db, format::IdKey("ghost"), format::EncodeFixed64BE(3)); });
  ExpectBroken(3, "'ghost' points at position 3 which holds 'e3'");
}

TEST_F(TamperTest, StrayIdIndexEntryPastTheEnd) {
  Raw([](rocksdb::DB* db) { Put(db, format::IdKey("ghost"), format::EncodeFixed64BE(40)); });
  ExpectBroken(40, "not in the log");
}

TEST_F(TamperTest, DeletedLeafNode) {
  Raw([](rocksdb::DB* db) { Delete(db, format::TreeNodeKey(0, 5)); });
  ExpectBroken(6, "Merkle subtree (level 0, index 5) over positions 6 is missing");
}

TEST_F(TamperTest, DeletedInteriorNode) {
  Raw([](rocksdb::DB* db) { Delete(db, format::TreeNodeKey(2, 1)); });
  ExpectBroken(8, "(level 2, index 1) over positions 5-8 is missing");
}

TEST_F(TamperTest, AlteredInteriorNode) {
  Raw([](rocksdb::DB* db) {
    std::string v = Get(db, format::TreeNodeKey(1, 0));
    v[0] ^= 1;
    Put(db, format::TreeNodeKey(1, 0), v);
  });
  ExpectBroken(2, "stored hash of Merkle subtree (level 1, index 0) over positions 1-2");
}

TEST_F(TamperTest, TruncatedNode) {
  Raw([](rocksdb::DB* db) { Put(db, format::TreeNodeKey(0, 2), "short"); });
  ExpectBroken(3, "(level 0, index 2)");
}

TEST_F(TamperTest, StrayNodePastTheEnd) {
  Raw([](rocksdb::DB* db) { Put(db, format::TreeNodeKey(0, 50), std::string(32, 'x')); });
  ExpectBroken(51, "is stored but the log has only 10 events");
}

TEST_F(TamperTest, DeletedRightEdgeNodeRefusesHeadAndAppends) {
  // Size 10 = 8 + 2: the right edge is (3, 0) and (1, 4).
  Raw([](rocksdb::DB* db) { Delete(db, format::TreeNodeKey(1, 4)); });
  {
    auto s = OpenRw();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->Head().status().code(), absl::StatusCode::kDataLoss);
    AppendRequest req;
    req.records.push_back(NewRecord{"C-1", "e11", "p"});
    auto r = s->Append(std::move(req));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("refusing to append"));
    EXPECT_EQ(s->LastPosition(), static_cast<uint64_t>(kEvents));
  }
  ExpectBroken(10, "(level 1, index 4) over positions 9-10 is missing");
}

TEST_F(TamperTest, AppendsAfterReopenExtendTheTree) {
  {
    auto s = OpenRw();
    for (int p = kEvents + 1; p <= 37; ++p) {
      AppendRequest req;
      req.records.push_back(NewRecord{"C-9", absl::StrCat("e", p), "x"});
      ASSERT_TRUE(s->Append(std::move(req)).ok());
    }
  }
  auto s = OpenRo();
  auto r = s->Verify();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok) << r->problem;
  EXPECT_EQ(r->head.size, 37u);
  EXPECT_EQ(s->Head()->root, r->head.root);
  auto proof = s->ConsistencyProof(kEvents, 37);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(merkle::VerifyConsistency(kEvents, 37, head_.root, r->head.root, *proof));
  EXPECT_EQ(*s->RootAt(kEvents), head_.root);
}

TEST_F(TamperTest, EveryStoreProofVerifies) {
  auto s = OpenRo();
  std::vector<Hash256> roots(kEvents + 1);
  for (uint64_t n = 0; n <= kEvents; ++n) roots[n] = *s->RootAt(n);
  EXPECT_EQ(roots[0], merkle::EmptyRoot());
  for (uint64_t n = 1; n <= kEvents; ++n) {
    for (uint64_t p = 1; p <= n; ++p) {
      auto proof = s->InclusionProof(p, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      auto rec = s->ReadPosition(p);
      EXPECT_TRUE(merkle::VerifyInclusion(p - 1, n, merkle::LeafHash(format::EncodeLeaf(*rec)),
                                          *proof, roots[n]))
          << p << "/" << n;
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = s->ConsistencyProof(m, n);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(merkle::VerifyConsistency(m, n, roots[m], roots[n], *proof));
    }
  }
  EXPECT_EQ(s->InclusionProof(0, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->InclusionProof(6, 5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->InclusionProof(1, 11).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->ConsistencyProof(5, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->ConsistencyProof(5, 11).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->RootAt(11).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TamperTest, StoreWrittenBeforeTheTreeGetsItAtFirstReadWriteOpen) {
  Raw([](rocksdb::DB* db) {
    rocksdb::WriteBatch b;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    for (it->Seek("T"); it->Valid() && it->key().starts_with("T"); it->Next()) {
      b.Delete(it->key());
    }
    b.Delete(format::MetaKey(format::kTreeMeta));
    ASSERT_TRUE(db->Write({}, &b).ok());
  });
  {
    auto s = OpenRo();
    EXPECT_EQ(s->Head().status().code(), absl::StatusCode::kFailedPrecondition);
    auto r = s->Verify();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->ok);
    EXPECT_THAT(r->problem, HasSubstr("no Merkle tree"));
  }
  { ASSERT_NE(OpenRw(), nullptr); }
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.head.root, head_.root);
}

TEST_F(TamperTest, ConcurrentAppendsKeepTheTreeExact) {
  {
    auto s = OpenRw();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          AppendRequest req;
          req.records.push_back(NewRecord{absl::StrCat("T-", t), absl::StrCat("t", t, "-", i), "x"});
          if (i % 3 == 0) req.records.push_back(NewRecord{"shared", absl::StrCat("s", t, "-", i), "y"});
          EXPECT_TRUE(s->Append(std::move(req)).ok());
        }
      });
    }
    for (auto& th : threads) th.join();
    auto head = s->Head();
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->size, s->LastPosition());
  }
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.events, 10u + 400u + 4u * 34u);
}

// --- The command line. ---

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;

TEST(TamperCliTest, VerifyHeadProveAndCheckProof) {
  TempDir dir;
  const std::string store = dir.Sub("store");
  CliRun gen = RunCarelog("gen --children 4 --years 1 --seed 7", dir);
  ASSERT_EQ(gen.status, 0) << gen.err;
  std::vector<std::string> lines;
  {
    std::istringstream in(gen.out);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  ASSERT_GT(lines.size(), 10u);
  const size_t half = lines.size() / 2;
  std::string first_half;
  for (size_t i = 0; i < half; ++i) absl::StrAppend(&first_half, lines[i], "\n");
  std::ofstream(dir.Sub("a.ndjson")) << first_half;
  std::ofstream(dir.Sub("all.ndjson")) << gen.out;

  CliRun imp = RunCarelog(absl::StrCat("import --store ", store, " ", dir.Sub("a.ndjson")), dir);
  ASSERT_EQ(imp.status, 0) << imp.err;
  CliRun head1 = RunCarelog(absl::StrCat("head --store ", store), dir);
  ASSERT_EQ(head1.status, 0) << head1.err;
  const std::string h1 = head1.out.substr(0, head1.out.find('\n'));
  EXPECT_EQ(h1, absl::StrCat(half, ":", h1.substr(h1.find(':') + 1)));
  EXPECT_EQ(h1.size(), std::to_string(half).size() + 1 + 64);

  imp = RunCarelog(absl::StrCat("import --store ", store, " ", dir.Sub("all.ndjson")), dir);
  ASSERT_EQ(imp.status, 0) << imp.err;

  CliRun v = RunCarelog(absl::StrCat("verify --store ", store), dir);
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat("log verified: ", lines.size(), " events, head ",
                                            lines.size(), ":")));
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head ", h1), dir);
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat("extends head ", h1)));

  // A forged earlier head: one hex digit changed.
  std::string forged = h1;
  forged.back() = forged.back() == '0' ? '1' : '0';
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head ", forged), dir);
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("does not extend head"));
  // A head longer than the log.
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head ", lines.size() + 1, ":",
                           h1.substr(h1.find(':') + 1)),
              dir);
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("fewer than"));
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head nonsense"), dir);
  EXPECT_EQ(v.status, 2);

  // prove / check-proof.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(lines[2], m, std::regex("\"eventId\":\"([^\"]+)\"")));
  const std::string id = m[1];
  CliRun proof = RunCarelog(absl::StrCat("prove --store ", store, " ", id), dir);
  ASSERT_EQ(proof.status, 0) << proof.err;
  EXPECT_THAT(proof.out, HasSubstr(absl::StrCat("\"eventId\": \"", id, "\"")));
  EXPECT_THAT(proof.out, HasSubstr("\"position\": 3"));
  EXPECT_THAT(proof.out, HasSubstr("\"leafIndex\": 2"));
  EXPECT_THAT(proof.out, HasSubstr(absl::StrCat("\"treeSize\": ", lines.size())));
  std::ofstream(dir.Sub("proof.json")) << proof.out;
  CliRun check = RunCarelog(absl::StrCat("check-proof ", dir.Sub("proof.json")), dir);
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("proof verified"));
  {
    const std::string cmd = absl::StrCat(CARELOG_BINARY, " check-proof - <", dir.Sub("proof.json"),
                                         " >/dev/null 2>&1");
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << "check-proof from stdin";
  }

  // Edit one hex digit of the audit path, of the leaf, of the root.
  for (const std::string field : {"\"auditPath\": [\n    \"", "\"leaf\": \"", "\"rootHash\": \""}) {
    std::string edited = proof.out;
    const size_t at = edited.find(field);
    ASSERT_NE(at, std::string::npos) << field;
    char& c = edited[at + field.size() + 5];
    c = c == 'a' ? 'b' : 'a';
    std::ofstream(dir.Sub("edited.json")) << edited;
    CliRun bad = RunCarelog(absl::StrCat("check-proof ", dir.Sub("edited.json")), dir);
    EXPECT_EQ(bad.status, 1) << field << bad.out;
    EXPECT_THAT(bad.err, HasSubstr("proof does not verify")) << field;
  }
  {
    std::ofstream(dir.Sub("garbage.json")) << "{\"leaf\": 3";
    CliRun bad = RunCarelog(absl::StrCat("check-proof ", dir.Sub("garbage.json")), dir);
    EXPECT_EQ(bad.status, 1);
  }

  // A proof against the earlier head has that head's root.
  proof = RunCarelog(absl::StrCat("prove --store ", store, " ", id, " --size ", half), dir);
  ASSERT_EQ(proof.status, 0) << proof.err;
  EXPECT_THAT(proof.out, HasSubstr(absl::StrCat("\"rootHash\": \"", h1.substr(h1.find(':') + 1))));
  std::ofstream(dir.Sub("proof1.json")) << proof.out;
  check = RunCarelog(absl::StrCat("check-proof ", dir.Sub("proof1.json")), dir);
  EXPECT_EQ(check.status, 0) << check.err;

  // Tamper with position 5 behind carelog's back (checksum recomputed).
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), store, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get({}, format::RecordKey(5), &value).ok());
    auto rec = format::DecodeRecord(value);
    ASSERT_TRUE(rec.ok());
    rec->payload += "x";
    ASSERT_TRUE(db->Put({}, format::RecordKey(5), format::EncodeRecord(*rec)).ok());
  }
  v = RunCarelog(absl::StrCat("verify --store ", store), dir);
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("log broken at position 5"));
  EXPECT_THAT(v.err, HasSubstr("hash chain broken"));
}

}  // namespace
}  // namespace carelog
