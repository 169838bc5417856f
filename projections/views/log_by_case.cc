#include "projections/views/log_by_case.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

// What a held record costs beyond its payload.
constexpr size_t kEntryBytes = sizeof(LogByCase::Record);

// How many of the log's last records EstimatePasses measures.
constexpr uint64_t kSampleRecords = 4096;

// The fewest records a thread of a pass reads: below this a thread costs
// more than it saves.
constexpr uint64_t kRecordsPerPart = 16384;

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
                     size_t budget_bytes, unsigned parts)
    : store_(store), cases_(cases), budget_bytes_(budget_bytes), parts_(parts) {
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

namespace {

// Counted as copied, not as the blocks' capacity, so that a small budget
// (a test's) means what it says; the blocks add at most one megabyte.
size_t HeldBytes(size_t copied, size_t records) { return copied + records * kEntryBytes; }

}  // namespace

void LogByCase::LetGoOfTheLastCases(Part& part, size_t first, size_t budget) {
  size_t live = 0;
  for (size_t i = first; i < part.end; ++i) live += part.held[i - first].bytes;
  const size_t keep = budget / 4 * 3;
  bool let_go = false;
  while (part.end - first > 1 && HeldBytes(live, part.records) > keep) {
    --part.end;
    Held& h = part.held[part.end - first];
    live -= h.bytes;
    part.records -= h.records.size();
    h = Held();
    let_go = true;
  }
  if (!let_go) return;  // one case, held whatever its size: nothing to free
  Blocks fresh;
  for (size_t i = first; i < part.end; ++i) {
    for (Record& r : part.held[i - first].records) r.data = fresh.Copy(Payload(r));
  }
  part.blocks = std::move(fresh);
}

absl::Status LogByCase::Hold(const StoredRecord& rec, Held& h, Blocks& blocks, size_t* records) {
  // A later part's first record of a case is checked when the parts are
  // joined (Join), where the earlier parts' count is known.
  if (!h.records.empty() && rec.version != h.records.back().version + 1) {
    return absl::DataLossError(absl::StrCat("stream '", rec.stream, "': position ", rec.position,
                                            " holds version ", rec.version,
                                            ", expected version ", h.records.back().version + 1));
  }
  if (rec.payload.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "position ", rec.position, ": an event of more than 4 GiB cannot be held"));
  }
  Record r;
  r.position = rec.position;
  r.version = rec.version;
  r.recorded_at_micros = rec.recorded_at_micros;
  r.data = blocks.Copy(rec.payload);
  r.size = static_cast<uint32_t>(rec.payload.size());
  r.erased = rec.erased;
  h.records.push_back(r);
  h.bytes += r.size;
  ++*records;
  return absl::OkStatus();
}

absl::Status LogByCase::Join(const std::string& name, std::vector<Record>& some,
                             std::vector<Record>* joined) {
  if (some.empty()) return absl::OkStatus();
  if (some.front().version != joined->size() + 1) {
    return absl::DataLossError(absl::StrCat("stream '", name, "': position ",
                                            some.front().position, " holds version ",
                                            some.front().version, ", expected version ",
                                            joined->size() + 1));
  }
  if (joined->empty()) {
    *joined = std::move(some);
  } else {
    joined->insert(joined->end(), some.begin(), some.end());
  }
  return absl::OkStatus();
}

void LogByCase::ReadPart(Part& part, uint64_t from, uint64_t to, size_t first,
                         size_t budget) const {
  part.held.resize(cases_.size() - first);
  part.end = cases_.size();
  absl::Status status;
  absl::Status scanned = store_->ScanLog(from, [&](const StoredRecord& rec) {
    if (rec.position > to) return false;
    auto it = index_.find(rec.stream);
    if (it == index_.end() || it->second < first || it->second >= part.end) return true;
    status = Hold(rec, part.held[it->second - first], part.blocks, &part.records);
    if (!status.ok()) return false;
    if (HeldBytes(part.blocks.bytes(), part.records) > budget) {
      LetGoOfTheLastCases(part, first, budget);
    }
    return true;
  });
  part.status = scanned.ok() ? status : scanned;
}

absl::StatusOr<size_t> LogByCase::ReadPass(size_t first) {
  if (first >= cases_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("LogByCase::ReadPass: case ", first, " of ", cases_.size()));
  }
  held_.clear();
  blocks_.clear();
  first_ = first;
  end_ = first;
  const uint64_t last = store_->LastPosition();
  const size_t count = PartsFor(last);
  std::vector<Part> parts(count);
  auto read = [&](size_t t) {
    const uint64_t from = 1 + last * t / count;
    const uint64_t to = last * (t + 1) / count;
    ReadPart(parts[t], from, to, first, std::max<size_t>(1, budget_bytes_ / count));
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < count; ++t) helpers.emplace_back(read, t);
  read(0);
  for (std::thread& h : helpers) h.join();

  // The pass ends where the first part to run out of budget ended.
  size_t end = cases_.size();
  for (const Part& part : parts) {
    RETURN_IF_ERROR(part.status);
    end = std::min(end, part.end);
  }
  held_.resize(end - first);
  for (size_t i = first; i < end; ++i) {
    for (Part& part : parts) {
      RETURN_IF_ERROR(Join(cases_[i], part.held[i - first].records, &held_[i - first]));
    }
  }
  for (Part& part : parts) blocks_.push_back(std::move(part.blocks));
  end_ = end;
  return end_;
}

size_t LogByCase::PartsFor(uint64_t last) const {
  // Positions [1, last] in ranges of at least kRecordsPerPart, one a core.
  const unsigned cores = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  const uint64_t parts_wanted = std::max<uint64_t>(1, last / kRecordsPerPart);
  return parts_ > 0 ? parts_ : static_cast<size_t>(std::min<uint64_t>(cores, parts_wanted));
}

void LogByCase::ReadWholePart(WholePart& part, uint64_t from, uint64_t to, size_t budget) const {
  absl::Status status;
  absl::Status scanned = store_->ScanLog(from, [&](const StoredRecord& rec) {
    if (rec.position > to) return false;
    if ((!rec.stream.empty() && rec.stream[0] == '$') || rec.erased) return true;
    auto [it, added] = part.index.try_emplace(rec.stream, part.held.size());
    if (added) {
      part.names.push_back(rec.stream);
      part.held.emplace_back();
    }
    status = Hold(rec, part.held[it->second], part.blocks, &part.records);
    if (!status.ok()) return false;
    if (HeldBytes(part.blocks.bytes(), part.records) > budget) {
      part.over_budget = true;
      return false;
    }
    return true;
  });
  part.status = scanned.ok() ? status : scanned;
}

absl::StatusOr<std::unique_ptr<LogByCase>> LogByCase::ReadWhole(const EventStoreReader* store,
                                                                size_t budget_bytes,
                                                                unsigned parts) {
  std::unique_ptr<LogByCase> log(new LogByCase(store, {}, budget_bytes, parts));
  const uint64_t last = store->LastPosition();
  const size_t count = log->PartsFor(last);
  std::vector<WholePart> read(count);
  auto run = [&](size_t t) {
    const uint64_t from = 1 + last * t / count;
    const uint64_t to = last * (t + 1) / count;
    log->ReadWholePart(read[t], from, to, std::max<size_t>(1, budget_bytes / count));
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < count; ++t) helpers.emplace_back(run, t);
  run(0);
  for (std::thread& h : helpers) h.join();
  for (const WholePart& part : read) RETURN_IF_ERROR(part.status);
  for (const WholePart& part : read) {
    if (part.over_budget) return nullptr;
  }

  // Every part's cases, in bytewise order, each one's records joined.
  absl::flat_hash_map<std::string_view, size_t> all;
  for (const WholePart& part : read) {
    for (const std::string& name : part.names) all.try_emplace(name, 0);
  }
  log->found_.reserve(all.size());
  for (const auto& [name, unused] : all) log->found_.emplace_back(name);
  std::sort(log->found_.begin(), log->found_.end());
  log->cases_ = log->found_;
  log->held_.resize(log->found_.size());
  for (size_t i = 0; i < log->found_.size(); ++i) {
    for (WholePart& part : read) {
      auto it = part.index.find(log->found_[i]);
      if (it == part.index.end()) continue;
      RETURN_IF_ERROR(Join(log->found_[i], part.held[it->second].records, &log->held_[i]));
    }
  }
  for (WholePart& part : read) log->blocks_.push_back(std::move(part.blocks));
  log->first_ = 0;
  log->end_ = log->found_.size();
  return log;
}

absl::Status LogByCase::ReadEveryPass(
    absl::FunctionRef<absl::Status(size_t first, size_t end)> each) {
  for (size_t first = 0; first < cases_.size();) {
    ASSIGN_OR_RETURN(size_t end, ReadPass(first));
    RETURN_IF_ERROR(each(first, end));
    first = end;
  }
  return absl::OkStatus();
}

absl::Span<const LogByCase::Record> LogByCase::RecordsOf(size_t i) const {
  if (i < first_ || i >= end_) return {};
  return held_[i - first_];
}

absl::StatusOr<std::vector<v1::Event>> LogByCase::Events(size_t i) const {
  absl::Span<const Record> held = RecordsOf(i);
  std::vector<v1::Event> events(held.size());
  StoredRecord record;  // as ReadStream would have returned it
  record.stream = cases_[i];
  for (size_t k = 0; k < held.size(); ++k) {
    const Record& r = held[k];
    record.position = r.position;
    record.version = r.version;
    record.recorded_at_micros = r.recorded_at_micros;
    record.erased = r.erased;
    record.payload.assign(Payload(r));
    RETURN_IF_ERROR(DecodeEventInto(record, &events[k]));
  }
  return events;
}

}  // namespace carelog
