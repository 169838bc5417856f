// Queries: the one way to ask the store a question — the `carelog` commands,
// the gRPC service and anything later (a web app) call these and only render
// the answer. Each resolves the case's pack (case_packs.h) and judges under
// the store's calendar, kept here while its bank-holidays setting is
// unchanged; deadlines come from checkpoints when current
// (deadlines_view.h).
//
// Thread-safe: every method may run concurrently with the others (the
// service calls them from its request threads). Errors are the store's
// (kDataLoss for a corrupt record) and the pack resolver's (kNotFound for a
// setting naming no pack), plus those named below.
#ifndef CARELOG_PROJECTIONS_VIEWS_QUERIES_H_
#define CARELOG_PROJECTIONS_VIEWS_QUERIES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/service.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/care_plan_state.h"
#include "projections/case_trail.h"
#include "projections/case_summary.h"
#include "projections/cases_list.h"
#include "projections/deadlines.h"
#include "projections/qa_report.h"
#include "projections/retention.h"
#include "projections/ssda903_return.h"
#include "projections/subject_access.h"
#include "projections/work_tray.h"
#include "projections/views/deadlines_view.h"
#include "projections/views/log_by_case.h"
#include "projections/views/state_view.h"
#include "store/event_store.h"

namespace carelog {

// The store's calendar and the views over it.
struct StoreCalendarView {
  std::string setting;  // the holidays setting it was built from ("" = none)
  Calendar calendar;
  std::unique_ptr<DeadlinesView> view;
  std::unique_ptr<StateView> state;  // over `view`
};

struct DeadlinesQuery {
  std::optional<std::string> case_id;  // none: every case, in case order
  absl::CivilDay as_of;
  bool use_checkpoints = true;  // false: fold every case from the log (a replay)
  // A replay of every case reads the log in sequential passes, holding at
  // most this many bytes of records (LogByCase), when it estimates it needs
  // at most replay_max_passes of them (one pass also finds the cases,
  // LogByCase::ReadWhole); else it reads case by case. The answer is the
  // same either way; tests set these to force each path.
  size_t replay_hold_bytes = kReplayHoldBytes;
  size_t replay_max_passes = 2;
};

// One case's answer on its way to the caller.
struct CaseDeadlinesAnswer {
  CaseDeadlines deadlines;  // obligations only: no findings
  std::string text;         // for the caller's rendering (e.g. its JSON)
};

// What `carelog erase` and the gRPC EraseCase ask (Queries::Erase).
struct EraseCaseRequest {
  std::string case_id;
  std::string reason;     // required
  std::string authority;  // "" = only once the case's retention has ended
  std::string erased_by;  // the operator's or token's name
  std::string role;       // the token's role ("" from the command line)
  std::string through;    // "carelog erase", "EraseCase"
  absl::Time at;          // when; retention is judged at its London date
};

class Queries {
 public:
  // `store` is not owned and must outlive the queries. Over a reader,
  // UpdateCheckpoints refuses (kFailedPrecondition); everything else reads.
  Queries(const EventStoreReader* store, PolicyRegistry registry);
  Queries(EventStore* store, PolicyRegistry registry);
  // With the packs compiled into carelog (PolicyRegistry::LoadEmbedded).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Queries>> WithEmbeddedPacks(
      const EventStoreReader* store);
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Queries>> WithEmbeddedPacks(
      EventStore* store);

  Queries(const Queries&) = delete;
  Queries& operator=(const Queries&) = delete;

  // The store's calendar (StoreCalendar) and a deadlines view over it, built
  // again only when the saved bank-holidays setting changes: the calendar's
  // digest costs ~0.5 ms, as much as a checkpointed one-case answer.
  // kInvalidArgument if the saved file no longer parses.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<const StoreCalendarView>> CurrentCalendar();

  // Every obligation of the query's cases at the end of as_of. `prepare`
  // runs on worker threads, once per case, and may render the answer into
  // its text; `deliver` runs on the calling thread in case order, so what it
  // writes is the bytes of a single loop. The first error of `deliver` stops
  // the query and is returned. With a case id: kNotFound "no case 'ID' in
  // the store" when the case has no events.
  [[nodiscard]] absl::Status Deadlines(
      const DeadlinesQuery& query, absl::FunctionRef<void(CaseDeadlinesAnswer&)> prepare,
      absl::FunctionRef<absl::Status(CaseDeadlinesAnswer&)> deliver);

  // The QA report of every case over [from, to], obligations judged as they
  // stood at the end of `to`. Read and folded as SetWholeStoreReads says.
  [[nodiscard]] absl::StatusOr<QaReport> Qa(absl::CivilDay from, absl::CivilDay to);

  // How the queries of every case's events (Qa, Cases, Return903,
  // Retention) read them: the log in one sequential pass when its records
  // fit `hold_bytes` (counted as kReplayHoldBytes says; log_by_case.h), else
  // case by case; `window` cases at a time are folded on every core, then
  // delivered in case order on the caller's thread. Memory: the pass's
  // records and a window's results. Defaults kReplayHoldBytes and 256; for
  // tests, as the answers are the same whatever they are. Not thread-safe
  // with the queries.
  void SetWholeStoreReads(size_t hold_bytes, size_t window) {
    hold_bytes_ = hold_bytes;
    window_ = window;
  }

  // The case's audit trail, with the settings that judge it and their
  // changes. kNotFound "no case 'ID' in the store" when it has no events.
  // Every query about one case (Deadlines with a case id, Audit, State,
  // SubjectAccess) answers an erased case with kFailedPrecondition naming
  // its erasure (ErasedCaseMessage); the lists leave erased cases out (Qa
  // lists the erasures).
  [[nodiscard]] absl::StatusOr<CaseTrail> Audit(const std::string& case_id,
                                                 const CaseTrailOptions& options);

  // The case's state at the end of `as_of` (care_plan_state.h), folded with its
  // deadlines under the case's pack and the store's calendar; from the
  // case's checkpoint when current (state_view.h); with `known_at`, folded
  // from only what had been recorded by then (as Audit). kNotFound "no case
  // 'ID' in the store" when it has no events.
  [[nodiscard]] absl::StatusOr<CarePlanState> State(const std::string& case_id,
                                                    absl::CivilDay as_of,
                                                    std::optional<absl::Time> known_at,
                                                    bool use_checkpoints = true);

  // The case list (cases_list.h) at the end of `as_of`: one row per case
  // whose state matches every set filter, in the list's order (next review
  // due, earliest first, none last; then case id). Each row's state is
  // State's (its history left out), from checkpoints when current; cases
  // are read on every core. A filter value no case has: an empty list.
  [[nodiscard]] absl::StatusOr<std::vector<CaseListRow>> CaseList(absl::CivilDay as_of,
                                                                  const CaseListFilter& filter,
                                                                  bool use_checkpoints = true);

  // The work tray (work_tray.h) at the end of `as_of`: every case's OVERDUE
  // obligations and its OPEN ones due by the `working_days`-th working day
  // after as_of, with the case's IRO, team and social worker from its state
  // at as_of, filtered, counted and sorted as `filter` says. Each case's
  // state and obligations come from one read, of its checkpoint when
  // current (StateView), folded from the log otherwise or when
  // `use_checkpoints` is false; cases are read on every core.
  // kInvalidArgument unless 1 <= working_days <= kWorkTrayMaxWorkingDays.
  // (The type is spelt in full: inside the class the bare name is the method.)
  [[nodiscard]] absl::StatusOr<::carelog::WorkTray> WorkTray(absl::CivilDay as_of,
                                                             const WorkTrayFilter& filter,
                                                             int working_days,
                                                             bool use_checkpoints = true);

  // Calls `each` with every case's summary, in case order; stops at its
  // first error and returns it.
  [[nodiscard]] absl::Status Cases(absl::FunctionRef<absl::Status(const CaseSummary&)> each);

  // Every child's part of the SSDA903 return of collection year `year`
  // (ssda903_return.h), in case order, to `each`; cases not in that year's
  // return are skipped. Stops at `each`'s first error and returns it.
  [[nodiscard]] absl::Status Return903(int year,
                                       absl::FunctionRef<absl::Status(const Child903&)> each);

  // Every case's retention (projections/retention.h) under its pack's rule,
  // in case order; from each case's events (retention is not checkpointed:
  // it is asked for rarely and needs only the dates of birth and death).
  [[nodiscard]] absl::StatusOr<std::vector<CaseRetention>> Retention();

  // The service's access records of one case, or of every case for ""
  // (ReadAccessLog).
  [[nodiscard]] absl::StatusOr<std::vector<v1::AccessRecord>> AccessLog(
      const std::string& case_id);

  // The subject access bundle of one case (subject_access.h). First appends
  // `read` — who reads the case for the request (token_name, role), through
  // what (method), from where (peer); case_id is set here, `at` from the
  // clock when unset — to the access log (RecordAccess, synced), so that no
  // bundle is made without its read on record and the bundle lists its own
  // read; then reads the events, the deadlines, the access records and one
  // proof of each event and access record, all from the head after that
  // append. Deadlines are judged at the end of the London date of the read.
  // kFailedPrecondition over a read-only store (nothing recorded). For a case
  // with no events the read is recorded as a miss (outcome NOT_FOUND, the id
  // as AccessIdText keeps it, no stream created) and the answer is kNotFound
  // "no case 'ID' in the store". kDataLoss if a proof does not verify.
  [[nodiscard]] absl::StatusOr<::carelog::SubjectAccess> SubjectAccess(const std::string& case_id,
                                                                       v1::AccessRecord read);

  // Erases the case (projections/erasure.h, EventStore::Erase): its data
  // key and its deadlines and state checkpoints are destroyed, and a
  // CaseErasure is appended to "$erasures" saying who, when, why, under what
  // authority or retention rule, and how many events. Refused, with nothing
  // changed: kFailedPrecondition over a read-only or plain store, for a case
  // already erased (ErasedCaseMessage), or when the case's retention period
  // has not ended by the London date of `at` (or cannot be worked out) and
  // no authority is given — the message names the date, the rule and its
  // source; kNotFound for no such case; kInvalidArgument without a reason.
  // Returns the erasure with its position.
  [[nodiscard]] absl::StatusOr<v1::CaseErasure> Erase(const EraseCaseRequest& request);

  // Every erasure in the log, in log order.
  [[nodiscard]] absl::StatusOr<std::vector<v1::CaseErasure>> Erasures();

  // DeadlinesView::Update and Check under the store's calendar and packs.
  // Update: kFailedPrecondition on a read-only store.
  [[nodiscard]] absl::StatusOr<CheckpointUpdate> UpdateCheckpoints(bool rebuild);
  [[nodiscard]] absl::StatusOr<DeadlinesView::CheckReport> CheckCheckpoints();

 private:
  // Every case's events (the cases Streams lists), read as SetWholeStoreReads
  // says: for each window of cases, begin_window(count), then fold(i, id,
  // pack, events) for each of its cases on every core (pack: the case's, or
  // nullptr without `with_packs`; fold writes the caller's slot i and must be
  // thread-safe), then deliver(i) in case order on this thread. The first
  // error of a read, fold or deliver is returned.
  [[nodiscard]] absl::Status ForEveryCase(
      bool with_packs, absl::FunctionRef<void(size_t count)> begin_window,
      absl::FunctionRef<absl::Status(size_t i, const std::string& case_id,
                                     const ResolvedPack* pack, std::vector<v1::Event> events)>
          fold,
      absl::FunctionRef<absl::Status(size_t i)> deliver);

  const EventStoreReader* const store_;
  EventStore* const writer_;  // nullptr when the queries only read
  const PolicyRegistry registry_;
  absl::Mutex calendar_mu_;
  std::shared_ptr<const StoreCalendarView> calendar_ ABSL_GUARDED_BY(calendar_mu_);
  size_t hold_bytes_ = kReplayHoldBytes;
  size_t window_ = 256;
};

// For tools that have just appended (import, import-903): when the store
// keeps deadlines checkpoints (it has a head), brings them up to date and
// returns what was done; nullopt when it keeps none (the first checkpoint is
// the operator's decision: `carelog checkpoint`). Errors as Update's, plus
// those of loading the packs and the store's calendar.
[[nodiscard]] absl::StatusOr<std::optional<CheckpointUpdate>> CatchUpDeadlinesCheckpoints(
    EventStore* store);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_QUERIES_H_
