#include "store/base/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace carelog {

absl::Status ErrnoStatus(std::string_view what, int err, std::string_view disk_full_hint) {
  const std::string msg = absl::StrCat(std::string(what), ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(absl::StrCat(msg, " (", std::string(disk_full_hint), ")"));
  }
  return absl::InternalError(msg);
}

}  // namespace carelog
