// `carelog pack [NAME] [--case ID]`: which policy pack judges the store's
// cases (or one case), and, with NAME, records a change of it in the
// settings log (projections/settings_log.h). `carelog pack --rules NAME [--on
// DATE] [--format table|csv|json]`: the rules of pack NAME in force on DATE
// (projections/pack_rules.h renders them); needs no store.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "engine/policy.h"
#include "projections/pack_rules.h"
#include "projections/settings_log.h"
#include "projections/views/case_packs.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {
namespace {

int RunPackRules(const Args& args) {
  if (args.flags.count("case") || !args.positional.empty()) {
    return UsageError("pack --rules NAME takes no --case and no other NAME");
  }
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "table";
  if (format != "table" && format != "csv" && format != "json") {
    return UsageError("--format must be table, csv or json");
  }
  absl::CivilDay on = LondonToday(absl::Now());
  if (auto it = args.flags.find("on"); it != args.flags.end()) {
    auto day = ParseDate(it->second);
    if (!day.ok()) return UsageError(absl::StrCat("--on: ", day.status().message()));
    on = *day;
  }
  auto registry = PolicyRegistry::LoadEmbedded();
  if (!registry.ok()) return ReportError(registry.status());
  auto pack = registry->Find(args.flags.at("rules"));
  if (!pack.ok()) return ReportError(pack.status());
  const std::string out = format == "csv"    ? RenderPackRulesCsv(**pack, on)
                          : format == "json" ? RenderPackRulesJson(**pack, on)
                                             : RenderPackRulesTable(**pack, on);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int RunPack(const Args& args) {
  if (args.flags.count("rules")) return RunPackRules(args);
  if (args.flags.count("on") || args.flags.count("format")) {
    return UsageError("--on and --format go with --rules NAME");
  }
  auto store = EventStore::Open(StoreDir(args), CliStoreOptions());
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
