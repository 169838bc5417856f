// The bulk load path of a commit group (a BulkLoader's, AppendMode::bulk): the group's
// plan written as table files and ingested into the store, bypassing the
// write-ahead log and the memtable, with level-0 back-pressure. Internal to
// store/; event_store.cc decides when a group goes this way.
#ifndef CARELOG_STORE_INTERNAL_BULK_INGEST_H_
#define CARELOG_STORE_INTERNAL_BULK_INGEST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// The table files of a staged bulk load (BulkLoader::Stage / Commit),
// beside the store, ingested all at once.
//
// Each staged group leaves two files: its records as a final table (its
// positions follow every earlier record's, so RocksDB will place it in the
// last level, never to be compacted) and its index and tree keys as a sorted
// run. Ingest merges the runs once into final tables, one key tag per file,
// and links every file into the store in one atomic, durable step. Ingesting
// each group's index as it came put a level-0 file per group, overlapping
// all the others (ids are random), and compaction then merged them again and
// again: on a 10-million-event import it was most of pass 2's time.
//
// Staged files are "<store>/.stage-<pid>-<n>-<what>.sst" (kBulkStagePrefix):
// removed when ingested, when the StagedTables is destroyed, and, after a
// crash, by the store's next read-write open.
//
// Not thread-safe: one thread (the loader's holder) uses it; Add and
// Ingest each use a second thread of their own inside.
class StagedTables {
 public:
  explicit StagedTables(std::string dir);
  // Removes every staged file not yet ingested.
  ~StagedTables();
  StagedTables(const StagedTables&) = delete;
  StagedTables& operator=(const StagedTables&) = delete;

  // Writes `plan` (sorting its index) as its records table and its index
  // run. kResourceExhausted (disk full) / kInternal; the files of this plan
  // are then removed, those of earlier ones kept.
  [[nodiscard]] absl::Status Add(rocksdb::DB& db, AppendPlan& plan);

  // Merges the runs into final index tables and ingests them with the
  // records tables in one atomic step, durable when it returns; first waits
  // while level 0 is at its stop size. On failure nothing staged is in the
  // store. Every staged file is gone afterwards, whatever the result.
  // `store_has_records`: the store held records before (its index keys then
  // overlap the new ones and the tables go to level 0: fewer, larger ones).
  // REQUIRES: every earlier append is durable in the write-ahead log.
  [[nodiscard]] absl::Status Ingest(rocksdb::DB& db, bool store_has_records);

  bool empty() const { return records_.empty(); }

 private:
  struct File {
    std::string path;
    std::string checksum, checksum_func;  // whole-file, when the store keeps one
  };
  std::string NewPath(std::string_view what);
  void RemoveAll();

  const std::string dir_;
  std::atomic<uint64_t> files_made_{0};  // NewPath runs on two threads in Ingest
  std::vector<File> records_;
  std::vector<std::string> runs_;
  // The staged records' positions (0 when none): where Ingest splits the
  // merge between its two threads.
  uint64_t first_position_ = 0, last_position_ = 0;
};

// A BulkLoader's staged groups: where the log will end once they are
// ingested, and their files.
struct BulkStage {
  explicit BulkStage(std::string dir) : tables(std::move(dir)) {}
  // The log's end after the staged groups (taken from the store's when the
  // first is staged).
  LogTail tail;
  // The streams' versions after the staged groups (filled from the log on a
  // miss, as the store's own cache): the store's cache takes them on Commit.
  absl::flat_hash_map<std::string, uint64_t> versions;
  StagedTables tables;
  // The first failure while staging: the stage is unusable after it.
  absl::Status broken;
};

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_BULK_INGEST_H_
