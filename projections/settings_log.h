// The settings log: the settings that judge cases — the policy pack (store
// default "pack", one case's "pack.case.<caseId>") and the bank-holidays
// calendar ("holidays.json") — change every deadline, so every change of them
// is a record in the store itself, like the access log (engine/access_log.h):
// a carelog.v1.SettingChanged (proto/carelog/v1/settings.proto) in the system
// stream "$settings", in the hash chain and the Merkle tree. `head` moves with
// each change and `prove` can prove one.
//
// The stored setting ('C' key, what every command reads) is the fold of that
// stream: for each setting, the new_value of its last record. The record and
// the setting are written in ONE atomic RocksDB write (AppendRequest::settings),
// so a crash keeps both or neither; they can disagree only if someone writes
// the database behind carelog's back (or damage), which CheckSettings — run by
// `carelog verify` (tools/verify_command.cc) — reports, naming the setting and
// both values.
//
// Stores whose settings predate the log: until the first change, a judging
// setting with no record is reported as a warning ("predates the settings
// log"), not a failure, so upgrading does not fail verify. The first change
// writes, in the same atomic append and before the change itself, one record
// per such setting with found_when_log_began = true (its value as found; what
// it was before is unknown). From then on every judging setting must be the
// fold, and one that is not in the log is a failure.
//
// Other settings (e.g. "backup.last", a note of the last backup) judge
// nothing and stay plain settings outside the log.
#ifndef CARELOG_PROJECTIONS_SETTINGS_LOG_H_
#define CARELOG_PROJECTIONS_SETTINGS_LOG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "carelog/v1/settings.pb.h"
#include "projections/case_trail.h"
#include "store/event_store.h"

namespace carelog {

inline constexpr char kSettingsStream[] = "$settings";

// The store setting holding a gov.uk-format bank-holidays.json override
// (`carelog holidays FILE`); a judging setting, so kept in the log.
inline constexpr char kHolidaysSetting[] = "holidays.json";

// The largest bank-holidays file accepted (gov.uk's is about 20 KiB): its
// record holds the old and the new file, and stays well under kMaxEventBytes.
inline constexpr size_t kMaxHolidaysFileBytes = 256 << 10;

// Who changes a setting, and through what.
struct SettingsActor {
  std::string name;  // the OS user, or the service token's name
  std::string via;   // "cli" or "service"
};

// The OS user running this process (getpwuid(geteuid()), else $USER, else
// "uid N"), via "cli".
SettingsActor CliActor();

// True for the settings that judge cases and so are kept in the log: "pack",
// "pack.case.<caseId>" (non-empty id) and "holidays.json".
bool IsLoggedSetting(std::string_view name);

// Sets `setting` to `value` and records the change, atomically (see above).
// Returns the record as written, position set. The caller checks that a pack
// name exists; this checks the rest. Failures (nothing written):
// kInvalidArgument for a setting that is not logged, an empty value, or a
// holidays file that does not parse or is larger than kMaxHolidaysFileBytes;
// kDataLoss when the stored setting already disagrees with the log (changed
// behind carelog's back: `carelog verify` says more); kAborted if another
// writer changed a setting meanwhile (retry); the store's append errors.
[[nodiscard]] absl::StatusOr<v1::SettingChanged> ChangeSetting(EventStore* store,
                                                               std::string_view setting,
                                                               std::string_view value,
                                                               const SettingsActor& who);

// Every record of the settings log in log order, `position` set. kDataLoss
// naming the position if one does not parse.
[[nodiscard]] absl::StatusOr<std::vector<v1::SettingChanged>> ReadSettingsLog(
    const EventStoreReader& store);

// setting -> its value after the records (in log order).
std::map<std::string, std::string> FoldSettings(const std::vector<v1::SettingChanged>& records);

// The records that judge one case: its own pack, the store default pack, and
// the calendar; in log order.
[[nodiscard]] absl::StatusOr<std::vector<v1::SettingChanged>> SettingsChangesForCase(
    const EventStoreReader& store, std::string_view case_id);

// What `carelog audit` shows of the settings that judged one case: which
// setting chose its pack, the saved calendar's SHA-256, and
// SettingsChangesForCase. kDataLoss as ReadSettingsLog.
[[nodiscard]] absl::StatusOr<CaseTrailSettings> CaseTrailSettingsForCase(const EventStoreReader& store,
                                                                std::string_view case_id);

struct SettingsCheck {
  uint64_t records = 0;  // in the settings log
  // Each names the setting and both values (a holidays file by SHA-256).
  std::vector<std::string> problems;
  // Settings that predate the log (only while it is empty).
  std::vector<std::string> warnings;
};

// Compares every logged setting in the store with the fold of the settings
// log, both ways, and checks each holidays record's SHA-256 against its file.
// A non-OK status means the check could not run (I/O, a record that does not
// parse: kDataLoss), not that a setting disagrees.
[[nodiscard]] absl::StatusOr<SettingsCheck> CheckSettings(const EventStoreReader& store);

// A setting's value for messages: a holidays file as "SHA-256 <hex> (N
// bytes)", anything else quoted.
std::string DescribeSettingValue(std::string_view setting, std::string_view value);


}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SETTINGS_LOG_H_
