// `carelog stats [--format text|json]`: events, cases, size, head, last
// backup, packs.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/access_log.h"
#include "engine/policy.h"
#include "projections/settings_log.h"
#include "rocksdb/db.h"
#include "store/backup.h"
#include "store/event_store.h"
#include "store/head_file.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "projections/views/case_packs.h"
#include "tools/commands.h"

namespace carelog {
int RunStats(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: stats takes no arguments\n");
    return 2;
  }
  const std::string format = args.flags.count("format") ? args.flags.at("format") : "text";
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "carelog: --format must be text or json\n");
    return 2;
  }
  const std::string dir = StoreDir(args);
  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  auto store = EventStoreReader::Open(dir, so);
  if (!store.ok()) return ReportError(store.status());
  EventStoreReader& st = **store;
  auto cases = st.Streams();
  if (!cases.ok()) return ReportError(cases.status());
  auto all = st.Streams(true);
  if (!all.ok()) return ReportError(all.status());
  // The log holds case events and system records (the access log, the
  // settings log): counted apart, from each system stream's version, so that
  // "events" means what a social worker means by it.
  uint64_t access_records = 0, settings_records = 0, other_system_records = 0;
  for (const std::string& stream : *all) {
    if (!IsSystemStream(stream)) continue;
    auto version = st.StreamVersion(stream);
    if (!version.ok()) return ReportError(version.status());
    if (stream == kAccessStream || stream.rfind(absl::StrCat(kAccessStream, "/"), 0) == 0) {
      access_records += *version;
    } else if (stream == kSettingsStream) {
      settings_records += *version;
    } else {
      other_system_records += *version;
    }
  }
  const uint64_t positions = st.LastPosition();
  const uint64_t system_records = access_records + settings_records + other_system_records;
  const uint64_t case_events = positions >= system_records ? positions - system_records : 0;
  uint64_t size = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::end(it); it.increment(ec)) {
    if (it->is_regular_file(ec)) size += it->file_size(ec);
  }
  auto head = st.Head();
  const std::string head_text =
      head.ok() ? FormatTreeHead(*head) : absl::StrCat("unavailable (", head.status().message(), ")");
  auto last_backup = st.GetSetting(kLastBackupSetting);
  const std::string backup_text = last_backup.ok() ? *last_backup : "none recorded";

  // Policy packs in use: the store default and every per-case override.
  auto registry = PolicyRegistry::LoadEmbedded();
  if (!registry.ok()) return ReportError(registry.status());
  auto default_pack = st.GetSetting("pack");
  const std::string default_name = default_pack.ok() ? *default_pack : kDefaultPack;
  std::map<std::string, uint64_t> overrides;  // pack -> cases
  st.ScanSettings("pack.case.", [&](std::string_view, std::string_view pack) {
      ++overrides[std::string(pack)];
      return true;
    }).IgnoreError();
  auto describe = [&](const std::string& name) {
    auto pack = registry->Find(name);
    if (!pack.ok()) return absl::StrCat(name, " (unknown to this carelog)");
    const auto& latest = (*pack)->versions.back();
    return absl::StrCat(name, " (", (*pack)->versions.size(), " versions, latest v",
                        latest.number, " from ", absl::FormatCivilTime(latest.effective_from),
                        ")");
  };

  if (format == "json") {
    std::string packs = absl::StrCat("{\"default\":\"", default_name, "\",\"overrides\":{");
    bool first = true;
    for (const auto& [name, n] : overrides) {
      absl::StrAppend(&packs, first ? "" : ",", "\"", name, "\":", n);
      first = false;
    }
    absl::StrAppend(&packs, "}}");
    std::printf(
        "{\"events\":%llu,\"accessRecords\":%llu,\"settingsRecords\":%llu,\"positions\":%llu,"
        "\"cases\":%zu,\"systemStreams\":%zu,\"storeBytes\":%llu,"
        "\"head\":\"%s\",\"lastBackup\":\"%s\",\"packs\":%s}\n",
        static_cast<unsigned long long>(case_events),
        static_cast<unsigned long long>(access_records),
        static_cast<unsigned long long>(settings_records),
        static_cast<unsigned long long>(positions), cases->size(),
        all->size() - cases->size(), static_cast<unsigned long long>(size),
        head.ok() ? head_text.c_str() : "", last_backup.ok() ? last_backup->c_str() : "",
        packs.c_str());
    return 0;
  }
  std::printf("store:        %s\n", dir.c_str());
  std::printf("events:       %llu (case events)\n", static_cast<unsigned long long>(case_events));
  std::printf("access records: %llu\n", static_cast<unsigned long long>(access_records));
  std::printf("settings records: %llu\n", static_cast<unsigned long long>(settings_records));
  if (other_system_records > 0) {
    std::printf("other system records: %llu\n",
                static_cast<unsigned long long>(other_system_records));
  }
  std::printf("log positions: %llu\n", static_cast<unsigned long long>(positions));
  std::printf("cases:        %zu\n", cases->size());
  if (all->size() > cases->size()) {
    std::printf("system streams: %zu\n", all->size() - cases->size());
  }
  std::printf("store size:   %s (%llu bytes)\n", HumanBytes(size).c_str(),
              static_cast<unsigned long long>(size));
  std::printf("head:         %s\n", head_text.c_str());
  std::printf("last backup:  %s\n", backup_text.c_str());
  std::printf("policy pack:  %s (store default)\n", describe(default_name).c_str());
  for (const auto& [name, n] : overrides) {
    std::printf("              %s for %llu case%s\n", describe(name).c_str(),
                static_cast<unsigned long long>(n), n == 1 ? "" : "s");
  }
  return 0;
}

}  // namespace carelog
