// How the views fold many cases at once: independent folds, one per case, on
// every core (at most 8 threads).
#ifndef CARELOG_PROJECTIONS_VIEWS_PARALLEL_H_
#define CARELOG_PROJECTIONS_VIEWS_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace carelog {

// Calls fn(i) once for every i in [0, count), on up to 8 threads of which the
// caller's is one, and returns when every call has returned. fn must be safe
// to run concurrently with itself for different i; it writes its result to
// slot i of something the caller owns, so that the caller can use the
// results in order.
inline void ForEachOnCores(size_t count, absl::FunctionRef<void(size_t)> fn) {
  const unsigned threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < count;) fn(i);
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads && t < count; ++t) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
}

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_PARALLEL_H_
