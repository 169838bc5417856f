// What EventStore::Open checks before it answers from a store: that the
// directory is a carelog store of a format it reads, whether an unclean
// shutdown left a write-ahead log to replay, how to name the damage when
// RocksDB cannot open the files, and which process holds the store. The
// durable head check that follows the open is in durable_head.h. Internal to
// store/.
#ifndef CARELOG_STORE_INTERNAL_OPEN_CHECKS_H_
#define CARELOG_STORE_INTERNAL_OPEN_CHECKS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "rocksdb/db.h"
#include "store/event_store.h"

namespace carelog::internal {

// DIR/carelog.pid: the process that holds the store read-write.
inline constexpr char kPidFile[] = "carelog.pid";

// True when a write-ahead log file holds bytes: the store was not closed
// cleanly (a clean close flushes the log into table files), so opening it
// will replay, and may find damage in, that log.
bool HasUnreplayedLog(const std::string& dir);

// kDataLoss "store DIR is damaged: ... cannot be read (...); restore from
// backup" for a store RocksDB found damaged while opening: names the kind of
// file when RocksDB's message does (a table file, the MANIFEST, CURRENT),
// else the write-ahead log when one was being replayed.
absl::Status DamagedStore(const std::string& dir, const rocksdb::Status& s);

// kUnavailable "store DIR in use by PID N: ..." (or "by another process"
// when the pid file says nothing) for a store whose lock another process
// holds.
absl::Status StoreInUse(const std::string& dir);

// Checks the format marker of the database just opened in `dir`, writing it
// (synced) into a new, empty store opened read-write. `durable` is the head
// file's head read before the open. Failures: kDataLoss when the marker is
// gone but the head file says the store had a log; kFailedPrecondition "not
// a carelog store" for a database with other keys, an empty one opened
// read-only, or an unreadable marker, and for a newer format version;
// kInternal for I/O.
// REQUIRES: nothing has been read from or written to `db` since it opened.
absl::Status CheckFormatMarker(rocksdb::DB& db, const std::string& dir,
                               const std::optional<TreeHead>& durable, bool read_only);

// Records this process in `dir`'s pid file (for StoreInUse) and removes the
// import spools a killed import left behind. kInternal when a spool cannot
// be removed; a pid file that cannot be written is left out.
// REQUIRES: the store in `dir` is open read-write by this process (it holds
// RocksDB's lock).
absl::Status ClaimStore(const std::string& dir);

// Removes the pid file when the read-write store in `dir` closes.
void ReleaseStore(const std::string& dir);

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_OPEN_CHECKS_H_
