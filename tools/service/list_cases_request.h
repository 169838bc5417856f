// The filter of a ListCases request (proto/carelog/v1/service.proto): the
// CaseListFilter `carelog cases` builds from its flags, so the service and
// the CLI list the same cases for the same options.
#ifndef CARELOG_TOOLS_SERVICE_LIST_CASES_REQUEST_H_
#define CARELOG_TOOLS_SERVICE_LIST_CASES_REQUEST_H_

#include "carelog/v1/service.pb.h"
#include "projections/cases_list.h"

namespace carelog {

// iro / team "" and an absent looked_after set no filter. A proto3 string
// cannot tell "" from unset, and every client sends "" for a field it leaves
// alone, so "" must mean "any": the cases with no IRO or team recorded
// (`carelog cases --iro ''`) cannot be asked for here. Every value is valid,
// so this cannot fail; as_of is the caller's to parse. Pure.
CaseListFilter CaseListFilterOf(const v1::ListCasesRequest& req);

}  // namespace carelog

#endif  // CARELOG_TOOLS_SERVICE_LIST_CASES_REQUEST_H_
