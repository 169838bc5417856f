#include "projections/settings_log.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/calendar.h"
#include "store/base/deterministic.h"
#include "store/base/status_macros.h"
#include "store/base/hex.h"
#include "store/base/sha256.h"

namespace carelog {
namespace {

constexpr char kCasePackPrefix[] = "pack.case.";

void SetNow(v1::SettingChanged* r) {
  const int64_t micros = absl::ToUnixMicros(absl::Now());
  r->mutable_at()->set_seconds(micros / 1000000);
  r->mutable_at()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

// For holidays.json: the new file's hash and dates per division. A file that
// does not parse is kInvalidArgument (ChangeSetting refuses it; a baseline
// record of an old unparsable file keeps its hash only).
absl::Status DescribeHolidays(std::string_view file, v1::SettingChanged* r) {
  r->set_new_sha256(DigestBytes(Sha256Of(file)));
  ASSIGN_OR_RETURN(std::vector<Calendar::FileDates> files, Calendar::ParseHolidaysFile(file));
  for (const Calendar::FileDates& f : files) {
    v1::DivisionHolidays* d = r->add_holidays();
    d->set_division(std::string(DivisionName(f.division)));
    for (absl::CivilDay day : f.dates) d->add_dates(FormatDate(day));
  }
  return absl::OkStatus();
}

// Every logged setting the store holds now ('C' keys).
absl::StatusOr<std::map<std::string, std::string>> StoredLoggedSettings(const EventStoreReader& store) {
  std::map<std::string, std::string> out;
  RETURN_IF_ERROR(store.ScanSettings("pack", [&](std::string_view name, std::string_view value) {
    if (IsLoggedSetting(name)) out.emplace(std::string(name), std::string(value));
    return true;
  }));
  auto holidays = store.GetSetting(kHolidaysSetting);
  if (holidays.ok()) {
    out.emplace(kHolidaysSetting, *std::move(holidays));
  } else if (!absl::IsNotFound(holidays.status())) {
    return holidays.status();
  }
  return out;
}

// The position of the last record of `setting` (0 if none).
uint64_t LastPositionOf(const std::vector<v1::SettingChanged>& log, const std::string& setting) {
  uint64_t pos = 0;
  for (const v1::SettingChanged& r : log) {
    if (r.setting() == setting) pos = r.position();
  }
  return pos;
}

// "" when the stored value (nullptr = unset) is the fold's (nullptr = not in
// the log), else the problem, naming the setting and both values.
std::string Disagreement(const std::string& setting, const std::string* stored,
                         const std::string* folded, uint64_t position) {
  if (stored == nullptr && folded == nullptr) return "";
  if (stored != nullptr && folded != nullptr && *stored == *folded) return "";
  if (folded == nullptr) {
    return absl::StrCat("setting '", setting, "' is ", DescribeSettingValue(setting, *stored),
                        " in the store but not in the settings log: it was written behind "
                        "carelog's back");
  }
  const std::string in_store =
      stored == nullptr ? std::string("unset") : DescribeSettingValue(setting, *stored);
  return absl::StrCat("setting '", setting, "' is ", in_store,
                      " in the store but the settings log says ",
                      DescribeSettingValue(setting, *folded), " (position ", position,
                      "): it was changed behind carelog's back");
}

}  // namespace

SettingsActor CliActor() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return SettingsActor{pw->pw_name, "cli"};
  }
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') {
    return SettingsActor{user, "cli"};
  }
  return SettingsActor{absl::StrCat("uid ", geteuid()), "cli"};
}

bool IsLoggedSetting(std::string_view name) {
  if (name == "pack" || name == kHolidaysSetting) return true;
  return name.size() > sizeof(kCasePackPrefix) - 1 && name.rfind(kCasePackPrefix, 0) == 0;
}

std::string DescribeSettingValue(std::string_view setting, std::string_view value) {
  if (setting == kHolidaysSetting) {
    return absl::StrCat("SHA-256 ", Sha256Hex(value), " (", value.size(), " bytes)");
  }
  return absl::StrCat("'", std::string(value), "'");
}

absl::StatusOr<v1::SettingChanged> ChangeSetting(EventStore* store, std::string_view setting,
                                                 std::string_view value,
                                                 const SettingsActor& who) {
  const std::string name(setting);
  if (!IsLoggedSetting(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' is not a setting that judges cases"));
  }
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("setting '", name, "' needs a value"));
  }
  v1::SettingChanged change;
  change.set_setting(name);
  change.set_new_value(std::string(value));
  change.set_changed_by(who.name);
  change.set_via(who.via);
  SetNow(&change);
  if (name == kHolidaysSetting) {
    if (value.size() > kMaxHolidaysFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("the bank-holidays file has ", value.size(), " bytes; at most ",
                       kMaxHolidaysFileBytes, " are accepted (gov.uk's is about 20 KiB)"));
    }
    // Refused before anything is written if it does not parse.
    RETURN_IF_ERROR(DescribeHolidays(value, &change));
  }

  ASSIGN_OR_RETURN(std::vector<v1::SettingChanged> log, ReadSettingsLog(*store));
  ASSIGN_OR_RETURN(auto stored, StoredLoggedSettings(*store));
  AppendRequest req;
  if (log.empty()) {
    // The log begins: record what the store already holds, as found.
    for (const auto& [found_name, found_value] : stored) {
      v1::SettingChanged found;
      found.set_setting(found_name);
      found.set_new_value(found_value);
      found.set_changed_by(who.name);
      found.set_via(who.via);
      found.set_found_when_log_began(true);
      *found.mutable_at() = change.at();
      if (found_name == kHolidaysSetting) {
        // An unparsable old file is still recorded (by its hash and bytes).
        (void)DescribeHolidays(found_value, &found);
      }
      req.records.push_back(NewRecord{kSettingsStream, "", DeterministicBytes(found)});
    }
  } else {
    // Building on a setting the log does not explain would hide the forgery.
    const auto folded = FoldSettings(log);
    auto s = stored.find(name);
    auto f = folded.find(name);
    const std::string problem =
        Disagreement(name, s == stored.end() ? nullptr : &s->second,
                     f == folded.end() ? nullptr : &f->second, LastPositionOf(log, name));
    if (!problem.empty()) {
      return absl::DataLossError(
          absl::StrCat(problem, "; nothing was changed (run `carelog verify`)"));
    }
  }
  if (auto s = stored.find(name); s != stored.end()) {
    change.set_old_value(s->second);
    if (name == kHolidaysSetting) change.set_old_sha256(DigestBytes(Sha256Of(s->second)));
  }
  req.records.push_back(NewRecord{kSettingsStream, "", DeterministicBytes(change)});
  for (NewRecord& r : req.records) {
    uint8_t rnd[16];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return absl::InternalError("no randomness for an id");
    r.id = absl::StrCat(kSettingsStream, ":",
                        HexOf(rnd, sizeof rnd));
  }
  // The log as read, or nothing: a change made meanwhile would make the old
  // value above wrong.
  req.expected_versions[kSettingsStream] = log.size();
  req.settings.emplace_back(name, std::string(value));
  req.sync = true;
  ASSIGN_OR_RETURN(AppendResult result, store->Append(std::move(req)));
  change.set_position(result.positions.back());
  return change;
}

absl::StatusOr<std::vector<v1::SettingChanged>> ReadSettingsLog(const EventStoreReader& store) {
  ASSIGN_OR_RETURN(std::vector<StoredRecord> records, store.ReadStream(kSettingsStream));
  std::vector<v1::SettingChanged> out;
  out.reserve(records.size());
  for (const StoredRecord& rec : records) {
    v1::SettingChanged r;
    if (!r.ParseFromString(rec.payload)) {
      return absl::DataLossError(
          absl::StrCat("position ", rec.position, ": settings record does not parse"));
    }
    r.set_position(rec.position);
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, std::string> FoldSettings(const std::vector<v1::SettingChanged>& records) {
  std::map<std::string, std::string> out;
  for (const v1::SettingChanged& r : records) out[r.setting()] = r.new_value();
  return out;
}

absl::StatusOr<std::vector<v1::SettingChanged>> SettingsChangesForCase(const EventStoreReader& store,
                                                                       std::string_view case_id) {
  ASSIGN_OR_RETURN(std::vector<v1::SettingChanged> log, ReadSettingsLog(store));
  const std::string own = absl::StrCat(kCasePackPrefix, std::string(case_id));
  std::vector<v1::SettingChanged> out;
  for (v1::SettingChanged& r : log) {
    if (r.setting() == "pack" || r.setting() == own || r.setting() == kHolidaysSetting) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

absl::StatusOr<CaseTrailSettings> CaseTrailSettingsForCase(const EventStoreReader& store,
                                                   std::string_view case_id) {
  CaseTrailSettings out;
  ASSIGN_OR_RETURN(out.changes, SettingsChangesForCase(store, case_id));
  for (const std::string& name : {absl::StrCat(kCasePackPrefix, std::string(case_id)),
                                 std::string("pack")}) {
    auto v = store.GetSetting(name);
    if (v.ok()) {
      out.pack_setting = name;
      break;
    }
    if (!absl::IsNotFound(v.status())) return v.status();
  }
  auto holidays = store.GetSetting(kHolidaysSetting);
  if (holidays.ok()) {
    out.calendar_sha256 = DigestBytes(Sha256Of(*holidays));
  } else if (!absl::IsNotFound(holidays.status())) {
    return holidays.status();
  }
  return out;
}

absl::StatusOr<SettingsCheck> CheckSettings(const EventStoreReader& store) {
  SettingsCheck check;
  ASSIGN_OR_RETURN(std::vector<v1::SettingChanged> log, ReadSettingsLog(store));
  ASSIGN_OR_RETURN(auto stored, StoredLoggedSettings(store));
  check.records = log.size();
  if (log.empty()) {
    for (const auto& [name, value] : stored) {
      check.warnings.push_back(absl::StrCat(
          "setting '", name, "' = ", DescribeSettingValue(name, value),
          " predates the settings log (set by a carelog that did not record settings changes); "
          "the next `carelog pack` or `carelog holidays` records it as found"));
    }
    return check;
  }
  for (const v1::SettingChanged& r : log) {
    if (r.setting() == kHolidaysSetting && r.new_sha256() != DigestBytes(Sha256Of(r.new_value()))) {
      check.problems.push_back(absl::StrCat(
          "position ", r.position(), ": the bank-holidays record's SHA-256 ", HexOf(r.new_sha256()),
          " is not that of the file it holds (", Sha256Hex(r.new_value()), ")"));
    }
  }
  const auto folded = FoldSettings(log);
  std::map<std::string, bool> names;
  for (const auto& [name, v] : stored) names[name] = true;
  for (const auto& [name, v] : folded) names[name] = true;
  for (const auto& [name, unused] : names) {
    auto s = stored.find(name);
    auto f = folded.find(name);
    std::string problem =
        Disagreement(name, s == stored.end() ? nullptr : &s->second,
                     f == folded.end() ? nullptr : &f->second, LastPositionOf(log, name));
    if (!problem.empty()) check.problems.push_back(std::move(problem));
  }
  return check;
}

}  // namespace carelog
