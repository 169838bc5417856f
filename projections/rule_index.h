// The rules of a pack grouped the way the deadlines fold asks for them: per
// version, the obligation rules by trigger, the finding rules by check, and
// the EVENT rules by the event type that triggers them. The fold used to
// loop over every rule of the version in force for every question it asked
// of an event (a replay asks several per event); with the groups it visits
// only the rules that can answer. Each group keeps the pack's order, which
// is the order obligations open and findings are recorded in.
#ifndef CARELOG_PROJECTIONS_RULE_INDEX_H_
#define CARELOG_PROJECTIONS_RULE_INDEX_H_

#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "carelog/v1/policy.pb.h"
#include "engine/policy.h"

namespace carelog {

// One version's rules, grouped. Pointers into the version's rules.
struct VersionRuleIndex {
  const PolicyRuleSet* version = nullptr;
  // OBLIGATION rules of each Trigger, in pack order.
  std::vector<std::vector<const v1::Rule*>> obligations_by_trigger;
  // FINDING rules of each Check, in pack order.
  std::vector<std::vector<const v1::Rule*>> findings_by_check;
  // OBLIGATION rules triggered by a review held (FIRST_REVIEW_HELD,
  // LATER_REVIEW_HELD and REVIEW_HELD together), in pack order: the fold
  // opens them in one pass, so their relative order is the pack's.
  std::vector<const v1::Rule*> review_held;
  // OBLIGATION rules of trigger EVENT, by trigger_event, in pack order.
  absl::flat_hash_map<std::string_view, std::vector<const v1::Rule*>> by_event;

  // The OBLIGATION rules of `trigger` (none for a value out of range).
  const std::vector<const v1::Rule*>& Obligations(v1::Trigger trigger) const;
  // The FINDING rules of `check` (none for a value out of range).
  const std::vector<const v1::Rule*>& Findings(v1::Check check) const;
  // The EVENT-triggered OBLIGATION rules of event type `type` (e.g.
  // "childCeasedLookedAfter"); none when no rule names it.
  const std::vector<const v1::Rule*>& TriggeredBy(std::string_view type) const;
};

// Every version of a pack, grouped. Holds pointers into `pack`, which must
// outlive it. Immutable once built; safe to share between threads.
class RuleIndex {
 public:
  explicit RuleIndex(const ResolvedPack& pack);
  RuleIndex(const RuleIndex&) = delete;
  RuleIndex& operator=(const RuleIndex&) = delete;

  const ResolvedPack& pack() const { return *pack_; }
  // The groups of pack().VersionOn(day): the version in force on `day`, the
  // earliest for days before any.
  const VersionRuleIndex& On(absl::CivilDay day) const;

 private:
  const ResolvedPack* pack_;
  std::vector<VersionRuleIndex> versions_;  // parallel to pack_->versions
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_RULE_INDEX_H_
