#include "projections/views/log_by_case.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

// What a held record costs beyond its payload.
constexpr size_t kEntryBytes = sizeof(LogByCase::Record);

// How many of the log's last records EstimatePasses measures.
constexpr uint64_t kSampleRecords = 4096;

}  // namespace

const char* LogByCase::Blocks::Copy(std::string_view bytes) {
  if (bytes.size() > kBlockBytes / 4) {
    // A large payload gets a block of its own; the current one stays open.
    blocks_.push_back(std::make_unique<char[]>(bytes.size()));
    bytes_ += bytes.size();
    std::memcpy(blocks_.back().get(), bytes.data(), bytes.size());
    return blocks_.back().get();
  }
  if (used_ + bytes.size() > kBlockBytes) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    current_ = blocks_.back().get();
    used_ = 0;
  }
  char* at = current_ + used_;
  std::memcpy(at, bytes.data(), bytes.size());
  used_ += bytes.size();
  bytes_ += bytes.size();
  return at;
}

LogByCase::LogByCase(const EventStoreReader* store, absl::Span<const std::string> cases,
                     size_t budget_bytes)
    : store_(store), cases_(cases), budget_bytes_(budget_bytes) {
  index_.reserve(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) index_.emplace(cases[i], i);
}

absl::StatusOr<size_t> LogByCase::EstimatePasses(const EventStoreReader& store,
                                                 size_t budget_bytes) {
  const uint64_t last = store.LastPosition();
  if (last == 0) return 0;
  const uint64_t from = last > kSampleRecords ? last - kSampleRecords + 1 : 1;
  uint64_t bytes = 0;
  uint64_t count = 0;
  RETURN_IF_ERROR(store.ScanLog(from, [&](const StoredRecord& rec) {
    if (rec.position > last) return false;
    bytes += rec.payload.size() + kEntryBytes;
    ++count;
    return true;
  }));
  if (count == 0) return 1;
  const double total = static_cast<double>(bytes) / static_cast<double>(count) *
                       static_cast<double>(last);
  const double budget = static_cast<double>(std::max<size_t>(budget_bytes, 1));
  return std::max<size_t>(1, static_cast<size_t>(total / budget + 0.999999));
}

// Counted as copied, not as the blocks' capacity, so that a small budget
// (a test's) means what it says; the blocks add at most one megabyte.
size_t LogByCase::HeldBytes() const { return blocks_.bytes() + records_ * kEntryBytes; }

void LogByCase::LetGoOfTheLastCases() {
  size_t live = 0;
  for (size_t i = first_; i < end_; ++i) live += held_[i - first_].bytes;
  const size_t keep = budget_bytes_ / 4 * 3;
  bool let_go = false;
  while (end_ - first_ > 1 && live + records_ * kEntryBytes > keep) {
    --end_;
    Held& h = held_[end_ - first_];
    live -= h.bytes;
    records_ -= h.records.size();
    h = Held();
    let_go = true;
  }
  if (!let_go) return;  // one case, held whatever its size: nothing to free
  Blocks fresh;
  for (size_t i = first_; i < end_; ++i) {
    for (Record& r : held_[i - first_].records) r.data = fresh.Copy(Payload(r));
  }
  blocks_ = std::move(fresh);
}

absl::StatusOr<size_t> LogByCase::ReadPass(size_t first) {
  if (first >= cases_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("LogByCase::ReadPass: case ", first, " of ", cases_.size()));
  }
  held_.clear();
  held_.resize(cases_.size() - first);
  blocks_ = Blocks();
  records_ = 0;
  first_ = first;
  end_ = cases_.size();
  absl::Status status;
  RETURN_IF_ERROR(store_->ScanLog(1, [&](const StoredRecord& rec) {
    auto it = index_.find(rec.stream);
    if (it == index_.end() || it->second < first_ || it->second >= end_) return true;
    Held& h = held_[it->second - first_];
    const uint64_t expect = h.records.size() + 1;
    if (rec.version != expect) {
      status = absl::DataLossError(absl::StrCat("stream '", rec.stream, "': position ",
                                                rec.position, " holds version ", rec.version,
                                                ", expected version ", expect));
      return false;
    }
    if (rec.payload.size() > std::numeric_limits<uint32_t>::max()) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "position ", rec.position, ": an event of more than 4 GiB cannot be held"));
      return false;
    }
    Record r;
    r.position = rec.position;
    r.version = rec.version;
    r.recorded_at_micros = rec.recorded_at_micros;
    r.data = blocks_.Copy(rec.payload);
    r.size = static_cast<uint32_t>(rec.payload.size());
    r.erased = rec.erased;
    h.records.push_back(r);
    h.bytes += r.size;
    ++records_;
    if (HeldBytes() > budget_bytes_) LetGoOfTheLastCases();
    return true;
  }));
  RETURN_IF_ERROR(status);
  held_.resize(end_ - first_);
  return end_;
}

absl::Span<const LogByCase::Record> LogByCase::RecordsOf(size_t i) const {
  if (i < first_ || i >= end_) return {};
  return held_[i - first_].records;
}

}  // namespace carelog
