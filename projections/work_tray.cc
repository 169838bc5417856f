#include "projections/work_tray.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string Or(const std::string& s, const char* none) { return s.empty() ? none : s; }

void AppendJsonStringOrNull(const std::string& s, std::string* out) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(s, out);
  }
}

void Count(const WorkTrayRow& r, WorkTrayCount* c) {
  if (r.status == ObligationStatus::kOverdue) {
    ++c->overdue;
  } else {
    ++c->due_soon;
  }
}

std::vector<WorkTrayCount> Counts(const std::map<std::string, WorkTrayCount>& m) {
  std::vector<WorkTrayCount> out;
  out.reserve(m.size());
  for (const auto& [name, c] : m) out.push_back(c);
  return out;
}

void AppendCountsJson(const std::vector<WorkTrayCount>& counts, std::string* out) {
  out->append("[");
  bool first = true;
  for (const WorkTrayCount& c : counts) {
    absl::StrAppend(out, first ? "" : ",", "{\"name\":");
    first = false;
    AppendJsonStringOrNull(c.name, out);
    absl::StrAppend(out, ",\"overdue\":", c.overdue, ",\"dueSoon\":", c.due_soon, "}");
  }
  out->append("]");
}

void AppendCountsTable(const char* title, const std::vector<WorkTrayCount>& counts,
                       std::string* out) {
  absl::StrAppend(out, absl::StrFormat("%-24s %7s %8s\n", title, "overdue", "due soon"));
  for (const WorkTrayCount& c : counts) {
    absl::StrAppend(
        out, absl::StrFormat("%-24s %7d %8d\n", TerminalSafe(Or(c.name, "not recorded")), c.overdue,
                             c.due_soon));
  }
}

}  // namespace

std::vector<WorkTrayRow> WorkTrayRowsOf(const CaseDeadlines& deadlines, const CarePlanState& state,
                                        std::string_view pack, const Calendar& cal,
                                        absl::CivilDay as_of, int working_days) {
  std::vector<WorkTrayRow> rows;
  const Division division = deadlines.division;
  const absl::CivilDay horizon = DueSoonHorizon(cal, division, as_of, working_days);
  for (const Obligation& o : deadlines.obligations) {
    const bool overdue = o.status == ObligationStatus::kOverdue;
    const bool due_soon = o.status == ObligationStatus::kOpen && o.due <= horizon;
    if (!overdue && !due_soon) continue;
    WorkTrayRow r;
    r.case_id = o.case_id.empty() ? deadlines.case_id : o.case_id;
    r.rule_id = o.rule_id;
    r.review_id = o.review_id;
    r.due = o.due;
    r.status = o.status;
    r.working_days = overdue ? cal.WorkingDaysBetween(division, o.due, as_of)
                             : cal.WorkingDaysBetween(division, as_of, o.due);
    r.iro = state.iro;
    r.team = state.team;
    r.social_worker = state.social_worker;
    r.child_age = state.child.age;
    r.looked_after = state.looked_after;
    r.pack = std::string(pack);
    r.source_document = o.source_document;
    r.source_section = o.source_section;
    rows.push_back(std::move(r));
  }
  return rows;
}

bool WorkTrayRowMatches(const WorkTrayRow& row, const WorkTrayFilter& filter) {
  if (filter.iro.has_value() && row.iro != *filter.iro) return false;
  if (filter.team.has_value() && row.team != *filter.team) return false;
  if (filter.rule.has_value() && row.rule_id != *filter.rule) return false;
  if (filter.pack.has_value() && row.pack != *filter.pack) return false;
  return true;
}

WorkTray BuildWorkTray(std::vector<WorkTrayRow> candidates, const WorkTrayFilter& filter,
                       absl::CivilDay as_of, int working_days) {
  WorkTray tray;
  tray.as_of = as_of;
  tray.working_days = working_days;
  WorkTrayFilter but_iro = filter;
  but_iro.iro.reset();
  WorkTrayFilter but_team = filter;
  but_team.team.reset();
  std::map<std::string, WorkTrayCount> by_iro, by_team;
  for (WorkTrayRow& r : candidates) {
    if (WorkTrayRowMatches(r, but_iro)) {
      WorkTrayCount& c = by_iro[r.iro];
      c.name = r.iro;
      Count(r, &c);
    }
    if (WorkTrayRowMatches(r, but_team)) {
      WorkTrayCount& c = by_team[r.team];
      c.name = r.team;
      Count(r, &c);
    }
    if (!WorkTrayRowMatches(r, filter)) continue;
    if (r.status == ObligationStatus::kOverdue) {
      ++tray.overdue;
    } else {
      ++tray.due_soon;
    }
    tray.rows.push_back(std::move(r));
  }
  tray.by_iro = Counts(by_iro);
  tray.by_team = Counts(by_team);
  const bool latest_first = filter.sort == WorkTraySort::kDueLatestFirst;
  // Ties are by case, rule and review in both orders: only the date flips.
  auto ties = [](const WorkTrayRow& r) { return std::tie(r.case_id, r.rule_id, r.review_id); };
  std::sort(tray.rows.begin(), tray.rows.end(), [&](const WorkTrayRow& a, const WorkTrayRow& b) {
    if (a.due != b.due) return latest_first ? b.due < a.due : a.due < b.due;
    return ties(a) < ties(b);
  });
  return tray;
}

std::string RenderWorkTrayTable(const WorkTray& tray) {
  std::string out = absl::StrFormat(
      "work tray at the end of %s: %d overdue, %d due within %d working days\n\n",
      absl::FormatCivilTime(tray.as_of), tray.overdue, tray.due_soon, tray.working_days);
  AppendCountsTable("IRO", tray.by_iro, &out);
  out.append("\n");
  AppendCountsTable("team", tray.by_team, &out);
  out.append("\n");
  absl::StrAppend(&out,
                  absl::StrFormat("%-12s %-10s %-8s %12s  %-34s %-10s %-10s %-14s %-24s %-12s %s\n",
                                  "due", "status", "case", "working days", "rule", "review", "IRO",
                                  "social worker", "team", "pack", "source"));
  for (const WorkTrayRow& r : tray.rows) {
    const std::string days = r.status == ObligationStatus::kOverdue
                                 ? absl::StrCat(r.working_days, " over")
                                 : absl::StrCat(r.working_days, " left");
    std::string source = r.source_document;
    if (!r.source_section.empty())
      absl::StrAppend(&source, source.empty() ? "" : ", ", r.source_section);
    absl::StrAppend(
        &out, absl::StrFormat("%-12s %-10s %-8s %12s  %-34s %-10s %-10s %-14s %-24s %-12s %s\n",
                              absl::FormatCivilTime(r.due), ObligationStatusName(r.status),
                              TerminalSafe(r.case_id), days, TerminalSafe(r.rule_id),
                              TerminalSafe(Or(r.review_id, "-")), TerminalSafe(Or(r.iro, "-")),
                              TerminalSafe(Or(r.social_worker, "-")), TerminalSafe(Or(r.team, "-")),
                              TerminalSafe(Or(r.pack, "-")), TerminalSafe(Or(source, "-"))));
  }
  return out;
}

std::string RenderWorkTrayCsv(const WorkTray& tray) {
  std::string out =
      "due,status,case,working_days,rule,review,iro,social_worker,team,pack,source_document,"
      "source_section\n";
  for (const WorkTrayRow& r : tray.rows) {
    absl::StrAppend(&out, absl::FormatCivilTime(r.due), ",",
                    std::string(ObligationStatusName(r.status)), ",");
    AppendCsvField(r.case_id, &out);
    absl::StrAppend(&out, ",", r.working_days);
    for (const std::string* f : {&r.rule_id, &r.review_id, &r.iro, &r.social_worker, &r.team,
                                 &r.pack, &r.source_document, &r.source_section}) {
      out.append(",");
      AppendCsvField(*f, &out);
    }
    out.append("\n");
  }
  return out;
}

std::string RenderWorkTrayJson(const WorkTray& tray) {
  std::string out = absl::StrCat(
      "{\"asOf\":\"", absl::FormatCivilTime(tray.as_of), "\",\"workingDays\":", tray.working_days,
      ",\"overdue\":", tray.overdue, ",\"dueSoon\":", tray.due_soon, ",\n \"byIro\":");
  AppendCountsJson(tray.by_iro, &out);
  out.append(",\n \"byTeam\":");
  AppendCountsJson(tray.by_team, &out);
  out.append(",\n \"rows\":[");
  bool first = true;
  for (const WorkTrayRow& r : tray.rows) {
    absl::StrAppend(&out, first ? "" : ",", "\n  {\"caseId\":");
    first = false;
    AppendJsonString(r.case_id, &out);
    out.append(",\"rule\":");
    AppendJsonString(r.rule_id, &out);
    out.append(",\"reviewId\":");
    AppendJsonStringOrNull(r.review_id, &out);
    absl::StrAppend(&out, ",\"due\":\"", absl::FormatCivilTime(r.due), "\",\"status\":\"",
                    std::string(ObligationStatusName(r.status)),
                    "\",\"workingDays\":", r.working_days, ",\"iro\":");
    AppendJsonStringOrNull(r.iro, &out);
    out.append(",\"team\":");
    AppendJsonStringOrNull(r.team, &out);
    out.append(",\"socialWorker\":");
    AppendJsonStringOrNull(r.social_worker, &out);
    out.append(",\"childAge\":");
    out.append(r.child_age.has_value() ? absl::StrCat(*r.child_age) : "null");
    absl::StrAppend(&out, ",\"lookedAfter\":", r.looked_after ? "true" : "false", ",\"pack\":");
    AppendJsonStringOrNull(r.pack, &out);
    out.append(",\"sourceDocument\":");
    AppendJsonStringOrNull(r.source_document, &out);
    out.append(",\"sourceSection\":");
    AppendJsonStringOrNull(r.source_section, &out);
    out.append("}");
  }
  out.append(tray.rows.empty() ? "]}\n" : "\n ]}\n");
  return out;
}

}  // namespace carelog
