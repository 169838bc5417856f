#include "absl/synchronization/mutex.h"
#include "tools/cli.h"

int main(int argc, char** argv) {
  // Debian's Abseil is built without NDEBUG, so every Mutex::Lock in the
  // process would also take Abseil's one global deadlock-graph lock and look
  // the mutex up in that graph: a served append's profile spent ~1.6% in the
  // look-up alone, with every gRPC thread queueing on the same lock. The
  // product does without it, as Abseil's own release builds do; the tests
  // keep it (their binaries do not run this main), so a lock-order
  // inversion still fails them.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return carelog::RunCli(argc, argv);
}
