// The generated timeline: instants are whole minutes since 1970-01-01 UTC,
// acts happen in London office hours on working days of England and Wales,
// and SSDA903 code lists change with the collection year (April to March).
#ifndef CARELOG_ENGINE_GEN_TIMELINE_H_
#define CARELOG_ENGINE_GEN_TIMELINE_H_

#include <cstdint>

#include "absl/time/civil_time.h"
#include "engine/calendar.h"

namespace carelog::gen {

inline constexpr Division kDivision = Division::kEnglandAndWales;
inline constexpr int64_t kMinutesPerDay = 1440;
inline constexpr int kOfficeOpens = 8 * 60 + 30;    // 08:30 UTC: office hours in London
inline constexpr int kOfficeCloses = 16 * 60 + 30;  // 16:30 UTC (17:30 BST at the latest)

inline const absl::CivilDay& Epoch() {
  static const absl::CivilDay e(1970, 1, 1);
  return e;
}
inline int64_t DaysSinceEpoch(absl::CivilDay d) { return d - Epoch(); }
// The day an instant (minutes since the epoch) falls on.
inline absl::CivilDay DayOfMinute(int64_t minute) { return Epoch() + minute / kMinutesPerDay; }

// The SSDA903 collection year a day belongs to: 2024 for 2024-04-01..2025-03-31.
inline int CollectionYearOf(absl::CivilDay d) {
  return d.month() >= 4 ? static_cast<int>(d.year()) : static_cast<int>(d.year()) - 1;
}

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_TIMELINE_H_
