// Store and replay benchmarks, each beside its baseline in the same run:
//
//   BM_Append/<batch>/<sync>       EventStore::Append of binary events
//   BM_AppendBulk/<batch>/<sync>   the same with AppendRequest::bulk (table
//                                  file ingestion, the importer's pass 2)
//   BM_RawRocksWrite/<batch>/<sync> the same serialized bytes written to a bare
//                                  RocksDB in the same batch sizes: the limit
//                                  of the store
//   BM_RawRocksWriteStoreKeys/<batch>/<min level>  the keys and values the
//                                  store wrote, written to a bare RocksDB:
//                                  the floor of the store's key layout, and
//                                  (min level 3) of the smallest layout that
//                                  keeps every proof
//   BM_ImportNdjson                carelog's NDJSON import (full validation)
//   BM_ReplayDeadlines             every case's deadlines folded from the log
//   BM_ReplayDeadlinesView         the same as `carelog deadlines --no-checkpoints`
//                                  folds (DeadlinesView, obligations only)
//   BM_RawScanParse                a raw scan of the log plus protobuf parse:
//                                  the limit of replay
//   BM_OneCaseDeadlines            one case's deadlines, read and folded
//   BM_QaReport                    the QA report's computation over every case
//   BM_ReplayAuditTrails, BM_ReplayCaseSummaries, BM_Replay903Export
//                                  the other projections over every case
//   BM_CheckpointedDeadlines       every case's deadlines from its checkpoint
//                                  (beside BM_ReplayDeadlines)
//   BM_OneCaseCheckpointed         one case from its checkpoint (beside
//                                  BM_OneCaseDeadlines)
//
// Every benchmark reports events/s ("items_per_second"). Compare a row with
// its baseline by ratio, not by absolute time:
//   build/bench/store_bench --benchmark_filter='Append|RawRocks'
#include <benchmark/benchmark.h>

#include <filesystem>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/event_json.h"
#include "engine/event_log.h"
#include "engine/importer.h"
#include "engine/policy.h"
#include "projections/deadlines.h"
#include "projections/case_trail.h"
#include "projections/case_summary.h"
#include "projections/qa_report.h"
#include "projections/ssda903_export.h"
#include "projections/views/case_packs.h"
#include "projections/views/deadlines_view.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "store/base/crc32.h"
#include "store/bulk_loader.h"
#include "store/event_store.h"
#include "engine/gen/generate_histories.h"

namespace carelog {
namespace {

std::string TempPath(const std::string& name) {
  const std::string p = absl::StrCat("/tmp/carelog-bench-", getpid(), "-", name);
  std::filesystem::remove_all(p);
  return p;
}

// One generated history, shared by every benchmark: its NDJSON text and the
// encoded events (case, id, payload).
struct Corpus {
  std::string ndjson;
  std::vector<NewRecord> records;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::ostringstream out;
    GenOptions opts;
    opts.children = 400;
    opts.years = 3;
    opts.seed = 5;
    (void)GenerateHistories(opts, out);
    c->ndjson = out.str();
    EventJsonParser parser;
    v1::Event e;
    std::istringstream in(c->ndjson);
    std::string line;
    while (std::getline(in, line)) {
      if (!parser.Parse(line, &e).ok()) continue;
      c->records.push_back(NewRecord{e.case_id(), e.event_id(), EncodeEvent(e)});
    }
    return c;
  }();
  return *corpus;
}

void AppendBench(benchmark::State& state, bool bulk) {
  const auto& recs = GetCorpus().records;
  const size_t batch = state.range(0);
  const bool sync = state.range(1) != 0;
  const size_t limit = sync ? std::min<size_t>(recs.size(), batch * 200) : recs.size();
  int64_t items = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = TempPath("append");
    StoreOptions o;
    o.sync = sync;
    auto store = std::move(EventStore::Open(dir, o)).value();
    state.ResumeTiming();
    std::unique_ptr<BulkLoader> loader;
    if (bulk) loader = std::move(store->BeginBulkLoad()).value();
    for (size_t i = 0; i < limit; i += batch) {
      AppendRequest req;
      for (size_t j = i; j < std::min(limit, i + batch); ++j) req.records.push_back(recs[j]);
      auto r = bulk ? loader->Append(std::move(req)) : store->Append(std::move(req));
      if (!r.ok()) state.SkipWithError("append failed");
    }
    loader.reset();
    items += limit;
    state.PauseTiming();
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(items);
}
void BM_Append(benchmark::State& state) { AppendBench(state, false); }
// Through a BulkLoader, as the importer's pass 2 appends: batches of at least
// kMinIngestRecords are ingested as table files (durable whatever sync says).
void BM_AppendBulk(benchmark::State& state) { AppendBench(state, true); }
BENCHMARK(BM_AppendBulk)->Args({10000, 0})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Append)->Args({1, 0})->Args({100, 0})->Args({10000, 0})->Args({1, 1})->Args({100, 1})
    ->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_RawRocksWrite(benchmark::State& state) {
  const auto& recs = GetCorpus().records;
  const size_t batch = state.range(0);
  const bool sync = state.range(1) != 0;
  const size_t limit = sync ? std::min<size_t>(recs.size(), batch * 200) : recs.size();
  int64_t items = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = TempPath("raw");
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir, &raw).ok()) state.SkipWithError("open failed");
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    state.ResumeTiming();
    uint64_t pos = 0;
    for (size_t i = 0; i < limit; i += batch) {
      rocksdb::WriteBatch b;
      for (size_t j = i; j < std::min(limit, i + batch); ++j) {
        char key[8];
        uint64_t p = ++pos;
        for (int k = 7; k >= 0; --k, p >>= 8) key[k] = static_cast<char>(p & 0xff);
        b.Put(rocksdb::Slice(key, 8), recs[j].payload);
      }
      if (!db->Write(wo, &b).ok()) state.SkipWithError("write failed");
    }
    items += limit;
    state.PauseTiming();
    db.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_RawRocksWrite)->Args({1, 0})->Args({100, 0})->Args({10000, 0})->Args({1, 1})
    ->Args({100, 1})->Unit(benchmark::kMillisecond)->Iterations(1);

// The keys and values EventStore::Append wrote for the corpus, each with the
// batch of `batch` events that wrote it: read back from a store after
// appending, so they are the store's own bytes. `min_tree_level` leaves out
// the Merkle subtree keys below that level (0 keeps all).
std::vector<std::vector<std::pair<std::string, std::string>>> StoreKeysByBatch(size_t batch,
                                                                               int min_tree_level) {
  const auto& recs = GetCorpus().records;
  const std::string dir = TempPath("store-keys");
  {
    auto store = std::move(EventStore::Open(dir, StoreOptions{})).value();
    for (size_t i = 0; i < recs.size(); i += batch) {
      AppendRequest req;
      for (size_t j = i; j < std::min(recs.size(), i + batch); ++j) req.records.push_back(recs[j]);
      (void)store->Append(std::move(req));
    }
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> out((recs.size() + batch - 1) / batch);
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw).ok()) return out;
  std::unique_ptr<rocksdb::DB> db(raw);
  auto be64 = [](const rocksdb::Slice& s, size_t at) {
    uint64_t v = 0;
    for (size_t k = 0; k < 8; ++k) v = (v << 8) | static_cast<uint8_t>(s[at + k]);
    return v;
  };
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key(), v = it->value();
    uint64_t position = 0;  // the record whose append wrote this key
    switch (k[0]) {
      case 'E': position = be64(k, 1); break;
      case 'S': case 'I': position = be64(v, 0); break;
      case 'T': {
        const int level = static_cast<uint8_t>(k[1]);
        if (level < min_tree_level) continue;
        position = (be64(k, 2) + 1) << level;
        break;
      }
      default: continue;  // meta: written once at open
    }
    out[(position - 1) / batch].emplace_back(k.ToString(), v.ToString());
  }
  it.reset();  // before its database
  db.reset();
  std::filesystem::remove_all(dir);
  return out;
}

// The floor of the store's append on its key layout: the same keys and values
// (record, stream index, id index, Merkle subtrees), in key order per batch as
// the store writes them, into a bare RocksDB with no hashing, encoding or
// checks. Args: batch, min_tree_level (0 = the store's keys; 3 = the smallest
// layout that keeps every proof, the lower levels recomputed from <= 8
// records when a proof is made; 64 = no tree at all, which keeps no proof:
// what the record and its two indexes cost alone).
void BM_RawRocksWriteStoreKeys(benchmark::State& state) {
  const size_t batch = state.range(0);
  const auto batches = StoreKeysByBatch(batch, static_cast<int>(state.range(1)));
  int64_t items = 0, keys = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = TempPath("raw-store-keys");
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir, &raw).ok()) state.SkipWithError("open failed");
    std::unique_ptr<rocksdb::DB> db(raw);
    state.ResumeTiming();
    for (const auto& kvs : batches) {
      rocksdb::WriteBatch b;
      for (const auto& [k, v] : kvs) b.Put(k, v);
      keys += kvs.size();
      if (!db->Write(rocksdb::WriteOptions(), &b).ok()) state.SkipWithError("write failed");
    }
    items += GetCorpus().records.size();
    state.PauseTiming();
    db.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(items);
  state.counters["keys_per_event"] = static_cast<double>(keys) / static_cast<double>(items);
}
BENCHMARK(BM_RawRocksWriteStoreKeys)->Args({10000, 0})->Args({10000, 3})->Args({10000, 64})
    ->Unit(benchmark::kMillisecond)->Iterations(1);

// The records' checksum (store/base/crc32.h) at a record's size and a
// block's, beside its baseline, zlib's crc32 on the same bytes: their
// bytes/s ratio is the fold's gain.
void CrcBench(benchmark::State& state, uint32_t (*crc)(std::string_view)) {
  std::string bytes(static_cast<size_t>(state.range(0)), '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  for (auto _ : state) benchmark::DoNotOptimize(crc(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
void BM_Crc32(benchmark::State& state) { CrcBench(state, Crc32); }
void BM_Crc32Zlib(benchmark::State& state) { CrcBench(state, Crc32Portable); }
BENCHMARK(BM_Crc32Zlib)->Arg(256)->Arg(4096);
BENCHMARK(BM_Crc32)->Arg(256)->Arg(4096);

void BM_ImportNdjson(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  int64_t items = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = TempPath("import");
    auto store = std::move(EventStore::Open(dir)).value();
    std::istringstream in(c.ndjson);
    state.ResumeTiming();
    auto r = ImportNdjson(store.get(), in, ImportOptions{});
    if (!r.ok() || r->refused > 0) state.SkipWithError("import failed");
    items += c.records.size();
    state.PauseTiming();
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_ImportNdjson)->Unit(benchmark::kMillisecond)->Iterations(1);

// A store holding the corpus, opened once for the read benchmarks.
EventStore* LoadedStore() {
  static EventStore* store = [] {
    const std::string dir = TempPath("loaded");
    StoreOptions o;
    o.sync = false;
    auto s = std::move(EventStore::Open(dir, o)).value();
    std::istringstream in(GetCorpus().ndjson);
    (void)ImportNdjson(s.get(), in, ImportOptions{});
    return s.release();
  }();
  return store;
}

void BM_RawScanParse(benchmark::State& state) {
  EventStore* store = LoadedStore();
  int64_t items = 0;
  for (auto _ : state) {
    v1::Event e;
    absl::Status s = store->ScanLog(1, [&](const StoredRecord& r) {
      e.ParseFromString(r.payload);
      benchmark::DoNotOptimize(e);
      ++items;
      return true;
    });
    if (!s.ok()) state.SkipWithError("scan failed");
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_RawScanParse)->Unit(benchmark::kMillisecond);

void BM_ReplayDeadlines(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  auto cases = *store->Streams();
  int64_t items = 0;
  for (auto _ : state) {
    for (const auto& id : cases) {
      auto events = log.ReadCase(id);
      items += events->size();
      benchmark::DoNotOptimize(
          FoldDeadlines(id, std::move(*events), *pack, Calendar::Default(), absl::CivilDay(2025, 9, 30)));
    }
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_ReplayDeadlines)->Unit(benchmark::kMillisecond);

// The replay `carelog deadlines --no-checkpoints` does, on one thread: every
// case read and folded by DeadlinesView (events parsed onto a reused arena,
// the pack's rules grouped once, obligations only). Baselines: BM_RawScanParse
// (the limit) and BM_ReplayDeadlines (FoldDeadlines of EventLog::ReadCase,
// findings included), same run.
void BM_ReplayDeadlinesView(benchmark::State& state) {
  EventStore* store = LoadedStore();
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  const DeadlinesView view(static_cast<const EventStoreReader*>(store), &Calendar::Default());
  DeadlinesView::Options replay;
  replay.use_checkpoints = false;
  replay.with_findings = false;
  auto cases = *store->Streams();
  int64_t items = 0;
  for (auto _ : state) {
    for (const auto& id : cases) {
      auto a = view.Get(id, *pack, absl::CivilDay(2025, 9, 30), replay);
      if (!a.ok()) state.SkipWithError("replay failed");
      items += a->case_version;
      benchmark::DoNotOptimize(a);
    }
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_ReplayDeadlinesView)->Unit(benchmark::kMillisecond);

void BM_OneCaseDeadlines(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  auto cases = *store->Streams();
  size_t i = 0;
  int64_t items = 0;
  for (auto _ : state) {
    const std::string& id = cases[i++ % cases.size()];
    auto events = log.ReadCase(id);
    items += events->size();
    benchmark::DoNotOptimize(
        FoldDeadlines(id, std::move(*events), *pack, Calendar::Default(), absl::CivilDay(2025, 9, 30)));
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_OneCaseDeadlines)->Unit(benchmark::kMicrosecond);

// The QA report over the whole log: every case read and folded as of the end
// of the period, then the indicators computed (what `carelog report qa` does
// before rendering).
void BM_QaReport(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  auto cases = *store->Streams();
  const absl::CivilDay from(2024, 10, 1), to(2025, 9, 30);
  int64_t items = 0;
  for (auto _ : state) {
    std::vector<QaCase> qa;
    qa.reserve(cases.size());
    for (const auto& id : cases) {
      auto events = log.ReadCase(id);
      items += events->size();
      QaCase c;
      c.case_id = id;
      c.events = *events;
      c.deadlines = FoldDeadlines(id, std::move(*events), *pack, Calendar::Default(), to);
      c.pack = pack;
      qa.push_back(std::move(c));
    }
    benchmark::DoNotOptimize(ComputeQaReport(qa, from, to, Calendar::Default()));
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_QaReport)->Unit(benchmark::kMillisecond);

// The other projections, each over the whole log (read + fold every case).
void BM_ReplayAuditTrails(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto registry = PolicyRegistry::LoadEmbedded();
  const ResolvedPack* pack = *registry->Find("england");
  auto cases = *store->Streams();
  CaseTrailOptions options;
  options.as_of = absl::CivilDay(2025, 9, 30);
  int64_t items = 0;
  for (auto _ : state) {
    for (const auto& id : cases) {
      auto events = log.ReadCase(id);
      items += events->size();
      benchmark::DoNotOptimize(BuildCaseTrail(id, *events, *pack, Calendar::Default(), options));
    }
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_ReplayAuditTrails)->Unit(benchmark::kMillisecond);

void BM_ReplayCaseSummaries(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto cases = *store->Streams();
  int64_t items = 0;
  for (auto _ : state) {
    for (const auto& id : cases) {
      auto events = log.ReadCase(id);
      items += events->size();
      benchmark::DoNotOptimize(SummariseCase(id, std::move(*events)));
    }
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_ReplayCaseSummaries)->Unit(benchmark::kMillisecond);

void BM_Replay903Export(benchmark::State& state) {
  EventStore* store = LoadedStore();
  EventLog log(store, SystemClock());
  auto cases = *store->Streams();
  int64_t items = 0;
  for (auto _ : state) {
    Ssda903Tables tables = Start903Tables();
    for (const auto& id : cases) {
      auto events = log.ReadCase(id);
      items += events->size();
      Append903Case(id, std::move(*events), 2024, &tables);
    }
    benchmark::DoNotOptimize(tables);
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_Replay903Export)->Unit(benchmark::kMillisecond);

// Deadlines answered from checkpoints (carelog's default path), beside the
// folds above: every case, and one case at a time. Items are the events the
// answers stand for.
struct Checkpointed {
  std::unique_ptr<PolicyRegistry> registry;
  std::unique_ptr<DeadlinesView> view;
  std::vector<std::string> cases;
  std::vector<uint64_t> events;  // per case
};
const Checkpointed& GetCheckpointed() {
  static const Checkpointed* c = [] {
    auto* out = new Checkpointed;
    EventStore* store = LoadedStore();
    out->registry = std::make_unique<PolicyRegistry>(*PolicyRegistry::LoadEmbedded());
    out->view = std::make_unique<DeadlinesView>(store, &Calendar::Default());
    CasePacks packs(store, out->registry.get());
    (void)out->view->Update(&packs, /*rebuild=*/true);
    out->cases = *store->Streams();
    for (const auto& id : out->cases) out->events.push_back(*store->StreamVersion(id));
    return out;
  }();
  return *c;
}

void BM_CheckpointedDeadlines(benchmark::State& state) {
  const Checkpointed& c = GetCheckpointed();
  const ResolvedPack* pack = *c.registry->Find("england");
  DeadlinesView::Options obligations_only;
  obligations_only.with_findings = false;
  int64_t items = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < c.cases.size(); ++i) {
      auto a = c.view->Get(c.cases[i], *pack, absl::CivilDay(2025, 9, 30), obligations_only);
      if (!a.ok() || !a->from_checkpoint) state.SkipWithError("not from a checkpoint");
      items += c.events[i];
      benchmark::DoNotOptimize(a);
    }
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_CheckpointedDeadlines)->Unit(benchmark::kMillisecond);

void BM_OneCaseCheckpointed(benchmark::State& state) {
  const Checkpointed& c = GetCheckpointed();
  const ResolvedPack* pack = *c.registry->Find("england");
  size_t i = 0;
  int64_t items = 0;
  for (auto _ : state) {
    const size_t k = i++ % c.cases.size();
    auto a = c.view->Get(c.cases[k], *pack, absl::CivilDay(2025, 9, 30));
    if (!a.ok() || !a->from_checkpoint) state.SkipWithError("not from a checkpoint");
    items += c.events[k];
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_OneCaseCheckpointed)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace carelog

BENCHMARK_MAIN();
