// How much memory stalled subscribers cost `carelog serve` (issue 12 point
// 14): starts the given carelog binary's `serve` on a loopback port over a
// fresh store, appends E events of about B bytes each, then opens N Subscribe
// streams from position 1 (each on its own connection) that never read, and
// prints the server's resident memory (VmRSS from /proc) before and after,
// and its peak (VmHWM). Bounded: at most 256 subscribers, 2000 events of at
// most 1 MiB, a few seconds.
//
//   build/tools/service/subscriber_memory --carelog build/tools/carelog
//       [--subscribers 64] [--events 300] [--event-bytes 40000] [--settle 5]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "carelog/v1/service.grpc.pb.h"

namespace {

// "VmRSS" or "VmHWM" of a process, in MiB (-1 when unreadable).
double MemoryMiB(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    int64_t kb = 0;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (absl::SimpleAtoi(digits, &kb)) return kb / 1024.0;
  }
  return -1;
}

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

carelog::v1::Event MakeEvent(int i, size_t bytes) {
  carelog::v1::Event e;
  e.set_event_id(absl::StrCat("mem-", i));
  e.set_case_id("C-MEM");
  e.mutable_occurred_at()->set_seconds(1709287200);  // 2024-03-01T10:00:00Z
  e.mutable_actor()->set_id("sw-1");
  if (i == 0) {
    e.mutable_actor()->set_role(carelog::v1::SOCIAL_WORKER);
    e.mutable_child_accommodated()->set_legal_status("C2");
    e.mutable_child_accommodated()->set_placement_type("U1");
  } else {
    e.mutable_actor()->set_role(carelog::v1::IRO_MANAGER);
    e.mutable_iro_allocated()->set_iro_id("iro-1");
  }
  e.set_comment(std::string(bytes, 'x'));
  return e;
}

int Main(int argc, char** argv) {
  std::string carelog;
  int subscribers = 64, events = 300, settle = 5;
  int64_t event_bytes = 40000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    bool ok = true;
    if (a == "--carelog") carelog = next();
    else if (a == "--subscribers") ok = absl::SimpleAtoi(next(), &subscribers) && subscribers > 0 && subscribers <= 256;
    else if (a == "--events") ok = absl::SimpleAtoi(next(), &events) && events > 1 && events <= 2000;
    else if (a == "--event-bytes") ok = absl::SimpleAtoi(next(), &event_bytes) && event_bytes >= 0 && event_bytes <= (1 << 20) - 200;
    else if (a == "--settle") ok = absl::SimpleAtoi(next(), &settle) && settle > 0 && settle <= 60;
    else ok = false;
    if (!ok || carelog.empty()) {
      std::fprintf(stderr,
                   "usage: subscriber_memory --carelog BIN [--subscribers N<=256] [--events E<=2000] "
                   "[--event-bytes B<1MiB] [--settle SECONDS<=60]\n");
      return 2;
    }
  }
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / absl::StrCat("carelog-submem-", getpid());
  fs::create_directories(tmp);
  const std::string tokens = (tmp / "tokens").string();
  const std::string writer = Run(absl::StrCat(carelog, " token add --config ", tokens,
                                              " --name w --role writer"));
  const std::string reader = Run(absl::StrCat(carelog, " token add --config ", tokens,
                                              " --name r --role reader"));
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return 1;
  const pid_t server = fork();
  if (server == 0) {
    dup2(out_pipe[1], 1);
    close(out_pipe[0]);
    const std::string store = (tmp / "store").string();
    execl(carelog.c_str(), carelog.c_str(), "serve", "--store", store.c_str(), "--tokens",
          tokens.c_str(), "--listen", "127.0.0.1:0", "--insecure-loopback",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  std::string banner;
  char c;
  while (read(out_pipe[0], &c, 1) == 1 && c != '\n') banner.push_back(c);
  // The port serve chose: the digits after "127.0.0.1:" in its banner.
  const std::string host = "127.0.0.1:";
  const size_t at = banner.find(host);
  size_t digits = 0;
  while (at != std::string::npos && at + host.size() + digits < banner.size() &&
         std::isdigit(static_cast<unsigned char>(banner[at + host.size() + digits]))) {
    ++digits;
  }
  if (digits == 0) {
    std::fprintf(stderr, "subscriber_memory: no banner from serve: '%s'\n", banner.c_str());
    kill(server, SIGKILL);
    return 1;
  }
  const std::string target = banner.substr(at, host.size() + digits);
  auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(60); };

  {
    auto stub = carelog::v1::Carelog::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    for (int i = 0; i < events;) {
      carelog::v1::AppendRequest req;
      int64_t bytes = 0;
      do {
        *req.add_events() = MakeEvent(i++, event_bytes);
        bytes += event_bytes;
      } while (i < events && bytes + event_bytes < (4 << 20));
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + writer);
      ctx.set_deadline(deadline());
      carelog::v1::AppendResponse resp;
      grpc::Status s = stub->Append(&ctx, req, &resp);
      if (!s.ok()) {
        std::fprintf(stderr, "subscriber_memory: append: %s\n", s.error_message().c_str());
        kill(server, SIGKILL);
        return 1;
      }
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double before = MemoryMiB(server, "VmRSS");

  struct Subscriber {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<carelog::v1::Carelog::Stub> stub;
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<carelog::v1::SubscribeResponse>> reader;
  };
  std::vector<std::unique_ptr<Subscriber>> subs;
  for (int i = 0; i < subscribers; ++i) {
    auto s = std::make_unique<Subscriber>();
    grpc::ChannelArguments args;
    args.SetInt("carelog.subscriber", i);  // a connection of its own
    s->channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    s->stub = carelog::v1::Carelog::NewStub(s->channel);
    s->ctx.AddMetadata("authorization", "Bearer " + reader);
    carelog::v1::SubscribeRequest req;
    req.set_from_position(1);
    s->reader = s->stub->Subscribe(&s->ctx, req);  // and never read
    subs.push_back(std::move(s));
  }
  double peak_rss = 0;
  for (int t = 0; t < settle * 4; ++t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    peak_rss = std::max(peak_rss, MemoryMiB(server, "VmRSS"));
  }
  const double after = MemoryMiB(server, "VmRSS");
  const double hwm = MemoryMiB(server, "VmHWM");
  std::printf(
      "%d events of ~%lld bytes, %d stalled subscribers: server RSS %.0f MiB before, %.0f MiB "
      "after (peak sampled %.0f MiB, VmHWM %.0f MiB): %.1f MiB per subscriber\n",
      events, static_cast<long long>(event_bytes), subscribers, before, after, peak_rss, hwm,
      (peak_rss - before) / subscribers);
  for (auto& s : subs) s->ctx.TryCancel();
  subs.clear();
  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
