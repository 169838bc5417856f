// The case state (care_plan_state.h) for people and for programs: what
// `carelog state` prints.
//
// Text: the first screen of a case for an IRO manager — headed sections
// (Child, Period of care, Placement, Responsible, Reviews, Permanence plan,
// History), "not recorded" wherever the events do not say. Every value from
// an event passes TerminalSafe.
//
// JSON: one object with every key always present (camelCase, dates
// YYYY-MM-DD, instants RFC 3339 UTC); a fact not recorded is null — never an
// omitted key — so a program reads one shape (README "carelog state").
// Pure functions; thread-safe.
#ifndef CARELOG_PROJECTIONS_CARE_PLAN_STATE_FORMAT_H_
#define CARELOG_PROJECTIONS_CARE_PLAN_STATE_FORMAT_H_

#include <string>

#include "projections/care_plan_state.h"

namespace carelog {

std::string RenderCarePlanStateText(const CarePlanState& s);
std::string RenderCarePlanStateJson(const CarePlanState& s);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_CARE_PLAN_STATE_FORMAT_H_
