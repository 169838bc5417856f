// CasePacks: which policy pack judges a case — the store's setting "pack"
// (default "england"), overridden per case by "pack.case.<caseId>".
#ifndef CARELOG_PROJECTIONS_VIEWS_CASE_PACKS_H_
#define CARELOG_PROJECTIONS_VIEWS_CASE_PACKS_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "store/event_store.h"
#include "projections/settings_log.h"

namespace carelog {

inline constexpr char kDefaultPack[] = "england";

// The working-day calendar for the store: the built-in one, overridden by the
// gov.uk-format file saved with `carelog holidays FILE` (its dates win for the
// years it covers). kInvalidArgument if the saved file no longer parses.
[[nodiscard]] absl::StatusOr<Calendar> StoreCalendar(const EventStoreReader* store);
// The same from a read of that setting (kNotFound: none saved), for a
// caller that keeps the calendar while the setting is unchanged.
[[nodiscard]] absl::StatusOr<Calendar> CalendarFromSetting(const absl::StatusOr<std::string>& saved);

class CasePacks {
 public:
  // Neither is owned; both must outlive this object. Not thread-safe.
  CasePacks(EventStore* store, const PolicyRegistry* registry)
      : store_(store), writer_(store), registry_(registry) {}
  // Packs of a store opened for a query: Set refuses (kFailedPrecondition).
  CasePacks(const EventStoreReader* store, const PolicyRegistry* registry)
      : store_(store), writer_(nullptr), registry_(registry) {}

  // The pack name for the case ("" = the store default).
  [[nodiscard]] absl::StatusOr<std::string> NameFor(const std::string& case_id);
  // The resolved pack for the case; kNotFound if the setting names no pack.
  [[nodiscard]] absl::StatusOr<const ResolvedPack*> For(const std::string& case_id);
  // Sets the store default (case_id "") or one case's override, recording
  // the change (who, when, old and new) in the settings log
  // (projections/settings_log.h); returns that record. kNotFound (nothing written)
  // for a pack the registry does not know; ChangeSetting's errors.
  [[nodiscard]] absl::StatusOr<v1::SettingChanged> Set(const std::string& case_id,
                                                       const std::string& pack,
                                                       const SettingsActor& who);

 private:
  const EventStoreReader* store_;
  EventStore* writer_;  // nullptr when only reading
  const PolicyRegistry* registry_;
  std::optional<std::string> default_;
};

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_VIEWS_CASE_PACKS_H_
