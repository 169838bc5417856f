// "/proof?event=ID": the inclusion proof of one event of a case, the JSON of
// `carelog prove`, downloaded to be checked offline with `carelog
// check-proof`. The proof's leaf is the whole event, so it is a read of the
// case: recorded (method "Prove") before it is sent, like gRPC's Prove.
#include "absl/strings/str_cat.h"
#include "engine/access_log.h"
#include "projections/inclusion_proof_json.h"
#include "store/inclusion_proof.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {

WebResponse ProofDownload(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  const std::string event_id = req.Query("event");
  if (event_id.empty()) {
    return BadField(viewer, "event", "Event", "Give the id of the event to prove");
  }
  auto proof = ProveInclusion(*env.store, event_id, 0);
  v1::AccessRecord r = WebAccessRecord(viewer, req, "Prove");
  // Only events of cases: a system record (an access record, a setting) is
  // not a child's record and is not offered here.
  const bool found = proof.ok() && !IsSystemStream(proof->record.stream);
  if (found) {
    r.set_case_id(proof->record.stream);
    r.set_event_id(proof->record.id);
  } else {
    r.set_event_id(AccessIdText(event_id));
    r.set_outcome(kAccessNotFound);
  }
  if (auto pos = RecordAccess(env.store, std::move(r)); !pos.ok()) {
    return ReadRefused(pos.status(), "", viewer);
  }
  if (!found) {
    if (!proof.ok() && !absl::IsNotFound(proof.status())) return ServiceFault(proof.status(), viewer);
    return ErrorPage(404, "No such event",
                     absl::StrCat("No event of a case has the id '", event_id, "'."), &viewer);
  }
  WebResponse w;
  w.content_type = "application/json";
  w.body = InclusionProofJson(*proof);
  std::string file;
  for (char c : proof->record.id) file.push_back(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  w.headers.push_back({"Content-Disposition", absl::StrCat("attachment; filename=\"proof-", file, ".json\"")});
  return w;
}

}  // namespace carelog
