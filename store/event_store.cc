// Key layout and record format: see record_format.cc.
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

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/cache.h"
#include "rocksdb/file_checksum.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "store/head_file.h"
#include "store/internal/append_plan.h"
#include "store/internal/bulk_ingest.h"
#include "store/internal/log_reads.h"
#include "store/merkle.h"
#include "store/private_files.h"
#include "store/base/status_macros.h"
#include "store/verify.h"

namespace carelog {
namespace {

using internal::DecodeRecordAt;
using internal::FromRocks;
using internal::TreeReader;

constexpr char kFormatMeta[] = "format";
constexpr char kPidFile[] = "carelog.pid";

std::string HashBytes(const Hash256& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// True when a write-ahead log file holds bytes: the store was not closed
// cleanly (a clean close flushes the log into table files), so opening it
// will replay, and may find damage in, that log.
bool HasUnreplayedLog(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log" && e.file_size(ec) > 0) return true;
  }
  return false;
}

// The write-ahead log files of `dir` that hold bytes, for messages.
std::string LogFileNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log" && e.file_size(ec) > 0) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) absl::StrAppend(&out, out.empty() ? "" : ", ", n);
  return out;
}

// kDataLoss for a store RocksDB found damaged while opening: names the kind
// of file when RocksDB's message does (a table file, the MANIFEST), else the
// write-ahead log when one was being replayed, and says what to do.
absl::Status DamagedStore(const std::string& dir, const rocksdb::Status& s) {
  const std::string what = s.ToString();
  std::string file;
  if (what.find(".sst") != std::string::npos) {
    file = "a table file";
  } else if (what.find("MANIFEST") != std::string::npos) {
    file = "the MANIFEST (its list of table files, named by CURRENT)";
  } else if (what.find("CURRENT") != std::string::npos) {
    file = "the CURRENT file (which names the MANIFEST)";
  } else if (HasUnreplayedLog(dir)) {
    file = absl::StrCat("write-ahead log ", LogFileNames(dir));
  } else {
    file = "a database file";
  }
  return absl::DataLossError(absl::StrCat("store ", dir, " is damaged: ", file,
                                          " cannot be read (", what,
                                          "); restore from backup (carelog restore)"));
}

}  // namespace

struct EventStore::Writer {
  AppendRequest* request;
  absl::StatusOr<AppendResult> result = absl::UnknownError("not run");
  bool done = false;
  absl::CondVar cv;
};

struct EventStore::State {
  absl::Mutex mu;
  std::deque<Writer*> writers ABSL_GUARDED_BY(mu);
  // Leader-only (see file comment).
  internal::LogTail tail;
  absl::flat_hash_map<std::string, uint64_t> versions;
  // Set at open when the tree's right edge cannot be loaded; appends and
  // Head() then refuse with it (Verify still runs).
  absl::Status tree_problem;
  // Published copies for readers.
  std::atomic<uint64_t> published_last{0};
  // Set once a write or sync of the log has failed. RocksDB's own syncs on
  // close then abort the process (an assertion in its WAL writer), so the
  // destructor skips them: what was acknowledged is already durable.
  std::atomic<bool> write_failed{false};
  // Signalled after published_last moves (WaitForPosition).
  mutable absl::Mutex follow_mu;
  mutable absl::CondVar follow_cv;
  mutable absl::Mutex head_mu;
  merkle::Frontier published_frontier ABSL_GUARDED_BY(head_mu);
  // Set at a read-only open when the log visibly lost its end (see
  // LoadTail): Head() refuses with it, Verify says where.
  absl::Status tail_problem;
  // The durable head file (head_file.h). Commit groups register the head
  // they made durable in latest_durable, then one of them at a time writes
  // the latest registered head: a group whose head a later group already
  // wrote has nothing left to do, so one write may cover several groups.
  absl::Mutex durable_mu;
  TreeHead latest_durable ABSL_GUARDED_BY(durable_mu);
  absl::Mutex head_file_mu ABSL_ACQUIRED_AFTER(durable_mu);
  std::optional<uint64_t> head_file_size ABSL_GUARDED_BY(head_file_mu);
  std::unique_ptr<HeadFileWriter> head_writer ABSL_GUARDED_BY(head_file_mu);
};

EventStore::EventStore(std::string dir, StoreOptions options, std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)),
      options_(options),
      db_(std::move(db)),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      state_(std::make_unique<State>()) {}

EventStore::~EventStore() {
  if (db_ != nullptr && !options_.read_only) {
    if (!state_->write_failed.load()) {
      db_->FlushWAL(true).PermitUncheckedError();
      // Leave the memtable in a table file so the next open (often a
      // read-only query right after an import) does not replay the WAL.
      rocksdb::FlushOptions fo;
      fo.wait = true;
      db_->Flush(fo).PermitUncheckedError();
    }
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(dir_) / kPidFile, ec);
  }
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const std::string& dir,
                                                              const StoreOptions& options) {
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
  } else if (!options.create_if_missing || options.read_only) {
    return absl::NotFoundError(absl::StrCat("no store at ", dir));
  }

  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing && !options.read_only;
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
  // can check every byte of a table, not only its blocks.
  ro.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
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
    t.block_cache = rocksdb::NewLRUCache(32 << 20);
    t.cache_index_and_filter_blocks = false;
    ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  }
  ro.level_compaction_dynamic_level_bytes = true;
  if (options.env != nullptr) ro.env = options.env;
  if (!options.read_only) {
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

  // After an unclean shutdown a read-write open replays the write-ahead log
  // and then rewrites the store (flushes what it recovered, deletes the
  // log). Check first, read-only, that it recovers everything acknowledged,
  // so that a damaged store is refused as it was found.
  if (exists && !options.read_only && HasUnreplayedLog(dir)) {
    StoreOptions probe = options;
    probe.read_only = true;
    probe.create_if_missing = false;
    auto checked = Open(dir, probe);
    if (!checked.ok() && checked.status().code() == absl::StatusCode::kDataLoss) {
      return checked.status();
    }
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only ? rocksdb::DB::OpenForReadOnly(ro, dir, &raw)
                                        : rocksdb::DB::Open(ro, dir, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      std::string pid = "another process";
      std::ifstream in(fs::path(dir) / kPidFile);
      std::string line;
      if (in && std::getline(in, line) && !line.empty()) pid = absl::StrCat("PID ", line);
      return absl::UnavailableError(absl::StrCat(
          "store ", dir, " in use by ", pid,
          ": only one process may open a store; stop it or use its service"));
    }
    // A file the store's own records name is missing (CURRENT naming no
    // MANIFEST, a MANIFEST naming a deleted table): damage, not an I/O fault.
    if (s.IsCorruption() || s.IsPathNotFound()) return DamagedStore(dir, s);
    return FromRocks(s, absl::StrCat("opening store ", dir));
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string format;
  s = db->Get(rocksdb::ReadOptions(), format::MetaKey(kFormatMeta), &format);
  if (s.IsNotFound() && durable->has_value()) {
    // A head file says this was a carelog store with a log: the database
    // lost even its first write.
    return absl::DataLossError(absl::StrCat(
        "store ", dir, " is damaged: the database has lost its carelog format marker (written "
        "first) but its durable head file (", kHeadFileName, ") records ",
        FormatTreeHead(**durable), "; restore from backup (carelog restore)"));
  }
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid() || options.read_only) {
      return absl::FailedPreconditionError(
          absl::StrCat("not a carelog store: ", dir, " has no carelog format marker"));
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(FromRocks(
        db->Put(wo, format::MetaKey(kFormatMeta), std::to_string(kStoreFormatVersion)),
        "writing format marker"));
  } else if (!s.ok()) {
    return FromRocks(s, "reading format marker");
  } else {
    int version = 0;
    if (!absl::SimpleAtoi(format, &version) || version < 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("not a carelog store: ", dir, " has an unreadable format marker"));
    }
    if (version > kStoreFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", dir, " has format version ", version, ", newer than this carelog supports (",
          kStoreFormatVersion, "); use a newer carelog"));
    }
  }

  if (!options.read_only) {
    const std::string pid_path = (fs::path(dir) / kPidFile).string();
    if (CreatePrivateFile(pid_path).ok()) {
      std::ofstream pid(pid_path, std::ios::trunc);
      pid << getpid() << "\n";
    }
    // We hold the store: any import spool here is from an import that was
    // killed (its case ids and dates in clear). Nothing in it was appended.
    RETURN_IF_ERROR(RemoveStaleImportSpools(dir).status());
  }

  std::unique_ptr<EventStore> store(new EventStore(dir, options, std::move(db)));
  RETURN_IF_ERROR(store->LoadTail());
  RETURN_IF_ERROR(store->CheckDurableHead(*durable));
  return store;
}

absl::Status EventStore::CheckDurableHead(const std::optional<TreeHead>& recorded) {
  State& st = *state_;
  const uint64_t n = st.tail.last_position;
  if (!recorded.has_value()) {
    // A store written before carelog kept a head file (or a new one): from
    // now on it has one.
    if (options_.read_only || !st.tree_problem.ok()) return absl::OkStatus();
    const TreeHead head = PublishedHead();
    RETURN_IF_ERROR(WriteHeadFile(dir_, head));
    absl::MutexLock lock(&st.head_file_mu);
    st.head_file_size = head.size;
    return absl::OkStatus();
  }
  {
    absl::MutexLock lock(&st.head_file_mu);
    st.head_file_size = recorded->size;
  }
  auto lost = [&](const std::string& log_head, std::string_view what) {
    return absl::DataLossError(absl::StrCat(
        "store ", dir_, " is damaged: the log has head ", log_head, " but its durable head file (",
        kHeadFileName, ") records ", FormatTreeHead(*recorded), ", acknowledged earlier: ",
        std::string(what),
        " (a damaged write-ahead log or MANIFEST, a lost table file, or records removed); "
        "restore from backup (carelog restore)"));
  };
  if (n < recorded->size) {
    std::string log_head = absl::StrCat(n, " events");
    if (st.tree_problem.ok()) {
      absl::MutexLock l(&st.head_mu);
      log_head = absl::StrCat(n, ":", merkle::ToHex(st.published_frontier.Root()));
    }
    return lost(log_head, absl::StrCat(recorded->size - n, " acknowledged events are missing"));
  }
  if (!st.tree_problem.ok()) return absl::OkStatus();  // Head() refuses; verify says where
  auto root = RootAt(recorded->size);
  if (!root.ok()) return root.status();
  if (*root != recorded->root) {
    return lost(absl::StrCat(recorded->size, ":", merkle::ToHex(*root)),
                absl::StrCat("its first ", recorded->size,
                             " events are not the ones that were acknowledged"));
  }
  return absl::OkStatus();
}

TreeHead EventStore::PublishedHead() const {
  absl::MutexLock lock(&state_->head_mu);
  return TreeHead{state_->published_frontier.size, state_->published_frontier.Root()};
}

absl::Status EventStore::RecordDurableHead(const TreeHead& head) {
  State& st = *state_;
  {
    absl::MutexLock lock(&st.durable_mu);
    if (head.size > st.latest_durable.size) st.latest_durable = head;
  }
  absl::MutexLock lock(&st.head_file_mu);
  if (st.head_file_size.has_value() && *st.head_file_size >= head.size) {
    return absl::OkStatus();  // a later group's write covered this one
  }
  TreeHead latest;
  {
    absl::MutexLock l(&st.durable_mu);
    latest = st.latest_durable;
  }
  if (st.head_writer == nullptr) {
    auto w = HeadFileWriter::Open(dir_);
    if (w.status().code() == absl::StatusCode::kNotFound) {
      // Removed while the store was open: made again, whole.
      RETURN_IF_ERROR(WriteHeadFile(dir_, latest));
      st.head_file_size = latest.size;
      return absl::OkStatus();
    }
    if (!w.ok()) return w.status();
    st.head_writer = *std::move(w);
  }
  RETURN_IF_ERROR(st.head_writer->Update(latest));
  st.head_file_size = latest.size;
  return absl::OkStatus();
}

absl::Status EventStore::LoadTail() {
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
    if (!tail.ok() && !options_.read_only) return tail;
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
      if (!options_.read_only) return cut;
      state_->tail_problem = cut;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the Merkle tree");
    }
  }
  state_->published_last.store(state_->tail.last_position);
  return LoadTree();
}

absl::Status EventStore::LoadTree() {
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
  } else if (options_.read_only) {
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

// Builds the tree of a store written before it existed, then marks the store.
absl::Status EventStore::BuildTree() {
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

uint64_t EventStore::LastPosition() const { return state_->published_last.load(); }

absl::StatusOr<uint64_t> EventStore::StreamVersion(std::string_view stream) const {
  return internal::ReadStreamVersion(*db_, stream);
}

absl::StatusOr<AppendResult> EventStore::Append(AppendRequest request) {
  if (options_.read_only) return absl::FailedPreconditionError("store opened read-only");
  Writer w;
  w.request = &request;
  State& st = *state_;
  st.mu.Lock();
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
    absl::Status hs = RecordDurableHead(*durable_head);
    if (!hs.ok()) {
      hs = absl::Status(
          hs.code(),
          absl::StrCat("the events were stored (the log ends at position ", durable_head->size,
                       " or later) but the store's durable head file could not be updated: ",
                       hs.message(),
                       "; appending the same events again is safe (an event already stored "
                       "is not stored twice)"));
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
  if (bs.ok()) bs = plan.PutRecords(put);
  if (bs.ok()) bs = plan.PutIndex(put);
  if (!bs.ok()) return FromRocks(bs, "appending to the log");
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  absl::Status ws = FromRocks(db.Write(wo, &batch), "appending to the log");
  if (!ws.ok()) write_failed.store(true);
  return ws;
}

}  // namespace

// Plans every writer's request in queue order (a request that fails gets its
// error and contributes nothing), writes the rest in one step, then
// publishes the new tail. Returns an error only when that write fails (then
// no request in the group succeeded and the tail state is unchanged). Sets
// *durable_head to the group's head when it appended records and is durable
// once written (synced, or ingested as tables).
// REQUIRES: called by the group's leader only (it alone touches the tail
// state), without st.mu held; every writer in `group` waits for its result.
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
                            requests);
  bool sync = false;
  bool bulk = true;  // every committed request asked for a bulk load
  for (Writer* w : group) {
    w->result = plan.Add(*w->request);
    if (!w->result.ok()) continue;
    sync = sync || w->request->sync.value_or(options_.sync);
    bulk = bulk && w->request->bulk;
  }

  bool durable = sync;  // is this group durable once written?
  if (bulk && plan.new_records() >= internal::kMinIngestRecords) {
    RETURN_IF_ERROR(SyncLogBeforeIngest(*db_, st.write_failed));
    // Tail state untouched on failure: nothing was acknowledged.
    RETURN_IF_ERROR(internal::IngestAsTables(*db_, dir_, plan));
    durable = true;  // ingested tables are synced, and the log before them
  } else {
    RETURN_IF_ERROR(WriteAsBatch(*db_, plan, sync, st.write_failed));
  }

  // Publish the tail: readers see the new records from here on.
  st.tail = plan.tail();
  plan.CommitVersions();
  {
    absl::MutexLock lock(&st.head_mu);
    st.published_frontier = st.tail.frontier;
  }
  st.published_last.store(st.tail.last_position);
  {
    absl::MutexLock lock(&st.follow_mu);
    st.follow_cv.SignalAll();
  }
  // The caller moves the durable head before anyone is told the append is
  // stored, so that every acknowledged durable append is covered by it.
  if (durable && plan.new_records() > 0) *durable_head = plan.head();
  return absl::OkStatus();
}

uint64_t EventStore::WaitForPosition(uint64_t after, absl::Duration timeout) const {
  const State& st = *state_;
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&st.follow_mu);
  while (st.published_last.load() <= after) {
    if (st.follow_cv.WaitWithDeadline(&st.follow_mu, deadline)) break;
  }
  return st.published_last.load();
}

absl::Status EventStore::Sync() {
  if (options_.read_only) return absl::OkStatus();
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
  return RecordDurableHead(head);
}

absl::StatusOr<StoredRecord> EventStore::ReadPosition(uint64_t position) const {
  return internal::ReadRecordAt(*db_, position);
}

absl::StatusOr<StoredRecord> EventStore::Lookup(std::string_view id) const {
  std::string pos_bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::IdKey(id), &pos_bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no event with id '", std::string(id), "'"));
  RETURN_IF_ERROR(FromRocks(s, "reading id index"));
  ASSIGN_OR_RETURN(uint64_t pos, format::DecodeFixed64BE(pos_bytes));
  ASSIGN_OR_RETURN(StoredRecord rec, ReadPosition(pos));
  if (rec.id != id) {
    return absl::DataLossError(
        absl::StrCat("id index for '", std::string(id), "' points at position ", pos, " which holds '", rec.id, "'"));
  }
  return rec;
}

absl::StatusOr<std::vector<StoredRecord>> EventStore::ReadStream(std::string_view stream,
                                                                 uint64_t from_version) const {
  // One snapshot for the index and the records; the records are fetched in
  // one sorted MultiGet (a case's positions ascend with its versions), which
  // is what keeps one case's read well under a millisecond in a large store.
  rocksdb::ReadOptions ro;
  const internal::ScopedSnapshot snap(*db_);
  ro.snapshot = snap.get();

  const std::string prefix = format::StreamPrefix(stream);
  std::vector<uint64_t> positions;
  const uint64_t first = from_version == 0 ? 1 : from_version;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    uint64_t expect = first;
    for (it->Seek(format::StreamKey(stream, expect)); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
      if (sv.second != expect) {
        return absl::DataLossError(absl::StrCat("stream '", std::string(stream), "': version ",
                                                expect, " missing from the index (found ",
                                                sv.second, ")"));
      }
      ASSIGN_OR_RETURN(uint64_t pos, format::DecodeFixed64BE(it->value().ToStringView()));
      positions.push_back(pos);
      ++expect;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "reading stream"));
  }

  std::vector<std::string> keys;
  keys.reserve(positions.size());
  for (uint64_t pos : positions) keys.push_back(format::RecordKey(pos));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  // Sorted input only if the index is sane; a damaged index must still be
  // read (and reported below), so sort a copy of the order otherwise.
  const bool sorted = std::is_sorted(positions.begin(), positions.end());
  if (!keys.empty()) {
    db_->MultiGet(ro, db_->DefaultColumnFamily(), keys.size(), slices.data(), values.data(),
                  statuses.data(), sorted);
  }

  std::vector<StoredRecord> out;
  out.reserve(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    const uint64_t pos = positions[i];
    const uint64_t version = first + i;
    if (statuses[i].IsNotFound()) {
      return absl::DataLossError(absl::StrCat("stream '", std::string(stream), "' version ",
                                              version, " points at position ", pos,
                                              ", which holds no record"));
    }
    RETURN_IF_ERROR(FromRocks(statuses[i], "reading the log"));
    ASSIGN_OR_RETURN(StoredRecord rec, internal::DecodeRecordForReader(pos, values[i].ToStringView()));
    if (rec.stream != stream || rec.version != version) {
      return absl::DataLossError(absl::StrCat("stream '", std::string(stream), "' version ",
                                              version, " points at position ", pos,
                                              " which holds '", rec.stream, "' version ",
                                              rec.version));
    }
    out.push_back(std::move(rec));
  }
  return out;
}

absl::Status EventStore::ScanLog(uint64_t from,
                                 const std::function<bool(const StoredRecord&)>& fn) const {
  rocksdb::ReadOptions ro;
  const internal::ScopedSnapshot snap(*db_);
  ro.snapshot = snap.get();
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  absl::Status status;
  uint64_t expect = from == 0 ? 1 : from;
  for (it->Seek(format::RecordKey(expect)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.empty() || key[0] != format::kRecordTag) break;
    auto pos = format::DecodeRecordKey(key.ToStringView());
    if (!pos.ok()) {
      status = pos.status();
      break;
    }
    if (*pos != expect) {
      status = absl::DataLossError(
          absl::StrCat("position ", expect, " is missing from the log (next is ", *pos, ")"));
      break;
    }
    auto rec = internal::DecodeRecordForReader(*pos, it->value().ToStringView());
    if (!rec.ok()) {
      status = rec.status();
      break;
    }
    ++expect;
    if (!fn(*rec)) break;
  }
  if (status.ok()) status = FromRocks(it->status(), "scanning the log");
  return status;
}

absl::StatusOr<std::vector<std::string>> EventStore::Streams(bool include_system) const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string first(1, format::kStreamTag);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first);) {
    ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
    if (include_system || sv.first.empty() || sv.first[0] != '$') out.push_back(sv.first);
    // Skip the rest of this stream.
    it->Seek(format::StreamKey(sv.first, std::numeric_limits<uint64_t>::max()));
    if (it->Valid() && it->key().starts_with(format::StreamPrefix(sv.first))) it->Next();
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing streams"));
  return out;
}

absl::StatusOr<std::string> EventStore::GetSetting(std::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::SettingKey(name), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("setting '", std::string(name), "' is not set"));
  RETURN_IF_ERROR(FromRocks(s, "reading setting"));
  return value;
}

absl::Status EventStore::PutSetting(std::string_view name, std::string_view value) {
  if (options_.read_only) return absl::FailedPreconditionError("store opened read-only");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, format::SettingKey(name), value), "writing setting");
}

absl::Status EventStore::ScanSettings(
    std::string_view prefix,
    const std::function<bool(std::string_view name, std::string_view value)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string start = format::SettingKey(prefix);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    if (!fn(it->key().ToStringView().substr(1), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "reading settings");
}

absl::StatusOr<std::string> EventStore::GetCheckpoint(std::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::CheckpointKey(name), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no checkpoint '", std::string(name), "'"));
  }
  RETURN_IF_ERROR(FromRocks(s, "reading checkpoint"));
  return value;
}

absl::Status EventStore::PutCheckpoints(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  if (options_.read_only) return absl::FailedPreconditionError("store opened read-only");
  rocksdb::WriteBatch batch;
  for (const auto& [name, bytes] : entries) {
    rocksdb::Status s = batch.Put(format::CheckpointKey(name), bytes);
    if (!s.ok()) return FromRocks(s, "writing checkpoints");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "writing checkpoints");
}

absl::Status EventStore::ScanCheckpoints(
    std::string_view prefix,
    const std::function<bool(std::string_view name, std::string_view bytes)>& fn) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  const std::string start = format::CheckpointKey(prefix);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    if (!fn(it->key().ToStringView().substr(1), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "reading checkpoints");
}

absl::StatusOr<TreeHead> EventStore::Head() const {
  if (!state_->tail_problem.ok()) return state_->tail_problem;
  if (!state_->tree_problem.ok()) return state_->tree_problem;
  merkle::Frontier f;
  {
    absl::MutexLock lock(&state_->head_mu);
    f = state_->published_frontier;
  }
  return TreeHead{f.size, f.Root()};
}

absl::StatusOr<Hash256> EventStore::RootAt(uint64_t size) const {
  const uint64_t last = LastPosition();
  if (size > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", size, " is beyond the end of the log (", last, " events)"));
  }
  return merkle::RootFromSubtrees(size, TreeReader(db_.get(), nullptr));
}

absl::StatusOr<std::vector<Hash256>> EventStore::InclusionProof(uint64_t position,
                                                                uint64_t tree_size) const {
  const uint64_t last = LastPosition();
  if (tree_size == 0) tree_size = last;
  if (tree_size > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", tree_size, " is beyond the end of the log (", last, " events)"));
  }
  if (position == 0 || position > tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", position, " is not in the tree of size ", tree_size));
  }
  return merkle::InclusionProof(position - 1, tree_size, TreeReader(db_.get(), nullptr));
}

absl::StatusOr<std::vector<Hash256>> EventStore::ConsistencyProof(uint64_t old_size,
                                                                  uint64_t new_size) const {
  const uint64_t last = LastPosition();
  if (new_size > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", new_size, " is beyond the end of the log (", last, " events)"));
  }
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old tree size ", old_size, " is larger than new tree size ", new_size));
  }
  return merkle::ConsistencyProof(old_size, new_size, TreeReader(db_.get(), nullptr));
}

absl::StatusOr<VerifyReport> EventStore::Verify(
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  return VerifyLog(*db_, dir_, progress);
}

}  // namespace carelog
