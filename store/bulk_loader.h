// BulkLoader: the store's exclusive-writer handle for a bulk load (the
// importer), obtained from EventStore::BeginBulkLoad().
//
// What holding it means: while it is open the store takes no other append
// (EventStore::Append refuses with kUnavailable), so an id the holder looked
// up and found absent stays absent until the holder appends it. That is what
// lets AppendNew skip the store's own id-index reads, and what makes the
// privilege a type rather than a flag any caller could set.
//
// Appends through the loader may be ingested as table files (a group of at
// least internal::kMinIngestRecords new records): atomic, and durable when
// they return whatever `sync` says, bypassing the write-ahead log and the
// memtable. Same keys and values as an ordinary append. They cannot carry
// settings (kInvalidArgument): those ride in the ordinary write.
//
// Or the holder stages its groups (Stage) and ingests them all at once
// (Commit): the whole load is then one atomic step, even across a crash, and
// its index is merged once rather than by compaction after every group.
//
// Threads: one holder; its calls may come from any one thread at a time.
// Destroying the handle ends the bulk load.
#ifndef CARELOG_STORE_BULK_LOADER_H_
#define CARELOG_STORE_BULK_LOADER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/event_store.h"

namespace carelog {
namespace internal {
struct PlanBuffers;
struct BulkStage;
}  // namespace internal

class BulkLoader {
 public:
  ~BulkLoader();
  BulkLoader(const BulkLoader&) = delete;
  BulkLoader& operator=(const BulkLoader&) = delete;

  // The store being loaded, for reads (e.g. Lookup of the ids to append).
  const EventStore& store() const { return *store_; }

  // As EventStore::Append, with the store's own idempotency check against
  // the log: a record already there with the same stream and payload is
  // reported, not written again.
  [[nodiscard]] absl::StatusOr<AppendResult> Append(AppendRequest request);

  // As Append, for records whose ids the holder looked up in the log while
  // this loader was open and found absent (or that repeat an earlier record
  // of the same request, which the store still checks). The store reads no
  // id index: a record already in the log passed here would be stored twice.
  [[nodiscard]] absl::StatusOr<AppendResult> AppendNew(AppendRequest request);

  // Checks and encodes `request` as AppendNew would, after the groups
  // staged before it, and writes it to table files beside the store; the
  // result says where each record will be. Nothing is in the log, visible
  // or durable until Commit. A refused request (the errors of Append)
  // leaves the stage as it was; kResourceExhausted (disk full) / kInternal
  // writing the tables make the stage unusable (later calls:
  // kFailedPrecondition naming the first failure). Destroying the loader
  // drops what was staged and not committed.
  [[nodiscard]] absl::StatusOr<AppendResult> Stage(AppendRequest request);

  // Ingests every staged group in one atomic step, durable when it returns
  // (OK at once when nothing is staged). On failure nothing staged is in the
  // store and the staged files are gone: kResourceExhausted (disk full),
  // kInternal, kFailedPrecondition (a staging failure before). After
  // success the loader may stage again or append.
  [[nodiscard]] absl::Status Commit();

  // EventStore::Sync.
  [[nodiscard]] absl::Status Sync() { return store_->Sync(); }

 private:
  friend class EventStore;
  explicit BulkLoader(EventStore* store);

  EventStore* store_;
  // Every append's plan is made in these, so a group reuses the pages of the
  // one before (internal::PlanBuffers).
  std::unique_ptr<internal::PlanBuffers> buffers_;
  // Made at the first Stage; its groups are pending until Commit, and
  // Append / AppendNew are refused meanwhile (they would move the log's
  // end under the staged positions).
  std::unique_ptr<internal::BulkStage> stage_;
};

}  // namespace carelog

#endif  // CARELOG_STORE_BULK_LOADER_H_
