// DeadlinesView: one case's deadlines as of a date, answered from the case's
// checkpoint in the store when that is current and folded from the log when
// it is not; and Update, which brings the checkpoints up to date. The names
// and bytes of checkpoints are projections/views/deadlines_checkpoint.h.
//
// A checkpoint is trusted only if it decodes (checksum), its fingerprint is
// DeadlinesFingerprint(the case's pack today, the store's calendar) — so one
// written under other rules, another calendar or an older fold is rebuilt,
// not trusted — its case version is the case's version in the log, and the
// query's date is on or after the case's last event's date (an as-of view of
// the past is folded from the log).
#ifndef CARELOG_PROJECTIONS_VIEWS_DEADLINES_VIEW_H_
#define CARELOG_PROJECTIONS_VIEWS_DEADLINES_VIEW_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/rule_index.h"
#include "projections/views/deadlines_checkpoint.h"
#include "store/event_store.h"
#include "projections/views/case_packs.h"
#include "projections/views/log_by_case.h"

namespace carelog {

struct DeadlinesAnswer {
  CaseDeadlines deadlines;
  uint64_t case_version = 0;     // 0: the case has no events
  bool from_checkpoint = false;  // false: folded from the log
};

struct CheckpointUpdate {
  uint64_t from_position = 0;  // the head before (0 = there was none)
  uint64_t position = 0;       // the head now: the log position reflected
  uint64_t cases = 0;          // cases in the store
  uint64_t folded = 0;         // cases folded and written
  uint64_t touched = 0;        // ... of which had events after from_position
  uint64_t rules_changed = 0;  // ... of which had a checkpoint of other rules
  uint64_t missing = 0;        // ... of which had none (or a damaged one)
};

class DeadlinesView {
 public:
  // Neither is owned; both must outlive the view.
  DeadlinesView(EventStore* store, const Calendar* cal);
  // A view that only reads (a store opened for a query): Update refuses.
  DeadlinesView(const EventStoreReader* store, const Calendar* cal);

  struct Options {
    // false: always fold from the log (a full replay).
    bool use_checkpoints = true;
    // false: the caller reads obligations only, and findings may be left
    // out (a checkpoint's findings are then not parsed).
    bool with_findings = true;
  };

  // The case's deadlines at the end of `as_of`, equal to FoldDeadlines of
  // its events under `pack` (which must outlive the view), findings
  // included unless options say otherwise. Errors are the store's
  // (kDataLoss for a corrupt record). Thread-safe.
  [[nodiscard]] absl::StatusOr<DeadlinesAnswer> Get(const std::string& case_id,
                                                    const ResolvedPack& pack,
                                                    absl::CivilDay as_of) const {
    return Get(case_id, pack, as_of, Options());
  }
  [[nodiscard]] absl::StatusOr<DeadlinesAnswer> Get(const std::string& case_id,
                                                    const ResolvedPack& pack,
                                                    absl::CivilDay as_of,
                                                    const Options& options) const;

  // Get's fold from the log (options.use_checkpoints is not read), of case
  // `i` of `log`'s last pass (which must hold it: LogByCase::ReadPass), for
  // a replay that reads the log in passes rather than case by case: the
  // same answer as Get of a case with those records. kDataLoss for a record
  // that does not parse; kFailedPrecondition for an erased one. Thread-safe.
  [[nodiscard]] absl::StatusOr<DeadlinesAnswer> FoldHeld(const std::string& case_id,
                                                         const LogByCase& log, size_t i,
                                                         const ResolvedPack& pack,
                                                         absl::CivilDay as_of,
                                                         const Options& options) const;

  // Brings every case's checkpoint (its deadlines values and its care-plan
  // state value, state_checkpoint.h) up to date with the log and moves the
  // head to the last position: folds (on every core) the cases with events
  // after the head, with no usable checkpoint, or with one of other rules;
  // with `rebuild`, every case. Reads the small index values, not the
  // checkpoints themselves (see Check for those). Written in atomic batches with the head
  // last, so a crash leaves checkpoints that are each either current or
  // recognisably stale. kFailedPrecondition on a read-only store. Not
  // thread-safe with itself (one writer of checkpoints at a time). When at
  // least half the cases are folded, their records are read in passes of the
  // log that hold at most `hold_bytes` (log_by_case.h) if two will do, else
  // case by case: the same checkpoints either way (the budget is for tests).
  [[nodiscard]] absl::StatusOr<CheckpointUpdate> Update(CasePacks* packs, bool rebuild,
                                                        size_t hold_bytes = kReplayHoldBytes);

  // Refolds every case from the log and compares it with its checkpoint —
  // deadlines and care-plan state — where that checkpoint is current (a
  // reader would trust it). A current
  // checkpoint that differs from the log's fold was altered behind the
  // store's back (checkpoints are not in the hash chain) or written by a
  // faulty fold: `differing` names those cases; `carelog checkpoint
  // --rebuild` replaces them. Read-only; thread-safe.
  struct CheckReport {
    uint64_t cases = 0;
    uint64_t current = 0;  // checkpoints compared
    std::vector<std::string> differing;
    // Checkpoints that do not decode (checksum, a missing or mismatched
    // findings or state value): readers fold the log instead; --rebuild
    // replaces them.
    std::vector<std::string> damaged;
    // Cases whose own fold cannot be checkpointed: events recorded before
    // carelog refused absurd dates (e.g. a review scheduled for 0001-01-01)
    // put due dates outside years 0001-9999, which no checkpoint holds. The
    // stored bytes are exactly what the fold encodes, so nothing is damaged;
    // readers always fold such a case from the log.
    std::vector<std::string> not_checkpointable;
  };
  [[nodiscard]] absl::StatusOr<CheckReport> Check(CasePacks* packs) const;

  // The fingerprint a checkpoint of a case judged under `pack` must carry.
  std::string Fingerprint(const ResolvedPack& pack) const;

  // `pack`'s rules grouped for the fold, built once per pack the view is
  // asked about (packs outlive the view; so does the result). Thread-safe.
  const RuleIndex& RulesOf(const ResolvedPack& pack) const;

 private:
  // The fold of a case's parsed events, in version order (Get and FoldHeld).
  DeadlinesAnswer FoldParsed(const std::string& case_id,
                             absl::Span<const v1::Event* const> events, const ResolvedPack& pack,
                             absl::CivilDay as_of, const Options& options) const;

  const EventStoreReader* store_;
  EventStore* writer_;  // nullptr when the view only reads
  const Calendar* cal_;
  std::string calendar_digest_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<const ResolvedPack*, std::string> fingerprints_ ABSL_GUARDED_BY(mu_);
  mutable absl::flat_hash_map<const ResolvedPack*, std::unique_ptr<const RuleIndex>> rule_indexes_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_DEADLINES_VIEW_H_
