// The read side of a store (EventStoreReader): records by position, id and
// stream, scans of the log, settings and checkpoints, the head and proofs.
// Every read goes to RocksDB (a snapshot where it reads more than one key)
// and checks what it decodes (internal::DecodeRecordForReader); the only
// memory it shares with the append path is the published tail
// (store/internal/store_state.h). Opening is in event_store.cc.
#include <algorithm>
#include <limits>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/internal/erasure.h"
#include "store/internal/key_ring.h"
#include "store/internal/log_reads.h"
#include "store/internal/store_state.h"
#include "store/merkle.h"
#include "store/base/status_macros.h"
#include "store/internal/verify.h"

namespace carelog {

using internal::FromRocks;
using internal::TreeReader;

absl::StatusOr<std::unique_ptr<EventStoreReader>> EventStoreReader::Open(
    const std::string& dir, const StoreOptions& options) {
  std::optional<TreeHead> durable;
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDatabase(dir, options, /*read_only=*/true, &durable));
  std::unique_ptr<EventStoreReader> reader(
      new EventStoreReader(dir, options, /*read_only=*/true, std::move(db)));
  RETURN_IF_ERROR(reader->Load(durable));
  return reader;
}

EventStoreReader::EventStoreReader(std::string dir, StoreOptions options, bool read_only,
                                   std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)),
      options_(options),
      read_only_(read_only),
      db_(std::move(db)),
      state_(std::make_unique<State>(dir_)) {}

EventStoreReader::~EventStoreReader() = default;

uint64_t EventStoreReader::LastPosition() const { return state_->published_last.load(); }

absl::StatusOr<uint64_t> EventStoreReader::StreamVersion(std::string_view stream) const {
  return internal::ReadStreamVersion(*db_, stream);
}

TreeHead EventStoreReader::PublishedHead() const {
  absl::MutexLock lock(&state_->head_mu);
  return TreeHead{state_->published_frontier.size, state_->published_frontier.Root()};
}

uint64_t EventStoreReader::WaitForPosition(uint64_t after, absl::Duration timeout) const {
  const State& st = *state_;
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&st.follow_mu);
  while (st.published_last.load() <= after) {
    if (st.follow_cv.WaitWithDeadline(&st.follow_mu, deadline)) break;
  }
  return st.published_last.load();
}

bool EventStoreReader::encrypted() const {
  return state_->ring != nullptr || state_->sealed_without_key;
}

absl::Status EventStoreReader::Unseal(StoredRecord* rec) const {
  internal::KeyRing* ring = state_->ring.get();
  if (state_->sealed_without_key) {
    return absl::FailedPreconditionError(absl::StrCat(
        "position ", rec->position, ": store ", dir_,
        " is encrypted and was opened without its master key: records cannot be read"));
  }
  if (ring == nullptr) return absl::OkStatus();
  if (ring->IsErased(rec->stream)) {
    rec->sealed_payload = std::move(rec->payload);
    rec->payload.clear();
    rec->erased = true;
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> opened = ring->Open(rec->stream, rec->id, rec->payload);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat("position ", rec->position, ": ", opened.status().message()));
  }
  rec->sealed_payload = std::move(rec->payload);
  rec->payload = *std::move(opened);
  return absl::OkStatus();
}

absl::StatusOr<StoredRecord> EventStoreReader::ReadPosition(uint64_t position) const {
  ASSIGN_OR_RETURN(StoredRecord rec, internal::ReadRecordAt(*db_, position));
  RETURN_IF_ERROR(Unseal(&rec));
  return rec;
}

absl::StatusOr<StoredRecord> EventStoreReader::Lookup(std::string_view id) const {
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

absl::StatusOr<std::vector<StoredRecord>> EventStoreReader::ReadStream(
    std::string_view stream, uint64_t from_version) const {
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
    RETURN_IF_ERROR(Unseal(&rec));
    out.push_back(std::move(rec));
  }
  return out;
}

absl::Status EventStoreReader::ScanLog(uint64_t from,
                                       const std::function<bool(const StoredRecord&)>& fn) const {
  rocksdb::ReadOptions ro;
  const internal::ScopedSnapshot snap(*db_);
  ro.snapshot = snap.get();
  ro.readahead_size = 2 << 20;
  // A scan reads each block once: kept in the cache it would only push out
  // the index, filters and blocks that one-case reads come back to.
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  absl::Status status;
  uint64_t expect = from == 0 ? 1 : from;
  StoredRecord rec;  // every record is decoded into this one: no allocation a record
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
    status = internal::DecodeRecordForReaderInto(*pos, it->value().ToStringView(), &rec);
    if (status.ok()) status = Unseal(&rec);
    if (!status.ok()) break;
    ++expect;
    if (!fn(rec)) break;
  }
  if (status.ok()) status = FromRocks(it->status(), "scanning the log");
  return status;
}

absl::StatusOr<std::vector<std::string>> EventStoreReader::Streams(bool include_system) const {
  absl::flat_hash_set<std::string> erased;
  if (encrypted()) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, ErasedStreams());
    erased.insert(names.begin(), names.end());
  }
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string first(1, format::kStreamTag);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first);) {
    ASSIGN_OR_RETURN(auto sv, format::DecodeStreamKey(it->key().ToStringView()));
    if ((include_system || sv.first.empty() || sv.first[0] != '$') && !erased.contains(sv.first)) {
      out.push_back(sv.first);
    }
    // Skip the rest of this stream.
    it->Seek(format::StreamKey(sv.first, std::numeric_limits<uint64_t>::max()));
    if (it->Valid() && it->key().starts_with(format::StreamPrefix(sv.first))) it->Next();
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing streams"));
  return out;
}

absl::StatusOr<std::string> EventStoreReader::DataKeyOf(std::string_view stream) const {
  internal::KeyRing* ring = state_->ring.get();
  if (ring == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", dir_, " is not encrypted, or was opened without its master key"));
  }
  if (ring->IsErased(stream)) {
    return absl::FailedPreconditionError(
        absl::StrCat("stream '", std::string(stream), "' is erased: its data key is destroyed"));
  }
  ASSIGN_OR_RETURN(const SecretKey* key, ring->Find(stream));
  return std::string(key->bytes());
}

absl::StatusOr<std::vector<std::string>> EventStoreReader::ErasedStreams() const {
  ASSIGN_OR_RETURN(std::vector<internal::ErasureMarker> markers,
                   internal::ReadErasureMarkers(db_.get()));
  std::vector<std::string> out;
  out.reserve(markers.size());
  for (internal::ErasureMarker& m : markers) out.push_back(std::move(m.stream));
  return out;
}

absl::StatusOr<std::string> EventStoreReader::GetSetting(std::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::SettingKey(name), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("setting '", std::string(name), "' is not set"));
  RETURN_IF_ERROR(FromRocks(s, "reading setting"));
  return value;
}

absl::Status EventStoreReader::ScanSettings(
    std::string_view prefix,
    const std::function<bool(std::string_view name, std::string_view value)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string start = format::SettingKey(prefix);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    if (!fn(it->key().ToStringView().substr(1), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "reading settings");
}

std::optional<std::string> EventStoreReader::OpenCheckpoint(std::string_view name,
                                                            std::string value) const {
  if (state_->sealed_without_key) return std::nullopt;
  internal::KeyRing* ring = state_->ring.get();
  if (ring == nullptr) return value;
  absl::StatusOr<std::string> opened = ring->Open(internal::kCheckpointKeyStream, name, value);
  if (!opened.ok()) return std::nullopt;
  return *std::move(opened);
}

absl::StatusOr<std::string> EventStoreReader::GetCheckpoint(std::string_view name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format::CheckpointKey(name), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no checkpoint '", std::string(name), "'"));
  }
  RETURN_IF_ERROR(FromRocks(s, "reading checkpoint"));
  std::optional<std::string> opened = OpenCheckpoint(name, std::move(value));
  if (!opened.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("checkpoint '", std::string(name), "' cannot be opened (rebuild it)"));
  }
  return *std::move(opened);
}

absl::StatusOr<EventStoreReader::CheckpointsAt> EventStoreReader::GetCheckpointsAt(
    std::string_view stream, const std::vector<std::string>& names) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = db_->GetSnapshot();
  CheckpointsAt out;
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(out.stream_version, internal::ReadStreamVersion(*db_, stream, ro));
    for (const std::string& name : names) {
      std::string value;
      rocksdb::Status s = db_->Get(ro, format::CheckpointKey(name), &value);
      if (s.IsNotFound()) {
        out.values.emplace_back();
        continue;
      }
      RETURN_IF_ERROR(FromRocks(s, "reading checkpoint"));
      out.values.push_back(OpenCheckpoint(name, std::move(value)));
    }
    return absl::OkStatus();
  }();
  db_->ReleaseSnapshot(ro.snapshot);
  if (!status.ok()) return status;
  return out;
}

absl::Status EventStoreReader::ScanCheckpoints(
    std::string_view prefix,
    const std::function<bool(std::string_view name, std::string_view bytes)>& fn) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  const std::string start = format::CheckpointKey(prefix);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    const std::string_view name = it->key().ToStringView().substr(1);
    if (state_->ring == nullptr && !state_->sealed_without_key) {
      if (!fn(name, it->value().ToStringView())) break;
      continue;
    }
    std::optional<std::string> opened = OpenCheckpoint(name, it->value().ToString());
    if (opened.has_value() && !fn(name, *opened)) break;
  }
  return FromRocks(it->status(), "reading checkpoints");
}

absl::StatusOr<TreeHead> EventStoreReader::Head() const {
  if (!state_->tail_problem.ok()) return state_->tail_problem;
  if (!state_->tree_problem.ok()) return state_->tree_problem;
  merkle::Frontier f;
  {
    absl::MutexLock lock(&state_->head_mu);
    f = state_->published_frontier;
  }
  return TreeHead{f.size, f.Root()};
}

absl::StatusOr<Hash256> EventStoreReader::RootAt(uint64_t size) const {
  const uint64_t last = LastPosition();
  if (size > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", size, " is beyond the end of the log (", last, " events)"));
  }
  return merkle::RootFromSubtrees(size, TreeReader(db_.get(), nullptr));
}

absl::StatusOr<std::vector<Hash256>> EventStoreReader::InclusionProof(uint64_t position,
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

absl::StatusOr<std::vector<Hash256>> EventStoreReader::ConsistencyProof(uint64_t old_size,
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

absl::StatusOr<VerifyReport> EventStoreReader::Verify(
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  return VerifyLog(*db_, dir_, progress);
}

}  // namespace carelog
