// Opening a store (both kinds) and appending to one. Key layout and record
// format: see record_format.cc. The reads are in event_store_reader.cc, the
// checks at open in internal/open_checks.h and internal/durable_head.h.
//
// Group commit follows LevelDB's DBImpl::Write: appenders queue up; the one at
// the front becomes the leader, takes every queued request, checks each
// against the log as it will stand after the requests before it, writes all
// that pass in one WriteBatch (one fsync), then wakes the others with their
// results. Only the leader touches the tail state (last position, chain,
// version cache), so it needs no lock of its own.
//
// The Merkle tree: the leader also keeps the right edge of the tree (one
// complete-subtree hash per set bit of the size) in memory, loaded at open.
// Each record adds its leaf hash and, amortized, one node hash, and the keys
// of the subtrees it completes go into the same WriteBatch as the record; the
// append path reads nothing. Readers see the edge through a published copy.
#include "store/event_store.h"

#include <deque>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/file_checksum.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "store/bulk_loader.h"
#include "store/head_file.h"
#include "store/internal/append_plan.h"
#include "store/internal/bulk_ingest.h"
#include "store/internal/crc32c_checksum.h"
#include "store/internal/erasure.h"
#include "store/internal/log_reads.h"
#include "store/master_key.h"
#include "store/internal/open_checks.h"
#include "store/internal/store_state.h"
#include "store/internal/store_internals.h"
#include "store/merkle.h"
#include "store/private_files.h"
#include "store/base/status_macros.h"
#include "store/internal/verify.h"

namespace carelog {
namespace {

using internal::DecodeRecordAt;
using internal::FromRocks;
using internal::TreeReader;

std::string HashBytes(const Hash256& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// What an appender is told when its events are stored but the durable head
// file could not be moved over them.
absl::Status HeadNotRecorded(const TreeHead& head, const absl::Status& hs) {
  return absl::Status(
      hs.code(),
      absl::StrCat("the events were stored (the log ends at position ", head.size,
                   " or later) but the store's durable head file could not be updated: ",
                   hs.message(),
                   "; appending the same events again is safe (an event already stored "
                   "is not stored twice)"));
}

// What a broken stage answers every later Stage and its Commit.
absl::Status StageBroken(const internal::BulkStage& stage) {
  return absl::FailedPreconditionError(
      absl::StrCat("an earlier group of this bulk load could not be staged (",
                   stage.broken.message(), "): nothing staged can be committed"));
}

}  // namespace

struct EventStore::Writer {
  AppendRequest* request;
  internal::AppendMode mode;
  absl::StatusOr<AppendResult> result = absl::UnknownError("not run");
  bool done = false;
  absl::CondVar cv;
};

struct EventStore::Writes {
  absl::Mutex mu;
  std::deque<Writer*> writers ABSL_GUARDED_BY(mu);
  // A BulkLoader is open: only its appends are taken (BeginBulkLoad).
  bool bulk_load_open ABSL_GUARDED_BY(mu) = false;
};

EventStore::EventStore(std::string dir, StoreOptions options, std::unique_ptr<rocksdb::DB> db)
    : EventStoreReader(std::move(dir), options, /*read_only=*/false, std::move(db)),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      writes_(std::make_unique<Writes>()) {}

EventStore::~EventStore() {
  if (db_ != nullptr) {
    if (!state_->write_failed.load()) {
      db_->FlushWAL(true).PermitUncheckedError();
      // Leave the memtable in a table file so the next open (often a
      // read-only query right after an import) does not replay the WAL.
      rocksdb::FlushOptions fo;
      fo.wait = true;
      db_->Flush(fo).PermitUncheckedError();
    }
    internal::ReleaseStore(dir_);
  }
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const std::string& dir,
                                                              const StoreOptions& options) {
  std::optional<TreeHead> durable;
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDatabase(dir, options, /*read_only=*/false, &durable));
  std::unique_ptr<EventStore> store(new EventStore(dir, options, std::move(db)));
  RETURN_IF_ERROR(store->Load(durable));
  return store;
}

absl::StatusOr<std::unique_ptr<rocksdb::DB>> EventStoreReader::OpenDatabase(
    const std::string& dir, const StoreOptions& options, bool read_only,
    std::optional<TreeHead>* durable_out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (exists) {
    if (!fs::is_directory(dir, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat("not a carelog store: ", dir, " is not a directory"));
    }
    const bool empty = fs::is_empty(dir, ec);
    if (!empty && !fs::exists(fs::path(dir) / "CURRENT", ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat("not a carelog store: ", dir, " holds other files"));
    }
  } else if (!options.create_if_missing || read_only) {
    return absl::NotFoundError(absl::StrCat("no store at ", dir));
  }

  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing && !read_only;
  ro.paranoid_checks = true;
  // A bad record in the middle of the write-ahead log fails the open instead
  // of ending the replay there (RocksDB's default, point-in-time recovery,
  // opens silently without every record after it). Only an incomplete
  // record at the very end is passed over: the torn last write of a power
  // cut, which was never acknowledged. Whether it really was unacknowledged
  // is not RocksDB's to know: the durable head (head_file.h), checked after
  // the open, says how far the acknowledged log reached.
  ro.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // A CRC32C of every whole table file, kept in the MANIFEST, so that verify
  // can check every byte of a table, not only its blocks. RocksDB's own
  // function under the same name, computed with the CPU's instruction
  // (internal/crc32c_checksum.h): flushes, compactions and verify pay it.
  ro.file_checksum_gen_factory = internal::FastCrc32cChecksumFactory();
  ro.max_background_jobs = 2;
  ro.write_buffer_size = 32 << 20;
  ro.keep_log_file_num = 5;
  // Id and stream lookups (idempotency, LoadState) mostly ask for keys that
  // are absent or in one place: bloom filters answer "absent" without
  // reading blocks, in the memtable and in every table file.
  ro.memtable_prefix_bloom_size_ratio = 0.05;
  ro.memtable_whole_key_filtering = true;
  {
    rocksdb::BlockBasedTableOptions t;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.whole_key_filtering = true;
    // Index and filter blocks live in the block cache, not beside every
    // open table: held outside it they grew with the store (~26 bytes an
    // event, ~1.3 GB at 50 million) and were all read at open (5 s at 50
    // million). Level 0's, which every look-up asks, stay pinned.
    t.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
    t.cache_index_and_filter_blocks = true;
    t.cache_index_and_filter_blocks_with_high_priority = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    // Filters and indexes in 4 KiB partitions under a small top level,
    // which stays pinned. A table's filter grows with the table (23 MB in a
    // 50-million-event store's largest): whole, each look-up of an absent id
    // read and checksummed all of it whenever it had left the cache, and at
    // that size it always had (verify at 50 million thrashed for hours; every
    // append's id look-up paid ~5 ms). Partitioned, a look-up reads one
    // partition, and the cache holds the partitions in use.
    t.partition_filters = true;
    t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    t.metadata_block_size = 4096;
    ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  }
  ro.level_compaction_dynamic_level_bytes = true;
  if (options.env != nullptr) ro.env = options.env;
  if (!read_only) {
    // Owner-only (store/private_files.h): a new store directory is 0700 and
    // an old world-readable one loses others' access. The directory is what
    // protects the files: RocksDB 7.8 creates them with the umask's mode
    // (its Env cannot be told otherwise), so they cannot be reached by
    // others through it whatever their own mode.
    RETURN_IF_ERROR(exists ? CloseToOthers(dir) : CreatePrivateDirectories(dir));
  }

  // The durable head is read before the database is opened: every head it
  // records was durable in the log before we looked (a writer syncs the log,
  // then replaces the file), so the database must hold at least that much
  // even while another process appends.
  absl::StatusOr<std::optional<TreeHead>> durable = std::optional<TreeHead>();
  if (exists) durable = ReadHeadFile(dir);
  if (!durable.ok()) return durable.status();

  *durable_out = *durable;

  // After an unclean shutdown a read-write open replays the write-ahead log
  // and then rewrites the store (flushes what it recovered, deletes the
  // log). Check first, read-only, that it recovers everything acknowledged,
  // so that a damaged store is refused as it was found.
  if (exists && !read_only && internal::HasUnreplayedLog(dir)) {
    StoreOptions probe = options;
    probe.create_if_missing = false;
    auto checked = EventStoreReader::Open(dir, probe);
    if (!checked.ok() && checked.status().code() == absl::StatusCode::kDataLoss) {
      return checked.status();
    }
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = read_only ? rocksdb::DB::OpenForReadOnly(ro, dir, &raw)
                                : rocksdb::DB::Open(ro, dir, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return internal::StoreInUse(dir);
    }
    // A file the store's own records name is missing (CURRENT naming no
    // MANIFEST, a MANIFEST naming a deleted table): damage, not an I/O fault.
    if (s.IsCorruption() || s.IsPathNotFound()) return internal::DamagedStore(dir, s);
    return FromRocks(s, absl::StrCat("opening store ", dir));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  RETURN_IF_ERROR(internal::CheckFormatMarker(*db, dir, *durable, read_only));
  if (!read_only) RETURN_IF_ERROR(internal::ClaimStore(dir));
  return db;
}

absl::Status EventStoreReader::Load(const std::optional<TreeHead>& durable) {
  RETURN_IF_ERROR(LoadTail());
  RETURN_IF_ERROR(LoadSealing());
  std::optional<TreeHead> log_head;
  if (state_->tree_problem.ok()) log_head = PublishedHead();
  return state_->durable_head.CheckAtOpen(*db_, durable, state_->tail.last_position, log_head,
                                          read_only_);
}

absl::Status EventStoreReader::LoadTail() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (internal::SeekToLastRecord(*it)) {
    ASSIGN_OR_RETURN(uint64_t pos, format::DecodeRecordKey(it->key().ToStringView()));
    auto rec = DecodeRecordAt(pos, it->value().ToStringView());
    absl::Status tail;
    if (!rec.ok()) {
      tail = absl::DataLossError(
          absl::StrCat("last record (position ", pos, ") is corrupt: ", rec.status().message()));
    }
    // A read-only store opens anyway (it never appends), so that Verify can
    // say what is wrong.
    if (!tail.ok() && !read_only_) return tail;
    state_->tail.last_position = pos;
    if (tail.ok()) state_->tail.last_chain = rec->chain;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading log tail"));
  // The leaf of the position after the last record is written in the same
  // batch as that record: if it is there, the end of the log was cut off
  // (one Get; the durable head file catches a cleaner removal).
  {
    std::string leaf;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), format::TreeNodeKey(0, state_->tail.last_position), &leaf);
    if (s.ok()) {
      absl::Status cut = absl::DataLossError(absl::StrCat(
          "store ", dir_, " is damaged: the log ends at position ", state_->tail.last_position,
          " but the Merkle tree holds a leaf for position ", state_->tail.last_position + 1,
          ": records were removed from the end of the log; run carelog verify, and restore "
          "from backup"));
      if (!read_only_) return cut;
      state_->tail_problem = cut;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the Merkle tree");
    }
  }
  state_->published_last.store(state_->tail.last_position);
  return LoadTree();
}

absl::Status EventStoreReader::LoadTree() {
  State& st = *state_;
  const uint64_t n = st.tail.last_position;
  std::string marker;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), format::MetaKey(format::kTreeMeta), &marker);
  if (s.ok()) {
    auto f = merkle::FrontierFromSubtrees(n, TreeReader(db_.get(), nullptr));
    if (f.ok()) {
      st.tail.frontier = *f;
    } else if (f.status().code() == absl::StatusCode::kDataLoss) {
      st.tree_problem = f.status();
    } else {
      return f.status();
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading tree marker");
  } else if (read_only_) {
    if (n > 0) {
      st.tree_problem = absl::FailedPreconditionError(
          "this store was written before carelog kept a Merkle tree; open it once read-write "
          "(any carelog command that writes, e.g. importing an empty file) to build it");
    }
  } else {
    RETURN_IF_ERROR(BuildTree());
  }
  absl::MutexLock lock(&st.head_mu);
  st.published_frontier = st.tail.frontier;
  return absl::OkStatus();
}

absl::Status EventStoreReader::LoadSealing() {
  std::string sealed_by;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), format::MetaKey(format::kSealedMeta), &sealed_by);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the store's encryption marker");
  const SecretKey* master = options_.master_key;
  if (s.IsNotFound()) {
    if (master == nullptr) return absl::OkStatus();
    if (state_->tail.last_position > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", dir_, " is not encrypted (its ", state_->tail.last_position,
          " records are stored in clear) and cannot take a master key; open it without one"));
    }
    if (read_only_) return absl::OkStatus();  // a reader changes nothing
    sealed_by = MasterKeyId(*master);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(FromRocks(db_->Put(wo, format::MetaKey(format::kSealedMeta), sealed_by),
                              "marking the store encrypted"));
  } else if (master == nullptr && options_.without_master_key && read_only_) {
    state_->sealed_without_key = true;
    return absl::OkStatus();
  } else if (master == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", dir_, " is encrypted (master key ", sealed_by,
        "): it cannot be opened without its master key"));
  } else if (MasterKeyId(*master) != sealed_by) {
    return absl::PermissionDeniedError(absl::StrCat(
        "store ", dir_, " is encrypted under master key ", sealed_by,
        "; the master key given is ", MasterKeyId(*master), ": wrong master key"));
  }
  state_->ring = std::make_unique<internal::KeyRing>(db_.get(), master->Copy());
  ASSIGN_OR_RETURN(std::vector<internal::ErasureMarker> erased,
                   internal::ReadErasureMarkers(db_.get()));
  for (const internal::ErasureMarker& m : erased) state_->ring->MarkErased(m.stream);
  if (!read_only_) {
    // An erasure a crash or a failure cut short is finished before anything
    // else: its key may still be in the store's files.
    for (internal::ErasureMarker& m : erased) {
      if (!m.shredded) RETURN_IF_ERROR(internal::FinishErasure(db_.get(), std::move(m)));
    }
    // The checkpoints' key exists before anything is written, so that
    // PutCheckpoints only reads it (the commit leader alone creates keys).
    std::string wrapped;
    ASSIGN_OR_RETURN(const SecretKey* key,
                     state_->ring->FindOrCreate(internal::kCheckpointKeyStream, &wrapped));
    (void)key;
    if (!wrapped.empty()) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      absl::Status ws = FromRocks(
          db_->Put(wo, internal::DataKeyKey(internal::kCheckpointKeyStream), wrapped),
          "storing the checkpoints' data key");
      if (!ws.ok()) {
        state_->ring->DropPending();
        return ws;
      }
    }
    state_->ring->CommitPending();
  }
  return absl::OkStatus();
}

// Builds the tree of a store written before it existed, then marks the store.
absl::Status EventStoreReader::BuildTree() {
  State& st = *state_;
  merkle::Frontier f;
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions wo;
  absl::Status write;
  RETURN_IF_ERROR(ScanLog(1, [&](const StoredRecord& r) {
    f.Append(merkle::LeafHash(format::EncodeLeaf(r)),
             [&](int level, uint64_t index, const Hash256& h) {
               batch.Put(format::TreeNodeKey(level, index), HashBytes(h));
             });
    if (batch.Count() >= 100000) {
      write = FromRocks(db_->Write(wo, &batch), "building the Merkle tree");
      batch.Clear();
      if (!write.ok()) return false;
    }
    return true;
  }));
  RETURN_IF_ERROR(write);
  if (f.size != st.tail.last_position) {
    return absl::DataLossError(absl::StrCat("building the Merkle tree: the log has ", f.size,
                                            " records, its last position is ",
                                            st.tail.last_position));
  }
  batch.Put(format::MetaKey(format::kTreeMeta), "1");
  wo.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "building the Merkle tree"));
  st.tail.frontier = f;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> EventStore::Append(AppendRequest request) {
  return Append(std::move(request), internal::AppendMode());
}

absl::StatusOr<AppendResult> EventStore::Erase(std::string_view stream, NewRecord record,
                                               std::vector<std::string> checkpoints) {
  // The plan checks the erasure with the record (AppendPlan::CheckErasures).
  std::vector<internal::ErasureMarker> markers(1);
  markers[0].stream = std::string(stream);
  markers[0].checkpoints = std::move(checkpoints);
  AppendRequest request;
  request.records.push_back(std::move(record));
  request.sync = true;
  internal::AppendMode mode;
  mode.erase = &markers;
  ASSIGN_OR_RETURN(AppendResult result, Append(std::move(request), mode));
  absl::Status shredded = internal::FinishErasure(db_.get(), markers[0]);
  if (!shredded.ok()) {
    return absl::Status(
        shredded.code(),
        absl::StrCat("stream '", std::string(stream), "' is erased (its erasure is at position ",
                     result.positions[0], ") but destroying its data key did not finish: ",
                     shredded.message(), "; opening the store read-write again finishes it"));
  }
  return result;
}

absl::StatusOr<std::unique_ptr<BulkLoader>> EventStore::BeginBulkLoad() {
  Writes& st = *writes_;
  absl::MutexLock lock(&st.mu);
  if (st.bulk_load_open) {
    return absl::FailedPreconditionError("a bulk load of this store is already open");
  }
  st.bulk_load_open = true;
  // Appends queued before are written before the holder's first look-up:
  // their ids are then in the log for it to find.
  auto drained = [&st] {
    st.mu.AssertHeld();
    return st.writers.empty();
  };
  st.mu.Await(absl::Condition(&drained));
  return std::unique_ptr<BulkLoader>(new BulkLoader(this));
}

void EventStore::EndBulkLoad() {
  absl::MutexLock lock(&writes_->mu);
  writes_->bulk_load_open = false;
}

absl::StatusOr<AppendResult> EventStore::Append(AppendRequest request,
                                                const internal::AppendMode& mode) {
  Writer w;
  w.request = &request;
  w.mode = mode;
  Writes& st = *writes_;
  st.mu.Lock();
  // Only the loader's own appends (which come with a mode) while one is open.
  if (st.bulk_load_open && !mode.bulk) {
    st.mu.Unlock();
    return absl::UnavailableError(
        "the store is being bulk-loaded (an import is running): append again when it finishes");
  }
  st.writers.push_back(&w);
  // A writer of a group that was taken off the queue waits for its leader
  // to say it is done (see below).
  while (!w.done && (st.writers.empty() || st.writers.front() != &w)) w.cv.Wait(&st.mu);
  if (w.done) {
    st.mu.Unlock();
    return std::move(w.result);
  }
  // Leader: take everyone queued so far (bounded so one fsync stays short).
  std::vector<Writer*> group;
  size_t records = 0;
  for (Writer* q : st.writers) {
    if (!group.empty() && records + q->request->records.size() > 100000) break;
    group.push_back(q);
    records += q->request->records.size();
  }
  st.mu.Unlock();

  std::optional<TreeHead> durable_head;
  absl::Status s = CommitGroup(group, &durable_head);
  if (!s.ok()) {
    for (Writer* q : group) {
      if (q->result.ok()) q->result = s;
    }
  }

  // The next group may start its write now; this one is acknowledged only
  // once the durable head file covers it (so the next group's log sync and
  // this group's head file sync overlap).
  st.mu.Lock();
  for (size_t i = 0; i < group.size(); ++i) st.writers.pop_front();
  if (!st.writers.empty()) st.writers.front()->cv.Signal();
  st.mu.Unlock();

  if (durable_head.has_value()) {
    absl::Status hs = state_->durable_head.Record(*durable_head);
    if (!hs.ok()) {
      hs = HeadNotRecorded(*durable_head, hs);
      for (Writer* q : group) {
        if (q->result.ok()) q->result = hs;
      }
    }
  }

  st.mu.Lock();
  for (Writer* q : group) {
    if (q != &w) {
      q->done = true;
      q->cv.Signal();
    }
  }
  st.mu.Unlock();
  return std::move(w.result);
}

namespace {

// Makes the appends before a bulk group durable: they are only in the
// write-ahead log when made without sync, and a crash could otherwise keep
// the group's ingested tables and lose the positions before them (a gap).
// REQUIRES: called by the commit group's leader, before IngestAsTables.
absl::Status SyncLogBeforeIngest(rocksdb::DB& db, std::atomic<bool>& write_failed) {
  if (write_failed.load()) {
    return absl::FailedPreconditionError(
        "an earlier write to the log failed: close and reopen the store before appending");
  }
  absl::Status s = FromRocks(db.SyncWAL(), "syncing the log before a bulk append");
  if (!s.ok()) write_failed.store(true);
  return s;
}

// Writes `plan` (sorting its index) in one WriteBatch, in key order: settings
// first, then the records, the index and the tree. Nothing is written when
// the plan is empty.
// REQUIRES: called by the commit group's leader.
absl::Status WriteAsBatch(rocksdb::DB& db, internal::AppendPlan& plan, bool sync,
                          std::atomic<bool>& write_failed) {
  rocksdb::WriteBatch batch(plan.BatchBytes());
  auto put = [&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return batch.Put(k, v); };
  plan.SortIndex();
  rocksdb::Status bs = plan.PutSettings(put);
  if (bs.ok()) bs = plan.PutErasures(put);
  if (bs.ok()) bs = plan.PutRecords(put);
  if (bs.ok()) bs = plan.PutDataKeys(put);
  if (bs.ok()) bs = plan.PutIndex(put);
  if (!bs.ok()) return FromRocks(bs, "appending to the log");
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  absl::Status ws = FromRocks(db.Write(wo, &batch), "appending to the log");
  if (!ws.ok()) write_failed.store(true);
  return ws;
}

// A data key made for a group is kept by the ring only if it was stored.
struct PendingKeys {
  internal::KeyRing* ring;
  bool written = false;
  ~PendingKeys() {
    if (ring == nullptr) return;
    if (written) {
      ring->CommitPending();
    } else {
      ring->DropPending();
    }
  }
};

// The plan's new data keys, written and synced before its records go in as
// tables (a key whose records then fail to go in is unused, harmless).
absl::Status StoreDataKeys(rocksdb::DB& db, const internal::AppendPlan& plan,
                           std::atomic<bool>& write_failed) {
  rocksdb::WriteBatch keys;
  RETURN_IF_ERROR(FromRocks(
      plan.PutDataKeys(
          [&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return keys.Put(k, v); }),
      "adding data keys"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  absl::Status ks = FromRocks(db.Write(wo, &keys), "storing data keys");
  if (!ks.ok()) write_failed.store(true);
  return ks;
}

}  // namespace

// Plans every writer's request in queue order (a request that fails gets its
// error and contributes nothing), writes the rest in one step, then
// publishes the new tail. Returns an error only when that write fails (then
// no request in the group succeeded and the tail state is unchanged). Sets
// *durable_head to the group's head when it appended records and is durable
// once written (synced, or ingested as tables).
// REQUIRES: called by the group's leader only (it alone touches the tail
// state), without writes_->mu held; every writer in `group` waits for its result.
absl::Status EventStore::CommitGroup(std::vector<Writer*>& group,
                                     std::optional<TreeHead>* durable_head) {
  State& st = *state_;
  if (!st.tree_problem.ok()) {
    absl::Status refused =
        absl::DataLossError(absl::StrCat("refusing to append: ", st.tree_problem.message()));
    for (Writer* w : group) w->result = refused;
    return refused;
  }

  std::vector<const AppendRequest*> requests;
  requests.reserve(group.size());
  for (const Writer* w : group) requests.push_back(w->request);
  internal::AppendPlan plan(*db_, st.tail, st.versions, absl::ToUnixMicros(clock_->Now()),
                            requests, st.ring.get());
  // A data key made for this group is used only if it is stored.
  PendingKeys pending{st.ring.get()};
  bool sync = false;
  bool bulk = true;  // every committed request asked for a bulk load
  for (Writer* w : group) {
    w->result = plan.Add(*w->request, w->mode);
    if (!w->result.ok()) continue;
    sync = sync || w->request->sync.value_or(options_.sync);
    bulk = bulk && w->mode.bulk;
  }

  bool durable = sync;  // is this group durable once written?
  if (bulk && plan.new_records() >= internal::kMinIngestRecords) {
    RETURN_IF_ERROR(SyncLogBeforeIngest(*db_, st.write_failed));
    // The tables hold the records; their streams' new data keys go first,
    // synced (a key whose records then fail to ingest is unused, harmless).
    if (plan.has_data_keys()) {
      RETURN_IF_ERROR(StoreDataKeys(*db_, plan, st.write_failed));
      pending.written = true;
    }
    // Tail state untouched on failure: nothing was acknowledged.
    RETURN_IF_ERROR(internal::IngestAsTables(*db_, dir_, plan));
    durable = true;  // ingested tables are synced, and the log before them
  } else {
    RETURN_IF_ERROR(WriteAsBatch(*db_, plan, sync, st.write_failed));
  }
  pending.written = true;
  // Before any later group is planned: its records to these streams are
  // refused, and readers from here on see them erased.
  for (const internal::ErasureMarker* m : plan.erasures()) st.ring->MarkErased(m->stream);

  // Publish the tail: readers see the new records from here on.
  st.tail = plan.tail();
  plan.CommitVersions();
  PublishTail();
  // The caller moves the durable head before anyone is told the append is
  // stored, so that every acknowledged durable append is covered by it.
  if (durable && plan.new_records() > 0) *durable_head = plan.head();
  return absl::OkStatus();
}

void EventStore::PublishTail() {
  State& st = *state_;
  {
    absl::MutexLock lock(&st.head_mu);
    st.published_frontier = st.tail.frontier;
  }
  st.published_last.store(st.tail.last_position);
  {
    absl::MutexLock lock(&st.follow_mu);
    st.follow_cv.SignalAll();
  }
}

absl::StatusOr<AppendResult> EventStore::StageBulk(const AppendRequest& request,
                                                   const internal::AppendMode& mode,
                                                   internal::BulkStage& stage) {
  State& st = *state_;
  if (!stage.broken.ok()) return StageBroken(stage);
  if (!st.tree_problem.ok()) {
    return absl::DataLossError(absl::StrCat("refusing to append: ", st.tree_problem.message()));
  }
  if (stage.tables.empty()) {  // the first group: it follows the log as it stands
    stage.tail = st.tail;
    stage.versions.clear();
  }
  std::vector<const AppendRequest*> requests{&request};
  internal::AppendPlan plan(*db_, stage.tail, stage.versions, absl::ToUnixMicros(clock_->Now()),
                            requests, st.ring.get());
  PendingKeys pending{st.ring.get()};
  absl::StatusOr<AppendResult> result = plan.Add(request, mode);
  if (!result.ok() || plan.new_records() == 0) return result;  // the stage is as it was
  absl::Status s;
  if (plan.has_data_keys()) {
    s = StoreDataKeys(*db_, plan, st.write_failed);
    pending.written = s.ok();
  }
  if (s.ok()) s = stage.tables.Add(*db_, plan);
  if (!s.ok()) {
    stage.broken = s;
    return s;
  }
  stage.tail = plan.tail();
  plan.CommitVersions();
  return result;
}

absl::Status EventStore::CommitStaged(internal::BulkStage& stage) {
  State& st = *state_;
  if (!stage.broken.ok()) return StageBroken(stage);
  if (stage.tables.empty()) return absl::OkStatus();
  // The tail state is untouched on failure: nothing staged was acknowledged.
  absl::Status s = SyncLogBeforeIngest(*db_, st.write_failed);
  if (s.ok()) s = stage.tables.Ingest(*db_, /*store_has_records=*/st.tail.last_position > 0);
  if (!s.ok()) {
    stage.broken = s;
    return s;
  }
  st.tail = stage.tail;
  for (auto& [stream, version] : stage.versions) st.versions[stream] = version;
  stage.versions.clear();
  PublishTail();
  const TreeHead head{st.tail.frontier.size, st.tail.frontier.Root()};
  absl::Status hs = st.durable_head.Record(head);
  return hs.ok() ? hs : HeadNotRecorded(head, hs);
}

absl::Status EventStore::Sync() {
  if (state_->write_failed.load()) {
    return absl::FailedPreconditionError(
        "an earlier write to the log failed: close and reopen the store before syncing");
  }
  // Taken before the sync: what was published by then is durable after it
  // (an append published later may not be).
  const TreeHead head = PublishedHead();
  absl::Status s = FromRocks(db_->SyncWAL(), "syncing the log");
  if (!s.ok()) {
    state_->write_failed.store(true);
    return s;
  }
  if (!state_->tree_problem.ok()) return absl::OkStatus();
  return state_->durable_head.Record(head);
}

absl::Status EventStore::PutSetting(std::string_view name, std::string_view value) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, format::SettingKey(name), value), "writing setting");
}

absl::Status EventStore::PutCheckpoints(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  const SecretKey* key = nullptr;
  if (state_->ring != nullptr) {
    ASSIGN_OR_RETURN(key, state_->ring->Find(internal::kCheckpointKeyStream));
  }
  rocksdb::WriteBatch batch;
  for (const auto& [name, bytes] : entries) {
    rocksdb::Status s;
    if (key != nullptr) {
      ASSIGN_OR_RETURN(std::string sealed,
                       internal::SealPayload(*key, internal::kCheckpointKeyStream, name, bytes));
      s = batch.Put(format::CheckpointKey(name), sealed);
    } else {
      s = batch.Put(format::CheckpointKey(name), bytes);
    }
    if (!s.ok()) return FromRocks(s, "writing checkpoints");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "writing checkpoints");
}

absl::Status RotateMasterKey(const std::string& dir, const SecretKey& current,
                             const SecretKey& next) {
  StoreOptions options;
  options.create_if_missing = false;
  {
    // Looked at first without the key: opening an empty plain store with a
    // key would make it sealed.
    StoreOptions probe = options;
    probe.without_master_key = true;
    ASSIGN_OR_RETURN(std::unique_ptr<EventStoreReader> reader,
                     EventStoreReader::Open(dir, probe));
    if (!reader->encrypted()) {
      return absl::FailedPreconditionError(
          absl::StrCat("store ", dir, " is not encrypted: it has no master key to rotate"));
    }
  }
  options.master_key = &current;
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(dir, options));
  rocksdb::DB* db = internal::StoreInternals::Db(*store);
  rocksdb::WriteBatch batch;
  ASSIGN_OR_RETURN(internal::RewrapReport report,
                   internal::RewrapDataKeys(db, current, next, &batch));
  (void)report;
  batch.Put(format::MetaKey(format::kSealedMeta), MasterKeyId(next));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db->Write(wo, &batch), "writing the re-wrapped data keys");
}

}  // namespace carelog
