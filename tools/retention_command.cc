// `carelog retention [--as-of DATE] [--all] [--format table|json]`: the cases
// whose retention period had ended by the end of DATE (default today), each
// with its date of birth and death, the rule and its source; --all lists
// every case. Cases whose period cannot be worked out (no date of birth) are
// always listed apart, never as due. The rule and its conventions live in
// projections/retention.h; this parses and prints.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "projections/retention.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunRetention(const Args& args) {
  if (!args.positional.empty()) return UsageError("retention takes no positional arguments");
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "json") return UsageError("--format must be table or json");
  const bool all = args.flags.count("all") > 0;
  absl::CivilDay as_of;
  std::optional<absl::Time> no_known_at;  // retention takes no --known-at
  if (!ParseAsOfAndKnownAt(args, &as_of, &no_known_at)) return 2;

  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto every = (*queries)->Retention();
  if (!every.ok()) return ReportError(every.status());
  std::vector<CaseRetention> listed, unknown;
  for (CaseRetention& r : *every) {
    if (r.basis == CaseRetention::Basis::kUnknown) {
      unknown.push_back(std::move(r));
    } else if (all || r.EndedBy(as_of)) {
      listed.push_back(std::move(r));
    }
  }
  const std::string out = format == "json" ? RenderRetentionJson(listed, unknown, as_of)
                                           : RenderRetentionTable(listed, unknown, as_of, all);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
