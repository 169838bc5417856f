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
