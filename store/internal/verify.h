// Verifying a store's log: a free function beside the EventStore (as
// LevelDB's RepairDB is beside its DB), over the database alone. Internal to
// store/: EventStoreReader::Verify calls it with the store's own database.
#ifndef CARELOG_STORE_INTERNAL_VERIFY_H_
#define CARELOG_STORE_INTERNAL_VERIFY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "store/event_store.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace carelog {

// Re-reads the store in `db` (its directory `dir`, for the durable head
// file) through one snapshot and checks what EventStore::Verify promises (see
// there): the table files' checksums (kDataLoss "store DIR is damaged: a
// table file ..."), then every record, the hash chain, the Merkle tree, both
// indexes both ways, gap-free versions and the durable head. A broken log is
// an OK status with report.ok false; any other non-OK status means verify
// could not run (I/O).
[[nodiscard]] absl::StatusOr<VerifyReport> VerifyLog(
    rocksdb::DB& db, const std::string& dir,
    const std::function<void(uint64_t done, uint64_t total)>& progress = nullptr);

}  // namespace carelog

#endif  // CARELOG_STORE_INTERNAL_VERIFY_H_
