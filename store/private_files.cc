#include "store/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/base/errno_status.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;

}  // namespace

absl::Status CreatePrivateDirectories(const std::string& dir) {
  // The missing tail of the path, outermost first.
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (it->filename().empty()) continue;  // "a/b/" normalises with a trailing empty name
    // mkdir's mode is masked by the umask; 0700 survives any umask that
    // leaves the owner rwx, and chmod makes sure.
    if (mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus(absl::StrCat("creating directory ", it->string()), errno);
    }
    if (chmod(it->c_str(), 0700) != 0) {
      return ErrnoStatus(absl::StrCat("making ", it->string(), " owner-only"), errno);
    }
  }
  return absl::OkStatus();
}

absl::Status CloseToOthers(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return ErrnoStatus(absl::StrCat("reading ", dir), errno);
  if ((st.st_mode & S_IRWXO) == 0 || st.st_uid != geteuid()) return absl::OkStatus();
  if (chmod(dir.c_str(), st.st_mode & 07770) != 0) {
    return ErrnoStatus(absl::StrCat("closing ", dir, " to other users"), errno);
  }
  return absl::OkStatus();
}

absl::Status CreatePrivateFile(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(absl::StrCat("creating ", path), errno);
  // An existing file keeps its mode through O_CREAT: set it.
  const int rc = fchmod(fd, 0600);
  const int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(absl::StrCat("making ", path, " owner-only"), err);
  return absl::OkStatus();
}

absl::StatusOr<int> RemoveStaleImportSpools(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool spool =
        absl::StartsWith(name, kImportSpoolPrefix) && absl::EndsWith(name, kImportSpoolSuffix);
    const bool staged =
        absl::StartsWith(name, kBulkStagePrefix) && absl::EndsWith(name, kBulkStageSuffix);
    if (!spool && !staged) continue;
    std::error_code rm;
    if (!fs::remove(it->path(), rm) && rm) {
      return absl::InternalError(absl::StrCat("removing the stale import file ",
                                              it->path().string(), ": ", rm.message()));
    }
    ++removed;
  }
  if (ec) return absl::InternalError(absl::StrCat("listing ", dir, ": ", ec.message()));
  return removed;
}

}  // namespace carelog
