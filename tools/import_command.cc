// `carelog import FILE`: append NDJSON events, all or nothing.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/importer.h"
#include "projections/escape.h"
#include "store/event_store.h"
#include "store/logging.h"
#include "tools/commands.h"

namespace carelog {

int RunImport(const Args& args) {
  if (args.positional.size() != 1) return UsageError("import needs exactly one FILE (or -)");
  const std::string& file = args.positional[0];
  std::ifstream f;
  std::istream* in = &std::cin;
  if (file != "-") {
    f.open(file, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "carelog: cannot open %s\n", file.c_str());
      return 1;
    }
    in = &f;
  }
  StoreOptions so = CliStoreOptions();
  so.block_cache_bytes = kWholeStorePassCacheBytes;
  auto store = EventStore::Open(StoreDir(args), so);
  if (!store.ok()) return ReportError(store.status());
  const std::string name = file == "-" ? "-" : file;
  const bool tty = isatty(STDERR_FILENO) != 0;
  ImportOptions opts;
  if (file != "-") {
    std::error_code ec;
    const uintmax_t bytes = std::filesystem::file_size(file, ec);
    // Events of the public contract take 150-400 bytes a line.
    if (!ec) opts.expected_lines = bytes / 150;
  }
  opts.on_refused = [&](uint64_t line, const absl::Status& s) {
    // Reasons quote the input, which may hold escape sequences.
    std::fprintf(stderr, "%s:%llu: %s\n", name.c_str(), static_cast<unsigned long long>(line),
                 TerminalSafe(std::string(s.message())).c_str());
  };
  // Lines are checked while earlier groups are written: one line shows both.
  uint64_t checked = 0, written = 0;
  if (tty) {
    opts.on_progress = [&checked, &written](std::string_view phase, uint64_t n) {
      (phase == "written" ? written : checked) = n;
      std::fprintf(stderr, "\rchecked %llu lines, written %llu events...",
                   static_cast<unsigned long long>(checked),
                   static_cast<unsigned long long>(written));
    };
  }
  LOG_INFO(absl::StrCat("import: ", name, " into ", StoreDir(args), " (",
                        (*store)->LastPosition(), " events before)"));
  auto report = ImportNdjson(store->get(), *in, opts);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) {
    LOG_ERROR(absl::StrCat("import: ", name, " failed: ", report.status().message()));
    return ReportError(report.status());
  }
  // Counts only: refusal reasons quote the input, which may hold personal data.
  LOG_INFO(absl::StrCat("import: ", name, ": ", report->lines, " lines, ", report->events,
                        " events, ", report->refused, " refused, ", report->appended,
                        " appended, ", report->already_present, " already present",
                        report->appended > 0 ? absl::StrCat(", positions ", report->first_position,
                                                            "-", report->last_position)
                                             : ""));
  if (report->refused > 0) {
    std::fprintf(stderr, "%s: %llu of %llu lines refused; nothing appended\n", name.c_str(),
                 static_cast<unsigned long long>(report->refused),
                 static_cast<unsigned long long>(report->events));
    return 1;
  }
  std::printf("%s: %llu events: %llu appended, %llu already present", name.c_str(),
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->appended),
              static_cast<unsigned long long>(report->already_present));
  if (report->appended > 0) {
    std::printf(" (positions %llu-%llu)", static_cast<unsigned long long>(report->first_position),
                static_cast<unsigned long long>(report->last_position));
  }
  std::printf("\n");
  if (report->appended > 0) return CatchUpCheckpointsAfterAppend(store->get());
  return 0;
}

}  // namespace carelog
