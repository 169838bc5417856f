// `carelog deadlines` (cli.md, exact) and `carelog pack`.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/calendar.h"
#include "engine/event_log.h"
#include "engine/event_time.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/deadlines_format.h"
#include "store/event_store.h"
#include "tools/case_packs.h"
#include "tools/commands.h"
#include "tools/deadlines_view.h"

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
  auto registry = PolicyRegistry::LoadEmbedded();
  if (!registry.ok()) return ReportError(registry.status());
  std::vector<std::string> cases;
  if (auto it = args.flags.find("case"); it != args.flags.end()) {
    cases.push_back(it->second);
  } else {
    auto streams = (*store)->Streams();
    if (!streams.ok()) return ReportError(streams.status());
    cases = std::move(*streams);
  }
  CasePacks packs(store->get(), &*registry);
  auto store_cal = StoreCalendar(store->get());
  if (!store_cal.ok()) return ReportError(store_cal.status());
  const Calendar& cal = *store_cal;
  // Each case from its checkpoint when current (tools/deadlines_view.h),
  // else folded from the log; --no-checkpoints folds every case (a replay).
  const DeadlinesView view(store->get(), &cal);
  DeadlinesView::Options options;
  options.use_checkpoints = args.flags.count("no-checkpoints") == 0;
  options.with_findings = false;  // this command shows obligations only
  std::string out;
  bool first = true;
  if (format == "json") out = "[";
  if (format == "csv") AppendDeadlinesCsvHeader(&out);
  DeadlinesTable table(as_of, cal);  // keeps only the rows it shows

  // Cases are independent folds: they run on every core, a window of cases at
  // a time, and are written in case order, so the output is the same bytes as
  // a single loop's. Packs are resolved first, in order (CasePacks is not
  // thread-safe); the view is.
  struct Slot {
    const ResolvedPack* pack = nullptr;
    absl::Status status;
    bool empty = false;
    std::string text;       // json / csv
    CaseDeadlines table;    // table
  };
  const size_t window = 512;
  const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<Slot> slots;
  for (size_t base = 0; base < cases.size(); base += window) {
    const size_t count = std::min(window, cases.size() - base);
    slots.assign(count, Slot());
    for (size_t i = 0; i < count; ++i) {
      auto pack = packs.For(cases[base + i]);
      if (!pack.ok()) return ReportError(pack.status());
      slots[i].pack = *pack;
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < count;) {
        Slot& slot = slots[i];
        const std::string& id = cases[base + i];
        auto answer = view.Get(id, *slot.pack, as_of, options);
        if (!answer.ok()) {
          slot.status = answer.status();
          continue;
        }
        slot.empty = answer->case_version == 0;
        CaseDeadlines d = std::move(answer->deadlines);
        if (format == "json") {
          bool case_first = true;
          AppendDeadlinesJson(d, &slot.text, &case_first);
        } else if (format == "csv") {
          AppendDeadlinesCsv(d, &slot.text);
        } else {
          slot.table = std::move(d);
        }
      }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads && t < count; ++t) helpers.emplace_back(work);
    work();
    for (auto& t : helpers) t.join();
    for (size_t i = 0; i < count; ++i) {
      Slot& slot = slots[i];
      if (!slot.status.ok()) return ReportError(slot.status);
      if (slot.empty && args.flags.count("case")) {
        return ReportError(
            absl::NotFoundError(absl::StrCat("no case '", cases[base + i], "' in the store")));
      }
      if (format == "json") {
        if (!slot.text.empty()) {
          if (!first) out.push_back(',');
          first = false;
          out.append(slot.text);
        }
      } else if (format == "csv") {
        out.append(slot.text);
      } else {
        table.Add(slot.table);
        slot.table = CaseDeadlines();
      }
      if (out.size() > (1 << 20)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
  }
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
