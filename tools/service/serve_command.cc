// `carelog serve`: the gRPC service until SIGTERM or SIGINT. Compiled into
// the `carelog` binary only (it registers itself), so carelog_cli and the
// tests that use it do not link gRPC.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/commands.h"
#include "tools/service/server.h"
#include "store/service_tokens.h"

namespace carelog {
namespace {

bool Slurp(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

int RunServe(const Args& args) {
  auto flag = [&](const char* name) {
    auto it = args.flags.find(name);
    return it == args.flags.end() ? std::string() : it->second;
  };
  ServeOptions opts;
  opts.listen = flag("listen");
  opts.insecure_loopback = args.flags.count("insecure-loopback") > 0;
  const std::string tokens_path = flag("tokens");
  if (opts.listen.empty() || tokens_path.empty() || !args.positional.empty()) {
    std::fprintf(stderr,
                 "carelog: usage: serve [--store DIR] --listen ADDR --tokens FILE (--tls-cert "
                 "FILE --tls-key FILE [--client-ca FILE] | --insecure-loopback) "
                 "[--grace SECONDS]\n");
    return 2;
  }
  int grace_seconds = 10;
  if (!flag("grace").empty() && (!absl::SimpleAtoi(flag("grace"), &grace_seconds) ||
                                 grace_seconds < 0)) {
    std::fprintf(stderr, "carelog: --grace wants whole seconds\n");
    return 2;
  }
  for (const auto& [name, field] :
       {std::pair<const char*, std::string*>{"tls-cert", &opts.tls_cert_pem},
        {"tls-key", &opts.tls_key_pem},
        {"client-ca", &opts.client_ca_pem}}) {
    const std::string path = flag(name);
    if (path.empty()) continue;
    if (opts.insecure_loopback) {
      std::fprintf(stderr, "carelog: --%s and --insecure-loopback exclude each other\n", name);
      return 2;
    }
    if (!Slurp(path, field)) {
      std::fprintf(stderr, "carelog: cannot read --%s %s\n", name, path.c_str());
      return 1;
    }
  }
  auto tokens = TokenTable::Load(tokens_path);
  if (!tokens.ok()) return ReportError(tokens.status());
  if (tokens->entries().empty()) {
    std::fprintf(stderr, "carelog: no tokens in %s: add one with `carelog token add`\n",
                 tokens_path.c_str());
    return 1;
  }
  opts.tokens = std::move(*tokens);

  // SIGTERM/SIGINT are taken by sigwait below: block them before gRPC starts
  // its threads, which inherit the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto store = EventStore::Open(StoreDir(args));
  if (!store.ok()) return ReportError(store.status());
  const std::string listen = opts.listen;
  const bool plain = opts.insecure_loopback;
  const bool mtls = !opts.client_ca_pem.empty();
  auto server = CarelogServer::Start(store->get(), std::move(opts));
  if (!server.ok()) return ReportError(server.status());
  const size_t colon = listen.rfind(':');
  std::printf("carelog: serving %s on %s:%d (%s), log at position %llu\n",
              StoreDir(args).c_str(), listen.substr(0, colon).c_str(), (*server)->port(),
              plain ? "plain text, loopback only" : mtls ? "TLS, client certificates required" : "TLS",
              static_cast<unsigned long long>((*store)->LastPosition()));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&sigs, &sig);
  std::fprintf(stderr, "carelog: %s: shutting down (in-flight calls get %d s)\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", grace_seconds);
  (*server)->Shutdown(absl::Seconds(grace_seconds));
  server->reset();
  // Cases written while serving are caught up in the checkpoints (when the
  // store keeps them), so the next process answers them without a replay. A
  // failure here loses nothing: stale checkpoints are detected and refolded.
  auto caught_up = CatchUpDeadlinesCheckpoints(store->get());
  if (!caught_up.ok()) {
    std::fprintf(stderr, "carelog: deadlines checkpoints not caught up: %s\n",
                 std::string(caught_up.status().message()).c_str());
  } else if (*caught_up) {
    std::fprintf(stderr, "carelog: deadlines checkpoints caught up: %llu cases folded\n",
                 static_cast<unsigned long long>((*caught_up)->folded));
  }
  const uint64_t last = (*store)->LastPosition();
  store->reset();
  std::fprintf(stderr, "carelog: stopped; log at position %llu\n",
               static_cast<unsigned long long>(last));
  return 0;
}

const bool kRegistered = [] {
  RegisterCommand("serve", {"listen", "tokens", "tls-cert", "tls-key", "client-ca", "grace"},
                  {"insecure-loopback"}, RunServe);
  return true;
}();

}  // namespace
}  // namespace carelog
