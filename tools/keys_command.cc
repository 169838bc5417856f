// `carelog keys new --key-file FILE`, `carelog keys rotate --new-key-file
// FILE` and `carelog migrate --from DIR --to NEWDIR`: the master key of an encrypted store (issue 19; README "Encryption
// at rest"). The store side is store/master_key.h and RotateMasterKey
// (store/event_store.h).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "store/event_store.h"
#include "store/master_key.h"
#include "store/merkle.h"
#include "store/migrate.h"
#include "tools/commands.h"

namespace carelog {

int RunKeys(const Args& args) {
  const std::string what = args.positional.empty() ? "" : args.positional[0];
  if (what == "new" && args.positional.size() == 1) {
    const std::string file = FlagValue(args, "key-file");
    if (file.empty()) {
      std::fprintf(stderr, "carelog: keys new needs --key-file FILE\n");
      return 2;
    }
    if (absl::Status s = WriteNewMasterKeyFile(file); !s.ok()) return ReportError(s);
    auto key = ReadMasterKeyFile(file);
    if (!key.ok()) return ReportError(key.status());
    std::printf("wrote master key %s to %s (mode 0600): keep a copy apart from the store's "
                "backups; without it an encrypted store cannot be read\n",
                MasterKeyId(*key).c_str(), file.c_str());
    return 0;
  }
  if (what == "rotate" && args.positional.size() == 1) {
    const std::string file = FlagValue(args, "new-key-file");
    if (file.empty()) {
      std::fprintf(stderr, "carelog: keys rotate needs --new-key-file FILE (from `carelog keys "
                           "new`) and the current key (--master-key-file)\n");
      return 2;
    }
    const SecretKey* current = CliMasterKey();
    if (current == nullptr) {
      std::fprintf(stderr, "carelog: keys rotate needs the store's current master key: "
                           "--master-key-file FILE or $CARELOG_MASTER_KEY_FILE\n");
      return 2;
    }
    auto next = ReadMasterKeyFile(file);
    if (!next.ok()) return ReportError(next.status());
    if (MasterKeyId(*next) == MasterKeyId(*current)) {
      std::fprintf(stderr, "carelog: the new master key is the current one\n");
      return 1;
    }
    if (absl::Status s = RotateMasterKey(StoreDir(args), *current, *next); !s.ok()) {
      return ReportError(s);
    }
    std::printf("store %s: every data key re-wrapped from master key %s to %s; from now on "
                "open it with %s. Backups taken before now still need the old key: destroy it "
                "to make them unreadable (then take a new backup)\n",
                StoreDir(args).c_str(), MasterKeyId(*current).c_str(), MasterKeyId(*next).c_str(),
                file.c_str());
    return 0;
  }
  std::fprintf(stderr, "carelog: keys new --key-file FILE | keys rotate --new-key-file FILE\n");
  return 2;
}

int RunMigrate(const Args& args) {
  auto from = args.flags.find("from");
  auto to = args.flags.find("to");
  if (from == args.flags.end() || to == args.flags.end() || !args.positional.empty()) {
    std::fprintf(stderr, "carelog: migrate needs --from DIR --to NEWDIR and a master key "
                         "(--master-key-file FILE, from `carelog keys new`)\n");
    return 2;
  }
  const SecretKey* key = CliMasterKey();
  if (key == nullptr) {
    std::fprintf(stderr, "carelog: migrate needs the new store's master key: --master-key-file "
                         "FILE (make one with `carelog keys new --key-file FILE`)\n");
    return 2;
  }
  auto report = MigrateToSealed(from->second, to->second, *key);
  if (!report.ok()) return ReportError(report.status());
  std::printf("migrated %llu records and %llu settings from %s to %s, encrypted under master "
              "key %s; both logs verified\nold head %llu:%s\nnew head %llu:%s\n(recorded in the "
              "new store as: %s)\n",
              static_cast<unsigned long long>(report->records),
              static_cast<unsigned long long>(report->settings), from->second.c_str(),
              to->second.c_str(), MasterKeyId(*key).c_str(),
              static_cast<unsigned long long>(report->old_head.size),
              merkle::ToHex(report->old_head.root).c_str(),
              static_cast<unsigned long long>(report->new_head.size),
              merkle::ToHex(report->new_head.root).c_str(), report->mapping.c_str());
  return 0;
}

}  // namespace carelog
