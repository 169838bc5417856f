// `carelog audit --case ID [--as-of DATE] [--known-at INSTANT]
//   [--rules in-force|current] [--format text|json]`.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/event_time.h"
#include "projections/case_trail.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunAudit(const Args& args) {
  auto flag = [&](const char* name, const std::string& dflt) {
    auto it = args.flags.find(name);
    return it == args.flags.end() ? dflt : it->second;
  };
  const std::string case_id = flag("case", "");
  if (case_id.empty() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: audit needs --case ID\n");
    return 2;
  }
  const std::string format = flag("format", "text");
  const std::string rules = flag("rules", "in-force");
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "carelog: --format must be text or json\n");
    return 2;
  }
  if (rules != "in-force" && rules != "current") {
    std::fprintf(stderr, "carelog: --rules must be in-force or current\n");
    return 2;
  }
  CaseTrailOptions opts;
  opts.current_rules = rules == "current";
  if (!ParseAsOfAndKnownAt(args, &opts.as_of, &opts.known_at)) return 2;

  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto trail = (*queries)->Audit(case_id, opts);
  if (!trail.ok()) return ReportError(trail.status());
  const std::string out = format == "json" ? RenderCaseTrailJson(*trail) : RenderCaseTrailText(*trail);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
