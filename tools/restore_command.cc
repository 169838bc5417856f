// `carelog restore --from DIR --to STORE`: restore a backup into a new
// store; refused unless it verifies and its head is the one it recorded.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/backup.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/logging.h"
#include "tools/commands.h"
#include "store/base/time_format.h"

namespace carelog {
int RunRestore(const Args& args) {
  auto from = args.flags.find("from");
  auto to = args.flags.find("to");
  if (from == args.flags.end() || to == args.flags.end() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: restore needs --from BACKUP_DIR --to NEW_STORE_DIR\n");
    return 2;
  }
  LOG_INFO(absl::StrCat("restore: from ", from->second, " to ", to->second));
  auto m = RestoreStore(from->second, to->second, [](std::string_view step) {
    LOG_INFO(absl::StrCat("restore: ", std::string(step)));
  });
  if (!m.ok()) {
    LOG_ERROR(absl::StrCat("restore refused: ", m.status().message()));
    if (m.status().code() == absl::StatusCode::kDataLoss) {
      std::fprintf(stderr, "carelog: %s\ncarelog: nothing was restored into %s\n",
                   std::string(m.status().message()).c_str(), to->second.c_str());
      return 1;
    }
    return ReportError(m.status());
  }
  LOG_INFO(absl::StrCat("restore: done, head ", FormatTreeHead(m->head)));
  std::printf(
      "restored %llu events into %s; the whole log verified and its head %s is the one the "
      "backup recorded on %s\n",
      static_cast<unsigned long long>(m->head.size), to->second.c_str(),
      FormatTreeHead(m->head).c_str(), Rfc3339Utc(m->created).c_str());
  // A backup is the store as it was: a case erased since is readable in it
  // again (as long as its master key exists). Said here, where it matters.
  StoreOptions keyless;
  keyless.without_master_key = true;
  if (auto restored = EventStoreReader::Open(to->second, keyless);
      restored.ok() && (*restored)->encrypted()) {
    std::printf(
        "The restored store is encrypted: it opens with the master key the backup was taken "
        "under. Cases erased after %s are in it again: erase them again (carelog cases on the "
        "store they were erased from lists its erasures).\n",
        Rfc3339Utc(m->created).c_str());
  }
  return 0;
}

}  // namespace carelog
