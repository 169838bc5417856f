// A period's reviews: scheduled on the statutory timescales (the first within
// 20 working days, the second within 3 months, then every 6 months), with
// the acts before each (invitations, consultations, documents), postponements
// requested, approved or refused, cancellations, and what follows a review
// (decisions, minutes, the manager's response, disputes, the IRO's monitoring).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/gen/child_history.h"
#include "engine/gen/code_tables.h"
#include "engine/gen/draft_event.h"
#include "engine/gen/json_text.h"

namespace carelog::gen {

void ChildHistory::ReviewCycle() {
  absl::CivilDay due = AddWorkingDays(accommodated_on_, 20);
  absl::CivilDay previous_held_on = accommodated_on_;
  int64_t previous_at = accommodated_at_;
  int reviews_held = 0;
  bool cancelled_last = false;
  std::sort(bring_forward_.begin(), bring_forward_.end());
  open_review_.clear();
  bool meeting_toggle = false;
  while (true) {
    // When the next review is arranged and when it is meant to take place.
    absl::CivilDay arranged_on;
    absl::CivilDay planned;
    if (cancelled_last) {
      arranged_on = AddWorkingDays(DayOfMinute(previous_at), rng_.Range(0, 3));
      planned = AddWorkingDays(arranged_on, rng_.Range(8, 18));
    } else if (reviews_held == 0) {
      arranged_on = AddWorkingDays(accommodated_on_, rng_.Range(1, 5));
      planned = rng_.Pct(90) ? AddWorkingDays(due, -rng_.Range(0, 8))
                             : AddWorkingDays(due, rng_.Range(1, 25));
    } else {
      arranged_on = AddWorkingDays(previous_held_on, rng_.Range(1, 12));
      planned = rng_.Pct(88) ? WorkingDayOnOrBefore(due - rng_.Range(0, 21))
                             : WorkingDayOnOrAfter(due + rng_.Range(1, 40));
    }
    cancelled_last = false;
    // An early review after a significant event.
    for (absl::CivilDay early_trigger : bring_forward_) {
      if (early_trigger > previous_held_on && early_trigger >= arranged_on) {
        const absl::CivilDay early = AddWorkingDays(early_trigger, rng_.Range(10, 20));
        if (early < planned) planned = early;
        break;
      }
    }
    if (planned <= AddWorkingDays(arranged_on, 10))
      planned = AddWorkingDays(arranged_on, rng_.Range(10, 14));
    if (!InPeriod(arranged_on)) break;

    const std::string review_id = absl::StrCat("R-", ++reviews_arranged_);
    const bool reduced = planned >= reduced_from_;
    bool meeting;
    if (reduced) {
      meeting = meeting_toggle;
      meeting_toggle = !meeting_toggle;
    } else {
      meeting = rng_.Pct(reviews_held == 0 ? 95 : 82);
    }
    const bool migrated = rng_.Pct(2);  // held recorded without a schedule
    const int64_t arranged_at =
        migrated ? AtOfficeHours(arranged_on) : AtOfficeHoursAfter(arranged_on, previous_at);
    absl::CivilDay review_day = planned;
    if (!migrated) {
      const bool by_iro = rng_.Pct(60);
      Record(arranged_at, by_iro ? v1::IRO : v1::ADMIN, by_iro ? iro_ : StaffMember("admin-", 4),
             Act(&v1::Event::mutable_review_scheduled, [&](v1::ReviewScheduled& p) {
               p.set_review_id(review_id);
               p.set_scheduled_for(DateText(planned));
               p.set_format(meeting ? v1::MEETING : v1::CONSULTATION);
             }));
      // Pre-review acts for date `review_day`, none before `not_before`.
      auto acts_before = [&](absl::CivilDay date, int64_t not_before) {
        auto act_before = [&](absl::CivilDay day, v1::Role role, std::string actor, v1::Event act,
                              uint32_t flags = 0) {
          if (DaysSinceEpoch(day) * kMinutesPerDay + kOfficeCloses <= not_before)
            day = AddWorkingDays(DayOfMinute(not_before), 1);
          if (!InPeriod(day) || day > date) return -1;
          return Record(AtOfficeHoursAfter(day, not_before), role, std::move(actor),
                        std::move(act), flags);
        };
        act_before(AddWorkingDays(date, rng_.Pct(85) ? -rng_.Range(10, 15) : -rng_.Range(3, 9)),
                   v1::ADMIN, StaffMember("admin-", 4),
                   ReviewAct(&v1::Event::mutable_invitations_sent, review_id), kMayBeRetracted);
        if (Age(date) >= 4 && rng_.Pct(80)) {
          act_before(AddWorkingDays(date, -rng_.Range(4, 25)), v1::SOCIAL_WORKER,
                     SocialWorkerOn(date),
                     Act(&v1::Event::mutable_child_consulted,
                         [&](v1::ChildConsulted& p) {
                           p.set_review_id(review_id);
                           p.set_method(PickWeighted(rng_, kConsultationMethod));
                         }),
                     kMayBeRetracted);
        }
        if (rng_.Pct(60)) {
          act_before(date - rng_.Range(12, 25), v1::IRO, iro_,
                     ReviewAct(&v1::Event::mutable_iro_contacted_social_worker, review_id));
        }
        if (!placements_.empty() && placements_.back().foster && rng_.Pct(50)) {
          act_before(AddWorkingDays(date, -rng_.Range(3, 9)), v1::CARER,
                     absl::StrCat("carer-", child_),
                     ReviewAct(&v1::Event::mutable_carer_consultation_received, review_id));
        }
        const int plan_roll = rng_.Range(0, 99);
        if (plan_roll < 86) {
          act_before(WorkingDayOnOrBefore(date - rng_.Range(5, 20)), v1::TEAM_MANAGER,
                     StaffMember("tm-", cohort_.team_managers),
                     ReviewAct(&v1::Event::mutable_care_plan_authorised, review_id));
        } else if (plan_roll < 95) {
          act_before(WorkingDayOnOrBefore(date - rng_.Range(1, 4)), v1::TEAM_MANAGER,
                     StaffMember("tm-", cohort_.team_managers),
                     ReviewAct(&v1::Event::mutable_care_plan_authorised, review_id));
        }
        const int documents_roll = rng_.Range(0, 99);
        if (documents_roll < 97) {
          const int n = documents_roll < 86 ? -rng_.Range(3, 7) : -rng_.Range(0, 2);
          act_before(AddWorkingDays(date, n), v1::SOCIAL_WORKER, SocialWorkerOn(date),
                     Act(&v1::Event::mutable_review_documents_provided,
                         [&](v1::ReviewDocumentsProvided& p) {
                           p.set_review_id(review_id);
                           p.add_documents("care plan");
                           p.add_documents("social worker report");
                           if (!rng_.Pct(50)) {
                             p.add_documents("placement plan");
                             p.add_documents("health assessment");
                           }
                         }),
                     kMayBeRetracted);
        }
      };
      acts_before(review_day, arranged_at);

      // Postponement.
      if (rng_.Pct(9)) {
        const bool iro = rng_.Pct(35);
        absl::CivilDay requested_on =
            AddWorkingDays(review_day, -(rng_.Pct(70) ? rng_.Range(5, 9) : rng_.Range(0, 4)));
        if (DaysSinceEpoch(requested_on) * kMinutesPerDay + kOfficeCloses <= arranged_at)
          requested_on = AddWorkingDays(arranged_on, 1);
        if (InPeriod(requested_on) && requested_on <= review_day) {
          const bool emergency = iro && requested_on == review_day && rng_.Pct(60);
          const int64_t requested_at = AtOfficeHoursAfter(requested_on, arranged_at);
          Record(requested_at, iro ? v1::IRO : v1::SOCIAL_WORKER,
                 iro ? iro_ : SocialWorkerOn(requested_on),
                 Act(&v1::Event::mutable_review_postponement_requested,
                     [&](v1::ReviewPostponementRequested& p) {
                       p.set_review_id(review_id);
                       p.set_requested_by(iro ? v1::IRO : v1::SOCIAL_WORKER);
                       p.set_reason(iro ? (rng_.Pct(70) ? "IRO unwell" : "IRO travel disruption")
                                        : PickWeighted(rng_, kPostponementReason));
                       p.set_emergency(emergency);
                     }));
          const absl::CivilDay decided_on = AddWorkingDays(requested_on, rng_.Range(0, 2));
          const int64_t decided_at = AtOfficeHoursAfter(decided_on, requested_at);
          if (rng_.Pct(88)) {
            const int r = rng_.Range(0, 99);
            const v1::Role role = r < 76   ? v1::SERVICE_MANAGER
                                  : r < 95 ? v1::TEAM_MANAGER
                                           : v1::PRACTICE_LEAD;
            const std::string who = r < 76 ? StaffMember("sm-", cohort_.service_managers)
                                           : StaffMember("tm-", cohort_.team_managers);
            const int consulted_roll = rng_.Range(0, 99);
            Record(decided_at, role, who,
                   Act(&v1::Event::mutable_review_postponement_approved,
                       [&](v1::ReviewPostponementApproved& p) {
                         p.set_review_id(review_id);
                         // Unsaid in the rest: whether the IRO was consulted.
                         if (consulted_roll < 82) p.set_iro_consulted(consulted_roll < 70);
                       }));
            const absl::CivilDay rearranged_on =
                AddWorkingDays(decided_on, rng_.Pct(80) ? rng_.Range(0, 3) : rng_.Range(4, 12));
            absl::CivilDay new_date = AddWorkingDays(review_day, rng_.Range(4, 22));
            if (new_date <= AddWorkingDays(rearranged_on, 2))
              new_date = AddWorkingDays(rearranged_on, rng_.Range(3, 10));
            const int64_t rearranged_at = AtOfficeHoursAfter(rearranged_on, decided_at);
            Record(rearranged_at, v1::IRO, iro_,
                   Act(&v1::Event::mutable_review_rearranged, [&](v1::ReviewRearranged& p) {
                     p.set_review_id(review_id);
                     p.set_new_date(DateText(new_date));
                   }));
            review_day = new_date;
            acts_before(review_day, rearranged_at);
          } else {
            Record(decided_at, v1::SERVICE_MANAGER, StaffMember("sm-", cohort_.service_managers),
                   ReviewAct(&v1::Event::mutable_review_postponement_rejected, review_id));
          }
        }
      }

      // Cancelled: a new review is arranged in its place.
      if (rng_.Pct(3) && InPeriod(review_day)) {
        const absl::CivilDay cd =
            std::max(AddWorkingDays(review_day, -rng_.Range(0, 4)), AddWorkingDays(arranged_on, 1));
        if (InPeriod(cd)) {
          previous_at = AtOfficeHoursAfter(cd, arranged_at + 30);
          Record(previous_at, v1::IRO, iro_,
                 Act(&v1::Event::mutable_review_cancelled, [&](v1::ReviewCancelled& p) {
                   p.set_review_id(review_id);
                   p.set_reason(rng_.Pct(50)
                                    ? "Care plan not authorised before the review"
                                    : "Key participants unable to attend; review re-arranged");
                 }));
          cancelled_last = true;
          continue;
        }
      }
    }
    if (!InPeriod(review_day)) {  // the period ends (or the window closes) first
      if (!migrated && review_day >= ceases_on_) {
        open_review_ = review_id;
        open_review_scheduled_at_ = arranged_at;
      }
      break;
    }

    // Held.
    const int64_t held_at = AtOfficeHoursAfter(review_day, migrated ? previous_at : arranged_at);
    const int age = Age(review_day);
    const char* participation =
        age < 4 ? "PN0" : PickWeighted(rng_, kParticipationOver4);  // validator 440, 441
    auto review_held = [&](const char* participation_code) {
      return Act(&v1::Event::mutable_review_held, [&](v1::ReviewHeld& p) {
        p.set_review_id(review_id);
        p.set_participation(participation_code);
      });
    };
    const int held = Record(held_at, v1::IRO, iro_, review_held(participation),
                            migrated ? 0u : static_cast<uint32_t>(kMayBeRecordedLate));
    if (age >= 4) {
      events_[held].correction =
          review_held(std::string_view(participation) == "PN1" ? "PN4" : "PN1");
    }
    const absl::CivilDay decided_on =
        AddWorkingDays(review_day, rng_.Pct(86) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    Record(AtOfficeHoursAfter(decided_on, held_at), v1::IRO, iro_,
           ReviewAct(&v1::Event::mutable_review_decisions_recorded, review_id));
    const absl::CivilDay minutes_on =
        AddWorkingDays(review_day, rng_.Pct(80) ? rng_.Range(5, 15) : rng_.Range(16, 35));
    const int64_t minutes_at = AtOfficeHoursAfter(minutes_on, held_at);
    Record(minutes_at, v1::IRO, iro_,
           ReviewAct(&v1::Event::mutable_review_minutes_completed, review_id));
    if (rng_.Pct(40)) {
      const absl::CivilDay response_on =
          AddWorkingDays(minutes_on, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 12));
      Record(AtOfficeHoursAfter(response_on, minutes_at), v1::TEAM_MANAGER,
             StaffMember("tm-", cohort_.team_managers),
             Act(&v1::Event::mutable_manager_responded, [&](v1::ManagerResponded& p) {
               p.set_review_id(review_id);
               p.set_agreed(rng_.Pct(92));
             }));
    }
    if (rng_.Pct(2)) {
      const absl::CivilDay dispute_on = AddWorkingDays(minutes_on, rng_.Range(5, 12));
      const int64_t dispute_at = AtOfficeHoursAfter(dispute_on, minutes_at);
      Record(dispute_at, v1::IRO, iro_,
             Act(&v1::Event::mutable_dispute_raised, [&](v1::DisputeRaised& p) {
               p.set_review_id(review_id);
               p.set_issue("Care plan actions not progressed");
               p.set_stage("INFORMAL");
             }));
      if (rng_.Pct(75)) {
        Record(AtOfficeHoursAfter(AddWorkingDays(dispute_on, rng_.Range(3, 15)), dispute_at),
               v1::SERVICE_MANAGER, StaffMember("sm-", cohort_.service_managers),
               Act(&v1::Event::mutable_dispute_resolved, [&](v1::DisputeResolved& p) {
                 p.set_review_id(review_id);
                 p.set_outcome("Agreed actions and timescales");
               }));
      }
    }
    // The IRO's monitoring between reviews.
    for (int k = rng_.Range(1, 2), w = 5; k > 0; --k, w += rng_.Range(6, 9)) {
      const absl::CivilDay monitoring_day =
          WorkingDayOnOrAfter(review_day + 7 * w + rng_.Range(0, 6));
      if (InPeriod(monitoring_day)) {
        Record(AtOfficeHours(monitoring_day), v1::IRO, iro_,
               ReviewAct(&v1::Event::mutable_iro_contacted_social_worker, review_id));
      }
    }
    if (reduced && rng_.Pct(70)) {
      const absl::CivilDay midway_on =
          WorkingDayOnOrAfter(AddMonths(review_day, 3) + rng_.Range(-10, 10));
      if (InPeriod(midway_on)) {
        Record(AtOfficeHours(midway_on), v1::IRO, iro_,
               Act(&v1::Event::mutable_midway_review_held, [](v1::MidwayReviewHeld& p) {
                 p.set_note("Arrangement revisited; remains appropriate");
               }));
      }
    }
    due = AddMonths(review_day, reviews_held == 0 ? 3 : 6);
    previous_held_on = review_day;
    previous_at = held_at;
    ++reviews_held;
  }
}

}  // namespace carelog::gen
