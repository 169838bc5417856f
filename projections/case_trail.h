// The case trail: what `carelog audit` (and the service's Audit call) shows of
// one case for a deep-dive audit of its practice. Not to be confused with the
// log's tamper evidence (verify, head, prove, check-proof: store/verify.h,
// store/merkle.h), which proves the log unchanged; this shows what the log
// says about one child: every event in effective order with when it happened,
// when it was recorded, who did it in which role, its position in the log,
// the corrections made to it, and the obligations and findings it created or
// met — as the case stood at the end of a date (effective time) and,
// optionally, as it was known at an instant (only what had been recorded by
// then). Pure functions; thread-compatible.
#ifndef CARELOG_PROJECTIONS_CASE_TRAIL_H_
#define CARELOG_PROJECTIONS_CASE_TRAIL_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/settings.pb.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "projections/deadlines.h"

namespace carelog {

struct CaseTrailOptions {
  absl::CivilDay as_of;                // the end of this date, Europe/London
  std::optional<absl::Time> known_at;  // only events recorded at or before
  // Judge every obligation under the pack's newest rules instead of the
  // version in force on its trigger's date.
  bool current_rules = false;
};

// A correction (eventCorrected / eventRetracted) shown beside its original.
struct CaseTrailCorrection {
  v1::Event event;  // the correcting event as recorded
  bool retraction = false;
};

struct CaseTrailEntry {
  v1::Event event;  // as recorded (the original, before any correction)
  absl::CivilDay date;
  int64_t recorded_late_days = 0;        // recorded date - event date
  std::vector<CaseTrailCorrection> corrections;  // made to this event, in log order
  std::string corrects_event_id;             // for a correction: its target
  std::vector<Obligation> created;  // obligations counting from this event
  std::vector<Obligation> met;      // obligations this event met
  std::vector<Finding> findings;    // breaches found at this event
};

// An obligation whose status in the known-at view differs from today's.
struct CaseTrailDifference {
  std::string rule_id, review_id;
  absl::CivilDay due;
  std::string then_status;  // as known at known_at; "-" if it did not exist
  std::string now_status;   // with everything recorded since; "-" if gone
};

// The settings that judged the case and their history, from the settings log
// (projections/settings_log.h; filled by the caller: projections read no store).
struct CaseTrailSettings {
  // The setting that chose the pack: "pack.case.<caseId>", "pack", or ""
  // (neither is set: the built-in default).
  std::string pack_setting;
  // SHA-256 (raw bytes) of the saved bank-holidays file; "" = the built-in
  // calendar.
  std::string calendar_sha256;
  // Every record of the case's own pack, the store default pack and the
  // calendar, in log order (position set).
  std::vector<v1::SettingChanged> changes;
};

struct CaseTrail {
  std::string case_id;
  std::string pack_name;
  CaseTrailOptions options;
  std::vector<CaseTrailEntry> entries;  // effective order
  CaseDeadlines deadlines;          // the fold the entries were built from
  // With known_at: events that happened by as_of but were recorded after
  // known_at (the system did not show them then), and how the obligations
  // differ from today's view.
  std::vector<CaseTrailEntry> not_yet_recorded;
  std::vector<CaseTrailDifference> differences;
  // Shown (text and json) only when `settings.changes` is not empty: a trail
  // of a store whose settings never changed reads as before.
  CaseTrailSettings settings;
  // What each rule's number rests on (policy.proto's Basis), by {pack
  // version, rule id} of the pack the obligations and findings were judged
  // under (with current_rules, its newest rules): shown beside each
  // obligation's and finding's source. A rule not found here shows none.
  std::map<std::pair<int, std::string>, v1::Basis> bases;
};

// The events recorded at or before `known_at` (all of them when unset; an
// event without recordedAt counts as recorded), in the order given: what the
// system showed at that instant. The rest go to `unknown` when given. Pure.
std::vector<v1::Event> RecordedBy(const std::vector<v1::Event>& events,
                                  std::optional<absl::Time> known_at,
                                  std::vector<v1::Event>* unknown = nullptr);

// Builds the trail from all of a case's events (any order; position and
// recordedAt set). Never fails: events the rules cannot use still appear.
CaseTrail BuildCaseTrail(const std::string& case_id, const std::vector<v1::Event>& events,
                           const ResolvedPack& pack, const Calendar& cal,
                           const CaseTrailOptions& options);

// For people: one block per event, corrections beside what they correct.
std::string RenderCaseTrailText(const CaseTrail& trail);
// For programs: one JSON object (see README "Audit trail").
std::string RenderCaseTrailJson(const CaseTrail& trail);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_CASE_TRAIL_H_
