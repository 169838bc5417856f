// `carelog cases [--as-of DATE] [--iro ID] [--team NAME] [--looked-after yes|no]
//   [--overdue] [--format table|csv|json]`: the case list (projections/
// cases_list.h) — the query and the rendering live below; this parses. The
// table ends with the erased cases, each named by its erasure.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "projections/cases_list.h"
#include "projections/erasure.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunCases(const Args& args) {
  if (!args.positional.empty()) return UsageError("cases takes no positional arguments");
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "csv" && format != "json") {
    return UsageError("--format must be table, csv or json");
  }
  CaseListFilter filter;
  if (auto it = args.flags.find("iro"); it != args.flags.end()) filter.iro = it->second;
  if (auto it = args.flags.find("team"); it != args.flags.end()) filter.team = it->second;
  if (auto it = args.flags.find("looked-after"); it != args.flags.end()) {
    if (it->second != "yes" && it->second != "no") {
      return UsageError("--looked-after must be yes or no");
    }
    filter.looked_after = it->second == "yes";
  }
  filter.overdue_only = args.flags.count("overdue") > 0;
  absl::CivilDay as_of;
  std::optional<absl::Time> no_known_at;  // cases takes no --known-at
  if (!ParseAsOfAndKnownAt(args, &as_of, &no_known_at)) return 2;

  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto rows = (*queries)->CaseList(as_of, filter);
  if (!rows.ok()) return ReportError(rows.status());
  std::string out = format == "json"  ? RenderCaseListJson(*rows)
                    : format == "csv" ? RenderCaseListCsv(*rows)
                                      : RenderCaseListTable(*rows);
  // Erased cases are in no row (nothing of them can be read); the table
  // names each with its erasure, the other formats list rows only.
  if (format == "table") {
    auto erasures = (*queries)->Erasures();
    if (!erasures.ok()) return ReportError(erasures.status());
    if (!erasures->empty()) absl::StrAppend(&out, "\n", RenderErasuresTable(*erasures));
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
