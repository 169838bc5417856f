#include "tools/web/web_page.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "store/base/status_macros.h"

namespace carelog {

const std::map<std::string, std::vector<std::string>>& PageRoles() {
  // IRO managers work from the tray into cases; auditors replay cases and
  // read who looked at them; QA officers see only the indicators (counts,
  // never one child's record); admins keep the store whole.
  static const auto* roles = new std::map<std::string, std::vector<std::string>>{
      {"tray", {"iro_manager", "auditor", "admin"}},
      {"cases", {"iro_manager", "auditor", "admin"}},
      {"case", {"iro_manager", "auditor", "admin"}},
      {"proof", {"auditor", "admin"}},
      {"access-log", {"auditor"}},
      {"qa", {"qa", "iro_manager", "auditor", "admin"}},
      {"integrity", {"auditor", "admin"}},
      {"verify", {"admin"}},
  };
  return *roles;
}

bool RoleMayOpen(std::string_view role, std::string_view route) {
  auto it = PageRoles().find(std::string(route));
  if (it == PageRoles().end()) return false;
  return std::find(it->second.begin(), it->second.end(), role) != it->second.end();
}

v1::AccessRecord WebAccessRecord(const Viewer& viewer, const WebRequest& req,
                                 std::string_view method) {
  v1::AccessRecord r;
  r.set_token_name(absl::StrCat("web:", viewer.user));
  r.set_role(viewer.role);
  r.set_method(std::string(method.data(), method.size()));
  r.set_peer(req.peer);
  return r;
}

absl::Status RecordWebRead(const PageEnv& env, const Viewer& viewer, const WebRequest& req,
                           std::string_view method, const std::string& case_id) {
  v1::AccessRecord r = WebAccessRecord(viewer, req, method);
  if (!case_id.empty()) {
    ASSIGN_OR_RETURN(uint64_t version, env.store->StreamVersion(case_id));
    if (version == 0) {
      r.set_case_id(AccessIdText(case_id));
      r.set_outcome(kAccessNotFound);
      RETURN_IF_ERROR(RecordAccess(env.store, std::move(r)).status());
      return absl::NotFoundError(absl::StrCat("no case '", case_id, "' in the store"));
    }
    r.set_case_id(case_id);
  }
  return RecordAccess(env.store, std::move(r)).status();
}

}  // namespace carelog
