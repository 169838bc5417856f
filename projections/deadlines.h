// The deadlines projection: a pure fold of one case's events, in effective
// order, to its obligations and findings as they stood at the end of a date
// (rules.md "Conventions", "Core England rules", "Findings").
#ifndef CARELOG_PROJECTIONS_DEADLINES_H_
#define CARELOG_PROJECTIONS_DEADLINES_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"

namespace carelog {

class RuleIndex;  // projections/rule_index.h

enum class ObligationStatus { kOpen, kMet, kMetLate, kOverdue, kClosed };

// "OPEN", "MET", "MET_LATE", "OVERDUE", "CLOSED" (cli.md, exact).
std::string_view ObligationStatusName(ObligationStatus s);

struct Obligation {
  std::string case_id;
  std::string rule_id;
  std::string review_id;  // empty unless the rule is about one review
  absl::CivilDay due;
  // HOURS rules only: the instant it is due by (`due` is its London date).
  std::optional<absl::Time> due_at;
  ObligationStatus status = ObligationStatus::kOpen;
  std::optional<absl::CivilDay> met_on;
  // When it stopped applying unmet (period ended, review finished/re-dated).
  std::optional<absl::CivilDay> closed_on;
  std::string source_document, source_section;
  uint64_t trigger_position = 0;  // the event it counts from
  std::optional<uint64_t> met_by_position;
  int pack_version = 0;  // PolicyRuleSet::number in force on the trigger date
  // A BEFORE rule whose counted due date fell before the booking that made it
  // (Rule.short_notice DUE_BEFORE_REVIEW): `due` is then the day before the
  // review, and the QA report counts the row apart from late tasks.
  bool short_notice = false;
};

struct Finding {
  std::string case_id;
  std::string rule_id;
  std::string review_id;
  std::string detail;  // for people, e.g. "approved by TEAM_MANAGER"
  absl::CivilDay on;   // date of the event found wanting
  uint64_t position = 0;
  std::string source_document, source_section;
  int pack_version = 0;
};

struct CaseDeadlines {
  std::string case_id;
  Division division = Division::kEnglandAndWales;  // the pack's
  std::vector<Obligation> obligations;  // in the order they arose
  std::vector<Finding> findings;        // in effective order
  // The latest (Europe/London) date among the events folded; unset when none
  // was. A fold as of any later date differs only in OPEN vs OVERDUE (see
  // RestateAt), which is what lets a checkpoint stand for every later day.
  std::optional<absl::CivilDay> last_event_day;
};

// Bump when FoldDeadlines' output changes for the same events, pack and
// calendar (a rule's meaning, a decision in the fold): checkpoints carry it in
// their fingerprint, so one written by an older fold is rebuilt, not trusted.
inline constexpr int kDeadlinesFoldVersion = 2;

// The as-of date that includes every event: a fold as of it is the fold of
// the whole history, from which RestateAt gives any later view.
inline constexpr absl::CivilDay kEndOfTime = absl::CivilDay(9999, 12, 31);

// The corrections pre-pass: drops every event retracted by an eventRetracted
// (by eventId; a retraction that is itself retracted does not apply), applies
// every eventCorrected in log-position order (the replacement's payload, and
// its occurredAt if set, replace the original's; the original keeps its ids
// and position), and drops the retraction and correction events themselves.
// Corrections of unknown or retracted events are ignored. Pure; any order in,
// log-position order out.
std::vector<carelog::v1::Event> ApplyCorrections(std::vector<carelog::v1::Event> events);
// The same over events the caller keeps, which are not copied: the result
// points at them, in the same order as ApplyCorrections', except that an
// event a correction changes is first copied into `*corrected` (whose
// elements never move) and the result points at the copy.
std::vector<const carelog::v1::Event*> ApplyCorrectionsByPointer(
    std::vector<const carelog::v1::Event*> events, std::deque<carelog::v1::Event>* corrected);

// Folds one case's events (any order; each has `position` set) to its
// obligations and findings at the end of `as_of`: events dated (Europe/London)
// after `as_of` are left out. Corrections are applied first (whatever their
// own date). Each obligation is judged under the pack version in force on its
// trigger's date. Deterministic and pure: no I/O, no clock; never fails
// (events the rules cannot use are skipped). Safe from any thread.
CaseDeadlines FoldDeadlines(std::string_view case_id, std::vector<carelog::v1::Event> events,
                            const ResolvedPack& pack, const Calendar& cal, absl::CivilDay as_of);

// What a fold works out beyond the obligations.
struct FoldOptions {
  // false: no findings (CaseDeadlines::findings stays empty), for readers of
  // obligations only; the obligations are the same either way.
  bool findings = true;
};

// FoldDeadlines under the pack `rules` was built from (rule_index.h), which
// a caller folding many cases builds once; the same result.
CaseDeadlines FoldDeadlines(std::string_view case_id, std::vector<carelog::v1::Event> events,
                            const RuleIndex& rules, const Calendar& cal, absl::CivilDay as_of,
                            const FoldOptions& options);

// The same fold of events the caller keeps (e.g. parsed onto an arena that
// is reused from case to case): nothing is copied unless the case has
// corrections or retractions to apply. The events must outlive the call
// only; the result refers to none of them.
CaseDeadlines FoldDeadlines(std::string_view case_id,
                            absl::Span<const carelog::v1::Event* const> events,
                            const RuleIndex& rules, const Calendar& cal, absl::CivilDay as_of,
                            const FoldOptions& options);

// Re-judges, as of the end of `as_of`, every obligation neither met nor
// closed (OPEN, or OVERDUE once as_of is past its due date); met and closed
// ones do not depend on the date. For d = FoldDeadlines(..., X) and any
// as_of >= d.last_event_day (or any as_of when unset) with as_of <= X,
// RestateAt(&d, as_of) leaves d equal to FoldDeadlines(..., as_of).
void RestateAt(CaseDeadlines* d, absl::CivilDay as_of);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_DEADLINES_H_
