// `carelog pack [NAME] [--case ID]`: which policy pack judges the store's
// cases (or one case), and, with NAME, records a change of it in the
// settings log (projections/settings_log.h).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/policy.h"
#include "projections/settings_log.h"
#include "projections/views/case_packs.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

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
