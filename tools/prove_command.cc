// `carelog prove EVENT_ID [--size N]`: the JSON inclusion proof of one event.
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "store/event_store.h"
#include "tools/commands.h"
#include "store/inclusion_proof.h"
#include "projections/inclusion_proof_json.h"

namespace carelog {

int RunProve(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "carelog: prove needs exactly one EVENT_ID\n");
    return 2;
  }
  uint64_t size = 0;
  if (auto it = args.flags.find("size"); it != args.flags.end()) {
    if (!absl::SimpleAtoi(it->second, &size) || size == 0) {
      std::fprintf(stderr, "carelog: --size wants a positive number of events, got '%s'\n",
                   it->second.c_str());
      return 2;
    }
  }
  auto store = OpenStoreForQuery(args);
  if (!store.ok()) return ReportError(store.status());
  auto proof = ProveInclusion(**store, args.positional[0], size);
  if (!proof.ok()) return ReportError(proof.status());
  const std::string out = InclusionProofJson(*proof);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace carelog
