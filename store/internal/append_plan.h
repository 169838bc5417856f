// The append plan of one commit group: every request of the group checked
// and encoded against the log as it will stand after the requests before it
// (idempotency, expected versions, stream versions, record encoding, the hash
// chain and the Merkle tree), ready to be written in key order to a
// WriteBatch or to table files. Internal to store/; the group commit itself
// is in event_store.cc.
//
// A request that fails is rolled back to the marks taken before it: an undo,
// not a copy of the group's state per request, so a large group stays
// linear. Nothing is written to the store until the caller writes the plan.
#ifndef CARELOG_STORE_INTERNAL_APPEND_PLAN_H_
#define CARELOG_STORE_INTERNAL_APPEND_PLAN_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/internal/erasure.h"
#include "store/internal/key_ring.h"
#include "store/merkle.h"
#include "store/record_format.h"

namespace carelog::internal {

// The end of the log: what a plan extends, and what it becomes once the
// plan is written.
struct LogTail {
  uint64_t last_position = 0;
  Hash256 last_chain{};
  merkle::Frontier frontier;
};

// 'I' and 'S' keys of a plan, back to back in its index key bytes, each ->
// fixed64be(position).
struct IndexPut {
  size_t offset;
  size_t size;
  uint64_t position;
  // The key's first 16 bytes as two big-endian numbers, zero-padded: most
  // of SortIndex's comparisons end here, without reading the key's bytes
  // (SortIndex went from 4.1% to 3.3% of an import's samples).
  uint64_t head_hi;
  uint64_t head_lo;
};
// A completed Merkle subtree.
struct NodePut {
  int level;
  uint64_t index;
  Hash256 hash;
};

// A plan's growing buffers, kept between plans by a BulkLoader: a bulk
// group's buffers are tens of megabytes, and fresh ones for every group had
// the kernel map and zero their pages again (page faults were ~10% of an
// import's pass 2).
struct PlanBuffers {
  std::string values;
  std::vector<size_t> value_ends;
  std::string index_keys;
  std::vector<IndexPut> index_puts;
  std::vector<NodePut> node_puts;
};

// What a request may skip; only a BulkLoader (store/bulk_loader.h), which
// holds the store alone, asks for more than the default.
struct AppendMode {
  // Ingest a large group as table files (internal/bulk_ingest.h) instead of
  // the write-ahead log and the memtable. Refuses settings.
  bool bulk = false;
  // Every record's id was looked up in the log while the caller alone could
  // write it: check ids only against earlier records of the commit group.
  bool ids_checked = false;
  // Buffers to plan in (their contents dropped, their capacity kept), when
  // this is the plan's first request; the plan gives them back when it is
  // destroyed. Not owned; must outlive the plan. Null: the plan allocates.
  PlanBuffers* buffers = nullptr;
  // EventStore::Erase: markers of streams to erase, written in the same
  // write as the request's records (store/internal/erasure.h). Not owned.
  const std::vector<ErasureMarker>* erase = nullptr;
};

class AppendPlan {
 public:
  // `versions` is the store's cache of stream -> version in the log, filled
  // from `db` on a miss; both must outlive the plan. `requests` are the
  // group's, for reserving room; each must outlive the plan too (the plan
  // keeps views of their records).
  // `ring` (not owned; null in a plain store) seals every new payload under
  // its stream's data key; keys it creates go into the plan (PutDataKeys),
  // and the caller tells it whether they were written (CommitPending /
  // DropPending).
  AppendPlan(rocksdb::DB& db, const LogTail& tail,
             absl::flat_hash_map<std::string, uint64_t>& versions, int64_t now_micros,
             const std::vector<const AppendRequest*>& requests, KeyRing* ring = nullptr);
  // Gives borrowed buffers (AppendMode::buffers) back.
  ~AppendPlan();
  AppendPlan(const AppendPlan&) = delete;
  AppendPlan& operator=(const AppendPlan&) = delete;

  // Checks and encodes `request` after the requests added before it. On
  // success its new records are in the plan and the result says where every
  // record is; on failure the plan is as before the call and the error is
  // the request's: kInvalidArgument (empty stream or id, settings on a bulk
  // append, a record in a stream it erases), kFailedPrecondition (erasing in
  // a plain store, or a stream already erased; a record in an erased
  // stream), kNotFound (erasing a stream with no records), kAborted (expected version), kAlreadyExists (id reused with
  // other content), kDataLoss / kInternal (reading the log).
  absl::StatusOr<AppendResult> Add(const AppendRequest& request, const AppendMode& mode);

  // New records in the plan.
  size_t new_records() const { return value_ends_.size(); }
  // The tail after every added request.
  const LogTail& tail() const { return tail_; }
  TreeHead head() const { return TreeHead{tail_.frontier.size, tail_.frontier.Root()}; }
  // An estimate of the WriteBatch's bytes, for reserving.
  size_t BatchBytes() const;

  // Puts into the index and tree key order (the records are in order already).
  void SortIndex();
  // Each Put*(put) calls put(key, value) (a WriteBatch's or a table file's
  // Put: both take the same keys and values) in key order within its range
  // and stops at the first error. The ranges are in tag order: settings
  // ('C'), records ('E'), then the index and tree ('I', 'S', 'T').
  // PutRecords and PutIndex read disjoint state, so they may run on two
  // threads. REQUIRES (PutIndex): SortIndex() was called.
  template <typename Put>
  rocksdb::Status PutSettings(Put&& put) const;
  template <typename Put>
  rocksdb::Status PutRecords(Put&& put) const;
  template <typename Put>
  rocksdb::Status PutIndex(Put&& put) const;
  // The 'K' keys of streams the plan's records are the first of (sealed
  // stores only). Kept when the request that made one fails: an unused key
  // harms nothing, and a later record of the stream in the group needs it.
  template <typename Put>
  rocksdb::Status PutDataKeys(Put&& put) const;
  bool has_data_keys() const { return !data_key_puts_.empty(); }
  // The erasure markers of the added requests (AppendMode::erase).
  template <typename Put>
  rocksdb::Status PutErasures(Put&& put) const;
  const std::vector<const ErasureMarker*>& erasures() const { return erasures_; }

  // After the plan was written: the store's version cache takes the group's.
  void CommitVersions();

 private:
  // The plan's sizes before a request, to roll it back to.
  struct Mark {
    LogTail tail;
    size_t values, value_ends, index_keys, index_puts, node_puts;
  };

  absl::StatusOr<uint64_t> VersionOf(std::string_view stream);
  absl::Status CheckExpectedVersions(const AppendRequest& request);
  // AppendMode::erase: see Add.
  absl::Status CheckErasures(const AppendRequest& request,
                             const std::vector<ErasureMarker>& erase);
  // Appends one new record to the plan; kInternal / kDataLoss /
  // kPermissionDenied from sealing it (nothing appended then).
  absl::Status Encode(const NewRecord& r, uint64_t version);
  // Opens in place the payload of a record read from the log, when the
  // store is sealed (the caller compares it with a repeat's plaintext).
  absl::Status OpenPrior(StoredRecord* stored);
  void RollBack(const Mark& mark);
  // Before the first request: takes `buffers` (if any), then reserves room.
  void Reserve(PlanBuffers* buffers);

  rocksdb::DB& db_;
  const uint64_t first_position_;  // of the plan's first new record
  absl::flat_hash_map<std::string, uint64_t>& committed_versions_;
  const int64_t now_;
  // Room to reserve before the first request (the group's sizes), and
  // whether that was done.
  size_t reserve_records_ = 0, reserve_value_bytes_ = 0, reserve_key_bytes_ = 0;
  bool reserved_ = false;
  PlanBuffers* borrowed_ = nullptr;  // to give back, when taken
  LogTail tail_;
  // Overlays over committed_versions_ and the id index for this group. Their
  // keys point into the requests' records.
  absl::flat_hash_map<std::string_view, uint64_t> versions_;
  // id -> (position, record) of the records new in this group.
  absl::flat_hash_map<std::string_view, std::pair<uint64_t, const NewRecord*>> ids_;
  // The current request's undo: (stream, its overlay version before the
  // request's write) per write, and the ids it added.
  std::vector<std::pair<std::string_view, std::optional<uint64_t>>> version_undo_;
  std::vector<std::string_view> ids_added_;

  // Record values encoded in place, back to back: new record i (position
  // first_position_ + i) ends at value_ends_[i].
  std::string values_;
  std::vector<size_t> value_ends_;
  std::string index_keys_;
  std::vector<IndexPut> index_puts_;
  // In the order they complete until SortIndex().
  std::vector<NodePut> node_puts_;
  KeyRing* const ring_;
  std::vector<std::pair<std::string, std::string>> data_key_puts_;
  std::string sealed_;  // the current record's sealed payload
  // Settings of the added requests, in order (a later request's value of the
  // same name wins, as the later write would).
  std::vector<const std::pair<std::string, std::string>*> setting_puts_;
  std::vector<const ErasureMarker*> erasures_;
};

template <typename Put>
rocksdb::Status AppendPlan::PutErasures(Put&& put) const {
  for (const ErasureMarker* m : erasures_) {
    rocksdb::Status s = put(ErasureMarkerKey(m->stream), EncodeErasureMarker(*m));
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

template <typename Put>
rocksdb::Status AppendPlan::PutSettings(Put&& put) const {
  for (const auto* setting : setting_puts_) {
    rocksdb::Status s = put(format::SettingKey(setting->first), setting->second);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

template <typename Put>
rocksdb::Status AppendPlan::PutRecords(Put&& put) const {
  size_t start = 0;
  uint64_t pos = first_position_;
  for (size_t end : value_ends_) {
    rocksdb::Status s =
        put(format::RecordKey(pos++), rocksdb::Slice(values_.data() + start, end - start));
    if (!s.ok()) return s;
    start = end;
  }
  return rocksdb::Status::OK();
}

template <typename Put>
rocksdb::Status AppendPlan::PutDataKeys(Put&& put) const {
  for (const auto& [key, wrapped] : data_key_puts_) {
    rocksdb::Status s = put(key, wrapped);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

template <typename Put>
rocksdb::Status AppendPlan::PutIndex(Put&& put) const {
  for (const IndexPut& p : index_puts_) {
    rocksdb::Status s = put(rocksdb::Slice(index_keys_.data() + p.offset, p.size),
                            format::EncodeFixed64BE(p.position));
    if (!s.ok()) return s;
  }
  for (const NodePut& n : node_puts_) {
    rocksdb::Status s =
        put(format::TreeNodeKey(n.level, n.index),
            rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_APPEND_PLAN_H_
