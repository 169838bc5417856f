// Retention of a case record: from when the law allows it to be destroyed.
// A pack's RecordRetention (engine/packs, proto/carelog/v1/policy.proto)
// says how long; the case's events say from what: the child's date of birth
// (childRegistered / childAccommodated dateOfBirth, as corrected) and death
// (childDied, dated by its occurredAt).
//
// Conventions (decided here; the regulations are silent on them):
// - "kept until the Nth anniversary of the date of birth" and "for a period
//   of N years beginning with the date of death" both end the day before
//   that anniversary, so the record may be destroyed from the anniversary
//   itself (`destroy_from`);
// - the anniversary of 29 February in a year without one is 1 March (the
//   later of the two candidate days: a record is never destroyed early);
// - a child "died before attaining the age of 18" when the death falls
//   before the 18th anniversary of the birth;
// - the latest date of birth (in effective order) wins, as in the care-plan
//   state; so does the latest childDied;
// - without a date of birth the period cannot be worked out (not even for a
//   child who died: whether before 18 decides which rule applies), and the
//   case is reported as such, never as due.
#ifndef CARELOG_PROJECTIONS_RETENTION_H_
#define CARELOG_PROJECTIONS_RETENTION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/events.pb.h"
#include "carelog/v1/policy.pb.h"

namespace carelog {

struct CaseRetention {
  enum class Basis {
    kBirth,    // the anniversary of the date of birth
    kDeath,    // years beginning with the date of death (died before the age)
    kUnknown,  // no date of birth recorded, or no retention rule in the pack
  };
  std::string case_id;
  std::string pack;
  std::optional<absl::CivilDay> date_of_birth;
  std::optional<absl::CivilDay> date_of_death;
  Basis basis = Basis::kUnknown;
  std::optional<absl::CivilDay> destroy_from;  // set unless kUnknown
  std::string rule_id;      // the pack's retention id ("" when none)
  std::string rule_text;    // what the rule says, for a reader
  std::string source;       // "document, section"
  std::string why_unknown;  // for kUnknown: what is missing

  // True when the retention period has ended by the end of `as_of`.
  bool EndedBy(absl::CivilDay as_of) const {
    return destroy_from.has_value() && *destroy_from <= as_of;
  }
};

// "birth", "death" or "unknown".
const char* BasisName(CaseRetention::Basis basis);

// `day` plus `years` years; 29 February onto a year without one is 1 March.
absl::CivilDay AddYears(absl::CivilDay day, int years);

// Works out the case's retention from its events (any order, as read from
// the log: corrections and retractions are applied) under `rule` (nullptr:
// the pack has none, kUnknown). Pure; thread-compatible.
CaseRetention WorkOutRetention(std::string case_id, std::string pack,
                               const std::vector<v1::Event>& events,
                               const v1::RecordRetention* rule);

// Renderings of `carelog retention`. `cases` are the rows to list (the
// caller has filtered them), `unknown` those whose period cannot be worked
// out. The table ends with a line counting both; the JSON is
// {"asOf", "cases": [...], "unknown": [...]} with dates as YYYY-MM-DD.
std::string RenderRetentionTable(const std::vector<CaseRetention>& cases,
                                 const std::vector<CaseRetention>& unknown, absl::CivilDay as_of,
                                 bool all);
std::string RenderRetentionJson(const std::vector<CaseRetention>& cases,
                                const std::vector<CaseRetention>& unknown, absl::CivilDay as_of);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_RETENTION_H_
