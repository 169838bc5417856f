#include "projections/subject_access.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/access_log.h"
#include "engine/event_json.h"
#include "engine/event_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "projections/deadlines_format.h"
#include "projections/escape.h"
#include "projections/inclusion_proof_json.h"
#include "store/base/time_format.h"
#include "store/merkle.h"

namespace carelog {
namespace {

namespace pb = ::google::protobuf;

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",
                                   "June",    "July",     "August",    "September", "October",
                                   "November", "December"};

// Text for HTML content and attribute values: & < > " ' escaped, control
// characters other than newline and tab (which HTML shows as spaces) and
// bytes that are not UTF-8 as U+FFFD, so that no free text can open a tag,
// end an attribute or hide what follows.
std::string H(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&#39;"; ++i; continue;
      default: break;
    }
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
        out += "\xEF\xBF\xBD";
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: copied whole when well formed.
    size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string IsoDay(absl::CivilDay d) { return absl::FormatCivilTime(d); }

absl::Time AtOf(const google::protobuf::Timestamp& ts) { return ToTime(ts); }

// "SOCIAL_WORKER" -> "social worker"; "IRO_MANAGER" -> "IRO manager".
std::string RoleWords(std::string_view code) {
  if (code.empty() || code == "ROLE_UNSPECIFIED") return "role not recorded";
  std::vector<std::string> words = absl::StrSplit(absl::AsciiStrToLower(std::string(code)), '_');
  for (std::string& w : words) {
    if (w == "iro") w = "IRO";
  }
  return absl::StrJoin(words, " ");
}

std::string RoleOf(const v1::Event& e) { return RoleWords(v1::Role_Name(e.actor().role())); }

// A civil date written "YYYY-MM-DD" in a payload, as a UK date; any other
// text as it is.
std::string DateOrText(const std::string& s) {
  absl::CivilDay d;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-' && absl::ParseCivilTime(s, &d) &&
      IsoDay(d) == s) {
    return UkDate(d);
  }
  return s;
}

// carelog's own texts (a finding's detail, a rule's description) with every
// YYYY-MM-DD date in them written as a UK date. Not for what people wrote
// (comments, reasons), which is shown as recorded.
std::string UkDatesIn(std::string_view text) {
  std::string out;
  size_t i = 0;
  auto digit = [&](size_t k) { return k < text.size() && absl::ascii_isdigit(text[k]); };
  while (i < text.size()) {
    const bool starts = (i == 0 || !digit(i - 1)) && i + 10 <= text.size() && digit(i) &&
                        digit(i + 1) && digit(i + 2) && digit(i + 3) && text[i + 4] == '-' &&
                        digit(i + 5) && digit(i + 6) && text[i + 7] == '-' && digit(i + 8) &&
                        digit(i + 9) && !digit(i + 10);
    absl::CivilDay d;
    if (starts && absl::ParseCivilTime(std::string(text.substr(i, 10)), &d) &&
        IsoDay(d) == text.substr(i, 10)) {
      out += UkDate(d);
      i += 10;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string EventType(const v1::Event& e) {
  const std::string name = PayloadName(e);
  if (name.empty()) return "Entry with no content";
  return HumaniseFieldName(name);
}

void AppendMessageWords(const pb::Message& m, std::string* out);

// The payload field set on `e`, or nullptr.
const pb::FieldDescriptor* PayloadField(const v1::Event& e) {
  const pb::OneofDescriptor* oneof = v1::Event::descriptor()->FindOneofByName("payload");
  return oneof == nullptr ? nullptr : e.GetReflection()->GetOneofFieldDescriptor(e, oneof);
}

// One field's value in words (HTML): text escaped, dates as UK dates, codes
// (enum names) as they are, yes/no for flags.
std::string ScalarWords(const pb::Message& m, const pb::FieldDescriptor* f, int index) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return H(DateOrText(rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f)));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "yes" : "no";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return H((rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name());
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      const pb::Message& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      if (sub.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
        const auto& ts = static_cast<const google::protobuf::Timestamp&>(sub);
        return H(UkDateTime(AtOf(ts)));
      }
      std::string nested;
      AppendMessageWords(sub, &nested);
      return nested;
    }
  }
  return "";
}

// Every set field of `m` as a definition list: the field's name in words,
// its value. An envelope (a correction's replacement) shows its date and
// its payload's fields.
void AppendMessageWords(const pb::Message& m, std::string* out) {
  if (m.GetDescriptor() == v1::Event::descriptor()) {
    const auto& e = static_cast<const v1::Event&>(m);
    absl::StrAppend(out, "<dl class=\"fields\">");
    if (e.has_occurred_at()) {
      absl::StrAppend(out, "<dt>Happened</dt><dd>", H(UkDateTime(AtOf(e.occurred_at()))), "</dd>");
    }
    const std::string type = PayloadName(e);
    if (!type.empty()) {
      absl::StrAppend(out, "<dt>What</dt><dd>", H(EventType(e)), "</dd>");
      const pb::FieldDescriptor* f = PayloadField(e);
      std::string inner;
      if (f != nullptr) AppendMessageWords(e.GetReflection()->GetMessage(e, f), &inner);
      if (!inner.empty()) absl::StrAppend(out, "<dt>Details</dt><dd>", inner, "</dd>");
    }
    if (!e.comment().empty()) {
      absl::StrAppend(out, "<dt>Comment</dt><dd class=\"free\">", H(e.comment()), "</dd>");
    }
    absl::StrAppend(out, "</dl>");
    return;
  }
  std::vector<const pb::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  if (fields.empty()) return;
  absl::StrAppend(out, "<dl class=\"fields\">");
  for (const pb::FieldDescriptor* f : fields) {
    absl::StrAppend(out, "<dt>", H(HumaniseFieldName(f->json_name())), "</dt><dd>");
    if (f->is_repeated()) {
      const int n = m.GetReflection()->FieldSize(m, f);
      for (int i = 0; i < n; ++i) absl::StrAppend(out, i ? ", " : "", ScalarWords(m, f, i));
    } else {
      absl::StrAppend(out, ScalarWords(m, f, 0));
    }
    absl::StrAppend(out, "</dd>");
  }
  absl::StrAppend(out, "</dl>");
}

// What corrected or withdrew each event: target id -> the correcting events.
struct Changes {
  std::map<std::string, std::vector<const v1::Event*>> corrected_by, retracted_by;
};

Changes ChangesOf(const std::vector<v1::Event>& events) {
  Changes c;
  for (const v1::Event& e : events) {
    if (e.has_event_corrected()) c.corrected_by[e.event_corrected().event_id()].push_back(&e);
    if (e.has_event_retracted()) c.retracted_by[e.event_retracted().event_id()].push_back(&e);
  }
  return c;
}

const v1::Event* FindEvent(const std::vector<v1::Event>& events, const std::string& id) {
  for (const v1::Event& e : events) {
    if (e.event_id() == id) return &e;
  }
  return nullptr;
}

std::string ProofObject(const InclusionProofData& p) {
  std::string s = InclusionProofJson(p);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string StatusWords(const Obligation& o) {
  switch (o.status) {
    case ObligationStatus::kOpen:
      return "Not yet due";
    case ObligationStatus::kMet:
      return o.met_on ? absl::StrCat("Met on time, on ", UkDate(*o.met_on)) : "Met on time";
    case ObligationStatus::kMetLate:
      return o.met_on ? absl::StrCat("Met late, on ", UkDate(*o.met_on)) : "Met late";
    case ObligationStatus::kOverdue:
      return "Not met: overdue";
    case ObligationStatus::kClosed:
      return o.closed_on ? absl::StrCat("No longer needed from ", UkDate(*o.closed_on))
                         : "No longer needed";
  }
  return "";
}

// "token_name" of a read made through `carelog sar` is "cli:NAME"; of the
// web app "web:NAME"; of the service the token's name.
std::string Who(const v1::AccessRecord& r) {
  return r.token_name().empty() ? "(not recorded)" : r.token_name();
}

constexpr char kCss[] = R"(
body{font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.45;color:#0b0c0c;margin:2em auto;max-width:60em;padding:0 1em}
h1{font-size:2em;margin:0 0 .5em}
h2{font-size:1.5em;margin:1.6em 0 .5em;border-top:2px solid #0b0c0c;padding-top:.5em}
h3{font-size:1.15em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th,td{border-bottom:1px solid #b1b4b6;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f2f1}
dl.fields{margin:.2em 0;display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);column-gap:1em}
dl.fields dt{font-weight:bold}
dl.fields dt,dl.fields dd{overflow-wrap:anywhere}
dl.fields dd{margin:0}
.wide{overflow-x:auto;margin:.5em 0 1em}
.wide table{margin:0}
.wide:focus{outline:3px solid #fd0}
@media (max-width:30em){dl.fields{grid-template-columns:minmax(0,1fr)}dl.fields dd{margin-bottom:.3em}}
.entry{border-left:4px solid #1d70b8;padding:.3em .8em;margin:.8em 0;break-inside:avoid;page-break-inside:avoid}
.entry.changed{border-left-color:#d4351c}
.note{background:#fff7bf;padding:.3em .6em;margin:.3em 0}
.free{white-space:pre-wrap}
.this-read{background:#e8f1f8;font-weight:bold}
code,.hash{font-family:"Courier New",monospace;word-break:break-all}
.small{font-size:.85em;color:#505a5f}
@media print{
 body{margin:0;max-width:none;font-size:11pt;color:#000}
 h2{page-break-before:always;break-before:page}
 h2.first{page-break-before:avoid;break-before:avoid}
 a{color:#000;text-decoration:none}
 th{background:none}
 .entry{border-left:2px solid #000}
 .note,.this-read{background:none;border:1px solid #000}
 .wide{overflow:visible}
}
)";

}  // namespace

std::string HumaniseFieldName(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : name) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c)) && !cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
    if (c == '_') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  for (std::string& w : words) {
    if (w == "iro" || w == "urn" || w == "upn" || w == "cin" || w == "la" || w == "id" ||
        w == "sdq" || w == "rne" || w == "ssda903") {
      w = absl::AsciiStrToUpper(w);
    }
  }
  std::string out = absl::StrJoin(words, " ");
  if (!out.empty()) out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

std::string UkDate(absl::CivilDay day) {
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

std::string UkDateTime(absl::Time t) {
  const absl::Duration offset = LondonOffset(t);
  const absl::CivilSecond local = absl::ToCivilSecond(t + offset, absl::UTCTimeZone());
  return absl::StrFormat("%s at %02d:%02d %s", UkDate(absl::CivilDay(local)), local.hour(),
                         local.minute(), offset == absl::ZeroDuration() ? "GMT" : "BST");
}

std::string RenderSubjectAccessJson(const SubjectAccess& sar) {
  const Changes changes = ChangesOf(sar.events);
  std::string out = absl::StrCat("{\n\"format\": ", Json(kSubjectAccessFormat),
                                 ",\n\"caseId\": ", Json(sar.case_id),
                                 ",\n\"pack\": ", Json(sar.pack_name),
                                 ",\n\"asOf\": ", Json(IsoDay(sar.as_of)),
                                 ",\n\"generatedAt\": ", Json(Rfc3339Utc(AtOf(sar.request.at()))));
  absl::StrAppend(&out, ",\n\"request\": {\"by\": ", Json(sar.request.token_name()),
                  ", \"role\": ", Json(sar.request.role()), ", \"through\": ",
                  Json(sar.request.method()), ", \"peer\": ", Json(sar.request.peer()),
                  ", \"position\": ", sar.request.position(), "}");
  absl::StrAppend(&out, ",\n\"head\": {\"treeSize\": ", sar.head.size, ", \"rootHash\": \"",
                  merkle::ToHex(sar.head.root), "\"}");
  absl::StrAppend(&out, ",\n\"events\": [");
  for (size_t i = 0; i < sar.events.size(); ++i) {
    const v1::Event& e = sar.events[i];
    absl::StrAppend(&out, i ? ",\n" : "\n", "{\"position\": ", e.position(),
                    ", \"eventId\": ", Json(e.event_id()), ", \"type\": ", Json(PayloadName(e)),
                    ", \"occurredAt\": ", Json(Rfc3339Utc(AtOf(e.occurred_at()))),
                    ", \"recordedAt\": ", Json(Rfc3339Utc(AtOf(e.recorded_at()))),
                    ", \"actor\": {\"id\": ", Json(e.actor().id()), ", \"role\": ",
                    Json(v1::Role_Name(e.actor().role())), "}");
    if (!e.comment().empty()) absl::StrAppend(&out, ", \"comment\": ", Json(e.comment()));
    if (e.has_event_corrected()) {
      absl::StrAppend(&out, ", \"corrects\": ", Json(e.event_corrected().event_id()));
    }
    if (e.has_event_retracted()) {
      absl::StrAppend(&out, ", \"retracts\": ", Json(e.event_retracted().event_id()));
    }
    auto ids = [&](const std::map<std::string, std::vector<const v1::Event*>>& m,
                   const char* key) {
      auto it = m.find(e.event_id());
      if (it == m.end()) return;
      absl::StrAppend(&out, ", \"", key, "\": [");
      for (size_t k = 0; k < it->second.size(); ++k) {
        absl::StrAppend(&out, k ? ", " : "", Json(it->second[k]->event_id()));
      }
      absl::StrAppend(&out, "]");
    };
    ids(changes.corrected_by, "correctedBy");
    ids(changes.retracted_by, "retractedBy");
    absl::StrAppend(&out, ",\n \"event\": ", EventToJson(e));
    if (i < sar.event_proofs.size()) {
      absl::StrAppend(&out, ",\n \"proof\": ", ProofObject(sar.event_proofs[i]));
    }
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "\n],\n\"obligations\": [");
  bool first = true;
  AppendDeadlinesJson(sar.deadlines, &out, &first);
  absl::StrAppend(&out, "],\n\"findings\": [");
  for (size_t i = 0; i < sar.deadlines.findings.size(); ++i) {
    const Finding& f = sar.deadlines.findings[i];
    absl::StrAppend(&out, i ? ",\n" : "\n", "{\"rule\": ", Json(f.rule_id), ", \"on\": ",
                    Json(IsoDay(f.on)), ", \"position\": ", f.position, ", \"detail\": ",
                    Json(f.detail));
    if (!f.review_id.empty()) absl::StrAppend(&out, ", \"reviewId\": ", Json(f.review_id));
    absl::StrAppend(&out, ", \"source\": ",
                    Json(absl::StrCat(f.source_document, ", ", f.source_section)), "}");
  }
  absl::StrAppend(&out, "],\n\"accessRecords\": [");
  for (size_t i = 0; i < sar.access.size(); ++i) {
    const v1::AccessRecord& r = sar.access[i];
    absl::StrAppend(&out, i ? ",\n" : "\n", "{\"position\": ", r.position(), ", \"at\": ",
                    Json(Rfc3339Utc(AtOf(r.at()))), ", \"by\": ", Json(r.token_name()),
                    ", \"role\": ", Json(r.role()), ", \"through\": ", Json(r.method()),
                    ", \"caseId\": ", Json(r.case_id()), ", \"peer\": ", Json(r.peer()));
    if (!r.event_id().empty()) absl::StrAppend(&out, ", \"eventId\": ", Json(r.event_id()));
    if (!r.outcome().empty()) absl::StrAppend(&out, ", \"outcome\": ", Json(r.outcome()));
    if (i < sar.access_proofs.size()) {
      absl::StrAppend(&out, ",\n \"proof\": ", ProofObject(sar.access_proofs[i]));
    }
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "\n]");
  if (!sar.data_keys.empty()) {
    absl::StrAppend(&out, ",\n\"dataKeys\": {");
    bool first = true;
    for (const auto& [stream, hex] : sar.data_keys) {
      absl::StrAppend(&out, first ? "" : ", ", Json(stream), ": ", Json(hex));
      first = false;
    }
    absl::StrAppend(&out, "}");
  }
  absl::StrAppend(&out, "\n}\n");
  return out;
}

std::string RenderSubjectAccessHtml(const SubjectAccess& sar) {
  const Changes changes = ChangesOf(sar.events);
  const std::string made = UkDateTime(AtOf(sar.request.at()));
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Your care record: ",
      H(sar.case_id), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<main>\n");
  absl::StrAppend(&out, "<h1>Your care record</h1>\n");

  // About this record.
  size_t corrections = 0;
  for (const v1::Event& e : sar.events) {
    if (e.has_event_corrected() || e.has_event_retracted()) ++corrections;
  }
  absl::StrAppend(
      &out, "<h2 class=\"first\" id=\"about\">About this record</h2>\n",
      "<p>This is everything the council&#39;s care record system (carelog) holds about you, "
      "written out in full because you asked to see it (a subject access request). Nothing "
      "has been left out or changed: every entry is shown as it was recorded, and where an "
      "entry was later corrected or withdrawn, both are shown.</p>\n"
      "<table>\n<tr><th scope=\"row\">Your case number</th><td>",
      H(sar.case_id), "</td></tr>\n<tr><th scope=\"row\">This copy was made</th><td>", H(made),
      "</td></tr>\n<tr><th scope=\"row\">Made by</th><td>", H(Who(sar.request)),
      "</td></tr>\n<tr><th scope=\"row\">Made through</th><td>", H(sar.request.method()),
      "</td></tr>\n<tr><th scope=\"row\">Entries about you</th><td>", sar.events.size(),
      corrections ? absl::StrCat(" (", corrections, " of them correct or withdraw others)") : "",
      "</td></tr>\n<tr><th scope=\"row\">Deadlines worked out</th><td>",
      sar.deadlines.obligations.size(), " (as they stood at the end of ", UkDate(sar.as_of),
      ", under the rules &ldquo;", H(sar.pack_name),
      "&rdquo;)</td></tr>\n<tr><th scope=\"row\">Times your record was looked at</th><td>",
      sar.access.size(), "</td></tr>\n</table>\n",
      "<p class=\"small\">Dates are written as in &ldquo;3 March 2024&rdquo;; times are UK "
      "time, with GMT (winter) or BST (summer) after them. Codes in capitals (for example "
      "C2 or SOCIAL_WORKER) are the codes the council uses and reports to the Department for "
      "Education; they are kept as they were recorded. A computer-readable copy of everything "
      "here is in the file record.json beside this document.</p>\n");

  // Everything recorded, in date order.
  absl::StrAppend(&out,
                  "<h2 id=\"events\">Everything recorded about you, in date order</h2>\n"
                  "<p>Each entry shows when it happened, when it was written down, who "
                  "wrote it and what it says. The entry number is its place in the "
                  "council&#39;s log; you need it to check the entry (see the last "
                  "section).</p>\n");
  if (sar.events.empty()) absl::StrAppend(&out, "<p>Nothing is recorded.</p>\n");
  for (const DatedEvent& de : InEffectiveOrder(sar.events)) {
    const v1::Event& e = *de.event;
    const bool corrected = changes.corrected_by.count(e.event_id()) > 0;
    const bool retracted = changes.retracted_by.count(e.event_id()) > 0;
    absl::StrAppend(&out, "<section class=\"entry", corrected || retracted ? " changed" : "",
                    "\" id=\"entry-", e.position(), "\">\n<h3>", UkDate(de.day), ": ",
                    H(EventType(e)), "</h3>\n<dl class=\"fields\"><dt>Happened</dt><dd>",
                    H(UkDateTime(AtOf(e.occurred_at()))), "</dd><dt>Written down</dt><dd>",
                    H(UkDateTime(AtOf(e.recorded_at()))), "</dd><dt>By</dt><dd>",
                    H(e.actor().id()), " (", H(RoleOf(e)), ")</dd><dt>Entry</dt><dd>number ",
                    e.position(), ", id <code>", H(e.event_id()), "</code></dd>");
    if (!e.source().empty()) absl::StrAppend(&out, "<dt>Came from</dt><dd>", H(e.source()), "</dd>");
    if (!e.comment().empty()) {
      absl::StrAppend(&out, "<dt>Comment</dt><dd class=\"free\">", H(e.comment()), "</dd>");
    }
    absl::StrAppend(&out, "</dl>\n");
    if (e.has_event_corrected() || e.has_event_retracted()) {
      const std::string& target = e.has_event_corrected() ? e.event_corrected().event_id()
                                                          : e.event_retracted().event_id();
      const v1::Event* t = FindEvent(sar.events, target);
      absl::StrAppend(&out, "<p class=\"note\">This entry ",
                      e.has_event_corrected() ? "corrects" : "withdraws", " entry ",
                      t ? absl::StrCat("number ", t->position(), " ") : "", "<code>", H(target),
                      "</code>. See &ldquo;Corrections and withdrawals&rdquo;.</p>\n");
    } else {
      std::string details;
      const std::string type = PayloadName(e);
      if (!type.empty()) {
        const pb::FieldDescriptor* f = PayloadField(e);
        if (f != nullptr) AppendMessageWords(e.GetReflection()->GetMessage(e, f), &details);
      }
      if (!details.empty()) absl::StrAppend(&out, "<h4>What it says</h4>\n", details, "\n");
    }
    if (retracted) {
      absl::StrAppend(&out, "<p class=\"note\">This entry was later withdrawn. See "
                            "&ldquo;Corrections and withdrawals&rdquo;.</p>\n");
    } else if (corrected) {
      absl::StrAppend(&out, "<p class=\"note\">This entry was later corrected. See "
                            "&ldquo;Corrections and withdrawals&rdquo;.</p>\n");
    }
    absl::StrAppend(&out, "</section>\n");
  }

  // Corrections and withdrawals.
  absl::StrAppend(&out,
                  "<h2 id=\"corrections\">Corrections and withdrawals</h2>\n"
                  "<p>Nothing in the log is ever rubbed out. When an entry was wrong, a new "
                  "entry was added to correct it or withdraw it, with the reason. Both are "
                  "kept and both are shown here.</p>\n");
  if (corrections == 0) {
    absl::StrAppend(&out, "<p>No entry about you has been corrected or withdrawn.</p>\n");
  }
  for (const v1::Event& e : sar.events) {
    if (!e.has_event_corrected() && !e.has_event_retracted()) continue;
    const bool is_correction = e.has_event_corrected();
    const std::string& target =
        is_correction ? e.event_corrected().event_id() : e.event_retracted().event_id();
    const std::string& reason =
        is_correction ? e.event_corrected().reason() : e.event_retracted().reason();
    const v1::Event* t = FindEvent(sar.events, target);
    absl::StrAppend(&out, "<section class=\"entry changed correction\" id=\"change-", e.position(),
                    "\">\n<h3>", is_correction ? "Correction" : "Withdrawal", " of entry ",
                    t ? absl::StrCat("number ", t->position(), ", ") : "", "<code>", H(target),
                    "</code></h3>\n<dl class=\"fields\"><dt>Entry changed</dt><dd>");
    if (t != nullptr) {
      absl::StrAppend(&out, "<a href=\"#entry-", t->position(), "\">", H(EventType(*t)), " of ",
                      UkDate(LondonDate(t->occurred_at())), "</a>, number ", t->position(),
                      ", id <code>", H(target), "</code>");
    } else {
      absl::StrAppend(&out, "<code>", H(target), "</code> (not an entry of this record)");
    }
    absl::StrAppend(&out, "</dd><dt>", is_correction ? "Corrected" : "Withdrawn",
                    "</dt><dd>", H(UkDateTime(AtOf(e.recorded_at()))), " by ", H(e.actor().id()),
                    " (", H(RoleOf(e)), "), entry number ", e.position(), ", id <code>",
                    H(e.event_id()), "</code></dd><dt>Why</dt><dd class=\"free\">",
                    reason.empty() ? "(no reason recorded)" : H(reason), "</dd>");
    if (!e.comment().empty()) {
      absl::StrAppend(&out, "<dt>Comment</dt><dd class=\"free\">", H(e.comment()), "</dd>");
    }
    absl::StrAppend(&out, "</dl>\n");
    if (is_correction) {
      std::string now;
      AppendMessageWords(e.event_corrected().replacement(), &now);
      absl::StrAppend(&out, "<h4>What the entry says now</h4>\n", now, "\n");
    } else {
      absl::StrAppend(&out, "<p>The withdrawn entry no longer counts towards any deadline.</p>\n");
    }
    absl::StrAppend(&out, "</section>\n");
  }

  // Deadlines and findings.
  absl::StrAppend(&out,
                  "<h2 id=\"deadlines\">Deadlines the council had to meet and whether it met "
                  "them</h2>\n<p>The law and the council&#39;s own rules set deadlines: for "
                  "example, when your reviews had to happen. This is each deadline worked out "
                  "from your record, as it stood at the end of ",
                  UkDate(sar.as_of), ", with corrections taken into account.</p>\n");
  if (sar.deadlines.obligations.empty()) {
    absl::StrAppend(&out, "<p>No deadlines were worked out from your record.</p>\n");
  } else {
    absl::StrAppend(&out, "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Deadlines (scrolls sideways)\">"
                          "<table>\n<thead><tr><th scope=\"col\">What had to happen</th>"
                          "<th scope=\"col\">Due by</th><th scope=\"col\">Was it met?</th>"
                          "<th scope=\"col\">Rule</th></tr></thead>\n<tbody>\n");
    for (const Obligation& o : sar.deadlines.obligations) {
      auto it = sar.rule_descriptions.find(o.rule_id);
      const std::string what = it != sar.rule_descriptions.end() && !it->second.empty()
                                   ? it->second
                                   : o.rule_id;
      absl::StrAppend(&out, "<tr><td>", H(UkDatesIn(what)),
                      o.review_id.empty() ? "" : absl::StrCat(" (review ", H(o.review_id), ")"),
                      "</td><td>", UkDate(o.due), "</td><td>", H(StatusWords(o)), " <span "
                      "class=\"small\">(", std::string(ObligationStatusName(o.status)), ")</span></td><td>"
                      "<code>", H(o.rule_id), "</code><br><span class=\"small\">",
                      H(SourceText(o)), "</span></td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n</div>\n");
  }
  absl::StrAppend(&out, "<h3>Things the council did not do as the rules say</h3>\n");
  if (sar.deadlines.findings.empty()) {
    absl::StrAppend(&out, "<p>None were found.</p>\n");
  } else {
    absl::StrAppend(&out, "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Things the council did not do as the rules say (scrolls sideways)\">"
                          "<table>\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">"
                          "What was found</th><th scope=\"col\">Rule</th></tr></thead>\n"
                          "<tbody>\n");
    for (const Finding& f : sar.deadlines.findings) {
      auto it = sar.rule_descriptions.find(f.rule_id);
      absl::StrAppend(&out, "<tr><td>", UkDate(f.on), "</td><td>",
                      it != sar.rule_descriptions.end() && !it->second.empty()
                          ? absl::StrCat(H(UkDatesIn(it->second)), ": ")
                          : "",
                      H(UkDatesIn(f.detail)), " (entry number ", f.position, ")</td><td><code>",
                      H(f.rule_id), "</code></td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n</div>\n");
  }

  // Who has looked.
  absl::StrAppend(&out,
                  "<h2 id=\"access\">Who has looked at your record</h2>\n<p>Every time someone "
                  "reads your record through the council&#39;s systems, the system writes down "
                  "who, when and how, in the same log as your record. Making this copy was "
                  "itself written down: it is the highlighted line.</p>\n");
  if (sar.access.empty()) {
    absl::StrAppend(&out, "<p>No reads are recorded.</p>\n");
  } else {
    absl::StrAppend(&out, "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Who has looked at your record (scrolls sideways)\">"
                          "<table>\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">"
                          "Who</th><th scope=\"col\">Their role</th><th scope=\"col\">How</th>"
                          "<th scope=\"col\">What they read</th></tr></thead>\n<tbody>\n");
    for (const v1::AccessRecord& r : sar.access) {
      const bool mine = r.position() == sar.request.position();
      std::string what = r.case_id().empty() ? "the list of all cases" : "your record";
      if (!r.event_id().empty()) what = absl::StrCat("a proof of entry <code>", H(r.event_id()), "</code>");
      if (r.outcome() == kAccessNotFound) what = "your case number, before it existed (nothing was shown)";
      absl::StrAppend(&out, "<tr", mine ? " class=\"this-read\"" : "", "><td>",
                      H(UkDateTime(AtOf(r.at()))), "</td><td>", H(Who(r)), "</td><td>",
                      H(r.role()), "</td><td>", H(r.method()),
                      r.peer().empty() ? "" : absl::StrCat(" <span class=\"small\">from ",
                                                           H(r.peer()), "</span>"),
                      mine ? " <span class=\"small\">(this copy)</span>" : "", "</td><td>", what,
                      "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n</div>\n");
  }

  // How to check.
  absl::StrAppend(
      &out,
      "<h2 id=\"check\">How to check this record has not been changed</h2>\n"
      "<p>The council&#39;s log is built so that nobody can change or remove an entry "
      "without it showing. Each entry is turned into a fingerprint (a SHA-256 hash), and the "
      "fingerprints of all entries are combined, two by two, into a single fingerprint of "
      "the whole log: its <strong>root hash</strong>. When this copy was made, the log held ",
      sar.head.size, " entries and its root hash was:</p>\n<p class=\"hash\"><code>",
      merkle::ToHex(sar.head.root),
      "</code></p>\n<p>For every entry in this copy there is a <strong>proof</strong>: the "
      "entry exactly as stored, and the few fingerprints needed to go from it to the root "
      "hash. The proofs are in the folder <code>proofs</code> beside this document, one file "
      "per entry, named after the entry number (for example <code>proofs/",
      sar.events.empty() ? 1 : sar.events.front().position(),
      ".json</code>), and also inside record.json.</p>\n"
      "<p>Anyone can check a proof, now or years from now, without access to the council&#39;s "
      "systems, with the command</p>\n<p><code>carelog check-proof proofs/NUMBER.json</code></p>\n"
      "<p>It works the fingerprint of the entry out again from the entry itself, checks that "
      "the entry is the one named (its id and number), then combines it with the "
      "fingerprints in the proof, in order, as the log does. If the result is the root hash, "
      "it prints <q>proof verified</q> with the entry&#39;s id and the root hash; if a single "
      "letter of the entry or the proof had been changed, the result would differ and it "
      "says the proof does not verify. Check that the root hash it prints is the one written "
      "above.</p>\n",
      sar.data_keys.empty()
          ? std::string()
          : absl::StrCat(
                "<p>The council&#39;s log keeps every entry locked (encrypted) with a key of "
                "this record&#39;s own, so a proof holds the entry locked. The key is in "
                "record.json, under <code>dataKeys</code>; it opens this record&#39;s entries "
                "and nothing else, so keep it as safe as this document. To see the entry a "
                "proof holds, unlocked, add it to the command:</p>\n<p><code>carelog "
                "check-proof --data-key KEY proofs/NUMBER.json</code></p>\n"),
      "<p>That the council&#39;s log really had this root hash when it held ",
      sar.head.size,
      " entries, the council shows on its side: because the log only ever grows, the "
      "command <code>carelog verify --head ", sar.head.size, ":", merkle::ToHex(sar.head.root),
      "</code> on its log proves that the log of today still begins with the log of that day, "
      "unchanged.</p>\n");
  absl::StrAppend(&out, "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Proofs of the entries (scrolls sideways)\">"
                          "<table>\n<thead><tr><th scope=\"col\">Entry number</th>"
                        "<th scope=\"col\">Entry id</th><th scope=\"col\">Proof file</th>"
                        "<th scope=\"col\">Fingerprint of the entry</th></tr></thead>\n<tbody>\n");
  for (const InclusionProofData& p : sar.event_proofs) {
    absl::StrAppend(&out, "<tr><td>", p.record.position, "</td><td><code>", H(p.record.id),
                    "</code></td><td><code>proofs/", p.record.position,
                    ".json</code></td><td class=\"hash\"><code>", merkle::ToHex(p.leaf_hash),
                    "</code></td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n</div>\n<p class=\"small\">The records of who looked at "
                        "your record have proofs too, in the same folder and in "
                        "record.json.</p>\n</main>\n</body>\n</html>\n");
  return out;
}

}  // namespace carelog
