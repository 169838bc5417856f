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
  if (auto it = args.flags.find("known-at"); it != args.flags.end()) {
    absl::Time t;
    std::string err;
    // An instant, or a date meaning the end of that day in London.
    if (absl::ParseTime(absl::RFC3339_full, it->second, &t, &err)) {
      opts.known_at = t;
    } else if (auto day = ParseDate(it->second); day.ok()) {
      opts.known_at = LondonEndOfDay(*day);
    } else {
      std::fprintf(stderr,
                   "carelog: --known-at: bad instant '%s': want RFC 3339 like "
                   "2024-03-01T14:05:00Z, or a date\n",
                   it->second.c_str());
      return 2;
    }
  }
  if (auto it = args.flags.find("as-of"); it != args.flags.end()) {
    auto day = ParseDate(it->second);
    if (!day.ok()) {
      std::fprintf(stderr, "carelog: --as-of: %s\n", std::string(day.status().message()).c_str());
      return 2;
    }
    opts.as_of = *day;
  } else if (opts.known_at.has_value()) {
    opts.as_of = LondonToday(*opts.known_at);
  } else {
    opts.as_of = LondonToday(absl::Now());
  }

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
