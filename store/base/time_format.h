// How carelog prints an instant for people and files (backup manifests, the
// case trail, the commands): one spelling, so that they agree. Pure; safe
// from any thread.
#ifndef CARELOG_STORE_BASE_TIME_FORMAT_H_
#define CARELOG_STORE_BASE_TIME_FORMAT_H_

#include <string>

#include "absl/time/time.h"

namespace carelog {

// `t` in UTC to the second, RFC 3339: "2026-12-02T01:17:00Z" (sub-second
// digits are dropped, not rounded).
std::string Rfc3339Utc(absl::Time t);

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_TIME_FORMAT_H_
