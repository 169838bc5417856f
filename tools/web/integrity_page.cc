// "/integrity": is the record whole? The current head of the log, the last
// verify and the last backup (as recorded in the store's settings), and for
// an admin a button that verifies the whole log now and records the result
// (POST "/integrity/verify", then back here: post/redirect/get, so a reload
// does not verify again).
#include "absl/strings/str_cat.h"
#include "store/backup.h"
#include "store/base/time_format.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/html.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {
namespace {

// The store setting noting the last verify run from this page ("WHEN by
// web:USER: verified N events, head SIZE:ROOT" or "... BROKEN at position
// P: ..."). It judges nothing, so it is a plain setting outside the
// settings log, like backup.last (store/backup.h).
constexpr char kLastVerifySetting[] = "verify.last";

std::string SettingOr(const PageEnv& env, std::string_view name, std::string_view none) {
  auto v = env.store->GetSetting(name);
  return v.ok() ? *v : std::string(none);
}

}  // namespace

WebResponse IntegrityPage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  auto head = env.store->Head();
  std::vector<std::pair<std::string, std::string>> rows;
  if (head.ok()) {
    rows.push_back({"Events in the log", absl::StrCat(head->size)});
    rows.push_back({"Current head (size:root)", FormatTreeHead(*head)});
  } else {
    rows.push_back({"Current head", absl::StrCat("Cannot be computed: ", head.status().message(),
                                                 ". Run verify to find where the log is damaged.")});
  }
  rows.push_back({"Last verify", SettingOr(env, kLastVerifySetting,
                                           "Never run from this page")});
  rows.push_back({"Last backup", SettingOr(env, kLastBackupSetting, "Never recorded")});
  std::string body = absl::StrCat(Heading1("Integrity of the log"),
                                  Paragraph("Every event is chained by SHA-256 and held in a "
                                            "Merkle tree: verify recomputes both from the "
                                            "records, so any change to a stored event shows."),
                                  SummaryList(rows));
  if (RoleMayOpen(viewer.role, "verify")) {
    absl::StrAppend(
        &body, "<form method=\"post\" action=\"/integrity/verify\" novalidate>",
        "<input type=\"hidden\" name=\"csrf_token\" value=\"", web::EscapeHtml(viewer.csrf_token), "\">",
        "<button type=\"submit\" class=\"govuk-button\" data-module=\"govuk-button\" "
        "id=\"verify-now\">Verify the whole log now</button></form>");
  }
  (void)req;
  WebResponse w;
  w.body = RenderShell(viewer, "integrity", "Integrity of the log", body);
  return w;
}

WebResponse VerifyAction(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  (void)req;
  const absl::Time started = env.clock->Now();
  auto report = env.store->Verify({});
  if (!report.ok()) return ServiceFault(report.status(), viewer);
  std::string summary = absl::StrCat(web::LondonDateTime(started), " by web:", viewer.user, ": ");
  if (report->ok) {
    absl::StrAppend(&summary, "verified ", report->events, " events, head ",
                    FormatTreeHead(report->head));
  } else {
    absl::StrAppend(&summary, "BROKEN at position ", report->position, ": ", report->problem,
                    " (", report->events, " events before it verified)");
  }
  if (absl::Status s = env.store->PutSetting(kLastVerifySetting, summary); !s.ok()) {
    return ServiceFault(s, viewer);
  }
  WebResponse w;
  w.status = 303;
  w.headers.push_back({"Location", "/integrity"});
  return w;
}

}  // namespace carelog
