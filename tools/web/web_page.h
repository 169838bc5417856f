// What a page of the web application is given and gives back, apart from
// HTTP: the server (web_server.h) turns a request into a WebRequest, checks
// the session and the page's roles, calls the page, and sends its
// WebResponse with the security headers. Pages are functions of these, so
// tests render them without a socket.
#ifndef CARELOG_TOOLS_WEB_WEB_PAGE_H_
#define CARELOG_TOOLS_WEB_WEB_PAGE_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "carelog/v1/service.pb.h"
#include "projections/views/queries.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace carelog {

struct WebRequest {
  std::string method;  // "GET" or "POST"
  std::string path;    // decoded, without the query
  std::map<std::string, std::string> query;  // first value of each name
  std::map<std::string, std::string> form;   // POST fields
  std::string peer;    // the client's address:port as the server saw it

  // The query value of `name`, or "" when absent.
  std::string Query(std::string_view name) const {
    auto it = query.find(std::string(name));
    return it == query.end() ? std::string() : it->second;
  }
};

// The person signed in.
struct Viewer {
  std::string user;
  std::string role;        // one of kUserRoles (store/users.h)
  std::string csrf_token;  // the session's: every form that changes anything carries it
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the security headers
};

// What every page may use. Nothing owned; all outlive the server.
struct PageEnv {
  EventStore* store = nullptr;
  Queries* queries = nullptr;
  Clock* clock = nullptr;
};

// Which roles may open each page, by route name ("tray", "cases", "case",
// "proof", "access-log", "qa", "integrity", "verify"): the one table, which
// the server enforces, the navigation follows and the README lists. An
// unknown name has no roles.
const std::map<std::string, std::vector<std::string>>& PageRoles();
bool RoleMayOpen(std::string_view role, std::string_view route);

// The access record of a read by `viewer` (token "web:<user>", role,
// method, the client's address), its case and outcome left to the caller.
v1::AccessRecord WebAccessRecord(const Viewer& viewer, const WebRequest& req,
                                 std::string_view method);

// Writes the access record of a read of a child's record by `viewer`
// (engine/access_log.h; token "web:<user>", method e.g. "CasePage") before
// the page is answered: a page that cannot record its read is not shown.
// `case_id` "" = a read across all cases. For a case with no events the
// record is NOT_FOUND in "$access" and kNotFound "no case 'ID' in the store"
// is returned. Other errors are the store's (the caller answers 503).
[[nodiscard]] absl::Status RecordWebRead(const PageEnv& env, const Viewer& viewer,
                                         const WebRequest& req, std::string_view method,
                                         const std::string& case_id);

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_WEB_PAGE_H_
