// CaseListFilterOf (list_cases_request.h).
#include "tools/service/list_cases_request.h"

namespace carelog {

CaseListFilter CaseListFilterOf(const v1::ListCasesRequest& req) {
  CaseListFilter filter;
  if (!req.iro().empty()) filter.iro = req.iro();
  if (!req.team().empty()) filter.team = req.team();
  if (req.has_looked_after()) filter.looked_after = req.looked_after();
  filter.overdue_only = req.overdue();
  return filter;
}

}  // namespace carelog
