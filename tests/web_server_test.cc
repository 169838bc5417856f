// The web application over HTTP (tools/web/web_server.h): a real server on a
// loopback port over a store holding tests/cases_fixture.h's four children,
// driven by an HTTP client as a browser would — every refusal (no session,
// wrong role, bad CSRF token, unknown case, bad dates), the security headers
// of every answer, sign-in and its lock-out, and that a page of a child's
// record is in the access log before it is sent.
#include "tools/web/web_server.h"

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "engine/importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "rocksdb/env.h"
#include "tests/cases_fixture.h"
#include "tests/fault_env.h"
#include "tests/test_util.h"
#include "tools/web/form.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "correct horse battery";

class WebServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<testing::FaultFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    StoreOptions so;
    so.sync = false;
    so.env = env_.get();
    auto store = EventStore::Open(dir_.Sub("store"), so);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    std::istringstream in(testing::kFourCasesNdjson);
    auto imported = ImportNdjson(store_.get(), in, ImportOptions{});
    ASSERT_TRUE(imported.ok()) << imported.status();

    WebOptions o;
    o.listen = "127.0.0.1:0";
    o.insecure_loopback = true;
    for (const char* role : {"iro_manager", "auditor", "qa", "admin"}) {
      ASSERT_TRUE(o.users.Add(role, role, kPassword, absl::Now()).ok());
    }
    auto server = WebServer::Start(store_.get(), std::move(o));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  void TearDown() override {
    server_.reset();
    store_.reset();
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_follow_location(false);
    return c;
  }

  // Signs in as the user named after `role`; returns the session cookie
  // ("clg_session=...") and sets the session's CSRF token from a page.
  std::string SignIn(const std::string& role, std::string* csrf = nullptr) {
    httplib::Client c = Client();
    auto form = c.Get("/login");
    EXPECT_TRUE(form);
    const std::string login_cookie = CookieFrom(form->get_header_value("Set-Cookie"));
    const std::string token = login_cookie.substr(login_cookie.find('=') + 1);
    auto res = c.Post("/login", {{"Cookie", login_cookie}},
                      absl::StrCat("name=", role, "&password=", kPassword, "&csrf_token=", token),
                      "application/x-www-form-urlencoded");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 303) << res->body;
    const std::string session = CookieFrom(res->get_header_value("Set-Cookie"));
    if (csrf != nullptr) {
      auto page = c.Get("/integrity", {{"Cookie", session}});
      *csrf = FieldValue(page->body, "csrf_token");
    }
    return session;
  }

  static std::string CookieFrom(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
  }
  static std::string FieldValue(const std::string& html, const std::string& name) {
    const std::string marker = absl::StrCat("name=\"", name, "\" value=\"");
    const size_t at = html.find(marker);
    if (at == std::string::npos) return "";
    const size_t start = at + marker.size();
    return html.substr(start, html.find('"', start) - start);
  }

  httplib::Result Get(const std::string& path, const std::string& cookie) {
    httplib::Client c = Client();
    return c.Get(path, {{"Cookie", cookie}});
  }

  testing::TempDir dir_;
  std::shared_ptr<testing::FaultFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<WebServer> server_;
};

void ExpectSecurityHeaders(const httplib::Response& r) {
  const std::string csp = r.get_header_value("Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("style-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline")));
  EXPECT_EQ(r.get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.get_header_value("Referrer-Policy"), "same-origin");
}

TEST_F(WebServerTest, WithoutASessionPagesSendToSignInAndPostsAreRefused) {
  httplib::Client c = Client();
  auto tray = c.Get("/?days=5");
  ASSERT_TRUE(tray);
  EXPECT_EQ(tray->status, 303);
  // (The client decodes a Location header: the server sent next=%2F%3Fdays%3D5.)
  EXPECT_EQ(tray->get_header_value("Location"), "/login?next=/?days=5");
  ExpectSecurityHeaders(*tray);
  auto cased = c.Get("/cases/C-A");
  EXPECT_EQ(cased->status, 303);
  // Nothing of the child was shown, so nothing was read: no access record.
  EXPECT_TRUE(ReadAccessLog(*store_, "C-A")->empty());
  auto verify = c.Post("/integrity/verify", "csrf_token=x", "application/x-www-form-urlencoded");
  EXPECT_EQ(verify->status, 403);
  EXPECT_THAT(verify->body, HasSubstr("Your session has ended"));
  // A forged or expired session cookie is no session.
  EXPECT_EQ(Get("/", "clg_session=0123abcd")->status, 303);
}

TEST_F(WebServerTest, SigningInSetsAStrictSessionCookieAndSigningOutEndsIt) {
  httplib::Client c = Client();
  auto form = c.Get("/login?next=/cases");
  ASSERT_EQ(form->status, 200);
  ExpectSecurityHeaders(*form);
  const std::string login_cookie = CookieFrom(form->get_header_value("Set-Cookie"));
  const std::string token = FieldValue(form->body, "csrf_token");
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(login_cookie, absl::StrCat("clg_login=", token));
  auto res = c.Post("/login", {{"Cookie", login_cookie}},
                    absl::StrCat("name=auditor&password=", kPassword, "&next=%2Fcases&csrf_token=",
                                 token),
                    "application/x-www-form-urlencoded");
  ASSERT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/cases");
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  for (const char* attribute : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age="}) {
    EXPECT_THAT(set_cookie, HasSubstr(attribute));
  }
  const std::string session = CookieFrom(set_cookie);
  auto cases = Get("/cases", session);
  ASSERT_EQ(cases->status, 200);
  EXPECT_THAT(cases->body, HasSubstr("C-A"));
  const std::string csrf = FieldValue(cases->body, "csrf_token");
  ASSERT_FALSE(csrf.empty());

  // Sign out needs the session's token; a wrong one changes nothing.
  auto wrong = c.Post("/sign-out", {{"Cookie", session}}, "csrf_token=nope",
                      "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(Get("/cases", session)->status, 200);
  auto out = c.Post("/sign-out", {{"Cookie", session}}, absl::StrCat("csrf_token=", csrf),
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(out->status, 303);
  EXPECT_EQ(out->get_header_value("Location"), "/login?signedOut=1");
  // The old cookie is now a stale session.
  EXPECT_EQ(Get("/cases", session)->status, 303);
  auto stale = c.Post("/integrity/verify", {{"Cookie", session}}, absl::StrCat("csrf_token=", csrf),
                      "application/x-www-form-urlencoded");
  EXPECT_EQ(stale->status, 403);
}

TEST_F(WebServerTest, SignInRefusesAForgedFormAWrongPasswordAndLocksOutAfterFive) {
  httplib::Client c = Client();
  auto form = c.Get("/login");
  const std::string login_cookie = CookieFrom(form->get_header_value("Set-Cookie"));
  const std::string token = FieldValue(form->body, "csrf_token");
  // A form posted from another site carries no clg_login cookie.
  auto forged = c.Post("/login", absl::StrCat("name=admin&password=", kPassword, "&csrf_token=", token),
                       "application/x-www-form-urlencoded");
  EXPECT_EQ(forged->status, 403);
  EXPECT_THAT(forged->body, HasSubstr("sign-in form had expired"));
  EXPECT_TRUE(forged->get_header_value("Set-Cookie").empty() ||
              !absl::StrContains(forged->get_header_value("Set-Cookie"), "clg_session"));
  // The right token from another origin.
  auto cross = c.Post("/login", {{"Cookie", login_cookie}, {"Origin", "https://evil.example"}},
                      absl::StrCat("name=admin&password=", kPassword, "&csrf_token=", token),
                      "application/x-www-form-urlencoded");
  EXPECT_EQ(cross->status, 403);
  for (int i = 0; i < 5; ++i) {
    auto wrong = c.Post("/login", {{"Cookie", login_cookie}},
                        absl::StrCat("name=admin&password=wrong-password-", i, "&csrf_token=", token),
                        "application/x-www-form-urlencoded");
    EXPECT_EQ(wrong->status, 401);
    EXPECT_THAT(wrong->body, HasSubstr("The name or password is not right"));
  }
  // Locked: even the right password is refused now.
  auto locked = c.Post("/login", {{"Cookie", login_cookie}},
                       absl::StrCat("name=admin&password=", kPassword, "&csrf_token=", token),
                       "application/x-www-form-urlencoded");
  EXPECT_EQ(locked->status, 429);
  EXPECT_TRUE(locked->get_header_value("Set-Cookie").empty());
  // Another user from the same address is not locked.
  EXPECT_FALSE(SignIn("auditor").empty());
}

TEST_F(WebServerTest, EachRoleIsRefusedWhatItMayNotSee) {
  const std::string qa = SignIn("qa");
  const std::string iro = SignIn("iro_manager");
  std::string auditor_csrf;
  const std::string auditor = SignIn("auditor", &auditor_csrf);
  // QA sees indicators, not a child's record.
  EXPECT_EQ(Get("/", qa)->status, 303);
  EXPECT_EQ(Get("/", qa)->get_header_value("Location"), "/qa");
  auto refused = Get("/cases/C-A", qa);
  EXPECT_EQ(refused->status, 403);
  EXPECT_THAT(refused->body, HasSubstr("needs the role iro_manager or auditor or admin"));
  ExpectSecurityHeaders(*refused);
  EXPECT_EQ(Get("/cases", qa)->status, 403);
  EXPECT_EQ(Get("/qa", qa)->status, 200);
  // Nothing of C-A was read by the refused requests (the QA page is a read
  // across all cases, which C-A's access log lists too).
  auto read_c_a = ReadAccessLog(*store_, "C-A");  // held: the loop must not outlive it
  ASSERT_TRUE(read_c_a.ok());
  for (const v1::AccessRecord& r : *read_c_a) {
    EXPECT_EQ(r.case_id(), "") << r.method();
  }
  // An IRO manager opens cases but not proofs, the access log or integrity.
  EXPECT_EQ(Get("/cases/C-A", iro)->status, 200);
  EXPECT_EQ(Get("/proof?event=a1", iro)->status, 403);
  EXPECT_EQ(Get("/access-log?case=C-A", iro)->status, 403);
  EXPECT_EQ(Get("/integrity", iro)->status, 403);
  // An auditor may read integrity but not run verify.
  auto page = Get("/integrity", auditor);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, Not(HasSubstr("Verify the whole log now")));
  httplib::Client c = Client();
  auto verify = c.Post("/integrity/verify", {{"Cookie", auditor}},
                       absl::StrCat("csrf_token=", auditor_csrf), "application/x-www-form-urlencoded");
  EXPECT_EQ(verify->status, 403);
  EXPECT_FALSE(store_->GetSetting("verify.last").ok());
}

TEST_F(WebServerTest, AdminVerifiesWithTheSessionsTokenOnly) {
  std::string csrf;
  const std::string admin = SignIn("admin", &csrf);
  ASSERT_EQ(csrf.size(), 64u);
  httplib::Client c = Client();
  auto bad = c.Post("/integrity/verify", {{"Cookie", admin}}, "csrf_token=0000",
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(bad->status, 403);
  EXPECT_THAT(bad->body, HasSubstr("This form has expired"));
  auto none = c.Post("/integrity/verify", {{"Cookie", admin}}, "", "application/x-www-form-urlencoded");
  EXPECT_EQ(none->status, 403);
  auto cross = c.Post("/integrity/verify", {{"Cookie", admin}, {"Origin", "http://evil.example"}},
                      absl::StrCat("csrf_token=", csrf), "application/x-www-form-urlencoded");
  EXPECT_EQ(cross->status, 403);
  EXPECT_FALSE(store_->GetSetting("verify.last").ok());
  auto ok = c.Post("/integrity/verify", {{"Cookie", admin}}, absl::StrCat("csrf_token=", csrf),
                   "application/x-www-form-urlencoded");
  ASSERT_EQ(ok->status, 303);
  EXPECT_EQ(ok->get_header_value("Location"), "/integrity");
  auto last = store_->GetSetting("verify.last");
  ASSERT_TRUE(last.ok());
  EXPECT_THAT(*last, HasSubstr("by web:admin: verified"));
  auto page = Get("/integrity", admin);
  EXPECT_THAT(page->body, HasSubstr("by web:admin: verified"));
  EXPECT_THAT(page->body, HasSubstr("Verify the whole log now"));
}

TEST_F(WebServerTest, UnknownCasesAndPagesAndBadDatesGetClearPagesNot500) {
  const std::string auditor = SignIn("auditor");
  auto missing = Get("/cases/NO-SUCH", auditor);
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr("NO-SUCH"));
  ExpectSecurityHeaders(*missing);
  // The miss is recorded, as gRPC records one.
  auto all = ReadAccessLog(*store_, "");
  ASSERT_TRUE(all.ok());
  ASSERT_FALSE(all->empty());
  EXPECT_EQ(all->back().outcome(), kAccessNotFound);
  EXPECT_EQ(all->back().token_name(), "web:auditor");

  EXPECT_EQ(Get("/no/such/page", auditor)->status, 404);
  EXPECT_EQ(Get("/proof?event=no-such-event", auditor)->status, 404);
  struct Bad {
    const char* path;
    const char* field;
  };
  for (const Bad& b : {Bad{"/cases/C-A?asOf=2024-13-01", "asOf"},
                       Bad{"/cases/C-A?asOf=yesterday", "asOf"},
                       Bad{"/cases/C-A?knownAt=2024-02-30T10:00:00Z", "knownAt"},
                       Bad{"/cases?asOf=01/02/2024", "asOf"},
                       Bad{"/qa?from=2024-06-01&to=2024-01-01", "from"},
                       Bad{"/qa?to=soon", "to"},
                       Bad{"/?asOf=2024-1-1", "asOf"},
                       Bad{"/?days=many", "days"},
                       Bad{"/?days=0", "days"},
                       Bad{"/?sort=sideways", "sort"}}) {
    auto r = Get(b.path, auditor);
    ASSERT_TRUE(r) << b.path;
    EXPECT_EQ(r->status, 400) << b.path;
    EXPECT_THAT(r->body, HasSubstr("There is a problem")) << b.path;
    EXPECT_THAT(r->body, HasSubstr(absl::StrCat("href=\"#", b.field, "\""))) << b.path;
  }
  // A chunked body is refused before it is read.
  httplib::Client c = Client();
  auto chunked = c.Post("/login", {{"Transfer-Encoding", "chunked"}}, "5\r\nhello\r\n0\r\n\r\n",
                        "application/x-www-form-urlencoded");
  ASSERT_TRUE(chunked);
  EXPECT_GE(chunked->status, 400);
  // A body beyond 16 KiB is refused.
  auto big = c.Post("/login", std::string(20000, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
}

TEST_F(WebServerTest, ACasePageIsInTheAccessLogBeforeItIsSent) {
  const std::string iro = SignIn("iro_manager");
  const uint64_t before = store_->LastPosition();
  auto page = Get("/cases/C-A?asOf=2024-06-30", iro);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("iro-7"));
  auto records = ReadAccessLog(*store_, "C-A");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].method(), "CasePage");
  EXPECT_EQ((*records)[0].token_name(), "web:iro_manager");
  EXPECT_EQ((*records)[0].role(), "iro_manager");
  EXPECT_THAT((*records)[0].peer(), HasSubstr("127.0.0.1:"));
  EXPECT_GT((*records)[0].position(), before);

  // When the record cannot be written, the page is not sent.
  fs_->FailWritesAfter(0);
  auto refused = Get("/cases/C-B?asOf=2024-06-30", iro);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_THAT(refused->body, Not(HasSubstr("iro-7")));
  EXPECT_THAT(refused->body, HasSubstr("access log"));
}

TEST_F(WebServerTest, AssetsAreServedWithETagsAndNotModified) {
  httplib::Client c = Client();
  auto css = c.Get("/assets/govuk-frontend.min.css");
  ASSERT_TRUE(css);
  ASSERT_EQ(css->status, 200);
  EXPECT_THAT(css->get_header_value("Content-Type"), HasSubstr("text/css"));
  const std::string etag = css->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  ExpectSecurityHeaders(*css);
  auto again = c.Get("/assets/govuk-frontend.min.css", {{"If-None-Match", etag}});
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(c.Get("/assets/nothing.css")->status, 404);
}

// The single-sign-on proxy's header is honoured only when configured, only
// for a user in the users file, with that user's role.
TEST(WebServerTrustedHeaderTest, OnlyWhenConfiguredAndOnlyForKnownUsers) {
  testing::TempDir dir;
  auto store = testing::OpenTestStore(dir.Sub("store"), SystemClock());
  for (const char* header : {"", "X-Remote-User"}) {
    WebOptions o;
    o.listen = "127.0.0.1:0";
    o.insecure_loopback = true;
    o.trusted_user_header = header;
    ASSERT_TRUE(o.users.Add("qa-officer", "qa", kPassword, absl::Now()).ok());
    auto server = WebServer::Start(store.get(), std::move(o));
    ASSERT_TRUE(server.ok()) << server.status();
    httplib::Client c("127.0.0.1", (*server)->port());
    auto known = c.Get("/qa", {{"X-Remote-User", "qa-officer"}});
    ASSERT_TRUE(known);
    auto unknown = c.Get("/qa", {{"X-Remote-User", "someone-else"}});
    EXPECT_EQ(unknown->status, 303) << header;
    if (std::string(header).empty()) {
      EXPECT_EQ(known->status, 303);  // off by default: a header proves nothing
      continue;
    }
    EXPECT_EQ(known->status, 200);
    EXPECT_THAT(known->body, HasSubstr("qa-officer"));
    EXPECT_THAT(known->get_header_value("Set-Cookie"), HasSubstr("clg_session="));
    // The user's own role decides: qa may not open a case.
    EXPECT_EQ(c.Get("/cases/C-1", {{"X-Remote-User", "qa-officer"}})->status, 403);
  }
}

// HTTPS on any address with the certificate and key given: the pages, the
// security headers and HSTS; a client that trusts the CA reaches it, plain
// HTTP to the same port does not get a page.
TEST(WebServerTlsTest, ServesHttpsWithHstsAndRefusesPlainHttp) {
  if (testing::Shell("command -v openssl >/dev/null") != 0) GTEST_SKIP() << "no openssl CLI";
  testing::TempDir dir;
  const std::string script = absl::StrCat(
      "cd ", dir.path(), " && exec >openssl.log 2>&1 && ",
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
      "-subj /CN=carelog-test-ca && ",
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost && ",
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && ",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 1 -extfile san.ext");
  ASSERT_EQ(testing::Shell(script), 0) << testing::ReadFile(dir.Sub("openssl.log"));
  auto store = testing::OpenTestStore(dir.Sub("store"), SystemClock());
  WebOptions o;
  o.listen = "0.0.0.0:0";  // TLS may listen beyond loopback
  o.tls_cert_pem = testing::ReadFile(dir.Sub("server.pem"));
  o.tls_key_pem = testing::ReadFile(dir.Sub("server.key"));
  ASSERT_TRUE(o.users.Add("admin", "admin", kPassword, absl::Now()).ok());
  auto server = WebServer::Start(store.get(), std::move(o));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE((*server)->tls());
  httplib::SSLClient tls("127.0.0.1", (*server)->port());
  tls.set_ca_cert_path(dir.Sub("ca.pem").c_str());
  tls.enable_server_certificate_verification(true);
  auto login = tls.Get("/login");
  ASSERT_TRUE(login) << httplib::to_string(login.error());
  EXPECT_EQ(login->status, 200);
  EXPECT_THAT(login->body, HasSubstr("Sign in to carelog"));
  ExpectSecurityHeaders(*login);
  EXPECT_THAT(login->get_header_value("Strict-Transport-Security"), HasSubstr("max-age="));
  httplib::Client plain("127.0.0.1", (*server)->port());
  plain.set_connection_timeout(2);
  plain.set_read_timeout(2);
  auto refused = plain.Get("/login");
  EXPECT_TRUE(!refused || refused->status != 200);
  // A key that is not the certificate's is refused at start.
  WebOptions mismatched;
  mismatched.listen = "127.0.0.1:0";
  mismatched.tls_cert_pem = testing::ReadFile(dir.Sub("ca.pem"));
  mismatched.tls_key_pem = testing::ReadFile(dir.Sub("server.key"));
  ASSERT_TRUE(mismatched.users.Add("admin", "admin", kPassword, absl::Now()).ok());
  auto bad = WebServer::Start(store.get(), std::move(mismatched));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WebServerStartTest, RefusesPlainHttpOffLoopbackAndNoUsers) {
  testing::TempDir dir;
  auto store = testing::OpenTestStore(dir.Sub("store"), SystemClock());
  WebOptions o;
  o.listen = "127.0.0.1:0";
  o.insecure_loopback = true;
  auto none = WebServer::Start(store.get(), o);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("carelog user add"));
  ASSERT_TRUE(o.users.Add("admin", "admin", kPassword, absl::Now()).ok());
  o.listen = "0.0.0.0:0";
  auto open = WebServer::Start(store.get(), o);
  EXPECT_EQ(open.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(open.status().message(), HasSubstr("loopback"));
  o.insecure_loopback = false;
  auto no_tls = WebServer::Start(store.get(), o);
  EXPECT_EQ(no_tls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_tls.status().message(), HasSubstr("--tls-cert"));
  o.tls_cert_pem = "not a certificate";
  o.tls_key_pem = "not a key";
  auto bad_tls = WebServer::Start(store.get(), o);
  EXPECT_EQ(bad_tls.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace carelog
