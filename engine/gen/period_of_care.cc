// One period of care: entry (legal status, first placement, IRO), early
// planning, social worker changes, permanence milestones (which may end the
// period), placement moves, significant events, visits, reviews and ceasing.
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

void ChildHistory::PeriodOfCare(absl::CivilDay accommodated, bool first) {
  accommodated_on_ = accommodated;
  placements_.clear();
  bring_forward_.clear();
  reduced_from_ = cohort_.window_end + 100000;
  const int age = Age(accommodated);
  const absl::CivilDay turns_18 = AddMonths(date_of_birth_, 18 * 12);
  const absl::CivilDay never = cohort_.window_end + 100000;

  const char* entry_status = PickWeighted(rng_, kLegalStatusOnEntry);
  if (std::string_view(entry_status) == "E1" && age >= 6) entry_status = "C2";
  if (age >= 10 && rng_.Pct(6)) entry_status = "J2";
  const std::string_view legal_status(entry_status);

  // What happens in this period, decided up front.
  absl::CivilDay cease = never;
  const char* reason_ceased = "E8";
  bool planned_end = true;
  // Legal status changes; `exact` ones fall on their own day, working day
  // or not (police protection ends within 72 hours, an EPO within 8 days).
  struct StatusChange {
    absl::CivilDay day;
    std::string code;
    bool exact;
  };
  std::vector<StatusChange> legal_status_changes;
  bool exact_cease = false;
  std::string plan;  // permanence plan, if any
  bool permanence = false;
  cin_ = legal_status == "J2" ? "N6" : PickWeighted(rng_, kCategoryOfNeed);
  // The last day police protection (L1, 72 hours) or an emergency
  // protection order (L2, 8 days) can run to.
  const absl::CivilDay protection_ends =
      accommodated + (legal_status == "L1" ? rng_.Range(1, 3) : rng_.Range(2, 8));
  if (legal_status == "J2") {
    cease = accommodated + rng_.Range(1, 6);
    reason_ceased = rng_.Pct(50) ? "E4B" : "E13";
    planned_end = false;
  } else if ((legal_status == "L1" || legal_status == "L2") && rng_.Pct(40)) {
    // Home again when the protection ends.
    cease = protection_ends;
    exact_cease = true;
    reason_ceased = rng_.Pct(70) ? "E13" : "E4B";
    planned_end = std::string_view(reason_ceased) == "E13";
  } else if (legal_status == "V2" && (rng_.Pct(35) || age >= 16)) {
    cease = accommodated + (rng_.Pct(60) ? rng_.Range(14, 200) : rng_.Range(201, 700));
    reason_ceased = PickWeighted(rng_, kReasonCeasedEarly);
    if (age >= 16 && rng_.Pct(50)) cease = never;
  } else {
    permanence = true;
    // An interim care order when the protection ends.
    if (legal_status == "L1" || legal_status == "L2")
      legal_status_changes.push_back({protection_ends, "C1", true});
    if (legal_status == "V2" && rng_.Pct(25))
      legal_status_changes.push_back({accommodated + rng_.Range(20, 140), "C1", false});
    const int r = rng_.Range(0, 99);
    if (legal_status == "E1") {
      plan = "ADOPTION";
    } else if (age < 5) {
      plan = r < 30 ? "ADOPTION" : r < 65 ? "LONG_TERM_FOSTER" : r < 85 ? "KINSHIP" : "RETURN_HOME";
    } else if (age < 13) {
      plan = r < 5 ? "ADOPTION" : r < 65 ? "LONG_TERM_FOSTER" : r < 82 ? "KINSHIP" : "RETURN_HOME";
    } else {
      plan = r < 72 ? "LONG_TERM_FOSTER" : r < 82 ? "KINSHIP" : "RETURN_HOME";
    }
    bool to_c1 = legal_status == "C1" || legal_status == "L1" || legal_status == "L2" ||
                 !legal_status_changes.empty();
    if (to_c1 && rng_.Pct(80))
      legal_status_changes.push_back({accommodated + rng_.Range(150, 260), "C2", false});
  }
  if (turns_18 <= cease) {
    cease = turns_18;
    exact_cease = true;  // on the birthday itself
    reason_ceased = PickWeighted(rng_, kReasonCeasedAt18);
    planned_end = true;
  }
  if (std::string_view(reason_ceased) == "E4B") planned_end = false;
  ceases_on_ = cease;
  if (ceases_on_ > cohort_.window_end) ceases_on_ = never;

  // Notification (sometimes before the child becomes looked after), IRO.
  accommodated_at_ = AtOfficeHours(accommodated);
  if (!events_.empty() && accommodated_at_ <= events_.back().occurred &&
      DayOfMinute(events_.back().occurred) == accommodated)
    accommodated_at_ = events_.back().occurred + 1;
  absl::CivilDay notify;
  int64_t notify_t;
  const int notify_roll = rng_.Range(0, 99);
  if (notify_roll < 8 && !events_.empty() &&
      AddWorkingDays(accommodated, -3) > DayOfMinute(events_.back().occurred)) {
    notify = AddWorkingDays(accommodated, -rng_.Range(1, 3));
    notify_t = AtOfficeHours(notify);
  } else {
    notify = AddWorkingDays(accommodated, notify_roll < 88 ? rng_.Range(0, 2) : rng_.Range(3, 8));
    notify_t = AtOfficeHoursAfter(notify, accommodated_at_);
  }
  const bool emergency =
      legal_status == "L1" || legal_status == "L2" || legal_status == "J2" || rng_.Pct(15);
  std::string place;
  if (legal_status == "J2") {
    place = PlacementCodeOn(PickWeighted(rng_, kPlacementTypePaceTransfer), accommodated);
  } else if (legal_status == "E1") {
    // Placement order already made: with foster carers until matched.
    place = rng_.Pct(50) ? "U4" : "U5";
  } else if (age < 1) {
    place = PlacementCodeOn(PickWeighted(rng_, kPlacementTypeBaby), accommodated);
  } else if (age >= 16) {
    place = PlacementCodeOn(PickWeighted(rng_, kPlacementTypeTeen), accommodated);
  } else {
    place = PlacementCodeOn(PickWeighted(rng_, kPlacementTypeChild), accommodated);
  }
  place = FitPlacementToAge(place, age);
  // With parents only under a care order (validator 378).
  if (place == "P1" && legal_status == "V2") place = "U4";
  if (notify_t < accommodated_at_) {
    Record(notify_t, v1::SOCIAL_WORKER, SocialWorkerOn(notify),
           Act(&v1::Event::mutable_iro_service_notified));
  }
  if (!first && rng_.Pct(40)) {
    // A new social worker for the new period (never the same one again).
    const std::string sw = StaffMember("sw-", cohort_.social_workers);
    if (sw != social_workers_.back().second) {
      social_workers_.emplace_back(accommodated, sw);
      Record(accommodated_at_ - 1, v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
             SocialWorkerAllocated(sw, "CHCHAN"));
    }
  }
  v1::Event accommodation;
  v1::ChildAccommodated& accommodated_payload = *accommodation.mutable_child_accommodated();
  accommodated_payload.set_legal_status(entry_status);
  accommodated_payload.set_placement_type(place);
  if (rng_.Pct(30)) accommodated_payload.set_date_of_birth(DateText(date_of_birth_));
  accommodated_payload.set_emergency(emergency);
  PlacementDetails details = DetailsFor(place, place == "P1" ? "IN_AREA" : PickWeighted(rng_, kOutOfArea));
  {
    accommodated_payload.set_cin(cin_);
    if (!details.provider.empty()) accommodated_payload.set_provider(details.provider);
    accommodated_payload.set_home_postcode(home_postcode_);
    accommodated_payload.set_placement_postcode(details.postcode);
    accommodated_payload.set_urn(details.urn);
    // PREV_PERM: the order the child left the last period with, or (first
    // period) a few children adopted or under an order before.
    std::string order = left_with_order_;
    absl::CivilDay order_on = left_with_order_on_;
    std::string order_authority = authority_;
    if (first && age >= 2 && rng_.Pct(5)) {
      const int k = rng_.Range(0, 99);
      order = k < 25 ? "P1" : k < 70 ? "P2" : "P4";
      order_on = date_of_birth_ + rng_.Range(365, static_cast<int>(accommodated - date_of_birth_) - 30);
      order_authority = rng_.Pct(70) ? authority_ : std::string(rng_.Pct(50) ? "330" : "873");
    }
    accommodated_payload.set_previous_permanence(order);
    if (order != "Z1") {
      accommodated_payload.set_previous_permanence_date(DateText(order_on));
      accommodated_payload.set_previous_permanence_authority(order_authority);
    }
  }
  Record(accommodated_at_, v1::SOCIAL_WORKER, SocialWorkerOn(accommodated),
         std::move(accommodation));
  // Adoption: the agency decision maker's decision that the child should be
  // placed for adoption comes before the placement order (validator 554).
  bool adoption_decided = false, adoption_decision_reversed = false;
  auto decide_adoption = [&](int64_t t) {
    Record(t, v1::AGENCY_DECISION_MAKER, StaffMember("adm-", 2),
           Act(&v1::Event::mutable_adoption_decision_made));
    adoption_decided = true;
  };
  auto reverse_adoption_decision = [&](int64_t t, const char* reason) {
    Record(t, v1::AGENCY_DECISION_MAKER, StaffMember("adm-", 2),
           Act(&v1::Event::mutable_adoption_decision_reversed,
               [&](v1::AdoptionDecisionReversed& p) { p.set_reason(reason); }));
    adoption_decision_reversed = true;
  };
  // A child under a placement order on entry: the decision was this day.
  if (legal_status == "E1") decide_adoption(accommodated_at_ + 1);
  {
    Placement p;
    p.start = accommodated;
    p.type = place;
    p.id = absl::StrCat("P-", ++placements_started_);
    p.foster = place[0] == 'U' || place[0] == 'A';
    p.details = std::move(details);
    placements_.push_back(std::move(p));
  }
  if (notify_t > accommodated_at_)
    Record(notify_t, v1::SOCIAL_WORKER, SocialWorkerOn(notify),
           Act(&v1::Event::mutable_iro_service_notified));
  if (first || rng_.Pct(50)) iro_ = StaffMember("iro-", cohort_.iros);
  const absl::CivilDay alloc = AddWorkingDays(std::max(notify, accommodated),
                                              rng_.Pct(85) ? rng_.Range(1, 5) : rng_.Range(6, 14));
  if (InPeriod(alloc)) {
    Record(AtOfficeHoursAfter(alloc, std::max(notify_t, accommodated_at_)), v1::IRO_MANAGER,
           StaffMember("irom-", 2),
           Act(&v1::Event::mutable_iro_allocated,
               [&](v1::IroAllocated& p) { p.set_iro_id(iro_); }));
  }
  // Early planning.
  auto milestone = [&](absl::CivilDay d, v1::Role role, std::string actor, v1::Event act) {
    d = WorkingDayOnOrAfter(d);
    if (InPeriod(d))
      Record(AtOfficeHoursAfter(d, accommodated_at_), role, std::move(actor), std::move(act));
  };
  milestone(accommodated + (rng_.Pct(85) ? rng_.Range(0, 3) : rng_.Range(4, 10)), v1::SOCIAL_WORKER,
            SocialWorkerOn(accommodated), Act(&v1::Event::mutable_placement_planning_meeting_held));
  if (legal_status == "C1" || legal_status == "L1" || legal_status == "L2" ||
      legal_status == "C2") {
    milestone(AddWorkingDays(accommodated, rng_.Pct(80) ? rng_.Range(1, 10) : rng_.Range(11, 20)),
              v1::LEGAL, StaffMember("legal-", 3),
              Act(&v1::Event::mutable_legal_planning_meeting_held));
  }
  if (rng_.Pct(25))
    milestone(accommodated + rng_.Range(14, 60), v1::SOCIAL_WORKER, SocialWorkerOn(accommodated),
              Act(&v1::Event::mutable_family_group_conference_held));
  if (rng_.Pct(20))
    milestone(accommodated + rng_.Range(7, 40), v1::SOCIAL_WORKER, SocialWorkerOn(accommodated),
              Act(&v1::Event::mutable_kinship_assessment_referred));
  if ((legal_status == "C1" || !legal_status_changes.empty()) && rng_.Pct(50)) {
    milestone(accommodated + rng_.Range(56, 112), v1::SOCIAL_WORKER, SocialWorkerOn(accommodated),
              Act(&v1::Event::mutable_parenting_assessment_completed));
  }

  // Social worker changes, decided now (the acts below name the worker of
  // their day) and drafted once permanence planning has said when the
  // period ends. None in the last days of March: the 903's social worker
  // checks (SW11b) read a change then as an episode left open.
  const size_t social_workers_before = social_workers_.size();
  for (absl::CivilDay d = accommodated + rng_.Range(60, 500); InPeriod(d);
       d += rng_.Range(150, 600)) {
    d = WorkingDayOnOrAfter(d);
    if (d.month() == 3 && d.day() >= 26) d = WorkingDayOnOrAfter(absl::CivilDay(d.year(), 4, 2));
    if (!InPeriod(d)) break;
    std::string sw = StaffMember("sw-", cohort_.social_workers);
    if (sw == social_workers_.back().second) continue;  // not a change
    social_workers_.emplace_back(d, sw);
  }

  // The legal status on each day (P1 is not allowed under V2).
  std::vector<std::pair<absl::CivilDay, std::string>> status_timeline = {
      {accommodated, std::string(legal_status)}};
  for (StatusChange& change : legal_status_changes) {
    if (!change.exact) change.day = WorkingDayOnOrAfter(change.day);
    if (InPeriod(change.day)) status_timeline.emplace_back(change.day, change.code);
  }
  auto status_on = [&](absl::CivilDay d) {
    std::string code;
    absl::CivilDay latest = accommodated - 1;
    for (const auto& [from, c] : status_timeline) {
      if (from <= d && from >= latest) latest = from, code = c;
    }
    return code;
  };

  // Permanence milestones; they may end the period.
  absl::CivilDay forced_move = never;  // random placement moves stop here
  struct Move {
    absl::CivilDay day;
    std::string type;
    bool long_term;
    bool connected;
    bool adoptive = false;     // placed for adoption: A5 with the foster carers, or A6
    bool same_carers = false;  // the same carers, a new status of placement
    bool keep_carers = false;  // the current foster carers, if fostered then
  };
  std::vector<Move> moves;
  if (permanence) {
    const absl::CivilDay permanency_meeting =
        WorkingDayOnOrAfter(accommodated + rng_.Range(35, 80));
    milestone(permanency_meeting, v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
              Act(&v1::Event::mutable_permanency_planning_meeting_held));
    const absl::CivilDay final_care_planning = WorkingDayOnOrAfter(
        accommodated + (rng_.Pct(80) ? rng_.Range(126, 182) : rng_.Range(183, 280)));
    milestone(final_care_planning, v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
              Act(&v1::Event::mutable_final_care_planning_meeting_held));
    const absl::CivilDay recommended = WorkingDayOnOrAfter(final_care_planning + rng_.Range(7, 42));
    milestone(recommended, v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
              Act(&v1::Event::mutable_permanence_recommended,
                  [&](v1::PermanenceRecommended& p) { p.set_plan(plan); }));
    for (absl::CivilDay progress_meeting =
             WorkingDayOnOrAfter(final_care_planning + rng_.Range(335, 395));
         InPeriod(progress_meeting);
         progress_meeting = WorkingDayOnOrAfter(progress_meeting + rng_.Range(335, 395))) {
      Record(AtOfficeHours(progress_meeting), v1::TEAM_MANAGER,
             StaffMember("tm-", cohort_.team_managers),
             Act(&v1::Event::mutable_permanence_progress_meeting_held));
    }
    if (plan == "ADOPTION" || plan == "LONG_TERM_FOSTER") {
      const bool adoption = plan == "ADOPTION";
      const absl::CivilDay panel = WorkingDayOnOrAfter(recommended + rng_.Range(28, 84));
      if (adoption) {
        milestone(panel - rng_.Range(14, 30), v1::SOCIAL_WORKER, SocialWorkerOn(panel),
                  Act(&v1::Event::mutable_pre_permanence_report_sent));
      }
      const int panel_roll = rng_.Range(0, 99);
      const bool approved = panel_roll < 86 || legal_status == "E1";
      milestone(panel, v1::PANEL, "panel-1",
                Act(&v1::Event::mutable_panel_decision, [&](v1::PanelDecision& p) {
                  p.set_panel(adoption ? "ADOPTION_AND_PERMANENCE" : "FOSTERING");
                  p.set_decision(approved          ? "APPROVED"
                                 : panel_roll < 95 ? "DEFERRED"
                                                   : "NOT_APPROVED");
                  p.set_plan(plan);
                }));
      const int court_roll = rng_.Range(0, 99);
      // The court makes no placement order (RD2), or the plan changes before
      // a match (RD1, RD3, RD4); a child on a placement order already goes on.
      const bool no_order = legal_status != "E1" && court_roll < 5;
      const bool plan_changes = legal_status != "E1" && court_roll >= 5 && court_roll < 11;
      absl::CivilDay placement_order = panel;
      if (approved && adoption && legal_status != "E1") {
        const absl::CivilDay decision = AddWorkingDays(panel, rng_.Range(3, 15));
        if (InPeriod(decision)) decide_adoption(AtOfficeHoursAfter(decision, accommodated_at_));
        placement_order = WorkingDayOnOrAfter(decision + rng_.Range(20, 80));
        // After the care order: a placement order replaces it.
        for (const auto& [from, code] : status_timeline)
          placement_order = std::max(placement_order, WorkingDayOnOrAfter(from + 1));
        if (no_order) {
          // The court makes no placement order (RD2); the plan becomes
          // long-term fostering.
          if (adoption_decided && InPeriod(placement_order))
            reverse_adoption_decision(AtOfficeHoursAfter(placement_order, accommodated_at_),
                                      "RD2");
        } else {
          milestone(placement_order, v1::SOCIAL_WORKER, SocialWorkerOn(placement_order),
                    LegalStatusChanged("E1"));
          if (InPeriod(placement_order)) status_timeline.emplace_back(placement_order, "E1");
        }
      }
      const absl::CivilDay placed = WorkingDayOnOrAfter(placement_order + rng_.Range(30, 200));
      if (approved && adoption && plan_changes) {
        // The plan changes before a match: the child's needs, or no adopters
        // (RD1, RD3, RD4); the placement order is revoked, the care order stands.
        const absl::CivilDay changed = WorkingDayOnOrBefore(placed - rng_.Range(1, 20));
        if (adoption_decided && InPeriod(changed) && changed > placement_order) {
          const int64_t t = AtOfficeHoursAfter(changed, accommodated_at_);
          reverse_adoption_decision(t, court_roll < 7 ? "RD1" : court_roll < 9 ? "RD3" : "RD4");
          Record(t + 1, v1::SOCIAL_WORKER, SocialWorkerOn(changed), LegalStatusChanged("C2"));
          status_timeline.emplace_back(changed, "C2");
        }
      } else if (approved && adoption && !no_order) {
        Move adoptive{placed, "A6", true, false};
        adoptive.adoptive = true;
        moves.push_back(adoptive);
        forced_move = std::min(forced_move, placed);
        if (placed + 300 < ceases_on_) {
          ceases_on_ = WorkingDayOnOrAfter(placed + rng_.Range(300, 420));
          reason_ceased = rng_.Pct(70) ? "E11" : "E12";
          planned_end = true;
        }
      } else if (approved) {
        const absl::CivilDay match = WorkingDayOnOrAfter(panel + rng_.Range(7, 60));
        // Matched with the current foster carers when the child is fostered
        // then (decided when the move is made), or with new ones.
        Move match_move{match, rng_.Pct(50) ? "U4" : "U5", true, false};
        match_move.keep_carers = true;
        moves.push_back(match_move);
        forced_move = std::min(forced_move, match);
        if (Age(match) >= 6 && rng_.Pct(45)) {
          reduced_from_ = WorkingDayOnOrAfter(match + rng_.Range(365, 420));
          if (InPeriod(reduced_from_)) {
            Record(AtOfficeHours(reduced_from_), v1::IRO, iro_,
                   Act(&v1::Event::mutable_review_arrangement_changed,
                       [](v1::ReviewArrangementChanged& p) {
                         p.set_reduced_meetings(true);
                         for (v1::Role who : {v1::IRO, v1::SOCIAL_WORKER, v1::TEAM_MANAGER,
                                              v1::SERVICE_MANAGER, v1::IRO_MANAGER}) {
                           p.add_agreed_by(who);
                         }
                         p.set_rationale(
                             "Settled long-term foster home over 12 months; the child wishes "
                             "fewer meetings");
                       }));
          }
        }
      }
    } else if (plan == "KINSHIP") {
      const absl::CivilDay special_guardianship =
          WorkingDayOnOrAfter(recommended + rng_.Range(150, 540));
      // Usually with the family or friends who will be special guardians
      // first, as their foster carers (E45 needs a U1-U3 placement: 516).
      if (rng_.Pct(75)) {
        const absl::CivilDay with_family =
            WorkingDayOnOrAfter(recommended + rng_.Range(14, 120));
        if (with_family + 60 < special_guardianship) {
          moves.push_back({with_family, rng_.Pct(60) ? "U1" : "U3", false, true});
          forced_move = std::min(forced_move, with_family);
        }
      }
      if (special_guardianship < ceases_on_) {
        ceases_on_ = special_guardianship;
        reason_ceased = rng_.Pct(60) ? "E45" : "E47";
        planned_end = true;
      }
    } else {  // RETURN_HOME
      const absl::CivilDay home = WorkingDayOnOrAfter(recommended + rng_.Range(14, 60));
      // Placed with parents under a care order; accommodated children go home.
      const bool voluntary = status_on(home) == "V2";
      if (!voluntary) moves.push_back({home, "P1", false, false});
      forced_move = std::min(forced_move, home);
      const absl::CivilDay e =
          voluntary ? home : WorkingDayOnOrAfter(home + rng_.Range(90, 365));
      if (e < ceases_on_) {
        ceases_on_ = e;
        reason_ceased = "E4A";
        planned_end = true;
      }
    }
  }
  if (ceases_on_ > cohort_.window_end) ceases_on_ = never;

  // What was decided before permanence planning, up to the period's end.
  for (const StatusChange& change : legal_status_changes) {
    if (InPeriod(change.day))
      Record(AtOfficeHoursAfter(change.day, accommodated_at_), v1::SOCIAL_WORKER,
             SocialWorkerOn(change.day), LegalStatusChanged(change.code));
  }
  while (social_workers_.size() > social_workers_before &&
         !InPeriod(social_workers_.back().first))
    social_workers_.pop_back();
  for (size_t i = social_workers_before; i < social_workers_.size(); ++i) {
    const absl::CivilDay d = social_workers_[i].first;
    Record(AtOfficeHours(d), v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
           SocialWorkerAllocated(social_workers_[i].second,
                                 PickWeighted(rng_, kSocialWorkerChangeReason)));
    if (rng_.Pct(50)) ReportSignificantEvent(WorkingDayOnOrAfter(d + 1), "CHANGE_OF_SOCIAL_WORKER");
  }

  // Placement moves, stability concerns, disruptions.
  {
    std::vector<Move> all;
    absl::CivilDay d = accommodated + rng_.Range(30, 450);
    while (d < forced_move && InPeriod(d)) {
      if (legal_status == "J2") break;
      const absl::CivilDay m = WorkingDayOnOrAfter(d);
      if (!(m < forced_move && InPeriod(m))) break;
      const int age_m = Age(m);
      std::string type = PlacementCodeOn(age_m >= 16 ? PickWeighted(rng_, kPlacementTypeTeen)
                                                     : PickWeighted(rng_, kPlacementTypeChild),
                                         m);
      if (type == "P1" && age_m >= 16) type = "H5";
      type = FitPlacementToAge(type, age_m);
      if (type == "P1" && status_on(m) == "V2") type = "U4";
      all.push_back({m, type, false, type <= "U3" && type[0] == 'U'});
      d = m + rng_.Range(120, 900);
    }
    for (Move& move : moves) all.push_back(move);
    std::sort(all.begin(), all.end(), [](const Move& x, const Move& y) { return x.day < y.day; });
    absl::CivilDay last = accommodated;
    for (Move& move : all) {
      if (!InPeriod(move.day) || move.day <= last) continue;
      // Home to parents who have the child already: nothing changes.
      if (move.type == "P1" && placements_.back().type == "P1") continue;
      // Matched long-term with the current foster carers: a long-term type
      // (U1 family and friends, U4 others), unless the placement is one.
      const std::string current_type = placements_.back().type;
      const bool stay = move.keep_carers && current_type[0] == 'U';
      const std::string long_term_type = current_type <= "U3" ? "U1" : "U4";
      if (stay && current_type == long_term_type) continue;
      last = move.day;
      const bool unplanned = !move.long_term && move.type != "P1" && rng_.Pct(40);
      if (unplanned) {
        const int k = rng_.Range(0, 99);
        if (k < 45) {
          ReportSignificantEvent(WorkingDayOnOrBefore(move.day - rng_.Range(1, 5)),
                                 "PLACEMENT_DISRUPTION");
        } else if (k < 75) {
          const absl::CivilDay concern_day = WorkingDayOnOrBefore(move.day - rng_.Range(10, 40));
          if (concern_day > accommodated) {
            Record(AtOfficeHours(concern_day), v1::SOCIAL_WORKER, SocialWorkerOn(concern_day),
                   Act(&v1::Event::mutable_stability_concern_raised,
                       [](v1::StabilityConcernRaised& p) {
                         p.set_concern("Carers report escalating behaviour");
                       }));
            Record(AtOfficeHours(AddWorkingDays(
                       concern_day, rng_.Pct(80) ? rng_.Range(1, 10) : rng_.Range(11, 20))),
                   v1::TEAM_MANAGER, StaffMember("tm-", cohort_.team_managers),
                   Act(&v1::Event::mutable_care_planning_meeting_held));
          }
        }
      }
      const int64_t t = AtOfficeHours(move.day);
      EndPlacement(t, unplanned ? "Placement disruption" : "Planned move", unplanned);
      // Placement types must be valid on the move's own date.
      std::string type = move.type;
      bool same_carers = move.same_carers;
      bool connected = move.connected;
      if (stay) {
        type = long_term_type;
        connected = type == "U1";
        same_carers = true;
      }
      if (move.adoptive && placements_.back().type[0] == 'U' && rng_.Pct(35)) {
        type = "A5";  // the foster carers adopt
        same_carers = true;
      }
      if (type == "Z1" && CollectionYearOf(move.day) >= 2025) type = "Z11";
      if (type.size() == 3 && type[0] == 'Z' && CollectionYearOf(move.day) < 2025) type = "Z1";
      StartPlacement(t + 1, type, move.long_term, connected,
                     same_carers     ? "PLACE"
                     : move.long_term ? "CARPL"
                     : unplanned      ? "STAND"
                                      : PickWeighted(rng_, kReasonPlaceChange),
                     same_carers);
    }
  }

  // Significant events.
  for (absl::CivilDay d = accommodated + rng_.Range(10, 120); InPeriod(d);
       d += rng_.Range(40, 200)) {
    const absl::CivilDay w = WorkingDayOnOrAfter(d);
    if (!InPeriod(w)) break;
    const int age_then = Age(w);
    const char* kind = PickWeighted(rng_, kSignificantEventKind);
    const std::string_view k(kind);
    if (k == "SCHOOL_EXCLUSION" && (age_then < 5 || age_then > 16)) kind = "HEALTH_EVENT";
    if (k == "OFFENCE" && age_then < 10) kind = "CONTACT_CHANGE";
    if (k == "MISSING" && age_then < 8) kind = "FAMILY_EVENT";
    ReportSignificantEvent(w, kind);
  }

  StatutoryVisits();
  ReviewCycle();
  HealthAndOutcomes();

  // Ceasing.
  left_with_order_ = "Z1";
  if (ceases_on_ <= cohort_.window_end) {
    const absl::CivilDay e = exact_cease ? ceases_on_ : WorkingDayOnOrAfter(ceases_on_);
    ceases_on_ = e;
    if (e > cohort_.window_end) return;
    ceased_at_ = AtOfficeHours(e);
    const std::string_view last_type = placements_.back().type;
    std::string_view why(reason_ceased);
    // Special guardians who were the child's foster carers (E45, E46) only
    // from a foster placement (validator 516); staying put (E17) too.
    if ((why == "E45" || why == "E46") && last_type[0] != 'U') {
      reason_ceased = why == "E45" ? "E47" : "E48";
    }
    if (why == "E17" && last_type[0] != 'U') reason_ceased = "E5";
    why = reason_ceased;
    if (adoption_decided && !adoption_decision_reversed && why != "E11" && why != "E12") {
      reverse_adoption_decision(ceased_at_ - 2, "RD4");
    }
    adopted_ = why == "E11" || why == "E12";
    if (why == "E41") left_with_order_ = "P4";
    if (why.substr(0, 3) == "E45" || why == "E46" || why == "E47" || why == "E48")
      left_with_order_ = "P2";
    left_with_order_on_ = e;
    if (planned_end && rng_.Pct(65)) {
      const absl::CivilDay approved_on = AddWorkingDays(e, -rng_.Range(1, 8));
      if (approved_on > accommodated) {
        Record(AtOfficeHours(approved_on),
               age < 16 && legal_status == "V2" ? v1::ASSISTANT_DIRECTOR : v1::SERVICE_MANAGER,
               age < 16 && legal_status == "V2" ? "ad-1"
                                                : StaffMember("sm-", cohort_.service_managers),
               Act(&v1::Event::mutable_cease_approved,
                   [&](v1::CeaseApproved& p) { p.set_reason(reason_ceased); }));
      }
    }
    EndPlacement(ceased_at_, planned_end ? "Ceased to be looked after" : "Returned home",
                 !planned_end);
    Record(ceased_at_ + 1, v1::SOCIAL_WORKER, SocialWorkerOn(e),
           Act(&v1::Event::mutable_child_ceased_looked_after, [&](v1::ChildCeasedLookedAfter& p) {
             p.set_reason(reason_ceased);
             p.set_planned(planned_end);
           }));
    if (!open_review_.empty()) {
      Record(ceased_at_ + 2, v1::IRO, iro_,
             Act(&v1::Event::mutable_review_cancelled, [&](v1::ReviewCancelled& p) {
               p.set_review_id(open_review_);
               p.set_reason("Child ceased to be looked after");
             }));
    }
  }
}

v1::Event ChildHistory::LegalStatusChanged(std::string_view code) {
  return Act(&v1::Event::mutable_legal_status_changed,
             [&](v1::LegalStatusChanged& p) { p.set_legal_status(std::string(code)); });
}

}  // namespace carelog::gen
