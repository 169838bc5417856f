// Spool file (temporary, deleted after the import; 0600, and removed by the
// store's next read-write open when a killed import leaves it):
//   spool  := entry*
//   entry  := fixed32(len) stream fixed32(len) id fixed32(len) payload   (host order)
#include "engine/importer.h"

#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/admission.h"
#include "engine/event_log.h"
#include "engine/limits.h"
#include "engine/ndjson_source.h"
#include "store/bulk_loader.h"
#include "store/private_files.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

class Spool {
 public:
  explicit Spool(const std::string& dir)
      : path_((std::filesystem::path(dir) /
               absl::StrCat(kImportSpoolPrefix, getpid(), "-", reinterpret_cast<uintptr_t>(this),
                            kImportSpoolSuffix))
                  .string()) {}
  ~Spool() {
    out_.close();
    in_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  absl::Status OpenForWrite() {
    // Owner-only: it holds case ids and dates in clear. A killed import
    // leaves it; the store removes it when next opened for writing.
    if (absl::Status s = CreatePrivateFile(path_); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("cannot create spool file: ", s.message()));
    }
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) return absl::InternalError(absl::StrCat("cannot create spool file ", path_));
    return absl::OkStatus();
  }
  void Put(const std::string& a, const std::string& b, const std::string& c) {
    PutOne(a);
    PutOne(b);
    PutOne(c);
  }
  // kResourceExhausted "disk full …" when the disk filled up while writing
  // the spool; kInternal naming the file and the system's reason otherwise.
  absl::Status FinishWrite() {
    FlushBuffer();
    out_.close();
    if (out_.fail() && write_errno_ == 0) write_errno_ = errno != 0 ? errno : EIO;
    if (write_errno_ == ENOSPC || write_errno_ == EDQUOT) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full while writing the import's spool file ", path_,
          " (pass 1 keeps the checked events there, about as many bytes as they take in the "
          "store): nothing from this import was appended and the store is unchanged; free "
          "space and import again"));
    }
    if (write_errno_ != 0) {
      return absl::InternalError(absl::StrCat("writing spool file ", path_,
                                              " failed: ", std::strerror(write_errno_)));
    }
    in_.open(path_, std::ios::binary);
    if (!in_) return absl::InternalError(absl::StrCat("cannot read spool file ", path_));
    return absl::OkStatus();
  }
  // Whether a write has failed (FinishWrite says why).
  bool failed() const { return write_errno_ != 0; }
  // False at the end.
  bool Next(NewRecord* r) { return GetOne(&r->stream) && GetOne(&r->id) && GetOne(&r->payload); }

 private:
  // Entries collect in buffer_ and go to the file a megabyte at a time: six
  // ofstream::write calls per event were ~3% of an import's main thread.
  void PutOne(const std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    buffer_.append(reinterpret_cast<const char*>(&n), 4);
    buffer_.append(s);
    if (buffer_.size() >= kBufferBytes) FlushBuffer();
  }
  void FlushBuffer() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    // The stream keeps no reason; the failed write(2) just set errno.
    if (!out_ && write_errno_ == 0) write_errno_ = errno != 0 ? errno : EIO;
    buffer_.clear();
  }
  bool GetOne(std::string* s) {
    uint32_t n;
    if (!in_.read(reinterpret_cast<char*>(&n), 4)) return false;
    s->resize(n);
    return static_cast<bool>(in_.read(s->data(), n));
  }

  static constexpr size_t kBufferBytes = 1 << 20;
  std::string path_;
  std::string buffer_;
  int write_errno_ = 0;  // of the first failed write
  std::ofstream out_;
  std::ifstream in_;
};

// Pass 1 is split into a parallel and a sequential stage. Decoding an item
// (parsing a line), admission's step 1 (content and encoding) and the one
// look-up of the id in the log depend on nothing but the item, so worker
// threads do them for chunks of items; the log is nobody else's to write
// during the import (the bulk load is open). The main thread then takes the
// chunks in input order for everything that depends on earlier items (ids
// earlier in the input, the case's state, the spool), exactly as a single
// loop would.
struct Chunk {
  SourceChunk source;
  std::vector<EventContent> contents;  // per item, when its status is OK
  // The log's record with each item's id (kNotFound when none); set when
  // the item's status is OK.
  std::vector<absl::StatusOr<StoredRecord>> priors;
  bool ready = false;
};

constexpr size_t kChunkItems = 1024;
constexpr size_t kChunksAhead = 16;  // bounds memory: chunks read but not consumed

class ParallelStage {
 public:
  ParallelStage(EventSource& source, const EventStore& store, absl::Time now, int threads)
      : source_(source), store_(store), log_empty_(store.LastPosition() == 0), now_(now) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~ParallelStage() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (auto& t : workers_) t.join();
  }
  // The next chunk in input order, or nullptr at the end of the input.
  // Valid until the next call.
  Chunk* Next() {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr) {
      // Recycled by a worker: its events keep their allocations, and the main
      // thread does not spend its time freeing them.
      auto node = chunks_.extract(consumed_++);
      free_.push_back(std::move(node.mapped()));
      current_ = nullptr;
    }
    auto ready = [this] {
      mu_.AssertHeld();
      auto it = chunks_.find(consumed_);
      return (it != chunks_.end() && it->second->ready) || (eof_ && consumed_ >= read_);
    };
    mu_.Await(absl::Condition(&ready));
    auto it = chunks_.find(consumed_);
    if (it == chunks_.end()) return nullptr;
    current_ = it->second.get();
    return current_;
  }
  bool failed() const { return source_.failed(); }

 private:
  void Work() {
    for (;;) {
      Chunk* c = nullptr;
      {
        absl::MutexLock lock(&mu_);
        auto can_read = [this] {
          mu_.AssertHeld();
          return stop_ || eof_ || read_ < consumed_ + kChunksAhead;
        };
        mu_.Await(absl::Condition(&can_read));
        if (stop_ || eof_) return;
        std::unique_ptr<Chunk> chunk;
        if (!free_.empty()) {
          chunk = std::move(free_.back());
          free_.pop_back();
          chunk->ready = false;
        } else {
          chunk = std::make_unique<Chunk>();
        }
        chunk->source.first = items_ + 1;
        const bool any = source_.Read(kChunkItems, &chunk->source);
        if (!any) chunk->source.items.clear();
        if (chunk->source.size() < kChunkItems) eof_ = true;
        if (chunk->source.size() == 0) return;
        items_ += chunk->source.size();
        c = chunk.get();
        chunks_.emplace(read_++, std::move(chunk));
      }
      source_.Decode(&c->source);
      const size_t n = c->source.size();
      c->contents.resize(n);
      c->priors.resize(n, absl::NotFoundError(""));
      for (size_t i = 0; i < n; ++i) {
        SourceItem& item = c->source.items[i];
        if (item.blank || !item.status.ok()) continue;
        item.status = AdmitContent(item.event, now_, &c->contents[i]);
        if (!item.status.ok()) continue;
        // An empty log holds no ids (a first import, e.g. a migration):
        // the look-ups, ~6% of an import's samples, are skipped.
        c->priors[i] = log_empty_ ? absl::StatusOr<StoredRecord>(absl::NotFoundError(""))
                                  : store_.Lookup(item.event.event_id());
      }
      absl::MutexLock lock(&mu_);
      c->ready = true;
    }
  }

  EventSource& source_ ABSL_GUARDED_BY(mu_);
  const EventStore& store_;
  const bool log_empty_;
  const absl::Time now_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t items_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t read_ ABSL_GUARDED_BY(mu_) = 0;      // chunks read
  uint64_t consumed_ ABSL_GUARDED_BY(mu_) = 0;  // chunks handed out and done
  Chunk* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<uint64_t, std::unique_ptr<Chunk>> chunks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Chunk>> free_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_;
};

}  // namespace

absl::StatusOr<ImportReport> ImportNdjson(EventStore* store, std::istream& in,
                                          const ImportOptions& options) {
  NdjsonSource source(in);
  return ImportEvents(store, source, options);
}

absl::StatusOr<ImportReport> ImportEvents(EventStore* store, EventSource& source,
                                          const ImportOptions& options) {
  Clock* clock = options.clock != nullptr ? options.clock : SystemClock();
  EventLog log(store, clock);
  const absl::Time now = clock->Now();
  ImportReport report;
  Spool spool(store->dir());
  RETURN_IF_ERROR(spool.OpenForWrite());
  // The store is ours alone from pass 1's look-ups to pass 2's last batch.
  ASSIGN_OR_RETURN(std::unique_ptr<BulkLoader> loader, store->BeginBulkLoad());
  SpillOptions spill;
  spill.dir = store->dir();
  spill.ids_in_memory = options.ids_in_memory;
  // Pass 1's memory (the cases' states, the ids met) is given back before
  // pass 2 takes its own.
  std::optional<Admitter> admitter;
  admitter.emplace(
      InputKind::kFile,
      [&log](const std::string& case_id) -> absl::StatusOr<CaseState> {
        ASSIGN_OR_RETURN(auto loaded, log.LoadState(case_id));
        return std::move(loaded.first);
      },
      options.expected_lines, std::move(spill));
  uint64_t to_append = 0;
  // As pass 2 cuts them: it flushes at >= batch_events, so 0 means 1.
  const size_t batch_events = std::max<size_t>(1, options.batch_events);

  auto refuse = [&](uint64_t line, const absl::Status& s) {
    ++report.refused;
    if (options.on_refused) options.on_refused(line, s);
  };

  const int threads =
      options.parse_threads > 0
          ? options.parse_threads
          : static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
  ParallelStage stage(source, loader->store(), now, threads);
  while (Chunk* chunk = stage.Next()) {
    for (size_t i = 0; i < chunk->source.size(); ++i) {
      const SourceItem& item = chunk->source.items[i];
      const uint64_t n = ++report.lines;
      if (options.on_progress && n % 65536 == 0) options.on_progress("checked", n);
      if (item.blank) continue;
      ++report.events;
      if (!item.status.ok()) {
        refuse(n, item.status);
        continue;
      }
      const EventContent& content = chunk->contents[i];
      absl::StatusOr<Admission> admitted =
          admitter->Admit(n, item.event, content, chunk->priors[i]);
      if (!admitted.ok()) {
        // Pass 1 has appended nothing; the operator needs to know that.
        const absl::Status& s = admitted.status();
        return absl::Status(s.code(), absl::StrCat(s.message(), " (checking line ", n,
                                                   "): nothing from this import was appended "
                                                   "and the store is unchanged"));
      }
      Admission& a = *admitted;
      if (a.verdict == Admission::kRefused) {
        refuse(n, a.refusal);
        continue;
      }
      if (a.verdict == Admission::kAlreadyPresent) {
        ++report.already_present;
        continue;
      }
      spool.Put(item.event.case_id(), item.event.event_id(), content.payload);
      ++to_append;
    }
    // A spool that cannot be written ends pass 1: its reason is all there
    // is to say (FinishWrite below).
    if (spool.failed()) break;
  }
  admitter.reset();
  if (stage.failed()) return absl::InternalError("reading the input failed");
  RETURN_IF_ERROR(spool.FinishWrite());
  if (report.refused > 0 || to_append == 0) return report;

  // Pass 2: stage the spooled events in batches (each checked, encoded and
  // written to table files beside the store) and ingest them all in one
  // atomic step at the end (bulk_loader.h): the import is all or nothing
  // even across a crash, and its index is merged once.
  uint64_t done = 0;
  AppendRequest req;
  // The store's own message speaks of one step; the operator needs to know
  // that nothing of this import is in the store and what to do next.
  auto nothing_appended = [&](const absl::Status& s) {
    const bool full = s.code() == absl::StatusCode::kResourceExhausted;
    return absl::Status(
        s.code(),
        absl::StrCat(full ? "disk full while appending the import: "
                          : "the import's append failed: ",
                     "nothing from this import was appended. ",
                     full ? "Free space" : "Fix the cause",
                     ", then import the same file again. What failed: ", s.message()));
  };
  auto stage_batch = [&]() -> absl::Status {
    if (req.records.empty()) return absl::OkStatus();
    // Pass 1 looked every spooled id up in the log while the loader was
    // open, so nobody else can have stored one since.
    absl::StatusOr<AppendResult> staged = loader->Stage(std::move(req));
    if (!staged.ok()) return nothing_appended(staged.status());
    AppendResult& r = *staged;
    for (size_t i = 0; i < r.positions.size(); ++i) {
      if (r.already_present[i]) continue;
      if (report.first_position == 0) report.first_position = r.positions[i];
      report.last_position = r.positions[i];
    }
    report.appended += r.appended;
    report.already_present += r.positions.size() - r.appended;
    done += r.positions.size();
    if (options.on_progress) options.on_progress("written", done);
    req = AppendRequest();
    return absl::OkStatus();
  };
  NewRecord rec;
  while (spool.Next(&rec)) {
    req.records.push_back(std::move(rec));
    rec = NewRecord();
    if (req.records.size() >= batch_events) RETURN_IF_ERROR(stage_batch());
  }
  RETURN_IF_ERROR(stage_batch());
  absl::Status committed = loader->Commit();
  if (!committed.ok()) return nothing_appended(committed);
  return report;
}

}  // namespace carelog
