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
#include "store/merkle.h"
#include "store/private_files.h"
#include "store/status_macros.h"

namespace carelog {
namespace {

constexpr char kFormatMeta[] = "format";
constexpr char kPidFile[] = "carelog.pid";

// A bulk append (AppendRequest::bulk) is ingested as a table file only from
// this many new records: each ingestion costs an fsync of the write-ahead log,
// of the file and of the manifest, and adds a level-0 file to compact, which
// a small group would not repay.
constexpr size_t kMinIngestRecords = 4096;

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(std::string(what), ": ", s.ToString());
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        msg, " (disk full: nothing from this append was stored; the store is intact; "
             "free space and retry)"));
  }
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

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

// Positions covered by subtree (level, index), for messages.
std::string SubtreeName(int level, uint64_t index) {
  const uint64_t first = (index << level) + 1;
  const uint64_t last = (index + 1) << level;
  return absl::StrCat("Merkle subtree (level ", level, ", index ", index, ") over positions ",
                      first, first == last ? "" : absl::StrCat("-", last));
}

// A SubtreeLookup reading 'T' keys (at `snapshot` when set), remembering what
// it read: the ranges of one proof share right-edge subtrees.
merkle::SubtreeLookup TreeReader(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) {
  auto cache = std::make_shared<absl::flat_hash_map<std::string, Hash256>>();
  return [db, snapshot, cache](int level, uint64_t index) -> absl::StatusOr<Hash256> {
    const std::string key = format::TreeNodeKey(level, index);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    rocksdb::Status s = db->Get(ro, key, &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat(SubtreeName(level, index),
                                              " is missing from the store; run carelog verify"));
    }
    if (!s.ok()) return FromRocks(s, "reading the Merkle tree");
    if (value.size() != 32) {
      return absl::DataLossError(absl::StrCat(SubtreeName(level, index), " is ", value.size(),
                                              " bytes, not 32; run carelog verify"));
    }
    Hash256 h;
    std::memcpy(h.data(), value.data(), 32);
    cache->emplace(key, h);
    return h;
  };
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
  uint64_t last_position = 0;
  Hash256 last_chain{};
  absl::flat_hash_map<std::string, uint64_t> versions;
  merkle::Frontier frontier;
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
  const uint64_t n = st.last_position;
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
  it->SeekForPrev(format::RecordKey(std::numeric_limits<uint64_t>::max()));
  if (it->Valid() && !it->key().empty() && it->key()[0] == format::kRecordTag) {
    ASSIGN_OR_RETURN(uint64_t pos, format::DecodeRecordKey(it->key().ToStringView()));
    auto rec = format::DecodeRecord(it->value().ToStringView());
    absl::Status tail;
    if (!rec.ok()) {
      tail = absl::DataLossError(
          absl::StrCat("last record (position ", pos, ") is corrupt: ", rec.status().message()));
    } else if (rec->position != pos) {
      tail = absl::DataLossError(absl::StrCat("record at key position ", pos,
                                              " says position ", rec->position));
    }
    // A read-only store opens anyway (it never appends), so that Verify can
    // say what is wrong.
    if (!tail.ok() && !options_.read_only) return tail;
    state_->last_position = pos;
    if (tail.ok()) state_->last_chain = rec->chain;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading log tail"));
  // The leaf of the position after the last record is written in the same
  // batch as that record: if it is there, the end of the log was cut off
  // (one Get; the durable head file catches a cleaner removal).
  {
    std::string leaf;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), format::TreeNodeKey(0, state_->last_position), &leaf);
    if (s.ok()) {
      absl::Status cut = absl::DataLossError(absl::StrCat(
          "store ", dir_, " is damaged: the log ends at position ", state_->last_position,
          " but the Merkle tree holds a leaf for position ", state_->last_position + 1,
          ": records were removed from the end of the log; run carelog verify, and restore "
          "from backup"));
      if (!options_.read_only) return cut;
      state_->tail_problem = cut;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the Merkle tree");
    }
  }
  state_->published_last.store(state_->last_position);
  return LoadTree();
}

absl::Status EventStore::LoadTree() {
  State& st = *state_;
  const uint64_t n = st.last_position;
  std::string marker;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), format::MetaKey(format::kTreeMeta), &marker);
  if (s.ok()) {
    auto f = merkle::FrontierFromSubtrees(n, TreeReader(db_.get(), nullptr));
    if (f.ok()) {
      st.frontier = *f;
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
  st.published_frontier = st.frontier;
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
  if (f.size != st.last_position) {
    return absl::DataLossError(absl::StrCat("building the Merkle tree: the log has ", f.size,
                                            " records, its last position is ",
                                            st.last_position));
  }
  batch.Put(format::MetaKey(format::kTreeMeta), "1");
  wo.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "building the Merkle tree"));
  st.frontier = f;
  return absl::OkStatus();
}

uint64_t EventStore::LastPosition() const { return state_->published_last.load(); }

absl::StatusOr<uint64_t> EventStore::StreamVersion(std::string_view stream) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  const std::string prefix = format::StreamPrefix(stream);
  it->SeekForPrev(format::StreamKey(stream, std::numeric_limits<uint64_t>::max()));
  if (it->Valid() && it->key().starts_with(prefix)) {
    ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
    return sv.second;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading stream version"));
  return 0;
}

absl::StatusOr<uint64_t> EventStore::CurrentVersionLocked(const std::string& stream) {
  auto it = state_->versions.find(stream);
  if (it != state_->versions.end()) return it->second;
  ASSIGN_OR_RETURN(uint64_t v, StreamVersion(stream));
  state_->versions.emplace(stream, v);
  return v;
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

// Checks and encodes every writer's request in queue order. A request that
// fails gets its error and contributes nothing; the rest go into one batch.
// Returns an error only when the batch write itself fails (then no request
// in the group succeeded and the tail state is unchanged).
absl::Status EventStore::CommitGroup(std::vector<Writer*>& group,
                                     std::optional<TreeHead>* durable_head) {
  State& st = *state_;
  const int64_t now = absl::ToUnixMicros(clock_->Now());
  bool sync = false;
  bool bulk = true;  // every committed request asked for a bulk load

  if (!st.tree_problem.ok()) {
    absl::Status refused =
        absl::DataLossError(absl::StrCat("refusing to append: ", st.tree_problem.message()));
    for (Writer* w : group) w->result = refused;
    return refused;
  }

  // The tail as it will stand after the requests committed so far. A request
  // that fails is rolled back to the marks taken before it: an undo, not a
  // copy of the group's state per request, so a large group stays linear.
  uint64_t position = st.last_position;
  Hash256 chain = st.last_chain;
  merkle::Frontier frontier = st.frontier;
  // Overlays over st.versions and the id index for this group. Their keys
  // point into the requests' records, which outlive the group (each writer
  // waits for its result).
  absl::flat_hash_map<std::string_view, uint64_t> versions;
  // id -> (position, record) of the records new in this group.
  absl::flat_hash_map<std::string_view, std::pair<uint64_t, const NewRecord*>> ids;

  // What the committed requests put, kept by key range so that the batch can
  // be written in key order (see below) without building and sorting a pair
  // of strings per key. Record values are encoded in place, back to back:
  // new record i (position st.last_position + 1 + i) ends at value_ends[i].
  std::string values;
  std::vector<size_t> value_ends;
  // 'I' and 'S' keys, back to back in index_keys, each -> fixed64be(position).
  struct IndexPut {
    size_t offset;
    size_t size;
    uint64_t position;
  };
  std::string index_keys;
  std::vector<IndexPut> index_puts;
  // Completed Merkle subtrees, in the order they complete.
  struct NodePut {
    int level;
    uint64_t index;
    Hash256 hash;
  };
  std::vector<NodePut> node_puts;
  // Settings of the committed requests, in queue order (a later request's
  // value of the same name wins, as the later write would). Never with a
  // bulk load: a request carrying settings is not bulk, so its group is not.
  std::vector<const std::pair<std::string, std::string>*> setting_puts;
  {
    size_t records = 0, value_bytes = 0, key_bytes = 0;
    for (const Writer* w : group) {
      for (const NewRecord& r : w->request->records) {
        ++records;
        value_bytes += format::MaxLeafSize(r.stream.size(), r.id.size(), r.payload.size()) + 36;
        key_bytes += r.id.size() + r.stream.size() + 15;
      }
    }
    values.reserve(value_bytes);
    value_ends.reserve(records);
    index_keys.reserve(key_bytes);
    index_puts.reserve(2 * records);
    node_puts.reserve(2 * records + 64);
  }

  auto version_of = [&](std::string_view stream) -> absl::StatusOr<uint64_t> {
    if (auto it = versions.find(stream); it != versions.end()) return it->second;
    if (auto it = st.versions.find(absl::string_view(stream.data(), stream.size()));
        it != st.versions.end()) {
      return it->second;
    }
    return CurrentVersionLocked(std::string(stream));
  };

  for (Writer* w : group) {
    const AppendRequest& req = *w->request;
    const uint64_t mark_position = position;
    const Hash256 mark_chain = chain;
    const merkle::Frontier mark_frontier = frontier;
    const size_t mark_values = values.size();
    const size_t mark_value_ends = value_ends.size();
    const size_t mark_index_keys = index_keys.size();
    const size_t mark_index_puts = index_puts.size();
    const size_t mark_node_puts = node_puts.size();
    // (stream, its overlay version before this request's write) per write.
    std::vector<std::pair<std::string_view, std::optional<uint64_t>>> version_undo;
    std::vector<std::string_view> ids_added;
    AppendResult result;
    absl::Status error;

    if (req.bulk && !req.settings.empty()) {
      error = absl::InvalidArgumentError(
          "a bulk append cannot carry settings: they go in the ordinary write");
    }
    for (const auto& [stream, expected] : req.expected_versions) {
      if (!error.ok()) break;
      auto cur = version_of(stream);
      if (!cur.ok()) {
        error = cur.status();
        break;
      }
      if (*cur != expected) {
        error = absl::AbortedError(absl::StrCat("version conflict on '", stream, "': expected version ",
                                                expected, ", the log is at version ", *cur));
        break;
      }
    }

    StoredRecord stored;  // a prior record read from the log
    for (size_t i = 0; error.ok() && i < req.records.size(); ++i) {
      const NewRecord& r = req.records[i];
      if (r.stream.empty() || r.id.empty()) {
        error = absl::InvalidArgumentError(
            absl::StrCat("record ", i + 1, ": empty ", r.stream.empty() ? "stream" : "id"));
        break;
      }
      // Idempotency: earlier in this group, then the log.
      bool has_prior = false;
      uint64_t prior_pos = 0;
      std::string_view prior_stream, prior_payload;
      if (auto it = ids.find(r.id); it != ids.end()) {
        has_prior = true;
        prior_pos = it->second.first;
        prior_stream = it->second.second->stream;
        prior_payload = it->second.second->payload;
      } else if (!req.ids_checked_by_caller) {
        std::string pos_bytes;
        rocksdb::Status gs = db_->Get(rocksdb::ReadOptions(), format::IdKey(r.id), &pos_bytes);
        if (gs.ok()) {
          auto pos = format::DecodeFixed64BE(pos_bytes);
          if (!pos.ok()) {
            error = absl::DataLossError(absl::StrCat("id index entry for '", r.id, "' is corrupt"));
            break;
          }
          auto rec = ReadPosition(*pos);
          if (!rec.ok()) {
            error = rec.status();
            break;
          }
          stored = *std::move(rec);
          has_prior = true;
          prior_pos = *pos;
          prior_stream = stored.stream;
          prior_payload = stored.payload;
        } else if (!gs.IsNotFound()) {
          error = FromRocks(gs, "reading id index");
          break;
        }
      }
      if (has_prior) {
        if (prior_stream != r.stream || prior_payload != r.payload) {
          error = absl::AlreadyExistsError(absl::StrCat("id '", r.id, "' is already recorded at position ",
                                                        prior_pos, " with different content"));
          break;
        }
        result.positions.push_back(prior_pos);
        result.already_present.push_back(true);
        continue;
      }
      auto cur = version_of(r.stream);
      if (!cur.ok()) {
        error = cur.status();
        break;
      }
      const uint64_t pos = ++position;
      const uint64_t version = *cur + 1;
      const size_t start = values.size();
      format::AppendLeaf(pos, now, version, r.stream, r.id, r.payload, &values);
      const std::string_view leaf(values.data() + start, values.size() - start);
      chain = format::ChainHash(chain, leaf);
      frontier.Append(merkle::LeafHash(leaf), [&](int level, uint64_t index, const Hash256& h) {
        node_puts.push_back(NodePut{level, index, h});
      });
      format::AppendRecordTrailer(chain, start, &values);
      value_ends.push_back(values.size());

      auto [vit, inserted] = versions.try_emplace(r.stream, version);
      version_undo.emplace_back(r.stream,
                                inserted ? std::optional<uint64_t>() : std::optional(vit->second));
      vit->second = version;
      ids.emplace(r.id, std::make_pair(pos, &r));
      ids_added.push_back(r.id);

      // IdKey's and StreamKey's bytes.
      size_t key_start = index_keys.size();
      index_keys.push_back(format::kIdTag);
      index_keys.append(r.id);
      index_puts.push_back(IndexPut{key_start, index_keys.size() - key_start, pos});
      key_start = index_keys.size();
      index_keys.append(format::StreamKey(r.stream, version));
      index_puts.push_back(IndexPut{key_start, index_keys.size() - key_start, pos});

      result.positions.push_back(pos);
      result.already_present.push_back(false);
      ++result.appended;
    }

    if (!error.ok()) {
      position = mark_position;
      chain = mark_chain;
      frontier = mark_frontier;
      values.resize(mark_values);
      value_ends.resize(mark_value_ends);
      index_keys.resize(mark_index_keys);
      index_puts.resize(mark_index_puts);
      node_puts.resize(mark_node_puts);
      for (auto it = version_undo.rbegin(); it != version_undo.rend(); ++it) {
        if (it->second.has_value()) {
          versions[it->first] = *it->second;
        } else {
          versions.erase(it->first);
        }
      }
      for (std::string_view id : ids_added) ids.erase(id);
      w->result = error;
      continue;
    }
    for (const auto& r : req.records) {
      auto v = version_of(r.stream);
      if (v.ok()) result.stream_versions[r.stream] = *v;
    }
    for (const auto& [stream, expected] : req.expected_versions) {
      if (!result.stream_versions.contains(stream)) result.stream_versions[stream] = expected;
    }
    for (const auto& setting : req.settings) setting_puts.push_back(&setting);
    sync = sync || req.sync.value_or(options_.sync);
    bulk = bulk && req.bulk;
    w->result = std::move(result);
  }

  // The batch's keys go in key order: the memtable's skip list then inserts
  // each one next to the previous (RocksDB keeps the last insert's splice),
  // instead of searching from the top for keys that alternate between the
  // log, stream, id and tree ranges. Keys within a group are distinct, and a
  // WriteBatch is atomic whatever its order, so this changes nothing else.
  // The ranges are in tag order; records ascend by position already, each
  // tree level by index, so only the id and stream keys need a sort.
  static_assert(format::kRecordTag < format::kIdTag && format::kIdTag < format::kStreamTag &&
                format::kStreamTag < format::kTreeTag);
  auto sort_index = [&] {
    auto key_of = [&](const IndexPut& p) {
      return std::string_view(index_keys.data() + p.offset, p.size);
    };
    std::sort(index_puts.begin(), index_puts.end(),
              [&](const IndexPut& a, const IndexPut& b) { return key_of(a) < key_of(b); });
    std::stable_sort(node_puts.begin(), node_puts.end(),
                     [](const NodePut& a, const NodePut& b) { return a.level < b.level; });
  };

  // Every put of the group, in key order, to `put` (a WriteBatch or a table
  // file: both take the same keys and values): the records, then (after
  // sort_index) the id, stream and tree keys. The two halves read disjoint
  // state, so they may run on two threads.
  auto put_records = [&](auto&& put) -> rocksdb::Status {
    size_t start = 0;
    uint64_t pos = st.last_position;
    for (size_t end : value_ends) {
      rocksdb::Status s =
          put(format::RecordKey(++pos), rocksdb::Slice(values.data() + start, end - start));
      if (!s.ok()) return s;
      start = end;
    }
    return rocksdb::Status::OK();
  };
  auto put_index = [&](auto&& put) -> rocksdb::Status {
    for (const IndexPut& p : index_puts) {
      rocksdb::Status s = put(rocksdb::Slice(index_keys.data() + p.offset, p.size),
                              format::EncodeFixed64BE(p.position));
      if (!s.ok()) return s;
    }
    for (const NodePut& n : node_puts) {
      rocksdb::Status s =
          put(format::TreeNodeKey(n.level, n.index),
              rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
      if (!s.ok()) return s;
    }
    return rocksdb::Status::OK();
  };

  bool durable = sync;  // is this group durable once written?
  if (bulk && value_ends.size() >= kMinIngestRecords) {
    // Bulk load: the keys are already in order, which is what a table file
    // needs, so they go straight into table files that RocksDB links into
    // the store, skipping the write-ahead log, the memtable inserts (the
    // largest cost of a big append) and the flush that would write the same
    // tables later. Ingestion is atomic and, when it returns, durable (the
    // files are fsynced before they are linked, the manifest after).
    //
    // Earlier appends made without sync are only in the write-ahead log;
    // they are synced first, or a crash could keep this group and lose the
    // positions before it (a gap in the log).
    absl::Status ws;
    if (state_->write_failed.load()) {
      ws = absl::FailedPreconditionError(
          "an earlier write to the log failed: close and reopen the store before appending");
    } else {
      ws = FromRocks(db_->SyncWAL(), "syncing the log before a bulk append");
      if (!ws.ok()) state_->write_failed.store(true);
    }
    if (!ws.ok()) return ws;
    // Ingestion is not held back by level 0's size as writes are, and each
    // group adds a level-0 table: on a 10-million-event import level 0
    // reached 80 tables, making every read merge them. So wait, as RocksDB
    // makes a writer wait, while level 0 is at its stop size and compaction
    // is making progress (a background error ends the wait; the ingestion
    // then reports it).
    {
      const uint64_t stop = static_cast<uint64_t>(
          std::max(1, db_->GetOptions().level0_stop_writes_trigger));
      auto level0_files = [&]() -> uint64_t {
        std::string files;
        uint64_t n = 0;
        if (!db_->GetProperty("rocksdb.num-files-at-level0", &files) ||
            !absl::SimpleAtoi(files, &n)) {
          return 0;
        }
        return n;
      };
      uint64_t errors = 0;
      while (level0_files() >= stop &&
             db_->GetIntProperty("rocksdb.background-errors", &errors) && errors == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    // Two tables, ingested together in one atomic step: the records, and
    // the index and tree keys. Records are most of the bytes and each
    // group's lie past every earlier record, so their table overlaps nothing
    // and RocksDB places it in the last level: it is never compacted. Only
    // the other table, whose id and stream keys fall among earlier ones,
    // lands in level 0 for compaction to merge. (One table of everything
    // overlapped every earlier one, so compaction rewrote all the records;
    // a table per range would add three level-0 files per group.) The
    // record table is compressed as it is final; the other is written
    // uncompressed and left in the page cache, as compaction soon reads it
    // back and compresses what it writes.
    // The two tables are written at once, the index one (with its sort) on
    // a second thread: they share nothing until ingestion.
    rocksdb::Options final_options = db_->GetOptions();
    rocksdb::Options level0_options = final_options;
    level0_options.compression = rocksdb::kNoCompression;
    auto table_path = [&](const char* what) {
      return (std::filesystem::path(dir_) / absl::StrCat(".append-", position, "-", what, ".sst"))
          .string();
    };
    const std::string records_path = table_path("records");
    const std::string index_path = table_path("index");
    auto write_table = [&](const std::string& path, const rocksdb::Options& options,
                           auto&& fill) -> rocksdb::Status {
      rocksdb::SstFileWriter table(rocksdb::EnvOptions(), options, db_->DefaultColumnFamily(),
                                   /*invalidate_page_cache=*/false);
      rocksdb::Status s = table.Open(path);
      if (s.ok()) {
        s = fill([&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return table.Put(k, v); });
      }
      if (s.ok()) s = table.Finish();
      return s;
    };
    rocksdb::Status index_status;
    std::thread index_writer([&] {
      sort_index();
      index_status = write_table(index_path, level0_options, put_index);
    });
    rocksdb::Status s = write_table(records_path, final_options, put_records);
    index_writer.join();
    if (s.ok()) s = index_status;
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions io;
      io.move_files = true;  // link the files in rather than copy them
      s = db_->IngestExternalFile({records_path, index_path}, io);
    }
    for (const std::string& path : {records_path, index_path}) {
      std::error_code ec;
      std::filesystem::remove(path, ec);  // after a move only the links in the store remain
    }
    ws = FromRocks(s, "appending to the log");
    if (!ws.ok()) return ws;  // tail state untouched: nothing was acknowledged
    durable = true;  // ingested tables are synced, and the log before them
  } else {
    const size_t puts = value_ends.size() + index_puts.size() + node_puts.size();
    rocksdb::WriteBatch batch(12 + values.size() + index_keys.size() + 8 * index_puts.size() +
                              42 * node_puts.size() + 12 * puts);
    auto put = [&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return batch.Put(k, v); };
    sort_index();
    // Settings first: 'C' keys sort before the log's.
    static_assert(format::kSettingTag < format::kRecordTag);
    rocksdb::Status bs;
    for (const auto* setting : setting_puts) {
      if (bs.ok()) bs = put(format::SettingKey(setting->first), setting->second);
    }
    if (bs.ok()) bs = put_records(put);
    if (bs.ok()) bs = put_index(put);
    if (!bs.ok()) return FromRocks(bs, "appending to the log");
    if (batch.Count() > 0) {
      rocksdb::WriteOptions wo;
      wo.sync = sync;
      absl::Status ws = FromRocks(db_->Write(wo, &batch), "appending to the log");
      if (!ws.ok()) state_->write_failed.store(true);
      if (!ws.ok()) return ws;  // tail state untouched: nothing was acknowledged
    }
  }
  st.last_position = position;
  st.last_chain = chain;
  st.frontier = frontier;
  for (const auto& [stream, v] : versions) st.versions[std::string(stream)] = v;
  {
    absl::MutexLock lock(&st.head_mu);
    st.published_frontier = st.frontier;
  }
  st.published_last.store(st.last_position);
  {
    absl::MutexLock lock(&st.follow_mu);
    st.follow_cv.SignalAll();
  }
  // The caller moves the durable head before anyone is told the append is
  // stored, so that every acknowledged durable append is covered by it.
  if (durable && !value_ends.empty()) *durable_head = TreeHead{frontier.size, frontier.Root()};
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

namespace {

// A record value read from the key of `position`, decoded and checked to be
// that position's (a value moved or swapped to another key is refused).
absl::StatusOr<StoredRecord> DecodeAt(uint64_t position, std::string_view value) {
  auto rec = format::DecodeRecord(value);
  if (!rec.ok()) {
    return absl::DataLossError(
        absl::StrCat("position ", position, ": ", rec.status().message()));
  }
  if (rec->position != position) {
    return absl::DataLossError(absl::StrCat("position ", position, ": record says position ",
                                            rec->position, " (moved or swapped)"));
  }
  return rec;
}

}  // namespace

absl::StatusOr<StoredRecord> EventStore::ReadPosition(uint64_t position) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::RecordKey(position), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no record at position ", position));
  RETURN_IF_ERROR(FromRocks(s, "reading the log"));
  return DecodeAt(position, value);
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
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  ro.snapshot = snap;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snap;
    ~Release() { db->ReleaseSnapshot(snap); }
  } release{db_.get(), snap};

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
    ASSIGN_OR_RETURN(StoredRecord rec, DecodeAt(pos, values[i].ToStringView()));
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
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  ro.snapshot = snap;
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
    auto rec = format::DecodeRecord(it->value().ToStringView());
    if (!rec.ok()) {
      status = absl::DataLossError(absl::StrCat("position ", *pos, ": ", rec.status().message()));
      break;
    }
    if (rec->position != *pos) {
      status = absl::DataLossError(absl::StrCat("position ", *pos, ": record says position ",
                                                rec->position, " (moved or swapped)"));
      break;
    }
    ++expect;
    if (!fn(*rec)) break;
  }
  if (status.ok()) status = FromRocks(it->status(), "scanning the log");
  it.reset();
  db_->ReleaseSnapshot(snap);
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

namespace {

// Walks one level of the stored tree in key order, beside the recomputed
// tree: every stored key must be the next expected subtree.
class LevelCursor {
 public:
  LevelCursor(rocksdb::DB* db, const rocksdb::ReadOptions& ro, int level)
      : it_(db->NewIterator(ro)), prefix_{format::kTreeTag, static_cast<char>(level)} {
    it_->Seek(prefix_);
  }
  // The next stored key of this level, or nullopt at its end.
  bool AtEnd() const { return !it_->Valid() || !it_->key().starts_with(prefix_); }
  rocksdb::Iterator* it() { return it_.get(); }
  absl::Status status() const { return FromRocks(it_->status(), "reading the Merkle tree"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;
};

}  // namespace

absl::StatusOr<VerifyReport> EventStore::Verify(
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  VerifyReport report;
  // Read before the snapshot is taken: everything it records is then in the
  // snapshot, however many appends run meanwhile.
  ASSIGN_OR_RETURN(const std::optional<TreeHead> durable, ReadHeadFile(dir_));

  // Every block of every table file against its checksum, the filter, index
  // and properties blocks included (a scan of the log reads only the data
  // blocks it needs, and a lookup may be answered from a filter without the
  // block), then every whole table file against the checksum the MANIFEST
  // keeps for it (tables written before carelog asked for one have none).
  {
    rocksdb::ReadOptions cro;
    cro.readahead_size = 2 << 20;
    rocksdb::Status s = db_->VerifyChecksum(cro);
    if (s.ok()) s = db_->VerifyFileChecksums(cro);
    if (!s.ok()) {
      if (s.IsCorruption()) {
        return absl::DataLossError(absl::StrCat("store ", dir_, " is damaged: a table file fails its checksum (",
                                                s.ToString(), "); restore from backup (carelog restore)"));
      }
      return FromRocks(s, "checking the table files' checksums");
    }
  }

  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snap;
    ~Release() { db->ReleaseSnapshot(snap); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  rocksdb::ReadOptions scan_ro = ro;
  scan_ro.readahead_size = 2 << 20;

  uint64_t checked = 0;  // records that passed every check
  auto fail = [&](uint64_t position, std::string problem) {
    report.ok = false;
    report.events = checked;
    report.position = position;
    report.problem = std::move(problem);
    return report;
  };

  // The last position, as this snapshot has it.
  uint64_t last = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    it->SeekForPrev(format::RecordKey(std::numeric_limits<uint64_t>::max()));
    if (it->Valid() && !it->key().empty() && it->key()[0] == format::kRecordTag) {
      auto pos = format::DecodeRecordKey(it->key().ToStringView());
      if (!pos.ok()) return fail(0, "a log key is malformed (not 'E' + 8 bytes)");
      last = *pos;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "reading log tail"));
  }
  {
    std::string marker;
    rocksdb::Status s = db_->Get(ro, format::MetaKey(format::kTreeMeta), &marker);
    if (s.IsNotFound() && last > 0) {
      return fail(1, "the store has no Merkle tree (written before carelog kept one); open it "
                     "read-write once to build it");
    }
    if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "reading tree marker"));
  }
  if (progress) progress(0, last);

  merkle::Frontier frontier;
  std::vector<std::unique_ptr<LevelCursor>> levels;
  std::string tree_failure;  // set by the on_complete callback
  uint64_t current = 0;
  auto check_node = [&](int level, uint64_t index, const Hash256& h) {
    if (!tree_failure.empty()) return;
    while (static_cast<int>(levels.size()) <= level) {
      levels.push_back(std::make_unique<LevelCursor>(db_.get(), ro, static_cast<int>(levels.size())));
    }
    LevelCursor& c = *levels[level];
    if (c.AtEnd()) {
      tree_failure = absl::StrCat(SubtreeName(level, index), " is missing");
      return;
    }
    auto key = format::DecodeTreeNodeKey(c.it()->key().ToStringView());
    if (!key.ok()) {
      tree_failure = absl::StrCat("a Merkle tree key at level ", level, " is malformed");
      return;
    }
    if (key->second != index) {
      tree_failure = absl::StrCat(SubtreeName(level, index), " is missing",
                                  key->second > index ? "" : " (an unexpected node is in its place)");
      return;
    }
    const rocksdb::Slice v = c.it()->value();
    if (v.size() != 32 || std::memcmp(v.data(), h.data(), 32) != 0) {
      tree_failure = absl::StrCat("stored hash of ", SubtreeName(level, index),
                                  " does not match the records (tree node altered, or a record "
                                  "rewritten with its checksum and chain recomputed)");
      return;
    }
    c.it()->Next();
  };

  absl::flat_hash_map<std::string, uint64_t> versions;
  Hash256 chain{};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(scan_ro));
  uint64_t expect = 1;
  for (it->Seek(format::RecordKey(1)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.empty() || key[0] != format::kRecordTag) break;
    auto pos = format::DecodeRecordKey(key.ToStringView());
    if (!pos.ok()) return fail(expect, "a log key is malformed (not 'E' + 8 bytes)");
    if (*pos != expect) {
      return fail(expect, absl::StrCat("position ", expect, " is missing from the log (next is ",
                                       *pos, ")"));
    }
    current = expect;
    auto rec = format::DecodeRecord(it->value().ToStringView());
    if (!rec.ok()) return fail(current, std::string(rec.status().message()));
    if (rec->position != current) {
      return fail(current, absl::StrCat("record says position ", rec->position,
                                        " (moved or swapped)"));
    }
    const std::string leaf = format::EncodeLeaf(*rec);
    if (format::ChainHash(chain, leaf) != rec->chain) {
      return fail(current, "hash chain broken: the stored chain value is not SHA-256(previous "
                           "chain || record)");
    }
    chain = rec->chain;
    frontier.Append(merkle::LeafHash(leaf), check_node);
    if (!tree_failure.empty()) return fail(current, tree_failure);
    for (auto& c : levels) RETURN_IF_ERROR(c->status());
    uint64_t& v = versions[rec->stream];
    if (rec->version != v + 1) {
      return fail(current, absl::StrCat("stream '", rec->stream, "' version ", rec->version,
                                        " follows version ", v, " (versions must be gap-free)"));
    }
    v = rec->version;
    const std::string pos_bytes = format::EncodeFixed64BE(current);
    std::string value;
    rocksdb::Status s = db_->Get(ro, format::StreamKey(rec->stream, rec->version), &value);
    if (s.IsNotFound()) {
      return fail(current, absl::StrCat("stream index entry for '", rec->stream, "' version ",
                                        rec->version, " is missing"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading stream index"));
    if (value != pos_bytes) {
      auto p = format::DecodeFixed64BE(value);
      return fail(current, absl::StrCat("stream index entry for '", rec->stream, "' version ",
                                        rec->version, " points at ",
                                        p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                        ", not at this record"));
    }
    s = db_->Get(ro, format::IdKey(rec->id), &value);
    if (s.IsNotFound()) {
      return fail(current, absl::StrCat("id index entry for '", rec->id, "' is missing"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading id index"));
    if (value != pos_bytes) {
      auto p = format::DecodeFixed64BE(value);
      return fail(current, absl::StrCat("id index entry for '", rec->id, "' points at ",
                                        p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                        ", not at this record (or the id is recorded twice)"));
    }
    if (durable.has_value() && current == durable->size && frontier.Root() != durable->root) {
      return fail(current, absl::StrCat(
          "the first ", current, " records have head ", current, ":",
          merkle::ToHex(frontier.Root()), " but the durable head file (", kHeadFileName,
          ") records ", FormatTreeHead(*durable),
          ", acknowledged earlier: the log is not the one that was acknowledged"));
    }
    ++expect;
    checked = current;
    if (progress && (current & 4095) == 0) progress(current, last);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning the log"));
  it.reset();
  const uint64_t n = expect - 1;
  if (n != last) {
    return fail(n + 1, absl::StrCat("the log ends at position ", n, " but has a key for position ",
                                    last));
  }
  if (durable.has_value() && durable->size > n) {
    return fail(n + 1, absl::StrCat("the log has head ", n, ":", merkle::ToHex(frontier.Root()),
                                    " but the durable head file (", kHeadFileName, ") records ",
                                    FormatTreeHead(*durable), ", acknowledged earlier: ",
                                    durable->size - n, " acknowledged events are missing"));
  }

  // Tree nodes beyond what the records complete (e.g. the log was truncated),
  // and keys in the tree's range that name no subtree.
  {
    std::unique_ptr<rocksdb::Iterator> t(db_->NewIterator(ro));
    const std::string tree_tag(1, format::kTreeTag);
    t->Seek(tree_tag);
    if (t->Valid() && t->key().starts_with(tree_tag) &&
        !format::DecodeTreeNodeKey(t->key().ToStringView()).ok()) {
      return fail(0, "a Merkle tree key is malformed");
    }
    for (int level = 0; level < 64; ++level) {
      t->Seek(format::TreeNodeKey(level, n >> level));  // first subtree not complete
      const std::string prefix{format::kTreeTag, static_cast<char>(level)};
      if (!t->Valid() || !t->key().starts_with(prefix)) continue;
      auto k = format::DecodeTreeNodeKey(t->key().ToStringView());
      if (!k.ok()) return fail(0, absl::StrCat("a Merkle tree key at level ", level, " is malformed"));
      const uint64_t completes = k->second < (uint64_t{1} << (63 - level))
                                     ? (k->second + 1) << level
                                     : 0;
      return fail(completes, absl::StrCat(SubtreeName(level, k->second),
                                           " is stored but the log has only ", n,
                                           " events (records removed from the end?)"));
    }
    t->Seek(std::string{format::kTreeTag, static_cast<char>(64)});
    if (t->Valid() && t->key().starts_with(tree_tag)) {
      return fail(0, "a Merkle tree key has a level above 63");
    }
    RETURN_IF_ERROR(FromRocks(t->status(), "reading the Merkle tree"));
  }

  // Stream index entries that belong to no record. Every (stream, version)
  // with 1 <= version <= the stream's last version was checked above.
  {
    std::unique_ptr<rocksdb::Iterator> s(db_->NewIterator(scan_ro));
    const std::string tag(1, format::kStreamTag);
    for (s->Seek(tag); s->Valid() && s->key().starts_with(tag); s->Next()) {
      auto sv = format::DecodeStreamKey(s->key().ToStringView());
      auto p = format::DecodeFixed64BE(s->value().ToStringView());
      const uint64_t at = p.ok() ? *p : 0;
      if (!sv.ok()) return fail(at, "a stream index key is malformed");
      auto v = versions.find(sv->first);
      if (v == versions.end() || sv->second == 0 || sv->second > v->second) {
        return fail(at, absl::StrCat("stream index entry for '", sv->first, "' version ",
                                     sv->second, " points at ",
                                     p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                     " but no record is that stream version"));
      }
    }
    RETURN_IF_ERROR(FromRocks(s->status(), "reading stream index"));
  }

  // Id index entries that belong to no record: each must point at a record
  // that has its id (that record's check above then matched this entry).
  {
    std::unique_ptr<rocksdb::Iterator> s(db_->NewIterator(scan_ro));
    const std::string tag(1, format::kIdTag);
    for (s->Seek(tag); s->Valid() && s->key().starts_with(tag); s->Next()) {
      const std::string id(s->key().ToStringView().substr(1));
      auto p = format::DecodeFixed64BE(s->value().ToStringView());
      if (!p.ok() || *p == 0 || *p > n) {
        return fail(p.ok() ? *p : 0,
                    absl::StrCat("id index entry for '", id, "' points at ",
                                 p.ok() ? absl::StrCat("position ", *p) : "garbage",
                                 ", which is not in the log"));
      }
      std::string value;
      RETURN_IF_ERROR(FromRocks(db_->Get(ro, format::RecordKey(*p), &value), "reading the log"));
      auto rec = format::DecodeRecord(value);
      if (!rec.ok()) return fail(*p, std::string(rec.status().message()));
      if (rec->id != id) {
        return fail(*p, absl::StrCat("id index entry for '", id, "' points at position ", *p,
                                     " which holds '", rec->id, "'"));
      }
    }
    RETURN_IF_ERROR(FromRocks(s->status(), "reading id index"));
  }

  if (progress) progress(n, last);
  report.events = n;
  report.head = TreeHead{n, frontier.Root()};
  report.durable_head = durable;
  return report;
}

}  // namespace carelog
