#include "projections/care_plan_state_format.h"

#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "projections/escape.h"
#include "store/base/time_format.h"

namespace carelog {

namespace {

constexpr char kNotRecorded[] = "not recorded";

// A value from the events, safe for a terminal; "not recorded" when empty.
std::string V(std::string_view s) { return s.empty() ? kNotRecorded : TerminalSafe(s); }

std::string Day(const std::optional<absl::CivilDay>& d) {
  return d ? FormatDate(*d) : kNotRecorded;
}

std::string SexText(const std::string& code) {
  if (code == "1") return "1 (male)";
  if (code == "2") return "2 (female)";
  return V(code);
}

std::string FormatName(v1::ReviewFormat f) {
  return f == v1::REVIEW_FORMAT_UNSPECIFIED ? "" : v1::ReviewFormat_Name(f);
}

std::string Roles(const std::vector<v1::Role>& roles) {
  std::vector<std::string> names;
  for (v1::Role r : roles) names.push_back(v1::Role_Name(r));
  return absl::StrJoin(names, ", ");
}

void Line(std::string* out, std::string_view label, std::string_view value) {
  absl::StrAppend(out, "  ", std::string(label),
                  std::string(label.size() < 16 ? 16 - label.size() : 1, ' '), std::string(value),
                  "\n");
}

// "ID since DATE", or "not recorded".
std::string Since(const std::string& who, const std::optional<absl::CivilDay>& since) {
  if (who.empty()) return kNotRecorded;
  return since ? absl::StrCat(TerminalSafe(who), " since ", FormatDate(*since)) : TerminalSafe(who);
}

// JSON: a string or null.
void Str(std::string* out, std::string_view key, std::string_view value) {
  absl::StrAppend(out, "\"", std::string(key), "\":");
  if (value.empty()) {
    absl::StrAppend(out, "null");
  } else {
    AppendJsonString(value, out);
  }
}

void Date(std::string* out, std::string_view key, const std::optional<absl::CivilDay>& d) {
  absl::StrAppend(out, "\"", std::string(key), "\":");
  if (d) {
    absl::StrAppend(out, "\"", FormatDate(*d), "\"");
  } else {
    absl::StrAppend(out, "null");
  }
}

// {"<id_key>": ..., "since": ...} or null.
void Allocation(std::string* out, std::string_view key, std::string_view id_key,
                const std::string& who, const std::optional<absl::CivilDay>& since) {
  absl::StrAppend(out, "\"", std::string(key), "\":");
  if (who.empty()) {
    absl::StrAppend(out, "null");
    return;
  }
  absl::StrAppend(out, "{");
  Str(out, id_key, who);
  absl::StrAppend(out, ",");
  Date(out, "since", since);
  absl::StrAppend(out, "}");
}

}  // namespace

std::string RenderCarePlanStateText(const CarePlanState& s) {
  std::string out = absl::StrCat("Case ", TerminalSafe(s.case_id), " at the end of ",
                                 FormatDate(s.as_of));
  if (s.known_at) {
    absl::StrAppend(&out, ", as known at ", Rfc3339Utc(*s.known_at),
                    " (only what had been recorded by then)");
  }
  absl::StrAppend(&out, "\n\nChild\n");
  std::string born = Day(s.child.date_of_birth);
  if (s.child.age) absl::StrAppend(&born, " (age ", *s.child.age, ")");
  Line(&out, "Date of birth", born);
  Line(&out, "Sex", SexText(s.child.sex));
  Line(&out, "Authority", V(s.child.authority));

  absl::StrAppend(&out, "\nPeriod of care\n");
  if (s.looked_after) {
    Line(&out, "Looked after", absl::StrCat("since ", Day(s.period_started), " (", s.period_days,
                                            " days; period ", s.periods, ")"));
  } else if (s.period_ended) {
    Line(&out, "Not looked after",
         absl::StrCat("the last period ran from ", Day(s.period_started), " to ",
                      FormatDate(*s.period_ended), ", reason ", V(s.ceased_reason)));
  } else {
    Line(&out, "Not looked after", "no period of care recorded");
  }
  Line(&out, "Legal status",
       s.legal_status.empty()
           ? std::string(kNotRecorded)
           : absl::StrCat(TerminalSafe(s.legal_status), " since ", Day(s.legal_status_since),
                          s.looked_after ? "" : " (the last period's)"));

  absl::StrAppend(&out, "\nPlacement\n");
  if (s.placement) {
    const CarePlanPlacement& p = *s.placement;
    Line(&out, "Type", V(p.type));
    Line(&out, "Provider", V(p.provider));
    Line(&out, "District", V(p.district));
    Line(&out, "Since", absl::StrCat(FormatDate(p.started), " (", p.days, " days)"));
  } else {
    Line(&out, "Current", s.looked_after ? "not recorded" : "none (not looked after)");
  }
  Line(&out, "Placements", absl::StrCat(s.placements_in_period, " in this period, ",
                                        s.placements_in_12_months, " in the 12 months to ",
                                        FormatDate(s.as_of)));

  absl::StrAppend(&out, "\nResponsible\n");
  Line(&out, "Social worker", Since(s.social_worker, s.social_worker_since));
  Line(&out, "Team", Since(s.team, s.team_since));
  Line(&out, "IRO", Since(s.iro, s.iro_since));

  absl::StrAppend(&out, "\nReviews\n");
  std::string arrangement = s.reduced_meetings ? "reduced meetings" : "standard";
  if (s.arrangement_since) absl::StrAppend(&arrangement, " since ", FormatDate(*s.arrangement_since));
  if (!s.arrangement_agreed_by.empty())
    absl::StrAppend(&arrangement, " (agreed by ", Roles(s.arrangement_agreed_by), ")");
  Line(&out, "Arrangement", arrangement);
  if (s.last_review) {
    const CarePlanReview& r = *s.last_review;
    Line(&out, "Last review",
         absl::StrCat(V(r.review_id), " held ", FormatDate(r.held_on), ", format ",
                      V(FormatName(r.format)), ", participation ", V(r.participation)));
  } else {
    Line(&out, "Last review", kNotRecorded);
  }
  Line(&out, "Held", absl::StrCat(s.reviews_held_in_period, " in this period"));
  Line(&out, "Next review due",
       s.next_review_due
           ? absl::StrCat(FormatDate(*s.next_review_due), " (", TerminalSafe(s.next_review_rule), ")")
           : "none open");
  Line(&out, "Obligations", absl::StrCat(s.open, " open, ", s.overdue, " overdue, ",
                                         s.due_within_10_working_days,
                                         " due in the next 10 working days"));

  absl::StrAppend(&out, "\nPermanence plan\n");
  const CarePlanPermanence& pm = s.permanence;
  Line(&out, "Recommendation",
       pm.recommended_on
           ? absl::StrCat(V(pm.recommended_plan), " on ", FormatDate(*pm.recommended_on))
           : std::string(kNotRecorded));
  if (pm.panel_on) {
    std::string d = absl::StrCat(V(pm.panel), ": ", V(pm.panel_decision));
    if (!pm.panel_plan.empty()) absl::StrAppend(&d, " (", TerminalSafe(pm.panel_plan), ")");
    absl::StrAppend(&d, " on ", FormatDate(*pm.panel_on));
    Line(&out, "Panel decision", d);
  } else {
    Line(&out, "Panel decision", kNotRecorded);
  }
  if (pm.milestones.empty()) Line(&out, "Milestones", "none recorded");
  for (size_t i = 0; i < pm.milestones.size(); ++i) {
    Line(&out, i == 0 ? "Milestones" : "",
         absl::StrCat(FormatDate(pm.milestones[i].on), "  ", pm.milestones[i].name));
  }

  absl::StrAppend(&out, "\nHistory (", s.history.size(), " changes)\n");
  for (const CarePlanChange& c : s.history) {
    absl::StrAppend(&out, "  ", FormatDate(c.on), "  #", c.position, "  ", c.what, ": ",
                    c.from.empty() ? "-" : TerminalSafe(c.from), " -> ",
                    c.to.empty() ? "-" : TerminalSafe(c.to), "\n");
  }
  return out;
}

std::string RenderCarePlanStateJson(const CarePlanState& s) {
  std::string out = "{";
  Str(&out, "caseId", s.case_id);
  absl::StrAppend(&out, ",\"asOf\":\"", FormatDate(s.as_of), "\",");
  Str(&out, "knownAt", s.known_at ? Rfc3339Utc(*s.known_at) : "");

  absl::StrAppend(&out, ",\"child\":{");
  Date(&out, "dateOfBirth", s.child.date_of_birth);
  absl::StrAppend(&out, ",\"age\":", s.child.age ? absl::StrCat(*s.child.age) : "null", ",");
  Str(&out, "sex", s.child.sex);
  absl::StrAppend(&out, ",");
  Str(&out, "authority", s.child.authority);
  absl::StrAppend(&out, "}");

  absl::StrAppend(&out, ",\"lookedAfter\":", s.looked_after ? "true" : "false",
                  ",\"periods\":", s.periods, ",\"period\":");
  if (s.period_started) {
    absl::StrAppend(&out, "{");
    Date(&out, "started", s.period_started);
    absl::StrAppend(&out, ",\"days\":", s.looked_after ? absl::StrCat(s.period_days) : "null", ",");
    Date(&out, "ended", s.period_ended);
    absl::StrAppend(&out, ",");
    Str(&out, "ceasedReason", s.ceased_reason);
    absl::StrAppend(&out, "}");
  } else {
    absl::StrAppend(&out, "null");
  }

  absl::StrAppend(&out, ",\"legalStatus\":");
  if (s.legal_status.empty()) {
    absl::StrAppend(&out, "null");
  } else {
    absl::StrAppend(&out, "{");
    Str(&out, "code", s.legal_status);
    absl::StrAppend(&out, ",");
    Date(&out, "since", s.legal_status_since);
    absl::StrAppend(&out, "}");
  }

  absl::StrAppend(&out, ",\"placement\":");
  if (s.placement) {
    const CarePlanPlacement& p = *s.placement;
    absl::StrAppend(&out, "{");
    Str(&out, "type", p.type);
    absl::StrAppend(&out, ",");
    Str(&out, "provider", p.provider);
    absl::StrAppend(&out, ",");
    Str(&out, "district", p.district);
    absl::StrAppend(&out, ",");
    Str(&out, "placementId", p.placement_id);
    absl::StrAppend(&out, ",\"started\":\"", FormatDate(p.started), "\",\"days\":", p.days,
                    ",\"position\":", p.position, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  absl::StrAppend(&out, ",\"placementsInPeriod\":", s.placements_in_period,
                  ",\"placementsIn12Months\":", s.placements_in_12_months, ",");

  Allocation(&out, "socialWorker", "id", s.social_worker, s.social_worker_since);
  absl::StrAppend(&out, ",");
  Allocation(&out, "team", "name", s.team, s.team_since);
  absl::StrAppend(&out, ",");
  Allocation(&out, "iro", "id", s.iro, s.iro_since);

  absl::StrAppend(&out, ",\"reviewArrangement\":{\"reducedMeetings\":",
                  s.reduced_meetings ? "true" : "false", ",");
  Date(&out, "since", s.arrangement_since);
  absl::StrAppend(&out, ",\"agreedBy\":[");
  for (size_t i = 0; i < s.arrangement_agreed_by.size(); ++i) {
    if (i > 0) absl::StrAppend(&out, ",");
    AppendJsonString(v1::Role_Name(s.arrangement_agreed_by[i]), &out);
  }
  absl::StrAppend(&out, "]}");

  const CarePlanPermanence& pm = s.permanence;
  absl::StrAppend(&out, ",\"permanence\":{\"recommendation\":");
  if (pm.recommended_on) {
    absl::StrAppend(&out, "{");
    Str(&out, "plan", pm.recommended_plan);
    absl::StrAppend(&out, ",");
    Date(&out, "on", pm.recommended_on);
    absl::StrAppend(&out, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  absl::StrAppend(&out, ",\"panelDecision\":");
  if (pm.panel_on) {
    absl::StrAppend(&out, "{");
    Str(&out, "panel", pm.panel);
    absl::StrAppend(&out, ",");
    Str(&out, "decision", pm.panel_decision);
    absl::StrAppend(&out, ",");
    Str(&out, "plan", pm.panel_plan);
    absl::StrAppend(&out, ",");
    Date(&out, "on", pm.panel_on);
    absl::StrAppend(&out, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  absl::StrAppend(&out, ",\"milestones\":[");
  for (size_t i = 0; i < pm.milestones.size(); ++i) {
    const CarePlanMilestone& m = pm.milestones[i];
    absl::StrAppend(&out, i > 0 ? "," : "", "{\"name\":\"", m.name, "\",\"on\":\"",
                    FormatDate(m.on), "\",\"position\":", m.position, "}");
  }
  absl::StrAppend(&out, "]}");

  absl::StrAppend(&out, ",\"reviewsHeldInPeriod\":", s.reviews_held_in_period, ",\"lastReview\":");
  if (s.last_review) {
    const CarePlanReview& r = *s.last_review;
    absl::StrAppend(&out, "{");
    Str(&out, "reviewId", r.review_id);
    absl::StrAppend(&out, ",\"heldOn\":\"", FormatDate(r.held_on), "\",");
    Str(&out, "format", FormatName(r.format));
    absl::StrAppend(&out, ",");
    Str(&out, "participation", r.participation);
    absl::StrAppend(&out, ",\"position\":", r.position, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  absl::StrAppend(&out, ",\"nextReview\":");
  if (s.next_review_due) {
    absl::StrAppend(&out, "{\"due\":\"", FormatDate(*s.next_review_due), "\",");
    Str(&out, "rule", s.next_review_rule);
    absl::StrAppend(&out, "}");
  } else {
    absl::StrAppend(&out, "null");
  }
  absl::StrAppend(&out, ",\"obligations\":{\"open\":", s.open, ",\"overdue\":", s.overdue,
                  ",\"dueWithin10WorkingDays\":", s.due_within_10_working_days, "}");

  absl::StrAppend(&out, ",\"history\":[");
  for (size_t i = 0; i < s.history.size(); ++i) {
    const CarePlanChange& c = s.history[i];
    absl::StrAppend(&out, i > 0 ? "," : "", "{\"on\":\"", FormatDate(c.on),
                    "\",\"position\":", c.position, ",\"what\":\"", c.what, "\",");
    Str(&out, "from", c.from);
    absl::StrAppend(&out, ",");
    Str(&out, "to", c.to);
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace carelog
