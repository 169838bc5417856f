// The rules of a policy pack as a council's policy officer checks them
// against their procedure (`carelog pack --rules NAME`): for each rule of the
// version in force on a date, what triggers it and when it applies, what
// meets it (or what the finding checks), the number, unit and direction in
// words, what the number rests on (statutory, a council's practice, or a
// carelog default no source gives) and where it comes from. The words are
// read from the rule's fields (policy.proto), so a pack's data is what is
// shown, not a description kept beside it. Pure functions; thread-safe.
#ifndef CARELOG_PROJECTIONS_PACK_RULES_H_
#define CARELOG_PROJECTIONS_PACK_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/policy.pb.h"
#include "engine/policy.h"

namespace carelog {

// "statutory", "practice", "carelog default"; "unspecified" for a rule with
// none (the loader refuses such a pack). `audit` uses the same words.
std::string BasisText(v1::Basis basis);

// One rule in words.
struct PackRuleRow {
  std::string id;
  std::string kind;         // "obligation" or "finding"
  std::string description;  // the pack's own
  std::string trigger;      // obligations: what starts the clock; findings: ""
  std::string applies;      // the conditions, "; "-joined; "" = always
  std::string meets;        // obligations: the act that meets it; findings: the check
  std::string timescale;    // "10 working days before the review", "72 hours after", ...
  v1::Basis basis = v1::BASIS_UNSPECIFIED;
  std::string source_document, source_section;
  const v1::Rule* rule = nullptr;  // the rule shown (lives as long as the pack)
};

// Every rule of `version`, in the pack's order.
std::vector<PackRuleRow> PackRuleRows(const PolicyRuleSet& version);

// The three renderings of the rules of `pack` in force on `on`
// (ResolvedPack::VersionOn). Table: for people, one block per rule. CSV: a
// header line, then one line per rule (RFC 4180). JSON: one object, {"pack",
// "version", "effectiveFrom", "on", "rules": [...]} (README "Commands that
// exist").
std::string RenderPackRulesTable(const ResolvedPack& pack, absl::CivilDay on);
std::string RenderPackRulesCsv(const ResolvedPack& pack, absl::CivilDay on);
std::string RenderPackRulesJson(const ResolvedPack& pack, absl::CivilDay on);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_PACK_RULES_H_
