// Migration of a plain store to an encrypted one (issue 19): the log is
// copied, record by record in order, into a new store sealed under a master
// key — same positions, streams, versions, ids, recorded times and payload
// bytes, so every projection answers the same — and the settings with it.
// Sealing changes every leaf, so the new log has its own chain and tree; the
// migration verifies both logs and records the mapping in the new store's
// meta (grammar below), so that a head or proof of the old log can still be
// related to the new one.
//
//   meta "migrated-from" := "plain " size ":" hex(old root) " -> " size ":"
//                           hex(new root) " at " RFC 3339 instant
//
// The old store is left as it was: destroying it (and its backups) is the
// operator's, once the new one is in service.
#ifndef CARELOG_STORE_MIGRATE_H_
#define CARELOG_STORE_MIGRATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "store/event_store.h"

namespace carelog {

class SecretKey;

struct MigrationReport {
  uint64_t records = 0;
  uint64_t settings = 0;
  TreeHead old_head;
  TreeHead new_head;
  std::string mapping;  // the "migrated-from" meta value
};

inline constexpr char kMigratedFromMeta[] = "migrated-from";

// Copies the plain store `from` into a new store `to`, sealed under
// `master`. `from` is opened read-write (no one else may append while it
// runs) and must verify first; `to` must not exist or be an empty directory.
// Failures: kFailedPrecondition when `from` is already encrypted, does not
// verify, or `to` holds anything; EventStore::Open's; kDataLoss when the copy
// does not verify or a record did not land at its position (then `to` is
// left for inspection, and `from` is untouched either way).
[[nodiscard]] absl::StatusOr<MigrationReport> MigrateToSealed(const std::string& from,
                                                              const std::string& to,
                                                              const SecretKey& master);

}  // namespace carelog

#endif  // CARELOG_STORE_MIGRATE_H_
