#include "projections/rule_index.h"

namespace carelog {
namespace {

const std::vector<const v1::Rule*>& NoRules() {
  static const auto* none = new std::vector<const v1::Rule*>();
  return *none;
}

VersionRuleIndex IndexVersion(const PolicyRuleSet& v) {
  VersionRuleIndex index;
  index.version = &v;
  index.obligations_by_trigger.resize(v1::Trigger_ARRAYSIZE);
  index.findings_by_check.resize(v1::Check_ARRAYSIZE);
  for (const v1::Rule& r : v.rules) {
    if (r.kind() == v1::FINDING) {
      if (r.check() >= 0 && r.check() < v1::Check_ARRAYSIZE)
        index.findings_by_check[r.check()].push_back(&r);
      continue;
    }
    if (r.kind() != v1::OBLIGATION) continue;
    if (r.trigger() >= 0 && r.trigger() < v1::Trigger_ARRAYSIZE)
      index.obligations_by_trigger[r.trigger()].push_back(&r);
    if (r.trigger() == v1::FIRST_REVIEW_HELD || r.trigger() == v1::LATER_REVIEW_HELD ||
        r.trigger() == v1::REVIEW_HELD)
      index.review_held.push_back(&r);
    if (r.trigger() == v1::EVENT) index.by_event[r.trigger_event()].push_back(&r);
  }
  return index;
}

}  // namespace

const std::vector<const v1::Rule*>& VersionRuleIndex::Obligations(v1::Trigger trigger) const {
  if (trigger < 0 || static_cast<size_t>(trigger) >= obligations_by_trigger.size())
    return NoRules();
  return obligations_by_trigger[trigger];
}

const std::vector<const v1::Rule*>& VersionRuleIndex::Findings(v1::Check check) const {
  if (check < 0 || static_cast<size_t>(check) >= findings_by_check.size()) return NoRules();
  return findings_by_check[check];
}

const std::vector<const v1::Rule*>& VersionRuleIndex::TriggeredBy(std::string_view type) const {
  if (by_event.empty()) return NoRules();
  auto it = by_event.find(type);
  return it == by_event.end() ? NoRules() : it->second;
}

RuleIndex::RuleIndex(const ResolvedPack& pack) : pack_(&pack) {
  versions_.reserve(pack.versions.size());
  for (const PolicyRuleSet& v : pack.versions) versions_.push_back(IndexVersion(v));
}

const VersionRuleIndex& RuleIndex::On(absl::CivilDay day) const {
  // The same choice as ResolvedPack::VersionOn, without searching twice.
  size_t best = 0;
  for (size_t i = 0; i < pack_->versions.size(); ++i) {
    if (pack_->versions[i].effective_from <= day) best = i;
  }
  return versions_[best];
}

}  // namespace carelog
