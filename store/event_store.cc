// Key layout and record format: see record_format.cc.
//
// Group commit follows LevelDB's DBImpl::Write: appenders queue up; the one at
// the front becomes the leader, takes every queued request, checks each
// against the log as it will stand after the requests before it, writes all
// that pass in one WriteBatch (one fsync), then wakes the others with their
// results. Only the leader touches the tail state (last position, chain,
// version cache), so it needs no lock of its own.
#include "store/event_store.h"

#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "store/status_macros.h"

namespace carelog {
namespace {

constexpr char kFormatMeta[] = "format";
constexpr char kPidFile[] = "carelog.pid";

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
  // Published copy for readers.
  std::atomic<uint64_t> published_last{0};
};

EventStore::EventStore(std::string dir, StoreOptions options, std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)),
      options_(options),
      db_(std::move(db)),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      state_(std::make_unique<State>()) {}

EventStore::~EventStore() {
  if (db_ != nullptr && !options_.read_only) {
    db_->FlushWAL(true).PermitUncheckedError();
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
  ro.max_background_jobs = 2;
  ro.write_buffer_size = 64 << 20;
  ro.keep_log_file_num = 5;
  if (options.env != nullptr) ro.env = options.env;

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
    return FromRocks(s, absl::StrCat("opening store ", dir));
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string format;
  s = db->Get(rocksdb::ReadOptions(), format::MetaKey(kFormatMeta), &format);
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
    std::ofstream pid(fs::path(dir) / kPidFile, std::ios::trunc);
    pid << getpid() << "\n";
  }

  std::unique_ptr<EventStore> store(new EventStore(dir, options, std::move(db)));
  RETURN_IF_ERROR(store->LoadTail());
  return store;
}

absl::Status EventStore::LoadTail() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(format::RecordKey(std::numeric_limits<uint64_t>::max()));
  if (it->Valid() && !it->key().empty() && it->key()[0] == format::kRecordTag) {
    ASSIGN_OR_RETURN(uint64_t pos, format::DecodeRecordKey(it->key().ToStringView()));
    auto rec = format::DecodeRecord(it->value().ToStringView());
    if (!rec.ok()) {
      return absl::DataLossError(
          absl::StrCat("last record (position ", pos, ") is corrupt: ", rec.status().message()));
    }
    if (rec->position != pos) {
      return absl::DataLossError(absl::StrCat("record at key position ", pos,
                                              " says position ", rec->position));
    }
    state_->last_position = pos;
    state_->last_chain = rec->chain;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading log tail"));
  state_->published_last.store(state_->last_position);
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
  while (!w.done && st.writers.front() != &w) w.cv.Wait(&st.mu);
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

  absl::Status s = CommitGroup(group);
  if (!s.ok()) {
    for (Writer* q : group) {
      if (q->result.ok()) q->result = s;
    }
  }

  st.mu.Lock();
  for (Writer* q : group) {
    st.writers.pop_front();
    if (q != &w) {
      q->done = true;
      q->cv.Signal();
    }
  }
  if (!st.writers.empty()) st.writers.front()->cv.Signal();
  st.mu.Unlock();
  return std::move(w.result);
}

// Checks and encodes every writer's request in queue order. A request that
// fails gets its error and contributes nothing; the rest go into one batch.
// Returns an error only when the batch write itself fails (then no request
// in the group succeeded and the tail state is unchanged).
absl::Status EventStore::CommitGroup(std::vector<Writer*>& group) {
  State& st = *state_;
  const int64_t now = absl::ToUnixMicros(clock_->Now());
  bool sync = false;

  struct Tentative {
    uint64_t position;
    Hash256 chain;
    absl::flat_hash_map<std::string, uint64_t> versions;  // overlay over st.versions
    // id -> (position, stream, payload) of records new in this group.
    absl::flat_hash_map<std::string, std::tuple<uint64_t, std::string, std::string>> ids;
  };
  Tentative group_state{st.last_position, st.last_chain, {}, {}};
  rocksdb::WriteBatch batch;
  size_t committed_requests = 0;

  for (Writer* w : group) {
    const AppendRequest& req = *w->request;
    Tentative t = group_state;  // copy: rolled back if this request fails
    std::vector<std::pair<std::string, std::string>> puts;
    AppendResult result;
    absl::Status error;

    auto version_of = [&](const std::string& stream) -> absl::StatusOr<uint64_t> {
      auto it = t.versions.find(stream);
      if (it != t.versions.end()) return it->second;
      return CurrentVersionLocked(stream);
    };

    for (const auto& [stream, expected] : req.expected_versions) {
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

    for (size_t i = 0; error.ok() && i < req.records.size(); ++i) {
      const NewRecord& r = req.records[i];
      if (r.stream.empty() || r.id.empty()) {
        error = absl::InvalidArgumentError(
            absl::StrCat("record ", i + 1, ": empty ", r.stream.empty() ? "stream" : "id"));
        break;
      }
      // Idempotency: earlier in this group, then the log.
      std::optional<std::tuple<uint64_t, std::string, std::string>> prior;
      if (auto it = t.ids.find(r.id); it != t.ids.end()) {
        prior = it->second;
      } else {
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
          prior = std::make_tuple(*pos, rec->stream, rec->payload);
        } else if (!gs.IsNotFound()) {
          error = FromRocks(gs, "reading id index");
          break;
        }
      }
      if (prior.has_value()) {
        const auto& [pos, stream, payload] = *prior;
        if (stream != r.stream || payload != r.payload) {
          error = absl::AlreadyExistsError(absl::StrCat(
              "id '", r.id, "' is already recorded at position ", pos, " with different content"));
          break;
        }
        result.positions.push_back(pos);
        result.already_present.push_back(true);
        continue;
      }
      auto cur = version_of(r.stream);
      if (!cur.ok()) {
        error = cur.status();
        break;
      }
      StoredRecord rec;
      rec.position = ++t.position;
      rec.recorded_at_micros = now;
      rec.version = *cur + 1;
      rec.stream = r.stream;
      rec.id = r.id;
      rec.payload = r.payload;
      const std::string leaf = format::EncodeLeaf(rec);
      rec.chain = format::ChainHash(t.chain, leaf);
      t.chain = rec.chain;
      t.versions[r.stream] = rec.version;
      t.ids.emplace(r.id, std::make_tuple(rec.position, r.stream, r.payload));
      const std::string pos_bytes = format::EncodeFixed64BE(rec.position);
      puts.emplace_back(format::RecordKey(rec.position), format::EncodeRecord(rec));
      puts.emplace_back(format::StreamKey(r.stream, rec.version), pos_bytes);
      puts.emplace_back(format::IdKey(r.id), pos_bytes);
      result.positions.push_back(rec.position);
      result.already_present.push_back(false);
      ++result.appended;
    }

    if (!error.ok()) {
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
    for (auto& [k, v] : puts) batch.Put(k, v);
    sync = sync || req.sync.value_or(options_.sync);
    w->result = std::move(result);
    group_state = std::move(t);
    ++committed_requests;
  }

  if (batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    absl::Status ws = FromRocks(db_->Write(wo, &batch), "appending to the log");
    if (!ws.ok()) return ws;  // tail state untouched: nothing was acknowledged
  }
  st.last_position = group_state.position;
  st.last_chain = group_state.chain;
  for (auto& [stream, v] : group_state.versions) st.versions[stream] = v;
  st.published_last.store(st.last_position);
  return absl::OkStatus();
}

absl::Status EventStore::Sync() {
  if (options_.read_only) return absl::OkStatus();
  return FromRocks(db_->SyncWAL(), "syncing the log");
}

absl::StatusOr<StoredRecord> EventStore::ReadPosition(uint64_t position) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::RecordKey(position), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no record at position ", position));
  RETURN_IF_ERROR(FromRocks(s, "reading the log"));
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
  std::vector<StoredRecord> out;
  const std::string prefix = format::StreamPrefix(stream);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  uint64_t expect = from_version == 0 ? 1 : from_version;
  for (it->Seek(format::StreamKey(stream, expect)); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
    if (sv.second != expect) {
      return absl::DataLossError(absl::StrCat("stream '", std::string(stream), "': version ", expect,
                                              " missing from the index (found ", sv.second, ")"));
    }
    ASSIGN_OR_RETURN(uint64_t pos, format::DecodeFixed64BE(it->value().ToStringView()));
    ASSIGN_OR_RETURN(StoredRecord rec, ReadPosition(pos));
    if (rec.stream != stream || rec.version != expect) {
      return absl::DataLossError(absl::StrCat("stream '", std::string(stream), "' version ", expect,
                                              " points at position ", pos, " which holds '",
                                              rec.stream, "' version ", rec.version));
    }
    out.push_back(std::move(rec));
    ++expect;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading stream"));
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

absl::StatusOr<std::vector<std::string>> EventStore::Streams() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string first(1, format::kStreamTag);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first);) {
    ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
    out.push_back(sv.first);
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

}  // namespace carelog
