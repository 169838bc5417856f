// The JSON text pieces of generated lines: dates, instants and escaped
// strings, written without allocation where it matters. Whole events are
// printed through the schema (schema_printer.h).
#ifndef CARELOG_ENGINE_GEN_JSON_TEXT_H_
#define CARELOG_ENGINE_GEN_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"

namespace carelog::gen {

// "YYYY-MM-DD".
void AppendDate(std::string& s, absl::CivilDay d);
std::string DateText(absl::CivilDay d);
// "YYYY-MM-DDTHH:MM:00Z" of an instant in minutes since the epoch.
void AppendInstant(std::string& s, int64_t minute);
// A JSON string body (no quotes).
void AppendEscaped(std::string& s, std::string_view v);

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_JSON_TEXT_H_
