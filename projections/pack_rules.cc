#include "projections/pack_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/calendar.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string Plural(int n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

std::string AmountText(const v1::Rule& r) {
  const int n = r.amount();
  switch (r.unit()) {
    case v1::WORKING_DAYS: return Plural(n, "working day", "working days");
    case v1::DAYS: return Plural(n, "day", "days");
    case v1::WEEKS: return Plural(n, "week", "weeks");
    case v1::MONTHS: return Plural(n, "month", "months");
    case v1::HOURS: return Plural(n, "hour", "hours");
    default: return absl::StrCat(n);
  }
}

std::string Ordinal(int n) {
  const int tens = n % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : n % 10 == 1               ? "st"
                       : n % 10 == 2               ? "nd"
                       : n % 10 == 3               ? "rd"
                                                   : "th";
  return absl::StrCat(n, suffix);
}

std::string Roles(const google::protobuf::RepeatedPtrField<std::string>& roles) {
  return absl::StrJoin(roles, ", ");
}

std::string StageText(v1::ReviewStage s) {
  return absl::StrCat("the ", v1::ReviewStage_Name(s), " review");
}

// Which review a review-scoped or milestone rule is about, as a suffix.
std::string WhichReview(const v1::Rule& r) {
  std::vector<std::string> parts;
  if (r.review_stage() != v1::REVIEW_STAGE_UNSPECIFIED) {
    parts.push_back(absl::StrCat("only ", StageText(r.review_stage()),
                                 r.review_number() > 0
                                     ? absl::StrCat(" (else the ", Ordinal(r.review_number()),
                                                    " review held)")
                                     : ""));
  } else if (r.review_number() > 0) {
    parts.push_back(absl::StrCat("only the ", Ordinal(r.review_number()), " review held"));
  }
  if (r.review_format() != v1::REVIEW_FORMAT_UNSPECIFIED) {
    parts.push_back(absl::StrCat(v1::ReviewFormat_Name(r.review_format()), " reviews only"));
  }
  return parts.empty() ? "" : absl::StrCat(" (", absl::StrJoin(parts, "; "), ")");
}

// A milestone counted from the start of the period (002's PACE track): the
// review named is the one that meets it, not the trigger.
bool MilestoneMetByReview(const v1::Rule& r) {
  return r.trigger() == v1::PERIOD_STARTED && r.met_by() == "reviewHeld";
}

std::string TriggerText(const v1::Rule& r) {
  std::string t;
  switch (r.trigger()) {
    case v1::PERIOD_STARTED: t = "the child becomes looked after (childAccommodated)"; break;
    case v1::IRO_NOTIFIED: t = "the IRO service is first notified (iroServiceNotified)"; break;
    case v1::FIRST_REVIEW_HELD: t = "the first review of the period is held"; break;
    case v1::LATER_REVIEW_HELD: t = "each later review of the period is held"; break;
    case v1::REVIEW_HELD: t = "a review is held (reviewHeld)"; break;
    case v1::REVIEW_SCHEDULED_DATE: t = "a review is scheduled (its current scheduled date)"; break;
    case v1::POSTPONEMENT_APPROVED:
      t = "a review's postponement is approved (reviewPostponementApproved)";
      break;
    case v1::SIGNIFICANT_EVENT: t = "a significant event is reported (significantEventReported)"; break;
    case v1::EVENT: t = absl::StrCat("each ", r.trigger_event()); break;
    case v1::EMERGENCY_POSTPONEMENT:
      t = absl::StrCat("an emergency postponement on the review's day",
                       r.emergency_roles().empty() ? ""
                                                   : absl::StrCat(" by ", Roles(r.emergency_roles())));
      break;
    default: t = v1::Trigger_Name(r.trigger()); break;
  }
  return MilestoneMetByReview(r) ? t : absl::StrCat(t, WhichReview(r));
}

std::string CheckText(const v1::Rule& r) {
  switch (r.check()) {
    case v1::POSTPONEMENT_NOTICE:
      return absl::StrCat(
          "a postponement requested with less notice than this before the review",
          r.exempt_emergency()
              ? absl::StrCat(" (the emergency route",
                             r.emergency_roles().empty()
                                 ? ""
                                 : absl::StrCat(", an on-the-day postponement by ",
                                                Roles(r.emergency_roles())),
                             ", is exempt)")
              : "");
    case v1::POSTPONEMENT_APPROVER:
      return absl::StrCat("a postponement approved by someone other than ", Roles(r.roles()));
    case v1::POSTPONEMENT_IRO_CONSULTED:
      return "a postponement approved without the IRO consulted";
    case v1::REDATED_AFTER_STATUTORY_DUE:
      return "a postponed review re-dated after its statutory due date";
    case v1::CARE_PLAN_AUTHORISED:
      return "a review held with no care plan authorised at least this long before it";
    case v1::ANNUAL_REVIEW_MEETING:
      return "under reduced meetings, a review held with no review meeting in this time before it";
    case v1::REDUCED_MEETING_ELIGIBILITY: {
      std::vector<std::string> need;
      if (!r.roles().empty()) need.push_back(absl::StrCat("agreed by all of ", Roles(r.roles())));
      if (r.require_long_term()) need.push_back("a placement designated long-term");
      if (r.amount() > 0) need.push_back(absl::StrCat("at least ", AmountText(r), " in it"));
      if (r.exclude_connected_person()) need.push_back("not a connected-person placement");
      if (r.require_panel_approval()) need.push_back("panel approval");
      return absl::StrCat("a reduced-meeting arrangement agreed without: ",
                          absl::StrJoin(need, "; "));
    }
    case v1::RECORDED_LATE:
      return absl::StrCat("an event recorded more than this after it happened",
                          r.roles().empty() ? "" : absl::StrCat(" (except by ", Roles(r.roles()), ")"));
    case v1::CEASE_APPROVAL:
      return absl::StrCat("ceasing to be looked after with no ceaseApproved",
                          r.roles().empty() ? "" : absl::StrCat(" by ", Roles(r.roles())),
                          " before it",
                          r.amount() > 0 ? absl::StrCat(", after a period of at least ",
                                                        AmountText(r))
                                         : "");
    default: return v1::Check_Name(r.check());
  }
}

std::string AppliesText(const v1::Rule& r) {
  const v1::Applies& a = r.applies();
  std::vector<std::string> w;
  if (!a.legal_status().empty()) {
    w.push_back(absl::StrCat("legal status ", absl::StrJoin(a.legal_status(), " or ")));
  }
  if (!a.not_legal_status().empty()) {
    w.push_back(absl::StrCat("legal status not ", absl::StrJoin(a.not_legal_status(), " or ")));
  }
  if (!a.placement_type().empty()) {
    w.push_back(absl::StrCat("placement type ", absl::StrJoin(a.placement_type(), " or ")));
  }
  if (a.emergency_placement()) w.push_back("an emergency placement");
  if (a.short_term_placement()) w.push_back("a short-term placement");
  if (a.not_short_term_placement()) w.push_back("not a short-term placement");
  if (a.reduced_meetings()) w.push_back("under a reduced-meeting arrangement");
  if (a.unplanned_ending()) w.push_back("an unplanned ending");
  if (!a.ceased_reason().empty()) {
    w.push_back(absl::StrCat("reason ceased ", absl::StrJoin(a.ceased_reason(), " or ")));
  }
  if (a.plan_not_agreed()) w.push_back("the review agreed no plan");
  if (a.min_age() > 0) w.push_back(absl::StrCat("aged ", a.min_age(), " or over"));
  if (a.max_age() > 0) w.push_back(absl::StrCat("aged under ", a.max_age()));
  if (a.within_placement_months() > 0) {
    w.push_back(absl::StrCat("in the first ", Plural(a.within_placement_months(), "month", "months"),
                             " of the placement"));
  }
  if (a.after_placement_months() > 0) {
    w.push_back(absl::StrCat("after the first ", Plural(a.after_placement_months(), "month", "months"),
                             " of the placement"));
  }
  if (r.placement_scoped()) {
    w.push_back("belongs to the placement current at the trigger (closes when it ends)");
  }
  if (!r.group().empty()) {
    w.push_back(absl::StrCat("one of group '", r.group(),
                             "': of those that apply, the earliest due date counts"));
  }
  return absl::StrJoin(w, "; ");
}

std::string TimescaleText(const v1::Rule& r) {
  if (r.until_next_review()) return "before the next review";
  std::string t;
  if (r.kind() == v1::FINDING && r.amount() == 0) return "";
  switch (r.direction()) {
    case v1::AFTER: t = absl::StrCat(AmountText(r), " after"); break;
    case v1::BEFORE: t = absl::StrCat(AmountText(r), " before the review"); break;
    default: t = AmountText(r); break;
  }
  if (r.short_notice() == v1::DUE_BEFORE_REVIEW) {
    absl::StrAppend(&t, "; booked at shorter notice: due the day before the review");
  }
  if (r.prior_act_window_working_days() > 0) {
    absl::StrAppend(&t, "; an act up to ",
                    Plural(r.prior_act_window_working_days(), "working day", "working days"),
                    " before it counts");
  }
  if (r.earlier_acts_count()) absl::StrAppend(&t, "; an earlier act in the period counts");
  return t;
}

std::string Heading(const ResolvedPack& pack, const PolicyRuleSet& v, absl::CivilDay on) {
  // VersionOn answers the earliest version for a day before any: say so.
  const std::string which =
      on < v.effective_from
          ? absl::StrCat("no version was in force on ", FormatDate(on), ": the earliest")
          : absl::StrCat("the version in force on ", FormatDate(on));
  return absl::StrCat("Pack '", pack.name, "' version ", v.number, ", in force from ",
                      FormatDate(v.effective_from), " (", which, "): ", v.rules.size(), " rules");
}

}  // namespace

std::string BasisText(v1::Basis basis) {
  switch (basis) {
    case v1::STATUTORY: return "statutory";
    case v1::PRACTICE: return "practice";
    case v1::CARELOG_DEFAULT: return "carelog default";
    default: return "unspecified";
  }
}

std::vector<PackRuleRow> PackRuleRows(const PolicyRuleSet& version) {
  std::vector<PackRuleRow> rows;
  for (const v1::Rule& r : version.rules) {
    PackRuleRow row;
    row.id = r.id();
    row.kind = r.kind() == v1::FINDING ? "finding" : "obligation";
    row.description = r.description();
    if (r.kind() == v1::FINDING) {
      row.meets = CheckText(r);
    } else {
      row.trigger = TriggerText(r);
      row.meets = MilestoneMetByReview(r) ? absl::StrCat(r.met_by(), WhichReview(r)) : r.met_by();
    }
    row.applies = AppliesText(r);
    row.timescale = TimescaleText(r);
    row.basis = r.basis();
    row.source_document = r.source().document();
    row.source_section = r.source().section();
    row.rule = &r;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string RenderPackRulesTable(const ResolvedPack& pack, absl::CivilDay on) {
  const PolicyRuleSet& v = pack.VersionOn(on);
  const std::vector<PackRuleRow> rows = PackRuleRows(v);
  size_t id_w = 2, time_w = 9;
  for (const PackRuleRow& r : rows) {
    id_w = std::max(id_w, r.id.size());
    time_w = std::max(time_w, std::min<size_t>(r.timescale.size(), 40));
  }
  std::string out = absl::StrCat(Heading(pack, v, on), "\n\n");
  const auto line = [&](const std::string& id, const std::string& kind, const std::string& time,
                        const std::string& basis, const std::string& source) {
    absl::StrAppend(&out, absl::StrFormat("%-*s  %-10s  %-*s  %-15s  %s\n", id_w, id, kind,
                                          time_w, time, basis, source));
  };
  line("id", "kind", "timescale", "basis", "source");
  for (const PackRuleRow& r : rows) {
    std::string source = r.source_document;
    if (!r.source_section.empty()) absl::StrAppend(&source, ", ", r.source_section);
    // A timescale too long for its column goes on a line of its own.
    const bool long_time = r.timescale.size() > time_w;
    line(r.id, r.kind, long_time ? "" : r.timescale, BasisText(r.basis), source);
    const auto detail = [&out](const std::string& label, const std::string& text) {
      if (!text.empty()) absl::StrAppend(&out, "    ", label, ": ", text, "\n");
    };
    if (long_time) detail("timescale", r.timescale);
    detail("what", r.description);
    detail("triggered by", r.trigger);
    detail("applies when", r.applies);
    detail(r.kind == "finding" ? "checks" : "met by", r.meets);
  }
  return TerminalSafeLines(out);
}

std::string RenderPackRulesCsv(const ResolvedPack& pack, absl::CivilDay on) {
  const PolicyRuleSet& v = pack.VersionOn(on);
  std::string out =
      "pack,packVersion,effectiveFrom,id,kind,description,trigger,appliesWhen,metByOrCheck,"
      "amount,unit,direction,timescale,basis,sourceDocument,sourceSection\n";
  for (const PackRuleRow& r : PackRuleRows(v)) {
    const v1::Rule& rule = *r.rule;
    const std::string fields[] = {
        pack.name,
        absl::StrCat(v.number),
        FormatDate(v.effective_from),
        r.id,
        r.kind,
        r.description,
        r.trigger,
        r.applies,
        r.meets,
        absl::StrCat(rule.amount()),
        rule.unit() == v1::TIME_UNIT_UNSPECIFIED ? "" : v1::TimeUnit_Name(rule.unit()),
        rule.direction() == v1::DIRECTION_UNSPECIFIED ? "" : v1::Direction_Name(rule.direction()),
        r.timescale,
        v1::Basis_Name(r.basis),
        r.source_document,
        r.source_section,
    };
    bool first = true;
    for (const std::string& f : fields) {
      if (!first) out.push_back(',');
      first = false;
      AppendCsvField(f, &out);
    }
    out.push_back('\n');
  }
  return out;
}

std::string RenderPackRulesJson(const ResolvedPack& pack, absl::CivilDay on) {
  const PolicyRuleSet& v = pack.VersionOn(on);
  std::string out = "{\"pack\":";
  AppendJsonString(pack.name, &out);
  absl::StrAppend(&out, ",\"version\":", v.number, ",\"effectiveFrom\":\"",
                  FormatDate(v.effective_from), "\",\"on\":\"", FormatDate(on), "\",\"rules\":[");
  bool first = true;
  for (const PackRuleRow& r : PackRuleRows(v)) {
    const v1::Rule& rule = *r.rule;
    absl::StrAppend(&out, first ? "\n" : ",\n", "{\"id\":");
    first = false;
    AppendJsonString(r.id, &out);
    const auto field = [&out](const std::string& key, const std::string& value) {
      absl::StrAppend(&out, ",\"", key, "\":");
      AppendJsonString(value, &out);
    };
    field("kind", r.kind);
    field("description", r.description);
    if (rule.kind() == v1::FINDING) {
      field("check", v1::Check_Name(rule.check()));
    } else {
      field("trigger", v1::Trigger_Name(rule.trigger()));
      if (!rule.trigger_event().empty()) field("triggerEvent", rule.trigger_event());
      field("metBy", rule.met_by());
    }
    if (rule.review_stage() != v1::REVIEW_STAGE_UNSPECIFIED) {
      field("reviewStage", v1::ReviewStage_Name(rule.review_stage()));
    }
    if (rule.review_number() > 0) absl::StrAppend(&out, ",\"reviewNumber\":", rule.review_number());
    absl::StrAppend(&out, ",\"amount\":", rule.amount());
    if (rule.unit() != v1::TIME_UNIT_UNSPECIFIED) field("unit", v1::TimeUnit_Name(rule.unit()));
    if (rule.direction() != v1::DIRECTION_UNSPECIFIED) {
      field("direction", v1::Direction_Name(rule.direction()));
    }
    if (rule.until_next_review()) absl::StrAppend(&out, ",\"untilNextReview\":true");
    if (rule.short_notice() != v1::SHORT_NOTICE_UNSPECIFIED) {
      field("shortNotice", v1::ShortNotice_Name(rule.short_notice()));
    }
    // In words, as the table shows them.
    field("triggerText", r.trigger);
    field("appliesWhen", r.applies);
    field("metByOrCheck", r.meets);
    field("timescale", r.timescale);
    field("basis", v1::Basis_Name(r.basis));
    absl::StrAppend(&out, ",\"source\":{\"document\":");
    AppendJsonString(r.source_document, &out);
    absl::StrAppend(&out, ",\"section\":");
    AppendJsonString(r.source_section, &out);
    absl::StrAppend(&out, "},\"packVersion\":", v.number, "}");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace carelog
