// Slows down password guessing at the web application's sign-in form.
//
// Two counts of failed sign-ins, each over a sliding window of 15 minutes:
// per user name (5 failures lock that name for 15 minutes, whoever tries it:
// one account guessed at from many addresses) and per client address (50
// failures lock the address for 15 minutes: many accounts guessed at from
// one place). Unknown names count like known ones, so a lock-out does not
// tell whether a name exists. A lock ends exactly `lock` after the failure
// that set it; failures while locked are not expected (the caller checks
// first) and are ignored, so a lock cannot be stretched by hammering.
//
// Memory is bounded: each count keeps at most its threshold of failure
// times, and each map at most max_tracked keys; when full, keys with nothing
// recent are forgotten first, then the unlocked one least recently failed
// (so a flood of made-up names cannot lift a lock), and only when all are
// locked the lock that ends first.
#ifndef CARELOG_TOOLS_WEB_AUTH_LOGIN_THROTTLE_H_
#define CARELOG_TOOLS_WEB_AUTH_LOGIN_THROTTLE_H_

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/base/clock.h"

namespace carelog {

struct LoginThrottleLimits {
  int name_failures = 5;
  int address_failures = 50;
  absl::Duration window = absl::Minutes(15);
  absl::Duration lock = absl::Minutes(15);
  size_t max_tracked = 10000;  // user names, and separately addresses
};

class LoginThrottle {
 public:
  // `clock` is not owned and must outlive the throttle.
  explicit LoginThrottle(Clock* clock, LoginThrottleLimits limits = {});
  LoginThrottle(const LoginThrottle&) = delete;
  LoginThrottle& operator=(const LoginThrottle&) = delete;

  // Call before checking a password. OK, or kResourceExhausted when the
  // address or the name is locked, with a message for the person at the
  // form saying until when ("... try again at 14:05 UK time"; the minute
  // is rounded up, so it is never early). Thread-safe.
  [[nodiscard]] absl::Status Check(std::string_view name, std::string_view address);

  // A wrong name or password from `address`. Thread-safe.
  void RecordFailure(std::string_view name, std::string_view address);

  // A successful sign-in: forgets the name's failures. The address's stay:
  // an attacker who holds one account must not reset the count of their
  // guesses at others. Thread-safe.
  void RecordSuccess(std::string_view name, std::string_view address);

 private:
  struct Record {
    std::deque<absl::Time> failures;  // within the window, oldest first
    absl::Time locked_until = absl::InfinitePast();
    absl::Time last_failure = absl::InfinitePast();
  };
  using Map = absl::flat_hash_map<std::string, Record>;

  void Note(Map& map, std::string_view key, int threshold, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MakeRoom(Map& map, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static bool Locked(const Map& map, const std::string& key, absl::Time now, absl::Time* until);

  Clock* const clock_;
  const LoginThrottleLimits limits_;
  absl::Mutex mu_;
  Map names_ ABSL_GUARDED_BY(mu_);
  Map addresses_ ABSL_GUARDED_BY(mu_);
};

// "HH:MM" in UK time (GMT or BST) of `t` rounded up to the minute.
std::string UkClockTime(absl::Time t);

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_AUTH_LOGIN_THROTTLE_H_
