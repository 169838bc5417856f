// A whole import file (untrusted) through ImportNdjson into a real store:
// parsing, validation against the log and earlier lines, the staged
// groups, the all-or-nothing append. Properties: never crashes; a refused file appends
// nothing; after any import the store verifies.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "engine/importer.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace {

carelog::EventStore* Store() {
  static carelog::EventStore* store = [] {
    const char* shm = "/dev/shm";
    std::string base = std::filesystem::is_directory(shm) ? shm : "/tmp";
    std::string dir = base + "/carelog-import-fuzz-" + std::to_string(getpid());
    std::filesystem::remove_all(dir);
    carelog::StoreOptions o;
    o.sync = false;
    static carelog::FakeClock clock(absl::FromUnixSeconds(1767225600));
    o.clock = &clock;
    auto s = carelog::EventStore::Open(dir, o);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    return s->release();
  }();
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  carelog::EventStore* store = Store();
  static carelog::FakeClock clock(absl::FromUnixSeconds(1767225600));
  const uint64_t before = store->LastPosition();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  carelog::ImportOptions opts;
  opts.clock = &clock;
  opts.batch_events = 3;  // exercise several batches
  auto report = carelog::ImportNdjson(store, in, opts);
  if (!report.ok()) {
    std::fprintf(stderr, "internal fault on import: %s\n", report.status().ToString().c_str());
    std::abort();
  }
  if (report->refused > 0 && store->LastPosition() != before) {
    std::fprintf(stderr, "refused import appended %llu events\n",
                 static_cast<unsigned long long>(store->LastPosition() - before));
    std::abort();
  }
  if (report->appended != store->LastPosition() - before) std::abort();
  // A full verify now and then (it re-reads the whole store).
  static int n = 0;
  if (report->appended > 0 && ++n % 64 == 0) {
    auto v = store->Verify();
    if (!v.ok() || !v->ok) {
      std::fprintf(stderr, "verify failed after import: %s\n",
                   v.ok() ? v->problem.c_str() : v.status().ToString().c_str());
      std::abort();
    }
  }
  return 0;
}
