// `carelog export 903 --year YYYY --out DIR`: the SSDA903 tables of a
// collection year.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "projections/ssda903_export.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

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
  for (const Ssda903Table* table : t.All()) {
    const std::string path = out_dir + "/" + table->file;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << table->text;
    if (!f) {
      std::fprintf(stderr, "carelog: cannot write %s\n", path.c_str());
      return 3;
    }
  }
  std::printf(
      "%s: collection year %d-%02d: %llu children, %llu episodes, %llu reviews, %llu social "
      "worker episodes, %llu placed for adoption, %llu previous permanence, %llu OC2\n",
      out_dir.c_str(), year, (year + 1) % 100, static_cast<unsigned long long>(t.children),
      static_cast<unsigned long long>(t.episodes.rows),
      static_cast<unsigned long long>(t.reviews.rows),
      static_cast<unsigned long long>(t.sw_episodes.rows),
      static_cast<unsigned long long>(t.placed_adoption.rows),
      static_cast<unsigned long long>(t.prev_perm.rows), static_cast<unsigned long long>(t.oc2.rows));
  return 0;
}

}  // namespace carelog
