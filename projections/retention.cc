#include "projections/retention.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/calendar.h"
#include "engine/event_time.h"
#include "projections/deadlines.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string DayText(std::optional<absl::CivilDay> d) {
  return d ? absl::FormatCivilTime(*d) : std::string();
}

}  // namespace

const char* BasisName(CaseRetention::Basis basis) {
  switch (basis) {
    case CaseRetention::Basis::kBirth: return "birth";
    case CaseRetention::Basis::kDeath: return "death";
    case CaseRetention::Basis::kUnknown: break;
  }
  return "unknown";
}

absl::CivilDay AddYears(absl::CivilDay day, int years) {
  const absl::civil_year_t y = day.year() + years;
  // CivilDay normalises 29 February of a common year to 1 March.
  return absl::CivilDay(y, day.month(), day.day());
}

CaseRetention WorkOutRetention(std::string case_id, std::string pack,
                               const std::vector<v1::Event>& events,
                               const v1::RecordRetention* rule) {
  CaseRetention r;
  r.case_id = std::move(case_id);
  r.pack = std::move(pack);
  const std::vector<v1::Event> corrected = ApplyCorrections(events);
  for (const DatedEvent& d : InEffectiveOrder(corrected)) {
    const v1::Event& e = *d.event;
    std::string_view born;
    switch (e.payload_case()) {
      case v1::Event::kChildRegistered: born = e.child_registered().date_of_birth(); break;
      case v1::Event::kChildAccommodated: born = e.child_accommodated().date_of_birth(); break;
      case v1::Event::kChildDied: r.date_of_death = d.day; break;
      default: break;
    }
    if (!born.empty()) {
      if (auto b = ParseDate(born); b.ok()) r.date_of_birth = *b;
    }
  }
  if (rule == nullptr) {
    r.why_unknown = absl::StrCat("pack '", r.pack, "' has no retention rule");
    return r;
  }
  r.rule_id = rule->id();
  r.rule_text = rule->description();
  r.source = rule->source().section().empty()
                 ? rule->source().document()
                 : absl::StrCat(rule->source().document(), ", ", rule->source().section());
  if (!r.date_of_birth) {
    r.why_unknown = r.date_of_death ? "date of birth not recorded (the child died: whether "
                                      "before 18 decides the rule)"
                                    : "date of birth not recorded";
    return r;
  }
  if (r.date_of_death && *r.date_of_death < AddYears(*r.date_of_birth, rule->died_before_age())) {
    r.basis = CaseRetention::Basis::kDeath;
    r.destroy_from = AddYears(*r.date_of_death, rule->years_after_death());
  } else {
    r.basis = CaseRetention::Basis::kBirth;
    r.destroy_from = AddYears(*r.date_of_birth, rule->years_after_birth());
  }
  return r;
}

std::string RenderRetentionTable(const std::vector<CaseRetention>& cases,
                                 const std::vector<CaseRetention>& unknown, absl::CivilDay as_of,
                                 bool all) {
  std::string out = absl::StrFormat("%-16s %-10s %-10s %-10s %-6s %-7s %s\n", "CASE", "BORN",
                                    "DIED", "DESTROY", "BASIS", "ENDED", "RULE (SOURCE)");
  size_t ended = 0;
  for (const CaseRetention& r : cases) {
    ended += r.EndedBy(as_of) ? 1 : 0;
    absl::StrAppendFormat(&out, "%-16s %-10s %-10s %-10s %-6s %-7s %s (%s)\n",
                          TerminalSafe(r.case_id), DayText(r.date_of_birth),
                          r.date_of_death ? DayText(r.date_of_death) : "-",
                          DayText(r.destroy_from), BasisName(r.basis),
                          r.EndedBy(as_of) ? "yes" : "no", TerminalSafe(r.rule_id),
                          TerminalSafe(r.source));
  }
  for (const CaseRetention& r : unknown) {
    absl::StrAppendFormat(&out, "%-16s %-10s %-10s %-10s %-6s %-7s %s\n", TerminalSafe(r.case_id),
                          "-", r.date_of_death ? DayText(r.date_of_death) : "-", "-", "-", "?",
                          TerminalSafe(r.why_unknown));
  }
  absl::StrAppendFormat(&out, "%d case%s whose retention period had ended by %s",
                        static_cast<int>(ended), ended == 1 ? "" : "s",
                        absl::FormatCivilTime(as_of));
  if (all) absl::StrAppendFormat(&out, " (of %d listed)", static_cast<int>(cases.size()));
  absl::StrAppendFormat(&out, "; %d whose period cannot be worked out\n",
                        static_cast<int>(unknown.size()));
  return out;
}

std::string RenderRetentionJson(const std::vector<CaseRetention>& cases,
                                const std::vector<CaseRetention>& unknown, absl::CivilDay as_of) {
  auto field = [](std::string* out, const char* name, std::string_view value, bool first = false) {
    if (!first) out->push_back(',');
    AppendJsonString(name, out);
    out->push_back(':');
    AppendJsonString(value, out);
  };
  auto date = [&](std::string* out, const char* name, std::optional<absl::CivilDay> d) {
    out->push_back(',');
    AppendJsonString(name, out);
    out->push_back(':');
    if (d) {
      AppendJsonString(absl::FormatCivilTime(*d), out);
    } else {
      out->append("null");
    }
  };
  std::string out = "{";
  field(&out, "asOf", absl::FormatCivilTime(as_of), true);
  out.append(",\"cases\":[");
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaseRetention& r = cases[i];
    if (i) out.push_back(',');
    out.push_back('{');
    field(&out, "caseId", r.case_id, true);
    field(&out, "pack", r.pack);
    date(&out, "dateOfBirth", r.date_of_birth);
    date(&out, "dateOfDeath", r.date_of_death);
    field(&out, "basis", BasisName(r.basis));
    date(&out, "destroyFrom", r.destroy_from);
    absl::StrAppend(&out, ",\"ended\":", r.EndedBy(as_of) ? "true" : "false");
    field(&out, "rule", r.rule_id);
    field(&out, "ruleText", r.rule_text);
    field(&out, "source", r.source);
    out.push_back('}');
  }
  out.append("],\"unknown\":[");
  for (size_t i = 0; i < unknown.size(); ++i) {
    const CaseRetention& r = unknown[i];
    if (i) out.push_back(',');
    out.push_back('{');
    field(&out, "caseId", r.case_id, true);
    field(&out, "pack", r.pack);
    date(&out, "dateOfDeath", r.date_of_death);
    field(&out, "why", r.why_unknown);
    out.push_back('}');
  }
  out.append("]}\n");
  return out;
}

}  // namespace carelog
