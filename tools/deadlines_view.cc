#include "tools/deadlines_view.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "projections/deadlines_checkpoint.h"
#include "store/base/coding.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

std::string CaseName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesCaseCheckpoint, std::string(case_id));
}
std::string IndexName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesIndexCheckpoint, std::string(case_id));
}
// fingerprint:16 case_version:fixed64, the first bytes of the main value.
constexpr size_t kIndexSize = 24;
std::string FindingsName(std::string_view case_id) {
  return absl::StrCat(kDeadlinesFindingsCheckpoint, std::string(case_id));
}

// The head's position; 0 when there is none. kDataLoss when damaged.
absl::StatusOr<uint64_t> HeadPosition(const EventStore& store) {
  auto head = store.GetCheckpoint(kDeadlinesHeadCheckpoint);
  if (absl::IsNotFound(head.status())) return 0;
  if (!head.ok()) return head.status();
  if (head->size() != 24) {
    return absl::DataLossError(absl::StrCat("checkpoint '", kDeadlinesHeadCheckpoint, "' is ",
                                            head->size(), " bytes, not 24"));
  }
  return DecodeFixed64(head->data());
}

}  // namespace

DeadlinesView::DeadlinesView(EventStore* store, const Calendar* cal)
    : store_(store), cal_(cal), calendar_digest_(CalendarDigest(*cal)) {}

std::string DeadlinesView::Fingerprint(const ResolvedPack& pack) const {
  absl::MutexLock lock(&mu_);
  auto it = fingerprints_.find(&pack);
  if (it == fingerprints_.end()) {
    it = fingerprints_.emplace(&pack, DeadlinesFingerprint(pack, calendar_digest_)).first;
  }
  return it->second;
}

absl::StatusOr<DeadlinesAnswer> DeadlinesView::Get(const std::string& case_id,
                                                   const ResolvedPack& pack, absl::CivilDay as_of,
                                                   const Options& options) const {
  if (options.use_checkpoints) {
    auto bytes = store_->GetCheckpoint(CaseName(case_id));
    if (!bytes.ok() && !absl::IsNotFound(bytes.status())) return bytes.status();
    if (bytes.ok()) {
      auto head = PeekDeadlinesCheckpoint(*bytes);
      if (head.ok() && head->first == Fingerprint(pack)) {
        ASSIGN_OR_RETURN(uint64_t version, store_->StreamVersion(case_id));
        if (version == head->second) {
          // A damaged checkpoint is treated as missing: the log answers.
          absl::StatusOr<std::string> findings;
          std::string_view findings_view;
          if (options.with_findings) {
            findings = store_->GetCheckpoint(FindingsName(case_id));
            if (!findings.ok() && !absl::IsNotFound(findings.status())) return findings.status();
            if (findings.ok()) findings_view = *findings;
          }
          auto c = DecodeDeadlinesCheckpoint(case_id, *bytes,
                                             options.with_findings ? &findings_view : nullptr);
          if (c.ok() && (!c->deadlines.last_event_day || as_of >= *c->deadlines.last_event_day)) {
            RestateAt(&c->deadlines, as_of);
            return DeadlinesAnswer{std::move(c->deadlines), version, true};
          }
        }
      }
    }
  }
  EventLog log(store_, SystemClock());
  ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(case_id));
  DeadlinesAnswer a;
  a.case_version = events.empty() ? 0 : events.back().version();
  a.deadlines = FoldDeadlines(case_id, std::move(events), pack, *cal_, as_of);
  return a;
}

absl::StatusOr<CheckpointUpdate> DeadlinesView::Update(CasePacks* packs, bool rebuild) {
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
          if (bytes.size() == kIndexSize) {
            fingerprint_of.emplace(std::string(name.substr(sizeof(kDeadlinesIndexCheckpoint) - 1)),
                                   std::string(bytes.substr(0, 16)));
          }
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
  const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  EventLog log(store_, SystemClock());
  for (size_t base = 0; base < jobs.size(); base += window) {
    const size_t count = std::min(window, jobs.size() - base);
    std::vector<std::pair<std::string, std::string>> entries(3 * count);
    std::vector<absl::Status> status(count);
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < count;) {
        const Job& job = jobs[base + i];
        auto events = log.ReadCase(*job.case_id);
        if (!events.ok()) {
          status[i] = events.status();
          continue;
        }
        DeadlinesCheckpoint c;
        c.fingerprint = Fingerprint(*job.pack);
        c.case_version = events->empty() ? 0 : events->back().version();
        c.deadlines = FoldDeadlines(*job.case_id, std::move(*events), *job.pack, *cal_, kEndOfTime);
        DeadlinesCheckpointValues values = EncodeDeadlinesCheckpoint(c);
        entries[3 * i] = {IndexName(*job.case_id), values.main.substr(0, kIndexSize)};
        entries[3 * i + 1] = {CaseName(*job.case_id), std::move(values.main)};
        entries[3 * i + 2] = {FindingsName(*job.case_id), std::move(values.findings)};
      }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads && t < count; ++t) helpers.emplace_back(work);
    work();
    for (auto& t : helpers) t.join();
    for (const absl::Status& s : status) RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(store_->PutCheckpoints(entries));
  }
  std::string head;
  PutFixed64(&head, r.position);
  PutFixed64(&head, r.cases);
  PutFixed64(&head, static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())));
  RETURN_IF_ERROR(store_->PutCheckpoints({{kDeadlinesHeadCheckpoint, head}}));
  return r;
}

absl::StatusOr<DeadlinesView::CheckReport> DeadlinesView::Check(CasePacks* packs) const {
  CheckReport r;
  ASSIGN_OR_RETURN(std::vector<std::string> cases, store_->Streams());
  r.cases = cases.size();
  EventLog log(store_, SystemClock());
  for (const std::string& id : cases) {
    ASSIGN_OR_RETURN(const ResolvedPack* pack, packs->For(id));
    auto main = store_->GetCheckpoint(CaseName(id));
    if (absl::IsNotFound(main.status())) continue;
    if (!main.ok()) return main.status();
    auto findings = store_->GetCheckpoint(FindingsName(id));
    if (!findings.ok() && !absl::IsNotFound(findings.status())) return findings.status();
    const std::string_view findings_view = findings.ok() ? std::string_view(*findings) : "";
    auto c = DecodeDeadlinesCheckpoint(id, *main, &findings_view);
    if (!c.ok()) {
      // Never trusted either way; but bytes equal to what today's fold
      // encodes are not damage, only a fold no checkpoint can hold, and a
      // rebuild would write them again: say which, so that the alarm means
      // something.
      ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(id));
      DeadlinesCheckpoint fresh;
      fresh.fingerprint = Fingerprint(*pack);
      fresh.case_version = events.empty() ? 0 : events.back().version();
      fresh.deadlines = FoldDeadlines(id, std::move(events), *pack, *cal_, kEndOfTime);
      const DeadlinesCheckpointValues want = EncodeDeadlinesCheckpoint(fresh);
      const bool as_folded = want.main == *main && want.findings == findings_view;
      (as_folded ? r.not_checkpointable : r.damaged).push_back(id);
      continue;
    }
    if (c->fingerprint != Fingerprint(*pack)) continue;  // other rules: not trusted
    ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(id));
    const uint64_t version = events.empty() ? 0 : events.back().version();
    if (c->case_version != version) continue;  // stale: readers fold the log
    ++r.current;
    DeadlinesCheckpoint fresh;
    fresh.fingerprint = c->fingerprint;
    fresh.case_version = version;
    fresh.deadlines = FoldDeadlines(id, std::move(events), *pack, *cal_, kEndOfTime);
    // Compared as encoded bytes: every field of every obligation and finding.
    const DeadlinesCheckpointValues want = EncodeDeadlinesCheckpoint(fresh);
    const DeadlinesCheckpointValues have = EncodeDeadlinesCheckpoint(*c);
    if (want.main != have.main || want.findings != have.findings) r.differing.push_back(id);
  }
  return r;
}

absl::StatusOr<std::optional<CheckpointUpdate>> CatchUpDeadlinesCheckpoints(EventStore* store) {
  auto head = store->GetCheckpoint(kDeadlinesHeadCheckpoint);
  if (absl::IsNotFound(head.status())) return std::nullopt;
  if (!head.ok()) return head.status();
  ASSIGN_OR_RETURN(PolicyRegistry registry, PolicyRegistry::LoadEmbedded());
  ASSIGN_OR_RETURN(Calendar cal, StoreCalendar(store));
  CasePacks packs(store, &registry);
  DeadlinesView view(store, &cal);
  ASSIGN_OR_RETURN(CheckpointUpdate r, view.Update(&packs, /*rebuild=*/false));
  return r;
}

}  // namespace carelog
