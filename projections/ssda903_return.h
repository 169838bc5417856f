// One child's part of an SSDA903 return: the rows of every table the events
// can fill, for collection year Y (1 April Y - 31 March Y+1), each row with
// the event that supplied it. `export 903` writes them as the DfE's CSVs
// (ssda903_export.h); `export 903 --check` lists what they lack
// (ssda903_check.h). Pure: a fold of one case's events after corrections,
// in effective order.
//
// Episodes. Imported ones (source "ssda903", placementStarted with an RNE)
// are written back as imported. Native histories are described from their
// events, one period of care at a time:
//   childAccommodated                      opens an episode, RNE S
//   legalStatusChanged                     a new episode, RNE L
//   placementStarted                       a new episode, RNE P; T with
//                                          sameCarers or PLACE A3/A5 (placed
//                                          for adoption with the current
//                                          foster carers)
//   both on one day                        one episode, RNE B (U with the
//                                          same carers)
//   childCeasedLookedAfter                 ends the episode with its REC
// An episode ended by the next one has REC X1; the one ended by a placement
// change (the next is P, B, T or U) carries that change's
// reasonPlaceChange, unless either side is a temporary placement (T0-T4).
// CIN, provider, postcodes and URN come from the act that opened the
// episode, else from the episode before it in the period. The return only
// knows its own year: an episode that ends after 31 March has no DEC and
// REC in it.
//
// The other tables: SWEpisodes from socialWorkerAllocated (each allocation
// until the next; the rows that overlap the year); PlacedAdoption from
// adoptionDecisionMade (ended by adoptionDecisionReversed; an adoption,
// E11/E12, carries it out and leaves the row without an end); PrevPerm from the accommodation that began a period in the
// year; OC2 for a child looked after continuously for the 12 months to 31
// March (the validator's definition: in care on 1 April, no period begun or
// ended in the year), from the health and outcome events of those months.
#ifndef CARELOG_PROJECTIONS_SSDA903_RETURN_H_
#define CARELOG_PROJECTIONS_SSDA903_RETURN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

struct Episode903 {
  absl::CivilDay decom;
  std::string rne, ls, cin, place, provider;
  std::optional<absl::CivilDay> dec;  // none: open at 31 March (or after)
  std::string rec, reason_place_change, home_post, pl_post, urn;
  bool imported = false;
  std::string placement_id;  // imported: the placement its placementEnded names
  std::string opened_by;  // eventId of the act that opened it
  std::string closed_by;  // eventId of the act that ended it ("" if open)
};

struct Review903 {
  absl::CivilDay day;
  std::string participation;  // PN code
  std::string event_id;
};

struct SocialWorkerEpisode903 {
  std::string sw_id;  // registration number ("" if not recorded)
  std::string social_worker;  // carelog's id of the worker
  absl::CivilDay decom;
  std::optional<absl::CivilDay> dec;
  std::string reason;
  std::string event_id;
};

struct PlacedAdoption903 {
  absl::CivilDay date_placed;  // the decision that the child should be placed
  std::optional<absl::CivilDay> date_ceased;
  std::string reason_ceased;  // RD1-RD4 (a reversal)
  std::string event_id;
  // The child was adopted: the decision was carried out, and its row has no
  // end (the return's REASON_PLACED_CEASED is only a reversal's, rule 120).
  bool adopted = false;
};

struct PrevPerm903 {
  std::string prev_perm, la_perm;
  std::optional<absl::CivilDay> date_perm;
  std::string event_id;  // the childAccommodated
};

// "" = not recorded; "0"/"1" as the return codes them.
struct Oc2Row903 {
  std::string sdq_score, sdq_reason, convicted, health_check, immunisations, teeth_check,
      health_assessment, substance_misuse, intervention_received, intervention_offered;
};

struct Child903 {
  std::string child;  // caseId
  // Header (childRegistered; date of birth also from childAccommodated).
  std::string sex, ethnic, upn, mother;
  std::optional<absl::CivilDay> dob, mc_dob;
  bool registered = false;  // a childRegistered event exists
  std::vector<Episode903> episodes;
  std::vector<Review903> reviews;
  std::vector<SocialWorkerEpisode903> social_workers;
  std::vector<PlacedAdoption903> placed_adoption;
  std::optional<PrevPerm903> prev_perm;  // the last period begun in the year
  std::optional<Oc2Row903> oc2;        // only when looked after continuously
  bool looked_after_at_end = false;    // on 31 March
  bool continuously_looked_after = false;
};

// The child's rows for collection year `year`; nullopt when the child has
// no episode open on a day of the year and no review held in it. Pure.
std::optional<Child903> Build903Child(const std::string& case_id, std::vector<v1::Event> events,
                                      int year);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_SSDA903_RETURN_H_
