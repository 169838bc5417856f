// AppendEventJson: a generated event as its NDJSON line, printed through the
// schema (proto/carelog/v1/events.proto) rather than by string
// concatenation, so that a field renamed there is renamed in the lines, and
// one removed fails the generator's build (it sets fields through the
// generated accessors).
#ifndef CARELOG_ENGINE_GEN_SCHEMA_PRINTER_H_
#define CARELOG_ENGINE_GEN_SCHEMA_PRINTER_H_

#include <string>

#include "carelog/v1/events.pb.h"

namespace carelog::gen {

// Appends `event` as one JSON object (no newline), in the generator's text:
// members in the schema's declaration order under their JSON names (as
// protobuf's JSON mapping names them); a field is written when it is set
// (a message, a proto3 `optional`, a oneof member), non-empty (a string, a
// repeated field) or non-zero (an enum, a number) — except that a few bools
// are stated even when false, because a reader should see the decision (the
// placement is not long-term, the child was not seen alone): long_term and
// connected_person of placementStarted, unplanned of placementEnded,
// seen_alone of statutoryVisit, bring_forward of earlyReviewConsidered,
// agreed of managerResponded, up_to_date of immunisationsChecked, the
// intervention offered/received of substanceMisuseIdentified (OC2 counts the
// 0s as well as the 1s); in an eventCorrected's replacement only
// long_term and seen_alone, the decisions a correction restates. Timestamps
// are RFC 3339 in UTC ("2024-05-01T09:30:00Z"), enums by name, 64-bit
// numbers quoted (the JSON mapping's rules).
void AppendEventJson(std::string& s, const v1::Event& event);

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_SCHEMA_PRINTER_H_
