// Bulk load: the plan's keys are already in order, which is what a table file
// needs, so they go straight into table files that RocksDB links into the
// store, skipping the write-ahead log, the memtable inserts (the largest cost
// of a big append) and the flush that would write the same tables later.
// Ingestion is atomic and, when it returns, durable (the files are fsynced
// before they are linked, the manifest after).
#include "store/internal/bulk_ingest.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <queue>
#include <string_view>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_reader.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "store/internal/crc32c_checksum.h"
#include "store/internal/log_reads.h"
#include "store/internal/sorted_run.h"
#include "store/private_files.h"
#include "store/record_format.h"

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

// A writer of a table to ingest: its pages stay in the page cache, as the
// store reads them soon after linking them.
std::unique_ptr<rocksdb::SstFileWriter> NewTableWriter(rocksdb::DB& db,
                                                       const rocksdb::Options& options) {
  // Written back as it goes (sync_file_range every MiB, not waited for), so
  // that Finish's fsync and the ingestion's find little left to write: at
  // 945,520 events the import's fsyncs took 0.23-0.25 s in all, not
  // 0.30-0.35 s, the longest 10-15 ms, not 35-39 ms (strace -T, two runs
  // each). Durability is Finish's fsync and the ingestion's, as before.
  rocksdb::EnvOptions env_options;
  env_options.bytes_per_sync = size_t{1} << 20;
  return std::make_unique<rocksdb::SstFileWriter>(env_options, options,
                                                  db.DefaultColumnFamily(),
                                                  /*invalidate_page_cache=*/false);
}

// Finishes `table`; `file` takes its whole-file checksum (computed as the
// bytes were written, when the store keeps one).
rocksdb::Status FinishTable(rocksdb::SstFileWriter& table, StagedFile* file) {
  rocksdb::ExternalSstFileInfo info;
  rocksdb::Status s = table.Finish(&info);
  file->checksum = info.file_checksum;
  file->checksum_func = info.file_checksum_func_name;
  return s;
}

// Writes the table `file` from fill(put).
template <typename Fill>
rocksdb::Status WriteTable(rocksdb::DB& db, const rocksdb::Options& options, StagedFile* file,
                           Fill&& fill) {
  std::unique_ptr<rocksdb::SstFileWriter> table = NewTableWriter(db, options);
  rocksdb::Status s = table->Open(file->path);
  if (s.ok()) {
    s = fill([&](const rocksdb::Slice& k, const rocksdb::Slice& v) { return table->Put(k, v); });
  }
  if (s.ok()) s = FinishTable(*table, file);
  return s;
}

// Links every file of `sets` into the store in one atomic ingestion,
// durable when it returns (RocksDB fsyncs the files and then the manifest).
rocksdb::Status IngestFiles(rocksdb::DB& db,
                            std::initializer_list<const std::vector<StagedFile>*> sets) {
  rocksdb::IngestExternalFileArg arg;
  arg.column_family = db.DefaultColumnFamily();
  arg.options.move_files = true;  // link the files in rather than copy them
  // The sequence number of a level-0 table goes in the MANIFEST, not
  // written into the file: rewriting the file made RocksDB read it all
  // again for a new whole-file checksum.
  arg.options.write_global_seqno = false;
  bool all_checksummed = true;
  for (const std::vector<StagedFile>* files : sets) {
    for (const StagedFile& f : *files) {
      arg.external_files.push_back(f.path);
      arg.files_checksums.push_back(f.checksum);
      arg.files_checksum_func_names.push_back(f.checksum_func);
      all_checksummed = all_checksummed && !f.checksum.empty();
    }
  }
  // Each file's whole-file checksum, computed as its bytes were written,
  // goes into the MANIFEST for verify, instead of RocksDB reading every
  // file back to compute the same (~8% of pass 2's thread).
  if (all_checksummed) {
    arg.options.verify_file_checksum = false;
  } else {
    arg.files_checksums.clear();
    arg.files_checksum_func_names.clear();
  }
  return db.IngestExternalFiles({arg});
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

// Merges the keys in [lo, hi) (hi empty: to the end) of every run, in key
// order, into emit(key, value). Keys are unique across runs (the ids and
// stream versions of distinct records).
template <typename Emit>
rocksdb::Status MergeRuns(rocksdb::Env& env, const std::vector<SortedRun>& runs,
                          std::string_view lo, std::string_view hi, Emit&& emit) {
  // Every run is open at once, each with its read-ahead: together at most
  // ~16 MiB a merger (at 1 MiB each, a 10-million-event import's 208 runs
  // on two mergers would take 416 MiB). The floor is two blocks' nominal size
  // (kBlockBytes): ReadAhead reads whole blocks, at least one, and a block is
  // cut past kBlockBytes, so a smaller figure would save no memory. Past 256
  // runs the budget is exceeded rather than reading under a block at a time.
  const size_t readahead = std::clamp<size_t>((size_t{16} << 20) / std::max<size_t>(1, runs.size()),
                                              size_t{64} << 10, size_t{1} << 20);
  std::vector<std::unique_ptr<SortedRunReader>> readers;
  readers.reserve(runs.size());
  auto in_range = [&](const SortedRunReader& r) {
    return r.Valid() && (hi.empty() || r.key().compare(rocksdb::Slice(hi)) < 0);
  };
  auto later = [](const SortedRunReader* a, const SortedRunReader* b) {
    return a->key().compare(b->key()) > 0;
  };
  std::priority_queue<SortedRunReader*, std::vector<SortedRunReader*>, decltype(later)> next(
      later);
  for (const SortedRun& run : runs) {
    readers.push_back(std::make_unique<SortedRunReader>(env, run, readahead));
    SortedRunReader& r = *readers.back();
    rocksdb::Status s = r.Seek(rocksdb::Slice(lo));
    if (!s.ok()) return s;
    if (in_range(r)) next.push(&r);
  }
  while (!next.empty()) {
    SortedRunReader* r = next.top();
    next.pop();
    rocksdb::Status s = emit(r->key(), r->value());
    if (!s.ok()) return s;
    r->Next();
    if (in_range(*r)) {
      next.push(r);
    } else if (!r->status().ok()) {
      return r->status();
    }
  }
  return rocksdb::Status::OK();
}

// Merges the keys in [lo, hi) of every run into tables written with
// `table_options` at paths from new_path(), each about `cut` bytes at most,
// a new one at every change of key tag (so that no table spans the meta or
// checkpoint keys between two tags). Every table begun is in *out, whatever
// the result.
rocksdb::Status MergeRunsIntoTables(rocksdb::DB& db, const std::vector<SortedRun>& runs,
                                    const rocksdb::Options& table_options, std::string_view lo,
                                    std::string_view hi, uint64_t cut,
                                    const std::function<std::string()>& new_path,
                                    std::vector<StagedFile>* out) {
  std::unique_ptr<rocksdb::SstFileWriter> table;
  char tag = 0;
  auto finish = [&]() -> rocksdb::Status {
    rocksdb::Status s = FinishTable(*table, &out->back());
    table.reset();
    return s;
  };
  rocksdb::Status s = MergeRuns(
      *db.GetEnv(), runs, lo, hi,
      [&](const rocksdb::Slice& key, const rocksdb::Slice& value) -> rocksdb::Status {
        if (table != nullptr && (key[0] != tag || table->FileSize() >= cut)) {
          rocksdb::Status fs = finish();
          if (!fs.ok()) return fs;
        }
        if (table == nullptr) {
          out->push_back(StagedFile{new_path(), "", ""});
          table = NewTableWriter(db, table_options);
          rocksdb::Status os = table->Open(out->back().path);
          if (!os.ok()) return os;
          tag = key[0];
        }
        return table->Put(key, value);
      });
  if (!s.ok()) return s;
  return table != nullptr ? finish() : rocksdb::Status::OK();
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
            absl::StrCat(kBulkStagePrefix, getpid(), "-append-", plan.tail().last_position, "-",
                         what, kBulkStageSuffix))
        .string();
  };
  std::vector<StagedFile> records{{table_path("records"), "", ""}};
  std::vector<StagedFile> index{{table_path("index"), "", ""}};
  rocksdb::Status index_status;
  std::thread index_writer([&] {
    plan.SortIndex();
    index_status = WriteTable(db, level0_options, &index[0],
                              [&](auto&& put) { return plan.PutIndex(put); });
  });
  rocksdb::Status s = WriteTable(db, final_options, &records[0],
                                 [&](auto&& put) { return plan.PutRecords(put); });
  index_writer.join();
  if (s.ok()) s = index_status;
  // The tables were fsynced by Finish and are fsynced again by the ingestion.
  if (s.ok()) s = IngestFiles(db, {&records, &index});
  for (const auto* files : {&records, &index}) {
    std::error_code ec;
    std::filesystem::remove((*files)[0].path, ec);  // after a move only the store's links remain
  }
  return FromRocks(s, "appending to the log");
}

StagedTables::StagedTables(std::string dir) : dir_(std::move(dir)) {}

StagedTables::~StagedTables() { RemoveAll(); }

std::string StagedTables::NewPath(std::string_view what) {
  return (std::filesystem::path(dir_) /
          absl::StrCat(kBulkStagePrefix, getpid(), "-", reinterpret_cast<uintptr_t>(this), "-",
                       files_made_.fetch_add(1) + 1, "-", std::string(what),
                       kBulkStageSuffix))
      .string();
}

void StagedTables::RemoveAll() {
  tree_levels_.clear();  // abandons unfinished tables
  tree_level_table_.clear();
  upper_nodes_.clear();
  std::error_code ec;
  for (const auto* files : {&records_, &tree_tables_}) {
    for (const StagedFile& f : *files) std::filesystem::remove(f.path, ec);
  }
  for (const SortedRun& run : runs_) std::filesystem::remove(run.path, ec);
  records_.clear();
  tree_tables_.clear();
  runs_.clear();
}

rocksdb::Status StagedTables::PutTreeNode(rocksdb::DB& db, const rocksdb::Options& options,
                                          uint64_t cut,
                                          const rocksdb::Slice& key,
                                          const rocksdb::Slice& value) {
  const size_t level = static_cast<uint8_t>(key[1]);  // 'T' level:u8 fixed64be(index)
  if (level >= kTreeLevelsInTables) {
    upper_nodes_.emplace_back(key.ToString(), value.ToString());
    return rocksdb::Status::OK();
  }
  if (tree_levels_.size() <= level) {
    tree_levels_.resize(level + 1);
    tree_level_table_.resize(level + 1);
  }
  std::unique_ptr<rocksdb::SstFileWriter>& table = tree_levels_[level];
  if (table != nullptr && table->FileSize() >= cut) {
    rocksdb::Status s = FinishTable(*table, &tree_tables_[tree_level_table_[level]]);
    table.reset();
    if (!s.ok()) return s;
  }
  if (table == nullptr) {
    tree_tables_.push_back(StagedFile{NewPath(absl::StrCat("tree-", level)), "", ""});
    tree_level_table_[level] = tree_tables_.size() - 1;
    table = NewTableWriter(db, options);
    rocksdb::Status s = table->Open(tree_tables_.back().path);
    if (!s.ok()) return s;
  }
  return table->Put(key, value);
}

rocksdb::Status StagedTables::FinishTreeTables() {
  for (size_t level = 0; level < tree_levels_.size(); ++level) {
    std::unique_ptr<rocksdb::SstFileWriter>& table = tree_levels_[level];
    if (table == nullptr) continue;
    rocksdb::Status s = FinishTable(*table, &tree_tables_[tree_level_table_[level]]);
    table.reset();
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

rocksdb::Status StagedTables::CombineRuns(rocksdb::Env& env) {
  while (runs_.size() > kRunsAtOnce) {
    std::vector<SortedRun> longer;
    for (size_t i = 0; i < runs_.size(); i += kRunsAtOnce) {
      const std::vector<SortedRun> some(
          runs_.begin() + i, runs_.begin() + std::min(runs_.size(), i + kRunsAtOnce));
      std::unique_ptr<SortedRunWriter> writer;
      const std::string path = NewPath("run");
      rocksdb::Status s = SortedRunWriter::Open(env, path, &writer);
      if (s.ok()) {
        s = MergeRuns(env, some, "", "",
                      [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
                        return writer->Add(k, v);
                      });
      }
      longer.emplace_back();
      if (s.ok()) s = writer->Finish(&longer.back());
      longer.back().path = path;  // for RemoveAll, whatever the result
      if (!s.ok()) {
        runs_.insert(runs_.end(), longer.begin(), longer.end());  // for RemoveAll
        return s;
      }
      std::error_code ec;
      for (const SortedRun& run : some) std::filesystem::remove(run.path, ec);
    }
    runs_ = std::move(longer);
  }
  return rocksdb::Status::OK();
}

absl::Status StagedTables::Add(rocksdb::DB& db, AppendPlan& plan) {
  // The records table is final (compressed, with its whole-file checksum);
  // the run and the tree's nodes are written on a second thread, as the
  // index in IngestAsTables.
  const rocksdb::Options final_options = TableOptions(db);
  // A node is a SHA-256 hash under a key whose prefix the block already
  // shares, so snappy hardly shrinks these tables: without it a store of
  // 945,520 events was 0.1% larger (194,728,348 bytes, not 194,533,618),
  // and snappy on them had been 1.5% of an import's profile samples.
  rocksdb::Options tree_options = final_options;
  tree_options.compression = rocksdb::kNoCompression;
  const uint64_t cut = std::max<uint64_t>(final_options.target_file_size_base, 1 << 20);
  StagedFile records{NewPath("records"), "", ""};
  const std::string run_path = NewPath("run");
  SortedRun run;
  rocksdb::Status run_status;
  std::thread run_writer([&] {
    plan.SortIndex();
    std::unique_ptr<SortedRunWriter> writer;
    run_status = SortedRunWriter::Open(*db.GetEnv(), run_path, &writer);
    if (!run_status.ok()) return;
    run_status = plan.PutIndex([&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      return k[0] == format::kTreeTag ? PutTreeNode(db, tree_options, cut, k, v)
                                      : writer->Add(k, v);
    });
    if (run_status.ok()) run_status = writer->Finish(&run);
  });
  rocksdb::Status s = WriteTable(db, final_options, &records,
                                 [&](auto&& put) { return plan.PutRecords(put); });
  run_writer.join();
  if (s.ok()) s = run_status;
  if (!s.ok()) {
    std::error_code ec;
    std::filesystem::remove(records.path, ec);
    std::filesystem::remove(run_path, ec);
    return FromRocks(s, "staging the bulk load's tables");
  }
  records_.push_back(std::move(records));
  runs_.push_back(std::move(run));
  return absl::OkStatus();
}

absl::Status StagedTables::Ingest(rocksdb::DB& db, bool store_has_records) {
  struct RemoveOnExit {
    StagedTables* tables;
    std::vector<StagedFile>* merged[2];
    ~RemoveOnExit() {
      std::error_code ec;
      for (auto* out : merged) {
        for (const StagedFile& t : *out) std::filesystem::remove(t.path, ec);
      }
      tables->RemoveAll();
    }
  };
  std::vector<StagedFile> ids, streams;
  RemoveOnExit remove{this, {&ids, &streams}};
  if (records_.empty()) return absl::OkStatus();
  WaitForLevel0Room(db);

  const rocksdb::Options final_options = TableOptions(db);
  rocksdb::Status s = FinishTreeTables();
  if (s.ok() && !upper_nodes_.empty()) {
    std::sort(upper_nodes_.begin(), upper_nodes_.end());
    tree_tables_.push_back(StagedFile{NewPath("tree-upper"), "", ""});
    s = WriteTable(db, final_options, &tree_tables_.back(), [&](auto&& put) {
      for (const auto& [k, v] : upper_nodes_) {
        rocksdb::Status ps = put(k, v);
        if (!ps.ok()) return ps;
      }
      return rocksdb::Status::OK();
    });
  }
  if (s.ok()) s = CombineRuns(*db.GetEnv());
  if (!s.ok()) return FromRocks(s, "writing the bulk load's tree and runs");

  // Tables of the store's usual size. Into a store with records the ids'
  // and streams' tables overlap its own and go to level 0, one compaction's
  // input: at most about eight of them, however large the load.
  uint64_t run_bytes = 0;
  for (const SortedRun& run : runs_) {
    for (const SortedRun::Block& b : run.blocks) run_bytes += b.bytes;
  }
  uint64_t cut = std::max<uint64_t>(final_options.target_file_size_base, 1 << 20);
  if (store_has_records) cut = std::max<uint64_t>(cut, run_bytes / 8 + 1);
  // The ids on a second thread, the streams' keys on this one: as many
  // keys each, one per record.
  auto path_of = [this](const char* what) { return [this, what] { return NewPath(what); }; };
  const std::string streams_from(1, format::kStreamTag);
  rocksdb::Status ids_status;
  std::thread id_merger([&] {
    ids_status = MergeRunsIntoTables(db, runs_, final_options, "", streams_from, cut,
                                     path_of("ids"), &ids);
  });
  s = MergeRunsIntoTables(db, runs_, final_options, streams_from, "", cut, path_of("streams"),
                          &streams);
  id_merger.join();
  if (s.ok()) s = ids_status;
  if (!s.ok()) return FromRocks(s, "merging the bulk load's index");

  return FromRocks(IngestFiles(db, {&records_, &tree_tables_, &ids, &streams}),
                   "ingesting the bulk load");
}

}  // namespace carelog::internal
