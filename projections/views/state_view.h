// StateView: one case's care-plan state (and its summary) as of a date,
// answered from the case's checkpoint when that is current and folded from
// the log when it is not — the state's half of what DeadlinesView is to
// deadlines. The bytes are state_checkpoint.h's; DeadlinesView::Update
// writes them beside the deadlines values, under the same fingerprint.
//
// The state value and the deadlines main value are read from one snapshot
// with the case's stream version, and both are trusted only when both are
// current (fingerprint, case version) and the date asked is on or after the
// case's last event's (an as-of view of the past is folded from the log).
// The answer is then RestateCarePlanState of the checkpoint, which equals the
// fold (state_view_test checks every case of generated stores byte for byte).
#ifndef CARELOG_PROJECTIONS_VIEWS_STATE_VIEW_H_
#define CARELOG_PROJECTIONS_VIEWS_STATE_VIEW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/care_plan_state.h"
#include "projections/case_summary.h"
#include "projections/deadlines.h"
#include "projections/views/deadlines_view.h"
#include "store/event_store.h"

namespace carelog {

struct StateAnswer {
  CarePlanState state;     // as of the date asked
  CaseSummary summary;     // of the whole log (SummariseCase)
  // The obligations `state` was restated from, as of the date asked (no
  // findings): what the work tray lists beside the state, from the same read.
  CaseDeadlines deadlines;
  uint64_t case_version = 0;  // 0: the case has no events
  bool from_checkpoint = false;
};

class StateView {
 public:
  // None is owned; all must outlive the view. `deadlines` is over the same
  // store and calendar (its fingerprints are the state's).
  StateView(const EventStoreReader* store, const Calendar* cal, const DeadlinesView* deadlines);

  // The case's state at the end of `as_of` under `pack` (which must outlive
  // the call): FoldCarePlanState of its events with their deadlines, those
  // deadlines (obligations only) and their summary. `use_checkpoints` false: always folded from the log.
  // Errors are the store's (kDataLoss for a corrupt record). Thread-safe.
  [[nodiscard]] absl::StatusOr<StateAnswer> Get(const std::string& case_id,
                                                const ResolvedPack& pack, absl::CivilDay as_of,
                                                bool use_checkpoints = true) const;

 private:
  const EventStoreReader* store_;
  const Calendar* cal_;
  const DeadlinesView* deadlines_;
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_STATE_VIEW_H_
