// The gRPC service of carelog (proto/carelog/v1/service.proto) over an open
// EventStore: authentication by bearer token and role, TLS, the access log,
// server reflection and the standard health service. `carelog serve` is a
// thin wrapper (serve_command.cc); tests start it in-process. Reflection is
// served as grpc.reflection.v1alpha (libgrpc++_reflection) and
// grpc.reflection.v1 (reflection_v1.h).
#ifndef CARELOG_TOOLS_SERVICE_SERVER_H_
#define CARELOG_TOOLS_SERVICE_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/event_store.h"
#include "store/service_tokens.h"
#include "tools/loopback_address.h"

namespace grpc {
class Server;
class ServerBuilder;
class Service;
}  // namespace grpc

namespace carelog {

// The largest request the server reads (gRPC refuses a bigger one with
// RESOURCE_EXHAUSTED before parsing it): an Append batch of up to 8 events
// of the largest size (engine/limits.h kMaxEventBytes, 1 MiB), or thousands
// of ordinary ones. Bounds what one call can make the server hold.
inline constexpr int kMaxRequestBytes = 8 << 20;

// What one Subscribe reads from the store at a time, at most: so a stalled
// subscriber holds about this much (plus one event and gRPC's buffers).
inline constexpr size_t kSubscribeBatchBytes = 1 << 20;

struct ServeOptions {
  // host:port as gRPC takes it ("127.0.0.1:0" picks a free port).
  std::string listen;
  // Plain text; refused unless `listen` is a loopback address.
  bool insecure_loopback = false;
  // PEM contents. Without insecure_loopback, cert and key are required;
  // with client_ca_pem, clients must present a certificate it signed.
  std::string tls_cert_pem, tls_key_pem, client_ca_pem;
  TokenTable tokens;
  // Records one Subscribe reads from the store at a time, at most; the read
  // also stops once it holds subscribe_batch_bytes of records (its memory
  // bound: whichever comes first, at least one record).
  size_t subscribe_batch = 256;
  size_t subscribe_batch_bytes = kSubscribeBatchBytes;
  // Threads the server may run calls on (each Subscribe holds one); calls
  // beyond get RESOURCE_EXHAUSTED.
  int max_threads = 512;
  // Threads kept waiting for the next call once theirs is answered. gRPC's
  // default keeps 2: with more clients calling at once, it ends a thread
  // after almost every call and starts another for the next one (a clone
  // and a stack per call, ~5% of the CPU of 8 appending clients).
  int idle_threads = 32;
};


// Gives `builder` serve's threads (options.max_threads, options.idle_threads
// kept waiting) and request size limit (kMaxRequestBytes). Start uses it;
// so does bench/grpc_floor.cc, so that the floor it measures is served as
// `carelog serve` is.
void ApplyServeLimits(const ServeOptions& options, grpc::ServerBuilder* builder);

class CarelogService;

class CarelogServer {
 public:
  // `store` is not owned and must outlive the server. kInvalidArgument for
  // insecure_loopback on a non-loopback address or missing TLS files;
  // kUnavailable when it cannot listen.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<CarelogServer>> Start(EventStore* store,
                                                                            ServeOptions options);
  ~CarelogServer();

  int port() const { return port_; }

  // Graceful: health goes NOT_SERVING, new calls are refused, subscriptions
  // end with UNAVAILABLE, calls in flight (appends) get `grace` to finish and
  // are then cancelled; the store is synced. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  CarelogServer() = default;
  EventStore* store_ = nullptr;
  std::unique_ptr<CarelogService> service_;
  std::unique_ptr<grpc::Service> reflection_v1_;  // grpc.reflection.v1 (reflection_v1.h)
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace carelog

#endif  // CARELOG_TOOLS_SERVICE_SERVER_H_
