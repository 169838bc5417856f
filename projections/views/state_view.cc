#include "projections/views/state_view.h"

#include <utility>
#include <vector>

#include "engine/event_log.h"
#include "projections/deadlines.h"
#include "projections/views/deadlines_checkpoint.h"
#include "projections/views/state_checkpoint.h"
#include "store/base/status_macros.h"

namespace carelog {

StateView::StateView(const EventStoreReader* store, const Calendar* cal,
                     const DeadlinesView* deadlines)
    : store_(store), cal_(cal), deadlines_(deadlines) {}

absl::StatusOr<StateAnswer> StateView::Get(const std::string& case_id, const ResolvedPack& pack,
                                           absl::CivilDay as_of, bool use_checkpoints) const {
  if (use_checkpoints) {
    ASSIGN_OR_RETURN(EventStoreReader::CheckpointsAt read,
                     store_->GetCheckpointsAt(case_id, {DeadlinesCaseName(case_id),
                                                        StateCaseName(case_id)}));
    const std::optional<std::string>& main = read.values[0];
    const std::optional<std::string>& state = read.values[1];
    if (main.has_value() && state.has_value()) {
      const std::string fingerprint = deadlines_->Fingerprint(pack);
      auto head = PeekDeadlinesCheckpoint(*main);
      // Damaged, stale or of other rules: the log answers.
      if (head.ok() && head->first == fingerprint && head->second == read.stream_version) {
        auto d = DecodePeekedDeadlinesCheckpoint(case_id, *std::move(head), *main, nullptr);
        auto s = DecodeStateCheckpoint(case_id, *state);
        if (d.ok() && s.ok() && s->fingerprint == fingerprint &&
            s->case_version == read.stream_version &&
            (!d->deadlines.last_event_day || as_of >= *d->deadlines.last_event_day) &&
            (!s->state.last_event_day || as_of >= *s->state.last_event_day)) {
          RestateAt(&d->deadlines, as_of);
          StateAnswer a;
          a.state = std::move(s->state);
          RestateCarePlanState(d->deadlines, pack, *cal_, as_of, &a.state);
          a.summary = std::move(s->summary);
          a.deadlines = std::move(d->deadlines);
          a.case_version = read.stream_version;
          a.from_checkpoint = true;
          return a;
        }
      }
    }
  }
  EventLog log(store_, SystemClock());
  ASSIGN_OR_RETURN(std::vector<v1::Event> events, log.ReadCase(case_id));
  StateAnswer a;
  a.case_version = events.empty() ? 0 : events.back().version();
  a.deadlines = FoldDeadlines(case_id, events, pack, *cal_, as_of);
  a.deadlines.findings.clear();  // as from a checkpoint: obligations only
  a.state = FoldCarePlanState(case_id, events, a.deadlines, pack, *cal_, as_of);
  a.summary = SummariseCase(case_id, std::move(events));
  return a;
}

}  // namespace carelog
