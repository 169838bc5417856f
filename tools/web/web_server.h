// The web application of carelog (`carelog serve --http ADDR`): pages for
// people — the IRO manager's work tray, the case page, QA, integrity —
// rendered on the server from the same query layer as the CLI and gRPC,
// over the same open EventStore (one writer: the access log and the verify
// record are appended by this process).
//
// HTTP is cpp-httplib (README "Dependencies": why that library and how its
// known weaknesses are fenced). Each request: limits on the request itself
// (no chunked bodies, 16 KiB of form at most), the session from its cookie,
// the page's roles (PageRoles), CSRF on every POST, the page, the security
// headers on every answer. A page that shows a child's record writes its
// access record first.
#ifndef CARELOG_TOOLS_WEB_WEB_SERVER_H_
#define CARELOG_TOOLS_WEB_WEB_SERVER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/base/clock.h"
#include "store/event_store.h"
#include "store/users.h"

namespace carelog {

struct WebOptions {
  std::string listen;  // host:port; port 0 picks a free one
  // Plain HTTP; refused unless `listen` is a loopback address.
  bool insecure_loopback = false;
  std::string tls_cert_pem, tls_key_pem;  // required without insecure_loopback
  UserTable users;
  // A header set by the council's single sign-on proxy naming the user (who
  // must be in `users`; the role is theirs there). "" = off (the default):
  // only then can no client claim a name by sending a header.
  std::string trusted_user_header;
  Clock* clock = nullptr;  // nullptr: the system clock
  int threads = 8;
};

class WebServer {
 public:
  // `store` is not owned and must outlive the server. kInvalidArgument for
  // plain HTTP on a non-loopback address, missing or unreadable TLS PEMs,
  // or no users; kUnavailable when it cannot listen.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<WebServer>> Start(EventStore* store,
                                                                        WebOptions options);
  ~WebServer();

  int port() const;
  bool tls() const;

  // Stops accepting, lets requests in flight finish. Idempotent.
  void Shutdown();

  struct Impl;

 private:
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_WEB_SERVER_H_
