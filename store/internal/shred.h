// Shredding: removing key ranges so that no copy of their values is left in
// any file of the store — tables, write-ahead log, MANIFEST — not merely
// hidden behind a tombstone. The step under erasure (issue 19: a case's
// wrapped data key and sealed payloads destroyed once its retention has
// ended); the store does not know what the ranges hold.
//
// A RocksDB delete only writes a tombstone: the old value stays in every
// table file and write-ahead log that held it until a compaction drops it
// and the log is retired. ShredRanges does both at once:
//
//   1. one synced write of a range tombstone per range;
//   2. a flush of the memtable, so the write-ahead logs that held the
//      values (they are in the memtable too) are obsolete, and RocksDB
//      deletes obsolete logs after a flush (no WAL archive is configured);
//   3. a compaction of each range through every level to the bottommost,
//      forced (kForce), so every table that overlapped the range is
//      rewritten without the covered values and then deleted; at the
//      bottommost level the tombstones themselves are dropped.
//
// What it cannot reach: copies outside the store (backups, the disk's
// freed blocks) and a snapshot or checkpoint another reader holds open
// while it runs — RocksDB keeps what a live snapshot can see.
#ifndef CARELOG_STORE_INTERNAL_SHRED_H_
#define CARELOG_STORE_INTERNAL_SHRED_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace carelog::internal {

// Keys k with begin <= k < end (bytewise).
struct KeyRange {
  std::string begin;
  std::string end;
};

// Shreds every range of `ranges` in `db` (not owned) as above. Returns
// kInvalidArgument for a range whose end is not after its begin (nothing
// written), else the first RocksDB failure as kInternal naming the step;
// a failure after step 1 leaves the ranges deleted but perhaps not yet
// compacted away, and calling again finishes the work. Safe beside readers
// and writers of other keys; the caller keeps writers of these ranges out.
[[nodiscard]] absl::Status ShredRanges(rocksdb::DB* db, const std::vector<KeyRange>& ranges);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_SHRED_H_
