#include "projections/deadlines_format.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/escape.h"

namespace carelog {
namespace {

struct Row {
  const Obligation* o;
  int days;  // overdue (calendar days) or working days left
};

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

std::string RenderDeadlinesTable(const std::vector<CaseDeadlines>& cases, absl::CivilDay as_of,
                                 const Calendar& cal) {
  std::vector<Row> overdue, soon;
  int later = 0, met = 0, met_late = 0, closed = 0;
  for (const CaseDeadlines& c : cases) {
    const absl::CivilDay horizon = cal.AddWorkingDays(c.division, as_of, 10);
    for (const Obligation& o : c.obligations) {
      switch (o.status) {
        case ObligationStatus::kOverdue:
          overdue.push_back({&o, static_cast<int>(as_of - o.due)});
          break;
        case ObligationStatus::kOpen:
          if (o.due <= horizon) {
            soon.push_back({&o, cal.WorkingDaysBetween(c.division, as_of, o.due)});
          } else {
            ++later;
          }
          break;
        case ObligationStatus::kMet: ++met; break;
        case ObligationStatus::kMetLate: ++met_late; break;
        case ObligationStatus::kClosed: ++closed; break;
      }
    }
  }
  std::sort(overdue.begin(), overdue.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(-a.days, a.o->case_id, a.o->rule_id, a.o->review_id) <
           std::make_tuple(-b.days, b.o->case_id, b.o->rule_id, b.o->review_id);
  });
  std::sort(soon.begin(), soon.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(a.o->due, a.o->case_id, a.o->rule_id, a.o->review_id) <
           std::make_tuple(b.o->due, b.o->case_id, b.o->rule_id, b.o->review_id);
  });
  std::string out = absl::StrCat("Deadlines as at ", FormatDate(as_of), "\n\n");
  absl::StrAppend(&out, "OVERDUE (", overdue.size(), ")\n");
  if (!overdue.empty()) {
    absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12s  %s\n", "CASE", "RULE", "REVIEW",
                          "DUE", "DAYS OVERDUE", "SOURCE");
    for (const Row& r : overdue) {
      absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12d  %s\n", r.o->case_id,
                            r.o->rule_id, r.o->review_id, FormatDate(r.o->due), r.days,
                            SourceText(*r.o));
    }
  }
  absl::StrAppend(&out, "\nDUE IN THE NEXT 10 WORKING DAYS (", soon.size(), ")\n");
  if (!soon.empty()) {
    absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12s  %s\n", "CASE", "RULE", "REVIEW",
                          "DUE", "WORKING DAYS", "SOURCE");
    for (const Row& r : soon) {
      absl::StrAppendFormat(&out, "  %-12s %-34s %-10s %-10s %12d  %s\n", r.o->case_id,
                            r.o->rule_id, r.o->review_id, FormatDate(r.o->due), r.days,
                            SourceText(*r.o));
    }
  }
  absl::StrAppendFormat(&out, "\nOTHERS: %d open later, %d met, %d met late, %d closed\n", later,
                        met, met_late, closed);
  return out;
}

}  // namespace carelog
