// The child, their placements, significant events and statutory visits.
#include "engine/gen/child_history.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/gen/code_tables.h"
#include "engine/gen/draft_event.h"
#include "engine/gen/json_text.h"

namespace carelog::gen {

void ChildHistory::Run() {
  const int span = static_cast<int>(cohort_.window_end - cohort_.window_start);
  // When the child first becomes looked after in the window.
  absl::CivilDay accommodated = rng_.Pct(82)
                                    ? cohort_.window_start + rng_.Range(0, std::min(30, span / 6))
                                    : cohort_.window_start + rng_.Range(0, span * 70 / 100);
  accommodated = WorkingDayOnOrAfter(accommodated);
  if (accommodated > cohort_.window_end) accommodated = cohort_.window_start;
  const int age_band = rng_.Range(0, 99);
  const int age = age_band < 14   ? 0
                  : age_band < 32 ? rng_.Range(1, 4)
                  : age_band < 54 ? rng_.Range(5, 9)
                  : age_band < 90 ? rng_.Range(10, 15)
                                  : rng_.Range(16, 17);
  date_of_birth_ = accommodated - (age * 365 + rng_.Range(age == 0 ? 0 : 0, age == 0 ? 200 : 364));
  absl::CivilDay registered =
      WorkingDayOnOrAfter(std::max(cohort_.window_start, accommodated - rng_.Range(0, 14)));
  if (registered > accommodated) registered = accommodated;
  const int64_t registered_at =
      DaysSinceEpoch(registered) * kMinutesPerDay + rng_.Range(kOfficeOpens, kOfficeOpens + 60);
  social_workers_.emplace_back(registered, StaffMember("sw-", cohort_.social_workers));
  {
    // Drawn in this order (sex, then authority) since the first generator.
    const char* sex = rng_.Pct(55) ? "1" : "2";
    const char* authority = PickWeighted(rng_, kAuthority);
    Record(registered_at, v1::SOCIAL_WORKER, social_workers_.back().second,
           Act(&v1::Event::mutable_child_registered,
               [&](v1::ChildRegistered& p) {
                 p.set_date_of_birth(DateText(date_of_birth_));
                 p.set_authority_code(authority);
                 p.set_sex(sex);
               }),
           kFirstLine);
  }
  Record(registered_at + rng_.Range(1, 30), v1::TEAM_MANAGER,
         StaffMember("tm-", cohort_.team_managers),
         SocialWorkerAllocated(social_workers_.back().second));
  bool first = true;
  while (true) {
    PeriodOfCare(accommodated, first);
    first = false;
    if (ceases_on_ > cohort_.window_end) break;
    // Re-entry.
    if (Age(ceases_on_) >= 17 || !rng_.Pct(40)) break;
    accommodated = WorkingDayOnOrAfter(ceases_on_ + rng_.Range(30, 240));
    if (accommodated > cohort_.window_end || Age(accommodated) >= 18) break;
  }
}

void ChildHistory::StartPlacement(int64_t t, const std::string& type, bool long_term,
                                  bool connected, const char* reason) {
  Placement p;
  p.start = DayOfMinute(t);
  p.type = type;
  p.id = absl::StrCat("P-", ++placements_started_);
  p.foster = type[0] == 'U' || type[0] == 'A';
  // Drawn in this order (provider, then out of area) since the first generator.
  const char* provider = PickWeighted(rng_, kProvider);
  const char* out_of_area = PickWeighted(rng_, kOutOfArea);
  v1::Event started = Act(&v1::Event::mutable_placement_started, [&](v1::PlacementStarted& s) {
    s.set_placement_type(type);
    s.set_long_term(long_term);
    s.set_connected_person(connected);
    s.set_out_of_area(out_of_area);
    s.set_provider(provider);
    s.set_reason_place_change(reason);
    s.set_placement_id(p.id);
  });
  const int seq = Record(t, v1::SOCIAL_WORKER, SocialWorkerOn(p.start), std::move(started));
  // A placement type recorded wrongly and corrected later (same date, so the
  // code list is the same).
  const char* alt_type = type == "U4" ? "U5" : type == "U5" ? "U4" : nullptr;
  if (alt_type != nullptr) {
    events_[seq].correction =
        Act(&v1::Event::mutable_placement_started, [&](v1::PlacementStarted& s) {
          s.set_placement_type(alt_type);
          s.set_long_term(long_term);
          s.set_placement_id(p.id);
        });
  }
  placements_.push_back(std::move(p));
}

void ChildHistory::EndPlacement(int64_t t, const char* reason, bool unplanned) {
  if (placements_.empty()) return;
  Record(t, v1::SOCIAL_WORKER, SocialWorkerOn(DayOfMinute(t)),
         Act(&v1::Event::mutable_placement_ended, [&](v1::PlacementEnded& p) {
           p.set_placement_id(placements_.back().id);
           p.set_reason(reason);
           p.set_unplanned(unplanned);
         }));
}

int ChildHistory::ReportSignificantEvent(absl::CivilDay d, const char* kind) {
  const int64_t t = AtOfficeHours(d);
  const bool carer = std::string_view(kind) == "MISSING" && rng_.Pct(40);
  const int report = Record(
      t, carer ? v1::CARER : v1::SOCIAL_WORKER,
      carer ? absl::StrCat("carer-", child_) : SocialWorkerOn(d),
      Act(&v1::Event::mutable_significant_event_reported,
          [&](v1::SignificantEventReported& p) { p.set_kind(kind); }),
      kMayBeRetracted);
  if (rng_.Pct(88)) {
    const absl::CivilDay considered =
        AddWorkingDays(d, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    const bool forward = rng_.Pct(12);
    if (forward && InPeriod(considered)) bring_forward_.push_back(considered);
    // significantEventId: the report's, set when the lines are written.
    DraftEvent& consideration = events_[Record(
        AtOfficeHoursAfter(considered, t), v1::IRO, iro_,
        Act(&v1::Event::mutable_early_review_considered, [&](v1::EarlyReviewConsidered& p) {
          p.set_bring_forward(forward);
          p.set_rationale(forward ? "Review brought forward to consider the change"
                                  : "Can be considered at the next scheduled review");
        }))];
    consideration.refers_to = report;
  }
  return report;
}

void ChildHistory::StatutoryVisits() {
  for (size_t i = 0; i < placements_.size(); ++i) {
    const absl::CivilDay start = placements_[i].start;
    const absl::CivilDay end = i + 1 < placements_.size() ? placements_[i + 1].start : ceases_on_;
    absl::CivilDay d = start + (rng_.Pct(90) ? rng_.Range(1, 7) : rng_.Range(8, 20));
    while (true) {
      d = WorkingDayOnOrAfter(d);
      if (d >= end || !InPeriod(d)) break;
      const int age = Age(d);
      const int seq = Record(AtOfficeHours(d), v1::SOCIAL_WORKER, SocialWorkerOn(d),
                             StatutoryVisit(age >= 5 && rng_.Pct(65)),
                             kMayBeRecordedLate | kMayBeRetracted);
      if (rng_.PerMille(8)) {  // entered twice
        DraftEvent dup = events_[seq];
        dup.occurred += rng_.Range(1, 90);
        dup.seq = static_cast<uint32_t>(events_.size());
        dup.flags = kDuplicateEntry;
        events_.push_back(std::move(dup));
      } else {
        // Date entered wrongly: corrected to a day or two earlier.
        const absl::CivilDay wrong = AddWorkingDays(d, -rng_.Range(1, 2));
        v1::Event replacement = StatutoryVisit(age >= 5);
        replacement.mutable_occurred_at()->set_seconds(
            (DaysSinceEpoch(wrong) * kMinutesPerDay + rng_.Range(kOfficeOpens, kOfficeCloses)) *
            60);
        events_[seq].correction = std::move(replacement);
      }
      const bool early_year = (d - accommodated_on_) < 365;
      int gap;
      if (age >= 16) {
        gap = rng_.Pct(90) ? rng_.Range(30, 56) : rng_.Range(57, 80);
      } else if (early_year) {
        gap = rng_.Pct(90) ? rng_.Range(26, 42) : rng_.Range(43, 65);
      } else {
        gap = rng_.Pct(90) ? rng_.Range(28, 45) : rng_.Range(46, 80);
      }
      d += gap;
    }
  }
}

v1::Event ChildHistory::SocialWorkerAllocated(const std::string& social_worker) const {
  return Act(&v1::Event::mutable_social_worker_allocated, [&](v1::SocialWorkerAllocated& p) {
    p.set_social_worker_id(social_worker);
    p.set_team(absl::StrCat("Children in Care Team ", 1 + child_ % 6));
  });
}

v1::Event ChildHistory::StatutoryVisit(bool seen_alone) {
  return Act(&v1::Event::mutable_statutory_visit,
             [&](v1::StatutoryVisit& p) { p.set_seen_alone(seen_alone); });
}

}  // namespace carelog::gen
