#include "store/logging.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace carelog::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kWarn)};
std::mutex g_mu;
std::function<void(std::string_view)>* g_sink = nullptr;

}  // namespace

bool ParseLevel(std::string_view text, Level* out) {
  const std::string t = absl::AsciiStrToLower(std::string(text));
  if (t == "debug") *out = Level::kDebug;
  else if (t == "info") *out = Level::kInfo;
  else if (t == "warn" || t == "warning") *out = Level::kWarn;
  else if (t == "error") *out = Level::kError;
  else if (t == "off" || t == "none") *out = Level::kOff;
  else return false;
  return true;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kOff: return "OFF";
  }
  return "?";
}

Level GetLevel() { return static_cast<Level>(g_level.load()); }
void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }

void InitFromEnv() {
  const char* env = std::getenv("CARELOG_LOG");
  if (env == nullptr || *env == '\0') return;
  Level l;
  if (ParseLevel(env, &l)) {
    SetLevel(l);
  } else {
    Write(Level::kWarn, absl::StrCat("CARELOG_LOG='", env,
                                     "' is not debug|info|warn|error|off; ignored"));
  }
}

bool Enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= g_level.load();
}

void Write(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   " ", std::string(LevelName(level)), " ", std::string(message), "\n");
  std::lock_guard<std::mutex> l(g_mu);
  if (g_sink != nullptr) {
    (*g_sink)(line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

void SetSinkForTest(std::function<void(std::string_view line)> sink) {
  std::lock_guard<std::mutex> l(g_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(std::string_view)>(std::move(sink)) : nullptr;
}

}  // namespace carelog::log
