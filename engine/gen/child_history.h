// ChildHistory: the life story of one generated child in care.
//
// A child is registered, becomes looked after (a period of care), lives in a
// series of placements, has statutory visits, significant events, reviews
// on the statutory timescales (20 working days, 3 months, then 6-monthly)
// with their postponements and cancellations, permanence planning, and may
// cease to be looked after and come back. Each part is decided up front
// from the child's own random stream and drafted as DraftEvents; the lines
// are written by case_lines.h.
//
// The parts live in three files: child_history.cc (the child, placements,
// significant events, visits), period_of_care.cc (one period from
// accommodation to ceasing) and review_cycle.cc (a period's reviews).
#ifndef CARELOG_ENGINE_GEN_CHILD_HISTORY_H_
#define CARELOG_ENGINE_GEN_CHILD_HISTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/calendar.h"
#include "engine/gen/code_tables.h"
#include "engine/gen/draft_event.h"
#include "engine/gen/random.h"
#include "engine/gen/timeline.h"

namespace carelog::gen {

// What every child of one run shares: the window the histories cover, the
// sizes of the staff pools people are drawn from, and the event-id prefix.
struct Cohort {
  absl::CivilDay window_start;                                // first day of the window
  absl::CivilDay window_end;                                  // last day
  int64_t window_end_minute;                                  // last minute of `window_end`
  int social_workers, team_managers, service_managers, iros;  // pool sizes
  std::string event_id_prefix;                                // "g<seed>-"
  const Calendar* calendar;
};

// Where and with whom a placement is, as the SSDA903 episode records it.
struct PlacementDetails {
  std::string provider;  // PLACE_PROVIDER; empty for temporary placements
  std::string postcode;  // PL_POST
  std::string urn;       // Ofsted URN, or "XXXXXXX" where none applies
};

struct Placement {
  absl::CivilDay start;
  std::string type;  // SSDA903 PLACE code
  std::string id;    // "P-<n>", per child
  bool foster;       // foster or adoptive carers (their views are sought)
  PlacementDetails details;
};

// The Social Work England registration number of generated social worker
// `social_worker_id` ("sw-17" -> "SW104017"): the same for every allocation.
std::string RegistrationNumberOf(std::string_view social_worker_id);
// A valid UPN (check letter, LA code, school, year, serial) for a child of
// authority `authority` (3-digit LA code) drawn from `rng`.
std::string UniquePupilNumber(Rng& rng, std::string_view authority);
// Whether PLACE `type` needs an Ofsted URN (validator 218, 222, 230).
bool PlacementNeedsUrn(std::string_view type);

class ChildHistory {
 public:
  // Drafts into `events` (which it appends to); `child` is the case number.
  ChildHistory(const Cohort& cohort, int child, uint64_t seed, std::vector<DraftEvent>& events)
      : cohort_(cohort), child_(child), rng_(seed), events_(events) {}

  // Registration, then periods of care until the child stays out of care,
  // turns 18 or the window ends.
  void Run();

 private:
  // --- calendar: working days of England and Wales, office hours
  absl::CivilDay WorkingDayOnOrAfter(absl::CivilDay d) const {
    return cohort_.calendar->IsWorkingDay(kDivision, d)
               ? d
               : cohort_.calendar->AddWorkingDays(kDivision, d, 1);
  }
  absl::CivilDay WorkingDayOnOrBefore(absl::CivilDay d) const {
    return cohort_.calendar->IsWorkingDay(kDivision, d)
               ? d
               : cohort_.calendar->AddWorkingDays(kDivision, d, -1);
  }
  absl::CivilDay AddWorkingDays(absl::CivilDay d, int n) const {
    return cohort_.calendar->AddWorkingDays(kDivision, d, n);
  }
  // A minute in office hours on `d`.
  int64_t AtOfficeHours(absl::CivilDay d) {
    return DaysSinceEpoch(d) * kMinutesPerDay + rng_.Range(kOfficeOpens, kOfficeCloses);
  }
  // A minute in office hours on `d`, but after `earliest` (minutes later the
  // same day if office hours on `d` are already past it).
  int64_t AtOfficeHoursAfter(absl::CivilDay d, int64_t earliest) {
    int64_t t = AtOfficeHours(d);
    if (t <= earliest) t = earliest + rng_.Range(1, 20);
    return t;
  }
  int Age(absl::CivilDay d) const {
    int a = static_cast<int>(d.year() - date_of_birth_.year());
    if (d.month() < date_of_birth_.month() ||
        (d.month() == date_of_birth_.month() && d.day() < date_of_birth_.day())) {
      --a;
    }
    return a;
  }
  // Whether `d` falls in the current period of care and in the window.
  bool InPeriod(absl::CivilDay d) const { return d < ceases_on_ && d <= cohort_.window_end; }

  // --- drafting acts
  // Drafts one act; returns its seq.
  int Record(int64_t t, v1::Role role, std::string actor, v1::Event act, uint32_t flags = 0) {
    DraftEvent& e = events_.emplace_back();
    e.occurred = t;
    e.seq = static_cast<uint32_t>(events_.size() - 1);
    e.flags = flags;
    e.role = role;
    e.actor = std::move(actor);
    e.act = std::move(act);
    return static_cast<int>(e.seq);
  }
  // The child's allocated social worker on `d`.
  std::string SocialWorkerOn(absl::CivilDay d) const {
    std::string id = social_workers_.front().second;
    for (const auto& [from, sw] : social_workers_) {
      if (from <= d) id = sw;
    }
    return id;
  }
  // One of the `n` people of a pool ("tm-3").
  std::string StaffMember(const char* prefix, int n) {
    return absl::StrCat(prefix, 1 + rng_.Below(n));
  }
  // The PLACE code of `kind` valid on `on` (Z1 became Z11..Z14 in 2025).
  std::string PlacementCodeOn(std::string_view kind, absl::CivilDay on) {
    if (kind == "Z")
      return CollectionYearOf(on) >= 2025 ? PickWeighted(rng_, kOtherPlacementFrom2025) : "Z1";
    if (kind == "T") return PickWeighted(rng_, kTemporaryPlacement);
    return std::string(kind);
  }

  // PLACE `type` made fit for a child aged `age` (validator 370-374: S1 from
  // 4, H5 from 16, youth custody from 10; secure homes for 10+ here).
  static std::string FitPlacementToAge(std::string type, int age);

  // One period of care from `accommodated`; sets ceases_on_.
  void PeriodOfCare(absl::CivilDay accommodated, bool first);
  // {"socialWorkerAllocated":...} naming the child's team, with why (SW_REASON).
  v1::Event SocialWorkerAllocated(const std::string& social_worker, const char* reason) const;
  static v1::Event StatutoryVisit(bool seen_alone);
  static v1::Event LegalStatusChanged(std::string_view code);
  // Provider, postcode and URN of a new placement of `type`.
  PlacementDetails DetailsFor(const std::string& type, const char* out_of_area);
  // A plausible postcode in area `area` ("BS5 7QT").
  std::string PostcodeIn(std::string_view area);
  void StartPlacement(int64_t t, const std::string& type, bool long_term, bool connected,
                      const char* reason, bool same_carers = false);
  void EndPlacement(int64_t t, const char* reason, bool unplanned);
  // A significant event and, usually, the IRO's consideration of an early
  // review; returns the report's seq.
  int ReportSignificantEvent(absl::CivilDay d, const char* kind);
  void ReviewCycle();
  void StatutoryVisits();
  // The health and outcome checks of each year of the period (SSDA903 OC2).
  void HealthAndOutcomes();

  const Cohort& cohort_;
  int child_;
  Rng rng_;
  std::vector<DraftEvent>& events_;

  absl::CivilDay date_of_birth_;
  bool girl_ = false;
  std::string authority_;      // the council's LA code
  std::string home_postcode_;  // HOME_POST
  std::string iro_;
  std::vector<std::pair<absl::CivilDay, std::string>> social_workers_;
  int reviews_arranged_ = 0;
  int placements_started_ = 0;

  // Current period.
  absl::CivilDay accommodated_on_;
  int64_t accommodated_at_ = 0;
  absl::CivilDay ceases_on_;  // cease day, or a day after the window end
  int64_t ceased_at_ = 0;
  std::vector<Placement> placements_;  // this period's, in order
  std::string cin_;                    // category of need, constant over the period
  // The permanence order the child left the last period with (PREV_PERM of
  // the next one), and when; "Z1" if none.
  std::string left_with_order_ = "Z1";
  absl::CivilDay left_with_order_on_;
  bool adopted_ = false;  // left a period adopted: does not come back into care
  std::vector<absl::CivilDay> bring_forward_;
  absl::CivilDay reduced_from_;  // reduced-meeting arrangement applies from; far future if none
  std::string open_review_;      // scheduled, not held when the period ended
  int64_t open_review_scheduled_at_ = 0;
};

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_CHILD_HISTORY_H_
