// `carelog deadlines` (cli.md, exact) and `carelog pack`.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/event_time.h"
#include "engine/policy.h"
#include "projections/deadlines_format.h"
#include "projections/views/case_packs.h"
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
  auto render = [&](CaseDeadlinesAnswer& a) {
    if (format == "json") {
      a.text = DeadlinesJsonJoin::CaseText(a.deadlines);
    } else if (format == "csv") {
      AppendDeadlinesCsv(a.deadlines, &a.text);
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
  if (format == "table") out = table.Render();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunPack(const Args& args) {
  auto store = EventStore::Open(StoreDir(args));
  if (!store.ok()) return ReportError(store.status());
  auto registry = PolicyRegistry::LoadEmbedded();
  if (!registry.ok()) return ReportError(registry.status());
  CasePacks packs(store->get(), &*registry);
  const auto case_it = args.flags.find("case");
  const std::string case_id = case_it == args.flags.end() ? "" : case_it->second;
  if (args.positional.size() > 1) {
    std::fprintf(stderr, "carelog: pack takes at most one NAME\n");
    return 2;
  }
  if (args.positional.size() == 1) {
    auto change = packs.Set(case_id, args.positional[0], CliActor());
    if (!change.ok()) return ReportError(change.status());
    std::printf("recorded at position %llu of the settings log (by %s)\n",
                static_cast<unsigned long long>(change->position()),
                change->changed_by().c_str());
  }
  auto name = packs.NameFor(case_id);
  if (!name.ok()) return ReportError(name.status());
  std::printf("%s%s\n", case_id.empty() ? "store default: " : absl::StrCat(case_id, ": ").c_str(),
              name->c_str());
  std::printf("available: %s\n", absl::StrJoin(registry->Names(), ", ").c_str());
  return 0;
}

}  // namespace carelog
