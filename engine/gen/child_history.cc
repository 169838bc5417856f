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
    girl_ = std::string_view(sex) == "2";
    authority_ = PickWeighted(rng_, kAuthority);
    const char* ethnicity = PickWeighted(rng_, kEthnicity);
    // No UPN yet (UN1) only for a child under school age in every year the
    // window covers (validator 209 asks for one from age 4 at 31 August).
    const absl::CivilDay last_school_census(CollectionYearOf(cohort_.window_end) - 1, 8, 31);
    const bool under_school_age = AddMonths(date_of_birth_, 48) > last_school_census;
    const std::string upn =
        under_school_age && rng_.Pct(60) ? "UN1" : UniquePupilNumber(rng_, authority_);
    // MOTHER for every girl (validator 165, 393); a few older girls are
    // mothers already (validator 620: not under 11).
    const char* mother = nullptr;
    std::string mother_child_dob;
    if (girl_) {
      const bool is_mother = Age(registered) >= 14 && rng_.Pct(5);
      mother = is_mother ? "1" : "0";
      if (is_mother) {
        absl::CivilDay born = registered - rng_.Range(20, 400);
        born = std::max(born, AddMonths(date_of_birth_, 13 * 12 + 6));
        mother_child_dob = DateText(std::min(born, registered));
      }
    }
    home_postcode_ = PostcodeIn(authority_ == "801" ? "BS" : authority_ == "355" ? "M" : "WA");
    Record(registered_at, v1::SOCIAL_WORKER, social_workers_.back().second,
           Act(&v1::Event::mutable_child_registered,
               [&](v1::ChildRegistered& p) {
                 p.set_date_of_birth(DateText(date_of_birth_));
                 p.set_authority_code(authority_);
                 p.set_sex(sex);
                 p.set_ethnicity(ethnicity);
                 p.set_upn(upn);
                 if (mother != nullptr) p.set_mother(mother);
                 if (!mother_child_dob.empty()) p.set_mother_child_dob(mother_child_dob);
               }),
           kFirstLine);
  }
  // The first social worker, from before the child becomes looked after.
  Record(registered_at + rng_.Range(1, 30), v1::TEAM_MANAGER,
         StaffMember("tm-", cohort_.team_managers),
         SocialWorkerAllocated(social_workers_.back().second, "CHCHAN"));
  bool first = true;
  while (true) {
    PeriodOfCare(accommodated, first);
    first = false;
    if (ceases_on_ > cohort_.window_end) break;
    // Re-entry; never after an adoption (validator 199), seldom and not
    // soon after a special guardianship or child arrangements order.
    const bool left_with_order = left_with_order_ != "Z1";
    if (adopted_ || Age(ceases_on_) >= 17 || !rng_.Pct(left_with_order ? 8 : 40)) break;
    absl::CivilDay back =
        ceases_on_ + (left_with_order ? rng_.Range(365, 900) : rng_.Range(30, 240));
    // Not in the collection year the child left in: the DfE-community
    // validator's SW12STG2 compares every social worker episode with every
    // episode that starts or ends care, so a child who leaves and comes back
    // within one year fails it whatever the social worker rows say.
    if (CollectionYearOf(back) == CollectionYearOf(ceases_on_))
      back = absl::CivilDay(CollectionYearOf(ceases_on_) + 1, 4, 1) + rng_.Range(0, 90);
    accommodated = WorkingDayOnOrAfter(back);
    if (accommodated > cohort_.window_end || Age(accommodated) >= 18) break;
  }
}

void ChildHistory::StartPlacement(int64_t t, const std::string& type, bool long_term,
                                  bool connected, const char* reason, bool same_carers) {
  Placement p;
  p.start = DayOfMinute(t);
  p.type = type;
  p.id = absl::StrCat("P-", ++placements_started_);
  p.foster = type[0] == 'U' || type[0] == 'A';
  const char* out_of_area = type == "P1" ? "IN_AREA" : PickWeighted(rng_, kOutOfArea);
  PlacementDetails details = DetailsFor(type, out_of_area);
  if (same_carers && !placements_.empty()) {
    // The same carers at the same address; foster carers who adopt do so
    // through an adoption agency (provider and URN of the new type).
    const PlacementDetails& before = placements_.back().details;
    details.postcode = before.postcode;
    if (type == placements_.back().type) details = before;
  }
  auto fill = [&](v1::PlacementStarted& s, const std::string& placement_type) {
    s.set_placement_type(placement_type);
    s.set_long_term(long_term);
    s.set_connected_person(connected);
    s.set_out_of_area(out_of_area);
    if (!details.provider.empty()) s.set_provider(details.provider);
    s.set_reason_place_change(reason);
    s.set_placement_id(p.id);
    s.set_cin(cin_);
    s.set_home_postcode(home_postcode_);
    s.set_placement_postcode(details.postcode);
    s.set_urn(details.urn);
    s.set_same_carers(same_carers);
  };
  const int seq = Record(t, v1::SOCIAL_WORKER, SocialWorkerOn(p.start),
                         Act(&v1::Event::mutable_placement_started,
                             [&](v1::PlacementStarted& s) { fill(s, type); }));
  // A placement type recorded wrongly and corrected later (same date, so the
  // code list is the same; the same carers, so the rest stands).
  const char* alt_type = type == "U4" ? "U5" : type == "U5" ? "U4" : nullptr;
  if (alt_type != nullptr) {
    events_[seq].correction = Act(&v1::Event::mutable_placement_started,
                                  [&](v1::PlacementStarted& s) { fill(s, alt_type); });
  }
  p.details = std::move(details);
  placements_.push_back(std::move(p));
}

std::string ChildHistory::FitPlacementToAge(std::string type, int age) {
  if (type == "S1" && age < 5) return "U4";
  if (type == "K1" && age < 10) return "U5";
  if (type == "K2" && age < 5) return "U4";  // children's homes rarely take the very young
  if (type == "R5" && age < 10) return "U4";
  if (type == "H5" && age < 16) return "U4";
  return type;
}

PlacementDetails ChildHistory::DetailsFor(const std::string& type, const char* out_of_area) {
  PlacementDetails d;
  const char c = type[0];
  if (type == "P1") {
    d.provider = "PR0";
  } else if (c == 'T' || c == 'Z') {
    // Temporary and "other" placements have no provider (validator 178, 213).
  } else if (c == 'U') {
    d.provider = PickWeighted(rng_, kProviderFoster);
  } else if (c == 'A') {
    d.provider = PickWeighted(rng_, kProviderAdoption);
  } else if (type == "K2" || type == "H5") {
    d.provider = PickWeighted(rng_, kProviderChildrensHome);
  } else if (type == "K1") {
    d.provider = PickWeighted(rng_, kProviderSecureHome);
  } else if (type == "R2" || type == "R5") {
    d.provider = PickWeighted(rng_, kProviderHealthOrCustody);
  } else {
    d.provider = PickWeighted(rng_, kProviderOther);
  }
  if (type == "P1") {
    d.postcode = home_postcode_;
  } else {
    const std::string own = home_postcode_.substr(0, home_postcode_.find_first_of("0123456789"));
    do {
      d.postcode = PostcodeIn(std::string_view(out_of_area) == "IN_AREA"
                                  ? own
                                  : std::string_view(PickWeighted(rng_, kPostcodeAreaAway)));
    } while (d.postcode == home_postcode_);  // validator 392d
  }
  d.urn = PlacementNeedsUrn(type) ? absl::StrCat("SC", 100000 + rng_.Below(900000)) : "XXXXXXX";
  return d;
}

std::string ChildHistory::PostcodeIn(std::string_view area) {
  static constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";  // no C I K M O V
  const int district = rng_.Range(1, area.size() == 1 ? 40 : 16);
  const int sector = rng_.Range(0, 9);
  const char u1 = kInwardLetters[rng_.Below(sizeof(kInwardLetters) - 1)];
  const char u2 = kInwardLetters[rng_.Below(sizeof(kInwardLetters) - 1)];
  std::string postcode(area);
  absl::StrAppend(&postcode, district, " ", sector);
  postcode += u1;
  postcode += u2;
  return postcode;
}

bool PlacementNeedsUrn(std::string_view type) {
  // Placements Ofsted does not register: with parents, health and custody,
  // temporary and "other" placements (validator 218's and 222's list).
  if (type == "P1" || type == "P2" || type == "P3" || type == "R1" || type == "R2" ||
      type == "R5")
    return false;
  if (type[0] == 'T' || type[0] == 'Z') return false;
  return true;
}

std::string RegistrationNumberOf(std::string_view social_worker_id) {
  const size_t dash = social_worker_id.rfind('-');
  int n = 0;
  for (char ch : social_worker_id.substr(dash == std::string_view::npos ? 0 : dash + 1)) {
    if (ch >= '0' && ch <= '9') n = n * 10 + (ch - '0');
  }
  return absl::StrCat("SW", 104000 + n);
}

std::string UniquePupilNumber(Rng& rng, std::string_view authority) {
  // Check letter, then LA code (3), establishment (4), year of allocation
  // (2) and serial (3); the check letter is the sum of the 12 digits
  // weighted 2..13, modulo 23, in the DfE's alphabet (no I, O or S).
  static constexpr char kCheckLetters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
  std::string digits(authority.substr(0, 3));
  while (digits.size() < 3) digits.insert(digits.begin(), '0');
  absl::StrAppend(&digits, 2000 + rng.Below(8000), 10 + rng.Below(15), 100 + rng.Below(900));
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) sum += (digits[i] - '0') * static_cast<int>(i + 2);
  return std::string(1, kCheckLetters[sum % 23]) + digits;
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

void ChildHistory::HealthAndOutcomes() {
  const absl::CivilDay last = std::min(ceases_on_ - 1, cohort_.window_end);
  for (int year = CollectionYearOf(accommodated_on_ + 1);; ++year) {
    const absl::CivilDay april(year, 4, 1), march(year + 1, 3, 31);
    const absl::CivilDay from = std::max(accommodated_on_ + 1, april);
    const absl::CivilDay to = std::min(march, last);
    if (from > to) break;
    const int age_at_march = Age(march);
    // A working day in [lo, to], or none.
    auto day_between = [&](absl::CivilDay lo, absl::CivilDay* d) {
      if (lo > to) return false;
      *d = WorkingDayOnOrAfter(lo + rng_.Range(0, static_cast<int>(to - lo)));
      if (*d > to) *d = WorkingDayOnOrBefore(to);
      return *d >= lo;
    };
    auto some_day = [&](absl::CivilDay* d) { return day_between(from, d); };
    absl::CivilDay d;
    auto record = [&](v1::Event act) {
      Record(AtOfficeHours(d), v1::SOCIAL_WORKER, SocialWorkerOn(d), std::move(act));
    };
    if (rng_.Pct(90) && some_day(&d)) record(Act(&v1::Event::mutable_health_assessment_completed));
    if (rng_.Pct(86) && some_day(&d)) record(Act(&v1::Event::mutable_dental_check_completed));
    if (rng_.Pct(96) && some_day(&d)) {
      const bool up_to_date = rng_.Pct(88);
      record(Act(&v1::Event::mutable_immunisations_checked,
                 [&](v1::ImmunisationsChecked& p) { p.set_up_to_date(up_to_date); }));
    }
    // Health promotion for under-5s at 31 March (validator 545, 546).
    if (age_at_march < 5 && rng_.Pct(88) && some_day(&d))
      record(Act(&v1::Event::mutable_developmental_check_completed));
    // SDQ every year for 4 to 16 (validator 186, 188, 189, 197B), from the
    // fourth birthday: a score, or why there is none.
    const bool sdq_due = age_at_march >= 4 && Age(april - 1) < 17;  // 17 on 1 April: due
    if (sdq_due && !day_between(std::max(from, AddMonths(date_of_birth_, 48)), &d)) {
      // Four only in the year's last days, when no working day is left:
      // none was done, the child being under 4 (SDQ1) when it was due.
      if (some_day(&d))
        record(Act(&v1::Event::mutable_sdq_completed,
                   [](v1::SdqCompleted& p) { p.set_reason_not_done("SDQ1"); }));
    } else if (sdq_due) {
      if (rng_.Pct(78)) {
        const int score = rng_.Range(0, 20) + rng_.Range(0, 20);
        record(Act(&v1::Event::mutable_sdq_completed,
                   [&](v1::SdqCompleted& p) { p.set_score(score); }));
      } else {
        const char* reason = PickWeighted(rng_, kSdqNotDone);
        record(Act(&v1::Event::mutable_sdq_completed,
                   [&](v1::SdqCompleted& p) { p.set_reason_not_done(reason); }));
      }
    }
    if (some_day(&d) && Age(d) >= 11 && rng_.Pct(Age(d) >= 14 ? 9 : 3)) {
      const bool offered = rng_.Pct(85);
      const bool received = offered && rng_.Pct(70);
      record(Act(&v1::Event::mutable_substance_misuse_identified,
                 [&](v1::SubstanceMisuseIdentified& p) {
                   p.set_intervention_offered(offered);
                   p.set_intervention_received(received);
                 }));
    }
    // Convictions only from the age of criminal responsibility (validator 542).
    if (some_day(&d) && Age(d) >= 10 && rng_.Pct(Age(d) >= 14 ? 5 : 2))
      record(Act(&v1::Event::mutable_child_convicted));
  }
}

v1::Event ChildHistory::SocialWorkerAllocated(const std::string& social_worker,
                                               const char* reason) const {
  return Act(&v1::Event::mutable_social_worker_allocated, [&](v1::SocialWorkerAllocated& p) {
    p.set_social_worker_id(social_worker);
    p.set_team(absl::StrCat("Children in Care Team ", 1 + child_ % 6));
    p.set_reason(reason);
    p.set_registration_number(RegistrationNumberOf(social_worker));
  });
}

v1::Event ChildHistory::StatutoryVisit(bool seen_alone) {
  return Act(&v1::Event::mutable_statutory_visit,
             [&](v1::StatutoryVisit& p) { p.set_seen_alone(seen_alone); });
}

}  // namespace carelog::gen
