// A failed system call as an absl::Status: the one place that decides which
// errno values are "disk full" (the operator can fix those and run again)
// and which are internal errors. Thread-safe (strerror's text is copied at
// once; callers pass errno saved right after the failing call).
#ifndef CARELOG_STORE_BASE_ERRNO_STATUS_H_
#define CARELOG_STORE_BASE_ERRNO_STATUS_H_

#include <string_view>

#include "absl/status/status.h"

namespace carelog {

// "WHAT: <the system's reason for err>". kResourceExhausted, with
// " (DISK_FULL_HINT)" appended, when err is ENOSPC or EDQUOT; kInternal for
// every other err.
[[nodiscard]] absl::Status ErrnoStatus(std::string_view what, int err,
                                       std::string_view disk_full_hint = "disk full");

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_ERRNO_STATUS_H_
