// `carelog deadlines` (cli.md, exact).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/event_time.h"
#include "projections/deadlines_format.h"
#include "projections/erasure.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

int RunDeadlines(const Args& args) {
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "json" && format != "csv" && format != "table") {
    std::fprintf(stderr, "carelog: --format must be json, csv or table\n");
    return 2;
  }
  absl::CivilDay as_of = LondonToday(absl::Now());
  if (auto it = args.flags.find("as-of"); it != args.flags.end()) {
    auto day = ParseDate(it->second);
    if (!day.ok()) {
      std::fprintf(stderr, "carelog: --as-of: %s\n", std::string(day.status().message()).c_str());
      return 2;
    }
    as_of = *day;
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  DeadlinesQuery query;
  if (auto it = args.flags.find("case"); it != args.flags.end()) query.case_id = it->second;
  query.as_of = as_of;
  // Each case from its checkpoint when current (projections/views/
  // deadlines_view.h), else folded from the log; --no-checkpoints folds
  // every case (a replay).
  query.use_checkpoints = args.flags.count("no-checkpoints") == 0;
  auto calendar = (*queries)->CurrentCalendar();
  if (!calendar.ok()) return ReportError(calendar.status());
  std::string out;
  DeadlinesJsonJoin json;
  if (format == "json") out = "[";
  if (format == "csv") AppendDeadlinesCsvHeader(&out);
  DeadlinesTable table(as_of, (*calendar)->calendar);  // keeps only the rows it shows
  // Rendered on the query's worker threads; written in case order.
  // Once rendered, a case's obligations are freed here, on the worker, not
  // kept for the writing thread to free (~15% of a whole-store query).
  auto render = [&](CaseDeadlinesAnswer& a) {
    if (format == "json") {
      a.text = DeadlinesJsonJoin::CaseText(a.deadlines);
      a.deadlines = CaseDeadlines();
    } else if (format == "csv") {
      AppendDeadlinesCsv(a.deadlines, &a.text);
      a.deadlines = CaseDeadlines();
    }
  };
  auto write = [&](CaseDeadlinesAnswer& a) {
    if (format == "json") {
      json.Add(a.text, &out);
    } else if (format == "csv") {
      out.append(a.text);
    } else {
      table.Add(a.deadlines);
    }
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    return absl::OkStatus();
  };
  if (absl::Status s = (*queries)->Deadlines(query, render, write); !s.ok()) return ReportError(s);
  if (format == "json") absl::StrAppend(&out, "]\n");
  if (format == "table") {
    out = table.Render();
    // Erased cases have no obligations to show: the table names them.
    if (!query.case_id.has_value()) {
      auto erasures = (*queries)->Erasures();
      if (!erasures.ok()) return ReportError(erasures.status());
      if (!erasures->empty()) absl::StrAppend(&out, "\n", RenderErasuresTable(*erasures));
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
