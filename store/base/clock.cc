#include "store/base/clock.h"

namespace carelog {
namespace {
class WallClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};
}  // namespace

Clock* SystemClock() {
  static WallClock* clock = new WallClock;
  return clock;
}

}  // namespace carelog
