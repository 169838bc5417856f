// `carelog import-903 [--skip-invalid] DIR`: the SSDA903 Header, Episodes
// and Reviews CSVs as events.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/ssda903_import.h"
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
  auto store = EventStore::Open(StoreDir(args), CliStoreOptions());
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

}  // namespace carelog
