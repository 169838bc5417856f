#include "projections/qa_html.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "engine/calendar.h"

namespace carelog {
namespace {

std::string J(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          o += absl::StrFormat("\\u%04x", c);
        } else {
          o += c;
        }
    }
  }
  return o + "\"";
}

std::string JP(std::optional<double> p) { return p ? absl::StrFormat("%.1f", *p) : "null"; }

std::string H(const std::string& s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string CsvP(std::optional<double> p) { return p ? absl::StrFormat("%.1f", *p) : ""; }

// Beside a task line with rows booked at short notice (QaReport::TaskLine):
// how many and how they are counted; nothing for a line without.
std::string ShortNoticeNote(const QaReport::TaskLine& t) {
  if (t.short_notice == 0) return "";
  return absl::StrCat("<br><small class=\"short-notice\">booked at short notice: ", t.short_notice,
                      " (met before the review: ", t.short_notice_met_before_review,
                      ") &mdash; not counted as late</small>");
}

std::string MonthName(const QaReport::Month& m) { return absl::StrFormat("%04d-%02d", m.year, m.month); }

std::string RequesterLabel(const std::string& role) {
  if (role == "SOCIAL_WORKER") return "social worker";
  if (role == "IRO") return "IRO";
  return absl::AsciiStrToLower(absl::StrReplaceAll(role, {{"_", " "}}));
}

struct Bar {
  std::string label;
  double value;     // bar length in units of `max`
  std::string text;  // printed after the bar
};

// A horizontal bar chart as inline SVG.
std::string BarChart(const std::string& id, const std::string& title, const std::vector<Bar>& bars,
                     double max) {
  const int row = 26, left = 190, width = 360, top = 28;
  const int height = top + row * static_cast<int>(bars.size()) + 10;
  std::string s = absl::StrFormat(
      "<svg id=\"%s\" class=\"chart\" role=\"img\" aria-label=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
      "<text x=\"0\" y=\"16\" class=\"ct\">%s</text>",
      id, H(title), left + width + 80, height, left + width + 80, height, H(title));
  for (size_t i = 0; i < bars.size(); ++i) {
    const int y = top + row * static_cast<int>(i);
    const double w = max > 0 ? std::clamp(bars[i].value / max, 0.0, 1.0) * width : 0;
    absl::StrAppendFormat(&s,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">%s</text>"
                          "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\"><title>%s: %s</title></rect>"
                          "<text x=\"%.1f\" y=\"%d\" class=\"cv\">%s</text>",
                          left - 8, y + 14, H(bars[i].label), left, y, w, H(bars[i].label),
                          H(bars[i].text), left + w + 6, y + 14, H(bars[i].text));
  }
  return s + "</svg>";
}

std::string TrendChart(const QaReport& r) {
  const int left = 44, top = 30, w = 640, h = 200;
  const size_t n = r.trend.size();
  std::string s = absl::StrFormat(
      "<svg id=\"chart-trend\" class=\"chart\" role=\"img\" aria-label=\"Monthly %% of reviews on time\" "
      "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
      "<text x=\"0\" y=\"16\" class=\"ct\">Reviews held within timescale, by month (%%)</text>",
      left + w + 20, top + h + 40, left + w + 20, top + h + 40);
  for (int p = 0; p <= 100; p += 25) {
    const double y = top + h - h * p / 100.0;
    absl::StrAppendFormat(&s,
                          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"cl\">%d%%</text>",
                          left, y, left + w, y, left - 6, y + 4, p);
  }
  const double step = n > 0 ? static_cast<double>(w) / n : w;
  std::string points;
  for (size_t i = 0; i < n; ++i) {
    const auto& m = r.trend[i];
    const double x = left + step * (i + 0.5);
    auto pct = Percent(m.on_time, m.held);
    if (i % std::max<size_t>(1, n / 12) == 0) {
      absl::StrAppendFormat(&s, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"cl\">%s</text>",
                            x, top + h + 18, MonthName(m));
    }
    if (!pct) continue;
    const double y = top + h - h * (*pct) / 100.0;
    absl::StrAppendFormat(&points, "%s%.1f,%.1f", points.empty() ? "" : " ", x, y);
    absl::StrAppendFormat(&s,
                          "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>%s: %s%% of %d</title></circle>",
                          x, y, MonthName(m), PercentText(pct), m.held);
  }
  if (!points.empty()) absl::StrAppend(&s, "<polyline class=\"line\" points=\"", points, "\"/>");
  return s + "</svg>";
}

constexpr char kCss[] = R"(
body{font-family:Arial,Helvetica,sans-serif;margin:24px;color:#1b1b1b;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #1d70b8;padding-bottom:3px}
.sub{color:#505a5f;margin-bottom:16px}
.figures{display:flex;flex-wrap:wrap;gap:10px}
.figure{border:1px solid #b1b4b6;border-left:6px solid #1d70b8;padding:8px 12px;min-width:150px}
.figure .v{font-size:26px;font-weight:bold;display:block}
.figure .l{font-size:13px;color:#505a5f}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #b1b4b6;padding:3px 7px;text-align:left} th{background:#f3f2f1}
td.n{text-align:right}
.chart{display:block;margin:8px 0} .ct{font-size:14px;font-weight:bold;fill:#1b1b1b}
.cl{font-size:11px;fill:#505a5f} .cv{font-size:11px;fill:#1b1b1b}
.bar{fill:#1d70b8} .grid{stroke:#dddddd;stroke-width:1} .line{fill:none;stroke:#d4351c;stroke-width:2}
.pt{fill:#d4351c}
dl{font-size:13px} dt{font-weight:bold;margin-top:6px} dd{margin-left:16px}
@media print{body{margin:8mm} h2{page-break-after:avoid} .chart,table{page-break-inside:avoid}}
)";

}  // namespace

std::string PercentText(std::optional<double> p) {
  return p ? absl::StrFormat("%.1f", *p) : "n/a";
}

std::vector<std::pair<std::string, std::string>> QaHeadline(const QaReport& r) {
  return {
      {"reviewsHeld", absl::StrCat(r.reviews_held)},
      {"reviewsOnTimePct", PercentText(Percent(r.reviews_on_time, r.reviews_held))},
      {"ni66Children", absl::StrCat(r.ni66_children)},
      {"ni66OnTimePct", PercentText(Percent(r.ni66_on_time, r.ni66_children))},
      {"tasksDue", absl::StrCat(r.tasks_due)},
      {"tasksOnTimePct", PercentText(Percent(r.tasks_met, r.tasks_due))},
      {"postponementsRequested", absl::StrCat(r.postponements.requested)},
      {"postponementsWithNoticePct",
       PercentText(Percent(r.postponements.with_notice, r.postponements.requested))},
      {"overdueNow", absl::StrCat(r.overdue_now)},
      {"dueSoon", absl::StrCat(r.due_soon)},
      {"reviewsOutsidePeriod", absl::StrCat(r.reviews_outside_period)},
      {"placements3Plus", absl::StrCat(r.stability.three_or_more)},
      {"placements3PlusPct",
       PercentText(Percent(r.stability.three_or_more, r.stability.looked_after))},
      {"longTermStable", absl::StrCat(r.stability.long_term_stable)},
      {"longTermStablePct",
       PercentText(Percent(r.stability.long_term_stable, r.stability.long_term))},
  };
}

std::string RenderQaJson(const QaReport& r) {
  const auto& p = r.postponements;
  std::string o = absl::StrCat("{\"from\":", J(FormatDate(r.from)), ",\"to\":", J(FormatDate(r.to)),
                               ",\n\"headline\":{");
  bool first = true;
  for (const auto& [k, v] : QaHeadline(r)) {
    absl::StrAppend(&o, first ? "" : ",", J(k), ":", v == "n/a" ? "null" : v);
    first = false;
  }
  absl::StrAppend(&o, "},\n\"definitions\":{");
  first = true;
  for (const auto& [k, v] : QaDefinitions()) {
    absl::StrAppend(&o, first ? "" : ",", J(k), ":", J(v));
    first = false;
  }
  absl::StrAppend(&o, "},\n\"reviews\":[");
  for (size_t i = 0; i < r.reviews.size(); ++i) {
    const auto& l = r.reviews[i];
    absl::StrAppend(&o, i ? "," : "", "{\"rule\":", J(l.rule), ",\"held\":", l.held,
                    ",\"onTime\":", l.on_time, ",\"onTimePct\":", JP(Percent(l.on_time, l.held)), "}");
  }
  absl::StrAppend(&o, "],\n\"reviewsOutsidePeriod\":", r.reviews_outside_period,
                  ",\n\"ni66\":{\"children\":", r.ni66_children, ",\"onTime\":", r.ni66_on_time,
                  ",\"onTimePct\":", JP(Percent(r.ni66_on_time, r.ni66_children)), "},\n\"tasks\":[");
  for (size_t i = 0; i < r.tasks.size(); ++i) {
    const auto& t = r.tasks[i];
    absl::StrAppend(&o, i ? "," : "", "{\"rule\":", J(t.rule), ",\"due\":", t.due, ",\"met\":", t.met,
                    ",\"metLate\":", t.met_late, ",\"overdue\":", t.overdue,
                    ",\"onTimePct\":", JP(Percent(t.met, t.due)),
                    ",\"shortNotice\":", t.short_notice,
                    ",\"shortNoticeMetBeforeReview\":", t.short_notice_met_before_review, "}");
  }
  absl::StrAppend(&o, "],\n\"postponements\":{\"requested\":", p.requested, ",\"byRequester\":{");
  first = true;
  for (const auto& [k, v] : p.by_requester) {
    absl::StrAppend(&o, first ? "" : ",", J(k), ":", v);
    first = false;
  }
  absl::StrAppend(&o, "},\"withNotice\":", p.with_notice,
                  ",\"withNoticePct\":", JP(Percent(p.with_notice, p.requested)),
                  ",\"approvals\":", p.approvals,
                  ",\"approvedByServiceManager\":", p.approved_by_service_manager,
                  ",\"approvedByServiceManagerPct\":",
                  JP(Percent(p.approved_by_service_manager, p.approvals)),
                  ",\"redateDue\":", p.redate_due, ",\"redatedOnTime\":", p.redated_on_time,
                  ",\"redatedOnTimePct\":", JP(Percent(p.redated_on_time, p.redate_due)),
                  ",\"postponedReviews\":", p.postponed_reviews,
                  ",\"outOfTimescale\":", p.out_of_timescale,
                  ",\"outOfTimescalePct\":", JP(Percent(p.out_of_timescale, p.postponed_reviews)),
                  "},\n\"participation\":{");
  first = true;
  for (const auto& [k, v] : r.participation) {
    absl::StrAppend(&o, first ? "" : ",", J(k), ":", v);
    first = false;
  }
  absl::StrAppend(&o, "},\n\"findings\":{");
  first = true;
  for (const auto& [k, v] : r.findings) {
    absl::StrAppend(&o, first ? "" : ",", J(k), ":", v);
    first = false;
  }
  absl::StrAppend(&o, "},\n\"byIro\":[");
  first = true;
  for (const auto& [k, v] : r.by_iro) {
    absl::StrAppend(&o, first ? "" : ",", "{\"iro\":", J(k), ",\"overdue\":", v.overdue,
                    ",\"dueSoon\":", v.due_soon, "}");
    first = false;
  }
  absl::StrAppend(&o, "],\n\"byTeam\":[");
  first = true;
  for (const auto& [k, v] : r.by_team) {
    absl::StrAppend(&o, first ? "" : ",", "{\"team\":", J(k), ",\"overdue\":", v.overdue,
                    ",\"dueSoon\":", v.due_soon, "}");
    first = false;
  }
  absl::StrAppend(&o, "],\n\"trend\":[");
  for (size_t i = 0; i < r.trend.size(); ++i) {
    const auto& m = r.trend[i];
    absl::StrAppend(&o, i ? "," : "", "{\"month\":", J(MonthName(m)), ",\"held\":", m.held,
                    ",\"onTime\":", m.on_time, ",\"onTimePct\":", JP(Percent(m.on_time, m.held)), "}");
  }
  const PlacementStability& st = r.stability;
  absl::StrAppend(&o, "],\n\"stability\":{\"yearFrom\":", J(FormatDate(st.year_from)),
                  ",\"to\":", J(FormatDate(st.to)), ",\"lookedAfter\":", st.looked_after,
                  ",\"threeOrMorePlacements\":", st.three_or_more,
                  ",\"threeOrMorePlacementsPct\":", JP(Percent(st.three_or_more, st.looked_after)),
                  ",\"longTerm\":", st.long_term, ",\"longTermStable\":", st.long_term_stable,
                  ",\"longTermStablePct\":", JP(Percent(st.long_term_stable, st.long_term)),
                  ",\"placedForAdoption\":", st.placed_for_adoption,
                  ",\"noDateOfBirth\":", st.long_term_no_date_of_birth, "}");
  absl::StrAppend(&o, ",\n\"pending\":[");
  for (size_t i = 0; i < r.pending.size(); ++i) {
    const auto& q = r.pending[i];
    absl::StrAppend(&o, i ? ",\n" : "\n", "{\"caseId\":", J(q.case_id), ",\"rule\":", J(q.rule),
                    q.review_id.empty() ? "" : absl::StrCat(",\"reviewId\":", J(q.review_id)),
                    ",\"due\":", J(FormatDate(q.due)), ",\"status\":",
                    q.overdue ? "\"OVERDUE\"" : "\"DUE_SOON\"", ",\"daysOverdue\":", q.days_overdue,
                    ",\"iro\":", J(q.iro), ",\"team\":", J(q.team), "}");
  }
  absl::StrAppend(&o, "],\n\"erased\":[");
  for (size_t i = 0; i < r.erased.size(); ++i) {
    const auto& e = r.erased[i];
    absl::StrAppend(&o, i ? ",\n" : "\n", "{\"caseId\":", J(e.case_id), ",\"erasedOn\":",
                    J(FormatDate(e.erased_on)), ",\"authority\":", J(e.authority),
                    ",\"events\":", e.events, ",\"firstRecorded\":", J(FormatDate(e.first_recorded)), "}");
  }
  absl::StrAppend(&o, "]}\n");
  return o;
}

std::vector<std::pair<std::string, std::string>> RenderQaCsv(const QaReport& r) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string s = "indicator,value\n";
  for (const auto& [k, v] : QaHeadline(r)) absl::StrAppend(&s, k, ",", v == "n/a" ? "" : v, "\n");
  out.push_back({"headline.csv", s});
  s = "indicator,definition\n";
  for (const auto& [k, v] : QaDefinitions()) absl::StrAppend(&s, k, ",", Csv(v), "\n");
  out.push_back({"definitions.csv", s});
  s = "rule,held,onTime,onTimePct\n";
  for (const auto& l : r.reviews)
    absl::StrAppend(&s, l.rule, ",", l.held, ",", l.on_time, ",", CsvP(Percent(l.on_time, l.held)), "\n");
  out.push_back({"reviews.csv", s});
  out.push_back({"ni66.csv", absl::StrCat("children,onTime,onTimePct\n", r.ni66_children, ",",
                                          r.ni66_on_time, ",",
                                          CsvP(Percent(r.ni66_on_time, r.ni66_children)), "\n")});
  s = "rule,due,met,metLate,overdue,onTimePct,shortNotice,shortNoticeMetBeforeReview\n";
  for (const auto& t : r.tasks)
    absl::StrAppend(&s, t.rule, ",", t.due, ",", t.met, ",", t.met_late, ",", t.overdue, ",",
                    CsvP(Percent(t.met, t.due)), ",", t.short_notice, ",",
                    t.short_notice_met_before_review, "\n");
  out.push_back({"tasks.csv", s});
  const auto& p = r.postponements;
  s = "measure,count,of,pct\n";
  for (const auto& [k, v] : p.by_requester) absl::StrAppend(&s, "requestedBy ", k, ",", v, ",", p.requested, ",\n");
  absl::StrAppend(&s, "withNotice,", p.with_notice, ",", p.requested, ",", CsvP(Percent(p.with_notice, p.requested)), "\n");
  absl::StrAppend(&s, "approvedByServiceManager,", p.approved_by_service_manager, ",", p.approvals, ",",
                  CsvP(Percent(p.approved_by_service_manager, p.approvals)), "\n");
  absl::StrAppend(&s, "redatedWithin3WorkingDays,", p.redated_on_time, ",", p.redate_due, ",",
                  CsvP(Percent(p.redated_on_time, p.redate_due)), "\n");
  absl::StrAppend(&s, "outOfTimescale,", p.out_of_timescale, ",", p.postponed_reviews, ",",
                  CsvP(Percent(p.out_of_timescale, p.postponed_reviews)), "\n");
  out.push_back({"postponements.csv", s});
  s = "code,reviews\n";
  for (const auto& [k, v] : r.participation) absl::StrAppend(&s, k, ",", v, "\n");
  out.push_back({"participation.csv", s});
  s = "rule,findings\n";
  for (const auto& [k, v] : r.findings) absl::StrAppend(&s, k, ",", v, "\n");
  out.push_back({"findings.csv", s});
  s = "caseId,rule,reviewId,due,status,daysOverdue,iro,team\n";
  for (const auto& q : r.pending)
    absl::StrAppend(&s, Csv(q.case_id), ",", q.rule, ",", Csv(q.review_id), ",", FormatDate(q.due), ",",
                    q.overdue ? "OVERDUE" : "DUE_SOON", ",", q.days_overdue, ",", Csv(q.iro), ",",
                    Csv(q.team), "\n");
  out.push_back({"pending.csv", s});
  s = "group,name,overdue,dueSoon\n";
  for (const auto& [k, v] : r.by_iro) absl::StrAppend(&s, "iro,", Csv(k), ",", v.overdue, ",", v.due_soon, "\n");
  for (const auto& [k, v] : r.by_team) absl::StrAppend(&s, "team,", Csv(k), ",", v.overdue, ",", v.due_soon, "\n");
  out.push_back({"workload.csv", s});
  s = "month,held,onTime,onTimePct\n";
  for (const auto& m : r.trend)
    absl::StrAppend(&s, MonthName(m), ",", m.held, ",", m.on_time, ",", CsvP(Percent(m.on_time, m.held)), "\n");
  out.push_back({"trend.csv", s});
  const PlacementStability& st = r.stability;
  s = "measure,count,of,pct,from,to\n";
  absl::StrAppend(&s, "threeOrMorePlacements,", st.three_or_more, ",", st.looked_after, ",",
                  CsvP(Percent(st.three_or_more, st.looked_after)), ",",
                  FormatDate(st.year_from), ",", FormatDate(st.to), "\n");
  absl::StrAppend(&s, "longTermStable,", st.long_term_stable, ",", st.long_term, ",",
                  CsvP(Percent(st.long_term_stable, st.long_term)), ",,", FormatDate(st.to), "\n");
  absl::StrAppend(&s, "placedForAdoption,", st.placed_for_adoption, ",", st.long_term, ",",
                  CsvP(Percent(st.placed_for_adoption, st.long_term)), ",,", FormatDate(st.to),
                  "\n");
  absl::StrAppend(&s, "noDateOfBirth,", st.long_term_no_date_of_birth, ",,,,", FormatDate(st.to),
                  "\n");
  out.push_back({"stability.csv", s});
  s = "caseId,erasedOn,authority,events,firstRecorded\n";
  for (const auto& e : r.erased) {
    absl::StrAppend(&s, Csv(e.case_id), ",", FormatDate(e.erased_on), ",", Csv(e.authority), ",",
                    e.events, ",", FormatDate(e.first_recorded), "\n");
  }
  out.push_back({"erased.csv", s});
  return out;
}

std::string RenderQaHtml(const QaReport& r) {
  const auto& p = r.postponements;
  std::string o = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Review timeliness QA report ", FormatDate(r.from), " to ", FormatDate(r.to),
      "</title><style>", kCss, "</style></head><body>\n<h1>Review timeliness: quality assurance report</h1>"
      "<div class=\"sub\">Period ", FormatDate(r.from), " to ", FormatDate(r.to),
      " (obligations as they stood at the end of ", FormatDate(r.to), "). Produced by carelog.</div>\n");
  static const std::map<std::string, std::string> labels = {
      {"reviewsHeld", "reviews held"},
      {"reviewsOnTimePct", "% reviews within timescale"},
      {"ni66Children", "children looked after 4+ weeks (NI 66 shape)"},
      {"ni66OnTimePct", "% of them with every review on time"},
      {"tasksDue", "pre/post-review tasks due"},
      {"tasksOnTimePct", "% tasks on time"},
      {"postponementsRequested", "postponements requested"},
      {"postponementsWithNoticePct", "% postponements with 5+ working days' notice"},
      {"overdueNow", "obligations overdue now"},
      {"dueSoon", "due in the next 10 working days"},
      {"reviewsOutsidePeriod", "reviews held outside a period of care"},
      {"placements3Plus", "children looked after with 3+ placements in the year"},
      {"placements3PlusPct", "% of children looked after with 3+ placements"},
      {"longTermStable", "under 16s looked after 2.5+ years, same placement 2+ years or placed for adoption"},
      {"longTermStablePct", "% of under 16s looked after 2.5+ years in a stable placement"},
  };
  absl::StrAppend(&o, "<h2>Headline figures</h2><div class=\"figures\" id=\"headline\">");
  for (const auto& [k, v] : QaHeadline(r)) {
    absl::StrAppend(&o, "<div class=\"figure\"><span class=\"v\" data-figure=\"", k, "\">", H(v),
                    "</span><span class=\"l\">", H(labels.at(k)), "</span></div>");
  }
  absl::StrAppend(&o, "</div>\n<h2>Monthly trend</h2>", TrendChart(r));

  absl::StrAppend(&o, "\n<h2>Reviews held in the period</h2><table id=\"reviews\"><tr><th>review</th><th>held</th><th>within timescale</th><th>%</th></tr>");
  for (const auto& l : r.reviews)
    absl::StrAppend(&o, "<tr><td>", H(l.rule), "</td><td class=\"n\">", l.held, "</td><td class=\"n\">",
                    l.on_time, "</td><td class=\"n\">", PercentText(Percent(l.on_time, l.held)), "</td></tr>");
  absl::StrAppend(&o, "<tr><th>all</th><th class=\"n\">", r.reviews_held, "</th><th class=\"n\">",
                  r.reviews_on_time, "</th><th class=\"n\">",
                  PercentText(Percent(r.reviews_on_time, r.reviews_held)), "</th></tr></table>");
  absl::StrAppend(&o, "<p>NI 66 shape: ", r.ni66_on_time, " of ", r.ni66_children,
                  " children looked after for at least 4 weeks had every review due in the period on time (",
                  PercentText(Percent(r.ni66_on_time, r.ni66_children)), "%).</p>");

  const PlacementStability& st = r.stability;
  absl::StrAppend(
      &o, "\n<h2>Placement stability</h2><table id=\"stability\"><tr><th>measure</th><th>children</th><th>of</th><th>%</th></tr>",
      "<tr><td>looked after at ", FormatDate(st.to), " with 3 or more placements in ",
      FormatDate(st.year_from), " to ", FormatDate(st.to), "</td><td class=\"n\">", st.three_or_more,
      "</td><td class=\"n\">", st.looked_after, "</td><td class=\"n\">",
      PercentText(Percent(st.three_or_more, st.looked_after)), "</td></tr>",
      "<tr><td>under 16, looked after 2.5+ years: same placement 2+ years or placed for adoption</td><td class=\"n\">",
      st.long_term_stable, "</td><td class=\"n\">", st.long_term, "</td><td class=\"n\">",
      PercentText(Percent(st.long_term_stable, st.long_term)), "</td></tr>",
      "<tr><td>of them placed for adoption (A3-A6)</td><td class=\"n\">", st.placed_for_adoption,
      "</td><td class=\"n\">", st.long_term, "</td><td class=\"n\">",
      PercentText(Percent(st.placed_for_adoption, st.long_term)), "</td></tr></table>");
  if (st.long_term_no_date_of_birth > 0)
    absl::StrAppend(&o, "<p>Children looked after 2.5+ years with no date of birth recorded: ",
                    st.long_term_no_date_of_birth, " (in neither long-term figure).</p>");

  absl::StrAppend(&o, "\n<h2>Pre- and post-review tasks</h2><table id=\"tasks\"><tr><th>task</th><th>due</th><th>on time</th><th>late</th><th>overdue</th><th>% on time</th></tr>");
  for (const auto& t : r.tasks)
    absl::StrAppend(&o, "<tr><td>", H(t.rule), ShortNoticeNote(t), "</td><td class=\"n\">", t.due, "</td><td class=\"n\">", t.met,
                    "</td><td class=\"n\">", t.met_late, "</td><td class=\"n\">", t.overdue,
                    "</td><td class=\"n\">", PercentText(Percent(t.met, t.due)), "</td></tr>");
  absl::StrAppend(&o, "</table>");

  absl::StrAppend(&o, "\n<h2>Postponements</h2>");
  std::vector<Bar> by;
  double max_by = 1;
  for (const auto& [k, v] : p.by_requester) max_by = std::max(max_by, static_cast<double>(v));
  for (const std::string role : {"SOCIAL_WORKER", "IRO"}) {
    const auto it = p.by_requester.find(role);
    const int64_t v = it == p.by_requester.end() ? 0 : it->second;
    by.push_back({absl::StrCat("asked by ", RequesterLabel(role)), static_cast<double>(v), absl::StrCat(v)});
  }
  for (const auto& [k, v] : p.by_requester) {
    if (k == "SOCIAL_WORKER" || k == "IRO") continue;
    by.push_back({absl::StrCat("asked by ", RequesterLabel(k)), static_cast<double>(v), absl::StrCat(v)});
  }
  absl::StrAppend(&o, BarChart("chart-postponements-by", "Postponement requests by who asked", by, max_by));
  auto pct_bar = [](const std::string& label, int64_t num, int64_t den) {
    auto pc = Percent(num, den);
    return Bar{label, pc.value_or(0), absl::StrCat(PercentText(pc), "% (", num, " of ", den, ")")};
  };
  absl::StrAppend(&o, BarChart("chart-postponements", "Postponements: practice (%)",
                               {pct_bar("5+ working days' notice", p.with_notice, p.requested),
                                pct_bar("approved by Service Manager", p.approved_by_service_manager, p.approvals),
                                pct_bar("re-dated within 3 working days", p.redated_on_time, p.redate_due),
                                pct_bar("pushed out of timescale", p.out_of_timescale, p.postponed_reviews)},
                               100));

  absl::StrAppend(&o, "\n<h2>Child participation</h2>");
  std::vector<Bar> pn;
  double max_pn = 1;
  for (const auto& [k, v] : r.participation) max_pn = std::max(max_pn, static_cast<double>(v));
  for (int i = 0; i <= 7; ++i) {
    const std::string code = absl::StrCat("PN", i);
    auto it = r.participation.find(code);
    const int64_t v = it == r.participation.end() ? 0 : it->second;
    pn.push_back({code, static_cast<double>(v), absl::StrCat(v)});
  }
  for (const auto& [k, v] : r.participation) {
    if (k.size() == 3 && k.rfind("PN", 0) == 0 && k[2] >= '0' && k[2] <= '7') continue;
    pn.push_back({k, static_cast<double>(v), absl::StrCat(v)});
  }
  absl::StrAppend(&o, BarChart("chart-participation", "Reviews by participation code (PN)", pn, max_pn));

  absl::StrAppend(&o, "\n<h2>Findings by rule</h2><table id=\"findings\"><tr><th>rule</th><th>findings</th></tr>");
  for (const auto& [k, v] : r.findings)
    absl::StrAppend(&o, "<tr><td>", H(k), "</td><td class=\"n\">", v, "</td></tr>");
  absl::StrAppend(&o, "</table>");

  absl::StrAppend(&o, "\n<h2>Overdue and due soon</h2><table id=\"by-iro\"><tr><th>IRO</th><th>overdue</th><th>due soon</th></tr>");
  for (const auto& [k, v] : r.by_iro)
    absl::StrAppend(&o, "<tr><td>", H(k), "</td><td class=\"n\">", v.overdue, "</td><td class=\"n\">", v.due_soon, "</td></tr>");
  absl::StrAppend(&o, "</table><table id=\"by-team\"><tr><th>team</th><th>overdue</th><th>due soon</th></tr>");
  for (const auto& [k, v] : r.by_team)
    absl::StrAppend(&o, "<tr><td>", H(k), "</td><td class=\"n\">", v.overdue, "</td><td class=\"n\">", v.due_soon, "</td></tr>");
  absl::StrAppend(&o, "</table>");
  constexpr size_t kMaxRows = 500;
  absl::StrAppend(&o, "<table id=\"overdue\"><tr><th>child</th><th>obligation</th><th>review</th><th>due</th><th>days overdue</th><th>IRO</th><th>team</th></tr>");
  for (size_t i = 0; i < r.pending.size() && i < kMaxRows; ++i) {
    const auto& q = r.pending[i];
    absl::StrAppend(&o, "<tr><td>", H(q.case_id), "</td><td>", H(q.rule), "</td><td>", H(q.review_id),
                    "</td><td>", FormatDate(q.due), "</td><td class=\"n\">",
                    q.overdue ? absl::StrCat(q.days_overdue) : std::string("due soon"), "</td><td>",
                    H(q.iro), "</td><td>", H(q.team), "</td></tr>");
  }
  absl::StrAppend(&o, "</table>");
  if (r.pending.size() > kMaxRows)
    absl::StrAppend(&o, "<p>", r.pending.size() - kMaxRows,
                    " more rows are in the CSV and JSON forms of this report.</p>");

  if (!r.erased.empty()) {
    absl::StrAppend(&o, "\n<h2>Erased cases</h2><p>", r.erased.size(),
                    r.erased.size() == 1 ? " case was" : " cases were",
                    " erased before this report was made. Their records can no longer be read, so "
                    "every figure above leaves them out. A report of this period made while a "
                    "case could still be read (from its first recorded event to its erasure) may "
                    "have counted it, so figures published then can differ from these.</p>"
                    "<table id=\"erased\"><tr><th>child</th><th>first recorded</th>"
                    "<th>erased on</th><th>authority</th><th>events</th></tr>");
    for (const auto& e : r.erased) {
      absl::StrAppend(&o, "<tr><td>", H(e.case_id), "</td><td>", FormatDate(e.first_recorded),
                      "</td><td>", FormatDate(e.erased_on), "</td><td>",
                      e.authority.empty() ? "retention ended" : H(e.authority),
                      "</td><td class=\"n\">", e.events, "</td></tr>");
    }
    absl::StrAppend(&o, "</table>");
  }

  absl::StrAppend(&o, "\n<h2>Definitions</h2><dl>");
  for (const auto& [k, v] : QaDefinitions())
    absl::StrAppend(&o, "<dt>", H(k), "</dt><dd>", H(v), "</dd>");
  absl::StrAppend(&o, "</dl></body></html>\n");
  return o;
}

}  // namespace carelog
