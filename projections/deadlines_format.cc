#include "projections/deadlines_format.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/escape.h"

namespace carelog {
namespace {

}  // namespace

std::string SourceText(const Obligation& o) {
  if (o.source_section.empty()) return o.source_document;
  return absl::StrCat(o.source_document, ", ", o.source_section);
}

namespace {

// FormatDate fits the short-string buffer: no allocation per date.
void AppendDate(absl::CivilDay day, std::string* out) { out->append(FormatDate(day)); }

}  // namespace

void AppendDeadlinesJson(const CaseDeadlines& d, std::string* out, bool* first) {
  for (const Obligation& o : d.obligations) {
    if (!*first) out->push_back(',');
    *first = false;
    out->append("{\"caseId\":");
    AppendJsonString(o.case_id, out);
    out->append(",\"rule\":");
    AppendJsonString(o.rule_id, out);
    out->append(",\"due\":\"");
    AppendDate(o.due, out);
    out->append("\",\"status\":\"");
    out->append(ObligationStatusName(o.status));
    out->push_back('"');
    if (o.met_on) {
      out->append(",\"metOn\":\"");
      AppendDate(*o.met_on, out);
      out->push_back('"');
    }
    if (!o.review_id.empty()) {
      out->append(",\"reviewId\":");
      AppendJsonString(o.review_id, out);
    }
    // SourceText(o), without building it.
    out->append(",\"source\":\"");
    AppendJsonChars(o.source_document, out);
    if (!o.source_section.empty()) {
      out->append(", ");
      AppendJsonChars(o.source_section, out);
    }
    out->append("\"}");
  }
}

std::string DeadlinesJsonJoin::CaseText(const CaseDeadlines& d) {
  std::string text;
  bool first = true;
  AppendDeadlinesJson(d, &text, &first);
  return text;
}

void DeadlinesJsonJoin::Add(std::string_view case_text, std::string* out) {
  if (case_text.empty()) return;
  if (!first_) out->push_back(',');
  first_ = false;
  out->append(case_text);
}

void AppendDeadlinesCsvHeader(std::string* out) {
  out->append("caseId,rule,due,status,metOn,reviewId,source\n");
}

void AppendDeadlinesCsv(const CaseDeadlines& d, std::string* out) {
  for (const Obligation& o : d.obligations) {
    AppendCsvField(o.case_id, out);
    out->push_back(',');
    AppendCsvField(o.rule_id, out);
    out->push_back(',');
    AppendDate(o.due, out);
    out->push_back(',');
    out->append(ObligationStatusName(o.status));
    out->push_back(',');
    if (o.met_on) AppendDate(*o.met_on, out);
    out->push_back(',');
    AppendCsvField(o.review_id, out);
    out->push_back(',');
    AppendCsvField(SourceText(o), out);
    out->push_back('\n');
  }
}

DeadlinesTable::DeadlinesTable(absl::CivilDay as_of, const Calendar& cal)
    : as_of_(as_of), cal_(cal) {}

void DeadlinesTable::Add(const CaseDeadlines& c) {
  const absl::CivilDay horizon = cal_.AddWorkingDays(c.division, as_of_, 10);
  for (const Obligation& o : c.obligations) {
    switch (o.status) {
      case ObligationStatus::kOverdue:
        overdue_.push_back({o.case_id, o.rule_id, o.review_id, o.due,
                            static_cast<int>(as_of_ - o.due), SourceText(o)});
        break;
      case ObligationStatus::kOpen:
        if (o.due <= horizon) {
          soon_.push_back({o.case_id, o.rule_id, o.review_id, o.due,
                           cal_.WorkingDaysBetween(c.division, as_of_, o.due), SourceText(o)});
        } else {
          ++later_;
        }
        break;
      case ObligationStatus::kMet: ++met_; break;
      case ObligationStatus::kMetLate: ++met_late_; break;
      case ObligationStatus::kClosed: ++closed_; break;
    }
  }
}

std::string DeadlinesTable::Render() {
  std::sort(overdue_.begin(), overdue_.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(-a.days, a.case_id, a.rule_id, a.review_id) <
           std::make_tuple(-b.days, b.case_id, b.rule_id, b.review_id);
  });
  std::sort(soon_.begin(), soon_.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(a.due, a.case_id, a.rule_id, a.review_id) <
           std::make_tuple(b.due, b.case_id, b.rule_id, b.review_id);
  });
  std::string out = absl::StrCat("Deadlines as at ", FormatDate(as_of_), "\n\n");
  absl::StrAppend(&out, "OVERDUE (", overdue_.size(), ")\n");
  if (!overdue_.empty()) {
    absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12s  %s\n", "CASE", "RULE", "REVIEW",
                          "DUE", "DAYS OVERDUE", "SOURCE");
    for (const Row& r : overdue_) {
      absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12d  %s\n",
                            TerminalSafe(r.case_id), r.rule_id, TerminalSafe(r.review_id),
                            FormatDate(r.due), r.days, r.source);
    }
  }
  absl::StrAppend(&out, "\nDUE IN THE NEXT 10 WORKING DAYS (", soon_.size(), ")\n");
  if (!soon_.empty()) {
    absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12s  %s\n", "CASE", "RULE", "REVIEW",
                          "DUE", "WORKING DAYS", "SOURCE");
    for (const Row& r : soon_) {
      absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12d  %s\n",
                            TerminalSafe(r.case_id), r.rule_id, TerminalSafe(r.review_id),
                            FormatDate(r.due), r.days, r.source);
    }
  }
  absl::StrAppendFormat(&out, "\nOTHERS: %d open later, %d met, %d met late, %d closed\n", later_,
                        met_, met_late_, closed_);
  return out;
}

std::string RenderDeadlinesTable(const std::vector<CaseDeadlines>& cases, absl::CivilDay as_of,
                                 const Calendar& cal) {
  DeadlinesTable table(as_of, cal);
  for (const CaseDeadlines& c : cases) table.Add(c);
  return table.Render();
}

}  // namespace carelog
