#include "projections/cases_list.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string DayOr(const std::optional<absl::CivilDay>& d, const char* none) {
  return d.has_value() ? absl::FormatCivilTime(*d) : none;
}

std::string Or(const std::string& s, const char* none) { return s.empty() ? none : s; }

// The open period's start; none when not looked after.
std::optional<absl::CivilDay> LookedAfterSince(const CarePlanState& s) {
  return s.looked_after ? s.period_started : std::nullopt;
}

const std::string& PlacementType(const CarePlanState& s) {
  static const std::string* none = new std::string();
  return s.placement.has_value() ? s.placement->type : *none;
}

void AppendJsonStringOrNull(const std::string& s, std::string* out) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(s, out);
  }
}

void AppendJsonDayOrNull(const std::optional<absl::CivilDay>& d, std::string* out) {
  if (d.has_value()) {
    absl::StrAppend(out, "\"", absl::FormatCivilTime(*d), "\"");
  } else {
    out->append("null");
  }
}

}  // namespace

bool CaseListRowMatches(const CaseListRow& row, const CaseListFilter& filter) {
  const CarePlanState& s = row.state;
  if (filter.iro.has_value() && s.iro != *filter.iro) return false;
  if (filter.team.has_value() && s.team != *filter.team) return false;
  if (filter.looked_after.has_value() && s.looked_after != *filter.looked_after) return false;
  if (filter.overdue_only && s.overdue == 0) return false;
  return true;
}

void SortCaseList(std::vector<CaseListRow>* rows) {
  auto key = [](const CaseListRow& r) {
    const auto& due = r.state.next_review_due;
    // Not recorded sorts after every date.
    return std::make_tuple(!due.has_value(), due.value_or(absl::CivilDay()),
                           std::cref(r.summary.case_id));
  };
  std::stable_sort(rows->begin(), rows->end(),
                   [&](const CaseListRow& a, const CaseListRow& b) { return key(a) < key(b); });
}

std::string RenderCaseListTable(const std::vector<CaseListRow>& rows) {
  // The first seven columns are the list's before issue 15, unchanged.
  std::string out = absl::StrFormat(
      "%-12s %7s %7s %-12s %-14s %7s %-12s %-9s %-5s %-10s %-14s %-24s %-12s %7s\n", "case",
      "events", "periods", "looked after", "since", "reviews", "last review", "placement",
      "legal", "IRO", "social worker", "team", "next review", "overdue");
  for (const CaseListRow& r : rows) {
    const CaseSummary& c = r.summary;
    const CarePlanState& s = r.state;
    // Ids of stores written before the id alphabet may hold anything.
    absl::StrAppend(
        &out,
        absl::StrFormat("%-12s %7d %7d %-12s %-14s %7d %-12s %-9s %-5s %-10s %-14s %-24s %-12s %7d\n",
                        TerminalSafe(c.case_id), c.events, c.periods_of_care,
                        s.looked_after ? "yes" : "no", DayOr(LookedAfterSince(s), "-"),
                        c.reviews_held, DayOr(c.last_review, "-"),
                        TerminalSafe(Or(PlacementType(s), "-")),
                        TerminalSafe(Or(s.legal_status, "-")), TerminalSafe(Or(s.iro, "-")),
                        TerminalSafe(Or(s.social_worker, "-")), TerminalSafe(Or(s.team, "-")),
                        DayOr(s.next_review_due, "-"), s.overdue));
  }
  return out;
}

std::string RenderCaseListCsv(const std::vector<CaseListRow>& rows) {
  std::string out =
      "case,events,periods_of_care,looked_after,since,reviews_held,last_review,placement_type,"
      "legal_status,iro,social_worker,team,next_review_due,overdue\n";
  for (const CaseListRow& r : rows) {
    const CaseSummary& c = r.summary;
    const CarePlanState& s = r.state;
    AppendCsvField(c.case_id, &out);
    absl::StrAppend(&out, ",", c.events, ",", c.periods_of_care, ",",
                    s.looked_after ? "yes" : "no", ",", DayOr(LookedAfterSince(s), ""), ",",
                    c.reviews_held, ",", DayOr(c.last_review, ""), ",");
    for (const std::string* f : {&PlacementType(s), &s.legal_status, &s.iro, &s.social_worker,
                                 &s.team}) {
      AppendCsvField(*f, &out);
      out.append(",");
    }
    absl::StrAppend(&out, DayOr(s.next_review_due, ""), ",", s.overdue, "\n");
  }
  return out;
}

std::string RenderCaseListJson(const std::vector<CaseListRow>& rows) {
  std::string out = "[";
  bool first = true;
  for (const CaseListRow& r : rows) {
    const CaseSummary& c = r.summary;
    const CarePlanState& s = r.state;
    // The first five members are the list's before issue 15, unchanged.
    absl::StrAppend(&out, first ? "" : ",", "\n  {\"caseId\":");
    first = false;
    AppendJsonString(c.case_id, &out);
    absl::StrAppend(&out, ",\"events\":", c.events, ",\"periodsOfCare\":", c.periods_of_care,
                    ",\"lookedAfter\":", s.looked_after ? "true" : "false",
                    ",\"reviewsHeld\":", c.reviews_held, ",\"lookedAfterSince\":");
    AppendJsonDayOrNull(LookedAfterSince(s), &out);
    out.append(",\"lastReview\":");
    AppendJsonDayOrNull(c.last_review, &out);
    out.append(",\"placementType\":");
    AppendJsonStringOrNull(PlacementType(s), &out);
    out.append(",\"legalStatus\":");
    AppendJsonStringOrNull(s.legal_status, &out);
    out.append(",\"iro\":");
    AppendJsonStringOrNull(s.iro, &out);
    out.append(",\"socialWorker\":");
    AppendJsonStringOrNull(s.social_worker, &out);
    out.append(",\"team\":");
    AppendJsonStringOrNull(s.team, &out);
    out.append(",\"nextReviewDue\":");
    AppendJsonDayOrNull(s.next_review_due, &out);
    absl::StrAppend(&out, ",\"overdue\":", s.overdue, "}");
  }
  out.append("\n]\n");
  return out;
}

}  // namespace carelog
