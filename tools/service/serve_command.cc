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
#include "store/users.h"
#include "tools/web/web_server.h"

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

constexpr char kServeUsage[] =
    "carelog: usage: serve [--store DIR] [--listen ADDR --tokens FILE] [--http ADDR "
    "[--users FILE] [--http-insecure-loopback] [--http-trusted-user-header NAME]] "
    "(--tls-cert FILE --tls-key FILE [--client-ca FILE] | --insecure-loopback) "
    "[--grace SECONDS]\n";

int RunServe(const Args& args) {
  auto flag = [&](const char* name) {
    auto it = args.flags.find(name);
    return it == args.flags.end() ? std::string() : it->second;
  };
  ServeOptions opts;
  opts.listen = flag("listen");
  opts.insecure_loopback = args.flags.count("insecure-loopback") > 0;
  const std::string tokens_path = flag("tokens");
  const std::string http = flag("http");
  const bool grpc = !opts.listen.empty() || !tokens_path.empty();
  if ((grpc && (opts.listen.empty() || tokens_path.empty())) || (!grpc && http.empty()) ||
      !args.positional.empty()) {
    std::fputs(kServeUsage, stderr);
    return 2;
  }
  const bool http_plain = args.flags.count("http-insecure-loopback") > 0;
  if (http.empty() && (http_plain || !flag("users").empty() ||
                       !flag("http-trusted-user-header").empty())) {
    std::fprintf(stderr, "carelog: --users, --http-insecure-loopback and "
                         "--http-trusted-user-header go with --http ADDR\n");
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
  if (grpc) {
    auto tokens = TokenTable::Load(tokens_path);
    if (!tokens.ok()) return ReportError(tokens.status());
    if (tokens->entries().empty()) {
      std::fprintf(stderr, "carelog: no tokens in %s: add one with `carelog token add`\n",
                   tokens_path.c_str());
      return 1;
    }
    opts.tokens = std::move(*tokens);
  }
  WebOptions web;
  if (!http.empty()) {
    web.listen = http;
    web.insecure_loopback = http_plain;
    web.tls_cert_pem = opts.tls_cert_pem;
    web.tls_key_pem = opts.tls_key_pem;
    web.trusted_user_header = flag("http-trusted-user-header");
    const std::string users_path = UsersPath(args);
    auto users = UserTable::Load(users_path);
    if (!users.ok()) return ReportError(users.status());
    if (users->entries().empty()) {
      std::fprintf(stderr,
                   "carelog: nobody may sign in: %s has no users; add one with `carelog user add "
                   "--name NAME --role ROLE`\n",
                   users_path.c_str());
      return 1;
    }
    web.users = std::move(*users);
  }

  // SIGTERM/SIGINT are taken by sigwait below: block them before gRPC starts
  // its threads, which inherit the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto store = EventStore::Open(StoreDir(args), CliStoreOptions());
  if (!store.ok()) return ReportError(store.status());
  std::unique_ptr<CarelogServer> server;
  if (grpc) {
    const std::string listen = opts.listen;
    const bool plain = opts.insecure_loopback;
    const bool mtls = !opts.client_ca_pem.empty();
    auto started = CarelogServer::Start(store->get(), std::move(opts));
    if (!started.ok()) return ReportError(started.status());
    server = std::move(*started);
    const size_t colon = listen.rfind(':');
    std::printf("carelog: serving %s on %s:%d (%s), log at position %llu\n",
                StoreDir(args).c_str(), listen.substr(0, colon).c_str(), server->port(),
                plain ? "plain text, loopback only"
                      : mtls ? "TLS, client certificates required" : "TLS",
                static_cast<unsigned long long>((*store)->LastPosition()));
  }
  std::unique_ptr<WebServer> web_server;
  if (!http.empty()) {
    auto started = WebServer::Start(store->get(), std::move(web));
    if (!started.ok()) {
      if (server) server->Shutdown(absl::Seconds(grace_seconds));
      return ReportError(started.status());
    }
    web_server = std::move(*started);
    const size_t colon = http.rfind(':');
    std::printf("carelog: web application of %s at %s://%s:%d/ (%s)\n", StoreDir(args).c_str(),
                web_server->tls() ? "https" : "http", http.substr(0, colon).c_str(),
                web_server->port(),
                web_server->tls() ? "HTTPS" : "plain HTTP, loopback only");
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&sigs, &sig);
  std::fprintf(stderr, "carelog: %s: shutting down (in-flight calls get %d s)\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", grace_seconds);
  if (web_server) web_server->Shutdown();
  if (server) server->Shutdown(absl::Seconds(grace_seconds));
  web_server.reset();
  server.reset();
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
  RegisterCommand("serve",
                  {"listen", "tokens", "tls-cert", "tls-key", "client-ca", "grace", "http", "users",
                   "http-trusted-user-header"},
                  {"insecure-loopback", "http-insecure-loopback"}, RunServe);
  return true;
}();

}  // namespace
}  // namespace carelog
