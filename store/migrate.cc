#include "store/migrate.h"

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "store/base/clock.h"
#include "store/base/status_macros.h"
#include "store/internal/store_internals.h"
#include "store/merkle.h"
#include "store/sealing.h"

namespace carelog {
namespace {

// Records of one Append: consecutive, with the same recorded time (the clock
// reads once per commit group), at most this many.
constexpr size_t kGroupRecords = 10000;

std::string HeadText(const TreeHead& h) {
  return absl::StrCat(h.size, ":", merkle::ToHex(h.root));
}

absl::Status CheckVerifies(const EventStoreReader& store, const char* which) {
  ASSIGN_OR_RETURN(VerifyReport v, store.Verify());
  if (!v.ok) {
    return absl::DataLossError(absl::StrCat("migration: the ", which, " store ", store.dir(),
                                            " does not verify (position ", v.position, ": ",
                                            v.problem, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MigrationReport> MigrateToSealed(const std::string& from, const std::string& to,
                                                const SecretKey& master) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(to, ec) && !(fs::is_directory(to, ec) && fs::is_empty(to, ec))) {
    return absl::FailedPreconditionError(
        absl::StrCat("migration: ", to, " exists and is not empty: give a new directory"));
  }
  StoreOptions source_options;
  source_options.create_if_missing = false;
  auto opened = EventStore::Open(from, source_options);
  if (!opened.ok()) {
    if (opened.status().code() == absl::StatusCode::kFailedPrecondition &&
        opened.status().message().find("encrypted") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration: store ", from, " is already encrypted"));
    }
    return opened.status();
  }
  std::unique_ptr<EventStore> source = *std::move(opened);
  MigrationReport report;
  {
    absl::Status v = CheckVerifies(*source, "old");
    if (!v.ok()) return absl::FailedPreconditionError(v.message());
  }
  ASSIGN_OR_RETURN(report.old_head, source->Head());

  FakeClock clock(absl::UnixEpoch());
  StoreOptions target_options;
  target_options.master_key = &master;
  target_options.clock = &clock;
  target_options.sync = false;  // one sync at the end; the copy is verified before use
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> target, EventStore::Open(to, target_options));
  if (!target->encrypted()) {
    return absl::InternalError("migration: the new store did not become encrypted");
  }

  AppendRequest group;
  int64_t group_time = 0;
  uint64_t group_first = 0;
  absl::Status copy;
  auto flush = [&]() -> absl::Status {
    if (group.records.empty()) return absl::OkStatus();
    clock.Set(absl::FromUnixMicros(group_time));
    const size_t n = group.records.size();
    ASSIGN_OR_RETURN(AppendResult r, target->Append(std::move(group)));
    group = AppendRequest();
    if (r.appended != n || r.positions.front() != group_first) {
      return absl::DataLossError(absl::StrCat(
          "migration: records from position ", group_first, " did not land at their positions"));
    }
    report.records += n;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(source->ScanLog(1, [&](const StoredRecord& r) {
    if (!group.records.empty() &&
        (r.recorded_at_micros != group_time || group.records.size() >= kGroupRecords)) {
      copy = flush();
      if (!copy.ok()) return false;
    }
    if (group.records.empty()) {
      group_time = r.recorded_at_micros;
      group_first = r.position;
    }
    group.records.push_back(NewRecord{r.stream, r.id, r.payload});
    return true;
  }));
  RETURN_IF_ERROR(copy);
  RETURN_IF_ERROR(flush());

  absl::Status settings;
  RETURN_IF_ERROR(source->ScanSettings("", [&](std::string_view name, std::string_view value) {
    settings = target->PutSetting(name, value);
    ++report.settings;
    return settings.ok();
  }));
  RETURN_IF_ERROR(settings);
  RETURN_IF_ERROR(target->Sync());

  RETURN_IF_ERROR(CheckVerifies(*target, "new"));
  ASSIGN_OR_RETURN(report.new_head, target->Head());
  if (report.new_head.size != report.old_head.size) {
    return absl::DataLossError(absl::StrCat("migration: the new log has ", report.new_head.size,
                                            " records, the old ", report.old_head.size));
  }
  report.mapping = absl::StrCat("plain ", HeadText(report.old_head), " -> ",
                                HeadText(report.new_head), " at ",
                                absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                                                 absl::UTCTimeZone()));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = internal::StoreInternals::Db(*target)->Put(
      wo, format::MetaKey(kMigratedFromMeta), report.mapping);
  if (!s.ok()) return absl::InternalError(absl::StrCat("migration: recording the mapping: ", s.ToString()));
  return report;
}

}  // namespace carelog
