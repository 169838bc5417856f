#include "projections/ssda903_export.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "projections/deadlines.h"

namespace carelog {
namespace {

std::string D(absl::CivilDay d) {
  return absl::StrFormat("%02d/%02d/%04d", d.day(), d.month(), d.year());
}

// "YYYY-MM-DD" -> "DD/MM/YYYY"; "" stays "" and anything unparsable as is.
std::string D(const std::string& iso) {
  if (iso.empty()) return "";
  auto d = ParseDate(iso);
  return d.ok() ? D(*d) : iso;
}

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

void Row(std::string* out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) *out += ',';
    *out += Csv(fields[i]);
  }
  *out += '\n';
}

struct Episode {
  absl::CivilDay decom;
  std::string rne, ls, cin, place, provider, rec, reason_change, home_post, pl_post, urn;
  std::optional<absl::CivilDay> dec;
  std::string id;  // placement id (imported episodes)
};

}  // namespace

Ssda903Tables Start903Tables() {
  Ssda903Tables t;
  t.header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
  t.episodes =
      "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_"
      "POST,URN\n";
  t.reviews = "CHILD,DOB,REVIEW,REVIEW_CODE\n";
  return t;
}

void Append903Case(const std::string& case_id, std::vector<v1::Event> events, int year,
                   Ssda903Tables* out) {
  events = ApplyCorrections(std::move(events));
  const std::vector<DatedEvent> items = InEffectiveOrder(events);
  const absl::CivilDay start(year, 4, 1), end(year + 1, 3, 31);

  const v1::ChildRegistered* reg = nullptr;
  std::string dob_from_accommodation;
  std::vector<Episode> eps;
  std::optional<size_t> open;  // generic episode currently open
  absl::flat_hash_set<std::string> reviews_seen;
  std::vector<std::pair<absl::CivilDay, std::string>> reviews;  // day, PN
  auto close_open = [&](absl::CivilDay day, const std::string& rec) {
    if (!open) return;
    eps[*open].dec = day;
    eps[*open].rec = rec;
    open.reset();
  };
  for (const DatedEvent& it : items) {
    const v1::Event& e = *it.event;
    const bool imported = e.source() == "ssda903";
    switch (e.payload_case()) {
      case v1::Event::kChildRegistered: reg = &e.child_registered(); break;
      case v1::Event::kReviewHeld:
        if (reviews_seen.insert(e.review_held().review_id()).second)
          reviews.push_back({it.day, e.review_held().participation()});
        break;
      case v1::Event::kPlacementStarted: {
        const auto& p = e.placement_started();
        if (imported && !p.rne().empty()) {
          Episode ep{it.day,   p.rne(),      p.legal_status(), p.cin(),
                     p.placement_type(), p.provider(), p.reason_ceased_without_end(),
                     p.reason_place_change(), p.home_postcode(), p.placement_postcode(),
                     p.urn(),   std::nullopt, p.placement_id()};
          eps.push_back(std::move(ep));
        } else if (!imported && open) {
          Episode& cur = eps[*open];
          if (cur.decom == it.day) {
            cur.place = p.placement_type().empty() ? cur.place : p.placement_type();
            cur.provider = p.provider();
          } else {
            Episode next = cur;
            close_open(it.day, "X1");
            next.decom = it.day;
            next.rne = "P";
            next.dec.reset();
            next.rec.clear();
            if (!p.placement_type().empty()) next.place = p.placement_type();
            next.provider = p.provider();
            eps.push_back(std::move(next));
            open = eps.size() - 1;
          }
        }
        break;
      }
      case v1::Event::kPlacementEnded:
        if (imported) {
          for (Episode& ep : eps) {
            if (ep.id == e.placement_ended().placement_id() && !ep.dec) {
              ep.dec = it.day;
              ep.rec = e.placement_ended().reason();
            }
          }
        }
        break;
      case v1::Event::kChildAccommodated:
        if (!e.child_accommodated().date_of_birth().empty())
          dob_from_accommodation = e.child_accommodated().date_of_birth();
        if (!imported) {
          close_open(it.day, "X1");
          Episode ep;
          ep.decom = it.day;
          ep.rne = "S";
          ep.ls = e.child_accommodated().legal_status();
          ep.place = e.child_accommodated().placement_type();
          eps.push_back(std::move(ep));
          open = eps.size() - 1;
        }
        break;
      case v1::Event::kLegalStatusChanged:
        if (!imported && open) {
          Episode& cur = eps[*open];
          if (cur.decom == it.day) {
            cur.ls = e.legal_status_changed().legal_status();
          } else {
            Episode next = cur;
            close_open(it.day, "X1");
            next.decom = it.day;
            next.rne = "L";
            next.ls = e.legal_status_changed().legal_status();
            next.dec.reset();
            next.rec.clear();
            eps.push_back(std::move(next));
            open = eps.size() - 1;
          }
        }
        break;
      case v1::Event::kChildCeasedLookedAfter:
        if (!imported) close_open(it.day, e.child_ceased_looked_after().reason());
        break;
      default: break;
    }
  }
  const std::string dob = reg != nullptr ? D(reg->date_of_birth()) : D(dob_from_accommodation);
  bool any = false;
  for (const Episode& ep : eps) {
    if (ep.decom > end || (ep.dec && *ep.dec < start)) continue;
    any = true;
    ++out->episode_rows;
    Row(&out->episodes, {case_id, D(ep.decom), ep.rne, ep.ls, ep.cin, ep.place, ep.provider,
                         ep.dec ? D(*ep.dec) : "", ep.rec, ep.reason_change, ep.home_post,
                         ep.pl_post, ep.urn});
  }
  for (const auto& [day, pn] : reviews) {
    if (day < start || day > end) continue;
    any = true;
    ++out->review_rows;
    Row(&out->reviews, {case_id, dob, D(day), pn});
  }
  if (any) {
    ++out->children;
    if (reg != nullptr) {
      Row(&out->header, {case_id, reg->sex(), dob, reg->ethnicity(), reg->upn(), reg->mother(),
                         D(reg->mother_child_dob())});
    } else {
      Row(&out->header, {case_id, "", dob, "", "", "", ""});
    }
  }
}

}  // namespace carelog
