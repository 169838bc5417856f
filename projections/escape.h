// Escaping for the text formats the projections write: JSON strings and
// RFC 4180 CSV fields. Pure; thread-safe.
#ifndef CARELOG_PROJECTIONS_ESCAPE_H_
#define CARELOG_PROJECTIONS_ESCAPE_H_

#include <string>
#include <string_view>

namespace carelog {

// Appends `s` JSON-escaped, without the quotes (control characters, DEL,
// C1 controls and bidirectional overrides as \uXXXX, a byte that is not
// UTF-8 as \ufffd, so that the output is always valid JSON): for a string
// value built from several parts.
void AppendJsonChars(std::string_view s, std::string* out);
// Appends `s` as a quoted JSON string (control characters as \uXXXX).
void AppendJsonString(std::string_view s, std::string* out);

// Appends `s` as one CSV field, quoted only when it holds , " CR or LF.
void AppendCsvField(std::string_view s, std::string* out);

// `s` made safe to show on a terminal, for the text outputs people read
// (`cases`, `audit`, `access-log`, the `deadlines` table). Everything that
// could change how a terminal shows what follows, or hide what it shows, is
// written as an escape: C0 control characters (so newline, tab, NUL and ESC:
// \n, \t, \r, else \xNN), DEL (\x7F), C1 controls and the bidirectional
// overrides and isolates (\u0085, \u202E ...), and bytes that are not UTF-8
// (\xNN). Printable text, accented letters included, is unchanged, and so is
// a backslash (ids like COUNCIL\jsmith stay readable). New events cannot
// carry such bytes in ids (engine/limits.h); this is for free text and for
// stores written before that rule.
std::string TerminalSafe(std::string_view s);
// The same for a whole rendered text, keeping its own line breaks ('\n').
std::string TerminalSafeLines(std::string_view text);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_ESCAPE_H_
