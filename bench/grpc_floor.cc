// The floor under `carelog serve`'s appends (issue 18, target 6): a gRPC
// server with carelog's service and serve's thread settings whose Append
// stores nothing. It checks the bearer token, then answers each event with
// the next position. What service_load measures against it is what gRPC and
// the load clients alone cost on this machine: no append through `carelog
// serve` can be faster, whatever the store does, so bench/compare prints it
// beside carelog's and PostgreSQL's figures.
//
//   build/tools/service/grpc_floor --token-file FILE
//
// Listens on 127.0.0.1, port chosen by the system, prints
// "grpc_floor: serving on 127.0.0.1:PORT" and serves until SIGTERM or SIGINT.
// Exit 1 with a message when the token file cannot be read or the port
// cannot be had.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "carelog/v1/service.grpc.pb.h"
#include "tools/service/server.h"

namespace carelog {
namespace {

class FloorService final : public v1::Carelog::Service {
 public:
  explicit FloorService(std::string token) : bearer_(absl::StrCat("Bearer ", token)) {}

  grpc::Status Append(grpc::ServerContext* ctx, const v1::AppendRequest* req,
                      v1::AppendResponse* resp) override {
    // The one check every served call makes before its work.
    const auto& md = ctx->client_metadata();
    auto it = md.find("authorization");
    if (it == md.end() || std::string(it->second.data(), it->second.size()) != bearer_) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no or wrong bearer token");
    }
    const uint64_t first = next_.fetch_add(req->events_size()) + 1;
    for (int i = 0; i < req->events_size(); ++i) {
      resp->add_positions(first + i);
      resp->add_already_present(false);
    }
    resp->set_case_version(1);
    return grpc::Status::OK;
  }

 private:
  const std::string bearer_;
  std::atomic<uint64_t> next_{0};
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Run(int argc, char** argv) {
  std::string token_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--token-file" && i + 1 < argc) {
      token_file = argv[++i];
    } else {
      std::fprintf(stderr, "usage: grpc_floor --token-file FILE\n");
      return 2;
    }
  }
  std::ifstream in(token_file);
  std::string token;
  if (token_file.empty() || !std::getline(in, token)) {
    std::fprintf(stderr, "grpc_floor: cannot read a token from '%s'\n", token_file.c_str());
    return 1;
  }
  absl::StripAsciiWhitespace(&token);

  FloorService service(token);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  // serve's threads and limits at their defaults, so that the floor differs
  // from `carelog serve` only in what Append does.
  ApplyServeLimits(ServeOptions(), &builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "grpc_floor: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::printf("grpc_floor: serving on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  while (!g_stop.load()) pause();
  server->Shutdown();
  return 0;
}

}  // namespace
}  // namespace carelog

int main(int argc, char** argv) {
  // As carelog's own main (tools/main.cc): the floor runs serve's settings.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return carelog::Run(argc, argv);
}
