// The care-plan state on a real store, as a manager's case list and a case
// page ask for it (issue 15 point 5): the filtered case list (Queries::CaseList),
// the IRO manager's work tray (Queries::WorkTray, issue 16: "well under a
// second" for a council) and one case's state (Queries::State), each
// answered the product's way —
// from checkpoints when current — and, as the baseline in the same run, by
// folding every case from the log. Prints the times and their ratios, and
// checks that both ways give the same bytes.
//
// Run `carelog checkpoint --store STORE` first (bench/council does it all on
// a council-size store; bench/scale runs this on the 10M-event one).
//
//   build/bench/case_state_bench STORE [SAMPLES] [AS_OF] [--one-case]   (default 2000, today)
//
// --one-case leaves the lists and the tray out (on the 10M-event store each list folded
// from the log is a full replay; the target there is one case's latency).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/event_time.h"
#include "projections/care_plan_state_format.h"
#include "projections/cases_list.h"
#include "projections/views/queries.h"
#include "projections/work_tray.h"
#include "store/event_store.h"

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The median wall time of `runs` calls of the list, and its JSON.
struct ListTiming {
  double median_ms = 0;
  size_t rows = 0;
  std::string json;
};

ListTiming TimeList(carelog::Queries& q, absl::CivilDay as_of, const carelog::CaseListFilter& f,
                    bool checkpoints, int runs) {
  ListTiming t;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto rows = q.CaseList(as_of, f, checkpoints);
    const auto t1 = std::chrono::steady_clock::now();
    if (!rows.ok()) {
      std::fprintf(stderr, "%s\n", std::string(rows.status().message()).c_str());
      std::exit(1);
    }
    ms.push_back(Ms(t1 - t0));
    t.rows = rows->size();
    t.json = carelog::RenderCaseListJson(*rows);
  }
  t.median_ms = Percentile(ms, 0.5);
  return t;
}

// The same for the work tray.
ListTiming TimeTray(carelog::Queries& q, absl::CivilDay as_of, const carelog::WorkTrayFilter& f,
                    int days, bool checkpoints, int runs) {
  ListTiming t;
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto tray = q.WorkTray(as_of, f, days, checkpoints);
    const auto t1 = std::chrono::steady_clock::now();
    if (!tray.ok()) {
      std::fprintf(stderr, "%s\n", std::string(tray.status().message()).c_str());
      std::exit(1);
    }
    ms.push_back(Ms(t1 - t0));
    t.rows = tray->rows.size();
    t.json = carelog::RenderWorkTrayJson(*tray);
  }
  t.median_ms = Percentile(ms, 0.5);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: case_state_bench STORE [SAMPLES] [AS_OF] [--one-case]\n");
    return 2;
  }
  const int samples = argc > 2 ? std::atoi(argv[2]) : 2000;
  const bool one_case_only = argc > 4 && std::string(argv[4]) == "--one-case";
  absl::CivilDay as_of = carelog::LondonToday(absl::Now());
  if (argc > 3) {
    auto d = carelog::ParseDate(argv[3]);
    if (!d.ok()) {
      std::fprintf(stderr, "AS_OF: %s\n", std::string(d.status().message()).c_str());
      return 2;
    }
    as_of = *d;
  }
  carelog::StoreOptions o;
  o.create_if_missing = false;
  auto store = carelog::EventStoreReader::Open(argv[1], o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto queries = carelog::Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return 1;
  carelog::Queries& q = **queries;
  auto cases = (*store)->Streams();
  if (!cases.ok() || cases->empty()) return 1;
  std::printf("store: %llu events, %zu cases; as of %s\n",
              static_cast<unsigned long long>((*store)->LastPosition()), cases->size(),
              carelog::FormatDate(as_of).c_str());

  // The lists a manager asks for: everything, the overdue, those in care,
  // and one IRO's caseload (the IRO of the first case that has one).
  carelog::CaseListFilter all, overdue, in_care, one_iro;
  overdue.overdue_only = true;
  in_care.looked_after = true;
  for (const std::string& id : *cases) {
    if (one_case_only) break;
    auto s = q.State(id, as_of, std::nullopt);
    if (s.ok() && !s->iro.empty()) {
      one_iro.iro = s->iro;
      break;
    }
  }
  struct Named {
    const char* name;
    const carelog::CaseListFilter* filter;
  };
  bool same = true;
  if (!one_case_only) std::printf("the case list (Queries::CaseList, median of runs):\n");
  for (const Named& n : {Named{"every case", &all}, Named{"--overdue", &overdue},
                         Named{"--looked-after yes", &in_care}, Named{"--iro (one IRO)", &one_iro}}) {
    if (one_case_only) break;
    const ListTiming with = TimeList(q, as_of, *n.filter, true, 5);
    const ListTiming without = TimeList(q, as_of, *n.filter, false, 2);
    same &= with.json == without.json;
    std::printf("  %-20s %5zu rows: checkpoints %7.1f ms, folded from the log %7.1f ms: %.1fx\n",
                n.name, with.rows, with.median_ms, without.median_ms,
                without.median_ms / with.median_ms);
  }

  // The tray an IRO manager opens every morning: everyone's, one IRO's, and
  // a wider window.
  struct NamedTray {
    const char* name;
    carelog::WorkTrayFilter filter;
    int days;
  };
  carelog::WorkTrayFilter tray_one_iro;
  tray_one_iro.iro = one_iro.iro;
  if (!one_case_only) std::printf("the work tray (Queries::WorkTray, median of runs):\n");
  for (const NamedTray& n : {NamedTray{"everyone, 10 days", {}, 10},
                             NamedTray{"--iro (one IRO)", tray_one_iro, 10},
                             NamedTray{"everyone, 30 days", {}, 30}}) {
    if (one_case_only) break;
    const ListTiming with = TimeTray(q, as_of, n.filter, n.days, true, 5);
    const ListTiming without = TimeTray(q, as_of, n.filter, n.days, false, 2);
    same &= with.json == without.json;
    std::printf("  %-20s %5zu rows: checkpoints %7.1f ms, folded from the log %7.1f ms: %.1fx\n",
                n.name, with.rows, with.median_ms, without.median_ms,
                without.median_ms / with.median_ms);
  }

  std::mt19937_64 rng(7);
  std::vector<std::string> sample;
  for (int i = 0; i < samples; ++i) sample.push_back((*cases)[rng() % cases->size()]);
  std::vector<double> with_ms, without_ms;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& id : sample) {
      const auto t0 = std::chrono::steady_clock::now();
      auto s = q.State(id, as_of, std::nullopt, /*use_checkpoints=*/pass == 0);
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.ok()) return 1;
      (pass == 0 ? with_ms : without_ms).push_back(Ms(t1 - t0));
    }
  }
  // The same bytes both ways, for a sample of the sample.
  for (int i = 0; i < std::min(samples, 200); ++i) {
    auto a = q.State(sample[i], as_of, std::nullopt, true);
    auto b = q.State(sample[i], as_of, std::nullopt, false);
    same &= a.ok() && b.ok() &&
            carelog::RenderCarePlanStateJson(*a) == carelog::RenderCarePlanStateJson(*b);
  }
  std::printf("one case's state (Queries::State), %d random cases:\n", samples);
  std::printf("  checkpoints:          p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              Percentile(with_ms, 0.5), Percentile(with_ms, 0.99), Percentile(with_ms, 1.0));
  std::printf("  folded from the log:  p50 %.3f ms  p99 %.3f ms  max %.3f ms  (p99 %.1fx)\n",
              Percentile(without_ms, 0.5), Percentile(without_ms, 0.99),
              Percentile(without_ms, 1.0), Percentile(without_ms, 0.99) / Percentile(with_ms, 0.99));
  std::printf("same bytes with checkpoints and without: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
