#include "projections/views/case_packs.h"

#include "absl/strings/str_cat.h"
#include "store/base/status_macros.h"

namespace carelog {

absl::StatusOr<Calendar> CalendarFromSetting(const absl::StatusOr<std::string>& saved) {
  if (saved.status().code() == absl::StatusCode::kNotFound) return Calendar::Default();
  if (!saved.ok()) return saved.status();
  return Calendar::WithOverride(*saved);
}

absl::StatusOr<Calendar> StoreCalendar(const EventStoreReader* store) {
  return CalendarFromSetting(store->GetSetting(kHolidaysSetting));
}

absl::StatusOr<std::string> CasePacks::NameFor(const std::string& case_id) {
  if (!case_id.empty()) {
    auto v = store_->GetSetting(absl::StrCat("pack.case.", case_id));
    if (v.ok()) return *v;
    if (v.status().code() != absl::StatusCode::kNotFound) return v.status();
  }
  if (!default_.has_value()) {
    auto v = store_->GetSetting("pack");
    if (v.ok()) {
      default_ = *v;
    } else if (v.status().code() == absl::StatusCode::kNotFound) {
      default_ = kDefaultPack;
    } else {
      return v.status();
    }
  }
  return *default_;
}

absl::StatusOr<const ResolvedPack*> CasePacks::For(const std::string& case_id) {
  ASSIGN_OR_RETURN(std::string name, NameFor(case_id));
  return registry_->Find(name);
}

absl::StatusOr<v1::SettingChanged> CasePacks::Set(const std::string& case_id,
                                                   const std::string& pack,
                                                   const SettingsActor& who) {
  RETURN_IF_ERROR(registry_->Find(pack).status());
  default_.reset();
  if (writer_ == nullptr) return absl::FailedPreconditionError("store opened read-only");
  return ChangeSetting(writer_, case_id.empty() ? "pack" : absl::StrCat("pack.case.", case_id),
                       pack, who);
}

}  // namespace carelog
