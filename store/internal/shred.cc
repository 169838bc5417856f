#include "store/internal/shred.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace carelog::internal {
namespace {

absl::Status Failed(const char* step, const rocksdb::Status& s) {
  return absl::InternalError(absl::StrCat("shredding: ", step, ": ", s.ToString()));
}

}  // namespace

absl::Status ShredRanges(rocksdb::DB* db, const std::vector<KeyRange>& ranges) {
  for (const KeyRange& r : ranges) {
    if (!(r.begin < r.end)) {
      return absl::InvalidArgumentError(
          absl::StrCat("shredding: a key range must end after it begins (", r.begin.size(),
                       "-byte begin, ", r.end.size(), "-byte end)"));
    }
  }
  if (ranges.empty()) return absl::OkStatus();

  rocksdb::WriteBatch batch;
  for (const KeyRange& r : ranges) {
    rocksdb::Status s = batch.DeleteRange(r.begin, r.end);
    if (!s.ok()) return Failed("range tombstone", s);
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (rocksdb::Status s = db->Write(wo, &batch); !s.ok()) return Failed("write", s);

  // The memtable and the write-ahead logs behind it still hold the values.
  rocksdb::FlushOptions fo;
  fo.wait = true;
  fo.allow_write_stall = true;
  if (rocksdb::Status s = db->Flush(fo); !s.ok()) return Failed("flush", s);

  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  co.exclusive_manual_compaction = false;
  for (const KeyRange& r : ranges) {
    const rocksdb::Slice begin(r.begin), end(r.end);
    if (rocksdb::Status s = db->CompactRange(co, &begin, &end); !s.ok()) {
      return Failed("compaction", s);
    }
  }
  // The tables and logs made obsolete are deleted by the flush's and the
  // compactions' own clean-up (later, if an iterator still pins them).
  return absl::OkStatus();
}

}  // namespace carelog::internal
