// `carelog export 903 --year YYYY --out DIR`: the SSDA903 tables of a
// collection year; `--check` instead lists what the return lacks and the
// events that would supply it (exit 1 when anything does).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/code_lists.h"
#include "projections/ssda903_check.h"
#include "projections/ssda903_export.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

int RunExport(const Args& args) {
  if (args.positional.size() != 1 || args.positional[0] != "903") {
    std::fprintf(stderr, "carelog: usage: export 903 --year YYYY (--out DIR | --check)\n");
    return 2;
  }
  int year = 0;
  if (!args.flags.count("year") || !absl::SimpleAtoi(args.flags.at("year"), &year) ||
      year < 1990 || year > 2100) {
    std::fprintf(stderr, "carelog: export 903 needs --year YYYY (the collection year starting 1 April)\n");
    return 2;
  }
  const bool check = args.flags.count("check") > 0;
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (check && format != "table" && format != "csv" && format != "json") {
    std::fprintf(stderr, "carelog: --format must be table, csv or json\n");
    return 2;
  }
  if (!check && args.flags.count("format")) {
    std::fprintf(stderr, "carelog: --format is for export 903 --check\n");
    return 2;
  }
  if (!check && !args.flags.count("out")) {
    std::fprintf(stderr, "carelog: export 903 needs --out DIR (or --check)\n");
    return 2;
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  Queries queries(store->get(), PolicyRegistry());  // the return needs no packs
  Ssda903Tables t = Start903Tables();
  std::vector<Missing903> gaps;
  uint64_t children_checked = 0;
  absl::Status s = queries.Return903(year, [&](const Child903& c) {
    if (check) {
      std::vector<Missing903> more = Check903Child(c, year);
      gaps.insert(gaps.end(), more.begin(), more.end());
      ++children_checked;
    } else {
      Append903Child(c, &t);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return ReportError(s);
  if (check) {
    const std::string out = RenderMissing903(gaps, year, children_checked, format);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return gaps.empty() ? 0 : 1;
  }
  const std::string out_dir = args.flags.at("out");
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
      "%s: collection year %s: %llu children, %llu episodes, %llu reviews, %llu social "
      "worker episodes, %llu placed for adoption, %llu previous permanence, %llu OC2\n",
      out_dir.c_str(), CollectionYearName(year).c_str(),
      static_cast<unsigned long long>(t.children),
      static_cast<unsigned long long>(t.episodes.rows),
      static_cast<unsigned long long>(t.reviews.rows),
      static_cast<unsigned long long>(t.sw_episodes.rows),
      static_cast<unsigned long long>(t.placed_adoption.rows),
      static_cast<unsigned long long>(t.prev_perm.rows), static_cast<unsigned long long>(t.oc2.rows));
  return 0;
}

}  // namespace carelog
