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
    const std::string review_ref = absl::StrCat("{\"reviewId\":\"", review_id, "\"");
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
      Record(arranged_at, by_iro ? "IRO" : "ADMIN", by_iro ? iro_ : StaffMember("admin-", 4),
             absl::StrCat("\"reviewScheduled\":", review_ref, ",\"scheduledFor\":\"",
                          DateText(planned), "\",\"format\":\"",
                          meeting ? "MEETING" : "CONSULTATION", "\"}"));
      // Pre-review acts for date `review_day`, none before `not_before`.
      auto acts_before = [&](absl::CivilDay date, int64_t not_before) {
        auto act_before = [&](absl::CivilDay day, const char* role, std::string actor,
                              std::string body, uint32_t flags = 0) {
          if (DaysSinceEpoch(day) * kMinutesPerDay + kOfficeCloses <= not_before)
            day = AddWorkingDays(DayOfMinute(not_before), 1);
          if (!InPeriod(day) || day > date) return -1;
          return Record(AtOfficeHoursAfter(day, not_before), role, std::move(actor),
                        std::move(body), flags);
        };
        act_before(AddWorkingDays(date, rng_.Pct(85) ? -rng_.Range(10, 15) : -rng_.Range(3, 9)),
                   "ADMIN", StaffMember("admin-", 4),
                   absl::StrCat("\"invitationsSent\":", review_ref, "}"), kMayBeRetracted);
        if (Age(date) >= 4 && rng_.Pct(80)) {
          act_before(AddWorkingDays(date, -rng_.Range(4, 25)), "SOCIAL_WORKER",
                     SocialWorkerOn(date),
                     absl::StrCat("\"childConsulted\":", review_ref, ",\"method\":\"",
                                  PickWeighted(rng_, kConsultationMethod), "\"}"),
                     kMayBeRetracted);
        }
        if (rng_.Pct(60)) {
          act_before(date - rng_.Range(12, 25), "IRO", iro_,
                     absl::StrCat("\"iroContactedSocialWorker\":", review_ref, "}"));
        }
        if (!placements_.empty() && placements_.back().foster && rng_.Pct(50)) {
          act_before(AddWorkingDays(date, -rng_.Range(3, 9)), "CARER",
                     absl::StrCat("carer-", child_),
                     absl::StrCat("\"carerConsultationReceived\":", review_ref, "}"));
        }
        const int plan_roll = rng_.Range(0, 99);
        if (plan_roll < 86) {
          act_before(WorkingDayOnOrBefore(date - rng_.Range(5, 20)), "TEAM_MANAGER",
                     StaffMember("tm-", cohort_.team_managers),
                     absl::StrCat("\"carePlanAuthorised\":", review_ref, "}"));
        } else if (plan_roll < 95) {
          act_before(WorkingDayOnOrBefore(date - rng_.Range(1, 4)), "TEAM_MANAGER",
                     StaffMember("tm-", cohort_.team_managers),
                     absl::StrCat("\"carePlanAuthorised\":", review_ref, "}"));
        }
        const int documents_roll = rng_.Range(0, 99);
        if (documents_roll < 97) {
          const int n = documents_roll < 86 ? -rng_.Range(3, 7) : -rng_.Range(0, 2);
          act_before(
              AddWorkingDays(date, n), "SOCIAL_WORKER", SocialWorkerOn(date),
              absl::StrCat("\"reviewDocumentsProvided\":", review_ref,
                           rng_.Pct(50) ? ",\"documents\":[\"care plan\",\"social worker report\"]"
                                        : ",\"documents\":[\"care plan\",\"social worker "
                                          "report\",\"placement plan\",\"health assessment\"]",
                           "}"),
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
          Record(requested_at, iro ? "IRO" : "SOCIAL_WORKER",
                 iro ? iro_ : SocialWorkerOn(requested_on),
                 absl::StrCat("\"reviewPostponementRequested\":", review_ref, ",\"requestedBy\":\"",
                              iro ? "IRO" : "SOCIAL_WORKER", "\",\"reason\":",
                              Quoted(iro ? (rng_.Pct(70) ? "IRO unwell" : "IRO travel disruption")
                                         : PickWeighted(rng_, kPostponementReason)),
                              emergency ? ",\"emergency\":true}" : "}"));
          const absl::CivilDay decided_on = AddWorkingDays(requested_on, rng_.Range(0, 2));
          const int64_t decided_at = AtOfficeHoursAfter(decided_on, requested_at);
          if (rng_.Pct(88)) {
            const int r = rng_.Range(0, 99);
            const char* role = r < 76   ? "SERVICE_MANAGER"
                               : r < 95 ? "TEAM_MANAGER"
                                        : "PRACTICE_LEAD";
            const std::string who = r < 76 ? StaffMember("sm-", cohort_.service_managers)
                                           : StaffMember("tm-", cohort_.team_managers);
            const int consulted_roll = rng_.Range(0, 99);
            Record(decided_at, role, who,
                   absl::StrCat("\"reviewPostponementApproved\":", review_ref,
                                consulted_roll < 70   ? ",\"iroConsulted\":true}"
                                : consulted_roll < 82 ? ",\"iroConsulted\":false}"
                                                      : "}"));
            const absl::CivilDay rearranged_on =
                AddWorkingDays(decided_on, rng_.Pct(80) ? rng_.Range(0, 3) : rng_.Range(4, 12));
            absl::CivilDay new_date = AddWorkingDays(review_day, rng_.Range(4, 22));
            if (new_date <= AddWorkingDays(rearranged_on, 2))
              new_date = AddWorkingDays(rearranged_on, rng_.Range(3, 10));
            const int64_t rearranged_at = AtOfficeHoursAfter(rearranged_on, decided_at);
            Record(rearranged_at, "IRO", iro_,
                   absl::StrCat("\"reviewRearranged\":", review_ref, ",\"newDate\":\"",
                                DateText(new_date), "\"}"));
            review_day = new_date;
            acts_before(review_day, rearranged_at);
          } else {
            Record(decided_at, "SERVICE_MANAGER", StaffMember("sm-", cohort_.service_managers),
                   absl::StrCat("\"reviewPostponementRejected\":", review_ref, "}"));
          }
        }
      }

      // Cancelled: a new review is arranged in its place.
      if (rng_.Pct(3) && InPeriod(review_day)) {
        const absl::CivilDay cd =
            std::max(AddWorkingDays(review_day, -rng_.Range(0, 4)), AddWorkingDays(arranged_on, 1));
        if (InPeriod(cd)) {
          previous_at = AtOfficeHoursAfter(cd, arranged_at + 30);
          Record(
              previous_at, "IRO", iro_,
              absl::StrCat("\"reviewCancelled\":", review_ref, ",\"reason\":\"",
                           rng_.Pct(50) ? "Care plan not authorised before the review"
                                        : "Key participants unable to attend; review re-arranged",
                           "\"}"));
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
        age < 4 ? (rng_.Pct(92) ? "PN0" : "PN1") : PickWeighted(rng_, kParticipationOver4);
    const int held = Record(
        held_at, "IRO", iro_,
        absl::StrCat("\"reviewHeld\":", review_ref, ",\"participation\":\"", participation, "\"}"),
        migrated ? 0u : static_cast<uint32_t>(kMayBeRecordedLate));
    if (age >= 4) {
      events_[held].correction =
          absl::StrCat("\"reviewHeld\":", review_ref, ",\"participation\":\"",
                       std::string_view(participation) == "PN1" ? "PN4" : "PN1", "\"}");
    }
    const absl::CivilDay decided_on =
        AddWorkingDays(review_day, rng_.Pct(86) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    Record(AtOfficeHoursAfter(decided_on, held_at), "IRO", iro_,
           absl::StrCat("\"reviewDecisionsRecorded\":", review_ref, "}"));
    const absl::CivilDay minutes_on =
        AddWorkingDays(review_day, rng_.Pct(80) ? rng_.Range(5, 15) : rng_.Range(16, 35));
    const int64_t minutes_at = AtOfficeHoursAfter(minutes_on, held_at);
    Record(minutes_at, "IRO", iro_, absl::StrCat("\"reviewMinutesCompleted\":", review_ref, "}"));
    if (rng_.Pct(40)) {
      const absl::CivilDay response_on =
          AddWorkingDays(minutes_on, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 12));
      Record(AtOfficeHoursAfter(response_on, minutes_at), "TEAM_MANAGER",
             StaffMember("tm-", cohort_.team_managers),
             absl::StrCat("\"managerResponded\":", review_ref, ",\"agreed\":", Bool(rng_.Pct(92)),
                          "}"));
    }
    if (rng_.Pct(2)) {
      const absl::CivilDay dispute_on = AddWorkingDays(minutes_on, rng_.Range(5, 12));
      const int64_t dispute_at = AtOfficeHoursAfter(dispute_on, minutes_at);
      Record(
          dispute_at, "IRO", iro_,
          absl::StrCat("\"disputeRaised\":", review_ref,
                       ",\"issue\":\"Care plan actions not progressed\",\"stage\":\"INFORMAL\"}"));
      if (rng_.Pct(75)) {
        Record(AtOfficeHoursAfter(AddWorkingDays(dispute_on, rng_.Range(3, 15)), dispute_at),
               "SERVICE_MANAGER", StaffMember("sm-", cohort_.service_managers),
               absl::StrCat("\"disputeResolved\":", review_ref,
                            ",\"outcome\":\"Agreed actions and timescales\"}"));
      }
    }
    // The IRO's monitoring between reviews.
    for (int k = rng_.Range(1, 2), w = 5; k > 0; --k, w += rng_.Range(6, 9)) {
      const absl::CivilDay monitoring_day =
          WorkingDayOnOrAfter(review_day + 7 * w + rng_.Range(0, 6));
      if (InPeriod(monitoring_day)) {
        Record(AtOfficeHours(monitoring_day), "IRO", iro_,
               absl::StrCat("\"iroContactedSocialWorker\":", review_ref, "}"));
      }
    }
    if (reduced && rng_.Pct(70)) {
      const absl::CivilDay midway_on =
          WorkingDayOnOrAfter(AddMonths(review_day, 3) + rng_.Range(-10, 10));
      if (InPeriod(midway_on)) {
        Record(AtOfficeHours(midway_on), "IRO", iro_,
               "\"midwayReviewHeld\":{\"note\":\"Arrangement revisited; remains appropriate\"}");
      }
    }
    due = AddMonths(review_day, reviews_held == 0 ? 3 : 6);
    previous_held_on = review_day;
    previous_at = held_at;
    ++reviews_held;
  }
}

}  // namespace carelog::gen
