#include "projections/ssda903_export.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/ssda903_import.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string D(const std::optional<absl::CivilDay>& d) { return d ? Format903Date(*d) : ""; }

void Row(Ssda903Table* t, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) t->text += ',';
    AppendCsvField(fields[i], &t->text);
  }
  t->text += '\n';
  ++t->rows;
}

Ssda903Table Table(const char* file, const char* columns) {
  Ssda903Table t;
  t.file = file;
  t.text = absl::StrCat(columns, "\n");
  return t;
}

}  // namespace

Ssda903Tables Start903Tables() {
  Ssda903Tables t;
  t.header = Table("header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB");
  t.episodes = Table("episodes.csv",
                     "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                     "HOME_POST,PL_POST,URN");
  t.reviews = Table("reviews.csv", "CHILD,DOB,REVIEW,REVIEW_CODE");
  t.sw_episodes = Table("swepisodes.csv", "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON");
  t.placed_adoption =
      Table("placedadoption.csv", "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED");
  t.prev_perm = Table("prevperm.csv", "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM");
  t.oc2 = Table("oc2.csv",
                "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
                "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED");
  return t;
}

void Append903Child(const Child903& c, Ssda903Tables* out) {
  const std::string dob = D(c.dob);
  ++out->children;
  Row(&out->header, {c.child, c.sex, dob, c.ethnic, c.upn, c.mother, D(c.mc_dob)});
  for (const Episode903& ep : c.episodes) {
    Row(&out->episodes, {c.child, D(ep.decom), ep.rne, ep.ls, ep.cin, ep.place, ep.provider,
                         D(ep.dec), ep.rec, ep.reason_place_change, ep.home_post, ep.pl_post,
                         ep.urn});
  }
  for (const Review903& r : c.reviews) Row(&out->reviews, {c.child, dob, D(r.day), r.participation});
  for (const SocialWorkerEpisode903& s : c.social_workers)
    Row(&out->sw_episodes, {c.child, dob, s.sw_id, D(s.decom), D(s.dec), s.reason});
  for (const PlacedAdoption903& p : c.placed_adoption)
    Row(&out->placed_adoption,
        {c.child, dob, D(p.date_placed), D(p.date_ceased), p.reason_ceased});
  if (c.prev_perm) {
    const PrevPerm903& p = *c.prev_perm;
    Row(&out->prev_perm, {c.child, dob, p.prev_perm, p.la_perm, D(p.date_perm)});
  }
  if (c.oc2) {
    const Oc2Row903& o = *c.oc2;
    Row(&out->oc2, {c.child, dob, o.sdq_score, o.sdq_reason, o.convicted, o.health_check,
                    o.immunisations, o.teeth_check, o.health_assessment, o.substance_misuse,
                    o.intervention_received, o.intervention_offered});
  }
}

void Append903Case(const std::string& case_id, std::vector<v1::Event> events, int year,
                   Ssda903Tables* out) {
  std::optional<Child903> c = Build903Child(case_id, std::move(events), year);
  if (c) Append903Child(*c, out);
}

}  // namespace carelog
