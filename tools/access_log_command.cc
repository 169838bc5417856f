// `carelog access-log [--store DIR] [--case ID] [--format text|json]`: who
// read which child's record through the service, and when.
#include <cstdio>
#include <string>

#include "projections/views/queries.h"
#include "store/event_store.h"
#include "projections/access_log_render.h"
#include "tools/commands.h"

namespace carelog {

int RunAccessLog(const Args& args) {
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "text";
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "carelog: --format must be text or json\n");
    return 2;
  }
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: access-log takes no arguments (did you mean --case ID?)\n");
    return 2;
  }
  const std::string case_id = args.flags.count("case") ? args.flags.at("case") : "";
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  Queries queries(store->get(), PolicyRegistry());  // the access log needs no packs
  auto records = queries.AccessLog(case_id);
  if (!records.ok()) return ReportError(records.status());
  const std::string out =
      format == "json" ? RenderAccessJson(*records) : RenderAccessText(*records);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace carelog
