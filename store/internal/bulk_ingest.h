// The bulk load path of a commit group (a BulkLoader's, AppendMode::bulk): the group's
// plan written as table files and ingested into the store, bypassing the
// write-ahead log and the memtable, with level-0 back-pressure. Internal to
// store/; event_store.cc decides when a group goes this way.
#ifndef CARELOG_STORE_INTERNAL_BULK_INGEST_H_
#define CARELOG_STORE_INTERNAL_BULK_INGEST_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "rocksdb/db.h"
#include "store/internal/append_plan.h"

namespace carelog::internal {

// A bulk group is ingested as table files only from this many new records:
// each ingestion costs an fsync of the write-ahead log, of the file and of
// the manifest, and adds a level-0 file to compact, which a small group
// would not repay.
inline constexpr size_t kMinIngestRecords = 4096;

// Writes `plan` (sorting its index) as two table files in `dir` and ingests
// them in one atomic step, which is durable when it returns; first waits
// while level 0 is at its stop size. Same keys and values as a WriteBatch of
// the plan. On failure nothing of the plan is in the store (the temporary
// files are removed): kResourceExhausted / kInternal / kDataLoss.
// REQUIRES: called by the commit group's leader; every earlier append is
// durable in the write-ahead log (synced), or a crash could keep this group
// and lose the positions before it.
[[nodiscard]] absl::Status IngestAsTables(rocksdb::DB& db, const std::string& dir,
                                          AppendPlan& plan);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_BULK_INGEST_H_
