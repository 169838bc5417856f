#include "store/internal/log_reads.h"

#include <cstring>
#include <limits>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace carelog::internal {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(std::string(what), ": ", s.ToString());
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        msg, " (disk full: nothing from this append was stored; the store is intact; "
             "free space and retry)"));
  }
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

namespace {

absl::Status DecodeRecordAtInto(uint64_t position, std::string_view value, StoredRecord* r) {
  if (absl::Status s = format::DecodeRecordInto(value, r); !s.ok()) {
    return absl::DataLossError(s.message());
  }
  if (r->position != position) {
    return absl::DataLossError(
        absl::StrCat("record says position ", r->position, " (moved or swapped)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StoredRecord> DecodeRecordAt(uint64_t position, std::string_view value) {
  StoredRecord r;
  if (absl::Status s = DecodeRecordAtInto(position, value, &r); !s.ok()) return s;
  return r;
}

absl::Status DecodeRecordForReaderInto(uint64_t position, std::string_view value,
                                       StoredRecord* r) {
  if (absl::Status s = DecodeRecordAtInto(position, value, r); !s.ok()) {
    return absl::DataLossError(absl::StrCat("position ", position, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredRecord> DecodeRecordForReader(uint64_t position, std::string_view value) {
  StoredRecord r;
  if (absl::Status s = DecodeRecordForReaderInto(position, value, &r); !s.ok()) return s;
  return r;
}

absl::StatusOr<StoredRecord> ReadRecordAt(rocksdb::DB& db, uint64_t position) {
  std::string value;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), format::RecordKey(position), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no record at position ", position));
  if (!s.ok()) return FromRocks(s, "reading the log");
  return DecodeRecordForReader(position, value);
}

absl::StatusOr<uint64_t> ReadStreamVersion(rocksdb::DB& db, std::string_view stream,
                                           const rocksdb::ReadOptions& ro) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  const std::string prefix = format::StreamPrefix(stream);
  it->SeekForPrev(format::StreamKey(stream, std::numeric_limits<uint64_t>::max()));
  if (it->Valid() && it->key().starts_with(prefix)) {
    auto sv = format::DecodeStreamKey(it->key().ToStringView());
    if (!sv.ok()) return sv.status();
    return sv->second;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading stream version");
  return 0;
}

bool SeekToLastRecord(rocksdb::Iterator& it) {
  it.SeekForPrev(format::RecordKey(std::numeric_limits<uint64_t>::max()));
  return it.Valid() && !it.key().empty() && it.key()[0] == format::kRecordTag;
}

std::string SubtreeName(int level, uint64_t index) {
  const uint64_t first = (index << level) + 1;
  const uint64_t last = (index + 1) << level;
  return absl::StrCat("Merkle subtree (level ", level, ", index ", index, ") over positions ",
                      first, first == last ? "" : absl::StrCat("-", last));
}

merkle::SubtreeLookup TreeReader(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) {
  auto cache = std::make_shared<absl::flat_hash_map<std::string, Hash256>>();
  return [db, snapshot, cache](int level, uint64_t index) -> absl::StatusOr<Hash256> {
    const std::string key = format::TreeNodeKey(level, index);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    rocksdb::Status s = db->Get(ro, key, &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat(SubtreeName(level, index),
                                              " is missing from the store; run carelog verify"));
    }
    if (!s.ok()) return FromRocks(s, "reading the Merkle tree");
    if (value.size() != 32) {
      return absl::DataLossError(absl::StrCat(SubtreeName(level, index), " is ", value.size(),
                                              " bytes, not 32; run carelog verify"));
    }
    Hash256 h;
    std::memcpy(h.data(), value.data(), 32);
    cache->emplace(key, h);
    return h;
  };
}

}  // namespace carelog::internal
