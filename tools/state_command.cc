// `carelog state --case ID [--as-of DATE] [--known-at INSTANT]
//   [--format text|json]`: the child's care-plan state and its history.
//
// Like `audit`, a local read by the operator of the store (opened read-only):
// the access log records the service's reads (tools/service/), not these.
#include <cstdio>
#include <string>

#include "projections/care_plan_state_format.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunState(const Args& args) {
  auto it = args.flags.find("case");
  const std::string case_id = it == args.flags.end() ? "" : it->second;
  if (case_id.empty() || !args.positional.empty()) return UsageError("state needs --case ID");
  it = args.flags.find("format");
  const std::string format = it == args.flags.end() ? "text" : it->second;
  if (format != "text" && format != "json") return UsageError("--format must be text or json");
  absl::CivilDay as_of;
  std::optional<absl::Time> known_at;
  if (!ParseAsOfAndKnownAt(args, &as_of, &known_at)) return 2;

  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto state = (*queries)->State(case_id, as_of, known_at);
  if (!state.ok()) return ReportError(state.status());
  const std::string out = format == "json" ? RenderCarePlanStateJson(*state) : RenderCarePlanStateText(*state);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
