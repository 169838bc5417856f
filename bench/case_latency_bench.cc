// One case's deadlines on a real store, as an IRO's screen would ask for it:
// open the store (timed: the "first query after reopening"), then for a
// sample of cases ask for the case's deadlines as of today, and report the
// latency percentiles — answered by the call `carelog deadlines --case`, the
// service and the web application make (Queries::Deadlines: obligations
// only, from the case's checkpoint when current, else a fold of the log)
// and, as the baseline in the same run, by the same view folding the case
// from the log (the --no-checkpoints path).
// Run `carelog checkpoint --store STORE` first for the checkpointed figures;
// the bench reports how many answers came from a checkpoint.
//
//   build/bench/case_latency_bench STORE [SAMPLES] [FIRST_CASE_ID]   (default C-000001)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "absl/time/clock.h"
#include "engine/calendar.h"
#include "engine/event_log.h"
#include "engine/event_time.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "store/event_store.h"
#include "projections/views/case_packs.h"
#include "projections/views/deadlines_view.h"
#include "projections/views/queries.h"

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  using carelog::EventStoreReader;
  if (argc < 2) {
    std::fprintf(stderr, "usage: case_latency_bench STORE [SAMPLES]\n");
    return 2;
  }
  const int samples = argc > 2 ? std::atoi(argv[2]) : 2000;
  const std::string first_case = argc > 3 ? argv[3] : "C-000001";
  const absl::CivilDay as_of = carelog::LondonToday(absl::Now());
  auto start = std::chrono::steady_clock::now();
  carelog::StoreOptions o;
  o.create_if_missing = false;
  auto store = EventStoreReader::Open(argv[1], o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto registry = carelog::PolicyRegistry::LoadEmbedded();
  auto cal = carelog::StoreCalendar(store->get());
  if (!registry.ok() || !cal.ok()) return 1;
  carelog::CasePacks packs(store->get(), &*registry);
  const carelog::DeadlinesView view(store->get(), &*cal);
  auto queries = carelog::Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return 1;
  // The product's one-case query; the number of obligations it answered.
  const auto ask = [&](const std::string& case_id) -> absl::StatusOr<size_t> {
    carelog::DeadlinesQuery q;
    q.case_id = case_id;
    q.as_of = as_of;
    size_t rows = 0;
    absl::Status st = (*queries)->Deadlines(
        q, [](carelog::CaseDeadlinesAnswer&) {},
        [&](carelog::CaseDeadlinesAnswer& a) {
          rows = a.deadlines.obligations.size();
          return absl::OkStatus();
        });
    if (!st.ok()) return st;
    return rows;
  };
  carelog::DeadlinesView::Options obligations_only;
  obligations_only.with_findings = false;
  const auto opened = std::chrono::steady_clock::now();
  // The first query after reopening: one case's deadlines, as an IRO's
  // screen asks for it (by id, without listing the store's cases).
  absl::StatusOr<size_t> first_obligations = ask(first_case);
  if (!first_obligations.ok()) return 1;
  const auto first = std::chrono::steady_clock::now();
  bool first_from_checkpoint = false;
  {
    auto a = view.Get(first_case, **packs.For(first_case), as_of, obligations_only);
    if (!a.ok()) return 1;
    first_from_checkpoint = a->from_checkpoint;
  }
  auto cases = (*store)->Streams();
  if (!cases.ok() || cases->empty()) return 1;
  const auto listed = std::chrono::steady_clock::now();

  std::mt19937_64 rng(7);
  std::vector<std::string> sample;
  for (int i = 0; i < samples; ++i) sample.push_back((*cases)[rng() % cases->size()]);
  std::vector<const carelog::ResolvedPack*> pack_of;
  for (const std::string& id : sample) pack_of.push_back(*packs.For(id));

  std::vector<double> view_ms, fold_ms, read_ms;
  std::vector<size_t> view_rows;  // obligations in each answer
  for (int i = 0; i < samples; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<size_t> rows = ask(sample[i]);
    auto t1 = std::chrono::steady_clock::now();
    if (!rows.ok()) return 1;
    view_ms.push_back(Ms(t1 - t0));
    view_rows.push_back(*rows);
  }
  // Untimed: how many of those answers came from a checkpoint.
  int from_checkpoint = 0;
  for (int i = 0; i < samples; ++i) {
    auto a = view.Get(sample[i], *pack_of[i], as_of, obligations_only);
    if (!a.ok()) return 1;
    from_checkpoint += a->from_checkpoint;
  }
  carelog::DeadlinesView::Options replay = obligations_only;
  replay.use_checkpoints = false;
  for (int i = 0; i < samples; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto a = view.Get(sample[i], *pack_of[i], as_of, replay);
    auto t1 = std::chrono::steady_clock::now();
    if (!a.ok()) return 1;
    fold_ms.push_back(Ms(t1 - t0));
  }
  // Last, so its blocks are those the fold above has just read: the share
  // of the fold's time that is the reading, not a cold read of its own.
  size_t events_total = 0;
  carelog::EventLog log(store->get(), carelog::SystemClock());
  for (int i = 0; i < samples; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto events = log.ReadCase(sample[i]);
    auto t1 = std::chrono::steady_clock::now();
    if (!events.ok()) return 1;
    events_total += events->size();
    read_ms.push_back(Ms(t1 - t0));
  }
  std::printf("store: %llu events, %zu cases; open %.0f ms; first query (%s, %zu obligations) "
              "answered %.1f ms after start (%s); listing every case took %.0f ms more\n",
              static_cast<unsigned long long>((*store)->LastPosition()), cases->size(),
              Ms(opened - start), first_case.c_str(), *first_obligations, Ms(first - start),
              first_from_checkpoint ? "from its checkpoint" : "folded from the log",
              Ms(listed - first));
  std::printf("one case's deadlines as of %s, %d random cases, %.0f events/case:\n",
              carelog::FormatDate(as_of).c_str(), samples,
              static_cast<double>(events_total) / samples);
  std::printf("  carelog (checkpoint when current, %d of %d were): p50 %.3f ms  p99 %.3f ms  max "
              "%.3f ms\n",
              from_checkpoint, samples, Percentile(view_ms, 0.5), Percentile(view_ms, 0.99),
              Percentile(view_ms, 1.0));
  {
    // What the slowest 1% of answers hold, against all of them: whether the
    // tail is the size of the answer or the reading.
    std::vector<size_t> order(view_ms.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return view_ms[a] > view_ms[b]; });
    const size_t tail = std::max<size_t>(1, order.size() / 100);
    double tail_rows = 0, all_rows = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      (i < tail ? tail_rows : all_rows) += static_cast<double>(view_rows[order[i]]);
    }
    all_rows += tail_rows;
    std::printf("    the slowest 1%% of answers hold %.0f obligations each, all answers %.0f\n",
                tail_rows / static_cast<double>(tail), all_rows / static_cast<double>(order.size()));
  }
  std::printf("  baseline, read + fold from the log:  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              Percentile(fold_ms, 0.5), Percentile(fold_ms, 0.99), Percentile(fold_ms, 1.0));
  std::printf("  baseline, read and parse (cached):  p50 %.3f ms  p99 %.3f ms\n",
              Percentile(read_ms, 0.5), Percentile(read_ms, 0.99));
  return 0;
}
