// Erasure markers (issue 19): which streams of an encrypted store were
// erased, and whether their shredding has finished. The marker is written in
// the same atomic write as the erasure's own record (EventStore::Erase); the
// shredding follows it, and a read-write open finishes one a crash cut short.
//
//   meta "erased/" stream := state checkpoint*
//   state      := 'P'   the data key and checkpoints may still be in files
//               | 'D'   shredded (store/internal/shred.h) — nothing to do
//   checkpoint := varint32(len) name        a 'P' key shredded with the key
//
// The stream's records stay in the log (the chain and tree commit to their
// sealed bytes); with the data key gone they read back erased.
#ifndef CARELOG_STORE_INTERNAL_ERASURE_H_
#define CARELOG_STORE_INTERNAL_ERASURE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/internal/shred.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace carelog::internal {

struct ErasureMarker {
  std::string stream;
  bool shredded = false;
  std::vector<std::string> checkpoints;  // names of 'P' keys to shred with it
};

std::string ErasureMarkerKey(std::string_view stream);
std::string EncodeErasureMarker(const ErasureMarker& marker);

// Every marker in `db`, in stream order. kDataLoss naming the stream for a
// malformed one; kInternal on I/O.
[[nodiscard]] absl::StatusOr<std::vector<ErasureMarker>> ReadErasureMarkers(rocksdb::DB* db);

// What shredding `marker` destroys: the stream's data key and its checkpoints.
std::vector<KeyRange> ErasureRanges(const ErasureMarker& marker);

// Shreds every range of `marker` (ShredRanges) and then marks it shredded
// ('D', synced). Running it again is harmless. Errors: ShredRanges', or
// kInternal writing the marker. REQUIRES: a read-write database.
[[nodiscard]] absl::Status FinishErasure(rocksdb::DB* db, ErasureMarker marker);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_ERASURE_H_
