#include "projections/case_trail.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "google/protobuf/util/json_util.h"
#include "projections/deadlines_format.h"
#include "projections/escape.h"
#include "projections/pack_rules.h"
#include "store/base/time_format.h"
#include "store/base/hex.h"

namespace carelog {
namespace {

std::string Instant(const google::protobuf::Timestamp& ts) {
  return Rfc3339Utc(ToTime(ts));
}

void SortEffective(std::vector<CaseTrailEntry>& entries) {
  SortInEffectiveOrder(
      entries, [](const CaseTrailEntry& a) { return a.date; },
      [](const CaseTrailEntry& a) -> const v1::Event& { return a.event; });
}

// The pack with only its newest rules, in force from the start.
ResolvedPack CurrentRulesOnly(const ResolvedPack& pack) {
  ResolvedPack out = pack;
  PolicyRuleSet latest = pack.versions.back();
  latest.effective_from = pack.versions.front().effective_from;
  out.versions = {std::move(latest)};
  return out;
}

std::string PayloadJson(const v1::Event& e) {
  const auto* field = e.GetReflection()->GetOneofFieldDescriptor(
      e, v1::Event::descriptor()->FindOneofByName("payload"));
  if (field == nullptr) return "{}";
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(e.GetReflection()->GetMessage(e, field), &out);
  return out;
}

int64_t RecordedLateDays(const v1::Event& e, absl::CivilDay date) {
  if (!e.has_recorded_at()) return 0;
  return std::max<int64_t>(0, LondonDate(e.recorded_at()) - date);
}

std::string ObligationKey(const Obligation& o) {
  // Not the review id: a chain obligation takes the id of the review that
  // met it, so the same obligation has none before and one after.
  return absl::StrCat(o.rule_id, "|", o.trigger_position, "|", FormatDate(o.due));
}

std::vector<CaseTrailEntry> Entries(const std::vector<v1::Event>& events, const CaseDeadlines& d,
                                absl::CivilDay as_of) {
  std::vector<CaseTrailEntry> out;
  absl::flat_hash_map<std::string, size_t> by_id;
  for (const v1::Event& e : events) {
    const absl::CivilDay date = LondonDate(e.occurred_at());
    if (date > as_of) continue;
    CaseTrailEntry a;
    a.event = e;
    a.date = date;
    a.recorded_late_days = RecordedLateDays(e, date);
    out.push_back(std::move(a));
  }
  SortEffective(out);
  for (size_t i = 0; i < out.size(); ++i) by_id[out[i].event.event_id()] = i;
  absl::flat_hash_map<uint64_t, size_t> by_pos;
  for (size_t i = 0; i < out.size(); ++i) by_pos[out[i].event.position()] = i;

  // Corrections sit beside what they correct, in log order. A correction
  // dated after as_of still applies to the record (the fold applies it
  // whatever its date), so it is shown beside its original too.
  std::vector<const v1::Event*> corrections;
  for (const v1::Event& e : events) {
    if (e.has_event_corrected() || e.has_event_retracted()) corrections.push_back(&e);
  }
  std::sort(corrections.begin(), corrections.end(),
            [](const v1::Event* a, const v1::Event* b) { return a->position() < b->position(); });
  for (const v1::Event* c : corrections) {
    const std::string& target =
        c->has_event_corrected() ? c->event_corrected().event_id() : c->event_retracted().event_id();
    if (auto it = by_id.find(target); it != by_id.end()) {
      out[it->second].corrections.push_back(CaseTrailCorrection{*c, c->has_event_retracted()});
    }
    if (auto it = by_pos.find(c->position()); it != by_pos.end()) {
      out[it->second].corrects_event_id = target;
    }
  }
  for (const Obligation& o : d.obligations) {
    if (auto it = by_pos.find(o.trigger_position); it != by_pos.end()) {
      out[it->second].created.push_back(o);
    }
    if (o.met_by_position.has_value()) {
      if (auto it = by_pos.find(*o.met_by_position); it != by_pos.end()) {
        out[it->second].met.push_back(o);
      }
    }
  }
  for (const Finding& f : d.findings) {
    if (auto it = by_pos.find(f.position); it != by_pos.end()) out[it->second].findings.push_back(f);
  }
  return out;
}

std::string StatusText(const Obligation& o) {
  std::string s(ObligationStatusName(o.status));
  if (o.met_on.has_value()) absl::StrAppend(&s, " on ", FormatDate(*o.met_on));
  if (o.closed_on.has_value() && o.status == ObligationStatus::kClosed) {
    absl::StrAppend(&s, " on ", FormatDate(*o.closed_on));
  }
  return s;
}

// The basis of rule `id` as judged under pack version `version`, if known.
std::optional<v1::Basis> BasisOf(const CaseTrail& t, int version, const std::string& id) {
  auto it = t.bases.find({version, id});
  if (it == t.bases.end()) return std::nullopt;
  return it->second;
}

// "; statutory" (or practice, carelog default) after a source in the text.
std::string BasisSuffix(const CaseTrail& t, int version, const std::string& id) {
  const std::optional<v1::Basis> b = BasisOf(t, version, id);
  return b ? absl::StrCat("; ", BasisText(*b)) : std::string();
}

std::string FindingSource(const Finding& f) {
  return f.source_section.empty() ? f.source_document
                                  : absl::StrCat(f.source_document, ", ", f.source_section);
}

// ,"KEY":"VALUE" when VALUE is not empty (JSON-escaped).
void AppendStringFieldIfSet(std::string_view key, std::string_view value, std::string* out) {
  if (value.empty()) return;
  absl::StrAppend(out, ",\"", std::string(key), "\":");
  AppendJsonString(value, out);
}

// ,"source":{"document":..,"section":..},"basis":..,"packVersion":N} — the
// tail of an obligation and of a finding: where the rule comes from and what
// its number rests on ("basis" left out for a rule the pack does not know).
void AppendSourceAndClose(std::string_view document, std::string_view section,
                          std::optional<v1::Basis> basis, int pack_version, std::string* out) {
  absl::StrAppend(out, ",\"source\":{\"document\":");
  AppendJsonString(document, out);
  absl::StrAppend(out, ",\"section\":");
  AppendJsonString(section, out);
  absl::StrAppend(out, "}");
  if (basis) absl::StrAppend(out, ",\"basis\":\"", v1::Basis_Name(*basis), "\"");
  absl::StrAppend(out, ",\"packVersion\":", pack_version, "}");
}

// Why a counted-back obligation is due the day before its review: the review
// was booked at shorter notice than the rule counts back (Rule.short_notice).
const char* ShortNoticeText(const Obligation& o) {
  return o.short_notice ? " (booked at short notice)" : "";
}

void AppendObligationJson(const CaseTrail& t, const Obligation& o, std::string* out) {
  absl::StrAppend(out, "{\"rule\":");
  AppendJsonString(o.rule_id, out);
  absl::StrAppend(out, ",\"due\":\"", FormatDate(o.due), "\",\"status\":\"",
                  std::string(ObligationStatusName(o.status)), "\"");
  if (o.met_on) absl::StrAppend(out, ",\"metOn\":\"", FormatDate(*o.met_on), "\"");
  if (o.closed_on) absl::StrAppend(out, ",\"closedOn\":\"", FormatDate(*o.closed_on), "\"");
  if (o.short_notice) absl::StrAppend(out, ",\"shortNotice\":true");
  AppendStringFieldIfSet("reviewId", o.review_id, out);
  absl::StrAppend(out, ",\"triggerPosition\":", o.trigger_position);
  if (o.met_by_position) absl::StrAppend(out, ",\"metByPosition\":", *o.met_by_position);
  AppendSourceAndClose(o.source_document, o.source_section,
                       BasisOf(t, o.pack_version, o.rule_id), o.pack_version, out);
}

void AppendFindingJson(const CaseTrail& t, const Finding& f, std::string* out) {
  absl::StrAppend(out, "{\"rule\":");
  AppendJsonString(f.rule_id, out);
  absl::StrAppend(out, ",\"on\":\"", FormatDate(f.on), "\",\"position\":", f.position);
  AppendStringFieldIfSet("reviewId", f.review_id, out);
  absl::StrAppend(out, ",\"detail\":");
  AppendJsonString(f.detail, out);
  AppendSourceAndClose(f.source_document, f.source_section,
                       BasisOf(t, f.pack_version, f.rule_id), f.pack_version, out);
}

template <typename T, typename F>
void AppendArray(const std::vector<T>& items, F each, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    each(items[i], out);
  }
  out->push_back(']');
}

void AppendEntryJson(const CaseTrail& t, const CaseTrailEntry& a, std::string* out) {
  const v1::Event& e = a.event;
  absl::StrAppend(out, "{\"position\":", e.position(), ",\"eventId\":");
  AppendJsonString(e.event_id(), out);
  absl::StrAppend(out, ",\"type\":\"", PayloadName(e), "\",\"date\":\"", FormatDate(a.date),
                  "\",\"occurredAt\":\"", Instant(e.occurred_at()), "\"");
  if (e.has_recorded_at()) {
    absl::StrAppend(out, ",\"recordedAt\":\"", Instant(e.recorded_at()),
                    "\",\"recordedLateDays\":", a.recorded_late_days);
  }
  absl::StrAppend(out, ",\"actor\":{\"id\":");
  AppendJsonString(e.actor().id(), out);
  absl::StrAppend(out, ",\"role\":\"", v1::Role_Name(e.actor().role()), "\"},\"payload\":",
                  PayloadJson(e));
  AppendStringFieldIfSet("comment", e.comment(), out);
  AppendStringFieldIfSet("corrects", a.corrects_event_id, out);
  absl::StrAppend(out, ",\"corrections\":");
  AppendArray(
      a.corrections,
      [](const CaseTrailCorrection& c, std::string* o) {
        absl::StrAppend(o, "{\"position\":", c.event.position(), ",\"eventId\":");
        AppendJsonString(c.event.event_id(), o);
        absl::StrAppend(o, ",\"kind\":\"", c.retraction ? "retracted" : "corrected",
                        "\",\"occurredAt\":\"", Instant(c.event.occurred_at()), "\"");
        if (c.event.has_recorded_at()) {
          absl::StrAppend(o, ",\"recordedAt\":\"", Instant(c.event.recorded_at()), "\"");
        }
        absl::StrAppend(o, ",\"actor\":{\"id\":");
        AppendJsonString(c.event.actor().id(), o);
        absl::StrAppend(o, ",\"role\":\"", v1::Role_Name(c.event.actor().role()), "\"},\"reason\":");
        AppendJsonString(c.retraction ? c.event.event_retracted().reason()
                                      : c.event.event_corrected().reason(),
                         o);
        if (!c.retraction) {
          absl::StrAppend(o, ",\"replacement\":", PayloadJson(c.event.event_corrected().replacement()));
        }
        o->push_back('}');
      },
      out);
  const auto obligation = [&t](const Obligation& o, std::string* s) {
    AppendObligationJson(t, o, s);
  };
  const auto finding = [&t](const Finding& f, std::string* s) { AppendFindingJson(t, f, s); };
  absl::StrAppend(out, ",\"obligationsCreated\":");
  AppendArray(a.created, obligation, out);
  absl::StrAppend(out, ",\"obligationsMet\":");
  AppendArray(a.met, obligation, out);
  absl::StrAppend(out, ",\"findings\":");
  AppendArray(a.findings, finding, out);
  out->push_back('}');
}

bool IsHolidays(const v1::SettingChanged& c) { return c.setting() == "holidays.json"; }

// Made after the known-at instant: not in force in the view of then.
bool AfterKnownAt(const CaseTrail& t, const v1::SettingChanged& c) {
  return t.options.known_at.has_value() && c.has_at() && ToTime(c.at()) > *t.options.known_at;
}

// A value for people: a pack name, "(unset)", or a holidays file by hash.
std::string ValueText(const v1::SettingChanged& c, bool old) {
  if (old && !c.has_old_value()) return "(unset)";
  if (IsHolidays(c)) {
    return absl::StrCat("SHA-256 ", HexOf(old ? c.old_sha256() : c.new_sha256()), " (",
                        (old ? c.old_value() : c.new_value()).size(), " bytes)");
  }
  return old ? c.old_value() : c.new_value();
}

void AppendSettingsText(const CaseTrail& t, std::string* out) {
  const CaseTrailSettings& s = t.settings;
  const char* chosen_by = s.pack_setting.empty()      ? "the built-in default"
                          : s.pack_setting == "pack" ? "the store default"
                                                     : "this case's own setting";
  // Ends the "As of" line, which the events count's line otherwise ends.
  absl::StrAppend(out, "\nJudged under pack '", t.pack_name, "' (", chosen_by, "); calendar: ",
                  s.calendar_sha256.empty()
                      ? std::string("the built-in rules")
                      : absl::StrCat("the built-in rules overridden by a saved bank-holidays "
                                     "file, SHA-256 ",
                                     HexOf(s.calendar_sha256)),
                  "\n");
  absl::StrAppend(out, "Settings changes that affect this case (", s.changes.size(), "):\n");
  for (const v1::SettingChanged& c : s.changes) {
    absl::StrAppend(out, "  ", Instant(c.at()), "  position ", c.position(), "  ", c.setting(),
                    ": ");
    if (c.found_when_log_began()) {
      absl::StrAppend(out, ValueText(c, false), " (found set when the settings log began)");
    } else {
      absl::StrAppend(out, ValueText(c, true), " -> ", ValueText(c, false));
    }
    absl::StrAppend(out, "  by ", c.changed_by(), " (", c.via(), ")");
    if (AfterKnownAt(t, c)) absl::StrAppend(out, "  [made after the known-at instant]");
    absl::StrAppend(out, "\n");
    for (const v1::DivisionHolidays& d : c.holidays()) {
      absl::StrAppend(out, "      ", d.division());
      for (const std::string& day : d.dates()) absl::StrAppend(out, " ", day);
      absl::StrAppend(out, "\n");
    }
  }
}

void AppendSettingsJson(const CaseTrail& t, std::string* out) {
  const CaseTrailSettings& s = t.settings;
  absl::StrAppend(out, ",\"settings\":{\"pack\":");
  AppendJsonString(t.pack_name, out);
  absl::StrAppend(out, ",\"packSetting\":");
  if (s.pack_setting.empty()) {
    absl::StrAppend(out, "null");
  } else {
    AppendJsonString(s.pack_setting, out);
  }
  absl::StrAppend(out, ",\"calendarSha256\":",
                  s.calendar_sha256.empty() ? std::string("null")
                                            : absl::StrCat("\"", HexOf(s.calendar_sha256), "\""),
                  ",\"changes\":");
  AppendArray(
      s.changes,
      [&t](const v1::SettingChanged& c, std::string* o) {
        absl::StrAppend(o, "{\"position\":", c.position(), ",\"setting\":");
        AppendJsonString(c.setting(), o);
        absl::StrAppend(o, ",\"at\":\"", Instant(c.at()), "\",\"changedBy\":");
        AppendJsonString(c.changed_by(), o);
        absl::StrAppend(o, ",\"via\":");
        AppendJsonString(c.via(), o);
        if (c.found_when_log_began()) absl::StrAppend(o, ",\"foundWhenLogBegan\":true");
        if (AfterKnownAt(t, c)) absl::StrAppend(o, ",\"afterKnownAt\":true");
        if (IsHolidays(c)) {
          absl::StrAppend(o, ",\"oldSha256\":",
                          c.has_old_value() ? absl::StrCat("\"", HexOf(c.old_sha256()), "\"")
                                            : std::string("null"),
                          ",\"newSha256\":\"", HexOf(c.new_sha256()), "\",\"dates\":{");
          for (int i = 0; i < c.holidays_size(); ++i) {
            const v1::DivisionHolidays& d = c.holidays(i);
            if (i > 0) absl::StrAppend(o, ",");
            AppendJsonString(d.division(), o);
            absl::StrAppend(o, ":[");
            for (int j = 0; j < d.dates_size(); ++j) {
              absl::StrAppend(o, j > 0 ? "," : "", "\"", d.dates(j), "\"");
            }
            absl::StrAppend(o, "]");
          }
          absl::StrAppend(o, "}}");
          return;
        }
        absl::StrAppend(o, ",\"old\":");
        if (c.has_old_value()) {
          AppendJsonString(c.old_value(), o);
        } else {
          absl::StrAppend(o, "null");
        }
        absl::StrAppend(o, ",\"new\":");
        AppendJsonString(c.new_value(), o);
        absl::StrAppend(o, "}");
      },
      out);
  absl::StrAppend(out, "}");
}

}  // namespace

std::vector<v1::Event> RecordedBy(const std::vector<v1::Event>& events,
                                  std::optional<absl::Time> known_at,
                                  std::vector<v1::Event>* unknown) {
  std::vector<v1::Event> known;
  for (const v1::Event& e : events) {
    if (known_at.has_value() && e.has_recorded_at() && ToTime(e.recorded_at()) > *known_at) {
      if (unknown != nullptr) unknown->push_back(e);
    } else {
      known.push_back(e);
    }
  }
  return known;
}

CaseTrail BuildCaseTrail(const std::string& case_id, const std::vector<v1::Event>& events,
                           const ResolvedPack& pack, const Calendar& cal,
                           const CaseTrailOptions& options) {
  CaseTrail t;
  t.case_id = case_id;
  t.pack_name = pack.name;
  t.options = options;
  std::optional<ResolvedPack> current;
  if (options.current_rules) current = CurrentRulesOnly(pack);
  const ResolvedPack& judge = current ? *current : pack;
  for (const PolicyRuleSet& v : judge.versions) {
    for (const v1::Rule& r : v.rules) t.bases[{v.number, r.id()}] = r.basis();
  }

  std::vector<v1::Event> unknown;
  const std::vector<v1::Event> known = RecordedBy(events, options.known_at, &unknown);
  t.deadlines = FoldDeadlines(case_id, known, judge, cal, options.as_of);
  t.entries = Entries(known, t.deadlines, options.as_of);
  if (!options.known_at.has_value()) return t;

  for (const v1::Event& e : unknown) {
    const absl::CivilDay date = LondonDate(e.occurred_at());
    if (date > options.as_of) continue;
    CaseTrailEntry a;
    a.event = e;
    a.date = date;
    a.recorded_late_days = RecordedLateDays(e, date);
    t.not_yet_recorded.push_back(std::move(a));
  }
  SortEffective(t.not_yet_recorded);

  // Today's view of the same date, to show what the late records changed.
  const CaseDeadlines today = FoldDeadlines(case_id, events, judge, cal, options.as_of);
  std::map<std::string, std::string> then_status, now_status;
  std::map<std::string, const Obligation*> any;
  for (const Obligation& o : t.deadlines.obligations) {
    then_status[ObligationKey(o)] = std::string(ObligationStatusName(o.status));
    any[ObligationKey(o)] = &o;
  }
  for (const Obligation& o : today.obligations) {
    now_status[ObligationKey(o)] = std::string(ObligationStatusName(o.status));
    any[ObligationKey(o)] = &o;  // today's review id where it has one
  }
  for (const auto& [key, o] : any) {
    auto th = then_status.find(key);
    auto nw = now_status.find(key);
    const std::string a = th == then_status.end() ? "-" : th->second;
    const std::string b = nw == now_status.end() ? "-" : nw->second;
    if (a != b) t.differences.push_back(CaseTrailDifference{o->rule_id, o->review_id, o->due, a, b});
  }
  return t;
}

std::string RenderCaseTrailText(const CaseTrail& t) {
  std::string out;
  absl::StrAppend(&out, "Audit trail of case ", TerminalSafe(t.case_id), " under pack '", t.pack_name, "' (",
                  t.options.current_rules ? "today's rules applied to every date"
                                          : "rules in force on each trigger's date",
                  ")\n");
  absl::StrAppend(&out, "As of the end of ", FormatDate(t.options.as_of), " (Europe/London)");
  if (t.options.known_at) {
    absl::StrAppend(&out, ", as known at ",
                    Rfc3339Utc(*t.options.known_at),
                    " (only what had been recorded by then)");
  }
  if (!t.settings.changes.empty()) AppendSettingsText(t, &out);
  absl::StrAppend(&out, "\n", t.entries.size(), " events\n");
  for (const CaseTrailEntry& a : t.entries) {
    const v1::Event& e = a.event;
    absl::StrAppend(&out, "\n", FormatDate(a.date), "  ", PayloadName(e), " ", PayloadJson(e), "\n");
    absl::StrAppend(&out, "    occurred ", Instant(e.occurred_at()));
    if (e.has_recorded_at()) {
      absl::StrAppend(&out, "  recorded ", Instant(e.recorded_at()));
      if (a.recorded_late_days > 0) {
        absl::StrAppend(&out, " (recorded late: ", a.recorded_late_days, " days)");
      }
    }
    absl::StrAppend(&out, "\n    by ", TerminalSafe(e.actor().id()), " (",
                    v1::Role_Name(e.actor().role()), ")  position ", e.position(), "  event ",
                    TerminalSafe(e.event_id()), "\n");
    if (!e.comment().empty()) absl::StrAppend(&out, "    comment: ", TerminalSafe(e.comment()), "\n");
    if (!a.corrects_event_id.empty()) {
      absl::StrAppend(&out, "    corrects event ", TerminalSafe(a.corrects_event_id), "\n");
    }
    for (const CaseTrailCorrection& c : a.corrections) {
      const std::string reason = c.retraction ? c.event.event_retracted().reason()
                                              : c.event.event_corrected().reason();
      absl::StrAppend(&out, "    ~ ", c.retraction ? "RETRACTED" : "CORRECTED", " by ",
                      TerminalSafe(c.event.actor().id()), " (",
                      v1::Role_Name(c.event.actor().role()), ") on ",
                      Instant(c.event.occurred_at()), ", position ", c.event.position(),
                      ": \"", TerminalSafe(reason), "\"");
      if (!c.retraction) {
        absl::StrAppend(&out, " -> ", PayloadJson(c.event.event_corrected().replacement()));
      }
      absl::StrAppend(&out, "\n");
    }
    for (const Obligation& o : a.created) {
      absl::StrAppend(&out, "    + obligation ", o.rule_id,
                      o.review_id.empty() ? "" : absl::StrCat(" (", o.review_id, ")"), " due ",
                      FormatDate(o.due), ShortNoticeText(o), ": ", StatusText(o), "  [",
                      SourceText(o),
                      BasisSuffix(t, o.pack_version, o.rule_id), "; pack v", o.pack_version,
                      "]\n");
    }
    for (const Obligation& o : a.met) {
      absl::StrAppend(&out, "    = meets ", o.rule_id,
                      o.review_id.empty() ? "" : absl::StrCat(" (", o.review_id, ")"), " due ",
                      FormatDate(o.due), ": ", std::string(ObligationStatusName(o.status)), "\n");
    }
    for (const Finding& f : a.findings) {
      absl::StrAppend(&out, "    ! finding ", f.rule_id, ": ", f.detail, "  [", FindingSource(f),
                      BasisSuffix(t, f.pack_version, f.rule_id), "; pack v", f.pack_version,
                      "]\n");
    }
  }
  absl::StrAppend(&out, "\nObligations at the end of ", FormatDate(t.options.as_of), ":\n");
  for (const Obligation& o : t.deadlines.obligations) {
    absl::StrAppend(&out,
                    absl::StrFormat("  %-34s %-6s due %s  %s%s\n", o.rule_id, o.review_id,
                                    FormatDate(o.due), StatusText(o), ShortNoticeText(o)));
  }
  if (t.options.known_at) {
    absl::StrAppend(&out, "\nNot yet recorded at ",
                    Rfc3339Utc(*t.options.known_at),
                    " (", t.not_yet_recorded.size(), "):\n");
    for (const CaseTrailEntry& a : t.not_yet_recorded) {
      absl::StrAppend(&out, "  ", FormatDate(a.date), "  ", PayloadName(a.event), "  event ",
                      TerminalSafe(a.event.event_id()), "  recorded ", Instant(a.event.recorded_at()),
                      " (recorded late: ", a.recorded_late_days, " days)\n");
    }
    absl::StrAppend(&out, "Difference from today's view (", t.differences.size(), "):\n");
    for (const CaseTrailDifference& d : t.differences) {
      absl::StrAppend(&out, "  ", d.rule_id, d.review_id.empty() ? "" : absl::StrCat(" (", d.review_id, ")"),
                      " due ", FormatDate(d.due), ": then ", d.then_status, ", now ",
                      d.now_status, "\n");
    }
  }
  // Review ids, finding details and payloads quote the log too: whatever a
  // field above did not escape cannot reach the terminal raw.
  return TerminalSafeLines(out);
}

std::string RenderCaseTrailJson(const CaseTrail& t) {
  std::string out = "{\"caseId\":";
  AppendJsonString(t.case_id, &out);
  absl::StrAppend(&out, ",\"pack\":");
  AppendJsonString(t.pack_name, &out);
  absl::StrAppend(&out, ",\"rules\":\"", t.options.current_rules ? "current" : "in-force",
                  "\",\"asOf\":\"", FormatDate(t.options.as_of), "\"");
  if (t.options.known_at) {
    absl::StrAppend(&out, ",\"knownAt\":\"",
                    Rfc3339Utc(*t.options.known_at),
                    "\"");
  }
  const auto entry = [&t](const CaseTrailEntry& a, std::string* s) { AppendEntryJson(t, a, s); };
  absl::StrAppend(&out, ",\"events\":");
  AppendArray(t.entries, entry, &out);
  absl::StrAppend(&out, ",\"obligations\":");
  AppendArray(
      t.deadlines.obligations,
      [&t](const Obligation& o, std::string* s) { AppendObligationJson(t, o, s); }, &out);
  absl::StrAppend(&out, ",\"findings\":");
  AppendArray(
      t.deadlines.findings, [&t](const Finding& f, std::string* s) { AppendFindingJson(t, f, s); },
      &out);
  if (t.options.known_at) {
    absl::StrAppend(&out, ",\"notYetRecorded\":");
    AppendArray(t.not_yet_recorded, entry, &out);
    absl::StrAppend(&out, ",\"differences\":");
    AppendArray(
        t.differences,
        [](const CaseTrailDifference& d, std::string* o) {
          absl::StrAppend(o, "{\"rule\":");
          AppendJsonString(d.rule_id, o);
          absl::StrAppend(o, ",\"reviewId\":");
          AppendJsonString(d.review_id, o);
          absl::StrAppend(o, ",\"due\":\"", FormatDate(d.due), "\",\"then\":\"", d.then_status,
                          "\",\"now\":\"", d.now_status, "\"}");
        },
        &out);
  }
  if (!t.settings.changes.empty()) AppendSettingsJson(t, &out);
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace carelog
