#include "projections/ssda903_return.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/code_lists.h"
#include "engine/event_time.h"
#include "projections/deadlines.h"

namespace carelog {
namespace {

bool IsPlacementChange(const std::string& rne) {
  return rne == "P" || rne == "B" || rne == "T" || rne == "U";
}
// Placed for adoption with the current foster carers.
bool WithCurrentFosterCarers(const std::string& place) { return place == "A3" || place == "A5"; }
bool IsAdoption(const std::string& rec) { return rec == "E11" || rec == "E12"; }

std::optional<absl::CivilDay> DateOf(const std::string& iso) {
  if (iso.empty()) return std::nullopt;
  auto d = ParseDate(iso);
  if (!d.ok()) return std::nullopt;
  return *d;
}

// The episode's details an act records: childAccommodated and
// placementStarted name them alike.
template <typename Act>
void TakeDetails(const Act& a, Episode903* ep) {
  ep->cin = a.cin();
  ep->provider = a.provider();
  ep->home_post = a.home_postcode();
  ep->pl_post = a.placement_postcode();
  ep->urn = a.urn();
}

struct Allocation {
  absl::CivilDay day;
  std::string social_worker, registration, reason, event_id;
};

// The native episodes of a case, built act by act.
class EpisodeBuilder {
 public:
  explicit EpisodeBuilder(std::vector<Episode903>* eps) : eps_(*eps) {}

  void Accommodated(absl::CivilDay day, const v1::Event& e) {
    const v1::ChildAccommodated& a = e.child_accommodated();
    Close(day, "X1", e.event_id());
    Episode903 ep;
    ep.decom = day;
    ep.rne = "S";
    ep.ls = a.legal_status();
    ep.place = a.placement_type();
    TakeDetails(a, &ep);
    ep.opened_by = e.event_id();
    eps_.push_back(std::move(ep));
    open_ = eps_.size() - 1;
  }

  void LegalStatus(absl::CivilDay day, const v1::Event& e) {
    if (!open_) return;
    const std::string& ls = e.legal_status_changed().legal_status();
    Episode903& cur = eps_[*open_];
    if (cur.decom == day) {  // the same day's episode: a change of both, or of S's status
      cur.ls = ls;
      if (cur.rne == "P") cur.rne = "B";
      if (cur.rne == "T") cur.rne = "U";
      return;
    }
    if (cur.ls == ls) return;  // nothing the return records changed
    Episode903 next = Successor(day, e.event_id());
    next.rne = "L";
    next.ls = ls;
    eps_.push_back(std::move(next));
    open_ = eps_.size() - 1;
  }

  void Placement(absl::CivilDay day, const v1::Event& e) {
    if (!open_) return;
    const v1::PlacementStarted& p = e.placement_started();
    const bool same_carers = p.same_carers() || WithCurrentFosterCarers(p.placement_type());
    Episode903& cur = eps_[*open_];
    if (cur.decom == day) {
      // The episode that began today takes this placement: the accommodation
      // named it again, or a change of legal status came first (B / U).
      if (cur.rne == "L") {
        cur.rne = same_carers ? "U" : "B";
        SetReason(p.reason_place_change());
      } else if (cur.rne == "P" || cur.rne == "T" || cur.rne == "B" || cur.rne == "U") {
        if (same_carers && cur.rne == "P") cur.rne = "T";
        if (same_carers && cur.rne == "B") cur.rne = "U";
        SetReason(p.reason_place_change());
      }
      TakePlacement(&cur, p);
      return;
    }
    Episode903 next = Successor(day, e.event_id());
    next.rne = same_carers ? "T" : "P";
    TakePlacement(&next, p);
    eps_.push_back(std::move(next));
    open_ = eps_.size() - 1;
    SetReason(p.reason_place_change());
  }

  void Ceased(absl::CivilDay day, const v1::Event& e) {
    Close(day, e.child_ceased_looked_after().reason(), e.event_id());
  }

 private:
  // A new episode from `day` carrying the open one's details; closes it X1.
  Episode903 Successor(absl::CivilDay day, const std::string& event_id) {
    Episode903 next = eps_[*open_];
    prev_ = open_;
    Close(day, "X1", event_id);
    next.decom = day;
    next.dec.reset();
    next.rec.clear();
    next.reason_place_change.clear();
    next.opened_by = event_id;
    next.closed_by.clear();
    return next;
  }
  void Close(absl::CivilDay day, const std::string& rec, const std::string& event_id) {
    if (!open_) return;
    eps_[*open_].dec = day;
    eps_[*open_].rec = rec;
    eps_[*open_].closed_by = event_id;
    open_.reset();
  }
  // The reason the placement changed goes on the episode that ended for it.
  void SetReason(const std::string& reason) {
    if (prev_ && !reason.empty()) eps_[*prev_].reason_place_change = reason;
  }
  // The placement's own details are the new placement's as recorded (a
  // provider not given is not the last placement's); the child's CIN and
  // home postcode go on unless the act gives them anew.
  static void TakePlacement(Episode903* ep, const v1::PlacementStarted& p) {
    if (!p.placement_type().empty()) ep->place = p.placement_type();
    ep->provider = p.provider();
    ep->pl_post = p.placement_postcode();
    ep->urn = p.urn();
    if (!p.cin().empty()) ep->cin = p.cin();
    if (!p.home_postcode().empty()) ep->home_post = p.home_postcode();
  }

  std::vector<Episode903>& eps_;
  std::optional<size_t> open_;
  std::optional<size_t> prev_;  // the episode the open one followed
};

// Rules 225 and 226: a reason for a placement change only on the episode
// the change ended, and never next to a temporary placement.
void SettleReasons(std::vector<Episode903>* eps) {
  for (size_t i = 0; i < eps->size(); ++i) {
    Episode903& ep = (*eps)[i];
    if (ep.imported) continue;
    const Episode903* next = i + 1 < eps->size() ? &(*eps)[i + 1] : nullptr;
    const bool ended_by_move = next != nullptr && !next->imported && ep.rec == "X1" &&
                               IsPlacementChange(next->rne);
    if (!ended_by_move || IsTemporaryPlacement(ep.place) || IsTemporaryPlacement(next->place))
      ep.reason_place_change.clear();
  }
}

std::string Flag(bool b) { return b ? "1" : "0"; }

}  // namespace


std::optional<Child903> Build903Child(const std::string& case_id, std::vector<v1::Event> events,
                                      int year) {
  events = ApplyCorrections(std::move(events));
  const std::vector<DatedEvent> items = InEffectiveOrder(events);
  const absl::CivilDay start(year, 4, 1), end(year + 1, 3, 31);

  Child903 c;
  c.child = case_id;
  std::vector<Episode903> eps;
  EpisodeBuilder native(&eps);
  absl::flat_hash_set<std::string> reviews_seen;
  std::vector<Allocation> allocations;
  std::vector<PlacedAdoption903> decisions;
  std::optional<absl::CivilDay> dob_from_accommodation;
  // Health and outcomes within the year (OC2).
  bool health_assessment = false, teeth = false, development = false, convicted = false;
  std::optional<bool> immunised;
  std::optional<v1::SdqCompleted> sdq;
  std::optional<v1::SubstanceMisuseIdentified> misuse;

  for (const DatedEvent& it : items) {
    const v1::Event& e = *it.event;
    const bool imported = e.source() == "ssda903";
    const bool in_year = it.day >= start && it.day <= end;
    switch (e.payload_case()) {
      case v1::Event::kChildRegistered: {
        const v1::ChildRegistered& r = e.child_registered();
        c.registered = true;
        c.sex = r.sex();
        c.ethnic = r.ethnicity();
        c.upn = r.upn();
        c.mother = r.mother();
        c.dob = DateOf(r.date_of_birth());
        c.mc_dob = DateOf(r.mother_child_dob());
        break;
      }
      case v1::Event::kReviewHeld:
        if (reviews_seen.insert(e.review_held().review_id()).second)
          c.reviews.push_back({it.day, e.review_held().participation(), e.event_id()});
        break;
      case v1::Event::kChildAccommodated: {
        const v1::ChildAccommodated& a = e.child_accommodated();
        if (auto d = DateOf(a.date_of_birth())) dob_from_accommodation = d;
        if (imported) break;
        native.Accommodated(it.day, e);
        // The return's PrevPerm row: the last period begun in the year.
        if (in_year) {
          c.prev_perm = PrevPerm903{a.previous_permanence(), a.previous_permanence_authority(),
                                    DateOf(a.previous_permanence_date()), e.event_id()};
        }
        break;
      }
      case v1::Event::kLegalStatusChanged:
        if (!imported) native.LegalStatus(it.day, e);
        break;
      case v1::Event::kPlacementStarted: {
        const v1::PlacementStarted& p = e.placement_started();
        if (imported && !p.rne().empty()) {
          Episode903 ep;
          ep.decom = it.day;
          ep.rne = p.rne();
          ep.ls = p.legal_status();
          ep.place = p.placement_type();
          TakeDetails(p, &ep);
          ep.rec = p.reason_ceased_without_end();
          ep.reason_place_change = p.reason_place_change();
          ep.imported = true;
          ep.opened_by = e.event_id();
          ep.placement_id = p.placement_id();
          eps.push_back(std::move(ep));
        } else if (!imported) {
          native.Placement(it.day, e);
        }
        break;
      }
      case v1::Event::kPlacementEnded:
        if (imported) {
          for (Episode903& ep : eps) {
            if (ep.imported && !ep.dec && ep.placement_id == e.placement_ended().placement_id()) {
              ep.dec = it.day;
              ep.rec = e.placement_ended().reason();
              ep.closed_by = e.event_id();
            }
          }
        }
        break;
      case v1::Event::kChildCeasedLookedAfter: {
        if (!imported) native.Ceased(it.day, e);
        // An adoption fulfils the decision: its row stays without an end
        // (REASON_PLACED_CEASED is only a reversal's RD1-RD4, rule 120).
        if (IsAdoption(e.child_ceased_looked_after().reason())) {
          for (PlacedAdoption903& d : decisions) d.adopted = d.adopted || !d.date_ceased;
        }
        break;
      }
      case v1::Event::kSocialWorkerAllocated: {
        const v1::SocialWorkerAllocated& s = e.social_worker_allocated();
        Allocation a{it.day, s.social_worker_id(), s.registration_number(), s.reason(),
                     e.event_id()};
        // Two allocations on one day: the later one is the episode.
        if (!allocations.empty() && allocations.back().day == it.day) {
          allocations.back() = std::move(a);
        } else {
          allocations.push_back(std::move(a));
        }
        break;
      }
      case v1::Event::kAdoptionDecisionMade: {
        bool standing = false;
        for (const PlacedAdoption903& d : decisions)
          standing = standing || (!d.date_ceased && !d.adopted);
        if (!standing) decisions.push_back({it.day, std::nullopt, "", e.event_id()});
        break;
      }
      case v1::Event::kAdoptionDecisionReversed:
        for (PlacedAdoption903& d : decisions) {
          if (!d.date_ceased && !d.adopted) {
            d.date_ceased = it.day;
            d.reason_ceased = e.adoption_decision_reversed().reason();
          }
        }
        break;
      case v1::Event::kHealthAssessmentCompleted: health_assessment |= in_year; break;
      case v1::Event::kDentalCheckCompleted: teeth |= in_year; break;
      case v1::Event::kDevelopmentalCheckCompleted: development |= in_year; break;
      case v1::Event::kChildConvicted: convicted |= in_year; break;
      case v1::Event::kImmunisationsChecked:
        if (it.day <= end) immunised = e.immunisations_checked().up_to_date();
        break;
      case v1::Event::kSdqCompleted:
        if (in_year) sdq = e.sdq_completed();
        break;
      case v1::Event::kSubstanceMisuseIdentified:
        if (in_year) misuse = e.substance_misuse_identified();
        break;
      default: break;
    }
  }
  if (!c.dob && dob_from_accommodation) c.dob = dob_from_accommodation;
  SettleReasons(&eps);

  // Episodes open on a day of the year; the year knows nothing after it.
  bool continuous = true;  // the validator's "looked after continuously"
  for (Episode903& ep : eps) {
    if (ep.decom > end || (ep.dec && *ep.dec < start)) continue;
    if (!ep.imported && ep.dec && *ep.dec > end) {
      ep.dec.reset();
      ep.rec.clear();
      ep.reason_place_change.clear();
      ep.closed_by.clear();
    }
    // The validator's "looked after continuously": no period begun after 1
    // April, none ended before 31 March (an ending on 31 March leaves the
    // child looked after for the whole year), no short breaks.
    if (ep.rne == "S" && ep.decom > start) continuous = false;
    if (ep.dec && ep.rec != "X1" && *ep.dec < end) continuous = false;
    if (ep.ls == "V3" || ep.ls == "V4") continuous = false;
    c.episodes.push_back(ep);
  }
  c.reviews.erase(std::remove_if(c.reviews.begin(), c.reviews.end(),
                                 [&](const Review903& r) { return r.day < start || r.day > end; }),
                  c.reviews.end());
  if (c.episodes.empty() && c.reviews.empty()) return std::nullopt;
  c.looked_after_at_end = !c.episodes.empty() && !c.episodes.back().dec;
  c.continuously_looked_after = !c.episodes.empty() && continuous;
  if (c.episodes.empty()) c.prev_perm.reset();

  // Social worker episodes while looked after in the year: each allocation
  // in force during a period of care, from the later of its day and the
  // period's first (rule SW12: no row of a period begins before it) until
  // the next allocation. Ceasing to be looked after ends no allocation: the
  // worker is still the child's (rule SW11b reads an end with no successor
  // as a gap).
  {
    std::vector<std::pair<absl::CivilDay, std::optional<absl::CivilDay>>> periods;
    for (const Episode903& ep : c.episodes) {
      if (ep.rne == "S" || periods.empty()) periods.push_back({ep.decom, std::nullopt});
      if (ep.dec && ep.rec != "X1") periods.back().second = ep.dec;
    }
    // Each allocation once, from the first day it was in force while the
    // child was looked after (an allocation that lasts across a gap between
    // two periods is one episode of that worker, not two).
    for (size_t i = 0; i < allocations.size(); ++i) {
      const Allocation& a = allocations[i];
      std::optional<absl::CivilDay> until;
      if (i + 1 < allocations.size()) until = allocations[i + 1].day;
      std::optional<absl::CivilDay> decom;
      for (const auto& [from, to] : periods) {
        if (until && *until <= from) continue;  // replaced before the period began
        if (to && a.day >= *to) continue;       // began after the period ended
        decom = std::max(a.day, from);
        break;
      }
      if (!decom || *decom > end || (until && *until < start)) continue;
      if (until && *until > end) until.reset();
      c.social_workers.push_back(
          {a.registration, a.social_worker, *decom, until, a.reason, a.event_id});
    }
  }

  // Decisions to place for adoption standing on a day of the year.
  for (PlacedAdoption903& d : decisions) {
    if (d.date_placed > end || (d.date_ceased && *d.date_ceased < start)) continue;
    if (d.date_ceased && *d.date_ceased > end) {
      d.date_ceased.reset();
      d.reason_ceased.clear();
    }
    if (!c.episodes.empty()) c.placed_adoption.push_back(d);
  }

  if (c.continuously_looked_after) {
    Oc2Row903 o;
    const std::optional<int> age =
        c.dob ? std::optional<int>(AgeOn(*c.dob, end)) : std::nullopt;
    if (sdq) {
      if (sdq->has_score()) {
        o.sdq_score = absl::StrCat(sdq->score());
      } else {
        o.sdq_reason = sdq->reason_not_done();
      }
    }
    if (!age || *age >= 10) o.convicted = Flag(convicted);
    if (!age || *age < 5) o.health_check = Flag(development);
    o.immunisations = Flag(immunised.value_or(false));
    o.teeth_check = Flag(teeth);
    o.health_assessment = Flag(health_assessment);
    o.substance_misuse = Flag(misuse.has_value());
    if (misuse) {
      o.intervention_received = Flag(misuse->intervention_received());
      if (!misuse->intervention_received())
        o.intervention_offered = Flag(misuse->intervention_offered());
    }
    c.oc2 = std::move(o);
  }
  return c;
}

}  // namespace carelog
