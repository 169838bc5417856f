// The source of time for every layer (the store's recorded-at stamps, the
// importers, the views), behind an interface so tests can inject it. Code
// that needs "now" takes a Clock* rather than calling absl::Now(), so a test
// can hold time still or move it by hand.
#ifndef CARELOG_STORE_BASE_CLOCK_H_
#define CARELOG_STORE_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace carelog {

class Clock {
 public:
  virtual ~Clock() = default;
  // Must be safe to call from any thread.
  virtual absl::Time Now() = 0;
};

// The wall clock. Shared, never destroyed.
Clock* SystemClock();

// A clock tests set by hand. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time t) : now_(absl::ToUnixMicros(t)) {}
  absl::Time Now() override { return absl::FromUnixMicros(now_.load()); }
  void Set(absl::Time t) { now_.store(absl::ToUnixMicros(t)); }
  void Advance(absl::Duration d) { now_.fetch_add(absl::ToInt64Microseconds(d)); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_CLOCK_H_
