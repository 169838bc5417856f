// `carelog import-903 DIR [--skip-invalid]` and `carelog export 903 --year YYYY --out DIR`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "engine/ssda903_import.h"
#include "projections/ssda903_export.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

int RunImport903(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "carelog: import-903 needs exactly one DIR\n");
    return 2;
  }
  const std::string dir = args.positional[0];
  if (!std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "carelog: %s is not a directory\n", dir.c_str());
    return 1;
  }
  auto store = EventStore::Open(StoreDir(args));
  if (!store.ok()) return ReportError(store.status());
  Import903Options opts;
  opts.skip_invalid = args.flags.count("skip-invalid") > 0;
  opts.on_refused = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
  const auto t0 = std::chrono::steady_clock::now();
  auto report = Import903(store->get(), dir, opts);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!report.ok()) return ReportError(report.status());
  const uint64_t rows = report->rows[0] + report->rows[1] + report->rows[2];
  if (report->refused > 0 && !opts.skip_invalid) {
    std::fprintf(stderr, "%s: %llu of %llu rows refused; nothing appended (--skip-invalid imports the rest)\n",
                 dir.c_str(), static_cast<unsigned long long>(report->refused),
                 static_cast<unsigned long long>(rows));
    return 1;
  }
  std::printf(
      "%s: header %llu/%llu, episodes %llu/%llu, reviews %llu/%llu rows accepted; %llu refused; "
      "%llu events: %llu appended, %llu already present; %.2f s (%.0f rows/s)\n",
      dir.c_str(), static_cast<unsigned long long>(report->accepted[0]),
      static_cast<unsigned long long>(report->rows[0]),
      static_cast<unsigned long long>(report->accepted[1]),
      static_cast<unsigned long long>(report->rows[1]),
      static_cast<unsigned long long>(report->accepted[2]),
      static_cast<unsigned long long>(report->rows[2]),
      static_cast<unsigned long long>(report->refused),
      static_cast<unsigned long long>(report->events),
      static_cast<unsigned long long>(report->appended),
      static_cast<unsigned long long>(report->already_present), secs,
      secs > 0 ? rows / secs : 0.0);
  if (report->appended > 0) return CatchUpCheckpointsAfterAppend(store->get());
  return 0;
}

int RunExport(const Args& args) {
  if (args.positional.size() != 1 || args.positional[0] != "903") {
    std::fprintf(stderr, "carelog: usage: export 903 --year YYYY --out DIR\n");
    return 2;
  }
  int year = 0;
  if (!args.flags.count("year") || !absl::SimpleAtoi(args.flags.at("year"), &year) ||
      year < 1990 || year > 2100) {
    std::fprintf(stderr, "carelog: export 903 needs --year YYYY (the collection year starting 1 April)\n");
    return 2;
  }
  if (!args.flags.count("out")) {
    std::fprintf(stderr, "carelog: export 903 needs --out DIR\n");
    return 2;
  }
  const std::string out_dir = args.flags.at("out");
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  EventLog log(store->get(), SystemClock());
  auto streams = (*store)->Streams();
  if (!streams.ok()) return ReportError(streams.status());
  Ssda903Tables t = Start903Tables();
  for (const std::string& id : *streams) {
    auto events = log.ReadCase(id);
    if (!events.ok()) return ReportError(events.status());
    Append903Case(id, std::move(*events), year, &t);
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  for (const auto& [name, text] : {std::pair<const char*, const std::string*>{"header.csv", &t.header},
                                   {"episodes.csv", &t.episodes},
                                   {"reviews.csv", &t.reviews}}) {
    const std::string path = out_dir + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << *text;
    if (!f) {
      std::fprintf(stderr, "carelog: cannot write %s\n", path.c_str());
      return 3;
    }
  }
  std::printf("%s: collection year %d-%02d: %llu children, %llu episodes, %llu reviews\n",
              out_dir.c_str(), year, (year + 1) % 100,
              static_cast<unsigned long long>(t.children),
              static_cast<unsigned long long>(t.episode_rows),
              static_cast<unsigned long long>(t.review_rows));
  return 0;
}

}  // namespace carelog
