// Who can read a store (README "Who can read what"): a store holds children's
// records, so everything carelog creates for it — the store directory, its
// files, backups, restored stores, the import's spilled ids — is the owner's only
// (directories 0700, files 0600), whatever the process umask.
#ifndef CARELOG_STORE_PRIVATE_FILES_H_
#define CARELOG_STORE_PRIVATE_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace carelog {

// An import's spool files are "<store>/.import-<pid>-<n>.spool": today its
// spilled ids' runs (engine/spilled_id_set.h); before 2026-12-04 also the
// checked events. The store removes such files left by a killed import when
// it is next opened for writing (only one process can hold it then, so none
// is live).
inline constexpr char kImportSpoolPrefix[] = ".import-";
inline constexpr char kImportSpoolSuffix[] = ".spool";
// A bulk load's staged table files (store/internal/bulk_ingest.h) are
// "<store>/.stage-<pid>-<n>-<what>.sst", removed the same way.
inline constexpr char kBulkStagePrefix[] = ".stage-";
inline constexpr char kBulkStageSuffix[] = ".sst";

// Creates `dir` and any missing parent with mode 0700 (existing ones are
// left as they are). kResourceExhausted when the disk is full, kInternal
// (with the path and the system's reason) for other failures.
[[nodiscard]] absl::Status CreatePrivateDirectories(const std::string& dir);

// Takes every permission away from "others" on `dir` (group access is the
// operator's choice and stays): a store created by an older carelog under
// umask 022 was world-readable. Best effort: a directory owned by another
// user is left unchanged (OK is returned).
absl::Status CloseToOthers(const std::string& dir);

// Creates (truncating) `path` with mode 0600 for an ofstream to write:
// std::ofstream would create it with the umask's mode.
[[nodiscard]] absl::Status CreatePrivateFile(const std::string& path);

// Removes the import spools and staged tables in `dir` (kImportSpoolPrefix,
// kBulkStagePrefix) and returns how many. Only for a store opened for writing. kInternal if one cannot be
// removed.
[[nodiscard]] absl::StatusOr<int> RemoveStaleImportSpools(const std::string& dir);

}  // namespace carelog

#endif  // CARELOG_STORE_PRIVATE_FILES_H_
