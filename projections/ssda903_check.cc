#include "projections/ssda903_check.h"

#include <optional>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/calendar.h"
#include "engine/code_lists.h"
#include "engine/ssda903_import.h"
#include "projections/escape.h"

namespace carelog {
namespace {


bool In(std::string_view v, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set) {
    if (v == s) return true;
  }
  return false;
}
bool IsShortBreak(const std::string& ls) { return ls == "V3" || ls == "V4"; }

// The payload that opened an episode, by its RNE (native histories).
std::string OpenerOf(const Episode903& ep) {
  if (ep.imported) return "placementStarted";
  if (ep.rne == "S") return "childAccommodated";
  if (ep.rne == "L") return "legalStatusChanged";
  return "placementStarted";
}

class Checker {
 public:
  Checker(const Child903& c, int year, std::vector<Missing903>* out)
      : c_(c), year_(year), out_(*out), end_(year + 1, 3, 31) {}

  void Run() {
    Header();
    for (size_t i = 0; i < c_.episodes.size(); ++i) Episode(i);
    Reviews();
    SocialWorkers();
    PlacedAdoption();
    PrevPerm();
    Oc2();
  }

 private:
  void Add(std::string table, std::string row, std::string column, std::string problem,
           std::string supply, std::string event_id, std::string rule) {
    out_.push_back({c_.child, std::move(table), std::move(row), std::move(column),
                    std::move(problem), std::move(supply), std::move(event_id), std::move(rule)});
  }
  // A code column: missing, or not a code of `list` in the year of `on`.
  void Code(const char* table, const std::string& row, const char* column,
            const std::string& value, CodeList list, absl::CivilDay on, const std::string& supply,
            const std::string& event_id, const char* rule) {
    if (value.empty()) {
      Add(table, row, column, "not recorded", supply, event_id, rule);
      return;
    }
    if (absl::Status s = CheckCode(list, value, on); !s.ok())
      Add(table, row, column, std::string(s.message()), supply, event_id, rule);
  }

  void Header() {
    const absl::CivilDay on = end_;
    Code("Header", "", "SEX", c_.sex, CodeList::kSex, on, "childRegistered.sex", "", "101");
    if (!c_.dob) Add("Header", "", "DOB", "not recorded", "childRegistered.dateOfBirth", "", "102");
    Code("Header", "", "ETHNIC", c_.ethnic, CodeList::kEthnicity, on, "childRegistered.ethnicity",
         "", "103");
    bool looked_after = false;  // outside short breaks
    for (const Episode903& ep : c_.episodes) looked_after |= !IsShortBreak(ep.ls);
    if (looked_after && c_.upn.empty())
      Add("Header", "", "UPN", "not recorded (a UPN, or UN1-UN10 saying why there is none)",
          "childRegistered.upn", "", "442");
    if (c_.sex == "2" && looked_after && c_.mother.empty())
      Add("Header", "", "MOTHER", "not recorded for a girl (0 or 1)", "childRegistered.mother", "",
          "393");
    if (!c_.mother.empty() && !In(c_.mother, {"0", "1"}))
      Add("Header", "", "MOTHER", absl::StrCat("'", c_.mother, "' is not 0 or 1"),
          "childRegistered.mother", "", "165");
    if (c_.sex == "1" && !c_.mother.empty())
      Add("Header", "", "MOTHER", "recorded for a boy (leave it blank)", "childRegistered.mother",
          "", "165");
    if (c_.mother == "1" && !c_.mc_dob)
      Add("Header", "", "MC_DOB", "not recorded for a mother", "childRegistered.motherChildDob", "",
          "1010");
  }

  void Episode(size_t i) {
    const Episode903& ep = c_.episodes[i];
    const std::string row = absl::StrCat("episode from ", Format903Date(ep.decom));
    const std::string opener = OpenerOf(ep);
    const std::string& id = ep.opened_by;
    Code("Episodes", row, "LS", ep.ls, CodeList::kLegalStatus, ep.decom,
         absl::StrCat(opener, ".legalStatus"), id, "EPI");
    Code("Episodes", row, "PLACE", ep.place, CodeList::kPlacement, ep.decom,
         absl::StrCat(opener, ".placementType"), id, "EPI");
    if (ep.dec)
      Code("Episodes", row, "REC", ep.rec, CodeList::kReasonCeased, *ep.dec,
           "childCeasedLookedAfter.reason", ep.closed_by, "EPI");
    // A change of legal status only carries the details of the episode
    // before it: its event cannot supply them, the placement's can.
    const std::string details =
        ep.rne == "L" && !ep.imported ? "placementStarted" : opener;
    if (!IsShortBreak(ep.ls))
      Code("Episodes", row, "CIN", ep.cin, CodeList::kCategoryOfNeed, ep.decom,
           absl::StrCat(details, ".cin"), id, "145");
    if (!IsTemporaryPlacement(ep.place) && ep.place != "Z1")
      Code("Episodes", row, "PLACE_PROVIDER", ep.provider, CodeList::kProvider, ep.decom,
           absl::StrCat(details, ".provider"), id, "526");
    if (!IsShortBreak(ep.ls)) {
      if (ep.home_post.empty())
        Add("Episodes", row, "HOME_POST", "not recorded", absl::StrCat(details, ".homePostcode"),
            id, "392b");
      if (ep.pl_post.empty())
        Add("Episodes", row, "PL_POST", "not recorded",
            absl::StrCat(details, ".placementPostcode"), id, "392b");
    }
    const absl::CivilDay h5_urn_from(2023, 10, 28);
    if (ep.place == "H5" && (ep.urn.empty() || ep.urn == "XXXXXXX") &&
        (!ep.dec || *ep.dec >= h5_urn_from))
      Add("Episodes", row, "URN", "not recorded (supported accommodation needs its Ofsted URN)",
          absl::StrCat(details, ".urn"), id, "230");
    if (In(ep.place, {"P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"}) &&
        !ep.urn.empty() && ep.urn != "XXXXXXX")
      Add("Episodes", row, "URN", "recorded for a placement with no Ofsted registration",
          absl::StrCat(details, ".urn"), id, "222");
    // Rule 225: the episode a placement change ended says why.
    if (i + 1 < c_.episodes.size() && ep.rec == "X1" && ep.reason_place_change.empty()) {
      const Episode903& next = c_.episodes[i + 1];
      if (In(next.rne, {"P", "B", "T", "U"}) && !IsTemporaryPlacement(ep.place) &&
          !IsTemporaryPlacement(next.place))
        Add("Episodes", row, "REASON_PLACE_CHANGE", "not recorded for the placement change",
            "placementStarted.reasonPlaceChange", next.opened_by, "225");
    }
    if (!ep.reason_place_change.empty())
      Code("Episodes", row, "REASON_PLACE_CHANGE", ep.reason_place_change,
           CodeList::kReasonPlaceChange, ep.decom, "placementStarted.reasonPlaceChange",
           i + 1 < c_.episodes.size() ? c_.episodes[i + 1].opened_by : "", "1009");
  }

  void Reviews() {
    for (const Review903& r : c_.reviews) {
      const std::string row = absl::StrCat("review on ", Format903Date(r.day));
      Code("Reviews", row, "REVIEW_CODE", r.participation, CodeList::kParticipation, r.day,
           "reviewHeld.participation", r.event_id, "EPI");
      if (!c_.dob || r.participation.empty()) continue;
      const bool under4 = AgeOn(*c_.dob, r.day) < 4;
      if (under4 && r.participation != "PN0")
        Add("Reviews", row, "REVIEW_CODE", "the child was under 4: PN0",
            "reviewHeld.participation", r.event_id, "441");
      if (!under4 && r.participation == "PN0")
        Add("Reviews", row, "REVIEW_CODE", "PN0 is for children under 4",
            "reviewHeld.participation", r.event_id, "440");
    }
  }

  void SocialWorkers() {
    bool short_break_only = !c_.episodes.empty();
    for (const Episode903& ep : c_.episodes) short_break_only &= IsShortBreak(ep.ls);
    if (c_.looked_after_at_end && !short_break_only && c_.social_workers.empty())
      Add("SWEpisodes", "", "SW_ID", "no social worker allocated while looked after",
          "socialWorkerAllocated", "", "SW01STG1");
    for (const SocialWorkerEpisode903& s : c_.social_workers) {
      const std::string row = absl::StrCat("social worker from ", Format903Date(s.decom));
      if (s.sw_id.empty()) {
        Add("SWEpisodes", row, "SW_ID",
            absl::StrCat("no registration number for ", s.social_worker),
            "socialWorkerAllocated.registrationNumber", s.event_id, "SW02STG1");
      } else if (!absl::StartsWith(s.sw_id, "SW") && !absl::StartsWith(s.sw_id, "XX")) {
        Add("SWEpisodes", row, "SW_ID",
            absl::StrCat("'", s.sw_id, "' is not a Social Work England number (SW...) or XX..."),
            "socialWorkerAllocated.registrationNumber", s.event_id, "SW02STG1");
      }
      Code("SWEpisodes", row, "SW_REASON", s.reason, CodeList::kSocialWorkerChange, s.decom,
           "socialWorkerAllocated.reason", s.event_id, "SW13STG1");
    }
  }

  void PlacedAdoption() {
    for (const Episode903& ep : c_.episodes) {
      const bool needs = In(ep.ls, {"E1", "D1"}) || In(ep.place, {"A3", "A4", "A5", "A6"});
      if (!needs || !c_.placed_adoption.empty()) continue;
      Add("PlacedAdoption", absl::StrCat("episode from ", Format903Date(ep.decom)), "DATE_PLACED",
          absl::StrCat("no decision that the child should be placed for adoption (",
                       In(ep.ls, {"E1", "D1"}) ? absl::StrCat("legal status ", ep.ls)
                                               : absl::StrCat("placement ", ep.place),
                       ")"),
          "adoptionDecisionMade", "", In(ep.ls, {"E1", "D1"}) ? "553" : "551");
      return;  // one line says it
    }
  }

  void PrevPerm() {
    const absl::CivilDay start(year_, 4, 1);
    bool began = false;
    for (const Episode903& ep : c_.episodes) began |= ep.rne == "S" && ep.decom >= start;
    if (!began) return;
    if (!c_.prev_perm) return;
    const PrevPerm903& p = *c_.prev_perm;
    const std::string row = "previous permanence";
    Code("PrevPerm", row, "PREV_PERM", p.prev_perm, CodeList::kPreviousPermanence, end_,
         "childAccommodated.previousPermanence", p.event_id, "630");
    if (!p.prev_perm.empty() && p.prev_perm != "Z1") {
      if (p.la_perm.empty())
        Add("PrevPerm", row, "LA_PERM", "not recorded for a previous order",
            "childAccommodated.previousPermanenceAuthority", p.event_id, "630");
      if (!p.date_perm)
        Add("PrevPerm", row, "DATE_PERM", "not recorded for a previous order",
            "childAccommodated.previousPermanenceDate", p.event_id, "630");
    }
  }

  void Oc2() {
    if (!c_.oc2 || !c_.dob) return;
    const absl::CivilDay start(year_, 4, 1);
    const bool sdq_age = AgeOn(*c_.dob, start) >= 4 && AgeOn(*c_.dob, end_) <= 16;
    if (sdq_age && c_.oc2->sdq_score.empty() && c_.oc2->sdq_reason.empty())
      Add("OC2", "", "SDQ_SCORE", "no SDQ score or reason in the year for a child aged 4-16",
          "sdqCompleted", "", "186");
  }

  const Child903& c_;
  const int year_;
  std::vector<Missing903>& out_;
  const absl::CivilDay end_;
};

}  // namespace

std::vector<Missing903> Check903Child(const Child903& c, int year) {
  std::vector<Missing903> out;
  Checker(c, year, &out).Run();
  return out;
}

std::string RenderMissing903(const std::vector<Missing903>& gaps, int year, uint64_t children,
                             const std::string& format) {
  const std::string year_name = CollectionYearName(year);
  uint64_t incomplete = 0;
  for (size_t i = 0; i < gaps.size(); ++i)
    incomplete += i == 0 || gaps[i].child != gaps[i - 1].child;
  std::string out;
  if (format == "json") {
    absl::StrAppend(&out, "{\"year\":\"", year_name, "\",\"children\":", children,
                    ",\"childrenIncomplete\":", incomplete, ",\"gaps\":[");
    for (size_t i = 0; i < gaps.size(); ++i) {
      const Missing903& g = gaps[i];
      out += i ? ",\n{" : "\n{";
      const std::pair<const char*, const std::string*> fields[] = {
          {"child", &g.child},     {"table", &g.table},   {"row", &g.row},
          {"column", &g.column},   {"problem", &g.problem}, {"supply", &g.supply},
          {"eventId", &g.event_id}, {"rule", &g.rule}};
      for (size_t f = 0; f < std::size(fields); ++f) {
        absl::StrAppend(&out, f ? "," : "", "\"", fields[f].first, "\":");
        AppendJsonString(*fields[f].second, &out);
      }
      out += "}";
    }
    out += "]}\n";
    return out;
  }
  if (format == "csv") {
    out = "child,table,row,column,problem,supply,eventId,rule\n";
    for (const Missing903& g : gaps) {
      for (const std::string* f : {&g.child, &g.table, &g.row, &g.column, &g.problem, &g.supply,
                                   &g.event_id, &g.rule}) {
        if (f != &g.child) out += ',';
        AppendCsvField(*f, &out);
      }
      out += '\n';
    }
    return out;
  }
  for (size_t i = 0; i < gaps.size(); ++i) {
    const Missing903& g = gaps[i];
    if (i == 0 || g.child != gaps[i - 1].child) absl::StrAppend(&out, TerminalSafe(g.child), "\n");
    absl::StrAppend(&out, "  ", g.table, g.row.empty() ? "" : ", ", g.row, ": ", g.column, " ",
                    TerminalSafe(g.problem), " -> ", g.supply,
                    g.event_id.empty() ? "" : absl::StrCat(" (event ", TerminalSafe(g.event_id), ")"),
                    "  [rule ", g.rule, "]\n");
  }
  absl::StrAppend(&out, "SSDA903 ", year_name, ": ", children, " children in the return, ",
                  incomplete, " with something missing (", gaps.size(), " gaps)\n");
  return out;
}

}  // namespace carelog
