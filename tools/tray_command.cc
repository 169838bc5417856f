// `carelog tray [--as-of DATE] [--days N] [--iro ID] [--team NAME]
//   [--rule RULE] [--pack NAME] [--sort due|-due] [--format table|csv|json]`:
// the IRO manager's work tray (projections/work_tray.h) — the query and the
// rendering live below; this parses.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "projections/views/queries.h"
#include "projections/work_tray.h"
#include "tools/commands.h"

namespace carelog {

int RunTray(const Args& args) {
  if (!args.positional.empty()) return UsageError("tray takes no positional arguments");
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "csv" && format != "json") {
    return UsageError("--format must be table, csv or json");
  }
  WorkTrayFilter filter;
  if (auto it = args.flags.find("iro"); it != args.flags.end()) filter.iro = it->second;
  if (auto it = args.flags.find("team"); it != args.flags.end()) filter.team = it->second;
  if (auto it = args.flags.find("rule"); it != args.flags.end()) filter.rule = it->second;
  if (auto it = args.flags.find("pack"); it != args.flags.end()) filter.pack = it->second;
  if (auto it = args.flags.find("sort"); it != args.flags.end()) {
    if (it->second == "due") {
      filter.sort = WorkTraySort::kDueEarliestFirst;
    } else if (it->second == "-due") {
      filter.sort = WorkTraySort::kDueLatestFirst;
    } else {
      return UsageError("--sort must be due (earliest first) or -due (latest first)");
    }
  }
  int days = kWorkTrayDefaultWorkingDays;
  if (auto it = args.flags.find("days"); it != args.flags.end()) {
    if (!absl::SimpleAtoi(it->second, &days) || days < 1 || days > kWorkTrayMaxWorkingDays) {
      return UsageError(absl::StrCat("--days must be a whole number of working days from 1 to ",
                                     kWorkTrayMaxWorkingDays, ", not '", it->second, "'"));
    }
  }
  absl::CivilDay as_of;
  std::optional<absl::Time> no_known_at;  // the tray takes no --known-at
  if (!ParseAsOfAndKnownAt(args, &as_of, &no_known_at)) return 2;

  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto tray = (*queries)->WorkTray(as_of, filter, days);
  if (!tray.ok()) return ReportError(tray.status());
  const std::string out = format == "json"  ? RenderWorkTrayJson(*tray)
                          : format == "csv" ? RenderWorkTrayCsv(*tray)
                                            : RenderWorkTrayTable(*tray);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
