#include "tools/web/web_server.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "httplib.h"
#include "projections/views/queries.h"
#include "store/base/status_macros.h"
#include "tools/loopback_address.h"
#include "tools/web/auth/login_throttle.h"
#include "tools/web/auth/sessions.h"
#include "tools/web/form.h"
#include "tools/web/look/assets.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/pages.h"
#include "tools/web/web_page.h"

namespace carelog {
namespace {

constexpr char kSessionCookie[] = "clg_session";
// The sign-in form's double-submit token: the form carries the cookie's
// value, which a page of another site can neither read nor set.
constexpr char kLoginCookie[] = "clg_login";
// Forms here are a few fields; anything bigger is not ours.
constexpr size_t kMaxBodyBytes = 16 << 10;

// No inline script or style anywhere: the pages need neither, and this
// makes an injected one inert even if escaping ever failed.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

struct Route {
  const char* name;    // PageRoles' key
  const char* method;  // "GET" or "POST"
  const char* path;
  bool prefix;         // path is a prefix (the rest is the page's)
  WebResponse (*page)(const PageEnv&, const WebRequest&, const Viewer&);
};

// Every page behind a sign-in. Longest prefix first where they overlap.
const std::vector<Route>& Routes() {
  static const auto* routes = new std::vector<Route>{
      {"tray", "GET", "/", false, TrayPage},
      {"cases", "GET", "/cases", false, CasesPage},
      {"case", "GET", "/cases/", true, CasePage},
      {"proof", "GET", "/proof", false, ProofDownload},
      {"access-log", "GET", "/access-log", false, AccessLogPage},
      {"qa", "GET", "/qa", false, QaPage},
      {"qa", "GET", "/qa/", true, QaCsv},
      {"integrity", "GET", "/integrity", false, IntegrityPage},
      {"verify", "POST", "/integrity/verify", false, VerifyAction},
  };
  return *routes;
}

std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

std::string SessionCookie(absl::string_view value, int max_age_seconds) {
  return absl::StrCat(kSessionCookie, "=", value,
                      "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=", max_age_seconds);
}

// The sign-in form's cookie: sent back only to /login.
std::string LoginCookie(absl::string_view token) {
  return absl::StrCat(kLoginCookie, "=", token, "; Path=/login; HttpOnly; Secure; SameSite=Strict");
}

// Where to go after signing in: only a path of this site ("/..." but not
// "//host" or "/\host", which browsers read as another site).
std::string SafeNext(std::string_view next) {
  if (next.empty() || next[0] != '/' || next.size() > 2048) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "/";
  }
  return std::string(next);
}

bool PemToCertAndKey(const std::string& cert_pem, const std::string& key_pem, X509** cert,
                     EVP_PKEY** key) {
  BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  *cert = cb ? PEM_read_bio_X509(cb, nullptr, nullptr, nullptr) : nullptr;
  *key = kb ? PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(cb);
  BIO_free(kb);
  return *cert != nullptr && *key != nullptr;
}

}  // namespace

struct WebServer::Impl {
  EventStore* store = nullptr;
  WebOptions options;
  std::unique_ptr<Queries> queries;
  SessionLimits session_limits;
  std::unique_ptr<SessionTable> sessions;
  std::unique_ptr<LoginThrottle> throttle;
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  int port = 0;
  bool tls = false;
  bool stopped = false;

  PageEnv env() const { return PageEnv{store, queries.get(), options.clock}; }

  void Send(const WebResponse& page, httplib::Response& res) const {
    res.status = page.status;
    for (const auto& [name, value] : page.headers) res.set_header(name, value);
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    res.set_content(page.body, page.content_type);
  }

  void SecurityHeaders(httplib::Response& res) const {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null"
    // on a form post, and the origin check below could not tell it from a
    // cross-site one.
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Cross-Origin-Resource-Policy", "same-origin");
    res.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (tls) res.set_header("Strict-Transport-Security", "max-age=31536000");
  }

  // A POST from a page of another site: its Origin (sent by browsers on
  // every POST) names a different host.
  static bool CrossSite(const httplib::Request& req) {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || origin == "null") return !origin.empty();
    absl::string_view host = origin;
    if (!absl::ConsumePrefix(&host, "https://")) absl::ConsumePrefix(&host, "http://");
    return host != req.get_header_value("Host");
  }

  WebRequest ToWebRequest(const httplib::Request& req) const {
    WebRequest w;
    w.method = req.method;
    w.path = req.path;
    w.peer = absl::StrCat(req.remote_addr, ":", req.remote_port);
    if (req.method == "POST") {
      w.form = ParseFormBody(req.body);
      // The query string of a POST (httplib mixes it into params) is not read.
    } else {
      for (const auto& [k, v] : req.params) w.query.emplace(k, v);
    }
    return w;
  }

  // The session of the request, or nullopt. With the trusted header on and
  // set, the session is that user's (made on first sight): a session cookie
  // of someone else is not honoured under another person's header.
  std::optional<Session> SessionOf(const httplib::Request& req, httplib::Response& res) {
    std::optional<Session> s;
    const std::string id = CookieValue(req, kSessionCookie);
    if (!id.empty()) s = sessions->Find(id);
    if (options.trusted_user_header.empty()) return s;
    const std::string header_user = req.get_header_value(options.trusted_user_header.c_str());
    if (header_user.empty()) return s;
    if (s && s->user == header_user) return s;
    const UserEntry* user = options.users.Find(header_user);
    if (user == nullptr) return std::nullopt;
    auto fresh = sessions->Create(user->name, user->role);
    if (!fresh.ok()) return std::nullopt;
    res.set_header("Set-Cookie", SessionCookie(fresh->id, SessionMaxAgeSeconds()));
    return *fresh;
  }

  int SessionMaxAgeSeconds() const {
    return static_cast<int>(absl::ToInt64Seconds(session_limits.absolute));
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    SecurityHeaders(res);
    try {
      Dispatch(req, res);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "carelog: web: %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                   e.what());
      Send(ErrorPage(500, "Sorry, there is a problem with the service",
                     "Try again later. The error has been written to the server's log.", nullptr),
           res);
    }
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (req.method == "GET" && absl::StartsWith(path, "/assets/")) return ServeAsset(req, res);
    if (req.method == "GET" && path == "/favicon.ico") {
      res.status = 204;
      return;
    }
    if (path == "/login") return req.method == "POST" ? SignIn(req, res) : ShowLogin(req, res);

    std::optional<Session> session = SessionOf(req, res);
    if (path == "/sign-out" && req.method == "POST") return SignOut(req, res, session);
    if (!session) {
      if (req.method == "GET") {
        const std::string next = req.target.empty() ? path : req.target;
        res.status = 303;
        res.set_header("Location", absl::StrCat("/login?next=", web::EscapeQueryValue(SafeNext(next))));
        res.set_header("Cache-Control", "no-store");
        return;
      }
      return Send(ErrorPage(403, "Your session has ended",
                            "Nothing was changed. Sign in again, then repeat what you were doing.",
                            nullptr),
                  res);
    }
    const Viewer viewer{session->user, session->role, session->csrf_token};
    const Route* route = FindRoute(req.method, path);
    if (route == nullptr) {
      const bool other_method = FindRoute(req.method == "GET" ? "POST" : "GET", path) != nullptr;
      return Send(other_method ? ErrorPage(405, "This page cannot be used that way",
                                           "Use the page's own links and buttons.", &viewer)
                               : ErrorPage(404, "Page not found",
                                           "If you typed the web address, check it is correct.",
                                           &viewer),
                  res);
    }
    // The landing page of a role that may not see the tray is its first page.
    if (path == "/" && !RoleMayOpen(viewer.role, "tray") && RoleMayOpen(viewer.role, "qa")) {
      res.status = 303;
      res.set_header("Location", "/qa");
      return;
    }
    if (!RoleMayOpen(viewer.role, route->name)) {
      const auto& roles = PageRoles().at(route->name);
      return Send(ErrorPage(403, "You cannot open this page",
                            absl::StrCat("Signed in as ", viewer.user, " (", viewer.role,
                                         "). This page needs the role ",
                                         absl::StrJoin(roles, " or "), "."),
                            &viewer),
                  res);
    }
    WebRequest w = ToWebRequest(req);
    if (req.method == "POST") {
      auto token = w.form.find("csrf_token");
      if (CrossSite(req) || token == w.form.end() || !CsrfMatches(*session, token->second)) {
        return Send(ErrorPage(403, "This form has expired",
                              "Nothing was changed. Go back, reload the page and try again.",
                              &viewer),
                    res);
      }
    }
    Send(route->page(env(), w, viewer), res);
  }

  static const Route* FindRoute(std::string_view method, std::string_view path) {
    const Route* best = nullptr;
    for (const Route& r : Routes()) {
      if (method != r.method) continue;
      if (r.prefix ? (path.starts_with(r.path) && path.size() > strlen(r.path))
                   : path == r.path) {
        if (best == nullptr || strlen(r.path) > strlen(best->path)) best = &r;
      }
    }
    return best;
  }

  void ServeAsset(const httplib::Request& req, httplib::Response& res) const {
    const web::Asset* asset = web::FindAsset(req.path);
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("ETag", std::string(asset->etag));
    res.set_header("Cache-Control", "public, max-age=3600");
    if (req.get_header_value("If-None-Match") == asset->etag) {
      res.status = 304;
      return;
    }
    res.set_content(std::string(asset->body), std::string(asset->content_type));
  }

  void ShowLogin(const httplib::Request& req, httplib::Response& res) {
    std::string token = CookieValue(req, kLoginCookie);
    if (token.size() != 64) token = NewRandomToken();
    res.set_header("Set-Cookie", LoginCookie(token));
    Send(LoginPage(200, token, SafeNext(req.get_param_value("next")), "", "",
                   req.has_param("signedOut")),
         res);
  }

  void SignIn(const httplib::Request& req, httplib::Response& res) {
    const auto form = ParseFormBody(req.body);
    auto field = [&](const char* name) {
      auto it = form.find(name);
      return it == form.end() ? std::string() : it->second;
    };
    const std::string name = field("name");
    const std::string next = SafeNext(field("next"));
    const std::string cookie = CookieValue(req, kLoginCookie);
    if (CrossSite(req) || cookie.size() != 64 || field("csrf_token") != cookie) {
      const std::string token = NewRandomToken();
      res.set_header("Set-Cookie", LoginCookie(token));
      return Send(LoginPage(403, token, next, name,
                            "The sign-in form had expired. Enter your name and password again.",
                            false),
                  res);
    }
    if (absl::Status locked = throttle->Check(name, req.remote_addr); !locked.ok()) {
      return Send(LoginPage(429, cookie, next, name, std::string(locked.message()), false), res);
    }
    auto user = options.users.Authenticate(name, field("password"));
    if (!user.ok()) {
      throttle->RecordFailure(name, req.remote_addr);
      return Send(LoginPage(401, cookie, next, name, "The name or password is not right.", false),
                  res);
    }
    throttle->RecordSuccess(name, req.remote_addr);
    auto s = sessions->Create(user->name, user->role);
    if (!s.ok()) {
      return Send(ErrorPage(503, "Sorry, you cannot sign in now", "Try again later.", nullptr), res);
    }
    res.set_header("Set-Cookie", SessionCookie(s->id, SessionMaxAgeSeconds()));
    res.status = 303;
    res.set_header("Location", next);
    res.set_header("Cache-Control", "no-store");
  }

  void SignOut(const httplib::Request& req, httplib::Response& res,
               const std::optional<Session>& session) {
    const auto form = ParseFormBody(req.body);
    auto token = form.find("csrf_token");
    if (session &&
        (CrossSite(req) || token == form.end() || !CsrfMatches(*session, token->second))) {
      const Viewer viewer{session->user, session->role, session->csrf_token};
      return Send(ErrorPage(403, "This form has expired",
                            "You are still signed in. Reload the page and sign out again.",
                            &viewer),
                  res);
    }
    if (session) sessions->Remove(session->id);
    res.set_header("Set-Cookie", SessionCookie("", 0));
    res.status = 303;
    res.set_header("Location", "/login?signedOut=1");
    res.set_header("Cache-Control", "no-store");
  }
};

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() { Shutdown(); }

int WebServer::port() const { return impl_->port; }
bool WebServer::tls() const { return impl_->tls; }

void WebServer::Shutdown() {
  if (impl_ == nullptr || impl_->stopped) return;
  impl_->stopped = true;
  impl_->http->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(EventStore* store,
                                                            WebOptions options) {
  if (options.users.entries().empty()) {
    return absl::InvalidArgumentError(
        "no users may sign in to the web application: add one with `carelog user add`");
  }
  if (options.insecure_loopback && !IsLoopbackAddress(options.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plain HTTP is for loopback addresses only; --http ", options.listen,
        " needs --tls-cert and --tls-key"));
  }
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http wants HOST:PORT, got '", options.listen, "'"));
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto impl = std::make_unique<Impl>();
  impl->store = store;
  if (options.clock == nullptr) options.clock = SystemClock();
  ASSIGN_OR_RETURN(impl->queries, Queries::WithEmbeddedPacks(store));
  impl->sessions = std::make_unique<SessionTable>(options.clock, impl->session_limits);
  impl->throttle = std::make_unique<LoginThrottle>(options.clock);
  if (options.insecure_loopback) {
    impl->http = std::make_unique<httplib::Server>();
  } else {
    if (options.tls_cert_pem.empty() || options.tls_key_pem.empty()) {
      return absl::InvalidArgumentError(
          "HTTPS needs --tls-cert and --tls-key (or --http-insecure-loopback on a loopback "
          "address)");
    }
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    if (!PemToCertAndKey(options.tls_cert_pem, options.tls_key_pem, &cert, &key)) {
      X509_free(cert);
      EVP_PKEY_free(key);
      return absl::InvalidArgumentError(
          "--tls-cert or --tls-key is not a PEM certificate and private key");
    }
    bool configured = false;
    auto ssl = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
      configured = SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) == 1 &&
                   SSL_CTX_use_certificate(&ctx, cert) == 1 &&
                   SSL_CTX_use_PrivateKey(&ctx, key) == 1 && SSL_CTX_check_private_key(&ctx) == 1;
      return configured;
    });
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!configured || !ssl->is_valid()) {
      return absl::InvalidArgumentError(
          "--tls-cert and --tls-key do not make a TLS server (does the key match the "
          "certificate?)");
    }
    impl->http = std::move(ssl);
    impl->tls = true;
  }
  impl->options = std::move(options);
  Impl* self = impl.get();
  httplib::Server& http = *impl->http;
  const int threads = std::max(1, impl->options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(kMaxBodyBytes);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_max_count(100);
  http.set_keep_alive_timeout(5);
  // Before the body is read: a chunked body has no length to check, and
  // the library's handling of chunked bodies is where its published flaws
  // are (README "Dependencies").
  http.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Transfer-Encoding") ||
        (req.method != "GET" && req.method != "POST" && req.method != "HEAD")) {
      self->SecurityHeaders(res);
      res.status = req.has_header("Transfer-Encoding") ? 411 : 405;
      res.set_content(res.status == 411 ? "send a Content-Length, not a chunked body\n"
                                        : "method not allowed\n",
                      "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto handle = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  };
  http.Get(".*", handle);
  http.Post(".*", handle);
  http.set_error_handler([self](const httplib::Request&, httplib::Response& res) {
    self->SecurityHeaders(res);
    if (res.body.empty()) {
      res.set_content(absl::StrCat("HTTP ", res.status, "\n"), "text/plain; charset=utf-8");
    }
  });
  const int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ", impl->options.listen));
  }
  impl->port = bound;
  impl->listener = std::thread([self] { self->http->listen_after_bind(); });
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

}  // namespace carelog
