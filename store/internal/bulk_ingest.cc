// Bulk load: the plan's keys are already in order, which is what a table file
// needs, so they go straight into table files that RocksDB links into the
// store, skipping the write-ahead log, the memtable inserts (the largest cost
// of a big append) and the flush that would write the same tables later.
// Ingestion is atomic and, when it returns, durable (the files are fsynced
// before they are linked, the manifest after).
#include "store/internal/bulk_ingest.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "store/internal/crc32c_checksum.h"
#include "store/internal/log_reads.h"

namespace carelog::internal {
namespace {

// Ingestion is not held back by level 0's size as writes are, and each group
// adds a level-0 table: on a 10-million-event import level 0 reached 80
// tables, making every read merge them. So wait, as RocksDB makes a writer
// wait, while level 0 is at its stop size and compaction is making progress
// (a background error ends the wait; the ingestion then reports it).
// REQUIRES: called by the commit group's leader, before it writes tables.
void WaitForLevel0Room(rocksdb::DB& db) {
  const uint64_t stop =
      static_cast<uint64_t>(std::max(1, db.GetOptions().level0_stop_writes_trigger));
  auto level0_files = [&]() -> uint64_t {
    std::string files;
    uint64_t n = 0;
    if (!db.GetProperty("rocksdb.num-files-at-level0", &files) || !absl::SimpleAtoi(files, &n)) {
      return 0;
    }
    return n;
  };
  uint64_t errors = 0;
  while (level0_files() >= stop && db.GetIntProperty("rocksdb.background-errors", &errors) &&
         errors == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Writes one table file at `path` from fill(put); *info gets its whole-file
// checksum (computed as the bytes were written, when the store keeps one).
template <typename Fill>
rocksdb::Status WriteTable(rocksdb::DB& db, const std::string& path,
                           const rocksdb::Options& options, rocksdb::ExternalSstFileInfo* info,
                           Fill&& fill) {
  rocksdb::SstFileWriter table(rocksdb::EnvOptions(), options, db.DefaultColumnFamily(),
                               /*invalidate_page_cache=*/false);
  rocksdb::Status s = table.Open(path);
  if (s.ok()) {
    s = fill([&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return table.Put(k, v); });
  }
  if (s.ok()) s = table.Finish(info);
  return s;
}

// The options the tables are written with: the store's, but with the
// store's whole-file CRC32C computed by the CPU's instruction (same
// function, same name: crc32c_checksum.h) rather than RocksDB's byte table.
rocksdb::Options TableOptions(rocksdb::DB& db) {
  rocksdb::Options options = db.GetOptions();
  const auto& store_checksum = options.file_checksum_gen_factory;
  if (store_checksum != nullptr &&
      std::string_view(store_checksum->Name()) == FastCrc32cChecksumFactory()->Name()) {
    options.file_checksum_gen_factory = FastCrc32cChecksumFactory();
  }
  return options;
}

}  // namespace

absl::Status IngestAsTables(rocksdb::DB& db, const std::string& dir, AppendPlan& plan) {
  WaitForLevel0Room(db);
  // Two tables, ingested together in one atomic step: the records, and the
  // index and tree keys. Records are most of the bytes and each group's lie
  // past every earlier record, so their table overlaps nothing and RocksDB
  // places it in the last level: it is never compacted. Only the other
  // table, whose id and stream keys fall among earlier ones, lands in level
  // 0 for compaction to merge. (One table of everything overlapped every
  // earlier one, so compaction rewrote all the records; a table per range
  // would add three level-0 files per group.) The record table is
  // compressed as it is final; the other is written uncompressed and left in
  // the page cache, as compaction soon reads it back and compresses what it
  // writes. The two tables are written at once, the index one (with its
  // sort) on a second thread: they share nothing until ingestion.
  rocksdb::Options final_options = TableOptions(db);
  rocksdb::Options level0_options = final_options;
  level0_options.compression = rocksdb::kNoCompression;
  auto table_path = [&](const char* what) {
    return (std::filesystem::path(dir) /
            absl::StrCat(".append-", plan.tail().last_position, "-", what, ".sst"))
        .string();
  };
  const std::string records_path = table_path("records");
  const std::string index_path = table_path("index");
  rocksdb::Status index_status;
  rocksdb::ExternalSstFileInfo records_info, index_info;
  std::thread index_writer([&] {
    plan.SortIndex();
    index_status = WriteTable(db, index_path, level0_options, &index_info,
                              [&](auto&& put) { return plan.PutIndex(put); });
  });
  rocksdb::Status s = WriteTable(db, records_path, final_options, &records_info,
                                 [&](auto&& put) { return plan.PutRecords(put); });
  index_writer.join();
  if (s.ok()) s = index_status;
  if (s.ok()) {
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = db.DefaultColumnFamily();
    arg.external_files = {records_path, index_path};
    arg.options.move_files = true;  // link the files in rather than copy them
    // The sequence number of a level-0 table goes in the MANIFEST, not
    // written into the file: rewriting the file made RocksDB read it all
    // again for a new whole-file checksum.
    arg.options.write_global_seqno = false;
    // Each file's whole-file checksum, computed as its bytes were written,
    // goes into the MANIFEST for verify, instead of RocksDB reading both
    // files back to compute the same (~8% of pass 2's thread). The tables
    // were fsynced by Finish and are fsynced again by the ingestion.
    if (!records_info.file_checksum.empty() && !index_info.file_checksum.empty()) {
      arg.options.verify_file_checksum = false;
      arg.files_checksums = {records_info.file_checksum, index_info.file_checksum};
      arg.files_checksum_func_names = {records_info.file_checksum_func_name,
                                       index_info.file_checksum_func_name};
    }
    s = db.IngestExternalFiles({arg});
  }
  for (const std::string& path : {records_path, index_path}) {
    std::error_code ec;
    std::filesystem::remove(path, ec);  // after a move only the links in the store remain
  }
  return FromRocks(s, "appending to the log");
}

}  // namespace carelog::internal
