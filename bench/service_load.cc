// A bounded load test of the gRPC service: N concurrent clients append over
// loopback for at most S seconds (or M appends in all); prints appends/s and
// p50/p99 latency, then checks that the log holds exactly what was
// acknowledged — every acknowledged event at its acknowledged position, and
// no other event.
//
//   build/tools/service/service_load --clients 8 --seconds 10 [--max-appends 200000]
//       [--batch 1] [--no-sync] [--store DIR]
//   build/tools/service/service_load --connect 127.0.0.1:PORT --token-file FILE [--store DIR]
//       [--clients 8 --seconds 10 --max-appends M --batch K]
//
// By default it starts the server in this process on a fresh store. With
// --connect it loads a running `carelog serve` instead (bench/compare does:
// a separate process, as a council's would be), with the writer token read
// from FILE. The check then needs the served store's directory (--store),
// which it opens read-only beside the server; it counts only what follows
// the log's end at the start, so the store need not be empty. Without
// --store it checks nothing. Whether appends are synced is the server's
// business then (--no-sync is refused).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "carelog/v1/service.grpc.pb.h"
#include "store/event_store.h"
#include "engine/access_log.h"
#include "tools/service/server.h"
#include "store/service_tokens.h"

namespace carelog {
namespace {

struct Ack {
  std::string id;
  uint64_t position;
};

v1::Event MakeEvent(const std::string& id, const std::string& case_id, bool first) {
  v1::Event e;
  e.set_event_id(id);
  e.set_case_id(case_id);
  e.mutable_occurred_at()->set_seconds(1709287200);  // 2024-03-01T10:00:00Z
  e.mutable_actor()->set_id("load-1");
  e.mutable_actor()->set_role(first ? v1::SOCIAL_WORKER : v1::IRO_MANAGER);
  e.set_source("service_load");
  if (first) {
    e.mutable_child_accommodated()->set_legal_status("C2");
    e.mutable_child_accommodated()->set_placement_type("U1");
  } else {
    e.mutable_iro_allocated()->set_iro_id("iro-7");
  }
  return e;
}

struct Load {
  std::vector<double> latencies;  // microseconds, sorted
  std::vector<Ack> acks;
  int64_t failures = 0;
  double elapsed = 0;  // seconds
};

// `clients` threads, each on its own channel to `target`, append until
// `seconds` pass or `max_appends` calls were made in all.
Load RunClients(const std::string& target, const std::string& token, int clients, int seconds,
                int64_t max_appends, int batch) {
  std::atomic<int64_t> budget{max_appends};
  std::atomic<int64_t> failures{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::vector<Ack>> acks(clients);
  std::vector<std::thread> threads;
  // Case ids unique to this run, so that a served store that already holds
  // an earlier run's cases takes these as new ones.
  const std::string run = absl::StrCat(getpid(), "-", absl::ToUnixMicros(absl::Now()));
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      // One channel per client, as separate upstream systems would have.
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", c);  // distinct channels, not one shared
      auto stub = v1::Carelog::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
      constexpr int kCases = 10;
      std::vector<bool> opened(kCases, false);
      for (int64_t n = 0; std::chrono::steady_clock::now() < deadline && budget.fetch_sub(1) > 0;
           ++n) {
        const int k = static_cast<int>(n % kCases);
        const std::string case_id = absl::StrCat("L-", run, "-", c, "-", k);
        v1::AppendRequest req;
        for (int b = 0; b < batch; ++b) {
          *req.add_events() = MakeEvent(absl::StrCat("load-", run, "-", c, "-", n, "-", b),
                                        case_id, !opened[k] && b == 0);
        }
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + token);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::AppendResponse resp;
        const auto t0 = std::chrono::steady_clock::now();
        grpc::Status s = stub->Append(&ctx, req, &resp);
        const auto t1 = std::chrono::steady_clock::now();
        if (!s.ok()) {
          ++failures;
          std::fprintf(stderr, "append failed: %d %s\n", s.error_code(), s.error_message().c_str());
          continue;
        }
        opened[k] = true;
        latencies[c].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        for (int b = 0; b < batch; ++b) {
          acks[c].push_back(Ack{req.events(b).event_id(), resp.positions(b)});
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  Load load;
  load.elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  load.failures = failures.load();
  for (int c = 0; c < clients; ++c) {
    load.latencies.insert(load.latencies.end(), latencies[c].begin(), latencies[c].end());
    load.acks.insert(load.acks.end(), acks[c].begin(), acks[c].end());
  }
  std::sort(load.latencies.begin(), load.latencies.end());
  return load;
}

void PrintLoad(const Load& load, int clients, int batch, const char* sync) {
  const auto& all = load.latencies;
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf("clients %d, batch %d, sync %s: %zu appends (%zu events) in %.2f s = %.0f appends/s "
              "(%.0f events/s); latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; %lld failed\n",
              clients, batch, sync, all.size(), load.acks.size(), load.elapsed,
              all.size() / load.elapsed, load.acks.size() / load.elapsed, pct(0.50) / 1000,
              pct(0.99) / 1000, all.empty() ? 0.0 : all.back() / 1000,
              static_cast<long long>(load.failures));
}

// The log holds exactly what was acknowledged: every acknowledged event at
// its position, and no other event after position `before` (the log's end
// when the load began). Prints the verdict; true when it holds.
bool CheckLog(const EventStoreReader& store, const Load& load, uint64_t before) {
  size_t in_log = 0;
  bool ok = true;
  for (const Ack& a : load.acks) {
    auto rec = store.Lookup(a.id);
    if (!rec.ok() || rec->position != a.position) {
      std::fprintf(stderr, "acknowledged %s at %llu is not there\n", a.id.c_str(),
                   static_cast<unsigned long long>(a.position));
      ok = false;
    }
  }
  absl::Status scan = store.ScanLog(before + 1, [&](const StoredRecord& r) {
    if (!IsSystemStream(r.stream)) ++in_log;
    return true;
  });
  if (!scan.ok() || in_log != load.acks.size()) ok = false;
  auto verify = store.Verify();
  if (!verify.ok() || !verify->ok) ok = false;
  std::printf("check: %zu acknowledged events, %zu events in the log after position %llu, "
              "verify %s: %s\n",
              load.acks.size(), in_log, static_cast<unsigned long long>(before),
              verify.ok() && verify->ok ? "ok" : "FAILED", ok ? "OK" : "MISMATCH");
  return ok;
}

// --connect: a running server, checked through a read-only open of its store.
int RunAgainst(const std::string& target, const std::string& token_file,
               const std::string& store_dir, int clients, int seconds, int64_t max_appends,
               int batch) {
  std::ifstream f(token_file);
  std::string token;
  if (f) std::getline(f, token);
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) {
    std::fprintf(stderr, "service_load: no token in %s\n", token_file.c_str());
    return 1;
  }
  uint64_t before = 0;
  if (!store_dir.empty()) {
    auto store = EventStoreReader::Open(store_dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
      return 1;
    }
    before = (*store)->LastPosition();
  }
  const Load load = RunClients(target, token, clients, seconds, max_appends, batch);
  PrintLoad(load, clients, batch, "as served");
  bool ok = true;
  if (!store_dir.empty()) {
    // Opened after the load: it sees every append acknowledged (each is in
    // the served store's synced write-ahead log, which a read-only open reads).
    auto store = EventStoreReader::Open(store_dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
      return 1;
    }
    ok = CheckLog(**store, load, before);
  }
  return ok && load.failures == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  int clients = 8, seconds = 10, batch = 1;
  int64_t max_appends = 200000;
  bool sync = true;
  std::string store_dir, connect, token_file;
  bool usage_ok = true;
  for (int i = 1; i < argc && usage_ok; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    bool ok = true;
    if (a == "--clients") ok = absl::SimpleAtoi(next(), &clients) && clients > 0 && clients <= 256;
    else if (a == "--seconds") ok = absl::SimpleAtoi(next(), &seconds) && seconds > 0 && seconds <= 120;
    else if (a == "--max-appends") ok = absl::SimpleAtoi(next(), &max_appends) && max_appends > 0;
    else if (a == "--batch") ok = absl::SimpleAtoi(next(), &batch) && batch > 0 && batch <= 1000;
    else if (a == "--no-sync") sync = false;
    else if (a == "--store") ok = !(store_dir = next()).empty();
    else if (a == "--connect") ok = !(connect = next()).empty();
    else if (a == "--token-file") ok = !(token_file = next()).empty();
    else ok = false;
    usage_ok = ok;
  }
  if (!usage_ok || connect.empty() != token_file.empty() || (!connect.empty() && !sync)) {
    std::fprintf(stderr,
                 "usage: service_load [--clients N<=256] [--seconds S<=120] [--max-appends M] "
                 "[--batch K] [--no-sync] [--store DIR]\n"
                 "       service_load --connect HOST:PORT --token-file FILE [--store DIR] "
                 "[--clients N] [--seconds S] [--max-appends M] [--batch K]\n");
    return 2;
  }
  if (!connect.empty()) {
    return RunAgainst(connect, token_file, store_dir, clients, seconds, max_appends, batch);
  }
  const bool temp = store_dir.empty();
  if (temp) store_dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                     "/carelog-load-", getpid());
  std::filesystem::remove_all(store_dir);
  StoreOptions so;
  so.sync = sync;
  auto store = EventStore::Open(store_dir, so);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  const std::string token = *NewToken();
  ServeOptions opts;
  opts.listen = "127.0.0.1:0";  // loopback only
  opts.insecure_loopback = true;
  opts.tokens = *TokenTable::Parse(absl::StrCat("load writer ", TokenHashHex(token), "\n"), "load");
  auto server = CarelogServer::Start(store->get(), std::move(opts));
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  const Load load = RunClients(absl::StrCat("127.0.0.1:", (*server)->port()), token, clients,
                               seconds, max_appends, batch);
  (*server)->Shutdown(absl::Seconds(5));
  PrintLoad(load, clients, batch, sync ? "on" : "off");
  const bool ok = CheckLog(**store, load, 0);
  server->reset();
  store->reset();
  if (temp) std::filesystem::remove_all(store_dir);
  return ok && load.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace carelog

int main(int argc, char** argv) { return carelog::Main(argc, argv); }
