#include "tools/web/auth/login_throttle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/event_time.h"

namespace carelog {
namespace {

// A key longer than this is cut: user names are at most 64 characters and
// addresses shorter still, so only a hostile client sends more, and it must
// not make the maps hold megabytes.
constexpr size_t kMaxKeyBytes = 128;

std::string KeyOf(std::string_view s) { return std::string(s.substr(0, kMaxKeyBytes)); }

}  // namespace

std::string UkClockTime(absl::Time t) {
  const absl::Time up = absl::UnixEpoch() + absl::Ceil(t - absl::UnixEpoch(), absl::Minutes(1));
  const absl::CivilSecond local = absl::ToCivilSecond(up + LondonOffset(up), absl::UTCTimeZone());
  return absl::StrFormat("%02d:%02d", local.hour(), local.minute());
}

LoginThrottle::LoginThrottle(Clock* clock, LoginThrottleLimits limits)
    : clock_(clock), limits_(limits) {}

bool LoginThrottle::Locked(const Map& map, const std::string& key, absl::Time now,
                           absl::Time* until) {
  auto it = map.find(key);
  if (it == map.end() || now >= it->second.locked_until) return false;
  *until = it->second.locked_until;
  return true;
}

absl::Status LoginThrottle::Check(std::string_view name, std::string_view address) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  absl::Time until;
  if (Locked(addresses_, KeyOf(address), now, &until)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many failed sign-ins from your network address: try again at ", UkClockTime(until),
        " UK time"));
  }
  if (Locked(names_, KeyOf(name), now, &until)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many failed sign-ins for this user name: try again at ", UkClockTime(until),
        " UK time, or ask an administrator"));
  }
  return absl::OkStatus();
}

void LoginThrottle::MakeRoom(Map& map, absl::Time now) {
  // First whatever no longer matters: not locked, no failure in the window.
  absl::erase_if(map, [&](const auto& kv) {
    const Record& r = kv.second;
    return now >= r.locked_until && now >= r.last_failure + limits_.window;
  });
  // Under a flood of distinct live keys: the least recently failed of those
  // not locked goes (a lock must outlast a flood of other names), and only
  // when every key is locked, the lock that ends first.
  while (!map.empty() && map.size() >= std::max<size_t>(limits_.max_tracked, 1)) {
    auto victim = map.end();
    for (auto it = map.begin(); it != map.end(); ++it) {
      const Record& r = it->second;
      if (now < r.locked_until) continue;
      if (victim == map.end() || r.last_failure < victim->second.last_failure) victim = it;
    }
    if (victim == map.end()) {
      victim = map.begin();
      for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->second.locked_until < victim->second.locked_until) victim = it;
      }
    }
    map.erase(victim);
  }
}

void LoginThrottle::Note(Map& map, std::string_view key, int threshold, absl::Time now) {
  std::string k = KeyOf(key);
  auto it = map.find(k);
  if (it == map.end()) {
    if (map.size() >= std::max<size_t>(limits_.max_tracked, 1)) MakeRoom(map, now);
    it = map.emplace(std::move(k), Record{}).first;
  }
  Record& r = it->second;
  if (now < r.locked_until) return;
  // "Within the window": a failure exactly `window` ago no longer counts.
  while (!r.failures.empty() && r.failures.front() <= now - limits_.window) r.failures.pop_front();
  r.failures.push_back(now);
  r.last_failure = now;
  if (static_cast<int>(r.failures.size()) >= std::max(threshold, 1)) {
    r.locked_until = now + limits_.lock;
    r.failures.clear();
  }
}

void LoginThrottle::RecordFailure(std::string_view name, std::string_view address) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  Note(names_, name, limits_.name_failures, now);
  Note(addresses_, address, limits_.address_failures, now);
}

void LoginThrottle::RecordSuccess(std::string_view name, std::string_view /*address*/) {
  absl::MutexLock lock(&mu_);
  names_.erase(KeyOf(name));
}

}  // namespace carelog
