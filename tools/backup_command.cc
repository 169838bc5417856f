// `carelog backup --to DIR`: a consistent online backup, its tree head
// recorded and verified.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/backup.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/logging.h"
#include "store/master_key.h"
#include "tools/commands.h"
#include "store/base/time_format.h"

namespace carelog {
namespace {

uint64_t TotalSize(const BackupManifest& m) {
  uint64_t n = 0;
  for (const auto& f : m.files) n += f.size;
  return n;
}


}  // namespace

int RunBackup(const Args& args) {
  auto to = args.flags.find("to");
  if (to == args.flags.end() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: backup needs --to DIR (a new or empty directory)\n");
    return 2;
  }
  const std::string dir = StoreDir(args);
  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  auto opened = EventStore::Open(dir, so);
  EventStore* writable = opened.ok() ? opened->get() : nullptr;
  absl::StatusOr<std::unique_ptr<EventStoreReader>> store =
      opened.ok() ? absl::StatusOr<std::unique_ptr<EventStoreReader>>(*std::move(opened))
                  : opened.status();
  if (!store.ok() && store.status().code() == absl::StatusCode::kUnavailable) {
    // Another process (the service) holds the store: back up its files as
    // they stand, read-only. The copy is verified either way.
    LOG_WARN(absl::StrCat("backup: ", store.status().message(),
                          "; backing up read-only alongside it"));
    store = EventStoreReader::Open(dir, so);
  }
  if (!store.ok()) return ReportError(store.status());
  LOG_INFO(absl::StrCat("backup: store ", dir, " (", (*store)->LastPosition(), " events) to ",
                        to->second));
  const absl::Time start = absl::Now();
  auto m = BackupStore(**store, to->second, [](std::string_view step) {
    LOG_INFO(absl::StrCat("backup: ", std::string(step)));
  });
  if (!m.ok()) {
    LOG_ERROR(absl::StrCat("backup failed: ", m.status().message()));
    return ReportError(m.status());
  }
  const std::string summary =
      absl::StrCat(Rfc3339Utc(m->created), " head ", FormatTreeHead(m->head), " to ",
                   std::filesystem::absolute(to->second).string());
  if (writable != nullptr) {
    absl::Status s = writable->PutSetting(kLastBackupSetting, summary);
    if (!s.ok()) LOG_WARN(absl::StrCat("backup: could not record it in the store: ", s.message()));
  }
  LOG_INFO(absl::StrCat("backup: done in ", absl::FormatDuration(absl::Now() - start), ": ",
                        m->files.size(), " files, ", TotalSize(*m), " bytes, head ",
                        FormatTreeHead(m->head)));
  std::printf(
      "backup of %llu events in %s: head %s, %zu files (%s), verified.\n"
      "Restore with: carelog restore --from %s --to NEW_STORE_DIR\n",
      static_cast<unsigned long long>(m->head.size), to->second.c_str(),
      FormatTreeHead(m->head).c_str(), m->files.size(), HumanBytes(TotalSize(*m)).c_str(),
      to->second.c_str());
  // What the copy keeps (README "Encryption at rest" and "Erasure").
  if ((*store)->encrypted()) {
    std::printf(
        "This backup is encrypted under master key %s. It keeps every case as it is now, also "
        "one erased later, for as long as that key exists: to make it forget, rotate the store "
        "to a new key (carelog keys rotate) and destroy the old key file.\n",
        CliMasterKey() != nullptr ? MasterKeyId(*CliMasterKey()).c_str() : "(not given)");
  } else {
    std::printf(
        "This backup is not encrypted: nothing in it can be erased but by deleting the whole "
        "backup.\n");
  }
  return 0;
}

}  // namespace carelog
