// How the store reads its own keys, shared by the append path, the readers
// and verify: the mapping of RocksDB's statuses to ours, the one
// decode-and-check of a log record, the seek to the end of the log, and the
// Merkle tree's node reader. Internal to store/.
#ifndef CARELOG_STORE_INTERNAL_LOG_READS_H_
#define CARELOG_STORE_INTERNAL_LOG_READS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "store/merkle.h"
#include "store/record_format.h"

namespace carelog::internal {

// OK for OK; otherwise "WHAT: rocksdb's message" as kResourceExhausted (disk
// full, with what to do), kDataLoss (corruption), kNotFound or kInternal.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view what);

// The one decode-and-check of a log record: `value`, read from the key of
// `position`, must decode (magic, format, lengths, checksum) and say that
// position (a value moved or swapped to another key is refused). kDataLoss
// whose message is the problem alone ("record says position 7 (moved or
// swapped)"): callers say where they found it.
absl::StatusOr<StoredRecord> DecodeRecordAt(uint64_t position, std::string_view value);

// DecodeRecordAt, its problem prefixed "position P: ", for readers.
absl::StatusOr<StoredRecord> DecodeRecordForReader(uint64_t position, std::string_view value);
// The same into `*r`, reusing its strings (format::DecodeRecordInto).
absl::Status DecodeRecordForReaderInto(uint64_t position, std::string_view value,
                                       StoredRecord* r);

// The record at `position`, read and checked (DecodeRecordForReader):
// kNotFound past the end, kDataLoss if corrupt.
absl::StatusOr<StoredRecord> ReadRecordAt(rocksdb::DB& db, uint64_t position);

// The stream's last version in the stream index (0 when it has none), as of
// `ro`'s snapshot when it has one.
absl::StatusOr<uint64_t> ReadStreamVersion(rocksdb::DB& db, std::string_view stream,
                                           const rocksdb::ReadOptions& ro = rocksdb::ReadOptions());

// Moves `it` to the last key of the log and says whether there is one (false
// on an empty log or when `it` failed: check it->status()).
bool SeekToLastRecord(rocksdb::Iterator& it);

// "Merkle subtree (level L, index I) over positions A-B", for messages.
std::string SubtreeName(int level, uint64_t index);

// A SubtreeLookup reading 'T' keys (at `snapshot` when set), remembering what
// it read: the ranges of one proof share right-edge subtrees. kDataLoss for a
// node that is missing or not 32 bytes.
merkle::SubtreeLookup TreeReader(rocksdb::DB* db, const rocksdb::Snapshot* snapshot);

// Releases a snapshot when the scope ends.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {}
  ~ScopedSnapshot() { db_.ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_LOG_READS_H_
