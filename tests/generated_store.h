// A store filled with generated histories (engine/gen), the fixture of the
// query-layer tests that compare answers across many realistic cases
// (queries_test, work_tray_query_test). Engine layer and up.
#ifndef CARELOG_TESTS_GENERATED_STORE_H_
#define CARELOG_TESTS_GENERATED_STORE_H_

#include <sstream>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "engine/gen/generate_histories.h"
#include "engine/importer.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace carelog::testing {

// Generates `children` histories over `years` years ending on `end` (seed
// `seed`) and imports them into `store`, recorded by `clock`. The generator's
// or the importer's error otherwise.
inline absl::Status ImportGeneratedHistories(EventStore* store, Clock* clock, int children,
                                             int years, uint64_t seed,
                                             absl::CivilDay end = absl::CivilDay(2025, 9, 30)) {
  std::ostringstream text;
  GenOptions opts;
  opts.children = children;
  opts.years = years;
  opts.seed = seed;
  opts.end = end;
  if (auto generated = GenerateHistories(opts, text); !generated.ok()) return generated.status();
  std::istringstream in(text.str());
  ImportOptions o;
  o.clock = clock;
  return ImportNdjson(store, in, o).status();
}

}  // namespace carelog::testing

#endif  // CARELOG_TESTS_GENERATED_STORE_H_
