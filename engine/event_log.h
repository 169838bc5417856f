// EventLog: carelog events over the byte-level EventStore — encoding, the
// validated append of one case's batch (the gRPC Append; each event decided
// by the admission step, engine/admission.h, as the importers' are), and
// case reads.
//
// The stored payload of an event is its deterministic protobuf serialization
// with the store-set fields (recordedAt, position, version) cleared; decoding
// puts them back from the record header. Equal events therefore have equal
// bytes, which is what idempotency by eventId compares.
#ifndef CARELOG_ENGINE_EVENT_LOG_H_
#define CARELOG_ENGINE_EVENT_LOG_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "carelog/v1/events.pb.h"
#include "engine/validation.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace carelog {

// Deterministic bytes of `event` without the store-set fields.
std::string EncodeEvent(const v1::Event& event);

// The event of a stored record, with recordedAt, position and version set.
// kDataLoss if the payload does not parse; kFailedPrecondition for an erased
// record (StoredRecord::erased: its case was erased).
[[nodiscard]] absl::StatusOr<v1::Event> DecodeEvent(const StoredRecord& record);
// The same into `*event` (e.g. a message on the caller's arena, which a
// replay reuses from case to case); `*event` is overwritten, and
// unspecified after an error.
[[nodiscard]] absl::Status DecodeEventInto(const StoredRecord& record, v1::Event* event);

struct CaseAppendResult {
  std::vector<uint64_t> positions;     // one per event, in order
  std::vector<bool> already_present;   // idempotent retries
  uint64_t case_version = 0;           // the case's version afterwards
};

class EventLog {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  EventLog(EventStore* store, Clock* clock) : reader_(store), store_(store), clock_(clock) {}
  // A log that only reads (a store opened for a query): AppendCase refuses
  // with kFailedPrecondition.
  EventLog(const EventStoreReader* store, Clock* clock)
      : reader_(store), store_(nullptr), clock_(clock) {}

  // All of the case's events in stream (append) order.
  [[nodiscard]] absl::StatusOr<std::vector<v1::Event>> ReadCase(const std::string& case_id) const;

  // The validation state of the case as appended so far, and its version,
  // folded from all of the case's events (no cache: for a caller that asks
  // once per case, like the importer).
  [[nodiscard]] absl::StatusOr<std::pair<CaseState, uint64_t>> LoadState(
      const std::string& case_id) const;

  // Validates and appends events of ONE case atomically. Events already in
  // the log with the same content are reported, not re-appended. With
  // `expected_version`, the case must be at that version (kAborted
  // otherwise); without, a concurrent writer on the same case makes this
  // re-validate against the new state and retry.
  // Failures (nothing appended): kInvalidArgument for malformed content,
  // kFailedPrecondition for an act the case's state does not allow,
  // kAlreadyExists for an eventId reused with other content, kAborted for a
  // version conflict. Error messages name the event (1-based index) and field.
  // Thread-safe. The case's state comes from a cache of states by case
  // (see CachedState) brought up to the log's end by reading only the events
  // after the cached version, so an append to a long case does not refold it.
  [[nodiscard]] absl::StatusOr<CaseAppendResult> AppendCase(
      const std::vector<v1::Event>& events, std::optional<uint64_t> expected_version);

  EventStore* store() const { return store_; }
  Clock* clock() const { return clock_; }

 private:
  // A case's state as of `version`: the fold of its first `version` events.
  struct CachedState {
    uint64_t version = 0;
    CaseState state;
  };
  // At most this many event ids (CaseState::event_ids, 8 bytes each plus the
  // set's overhead) are kept across cached cases: tens of megabytes, whatever
  // the store's size. A case beyond it is folded from the log, as before.
  static constexpr size_t kMaxCachedEventIds = 1 << 20;

  // The case's state at the log's current end: the cached state, taken out
  // of the cache and advanced past the events stored after it (by anyone:
  // the log is the truth, the cache only saves re-reading what it already
  // folded). The caller gives it back with Remember, or drops it when it no
  // longer matches a version (the case is then folded again). kDataLoss as
  // ReadStream, or when the stream's versions do not follow the cache's.
  absl::StatusOr<CachedState> CurrentState(const std::string& case_id);
  // Keeps `state` as the case's state at `state.version` unless the cache
  // already holds a later one. Evicts other cases when over kMaxCachedEventIds.
  void Remember(const std::string& case_id, CachedState state);
  // What a cached state counts against kMaxCachedEventIds.
  static size_t CacheWeight(const CachedState& c);

  const EventStoreReader* reader_;
  EventStore* store_;  // nullptr when the log only reads
  Clock* clock_;
  absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, CachedState> cache_ ABSL_GUARDED_BY(cache_mu_);
  size_t cached_event_ids_ ABSL_GUARDED_BY(cache_mu_) = 0;
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_EVENT_LOG_H_
