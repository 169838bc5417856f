#include "store/internal/append_plan.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "store/base/coding.h"
#include "store/base/status_macros.h"
#include "store/internal/log_reads.h"

namespace carelog::internal {
namespace {

// The put of the key that runs from `start` to the end of `keys`, with its
// head for SortIndex.
IndexPut MakeIndexPut(const std::string& keys, size_t start, uint64_t position) {
  const size_t size = keys.size() - start;
  char head[16] = {};
  std::memcpy(head, keys.data() + start, std::min<size_t>(sizeof head, size));
  return IndexPut{start, size, position, DecodeFixed64BE(head), DecodeFixed64BE(head + 8)};
}

}  // namespace

AppendPlan::AppendPlan(rocksdb::DB& db, const LogTail& tail,
                       absl::flat_hash_map<std::string, uint64_t>& versions, int64_t now_micros,
                       const std::vector<const AppendRequest*>& requests, KeyRing* ring)
    : db_(db),
      first_position_(tail.last_position + 1),
      committed_versions_(versions),
      now_(now_micros),
      tail_(tail),
      ring_(ring) {
  size_t records = 0, value_bytes = 0, key_bytes = 0;
  for (const AppendRequest* req : requests) {
    for (const NewRecord& r : req->records) {
      ++records;
      value_bytes += format::MaxLeafSize(r.stream.size(), r.id.size(),
                                         r.payload.size() + (ring != nullptr ? kSealOverheadBytes : 0)) +
                     36;
      key_bytes += r.id.size() + r.stream.size() + 15;
    }
  }
  reserve_records_ = records;
  reserve_value_bytes_ = value_bytes;
  reserve_key_bytes_ = key_bytes;
}

AppendPlan::~AppendPlan() {
  if (borrowed_ == nullptr) return;
  values_.clear();
  value_ends_.clear();
  index_keys_.clear();
  index_puts_.clear();
  node_puts_.clear();
  borrowed_->values.swap(values_);
  borrowed_->value_ends.swap(value_ends_);
  borrowed_->index_keys.swap(index_keys_);
  borrowed_->index_puts.swap(index_puts_);
  borrowed_->node_puts.swap(node_puts_);
}

void AppendPlan::Reserve(PlanBuffers* buffers) {
  reserved_ = true;
  if (buffers != nullptr) {
    borrowed_ = buffers;
    values_.swap(buffers->values);
    value_ends_.swap(buffers->value_ends);
    index_keys_.swap(buffers->index_keys);
    index_puts_.swap(buffers->index_puts);
    node_puts_.swap(buffers->node_puts);
    values_.clear();
    value_ends_.clear();
    index_keys_.clear();
    index_puts_.clear();
    node_puts_.clear();
  }
  values_.reserve(reserve_value_bytes_);
  value_ends_.reserve(reserve_records_);
  // Grown one record at a time, a 50,000-record group's id map rehashed
  // itself over and over.
  ids_.reserve(reserve_records_);
  ids_added_.reserve(reserve_records_);
  version_undo_.reserve(reserve_records_);
  index_keys_.reserve(reserve_key_bytes_);
  index_puts_.reserve(2 * reserve_records_);
  node_puts_.reserve(2 * reserve_records_ + 64);
}

// REQUIRES: called by the group's leader (it alone fills committed_versions_).
absl::StatusOr<uint64_t> AppendPlan::VersionOf(std::string_view stream) {
  if (auto it = versions_.find(stream); it != versions_.end()) return it->second;
  if (auto it = committed_versions_.find(absl::string_view(stream.data(), stream.size()));
      it != committed_versions_.end()) {
    return it->second;
  }
  auto v = ReadStreamVersion(db_, stream);
  if (v.ok()) committed_versions_.emplace(std::string(stream), *v);
  return v;
}

// REQUIRES: no record of `request` is in the plan yet.
absl::Status AppendPlan::CheckExpectedVersions(const AppendRequest& request) {
  for (const auto& [stream, expected] : request.expected_versions) {
    auto cur = VersionOf(stream);
    if (!cur.ok()) return cur.status();
    if (*cur != expected) {
      return absl::AbortedError(absl::StrCat("version conflict on '", stream,
                                             "': expected version ", expected,
                                             ", the log is at version ", *cur));
    }
  }
  return absl::OkStatus();
}

// REQUIRES: `r` is new (not in the log nor earlier in the group) and
// `version` is its stream's next.
absl::Status AppendPlan::Encode(const NewRecord& r, uint64_t version) {
  std::string_view payload = r.payload;
  if (ring_ != nullptr) {
    for (const ErasureMarker* m : erasures_) {
      if (m->stream == r.stream) {
        return absl::FailedPreconditionError(
            absl::StrCat("stream '", r.stream, "' is erased: nothing more can be recorded in it"));
      }
    }
    std::string wrapped;
    ASSIGN_OR_RETURN(const SecretKey* key, ring_->FindOrCreate(r.stream, &wrapped));
    if (!wrapped.empty()) data_key_puts_.emplace_back(DataKeyKey(r.stream), std::move(wrapped));
    ASSIGN_OR_RETURN(sealed_, SealPayload(*key, r.stream, r.id, r.payload));
    payload = sealed_;
  }
  const uint64_t pos = ++tail_.last_position;
  const size_t start = values_.size();
  format::AppendLeaf(pos, now_, version, r.stream, r.id, payload, &values_);
  const std::string_view leaf(values_.data() + start, values_.size() - start);
  tail_.last_chain = format::ChainHash(tail_.last_chain, leaf);
  tail_.frontier.Append(merkle::LeafHash(leaf), [&](int level, uint64_t index, const Hash256& h) {
    node_puts_.push_back(NodePut{level, index, h});
  });
  format::AppendRecordTrailer(tail_.last_chain, start, &values_);
  value_ends_.push_back(values_.size());

  auto [vit, inserted] = versions_.try_emplace(r.stream, version);
  version_undo_.emplace_back(r.stream,
                             inserted ? std::optional<uint64_t>() : std::optional(vit->second));
  vit->second = version;
  ids_.emplace(r.id, std::make_pair(pos, &r));
  ids_added_.push_back(r.id);

  // IdKey's and StreamKey's bytes.
  size_t key_start = index_keys_.size();
  index_keys_.push_back(format::kIdTag);
  index_keys_.append(r.id);
  index_puts_.push_back(MakeIndexPut(index_keys_, key_start, pos));
  key_start = index_keys_.size();
  format::AppendStreamKey(r.stream, version, &index_keys_);
  index_puts_.push_back(MakeIndexPut(index_keys_, key_start, pos));
  return absl::OkStatus();
}

absl::Status AppendPlan::OpenPrior(StoredRecord* stored) {
  if (ring_ == nullptr) return absl::OkStatus();
  absl::StatusOr<std::string> opened = ring_->Open(stored->stream, stored->id, stored->payload);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat("id '", stored->id, "' (position ", stored->position,
                                     "): ", opened.status().message()));
  }
  stored->payload = *std::move(opened);
  return absl::OkStatus();
}

// REQUIRES: `mark` was taken before the current request, whose undo lists
// are still in version_undo_ and ids_added_.
void AppendPlan::RollBack(const Mark& mark) {
  tail_ = mark.tail;
  values_.resize(mark.values);
  value_ends_.resize(mark.value_ends);
  index_keys_.resize(mark.index_keys);
  index_puts_.resize(mark.index_puts);
  node_puts_.resize(mark.node_puts);
  for (auto it = version_undo_.rbegin(); it != version_undo_.rend(); ++it) {
    if (it->second.has_value()) {
      versions_[it->first] = *it->second;
    } else {
      versions_.erase(it->first);
    }
  }
  for (std::string_view id : ids_added_) ids_.erase(id);
}

absl::StatusOr<AppendResult> AppendPlan::Add(const AppendRequest& req, const AppendMode& mode) {
  if (!reserved_) Reserve(mode.buffers);
  const Mark mark{tail_,           values_.size(),      value_ends_.size(),
                  index_keys_.size(), index_puts_.size(), node_puts_.size()};
  version_undo_.clear();
  ids_added_.clear();
  AppendResult result;
  absl::Status error;

  if (mode.bulk && !req.settings.empty()) {
    error = absl::InvalidArgumentError(
        "a bulk append cannot carry settings: they go in the ordinary write");
  }
  if (error.ok()) error = CheckExpectedVersions(req);
  if (error.ok() && mode.erase != nullptr) error = CheckErasures(req, *mode.erase);

  // The caller's own look-ups hold if the log has not moved since.
  const bool ids_checked = mode.ids_checked || (req.ids_absent_at.has_value() &&
                                                *req.ids_absent_at == first_position_ - 1);
  StoredRecord stored;  // a prior record read from the log
  for (size_t i = 0; error.ok() && i < req.records.size(); ++i) {
    const NewRecord& r = req.records[i];
    if (r.stream.empty() || r.id.empty()) {
      error = absl::InvalidArgumentError(
          absl::StrCat("record ", i + 1, ": empty ", r.stream.empty() ? "stream" : "id"));
      break;
    }
    // Idempotency: earlier in this group, then the log.
    bool has_prior = false;
    uint64_t prior_pos = 0;
    std::string_view prior_stream, prior_payload;
    if (auto it = ids_.find(r.id); it != ids_.end()) {
      has_prior = true;
      prior_pos = it->second.first;
      prior_stream = it->second.second->stream;
      prior_payload = it->second.second->payload;
    } else if (!ids_checked) {
      std::string pos_bytes;
      rocksdb::Status gs = db_.Get(rocksdb::ReadOptions(), format::IdKey(r.id), &pos_bytes);
      if (gs.ok()) {
        auto pos = format::DecodeFixed64BE(pos_bytes);
        if (!pos.ok()) {
          error = absl::DataLossError(absl::StrCat("id index entry for '", r.id, "' is corrupt"));
          break;
        }
        auto rec = ReadRecordAt(db_, *pos);
        if (!rec.ok()) {
          error = rec.status();
          break;
        }
        stored = *std::move(rec);
        if (error = OpenPrior(&stored); !error.ok()) break;
        has_prior = true;
        prior_pos = *pos;
        prior_stream = stored.stream;
        prior_payload = stored.payload;
      } else if (!gs.IsNotFound()) {
        error = FromRocks(gs, "reading id index");
        break;
      }
    }
    if (has_prior) {
      if (prior_stream != r.stream || prior_payload != r.payload) {
        error = absl::AlreadyExistsError(absl::StrCat(
            "id '", r.id, "' is already recorded at position ", prior_pos, " with different content"));
        break;
      }
      result.positions.push_back(prior_pos);
      result.already_present.push_back(true);
      continue;
    }
    auto cur = VersionOf(r.stream);
    if (!cur.ok()) {
      error = cur.status();
      break;
    }
    if (error = Encode(r, *cur + 1); !error.ok()) break;
    result.positions.push_back(tail_.last_position);
    result.already_present.push_back(false);
    ++result.appended;
  }

  if (!error.ok()) {
    RollBack(mark);
    return error;
  }
  for (const auto& r : req.records) {
    auto v = VersionOf(r.stream);
    if (v.ok()) result.stream_versions[r.stream] = *v;
  }
  for (const auto& [stream, expected] : req.expected_versions) {
    if (!result.stream_versions.contains(stream)) result.stream_versions[stream] = expected;
  }
  for (const auto& setting : req.settings) setting_puts_.push_back(&setting);
  if (mode.erase != nullptr) {
    for (const ErasureMarker& m : *mode.erase) erasures_.push_back(&m);
  }
  return result;
}

absl::Status AppendPlan::CheckErasures(const AppendRequest& req,
                                       const std::vector<ErasureMarker>& erase) {
  if (ring_ == nullptr) {
    return absl::FailedPreconditionError(
        "the store is not encrypted, so nothing in it can be erased: migrate it to an "
        "encrypted store first (carelog migrate)");
  }
  for (const ErasureMarker& m : erase) {
    if (ring_->IsErased(m.stream)) {
      return absl::FailedPreconditionError(
          absl::StrCat("stream '", m.stream, "' is already erased"));
    }
    for (const ErasureMarker* earlier : erasures_) {
      if (earlier->stream == m.stream) {
        return absl::FailedPreconditionError(
            absl::StrCat("stream '", m.stream, "' is already being erased"));
      }
    }
    ASSIGN_OR_RETURN(uint64_t version, VersionOf(m.stream));
    if (version == 0) {
      return absl::NotFoundError(absl::StrCat("stream '", m.stream, "' has no records to erase"));
    }
    for (const NewRecord& r : req.records) {
      if (r.stream == m.stream) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the erasure's own record cannot be in the stream it erases ('", m.stream, "')"));
      }
    }
  }
  return absl::OkStatus();
}

size_t AppendPlan::BatchBytes() const {
  const size_t puts = value_ends_.size() + index_puts_.size() + node_puts_.size();
  return 12 + values_.size() + index_keys_.size() + 8 * index_puts_.size() +
         42 * node_puts_.size() + 12 * puts;
}

void AppendPlan::SortIndex() {
  // The batch's keys go in key order: the memtable's skip list then inserts
  // each one next to the previous (RocksDB keeps the last insert's splice),
  // instead of searching from the top for keys that alternate between the
  // log, stream, id and tree ranges. Keys within a group are distinct, and a
  // WriteBatch is atomic whatever its order, so this changes nothing else.
  // The ranges are in tag order; records ascend by position already, each
  // tree level by index, so only the id and stream keys need a sort.
  static_assert(format::kSettingTag < format::kRecordTag &&
                format::kRecordTag < format::kIdTag && format::kIdTag < format::kStreamTag &&
                format::kStreamTag < format::kTreeTag);
  auto key_of = [&](const IndexPut& p) {
    return std::string_view(index_keys_.data() + p.offset, p.size);
  };
  std::sort(index_puts_.begin(), index_puts_.end(), [&](const IndexPut& a, const IndexPut& b) {
    if (a.head_hi != b.head_hi) return a.head_hi < b.head_hi;
    if (a.head_lo != b.head_lo) return a.head_lo < b.head_lo;
    return key_of(a) < key_of(b);
  });
  std::stable_sort(node_puts_.begin(), node_puts_.end(),
                   [](const NodePut& a, const NodePut& b) { return a.level < b.level; });
}

void AppendPlan::CommitVersions() {
  for (const auto& [stream, v] : versions_) committed_versions_[std::string(stream)] = v;
}

}  // namespace carelog::internal
