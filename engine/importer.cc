#include "engine/importer.h"

#include <algorithm>
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
#include "store/base/status_macros.h"

namespace carelog {
namespace {

// The import is split into a parallel and a sequential stage. Decoding an item
// (parsing a line), admission's step 1 (content and encoding) and the one
// look-up of the id in the log depend on nothing but the item, so worker
// threads do them for chunks of items; the log is nobody else's to write
// during the import (the bulk load is open). The main thread then takes the
// chunks in input order for everything that depends on earlier items (ids
// earlier in the input, the case's state, staging), exactly as a single
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
// Bounds memory: chunks read but not consumed (~1.5 MB each). Two workers
// keep 8 busy; 16 held ~12 MB more beside the staged groups.
constexpr size_t kChunksAhead = 8;
// How many items ahead the admitting thread prefetches an id's slot: far
// enough that a probe's miss (~100 ns) is over when the item is admitted.
constexpr size_t kPrefetchAhead = 8;

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


// Stages the import's groups on a thread of its own: while group k is
// planned, hashed, encoded and written, the main thread admits the events of
// group k+1. A group is handed over only when the thread is idle, so memory
// holds two groups at most (the one being admitted and the one being
// staged): a third, waiting, cost ~8 MB at 1M events and gained no time.
// BulkLoader::Stage changes nothing another thread reads: the staged groups
// are invisible until Commit, so the look-ups and case states the main
// thread and the parse workers read from the log stay as they were.
class Stager {
 public:
  explicit Stager(BulkLoader& loader) : loader_(loader), thread_([this] { Run(); }) {}
  ~Stager() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  // Hands `group` over, waiting while another is being staged. The first
  // staging error so far, if any (then `group` is dropped).
  absl::Status Put(AppendRequest group) {
    absl::MutexLock lock(&mu_);
    auto room = [this] {
      mu_.AssertHeld();
      return (!waiting_.has_value() && !busy_) || !status_.ok();
    };
    mu_.Await(absl::Condition(&room));
    if (!status_.ok()) return status_;
    waiting_ = std::move(group);
    return absl::OkStatus();
  }

  // Waits until every group handed over is staged. The first staging error,
  // if any.
  absl::Status Drain() {
    absl::MutexLock lock(&mu_);
    auto idle = [this] {
      mu_.AssertHeld();
      return (!waiting_.has_value() && !busy_) || !status_.ok();
    };
    mu_.Await(absl::Condition(&idle));
    return status_;
  }

  // The staged groups' results so far, folded (positions in input order).
  struct Totals {
    uint64_t staged = 0;  // events handed to Stage and staged
    uint64_t appended = 0;
    uint64_t already_present = 0;
    uint64_t first_position = 0;
    uint64_t last_position = 0;
  };
  Totals totals() const {
    absl::MutexLock lock(&mu_);
    return totals_;
  }

 private:
  void Run() {
    for (;;) {
      AppendRequest group;
      {
        absl::MutexLock lock(&mu_);
        auto work = [this] {
          mu_.AssertHeld();
          return stop_ || waiting_.has_value();
        };
        mu_.Await(absl::Condition(&work));
        if (stop_) return;
        group = std::move(*waiting_);
        waiting_.reset();
        busy_ = true;
      }
      absl::StatusOr<AppendResult> staged = loader_.Stage(std::move(group));
      absl::MutexLock lock(&mu_);
      busy_ = false;
      if (!staged.ok()) {
        if (status_.ok()) status_ = staged.status();
        continue;
      }
      const AppendResult& r = *staged;
      for (size_t i = 0; i < r.positions.size(); ++i) {
        if (r.already_present[i]) continue;
        if (totals_.first_position == 0) totals_.first_position = r.positions[i];
        totals_.last_position = r.positions[i];
      }
      totals_.appended += r.appended;
      totals_.already_present += r.positions.size() - r.appended;
      totals_.staged += r.positions.size();
    }
  }

  BulkLoader& loader_;
  mutable absl::Mutex mu_;
  std::optional<AppendRequest> waiting_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  Totals totals_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: it starts once the rest is built
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
  // The store is ours alone from the first look-up to the last group's
  // ingestion.
  ASSIGN_OR_RETURN(std::unique_ptr<BulkLoader> loader, store->BeginBulkLoad());
  SpillOptions spill;
  spill.dir = store->dir();
  spill.ids_in_memory = options.ids_in_memory;
  // What admission keeps (the cases' states, the ids met) is given back
  // before the groups are ingested, whose merge takes memory of its own.
  std::optional<Admitter> admitter;
  admitter.emplace(
      InputKind::kFile,
      [&log](const std::string& case_id) -> absl::StatusOr<CaseState> {
        ASSIGN_OR_RETURN(auto loaded, log.LoadState(case_id));
        return std::move(loaded.first);
      },
      options.expected_lines, std::move(spill));
  // Flushed at >= batch_events, so 0 means 1.
  const size_t batch_events = std::max<size_t>(1, options.batch_events);

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
  AppendRequest req;
  // A group's records at their full size from the start (grown by doubling,
  // each group's vector was copied a dozen times into fresh pages), up to a
  // size that any caller's batch_events can afford.
  const size_t group_reserve = std::min<size_t>(batch_events, size_t{1} << 16);
  req.records.reserve(group_reserve);
  // Declared before the parse workers' stage: it is stopped after them.
  Stager stager(*loader);
  uint64_t written = 0;  // as last reported
  // With the lines checked so far first, so that a display of both never
  // shows more events written than lines checked.
  auto report_written = [&]() {
    const uint64_t staged = stager.totals().staged;
    if (options.on_progress && staged != written) {
      options.on_progress("checked", report.lines);
      options.on_progress("written", staged);
    }
    written = staged;
  };
  // Hands the admitted events gathered in `req` to the stager: checked,
  // encoded and written to table files beside the store, invisible until
  // Commit.
  auto stage_batch = [&]() -> absl::Status {
    if (req.records.empty()) return absl::OkStatus();
    // Every id was looked up in the log while the loader was open, so
    // nobody else can have stored one since.
    absl::Status s = stager.Put(std::move(req));
    req = AppendRequest();
    req.records.reserve(group_reserve);
    if (!s.ok()) return nothing_appended(s);
    report_written();
    return absl::OkStatus();
  };
  // Once an item is refused nothing will be appended: the rest is only
  // checked, so that the report names every refused item.
  auto refuse = [&](uint64_t line, const absl::Status& s) {
    ++report.refused;
    req = AppendRequest();
    if (options.on_refused) options.on_refused(line, s);
  };

  const int threads =
      options.parse_threads > 0
          ? options.parse_threads
          : static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
  auto stage = std::make_unique<ParallelStage>(source, loader->store(), now, threads);
  while (Chunk* chunk = stage->Next()) {
    const size_t size = chunk->source.size();
    for (size_t i = 0; i < std::min(size, kPrefetchAhead); ++i) {
      admitter->Prefetch(chunk->contents[i]);
    }
    for (size_t i = 0; i < size; ++i) {
      if (i + kPrefetchAhead < size) admitter->Prefetch(chunk->contents[i + kPrefetchAhead]);
      const SourceItem& item = chunk->source.items[i];
      const uint64_t n = ++report.lines;
      if (options.on_progress && n % 65536 == 0) options.on_progress("checked", n);
      if (item.blank) continue;
      ++report.events;
      if (!item.status.ok()) {
        refuse(n, item.status);
        continue;
      }
      EventContent& content = chunk->contents[i];
      absl::StatusOr<Admission> admitted =
          admitter->Admit(n, item.event, content, chunk->priors[i]);
      if (!admitted.ok()) {
        // The staged groups are dropped with the loader.
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
      if (report.refused > 0) continue;
      // The chunk is recycled after this loop: its bytes can move.
      req.records.push_back(
          NewRecord{item.event.case_id(), item.event.event_id(), std::move(content.payload)});
      if (req.records.size() >= batch_events) RETURN_IF_ERROR(stage_batch());
    }
  }
  if (stage->failed()) return absl::InternalError("reading the input failed");
  stage.reset();
  admitter.reset();
  // Refused items: the staged groups are dropped with the loader.
  if (report.refused > 0) return report;
  RETURN_IF_ERROR(stage_batch());
  if (absl::Status s = stager.Drain(); !s.ok()) return nothing_appended(s);
  report_written();
  const Stager::Totals totals = stager.totals();
  report.appended = totals.appended;
  report.already_present += totals.already_present;
  report.first_position = totals.first_position;
  report.last_position = totals.last_position;
  if (report.appended == 0) return report;
  // Every group at once: the import is all or nothing even across a crash,
  // and its index is merged once.
  absl::Status committed = loader->Commit();
  if (!committed.ok()) return nothing_appended(committed);
  return report;
}

}  // namespace carelog
