// A tiny leveled logger for the server and long commands: one line per
// message on stderr, "2025-01-10T12:00:00.123Z INFO backup: copied 12 files".
//
// The level is set by --log-level (debug|info|warn|error|off) or the
// environment variable CARELOG_LOG; the default is warn, so commands stay
// quiet unless asked.
//
// Personal data never goes into a log: messages carry counts, positions,
// heads, paths, event ids and case ids only — never names, dates of birth or
// free text from a payload. Callers format with absl::StrCat / StrFormat.
#ifndef CARELOG_STORE_LOGGING_H_
#define CARELOG_STORE_LOGGING_H_

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace carelog::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn"/"warning", "error", "off" (any case); false
// otherwise.
bool ParseLevel(std::string_view text, Level* out);
std::string_view LevelName(Level level);

// The current threshold: messages below it are dropped.
Level GetLevel();
void SetLevel(Level level);
// From CARELOG_LOG if set and valid (an invalid value is reported once, as a
// warning, and ignored).
void InitFromEnv();

bool Enabled(Level level);
// Writes the line (timestamp, level, message) if `level` is enabled.
void Write(Level level, std::string_view message);

// Where lines go: stderr unless a test sets a sink (nullptr restores stderr).
void SetSinkForTest(std::function<void(std::string_view line)> sink);

}  // namespace carelog::log

// The message expression is evaluated only when the level is enabled.
#define CARELOG_LOG_AT(level, msg)                                   \
  do {                                                               \
    if (::carelog::log::Enabled(level)) ::carelog::log::Write(level, (msg)); \
  } while (0)
#define LOG_DEBUG(msg) CARELOG_LOG_AT(::carelog::log::Level::kDebug, msg)
#define LOG_INFO(msg) CARELOG_LOG_AT(::carelog::log::Level::kInfo, msg)
#define LOG_WARN(msg) CARELOG_LOG_AT(::carelog::log::Level::kWarn, msg)
#define LOG_ERROR(msg) CARELOG_LOG_AT(::carelog::log::Level::kError, msg)

#endif  // CARELOG_STORE_LOGGING_H_
