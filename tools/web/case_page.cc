// "/cases/<id>": the auditor's replay of one child's record — the care-plan
// state at the end of a date, its history, the obligations with their
// status, the findings, and the trail of events in effective order with
// corrections beside what they correct; with knownAt, what the record showed
// at that instant and what was recorded later (as `carelog audit`).
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "store/base/time_format.h"
#include "tools/web/look/html.h"
#include "tools/web/look/uk_date.h"
#include "tools/web/look/url_escape.h"
#include "tools/web/page_parts.h"
#include "tools/web/pages.h"

namespace carelog {
namespace {

std::string Or(std::string_view s, std::string_view none = "Not recorded") {
  return s.empty() ? std::string(none) : std::string(s);
}

std::string DaySince(const std::optional<absl::CivilDay>& d) {
  return d ? absl::StrCat(" (since ", web::LongDate(*d), ")") : "";
}

// The state as a summary list (what a reviewing officer reads first).
std::string StateSection(const CarePlanState& s) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::string child = s.child.date_of_birth
                          ? absl::StrCat("Born ", web::LongDate(*s.child.date_of_birth),
                                         s.child.age ? absl::StrCat(", aged ", *s.child.age) : "")
                          : "Date of birth not recorded";
  if (!s.child.sex.empty()) absl::StrAppend(&child, "; sex code ", s.child.sex);
  if (!s.child.authority.empty()) absl::StrAppend(&child, "; authority ", s.child.authority);
  rows.push_back({"Child", child});
  if (s.looked_after) {
    rows.push_back({"Looked after", absl::StrCat("Yes, since ", s.period_started ? web::LongDate(*s.period_started) : "?",
                                                 " (", s.period_days, " days; period ", s.periods, ")")});
  } else if (s.period_ended) {
    rows.push_back({"Looked after", absl::StrCat("No: the period ended on ", web::LongDate(*s.period_ended),
                                                 s.ceased_reason.empty() ? "" : absl::StrCat(" (reason ", s.ceased_reason, ")"))});
  } else {
    rows.push_back({"Looked after", "No"});
  }
  rows.push_back({"Legal status", absl::StrCat(Or(s.legal_status), DaySince(s.legal_status_since))});
  if (s.placement) {
    const CarePlanPlacement& p = *s.placement;
    rows.push_back({"Placement",
                    absl::StrCat("Type ", Or(p.type), ", provider ", Or(p.provider), ", district ",
                                 Or(p.district), " (since ", web::LongDate(p.started), ", ", p.days,
                                 " days)")});
  } else {
    rows.push_back({"Placement", "Not placed or not recorded"});
  }
  rows.push_back({"Placements", absl::StrCat(s.placements_in_period, " in this period; ",
                                             s.placements_in_12_months, " in the 12 months to ",
                                             web::LongDate(s.as_of))});
  rows.push_back({"Social worker", absl::StrCat(Or(s.social_worker), DaySince(s.social_worker_since))});
  rows.push_back({"Team", absl::StrCat(Or(s.team), DaySince(s.team_since))});
  rows.push_back({"IRO", absl::StrCat(Or(s.iro), DaySince(s.iro_since))});
  rows.push_back({"Review arrangement",
                  absl::StrCat(s.reduced_meetings ? "Reduced meetings" : "Standard",
                               DaySince(s.arrangement_since))});
  std::string permanence = Or(s.permanence.recommended_plan, "No recommendation recorded");
  if (s.permanence.recommended_on) absl::StrAppend(&permanence, " (", web::LongDate(*s.permanence.recommended_on), ")");
  if (s.permanence.panel_on) {
    absl::StrAppend(&permanence, "; panel ", s.permanence.panel, ": ", s.permanence.panel_decision,
                    " on ", web::LongDate(*s.permanence.panel_on));
  }
  rows.push_back({"Permanence", permanence});
  rows.push_back({"Last review",
                  s.last_review ? absl::StrCat(web::LongDate(s.last_review->held_on), " (",
                                               s.last_review->review_id, ")")
                                : "None held"});
  rows.push_back({"Next review due",
                  s.next_review_due ? absl::StrCat(web::LongDate(*s.next_review_due), " (", s.next_review_rule, ")")
                                    : "None open"});
  rows.push_back({"Obligations", absl::StrCat(s.open, " open, ", s.overdue, " overdue, ",
                                              s.due_within_10_working_days,
                                              " due within 10 working days")});
  return absl::StrCat(Heading2("Care-plan state"), SummaryList(rows));
}

std::string HistorySection(const CarePlanState& s) {
  if (s.history.empty()) return "";
  Table t;
  t.caption = "Timeline of the care plan";
  t.head = {"Date", "What changed", "From", "To"};
  for (const CarePlanChange& c : s.history) {
    t.rows.push_back({web::LongDate(c.on), c.what, Or(c.from, "—"), Or(c.to, "—")});
  }
  return RenderTable(t);
}

std::string ObligationsSection(const CaseTrail& trail) {
  Table t;
  t.id = "obligations";
  t.caption = "Obligations and their status";
  t.head = {"Rule", "Review", "Due", "Status", "Met on", "Source"};
  t.raw_columns = {2, 3};
  for (const Obligation& o : trail.deadlines.obligations) {
    // The due date machine-readable too (<time>): what a script or a test
    // compares, while people read the UK form.
    t.rows.push_back({o.rule_id, Or(o.review_id, "—"),
                      absl::StrCat("<time datetime=\"", FormatDate(o.due), "\">",
                                   web::EscapeHtml(web::LongDate(o.due)), "</time>"),
                      StatusTagHtml(ObligationStatusName(o.status)),
                      o.met_on ? web::LongDate(*o.met_on) : "—",
                      absl::StrCat(o.source_document, " ", o.source_section)});
  }
  if (t.rows.empty()) return absl::StrCat(Heading2("Obligations"), Paragraph("No obligations by this date."));
  return RenderTable(t);
}

std::string FindingsSection(const CaseTrail& trail) {
  Table t;
  t.id = "findings";
  t.caption = "Findings (practice rules not met)";
  t.head = {"Date", "Rule", "Review", "What was found", "Source"};
  for (const Finding& f : trail.deadlines.findings) {
    t.rows.push_back({web::LongDate(f.on), f.rule_id, Or(f.review_id, "—"), f.detail,
                      absl::StrCat(f.source_document, " ", f.source_section)});
  }
  if (t.rows.empty()) return absl::StrCat(Heading2("Findings"), Paragraph("No findings by this date."));
  return RenderTable(t);
}

std::string EventCell(const CaseTrailEntry& a, bool may_prove) {
  const v1::Event& e = a.event;
  std::string out = absl::StrCat("<strong>", web::EscapeHtml(PayloadName(e)), "</strong>");
  if (!e.comment().empty()) absl::StrAppend(&out, "<br>Comment: ", web::EscapeHtml(e.comment()));
  if (!a.corrects_event_id.empty()) {
    absl::StrAppend(&out, "<br>Corrects event ", web::EscapeHtml(a.corrects_event_id));
  }
  for (const CaseTrailCorrection& c : a.corrections) {
    const std::string& reason = c.retraction ? c.event.event_retracted().reason()
                                             : c.event.event_corrected().reason();
    absl::StrAppend(&out, "<br>", StatusTagHtml(c.retraction ? "RETRACTED" : "CORRECTED"), " by ",
                    web::EscapeHtml(c.event.actor().id()), " (", v1::Role_Name(c.event.actor().role()),
                    ") at position ", c.event.position(), ": ", web::EscapeHtml(reason));
  }
  if (may_prove) {
    absl::StrAppend(&out, "<br><a class=\"govuk-link\" download href=\"/proof?event=",
                    web::EscapeHtml(web::EscapeQueryValue(e.event_id())), "\">Download the proof of event ",
                    web::EscapeHtml(e.event_id()), "</a>");
  }
  return out;
}

std::string TrailRows(const std::vector<CaseTrailEntry>& entries, bool may_prove, Table* t) {
  for (const CaseTrailEntry& a : entries) {
    const v1::Event& e = a.event;
    std::string recorded = e.has_recorded_at() ? web::LondonDateTime(FromProtoTime(e.recorded_at())) : "—";
    if (a.recorded_late_days > 0) {
      absl::StrAppend(&recorded, " (", a.recorded_late_days, " days late)");
    }
    t->rows.push_back({web::LongDate(a.date), EventCell(a, may_prove),
                       web::LondonDateTime(FromProtoTime(e.occurred_at())), recorded,
                       absl::StrCat(e.actor().id(), " (", v1::Role_Name(e.actor().role()), ")"),
                       absl::StrCat(e.position())});
  }
  t->raw_columns = {1};
  return "";
}

std::string TrailSection(const CaseTrail& trail, bool may_prove) {
  Table t;
  t.id = "trail";
  t.caption = absl::StrCat("Trail of events in effective order (", trail.entries.size(), ")");
  t.head = {"Date", "Event", "Occurred", "Recorded", "By", "Position"};
  TrailRows(trail.entries, may_prove, &t);
  std::string out = RenderTable(t);
  if (trail.options.known_at) {
    Table late;
    late.caption = "Recorded after the known-at instant (the record did not show these then)";
    late.head = t.head;
    TrailRows(trail.not_yet_recorded, may_prove, &late);
    absl::StrAppend(&out, late.rows.empty() ? Paragraph("Nothing that happened by this date was recorded after the known-at instant.") : RenderTable(late));
    Table diff;
    diff.caption = "Obligations whose status has changed since";
    diff.head = {"Rule", "Review", "Due", "Then", "Now"};
    for (const CaseTrailDifference& d : trail.differences) {
      diff.rows.push_back({d.rule_id, Or(d.review_id, "—"), web::LongDate(d.due), d.then_status, d.now_status});
    }
    if (!diff.rows.empty()) absl::StrAppend(&out, RenderTable(diff));
  }
  return out;
}

}  // namespace

WebResponse CasePage(const PageEnv& env, const WebRequest& req, const Viewer& viewer) {
  const std::string case_id = req.path.substr(std::string_view("/cases/").size());
  CaseQueryDates dates;
  if (WebResponse bad; !ParseCaseQueryDates(req, env, viewer, &dates, &bad)) return bad;
  if (absl::Status s = RecordWebRead(env, viewer, req, "CasePage", case_id); !s.ok()) {
    return ReadRefused(s, case_id, viewer);
  }
  auto state = env.queries->State(case_id, dates.as_of, dates.known_at);
  CaseTrailOptions options;
  options.as_of = dates.as_of;
  options.known_at = dates.known_at;
  auto trail = env.queries->Audit(case_id, options);
  if (!state.ok() || !trail.ok()) {
    return ServiceFault(state.ok() ? trail.status() : state.status(), viewer);
  }
  const bool may_prove = RoleMayOpen(viewer.role, "proof");
  std::string body = absl::StrCat(
      Heading1(absl::StrCat("Case ", case_id)),
      Paragraph(absl::StrCat("As it stood at the end of ", web::LongDateWithWeekday(dates.as_of),
                             dates.known_at ? absl::StrCat(", as known at ", web::LondonDateTime(*dates.known_at)) : "",
                             ". Judged under the ", trail->pack_name, " pack.")),
      CaseDatesForm(req.path, dates, req), StateSection(*state), ObligationsSection(*trail),
      FindingsSection(*trail), HistorySection(*state), TrailSection(*trail, may_prove));
  if (RoleMayOpen(viewer.role, "access-log")) {
    absl::StrAppend(&body, Paragraph(absl::StrCat(
                               "<a class=\"govuk-link\" href=\"/access-log?case=",
                               web::EscapeHtml(web::EscapeQueryValue(case_id)), "\">Who has read this case</a>"),
                               /*raw=*/true));
  }
  WebResponse r;
  r.body = RenderShell(viewer, "cases", absl::StrCat("Case ", case_id), body);
  return r;
}

}  // namespace carelog
