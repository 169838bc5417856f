#include "projections/views/queries.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "engine/event_time.h"
#include "projections/erasure.h"
#include "projections/views/deadlines_checkpoint.h"
#include "projections/views/state_checkpoint.h"
#include "store/base/deterministic.h"
#include "store/base/hex.h"
#include "store/inclusion_proof.h"
#include "projections/views/case_packs.h"
#include "projections/views/log_by_case.h"
#include "projections/views/parallel.h"
#include "store/base/status_macros.h"
#include "engine/access_log.h"
#include "projections/settings_log.h"

namespace carelog {
namespace {

absl::Status NoCase(const std::string& case_id) {
  return absl::NotFoundError(absl::StrCat("no case '", case_id, "' in the store"));
}

// The one fold behind State and CaseList: the case's deadlines and state
// from what was recorded by known_at (all of it when unset). Pure.
CarePlanState FoldStateOf(const std::string& case_id, const std::vector<v1::Event>& events,
                          const ResolvedPack& pack, const Calendar& cal, absl::CivilDay as_of,
                          std::optional<absl::Time> known_at) {
  std::vector<v1::Event> known = RecordedBy(events, known_at);
  const CaseDeadlines deadlines = FoldDeadlines(case_id, known, pack, cal, as_of);
  CarePlanState state = FoldCarePlanState(case_id, std::move(known), deadlines, pack, cal, as_of);
  state.known_at = known_at;
  return state;
}

// kFailedPrecondition naming the erasure when `case_id` was erased.
absl::Status RefuseIfErased(const EventStoreReader& store, const std::string& case_id) {
  ASSIGN_OR_RETURN(std::optional<v1::CaseErasure> erasure, ErasureOf(store, case_id));
  if (erasure.has_value()) return ErasedCaseError(*erasure);
  return absl::OkStatus();
}

// What a query about one case starts from: its events and its pack.
// kFailedPrecondition naming the erasure of an erased case; NoCase for a
// case with no events.
struct OneCase {
  std::vector<v1::Event> events;
  const ResolvedPack* pack = nullptr;
};
absl::StatusOr<OneCase> ReadOneCase(const EventStoreReader& store, CasePacks& packs,
                                    const std::string& case_id) {
  RETURN_IF_ERROR(RefuseIfErased(store, case_id));
  OneCase c;
  EventLog log(&store, SystemClock());
  ASSIGN_OR_RETURN(c.events, log.ReadCase(case_id));
  if (c.events.empty()) return NoCase(case_id);
  ASSIGN_OR_RETURN(c.pack, packs.For(case_id));
  return c;
}

// The case's retention under its pack's rule (none: kUnknown).
CaseRetention RetentionUnder(const std::string& case_id, const ResolvedPack& pack,
                             const std::vector<v1::Event>& events) {
  return WorkOutRetention(case_id, pack.name, events,
                          pack.retention ? &*pack.retention : nullptr);
}

}  // namespace

Queries::Queries(const EventStoreReader* store, PolicyRegistry registry)
    : store_(store), writer_(nullptr), registry_(std::move(registry)) {}

Queries::Queries(EventStore* store, PolicyRegistry registry)
    : store_(store), writer_(store), registry_(std::move(registry)) {}

absl::StatusOr<std::unique_ptr<Queries>> Queries::WithEmbeddedPacks(
    const EventStoreReader* store) {
  ASSIGN_OR_RETURN(PolicyRegistry registry, PolicyRegistry::LoadEmbedded());
  return std::make_unique<Queries>(store, std::move(registry));
}

absl::StatusOr<std::unique_ptr<Queries>> Queries::WithEmbeddedPacks(EventStore* store) {
  ASSIGN_OR_RETURN(PolicyRegistry registry, PolicyRegistry::LoadEmbedded());
  return std::make_unique<Queries>(store, std::move(registry));
}

absl::StatusOr<std::shared_ptr<const StoreCalendarView>> Queries::CurrentCalendar() {
  auto saved = store_->GetSetting(kHolidaysSetting);
  if (!saved.ok() && !absl::IsNotFound(saved.status())) return saved.status();
  const std::string setting = saved.ok() ? *saved : "";
  absl::MutexLock lock(&calendar_mu_);
  if (calendar_ == nullptr || calendar_->setting != setting) {
    // Built from the setting just read.
    ASSIGN_OR_RETURN(Calendar cal, CalendarFromSetting(saved));
    // The views, which need the calendar's address, are made just below.
    auto fresh = std::make_shared<StoreCalendarView>(
        StoreCalendarView{setting, std::move(cal), nullptr, nullptr});
    // Only a view over the writer can write checkpoints (UpdateCheckpoints).
    fresh->view = writer_ != nullptr
                      ? std::make_unique<DeadlinesView>(writer_, &fresh->calendar)
                      : std::make_unique<DeadlinesView>(store_, &fresh->calendar);
    fresh->state = std::make_unique<StateView>(store_, &fresh->calendar, fresh->view.get());
    calendar_ = std::move(fresh);
  }
  return calendar_;
}

absl::Status Queries::Deadlines(const DeadlinesQuery& query,
                                absl::FunctionRef<void(CaseDeadlinesAnswer&)> prepare,
                                absl::FunctionRef<absl::Status(CaseDeadlinesAnswer&)> deliver) {
  // A replay of every case reads the log in passes (log_by_case.h) when a
  // few will do: one sequential read instead of a seek and a scattered
  // MultiGet per case; when one will, the cases are those it finds, not
  // listed first. Larger stores are read case by case.
  const bool replay_all = !query.case_id.has_value() && !query.use_checkpoints;
  size_t passes = 0;
  std::unique_ptr<LogByCase> whole;
  if (replay_all) {
    ASSIGN_OR_RETURN(passes, LogByCase::EstimatePasses(*store_, query.replay_hold_bytes));
    if (passes == 1 && query.replay_max_passes >= 1) {
      ASSIGN_OR_RETURN(whole, LogByCase::ReadWhole(store_, query.replay_hold_bytes));
    }
  }
  std::vector<std::string> listed;
  if (query.case_id.has_value()) {
    RETURN_IF_ERROR(RefuseIfErased(*store_, *query.case_id));
    listed.push_back(*query.case_id);
  } else if (whole == nullptr) {
    ASSIGN_OR_RETURN(listed, store_->Streams());
  }
  const absl::Span<const std::string> cases =
      whole != nullptr ? whole->cases() : absl::Span<const std::string>(listed);
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  const DeadlinesView& view = *current->view;
  DeadlinesView::Options options;
  options.use_checkpoints = query.use_checkpoints;
  options.with_findings = false;  // obligations only

  // Cases are independent folds: they run on every core, a window of cases at
  // a time, and are delivered in case order. Packs are resolved first, in
  // order (CasePacks is not thread-safe); the view is.
  struct Slot {
    const ResolvedPack* pack = nullptr;
    absl::Status status;
    bool empty = false;
    CaseDeadlinesAnswer answer;
  };
  const size_t window = 512;
  std::vector<Slot> slots;
  // Answers cases [begin, end) with `get(i, pack)`.
  auto answer_cases = [&](size_t begin, size_t end, auto get) -> absl::Status {
    for (size_t base = begin; base < end; base += window) {
      const size_t count = std::min(window, end - base);
      slots.assign(count, Slot());
      for (size_t i = 0; i < count; ++i) {
        ASSIGN_OR_RETURN(slots[i].pack, packs.For(cases[base + i]));
      }
      ForEachOnCores(count, [&](size_t i) {
        Slot& slot = slots[i];
        absl::StatusOr<DeadlinesAnswer> answer = get(base + i, *slot.pack);
        if (!answer.ok()) {
          slot.status = answer.status();
          return;
        }
        slot.empty = answer->case_version == 0;
        slot.answer.deadlines = std::move(answer->deadlines);
        prepare(slot.answer);
      });
      for (size_t i = 0; i < count; ++i) {
        Slot& slot = slots[i];
        RETURN_IF_ERROR(slot.status);
        if (slot.empty && query.case_id.has_value()) return NoCase(cases[base + i]);
        RETURN_IF_ERROR(deliver(slot.answer));
        slot.answer = CaseDeadlinesAnswer();
      }
    }
    return absl::OkStatus();
  };

  if (whole != nullptr) {
    return answer_cases(0, cases.size(), [&](size_t i, const ResolvedPack& pack) {
      return view.FoldHeld(cases[i], *whole, i, pack, query.as_of, options);
    });
  }
  if (replay_all && !cases.empty()) {
    if (passes <= query.replay_max_passes) {
      LogByCase log(store_, cases, query.replay_hold_bytes);
      return log.ReadEveryPass([&](size_t first, size_t end) {
        return answer_cases(first, end, [&](size_t i, const ResolvedPack& pack) {
          return view.FoldHeld(cases[i], log, i, pack, query.as_of, options);
        });
      });
    }
  }
  return answer_cases(0, cases.size(), [&](size_t i, const ResolvedPack& pack) {
    return view.Get(cases[i], pack, query.as_of, options);
  });
}

absl::Status Queries::ForEveryCase(
    bool with_packs, absl::FunctionRef<void(size_t count)> begin_window,
    absl::FunctionRef<absl::Status(size_t i, const std::string& case_id,
                                   const ResolvedPack* pack, std::vector<v1::Event> events)>
        fold,
    absl::FunctionRef<absl::Status(size_t i)> deliver) {
  // As a replay reads the log (Deadlines): one pass when it fits (the cases
  // are then those it finds: what Streams would list, without its seek a
  // stream), two passes over the listed cases, else case by case.
  ASSIGN_OR_RETURN(size_t passes, LogByCase::EstimatePasses(*store_, hold_bytes_));
  std::unique_ptr<LogByCase> whole;
  if (passes == 1) {
    ASSIGN_OR_RETURN(whole, LogByCase::ReadWhole(store_, hold_bytes_));
  }
  std::vector<std::string> listed;
  if (whole == nullptr) {
    ASSIGN_OR_RETURN(listed, store_->Streams());
  }
  const absl::Span<const std::string> cases =
      whole != nullptr ? whole->cases() : absl::Span<const std::string>(listed);
  CasePacks packs(store_, &registry_);
  const size_t window = std::max<size_t>(1, window_);
  std::vector<const ResolvedPack*> window_packs;
  std::vector<absl::Status> failed;
  // Cases [begin, end), case c's events from events_of(c).
  auto run = [&](size_t begin, size_t end, auto events_of) -> absl::Status {
    for (size_t base = begin; base < end; base += window) {
      const size_t count = std::min(window, end - base);
      // Packs first, in order (CasePacks is not thread-safe).
      window_packs.assign(count, nullptr);
      if (with_packs) {
        for (size_t i = 0; i < count; ++i) {
          ASSIGN_OR_RETURN(window_packs[i], packs.For(cases[base + i]));
        }
      }
      begin_window(count);
      failed.assign(count, absl::OkStatus());
      ForEachOnCores(count, [&](size_t i) {
        absl::StatusOr<std::vector<v1::Event>> events = events_of(base + i);
        failed[i] = events.ok() ? fold(i, cases[base + i], window_packs[i], *std::move(events))
                                : events.status();
      });
      for (size_t i = 0; i < count; ++i) {
        RETURN_IF_ERROR(failed[i]);
        RETURN_IF_ERROR(deliver(i));
      }
    }
    return absl::OkStatus();
  };
  if (whole != nullptr) {
    return run(0, cases.size(), [&](size_t c) { return whole->Events(c); });
  }
  if (passes == 2) {
    LogByCase held(store_, cases, hold_bytes_);
    return held.ReadEveryPass([&](size_t first, size_t end) {
      return run(first, end, [&](size_t c) { return held.Events(c); });
    });
  }
  EventLog log(store_, SystemClock());
  return run(0, cases.size(), [&](size_t c) { return log.ReadCase(cases[c]); });
}

absl::StatusOr<QaReport> Queries::Qa(absl::CivilDay from, absl::CivilDay to) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  const Calendar& cal = current->calendar;
  // Each pack's rules grouped once, by the view (not once a case, as the
  // fold's own FoldDeadlines(pack) overload would).
  const DeadlinesView& view = *current->view;
  // The folds and the builder's per-case work run on every core; the
  // builder counts each window on this thread, in case order.
  QaReportBuilder builder(from, to, cal);
  struct Slot {
    QaCase c;
    QaReportBuilder::Prepared prepared;  // points into c.events
  };
  std::vector<Slot> slots;
  RETURN_IF_ERROR(ForEveryCase(
      /*with_packs=*/true, [&](size_t count) { slots.assign(count, Slot()); },
      [&](size_t i, const std::string& id, const ResolvedPack* pack,
          std::vector<v1::Event> events) {
        QaCase& c = slots[i].c;
        c.case_id = id;
        c.pack = pack;
        c.events = std::move(events);
        std::vector<const v1::Event*> pointers;
        pointers.reserve(c.events.size());
        for (const v1::Event& e : c.events) pointers.push_back(&e);
        c.deadlines = FoldDeadlines(id, pointers, view.RulesOf(*pack), cal, to, FoldOptions());
        slots[i].prepared = QaReportBuilder::Prepare(c, to);
        return absl::OkStatus();
      },
      [&](size_t i) {
        builder.Add(slots[i].c, slots[i].prepared);
        return absl::OkStatus();
      }));
  QaReport report = builder.Finish();
  // Erased cases: in no figure; when a report could have counted them.
  ASSIGN_OR_RETURN(std::vector<v1::CaseErasure> erasures, ReadErasures(*store_));
  for (const v1::CaseErasure& e : erasures) {
    QaReport::ErasedCase row;
    row.case_id = e.case_id();
    row.erased_on = LondonDate(e.at());
    row.authority = e.authority();
    ASSIGN_OR_RETURN(std::vector<StoredRecord> records, store_->ReadStream(e.case_id()));
    row.events = static_cast<int64_t>(records.size());
    row.first_recorded = row.erased_on;
    for (const StoredRecord& rec : records) {
      row.first_recorded = std::min(
          row.first_recorded, LondonToday(absl::FromUnixMicros(rec.recorded_at_micros)));
    }
    report.erased.push_back(std::move(row));
  }
  return report;
}

absl::StatusOr<CaseTrail> Queries::Audit(const std::string& case_id,
                                          const CaseTrailOptions& options) {
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(OneCase c, ReadOneCase(*store_, packs, case_id));
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  CaseTrail trail = BuildCaseTrail(case_id, c.events, *c.pack, current->calendar, options);
  // Which pack and calendar judged it, and when they changed.
  ASSIGN_OR_RETURN(trail.settings, CaseTrailSettingsForCase(*store_, case_id));
  return trail;
}

absl::StatusOr<CarePlanState> Queries::State(const std::string& case_id, absl::CivilDay as_of,
                                             std::optional<absl::Time> known_at,
                                             bool use_checkpoints) {
  RETURN_IF_ERROR(RefuseIfErased(*store_, case_id));
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(const ResolvedPack* pack, packs.For(case_id));
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  if (known_at.has_value()) {
    EventLog log(store_, SystemClock());
    ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(case_id));
    if (events.empty()) return NoCase(case_id);
    return FoldStateOf(case_id, events, *pack, current->calendar, as_of, known_at);
  }
  ASSIGN_OR_RETURN(StateAnswer a, current->state->Get(case_id, *pack, as_of, use_checkpoints));
  if (a.case_version == 0) return NoCase(case_id);
  return std::move(a.state);
}

namespace {

// Reads every case's state as of `as_of` (StateView::Get, from its
// checkpoint when current) a window of cases at a time on every core, packs
// resolved first in case order (CasePacks is not thread-safe); a case whose
// pack `wanted` refuses is not read. `collect(answer, pack, rows)` runs on
// worker threads and appends what it keeps of one case to `rows` (its own);
// they are appended to `*out` in case order. Only a window's answers are
// held at once, never 2,000 cases' states. The first error is returned.
template <typename Row, typename Wanted, typename Collect>
absl::Status CollectFromEachCase(const std::vector<std::string>& cases, CasePacks& packs,
                                 const StateView& view, absl::CivilDay as_of,
                                 bool use_checkpoints, Wanted wanted, Collect collect,
                                 std::vector<Row>* out) {
  struct Slot {
    const ResolvedPack* pack = nullptr;
    absl::Status status;
    std::vector<Row> rows;
  };
  constexpr size_t kWindow = 512;
  std::vector<Slot> slots;
  for (size_t base = 0; base < cases.size(); base += kWindow) {
    const size_t count = std::min(kWindow, cases.size() - base);
    slots.assign(count, Slot());
    for (size_t i = 0; i < count; ++i) {
      ASSIGN_OR_RETURN(slots[i].pack, packs.For(cases[base + i]));
    }
    ForEachOnCores(count, [&](size_t i) {
      Slot& slot = slots[i];
      if (!wanted(*slot.pack)) return;
      auto a = view.Get(cases[base + i], *slot.pack, as_of, use_checkpoints);
      if (!a.ok()) {
        slot.status = a.status();
        return;
      }
      collect(*a, *slot.pack, &slot.rows);
    });
    for (Slot& slot : slots) {
      RETURN_IF_ERROR(slot.status);
      std::move(slot.rows.begin(), slot.rows.end(), std::back_inserter(*out));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<CaseListRow>> Queries::CaseList(absl::CivilDay as_of,
                                                           const CaseListFilter& filter,
                                                           bool use_checkpoints) {
  ASSIGN_OR_RETURN(std::vector<std::string> cases, store_->Streams());
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  std::vector<CaseListRow> rows;
  RETURN_IF_ERROR(CollectFromEachCase(
      cases, packs, *current->state, as_of, use_checkpoints,
      [](const ResolvedPack&) { return true; },
      [&](StateAnswer& a, const ResolvedPack&, std::vector<CaseListRow>* out) {
        CaseListRow row;
        row.state = std::move(a.state);
        if (!CaseListRowMatches(row, filter)) return;
        row.state.history.clear();  // a list never shows it; 2,000 cases' worth adds up
        row.summary = std::move(a.summary);
        out->push_back(std::move(row));
      },
      &rows));
  SortCaseList(&rows);
  return rows;
}

absl::StatusOr<WorkTray> Queries::WorkTray(absl::CivilDay as_of, const WorkTrayFilter& filter,
                                           int working_days, bool use_checkpoints) {
  if (working_days < 1 || working_days > kWorkTrayMaxWorkingDays) {
    return absl::InvalidArgumentError(absl::StrCat("working days must be 1 to ",
                                                   kWorkTrayMaxWorkingDays, ", not ",
                                                   working_days));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> cases, store_->Streams());
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  const Calendar& cal = current->calendar;
  // Each worker keeps only its case's tray rows, so the states and
  // obligations of 2,000 cases are never held at once.
  std::vector<WorkTrayRow> candidates;
  RETURN_IF_ERROR(CollectFromEachCase(
      cases, packs, *current->state, as_of, use_checkpoints,
      // The pack filter needs no state: cases of other packs are not read.
      [&](const ResolvedPack& pack) { return !filter.pack.has_value() || pack.name == *filter.pack; },
      [&](StateAnswer& a, const ResolvedPack& pack, std::vector<WorkTrayRow>* out) {
        *out = WorkTrayRowsOf(a.deadlines, a.state, pack.name, cal, as_of, working_days);
        // Rows of other rules never count, not even in the per-IRO/team counts.
        if (filter.rule.has_value()) {
          std::erase_if(*out, [&](const WorkTrayRow& r) { return r.rule_id != *filter.rule; });
        }
      },
      &candidates));
  return BuildWorkTray(std::move(candidates), filter, as_of, working_days);
}

absl::Status Queries::Cases(absl::FunctionRef<absl::Status(const CaseSummary&)> each) {
  std::vector<CaseSummary> slots;
  return ForEveryCase(
      /*with_packs=*/false, [&](size_t count) { slots.assign(count, CaseSummary()); },
      [&](size_t i, const std::string& id, const ResolvedPack*, std::vector<v1::Event> events) {
        slots[i] = SummariseCase(id, std::move(events));
        return absl::OkStatus();
      },
      [&](size_t i) { return each(slots[i]); });
}

absl::Status Queries::Return903(int year,
                                absl::FunctionRef<absl::Status(const Child903&)> each) {
  std::vector<std::optional<Child903>> slots;
  return ForEveryCase(
      /*with_packs=*/false, [&](size_t count) { slots.assign(count, std::nullopt); },
      [&](size_t i, const std::string& id, const ResolvedPack*, std::vector<v1::Event> events) {
        slots[i] = Build903Child(id, std::move(events), year);
        return absl::OkStatus();
      },
      [&](size_t i) { return slots[i] ? each(*slots[i]) : absl::OkStatus(); });
}

absl::StatusOr<std::vector<CaseRetention>> Queries::Retention() {
  std::vector<CaseRetention> out;
  std::vector<std::optional<CaseRetention>> slots;
  RETURN_IF_ERROR(ForEveryCase(
      /*with_packs=*/true, [&](size_t count) { slots.assign(count, std::nullopt); },
      [&](size_t i, const std::string& id, const ResolvedPack* pack,
          std::vector<v1::Event> events) {
        slots[i] = RetentionUnder(id, *pack, events);
        return absl::OkStatus();
      },
      [&](size_t i) {
        out.push_back(*std::move(slots[i]));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<v1::AccessRecord>> Queries::AccessLog(const std::string& case_id) {
  return ReadAccessLog(*store_, case_id);
}

absl::StatusOr<::carelog::SubjectAccess> Queries::SubjectAccess(const std::string& case_id,
                                                                v1::AccessRecord read) {
  if (writer_ == nullptr) {
    return absl::FailedPreconditionError(
        "a subject access read is recorded in the access log: open the store read-write");
  }
  if (!read.has_at()) {
    const int64_t micros = absl::ToUnixMicros(absl::Now());
    read.mutable_at()->set_seconds(micros / 1000000);
    read.mutable_at()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  }
  read.clear_position();
  read.clear_event_id();
  read.clear_outcome();
  // Nothing of an erased case can be read, so there is no read to record.
  RETURN_IF_ERROR(RefuseIfErased(*store_, case_id));
  uint64_t version = 0;
  if (!case_id.empty() && !IsSystemStream(case_id)) {
    ASSIGN_OR_RETURN(version, store_->StreamVersion(case_id));
  }
  if (version == 0) {
    read.set_case_id(AccessIdText(case_id));
    read.set_outcome(kAccessNotFound);
    RETURN_IF_ERROR(RecordAccess(writer_, std::move(read)).status());
    return NoCase(case_id);
  }
  read.set_case_id(case_id);
  ASSIGN_OR_RETURN(const uint64_t read_position, RecordAccess(writer_, read));
  read.set_position(read_position);

  ::carelog::SubjectAccess sar;
  sar.case_id = case_id;
  sar.request = std::move(read);
  // One head for everything: records appended after it are left out.
  ASSIGN_OR_RETURN(sar.head, store_->Head());
  EventLog log(store_, SystemClock());
  ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(case_id));
  for (v1::Event& e : events) {
    if (e.position() <= sar.head.size) sar.events.push_back(std::move(e));
  }
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(const ResolvedPack* pack, packs.For(case_id));
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  sar.pack_name = pack->name;
  for (const PolicyRuleSet& version_rules : pack->versions) {  // the newest wording wins
    for (const v1::Rule& rule : version_rules.rules) {
      sar.rule_descriptions[rule.id()] = rule.description();
    }
  }
  sar.as_of = LondonDate(sar.request.at());
  sar.deadlines = FoldDeadlines(case_id, sar.events, *pack, current->calendar, sar.as_of);
  ASSIGN_OR_RETURN(std::vector<v1::AccessRecord> access, ReadAccessLog(*store_, case_id));
  for (v1::AccessRecord& r : access) {
    if (r.position() <= sar.head.size) sar.access.push_back(std::move(r));
  }
  auto prove = [&](const std::string& id,
                   uint64_t position) -> absl::StatusOr<InclusionProofData> {
    ASSIGN_OR_RETURN(InclusionProofData p, ProveInclusion(*store_, id, sar.head.size));
    if (p.record.position != position) {
      return absl::DataLossError(absl::StrCat("record '", id, "' is at position ",
                                              p.record.position, ", its stream says ", position,
                                              "; run carelog verify"));
    }
    return p;
  };
  for (const v1::Event& e : sar.events) {
    ASSIGN_OR_RETURN(InclusionProofData p, prove(e.event_id(), e.position()));
    sar.event_proofs.push_back(std::move(p));
  }
  for (const v1::AccessRecord& r : sar.access) {
    ASSIGN_OR_RETURN(StoredRecord rec, store_->ReadPosition(r.position()));
    ASSIGN_OR_RETURN(InclusionProofData p, prove(rec.id, r.position()));
    sar.access_proofs.push_back(std::move(p));
  }
  // The keys that open the sealed leaves of these proofs, and no others.
  if (store_->encrypted()) {
    for (const auto* proofs : {&sar.event_proofs, &sar.access_proofs}) {
      for (const InclusionProofData& p : *proofs) {
        const std::string& stream = p.record.stream;
        // The case's own streams only: "$access" holds other cases' reads.
        if (stream != case_id && stream != AccessStream(case_id)) continue;
        if (sar.data_keys.contains(stream)) continue;
        ASSIGN_OR_RETURN(std::string key, store_->DataKeyOf(stream));
        sar.data_keys[stream] = HexOf(key);
      }
    }
  }
  return sar;
}

absl::StatusOr<v1::CaseErasure> Queries::Erase(const EraseCaseRequest& request) {
  const std::string& case_id = request.case_id;
  if (writer_ == nullptr) {
    return absl::FailedPreconditionError("erasing a case writes to the log: open the store read-write");
  }
  if (request.reason.empty()) {
    return absl::InvalidArgumentError("an erasure needs a reason (--reason TEXT)");
  }
  // A system stream (the access log, the settings, the erasures) is no case.
  if (case_id.empty() || IsSystemStream(case_id)) return NoCase(case_id);
  CasePacks packs(store_, &registry_);
  ASSIGN_OR_RETURN(OneCase c, ReadOneCase(*store_, packs, case_id));
  const CaseRetention retention = RetentionUnder(case_id, *c.pack, c.events);
  const absl::CivilDay today = LondonToday(request.at);
  if (request.authority.empty() && !retention.EndedBy(today)) {
    if (!retention.destroy_from.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "case '", case_id, "' cannot be erased: its retention period cannot be worked out (",
          retention.why_unknown,
          "); give the authority for erasing it (--authority REF, e.g. a court order)"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "case '", case_id, "' cannot be erased before its retention period ends: it must be kept "
        "until ", absl::FormatCivilTime(*retention.destroy_from - 1), " and may be destroyed from ",
        absl::FormatCivilTime(*retention.destroy_from), " (", retention.rule_id, ": ",
        retention.rule_text, "; ", retention.source,
        "); give the authority for erasing it earlier (--authority REF, e.g. a court order)"));
  }

  v1::CaseErasure erasure;
  erasure.set_case_id(case_id);
  const int64_t micros = absl::ToUnixMicros(request.at);
  erasure.mutable_at()->set_seconds(micros / 1000000);
  erasure.mutable_at()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  erasure.set_erased_by(request.erased_by);
  erasure.set_role(request.role);
  erasure.set_through(request.through);
  erasure.set_reason(request.reason);
  erasure.set_authority(request.authority);
  erasure.set_retention_rule(retention.rule_id);
  erasure.set_retention_source(retention.source);
  if (retention.destroy_from.has_value()) {
    erasure.set_destroy_from(absl::FormatCivilTime(*retention.destroy_from));
  }
  // In stream order, so in log order.
  erasure.set_events(c.events.size());
  erasure.set_first_position(c.events.front().position());
  erasure.set_last_position(c.events.back().position());

  NewRecord record{kErasuresStream, absl::StrCat("erasure/", case_id),
                   DeterministicBytes(erasure)};
  ASSIGN_OR_RETURN(AppendResult appended,
                   writer_->Erase(case_id, std::move(record),
                                  {DeadlinesCaseName(case_id), DeadlinesFindingsName(case_id),
                                   DeadlinesIndexName(case_id), StateCaseName(case_id)}));
  erasure.set_position(appended.positions[0]);
  return erasure;
}

absl::StatusOr<std::vector<v1::CaseErasure>> Queries::Erasures() { return ReadErasures(*store_); }

absl::StatusOr<CheckpointUpdate> Queries::UpdateCheckpoints(bool rebuild) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  CasePacks packs(store_, &registry_);
  return current->view->Update(&packs, rebuild);
}

absl::StatusOr<DeadlinesView::CheckReport> Queries::CheckCheckpoints() {
  ASSIGN_OR_RETURN(std::shared_ptr<const StoreCalendarView> current, CurrentCalendar());
  CasePacks packs(store_, &registry_);
  return current->view->Check(&packs);
}

absl::StatusOr<std::optional<CheckpointUpdate>> CatchUpDeadlinesCheckpoints(EventStore* store) {
  auto head = store->GetCheckpoint(kDeadlinesHeadCheckpoint);
  if (absl::IsNotFound(head.status())) return std::nullopt;
  if (!head.ok()) return head.status();
  ASSIGN_OR_RETURN(std::unique_ptr<Queries> queries, Queries::WithEmbeddedPacks(store));
  ASSIGN_OR_RETURN(CheckpointUpdate r, queries->UpdateCheckpoints(/*rebuild=*/false));
  return r;
}

}  // namespace carelog
