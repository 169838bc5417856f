#include "projections/views/deadlines_view.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "engine/event_log.h"
#include "projections/views/parallel.h"
#include "projections/views/deadlines_checkpoint.h"
#include "projections/views/state_checkpoint.h"
#include "projections/care_plan_state.h"
#include "projections/case_summary.h"
#include "store/base/status_macros.h"
#include "store/base/coding.h"

namespace carelog {
namespace {

// A worker's arena for the events of the case it folds: parsed onto it
// (not one heap allocation per string and message of every event) and freed
// at once when the next case starts. The first block is kept from case to
// case.
class CaseArena {
 public:
  CaseArena() : block_(new char[kBlock]), arena_(Options(block_.get())) {}
  google::protobuf::Arena* NextCase() {
    arena_.Reset();
    return &arena_;
  }

 private:
  static constexpr size_t kBlock = 512 << 10;  // most cases' events fit
  static google::protobuf::ArenaOptions Options(char* block) {
    google::protobuf::ArenaOptions o;
    o.initial_block = block;
    o.initial_block_size = kBlock;
    return o;
  }
  std::unique_ptr<char[]> block_;
  google::protobuf::Arena arena_;
};

// This thread's arena, emptied for the next case's events.
google::protobuf::Arena* NextCaseArena() {
  thread_local CaseArena case_arena;
  return case_arena.NextCase();
}

// DecodeEvent (engine/event_log.h), onto `arena`: the same event, the same
// error.
absl::StatusOr<const v1::Event*> DecodeEventOnArena(const StoredRecord& record,
                                                    google::protobuf::Arena* arena) {
  auto* e = google::protobuf::Arena::CreateMessage<v1::Event>(arena);
  RETURN_IF_ERROR(DecodeEventInto(record, e));
  return e;
}

// The head's position; 0 when there is none. kDataLoss when damaged.
absl::StatusOr<uint64_t> HeadPosition(const EventStoreReader& store) {
  auto bytes = store.GetCheckpoint(kDeadlinesHeadCheckpoint);
  if (absl::IsNotFound(bytes.status())) return 0;
  if (!bytes.ok()) return bytes.status();
  ASSIGN_OR_RETURN(DeadlinesHead head, DecodeDeadlinesHead(*bytes));
  return head.position;
}

// The values a case's checkpoint is written as: the deadlines index, main and
// findings values, and the care-plan state (state_checkpoint.h).
constexpr size_t kValuesPerCase = 4;

// A case's checkpoint values, encoded, from its whole history.
struct CaseCheckpoint {
  DeadlinesCheckpointValues deadlines;
  std::string state;
};

CaseCheckpoint FoldCaseCheckpoint(const std::string& case_id, std::vector<v1::Event> events,
                                  const std::string& fingerprint, const ResolvedPack& pack,
                                  const Calendar& cal) {
  const uint64_t version = events.empty() ? 0 : events.back().version();
  DeadlinesCheckpoint d;
  d.fingerprint = fingerprint;
  d.case_version = version;
  d.deadlines = FoldDeadlines(case_id, events, pack, cal, kEndOfTime);
  StateCheckpoint s;
  s.fingerprint = fingerprint;
  s.case_version = version;
  s.state = FoldCarePlanEvents(case_id, events, kEndOfTime);
  s.summary = SummariseCase(case_id, std::move(events));
  return {EncodeDeadlinesCheckpoint(d), EncodeStateCheckpoint(s)};
}

}  // namespace

DeadlinesView::DeadlinesView(EventStore* store, const Calendar* cal)
    : store_(store), writer_(store), cal_(cal), calendar_digest_(CalendarDigest(*cal)) {}

DeadlinesView::DeadlinesView(const EventStoreReader* store, const Calendar* cal)
    : store_(store), writer_(nullptr), cal_(cal), calendar_digest_(CalendarDigest(*cal)) {}

std::string DeadlinesView::Fingerprint(const ResolvedPack& pack) const {
  absl::MutexLock lock(&mu_);
  auto it = fingerprints_.find(&pack);
  if (it == fingerprints_.end()) {
    it = fingerprints_.emplace(&pack, DeadlinesFingerprint(pack, calendar_digest_)).first;
  }
  return it->second;
}

const RuleIndex& DeadlinesView::RulesOf(const ResolvedPack& pack) const {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<const RuleIndex>& index = rule_indexes_[&pack];
  if (index == nullptr) index = std::make_unique<const RuleIndex>(pack);
  return *index;  // never moves: the map holds a pointer to it
}

absl::StatusOr<DeadlinesAnswer> DeadlinesView::Get(const std::string& case_id,
                                                   const ResolvedPack& pack, absl::CivilDay as_of,
                                                   const Options& options) const {
  if (options.use_checkpoints) {
    // What the answer needs, from one snapshot: the case's version and its
    // checkpoint (with its findings when asked for).
    std::vector<std::string> names = {DeadlinesCaseName(case_id)};
    if (options.with_findings) names.push_back(DeadlinesFindingsName(case_id));
    ASSIGN_OR_RETURN(EventStoreReader::CheckpointsAt read, store_->GetCheckpointsAt(case_id, names));
    if (const std::optional<std::string>& main = read.values[0]; main.has_value()) {
      auto head = PeekDeadlinesCheckpoint(*main);
      if (head.ok() && head->first == Fingerprint(pack) && head->second == read.stream_version) {
        // A damaged checkpoint is treated as missing: the log answers.
        std::string_view findings;
        if (options.with_findings && read.values[1].has_value()) findings = *read.values[1];
        // Decoded once: the checksum Peek checked is not checked again.
        auto c = DecodePeekedDeadlinesCheckpoint(case_id, *std::move(head), *main,
                                                 options.with_findings ? &findings : nullptr);
        if (c.ok() && (!c->deadlines.last_event_day || as_of >= *c->deadlines.last_event_day)) {
          RestateAt(&c->deadlines, as_of);
          return DeadlinesAnswer{std::move(c->deadlines), read.stream_version, true};
        }
      }
    }
  }
  // EventLog::ReadCase's events, parsed onto this thread's arena.
  ASSIGN_OR_RETURN(std::vector<StoredRecord> records, store_->ReadStream(case_id));
  google::protobuf::Arena* arena = NextCaseArena();
  std::vector<const v1::Event*> events;
  events.reserve(records.size());
  for (const StoredRecord& r : records) {
    ASSIGN_OR_RETURN(const v1::Event* e, DecodeEventOnArena(r, arena));
    events.push_back(e);
  }
  return FoldParsed(case_id, events, pack, as_of, options);
}

absl::StatusOr<DeadlinesAnswer> DeadlinesView::FoldHeld(const std::string& case_id,
                                                        const LogByCase& log, size_t i,
                                                        const ResolvedPack& pack,
                                                        absl::CivilDay as_of,
                                                        const Options& options) const {
  // Each record as ReadStream would have returned it (the fields
  // DecodeEventInto reads), into one reused buffer: no allocation a record.
  thread_local StoredRecord record;
  google::protobuf::Arena* arena = NextCaseArena();
  absl::Span<const LogByCase::Record> held = log.RecordsOf(i);
  std::vector<const v1::Event*> events;
  events.reserve(held.size());
  record.stream = case_id;
  for (const LogByCase::Record& r : held) {
    record.position = r.position;
    record.version = r.version;
    record.recorded_at_micros = r.recorded_at_micros;
    record.erased = r.erased;
    record.payload.assign(LogByCase::Payload(r));
    ASSIGN_OR_RETURN(const v1::Event* e, DecodeEventOnArena(record, arena));
    events.push_back(e);
  }
  return FoldParsed(case_id, events, pack, as_of, options);
}

DeadlinesAnswer DeadlinesView::FoldParsed(const std::string& case_id,
                                          absl::Span<const v1::Event* const> events,
                                          const ResolvedPack& pack, absl::CivilDay as_of,
                                          const Options& options) const {
  DeadlinesAnswer a;
  a.case_version = events.empty() ? 0 : events.back()->version();
  FoldOptions fold;
  fold.findings = options.with_findings;
  a.deadlines = FoldDeadlines(case_id, events, RulesOf(pack), *cal_, as_of, fold);
  return a;
}

absl::StatusOr<CheckpointUpdate> DeadlinesView::Update(CasePacks* packs, bool rebuild,
                                                       size_t hold_bytes) {
  if (writer_ == nullptr) return absl::FailedPreconditionError("store opened read-only");
  CheckpointUpdate r;
  ASSIGN_OR_RETURN(r.from_position, HeadPosition(*store_));
  // Everything up to `last` is reflected once this returns: each fold below
  // reads the log after this point, so it sees at least this much.
  r.position = store_->LastPosition();
  ASSIGN_OR_RETURN(std::vector<std::string> cases, store_->Streams());
  r.cases = cases.size();

  absl::flat_hash_set<std::string> touched;
  if (!rebuild && r.from_position < r.position) {
    RETURN_IF_ERROR(store_->ScanLog(r.from_position + 1, [&](const StoredRecord& rec) {
      if (rec.position > r.position) return false;
      if (rec.stream.empty() || rec.stream[0] != '$') touched.insert(rec.stream);
      return true;
    }));
  }
  // case -> the fingerprint its checkpoint was written with, from the small
  // index values: this runs after every import, and reading the checkpoints
  // themselves would read every case's fold. A main or findings value that
  // turns out damaged makes readers fold the log; `checkpoint --check`
  // reports it and `--rebuild` replaces it.
  absl::flat_hash_map<std::string, std::string> fingerprint_of;
  if (!rebuild) {
    RETURN_IF_ERROR(store_->ScanCheckpoints(
        kDeadlinesIndexCheckpoint, [&](std::string_view name, std::string_view bytes) {
          std::optional<std::string_view> id = CaseOfDeadlinesIndexName(name);
          std::optional<std::string> fingerprint = FingerprintOfDeadlinesIndex(bytes);
          if (id && fingerprint) fingerprint_of.emplace(std::string(*id), *std::move(fingerprint));
          return true;
        }));
  }

  struct Job {
    const std::string* case_id;
    const ResolvedPack* pack;
  };
  std::vector<Job> jobs;
  for (const std::string& id : cases) {
    ASSIGN_OR_RETURN(const ResolvedPack* pack, packs->For(id));
    bool fold = rebuild;
    if (!fold) {
      auto it = fingerprint_of.find(id);
      if (it == fingerprint_of.end()) {
        ++r.missing;
        fold = true;
      } else if (it->second != Fingerprint(*pack)) {
        ++r.rules_changed;
        fold = true;
      } else if (touched.contains(id)) {
        ++r.touched;
        fold = true;
      }
    }
    if (fold) jobs.push_back({&id, pack});
  }
  r.folded = jobs.size();

  // Folds run on every core, a window at a time; each window is one atomic
  // batch. The head goes last, so a crash before it leaves the old head and
  // the next Update redoes the cases touched since then.
  const size_t window = 512;
  // Folds jobs [begin, end), job j's events from events(j).
  auto fold_jobs = [&](size_t begin, size_t end, auto events_of) -> absl::Status {
    for (size_t base = begin; base < end; base += window) {
      const size_t count = std::min(window, end - base);
      std::vector<std::pair<std::string, std::string>> entries(kValuesPerCase * count);
      std::vector<absl::Status> status(count);
      ForEachOnCores(count, [&](size_t i) {
        const Job& job = jobs[base + i];
        absl::StatusOr<std::vector<v1::Event>> events = events_of(base + i);
        if (!events.ok()) {
          status[i] = events.status();
          return;
        }
        CaseCheckpoint c = FoldCaseCheckpoint(*job.case_id, std::move(*events),
                                              Fingerprint(*job.pack), *job.pack, *cal_);
        std::pair<std::string, std::string>* out = &entries[kValuesPerCase * i];
        out[0] = {DeadlinesIndexName(*job.case_id), DeadlinesIndexValue(c.deadlines.main)};
        out[1] = {DeadlinesCaseName(*job.case_id), std::move(c.deadlines.main)};
        out[2] = {DeadlinesFindingsName(*job.case_id), std::move(c.deadlines.findings)};
        out[3] = {StateCaseName(*job.case_id), std::move(c.state)};
      });
      for (const absl::Status& s : status) RETURN_IF_ERROR(s);
      RETURN_IF_ERROR(writer_->PutCheckpoints(entries));
    }
    return absl::OkStatus();
  };
  // Folding most cases (a rebuild, or new rules), the log is read in passes
  // when two will do, as a replay reads it (log_by_case.h): a sequential
  // read instead of a seek and a scattered MultiGet a case. A pass reads up
  // to the log's end at the time, so it too sees at least `r.position`.
  size_t passes = 0;
  if (!jobs.empty() && 2 * jobs.size() >= cases.size()) {
    ASSIGN_OR_RETURN(passes, LogByCase::EstimatePasses(*store_, hold_bytes));
  }
  if (passes >= 1 && passes <= 2) {
    std::vector<std::string> names;
    names.reserve(jobs.size());
    for (const Job& job : jobs) names.push_back(*job.case_id);
    LogByCase held(store_, names, hold_bytes);
    RETURN_IF_ERROR(held.ReadEveryPass([&](size_t first, size_t end) {
      return fold_jobs(first, end, [&](size_t j) { return held.Events(j); });
    }));
  } else {
    EventLog log(store_, SystemClock());
    RETURN_IF_ERROR(fold_jobs(0, jobs.size(),
                              [&](size_t j) { return log.ReadCase(*jobs[j].case_id); }));
  }
  DeadlinesHead head;
  head.position = r.position;
  head.cases = r.cases;
  head.written_at_micros = absl::ToUnixMicros(absl::Now());
  RETURN_IF_ERROR(writer_->PutCheckpoints({{kDeadlinesHeadCheckpoint, EncodeDeadlinesHead(head)}}));
  return r;
}

absl::StatusOr<DeadlinesView::CheckReport> DeadlinesView::Check(CasePacks* packs) const {
  CheckReport r;
  ASSIGN_OR_RETURN(std::vector<std::string> cases, store_->Streams());
  r.cases = cases.size();
  EventLog log(store_, SystemClock());
  // What the check finds of one case; kNotJudged: no checkpoint a reader
  // would trust and nothing wrong (none, other rules, or stale).
  enum class Found { kNotJudged, kCurrent, kDiffers, kDamaged, kNotCheckpointable };
  auto check_case = [&](const std::string& id, const ResolvedPack& pack) -> absl::StatusOr<Found> {
    auto main = store_->GetCheckpoint(DeadlinesCaseName(id));
    if (absl::IsNotFound(main.status())) return Found::kNotJudged;
    if (!main.ok()) return main.status();
    auto findings = store_->GetCheckpoint(DeadlinesFindingsName(id));
    if (!findings.ok() && !absl::IsNotFound(findings.status())) return findings.status();
    auto state = store_->GetCheckpoint(StateCaseName(id));
    if (!state.ok() && !absl::IsNotFound(state.status())) return state.status();
    const std::string_view findings_view = findings.ok() ? std::string_view(*findings) : "";
    const std::string_view state_view = state.ok() ? std::string_view(*state) : "";
    const std::string fingerprint = Fingerprint(pack);
    auto c = DecodeDeadlinesCheckpoint(id, *main, &findings_view);
    // Written under other rules (or by an older carelog, before the state
    // value): never trusted, rebuilt by the next Update.
    if (c.ok() && c->fingerprint != fingerprint) return Found::kNotJudged;
    auto st = DecodeStateCheckpoint(id, state_view);
    // A state value that does not decode, or of another fingerprint or
    // version than its main value (one of them was replaced or lost), is
    // damage as a main value that does not decode is.
    const bool state_matches = st.ok() && c.ok() && st->fingerprint == c->fingerprint &&
                               st->case_version == c->case_version;
    if (!c.ok() || !state_matches) {
      // Never trusted either way; but bytes equal to what today's fold
      // encodes are not damage, only a fold no checkpoint can hold, and a
      // rebuild would write them again: say which, so that the alarm means
      // something.
      ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(id));
      const CaseCheckpoint want = FoldCaseCheckpoint(id, std::move(events), fingerprint, pack, *cal_);
      const bool as_folded = want.deadlines.main == *main &&
                             want.deadlines.findings == findings_view && want.state == state_view;
      return as_folded ? Found::kNotCheckpointable : Found::kDamaged;
    }
    ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(id));
    const uint64_t version = events.empty() ? 0 : events.back().version();
    if (c->case_version != version) return Found::kNotJudged;  // stale: readers fold the log
    // Compared as encoded bytes: every field of every obligation, finding
    // and of the state. Encoding is deterministic, and a decoded value
    // encodes to its own bytes, so the stored bytes are compared as they are.
    const CaseCheckpoint want = FoldCaseCheckpoint(id, std::move(events), fingerprint, pack, *cal_);
    const DeadlinesCheckpointValues have = EncodeDeadlinesCheckpoint(*c);
    const bool same = want.deadlines.main == have.main &&
                      want.deadlines.findings == have.findings && want.state == state_view;
    return same ? Found::kCurrent : Found::kDiffers;
  };
  // Cases are checked on every core, a window at a time, and reported in
  // case order. Packs are resolved first, in order (CasePacks is not
  // thread-safe).
  struct Slot {
    const ResolvedPack* pack = nullptr;
    absl::StatusOr<Found> found = Found::kNotJudged;
  };
  const size_t window = 512;
  std::vector<Slot> slots;
  for (size_t base = 0; base < cases.size(); base += window) {
    const size_t count = std::min(window, cases.size() - base);
    slots.assign(count, Slot());
    for (size_t i = 0; i < count; ++i) {
      ASSIGN_OR_RETURN(slots[i].pack, packs->For(cases[base + i]));
    }
    ForEachOnCores(count, [&](size_t i) {
      slots[i].found = check_case(cases[base + i], *slots[i].pack);
    });
    for (size_t i = 0; i < count; ++i) {
      RETURN_IF_ERROR(slots[i].found.status());
      const std::string& id = cases[base + i];
      switch (*slots[i].found) {
        case Found::kNotJudged: break;
        case Found::kCurrent: ++r.current; break;
        case Found::kDiffers:
          ++r.current;
          r.differing.push_back(id);
          break;
        case Found::kDamaged: r.damaged.push_back(id); break;
        case Found::kNotCheckpointable: r.not_checkpointable.push_back(id); break;
      }
    }
  }
  return r;
}

}  // namespace carelog
