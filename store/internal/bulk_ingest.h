// The bulk load path of a commit group (a BulkLoader's, AppendMode::bulk): the group's
// plan written as table files and ingested into the store, bypassing the
// write-ahead log and the memtable, with level-0 back-pressure. Internal to
// store/; event_store.cc decides when a group goes this way.
#ifndef CARELOG_STORE_INTERNAL_BULK_INGEST_H_
#define CARELOG_STORE_INTERNAL_BULK_INGEST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_writer.h"
#include "store/internal/append_plan.h"
#include "store/internal/sorted_run.h"

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

// A table file written for ingestion, with its whole-file checksum (empty
// when the store keeps none).
struct StagedFile {
  std::string path;
  std::string checksum, checksum_func;
};

// The table files of a staged bulk load (BulkLoader::Stage / Commit),
// beside the store, ingested all at once.
//
// Each staged group's records become a final table: their positions follow
// every earlier record's, so RocksDB places it in the last level, never to
// be compacted. So do the tree's nodes: each level's new nodes follow all
// its earlier ones, so the lower levels go straight into one growing table
// per level, and the upper ones (a 256th of the nodes) wait in memory for
// one table at the end. Only the ids and streams' keys ('I', 'S') fall among
// earlier ones: each group's are a sorted run (sorted_run.h: a flat file,
// not a table, as it is read once and never linked), and Ingest merges the
// runs once into final tables. Everything is then linked into the store in one
// atomic, durable step. (Ingesting each group's index as it came put a
// level-0 table per group, overlapping all the others as ids are random, and
// compaction merged them again and again: on a 10-million-event import that
// was most of pass 2's time.)
//
// Staged files are "<store>/.stage-<pid>-<n>-<what>.sst" (kBulkStagePrefix;
// runs too, though not tables, so that one rule clears them all): removed
// when ingested, when the StagedTables is destroyed, and, after a
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

  // Writes `plan` (sorting its index): its records table, its run and its
  // tree nodes. kResourceExhausted (disk full) / kInternal; the caller then
  // drops the stage (a tree table may hold part of this plan).
  [[nodiscard]] absl::Status Add(rocksdb::DB& db, AppendPlan& plan);

  // Finishes the tree's tables, merges the runs into final tables and
  // ingests every table in one atomic step, durable when it returns; first
  // waits while level 0 is at its stop size. On failure nothing staged is in
  // the store. Every staged file is gone afterwards, whatever the result.
  // `store_has_records`: the store held records before (its ids and streams'
  // keys then overlap the new ones and those tables go to level 0: fewer,
  // larger ones).
  // REQUIRES: every earlier append is durable in the write-ahead log.
  [[nodiscard]] absl::Status Ingest(rocksdb::DB& db, bool store_has_records);

  bool empty() const { return records_.empty(); }

 private:
  // Tree levels below this one are written to tables as groups come; the
  // rest (n/2048 nodes) wait in memory for one table at the end. At 8 they
  // were n/128 nodes, ~45 MB at 50M events, held beside the import's
  // admission since the two overlap.
  static constexpr int kTreeLevelsInTables = 12;
  // Runs merged at once: each is open (a file descriptor, a block) while
  // merged, on each of the two mergers, and a 50-million-event import
  // stages ~2,000 of them (a run per group of 25,000).
  static constexpr size_t kRunsAtOnce = 256;

  std::string NewPath(std::string_view what);
  // Into its level's table (a new one past `cut` bytes), or memory.
  rocksdb::Status PutTreeNode(rocksdb::DB& db, const rocksdb::Options& options, uint64_t cut,
                              const rocksdb::Slice& key, const rocksdb::Slice& value);
  rocksdb::Status FinishTreeTables();
  // Merges the runs kRunsAtOnce at a time into longer ones until at most
  // kRunsAtOnce are left.
  rocksdb::Status CombineRuns(rocksdb::Env& env);
  void RemoveAll();

  const std::string dir_;
  std::atomic<uint64_t> files_made_{0};  // NewPath runs on two threads
  std::vector<StagedFile> records_;
  std::vector<SortedRun> runs_;
  // The tree: every table begun, and the open one of each lower level
  // (null: none) with its index in tree_tables_.
  std::vector<StagedFile> tree_tables_;
  std::vector<std::unique_ptr<rocksdb::SstFileWriter>> tree_levels_;
  std::vector<size_t> tree_level_table_;
  std::vector<std::pair<std::string, std::string>> upper_nodes_;
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
