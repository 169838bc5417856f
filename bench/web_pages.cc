// The web application's page timings (issue 16: the work tray "must answer
// in well under a second for a large council (>= 2,000 children, >= 300,000
// events) — measure it in bench/"). Starts the web server in this process
// over a store (opened read-write: each page writes its access record, as in
// production), signs in, and fetches each page over HTTP on loopback `runs`
// times: the time a browser waits for the whole page. Beside each, its query
// alone in the same process, so the page's own cost (access record, HTML,
// HTTP) is a ratio; and the tray once more folded from the log (no
// checkpoints), the cost the checkpoints spare every morning.
//
//   web_pages_bench STORE AS_OF [RUNS]
//
// bench/council runs it on a 2,000-child, ~348k-event store.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/calendar.h"
#include "httplib.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/web/web_server.h"

namespace carelog {
namespace {

struct Timing {
  double p50 = 0, p99 = 0, max = 0;
};

template <typename F>
Timing Measure(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  return {at(0.5), at(0.99), ms.back()};
}

int Run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: web_pages_bench STORE AS_OF [RUNS]\n");
    return 2;
  }
  auto as_of = ParseDate(argv[2]);
  int runs = 20;
  if (!as_of.ok() || (argc > 3 && (!absl::SimpleAtoi(argv[3], &runs) || runs < 1))) {
    std::fprintf(stderr, "web_pages_bench: AS_OF is YYYY-MM-DD, RUNS a positive number\n");
    return 2;
  }
  StoreOptions so;
  so.create_if_missing = false;
  auto store = EventStore::Open(argv[1], so);
  if (!store.ok()) {
    std::fprintf(stderr, "web_pages_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::string password = "bench-password-long-enough";
  WebOptions o;
  o.listen = "127.0.0.1:0";
  o.insecure_loopback = true;
  if (!o.users.Add("bench", "auditor", password, absl::Now()).ok()) return 1;
  auto server = WebServer::Start(store->get(), std::move(o));
  if (!server.ok()) {
    std::fprintf(stderr, "web_pages_bench: %s\n", server.status().ToString().c_str());
    return 1;
  }
  httplib::Client client("127.0.0.1", (*server)->port());
  auto form = client.Get("/login");
  const std::string login_cookie = form->get_header_value("Set-Cookie").substr(0, form->get_header_value("Set-Cookie").find(';'));
  auto signed_in = client.Post(
      "/login", {{"Cookie", login_cookie}},
      absl::StrCat("name=bench&password=", password, "&csrf_token=", login_cookie.substr(login_cookie.find('=') + 1)),
      "application/x-www-form-urlencoded");
  if (!signed_in || signed_in->status != 303) {
    std::fprintf(stderr, "web_pages_bench: cannot sign in\n");
    return 1;
  }
  const std::string cookie = signed_in->get_header_value("Set-Cookie").substr(0, signed_in->get_header_value("Set-Cookie").find(';'));
  auto queries = Queries::WithEmbeddedPacks(store->get());
  if (!queries.ok()) return 1;
  const std::string day = FormatDate(*as_of);

  // The case of the page: the tray's first row (an IRO manager's next click).
  auto tray = (*queries)->WorkTray(*as_of, WorkTrayFilter{}, kWorkTrayDefaultWorkingDays);
  if (!tray.ok() || tray->rows.empty()) {
    std::fprintf(stderr, "web_pages_bench: the tray at %s is empty\n", day.c_str());
    return 1;
  }
  const std::string case_id = tray->rows.front().case_id;
  const absl::CivilDay quarter(as_of->year(), ((static_cast<int>(as_of->month()) - 1) / 3) * 3 + 1, 1);

  struct Page {
    const char* name;
    std::string path;
    std::function<bool()> query;  // the page's query alone
  };
  std::vector<Page> pages = {
      {"work tray", absl::StrCat("/?asOf=", day),
       [&] { return (*queries)->WorkTray(*as_of, WorkTrayFilter{}, kWorkTrayDefaultWorkingDays).ok(); }},
      {"case list", absl::StrCat("/cases?asOf=", day),
       [&] { return (*queries)->CaseList(*as_of, CaseListFilter{}).ok(); }},
      {"case page", absl::StrCat("/cases/", case_id, "?asOf=", day),
       [&] {
         CaseTrailOptions t;
         t.as_of = *as_of;
         return (*queries)->State(case_id, *as_of, std::nullopt).ok() && (*queries)->Audit(case_id, t).ok();
       }},
      {"QA (quarter)", absl::StrCat("/qa?from=", FormatDate(quarter), "&to=", day),
       [&] { return (*queries)->Qa(quarter, *as_of).ok(); }},
  };
  std::printf("web pages over HTTP on loopback, %d runs each, store %s (%llu records), as of %s\n",
              runs, argv[1], static_cast<unsigned long long>((*store)->LastPosition()), day.c_str());
  std::printf("%-14s %10s %10s %10s %8s   %-22s %s\n", "page", "p50 ms", "p99 ms", "bytes", "status",
              "query alone p50 ms", "page/query");
  for (const Page& p : pages) {
    size_t bytes = 0;
    int status = 0;
    const int n = p.name == std::string("QA (quarter)") ? std::max(3, runs / 5) : runs;
    Timing page = Measure(n, [&] {
      auto r = client.Get(p.path, {{"Cookie", cookie}});
      status = r ? r->status : -1;
      bytes = r ? r->body.size() : 0;
    });
    bool ok = true;
    Timing query = Measure(n, [&] { ok = ok && p.query(); });
    std::printf("%-14s %10.1f %10.1f %10zu %8d   %-22.1f %.2f\n", p.name, page.p50, page.p99, bytes, status,
                query.p50, page.p50 / std::max(query.p50, 0.001));
    if (status != 200 || !ok) return 1;
  }
  Timing folded = Measure(1, [&] {
    (void)(*queries)->WorkTray(*as_of, WorkTrayFilter{}, kWorkTrayDefaultWorkingDays, /*use_checkpoints=*/false);
  });
  Timing tray_page = Measure(runs, [&] { (void)client.Get(pages[0].path, {{"Cookie", cookie}}); });
  std::printf("work tray folded from the log (no checkpoints): %.1f ms; the page from checkpoints is %.1fx faster\n",
              folded.p50, folded.p50 / std::max(tray_page.p50, 0.001));
  (*server)->Shutdown();
  return 0;
}

}  // namespace
}  // namespace carelog

int main(int argc, char** argv) { return carelog::Run(argc, argv); }
