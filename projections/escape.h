// Escaping for the text formats the projections write: JSON strings and
// RFC 4180 CSV fields. Pure; thread-safe.
#ifndef CARELOG_PROJECTIONS_ESCAPE_H_
#define CARELOG_PROJECTIONS_ESCAPE_H_

#include <string>
#include <string_view>

namespace carelog {

// Appends `s` JSON-escaped, without the quotes (control characters as
// \uXXXX): for a string value built from several parts.
void AppendJsonChars(std::string_view s, std::string* out);
// Appends `s` as a quoted JSON string (control characters as \uXXXX).
void AppendJsonString(std::string_view s, std::string* out);

// Appends `s` as one CSV field, quoted only when it holds , " CR or LF.
void AppendCsvField(std::string_view s, std::string* out);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_ESCAPE_H_
