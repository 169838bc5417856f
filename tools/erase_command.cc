// `carelog erase --case ID --reason TEXT [--authority REF] [--by NAME]
//   [--format text|json]`: erases one case (Queries::Erase; README
// "Erasure"). Refused — nothing changed — before the case's retention period
// has ended unless an authority is given, for a case already erased, and in
// a store that is not encrypted. The store is opened read-write, so no other
// process holds it (and no reader keeps a snapshot of what is shredded).
#include <cstdio>
#include <string>

#include "absl/time/clock.h"
#include "projections/erasure.h"
#include "projections/views/queries.h"
#include "tools/commands.h"

namespace carelog {

int RunErase(const Args& args) {
  EraseCaseRequest request;
  request.case_id = FlagValue(args, "case");
  request.reason = FlagValue(args, "reason");
  request.authority = FlagValue(args, "authority");
  if (request.case_id.empty() || request.reason.empty() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: erase needs --case ID and --reason TEXT\n");
    return 2;
  }
  if (args.flags.count("authority") > 0 && request.authority.empty()) {
    std::fprintf(stderr, "carelog: --authority wants a reference (e.g. a court order's)\n");
    return 2;
  }
  const std::string format = args.flags.count("format") ? FlagValue(args, "format") : "text";
  if (format != "text" && format != "json") return UsageError("--format must be text or json");
  request.erased_by = args.flags.count("by") ? FlagValue(args, "by") : OsUser();
  if (request.erased_by.empty()) {
    std::fprintf(stderr, "carelog: --by wants a name\n");
    return 2;
  }
  request.through = "carelog erase";
  request.at = absl::Now();

  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  auto store = EventStore::Open(StoreDir(args), so);
  if (!store.ok()) return ReportError(store.status());
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return ReportError(queries.status());
  auto erasure = (*queries)->Erase(request);
  if (!erasure.ok()) return ReportError(erasure.status());
  const std::string out = format == "json"
                              ? RenderErasuresJson({*erasure}) + "\n"
                              : ErasedCaseMessage(*erasure) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
