// Backup and restore of a store: a consistent online copy (a RocksDB
// checkpoint, copied so that it shares no file with the live store) plus a
// manifest that records the tree head and the SHA-256 of every file, so that
// a damaged backup is refused before anything is restored.
//
// A backup directory:
//   DIR/store/...                 the RocksDB files of the checkpoint
//   DIR/carelog-backup.manifest   text, one item a line:
//     carelog-backup 1            manifest format
//     store-format N              kStoreFormatVersion of the store
//     created RFC3339             when the backup was made (UTC)
//     head SIZE:ROOTHEX           the verified tree head of the copy
//     file SIZE SHA256HEX NAME    one per file under store/
//     end SHA256HEX               SHA-256 of every line above it (with "\n")
//
// Restore copies the files (checking size and SHA-256 of each as it copies)
// into a new store directory, opens it, runs a full Verify and compares the
// head with the manifest. Any mismatch refuses with the reason and removes
// what it wrote.
#ifndef CARELOG_STORE_BACKUP_H_
#define CARELOG_STORE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/event_store.h"

namespace carelog {

inline constexpr char kBackupManifestName[] = "carelog-backup.manifest";
inline constexpr int kBackupFormatVersion = 1;
// The store setting noting the last backup (`carelog backup` writes it,
// `carelog stats` shows it): "INSTANT head SIZE:ROOTHEX to DIR". It judges
// nothing, so it is a plain setting outside the settings log.
inline constexpr char kLastBackupSetting[] = "backup.last";

struct BackupFile {
  std::string name;  // relative to DIR/store
  uint64_t size = 0;
  std::string sha256_hex;
};

struct BackupManifest {
  int format = kBackupFormatVersion;
  int store_format = kStoreFormatVersion;
  absl::Time created;
  TreeHead head;
  std::vector<BackupFile> files;
};

// What a backup step reports as it goes ("copying", "verifying", ...).
using BackupProgress = std::function<void(std::string_view step)>;

// Backs up the open `store` into `to_dir` (which must not exist or be empty;
// kFailedPrecondition otherwise). Appends may run concurrently: the backup
// holds the log as of one instant, and its head is recomputed from the copy
// by a full Verify (kDataLoss, nothing kept, if the copy does not verify).
// kResourceExhausted when the disk fills; a partial DIR is removed.
[[nodiscard]] absl::StatusOr<BackupManifest> BackupStore(const EventStoreReader& store,
                                                         const std::string& to_dir,
                                                         const BackupProgress& progress = nullptr);

// Reads and checks the manifest of the backup in `dir` and every file it
// lists (size, SHA-256; no file missing or extra). kDataLoss naming what is
// damaged; kNotFound if there is no manifest.
[[nodiscard]] absl::StatusOr<BackupManifest> CheckBackup(const std::string& dir);

// Restores the backup in `from_dir` into the store directory `to_store`
// (which must not exist or be empty: kFailedPrecondition). Checks every file
// while copying, then opens the copy, verifies the whole log and compares its
// head with the manifest's. kDataLoss with the reason if anything is wrong,
// and `to_store` is left as it was found. Returns the manifest.
[[nodiscard]] absl::StatusOr<BackupManifest> RestoreStore(const std::string& from_dir,
                                                          const std::string& to_store,
                                                          const BackupProgress& progress = nullptr);

// Parses a manifest's text; kDataLoss naming the line if malformed or if its
// end checksum does not match.
[[nodiscard]] absl::StatusOr<BackupManifest> ParseBackupManifest(std::string_view text);
std::string FormatBackupManifest(const BackupManifest& m);

}  // namespace carelog

#endif  // CARELOG_STORE_BACKUP_H_
