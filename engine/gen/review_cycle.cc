// A period's reviews: scheduled on the statutory timescales (the first within
// 20 working days, the second within 3 months, then every 6 months), with
// the acts before each (invitations, consultations, documents), postponements
// requested, approved or refused, cancellations, and what follows a review
// (decisions, minutes, the manager's response, disputes, the IRO's monitoring).
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
#include "engine/gen/json_text.h"

namespace carelog::gen {

void ChildHistory::ReviewCycle() {
  absl::CivilDay due = AddWorkingDays(accommodated_on_, 20);
  absl::CivilDay prev_held = accommodated_on_;
  int64_t prev_t = accommodated_at_;
  int held_n = 0;
  bool cancelled_last = false;
  std::sort(bring_forward_.begin(), bring_forward_.end());
  open_review_.clear();
  bool meeting_toggle = false;
  while (true) {
    // When the next review is arranged and when it is meant to take place.
    absl::CivilDay sched_day;
    absl::CivilDay planned;
    if (cancelled_last) {
      sched_day = AddWorkingDays(DayOfMinute(prev_t), rng_.Range(0, 3));
      planned = AddWorkingDays(sched_day, rng_.Range(8, 18));
    } else if (held_n == 0) {
      sched_day = AddWorkingDays(accommodated_on_, rng_.Range(1, 5));
      planned = rng_.Pct(90) ? AddWorkingDays(due, -rng_.Range(0, 8)) : AddWorkingDays(due, rng_.Range(1, 25));
    } else {
      sched_day = AddWorkingDays(prev_held, rng_.Range(1, 12));
      planned = rng_.Pct(88) ? WorkingDayOnOrBefore(due - rng_.Range(0, 21)) : WorkingDayOnOrAfter(due + rng_.Range(1, 40));
    }
    cancelled_last = false;
    // An early review after a significant event.
    for (absl::CivilDay bf : bring_forward_) {
      if (bf > prev_held && bf >= sched_day) {
        const absl::CivilDay early = AddWorkingDays(bf, rng_.Range(10, 20));
        if (early < planned) planned = early;
        break;
      }
    }
    if (planned <= AddWorkingDays(sched_day, 10)) planned = AddWorkingDays(sched_day, rng_.Range(10, 14));
    if (!InPeriod(sched_day)) break;

    const std::string rid = absl::StrCat("R-", ++reviews_arranged_);
    const std::string rq = absl::StrCat("{\"reviewId\":\"", rid, "\"");
    const bool reduced = planned >= reduced_from_;
    bool meeting;
    if (reduced) {
      meeting = meeting_toggle;
      meeting_toggle = !meeting_toggle;
    } else {
      meeting = rng_.Pct(held_n == 0 ? 95 : 82);
    }
    const bool migrated = rng_.Pct(2);  // held recorded without a schedule
    const int64_t sched_t = migrated ? AtOfficeHours(sched_day) : AtOfficeHoursAfter(sched_day, prev_t);
    absl::CivilDay d = planned;
    if (!migrated) {
      const bool by_iro = rng_.Pct(60);
      Record(sched_t, by_iro ? "IRO" : "ADMIN", by_iro ? iro_ : StaffMember("admin-", 4),
           absl::StrCat("\"reviewScheduled\":", rq, ",\"scheduledFor\":\"", DateText(planned),
                        "\",\"format\":\"", meeting ? "MEETING" : "CONSULTATION", "\"}"));
      // Pre-review acts for date `d`, none before `floor_t`.
      auto pre = [&](absl::CivilDay date, int64_t floor_t) {
        auto act = [&](absl::CivilDay day, const char* role, std::string actor, std::string body,
                       uint32_t flags = 0) {
          if (DaysSinceEpoch(day) * kMinutesPerDay + kOfficeCloses <= floor_t) day = AddWorkingDays(DayOfMinute(floor_t), 1);
          if (!InPeriod(day) || day > date) return -1;
          return Record(AtOfficeHoursAfter(day, floor_t), role, std::move(actor), std::move(body), flags);
        };
        act(AddWorkingDays(date, rng_.Pct(85) ? -rng_.Range(10, 15) : -rng_.Range(3, 9)), "ADMIN",
            StaffMember("admin-", 4), absl::StrCat("\"invitationsSent\":", rq, "}"), kMayBeRetracted);
        if (Age(date) >= 4 && rng_.Pct(80)) {
          act(AddWorkingDays(date, -rng_.Range(4, 25)), "SOCIAL_WORKER", SocialWorkerOn(date),
              absl::StrCat("\"childConsulted\":", rq, ",\"method\":\"", PickWeighted(rng_, kConsultationMethod),
                           "\"}"),
              kMayBeRetracted);
        }
        if (rng_.Pct(60)) {
          act(date - rng_.Range(12, 25), "IRO", iro_,
              absl::StrCat("\"iroContactedSocialWorker\":", rq, "}"));
        }
        if (!placements_.empty() && placements_.back().foster && rng_.Pct(50)) {
          act(AddWorkingDays(date, -rng_.Range(3, 9)), "CARER", absl::StrCat("carer-", child_),
              absl::StrCat("\"carerConsultationReceived\":", rq, "}"));
        }
        const int cp = rng_.Range(0, 99);
        if (cp < 86) {
          act(WorkingDayOnOrBefore(date - rng_.Range(5, 20)), "TEAM_MANAGER", StaffMember("tm-", cohort_.team_managers),
              absl::StrCat("\"carePlanAuthorised\":", rq, "}"));
        } else if (cp < 95) {
          act(WorkingDayOnOrBefore(date - rng_.Range(1, 4)), "TEAM_MANAGER", StaffMember("tm-", cohort_.team_managers),
              absl::StrCat("\"carePlanAuthorised\":", rq, "}"));
        }
        const int dp = rng_.Range(0, 99);
        if (dp < 97) {
          const int n = dp < 86 ? -rng_.Range(3, 7) : -rng_.Range(0, 2);
          act(AddWorkingDays(date, n), "SOCIAL_WORKER", SocialWorkerOn(date),
              absl::StrCat("\"reviewDocumentsProvided\":", rq,
                           rng_.Pct(50) ? ",\"documents\":[\"care plan\",\"social worker report\"]"
                                        : ",\"documents\":[\"care plan\",\"social worker "
                                          "report\",\"placement plan\",\"health assessment\"]",
                           "}"),
              kMayBeRetracted);
        }
      };
      pre(d, sched_t);

      // Postponement.
      if (rng_.Pct(9)) {
        const bool iro = rng_.Pct(35);
        absl::CivilDay req = AddWorkingDays(d, -(rng_.Pct(70) ? rng_.Range(5, 9) : rng_.Range(0, 4)));
        if (DaysSinceEpoch(req) * kMinutesPerDay + kOfficeCloses <= sched_t) req = AddWorkingDays(sched_day, 1);
        if (InPeriod(req) && req <= d) {
          const bool emergency = iro && req == d && rng_.Pct(60);
          const int64_t req_t = AtOfficeHoursAfter(req, sched_t);
          Record(req_t, iro ? "IRO" : "SOCIAL_WORKER", iro ? iro_ : SocialWorkerOn(req),
               absl::StrCat("\"reviewPostponementRequested\":", rq, ",\"requestedBy\":\"",
                            iro ? "IRO" : "SOCIAL_WORKER", "\",\"reason\":",
                            Quoted(iro ? (rng_.Pct(70) ? "IRO unwell" : "IRO travel disruption")
                                  : PickWeighted(rng_, kPostponementReason)),
                            emergency ? ",\"emergency\":true}" : "}"));
          const absl::CivilDay dec = AddWorkingDays(req, rng_.Range(0, 2));
          const int64_t dec_t = AtOfficeHoursAfter(dec, req_t);
          if (rng_.Pct(88)) {
            const int r = rng_.Range(0, 99);
            const char* role = r < 76 ? "SERVICE_MANAGER" : r < 95 ? "TEAM_MANAGER" : "PRACTICE_LEAD";
            const std::string who = r < 76 ? StaffMember("sm-", cohort_.service_managers) : StaffMember("tm-", cohort_.team_managers);
            const int ic = rng_.Range(0, 99);
            Record(dec_t, role, who,
                 absl::StrCat("\"reviewPostponementApproved\":", rq,
                              ic < 70 ? ",\"iroConsulted\":true}"
                                      : ic < 82 ? ",\"iroConsulted\":false}" : "}"));
            const absl::CivilDay re =
                AddWorkingDays(dec, rng_.Pct(80) ? rng_.Range(0, 3) : rng_.Range(4, 12));
            absl::CivilDay nd = AddWorkingDays(d, rng_.Range(4, 22));
            if (nd <= AddWorkingDays(re, 2)) nd = AddWorkingDays(re, rng_.Range(3, 10));
            const int64_t re_t = AtOfficeHoursAfter(re, dec_t);
            Record(re_t, "IRO", iro_,
                 absl::StrCat("\"reviewRearranged\":", rq, ",\"newDate\":\"", DateText(nd), "\"}"));
            d = nd;
            pre(d, re_t);
          } else {
            Record(dec_t, "SERVICE_MANAGER", StaffMember("sm-", cohort_.service_managers),
                 absl::StrCat("\"reviewPostponementRejected\":", rq, "}"));
          }
        }
      }

      // Cancelled: a new review is arranged in its place.
      if (rng_.Pct(3) && InPeriod(d)) {
        const absl::CivilDay cd = std::max(AddWorkingDays(d, -rng_.Range(0, 4)), AddWorkingDays(sched_day, 1));
        if (InPeriod(cd)) {
          prev_t = AtOfficeHoursAfter(cd, sched_t + 30);
          Record(prev_t, "IRO", iro_,
               absl::StrCat("\"reviewCancelled\":", rq, ",\"reason\":\"",
                            rng_.Pct(50) ? "Care plan not authorised before the review"
                                         : "Key participants unable to attend; review re-arranged",
                            "\"}"));
          cancelled_last = true;
          continue;
        }
      }
    }
    if (!InPeriod(d)) {  // the period ends (or the window closes) first
      if (!migrated && d >= ceases_on_) {
        open_review_ = rid;
        open_review_scheduled_at_ = sched_t;
      }
      break;
    }

    // Held.
    const int64_t held_t = AtOfficeHoursAfter(d, migrated ? prev_t : sched_t);
    const int age = Age(d);
    const char* pn = age < 4 ? (rng_.Pct(92) ? "PN0" : "PN1") : PickWeighted(rng_, kParticipationOver4);
    const int held_seq = Record(held_t, "IRO", iro_,
                              absl::StrCat("\"reviewHeld\":", rq, ",\"participation\":\"", pn, "\"}"),
                              migrated ? 0u : static_cast<uint32_t>(kMayBeRecordedLate));
    if (age >= 4) {
      events_[held_seq].correction = absl::StrCat("\"reviewHeld\":", rq, ",\"participation\":\"",
                                        std::string_view(pn) == "PN1" ? "PN4" : "PN1", "\"}");
    }
    const absl::CivilDay dec = AddWorkingDays(d, rng_.Pct(86) ? rng_.Range(1, 5) : rng_.Range(6, 15));
    Record(AtOfficeHoursAfter(dec, held_t), "IRO", iro_, absl::StrCat("\"reviewDecisionsRecorded\":", rq, "}"));
    const absl::CivilDay mins = AddWorkingDays(d, rng_.Pct(80) ? rng_.Range(5, 15) : rng_.Range(16, 35));
    const int64_t mins_t = AtOfficeHoursAfter(mins, held_t);
    Record(mins_t, "IRO", iro_, absl::StrCat("\"reviewMinutesCompleted\":", rq, "}"));
    if (rng_.Pct(40)) {
      const absl::CivilDay mr = AddWorkingDays(mins, rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 12));
      Record(AtOfficeHoursAfter(mr, mins_t), "TEAM_MANAGER", StaffMember("tm-", cohort_.team_managers),
           absl::StrCat("\"managerResponded\":", rq, ",\"agreed\":", Bool(rng_.Pct(92)), "}"));
    }
    if (rng_.Pct(2)) {
      const absl::CivilDay dr = AddWorkingDays(mins, rng_.Range(5, 12));
      const int64_t dr_t = AtOfficeHoursAfter(dr, mins_t);
      Record(dr_t, "IRO", iro_,
           absl::StrCat("\"disputeRaised\":", rq,
                        ",\"issue\":\"Care plan actions not progressed\",\"stage\":\"INFORMAL\"}"));
      if (rng_.Pct(75)) {
        Record(AtOfficeHoursAfter(AddWorkingDays(dr, rng_.Range(3, 15)), dr_t), "SERVICE_MANAGER",
             StaffMember("sm-", cohort_.service_managers),
             absl::StrCat("\"disputeResolved\":", rq, ",\"outcome\":\"Agreed actions and timescales\"}"));
      }
    }
    // The IRO's monitoring between reviews.
    for (int k = rng_.Range(1, 2), w = 5; k > 0; --k, w += rng_.Range(6, 9)) {
      const absl::CivilDay ic = WorkingDayOnOrAfter(d + 7 * w + rng_.Range(0, 6));
      if (InPeriod(ic)) {
        Record(AtOfficeHours(ic), "IRO", iro_, absl::StrCat("\"iroContactedSocialWorker\":", rq, "}"));
      }
    }
    if (reduced && rng_.Pct(70)) {
      const absl::CivilDay mid = WorkingDayOnOrAfter(AddMonths(d, 3) + rng_.Range(-10, 10));
      if (InPeriod(mid)) {
        Record(AtOfficeHours(mid), "IRO", iro_,
             "\"midwayReviewHeld\":{\"note\":\"Arrangement revisited; remains appropriate\"}");
      }
    }
    due = AddMonths(d, held_n == 0 ? 3 : 6);
    prev_held = d;
    prev_t = held_t;
    ++held_n;
  }
}

}  // namespace carelog::gen
