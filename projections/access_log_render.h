// The access log (engine/access_log.h) as `carelog access-log` and the
// service list it: a text table or a JSON array.
#ifndef CARELOG_PROJECTIONS_ACCESS_LOG_RENDER_H_
#define CARELOG_PROJECTIONS_ACCESS_LOG_RENDER_H_

#include <string>
#include <vector>

#include "carelog/v1/service.pb.h"
#include "engine/access_log.h"

namespace carelog {

// One line per record: "POSITION AT TOKEN ROLE METHOD CASE PEER"; CASE is
// "(all cases)", "(system)" (a proof of a system record), and says
// ", event ID" for a proof and " (not found)" for a miss.
std::string RenderAccessText(const std::vector<v1::AccessRecord>& records);
// A JSON array of {"position","at","token","role","method","caseId","peer"},
// with "eventId" (Prove) and "outcome" ("NOT_FOUND") when set.
std::string RenderAccessJson(const std::vector<v1::AccessRecord>& records);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_ACCESS_LOG_RENDER_H_
