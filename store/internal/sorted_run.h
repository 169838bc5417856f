// A sorted run: a staged bulk group's index keys, written once and read
// once, in order, by the merge at the end of the load (bulk_ingest.h). Not
// RocksDB's table format: a run is never linked into the store, so it needs
// no index block, filter, properties or comparator, only its bytes in key
// order with a checksum on each block. Written and read through the store's
// Env, so fault injection reaches it. Internal to store/.
#ifndef CARELOG_STORE_INTERNAL_SORTED_RUN_H_
#define CARELOG_STORE_INTERNAL_SORTED_RUN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rocksdb/env.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace carelog::internal {

// What a writer wrote, kept in memory by its owner: a reader trusts the file
// only as far as it agrees with this (a short file, or a block whose length
// or checksum differs, is Corruption), so nothing of the run has to be
// trusted from the disk.
struct SortedRun {
  struct Block {
    uint64_t offset = 0;
    uint32_t bytes = 0;     // with its header
    uint32_t entries = 0;
    std::string first_key;  // where a Seek starts
  };
  std::string path;
  uint64_t entries = 0;
  std::vector<Block> blocks;
};

class SortedRunWriter {
 public:
  // Blocks are cut past this many bytes: the unit a reader checks and holds.
  static constexpr size_t kBlockBytes = 32 << 10;

  // Creates (or truncates) `path` through `env`. IOError / NoSpace as the
  // Env reports them. The Env must outlive the writer.
  [[nodiscard]] static rocksdb::Status Open(rocksdb::Env& env, std::string path,
                                            std::unique_ptr<SortedRunWriter>* out);

  // Appends one entry. InvalidArgument when `key` is not greater than the
  // key before it (a run is strictly increasing); errors of the file.
  [[nodiscard]] rocksdb::Status Add(const rocksdb::Slice& key, const rocksdb::Slice& value);

  // Writes the last block and closes the file (no sync: a run lives only as
  // long as the load that reads it, which a crash abandons whole). *run
  // describes what was written; it is filled on success only.
  [[nodiscard]] rocksdb::Status Finish(SortedRun* run);

 private:
  SortedRunWriter(std::unique_ptr<rocksdb::WritableFile> file, std::string path);
  rocksdb::Status FlushBlock();

  std::unique_ptr<rocksdb::WritableFile> file_;
  SortedRun run_;
  std::string block_;  // header room, then the block's entries
  std::string last_key_;
  uint64_t offset_ = 0;
};

// Reads a run in key order from a Seek on. Not thread-safe; one per thread.
class SortedRunReader {
 public:
  // `readahead`: bytes read at once (whole blocks, at least one). The run
  // and the Env must outlive the reader.
  SortedRunReader(rocksdb::Env& env, const SortedRun& run, size_t readahead);

  // Positions at the first key >= target. Errors (the file cannot be
  // opened or read, Corruption) are also kept in status().
  [[nodiscard]] rocksdb::Status Seek(const rocksdb::Slice& target);

  // At an entry; false at the end of the run or after an error.
  bool Valid() const { return valid_; }
  // REQUIRES: Valid(). Valid until the next Seek or Next.
  rocksdb::Slice key() const { return key_; }
  rocksdb::Slice value() const { return value_; }
  // REQUIRES: Valid().
  void Next();
  const rocksdb::Status& status() const { return status_; }

 private:
  // Reads blocks from next_block_ into buffer_ (ReadAhead) and checks them.
  bool ReadAhead();
  // Decodes the entry at in_ into key_ / value_, reading on when the loaded
  // blocks are used up; false at the end or on an error.
  bool Load();
  void Fail(const std::string& what);

  rocksdb::Env& env_;
  const SortedRun& run_;
  const size_t readahead_;
  std::unique_ptr<rocksdb::RandomAccessFile> file_;
  std::string buffer_;
  // The loaded blocks end before next_block_; their payloads point into
  // buffer_, the first at index first_loaded_ of the run's blocks.
  size_t next_block_ = 0;
  size_t first_loaded_ = 0;
  std::vector<rocksdb::Slice> payloads_;
  size_t payload_ = 0;  // the one in_ is in
  rocksdb::Slice in_;   // what is left of payloads_[payload_]
  uint32_t entries_in_payload_ = 0;  // decoded so far from payloads_[payload_]
  bool valid_ = false;
  rocksdb::Slice key_, value_;
  rocksdb::Status status_;
};

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_SORTED_RUN_H_
