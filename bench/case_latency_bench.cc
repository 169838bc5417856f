// One case's deadlines on a real store, as an IRO's screen would ask for it:
// open the store (timed: the "first query after reopening"), then for a
// sample of cases read the case and fold its deadlines, and report the
// latency percentiles. Baseline in the same run: reading the same cases
// without folding (the store's share).
//
//   build/bench/case_latency_bench STORE [SAMPLES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "absl/time/clock.h"
#include "engine/calendar.h"
#include "engine/event_log.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "store/event_store.h"

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  using carelog::EventStore;
  if (argc < 2) {
    std::fprintf(stderr, "usage: case_latency_bench STORE [SAMPLES]\n");
    return 2;
  }
  const int samples = argc > 2 ? std::atoi(argv[2]) : 2000;
  auto start = std::chrono::steady_clock::now();
  carelog::StoreOptions o;
  o.create_if_missing = false;
  o.read_only = true;
  auto store = EventStore::Open(argv[1], o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto registry = carelog::PolicyRegistry::LoadEmbedded();
  const carelog::ResolvedPack* pack = *registry->Find("england");
  carelog::EventLog log(store->get(), carelog::SystemClock());
  const auto opened = std::chrono::steady_clock::now();
  auto cases = (*store)->Streams();
  if (!cases.ok() || cases->empty()) return 1;
  const absl::CivilDay as_of(2025, 9, 30);
  // The first query after reopening: open + one case's deadlines.
  {
    auto events = log.ReadCase(cases->front());
    auto d = carelog::FoldDeadlines(cases->front(), std::move(*events), *pack,
                                    carelog::Calendar::Default(), as_of);
    (void)d;
  }
  const auto first = std::chrono::steady_clock::now();
  std::mt19937_64 rng(7);
  std::vector<double> fold_ms, read_ms;
  size_t events_total = 0;
  for (int i = 0; i < samples; ++i) {
    const std::string& id = (*cases)[rng() % cases->size()];
    auto t0 = std::chrono::steady_clock::now();
    auto events = log.ReadCase(id);
    auto t1 = std::chrono::steady_clock::now();
    events_total += events->size();
    auto d = carelog::FoldDeadlines(id, std::move(*events), *pack, carelog::Calendar::Default(),
                                    as_of);
    auto t2 = std::chrono::steady_clock::now();
    read_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    fold_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
  }
  std::printf("store: %llu events, %zu cases; open %.0f ms; first query answered %.0f ms after start\n",
              static_cast<unsigned long long>((*store)->LastPosition()), cases->size(),
              std::chrono::duration<double, std::milli>(opened - start).count(),
              std::chrono::duration<double, std::milli>(first - start).count());
  std::printf("one case's deadlines (read + fold), %d random cases, %.0f events/case:\n", samples,
              static_cast<double>(events_total) / samples);
  std::printf("  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", Percentile(fold_ms, 0.5),
              Percentile(fold_ms, 0.99), Percentile(fold_ms, 1.0));
  std::printf("baseline, read only: p50 %.3f ms  p99 %.3f ms\n", Percentile(read_ms, 0.5),
              Percentile(read_ms, 0.99));
  return 0;
}
