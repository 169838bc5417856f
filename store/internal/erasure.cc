#include "store/internal/erasure.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "store/base/coding.h"
#include "store/base/status_macros.h"
#include "store/internal/key_ring.h"
#include "store/internal/log_reads.h"
#include "store/record_format.h"

namespace carelog::internal {
namespace {

constexpr std::string_view kMarkerPrefix = "erased/";
constexpr char kPending = 'P';
constexpr char kShredded = 'D';

absl::StatusOr<ErasureMarker> DecodeMarker(std::string stream, std::string_view value) {
  auto bad = [&] {
    return absl::DataLossError(
        absl::StrCat("the erasure marker of stream '", stream, "' is malformed"));
  };
  if (value.empty() || (value[0] != kPending && value[0] != kShredded)) return bad();
  ErasureMarker m;
  m.stream = std::move(stream);
  m.shredded = value[0] == kShredded;
  value.remove_prefix(1);
  while (!value.empty()) {
    uint32_t len = 0;
    if (!GetVarint32(&value, &len) || value.size() < len) return bad();
    m.checkpoints.emplace_back(value.substr(0, len));
    value.remove_prefix(len);
  }
  return m;
}

}  // namespace

std::string ErasureMarkerKey(std::string_view stream) {
  return format::MetaKey(absl::StrCat(std::string(kMarkerPrefix), std::string(stream)));
}

std::string EncodeErasureMarker(const ErasureMarker& marker) {
  std::string v(1, marker.shredded ? kShredded : kPending);
  for (const std::string& name : marker.checkpoints) {
    PutVarint32(&v, static_cast<uint32_t>(name.size()));
    v.append(name);
  }
  return v;
}

absl::StatusOr<std::vector<ErasureMarker>> ReadErasureMarkers(rocksdb::DB* db) {
  std::vector<ErasureMarker> out;
  const std::string prefix = format::MetaKey(std::string(kMarkerPrefix));
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string stream(it->key().ToStringView().substr(prefix.size()));
    ASSIGN_OR_RETURN(ErasureMarker m, DecodeMarker(std::move(stream), it->value().ToStringView()));
    out.push_back(std::move(m));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the erasure markers"));
  return out;
}

std::vector<KeyRange> ErasureRanges(const ErasureMarker& marker) {
  std::vector<KeyRange> ranges{DataKeyRange(marker.stream)};
  for (const std::string& name : marker.checkpoints) {
    std::string begin = format::CheckpointKey(name);
    std::string end = begin;
    end.push_back('\0');
    ranges.push_back(KeyRange{std::move(begin), std::move(end)});
  }
  return ranges;
}

absl::Status FinishErasure(rocksdb::DB* db, ErasureMarker marker) {
  RETURN_IF_ERROR(ShredRanges(db, ErasureRanges(marker)));
  marker.shredded = true;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db->Put(wo, ErasureMarkerKey(marker.stream), EncodeErasureMarker(marker)),
                   absl::StrCat("marking the erasure of '", marker.stream, "' finished"));
}

}  // namespace carelog::internal
