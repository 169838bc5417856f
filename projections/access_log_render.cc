#include "projections/access_log_render.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "projections/escape.h"

namespace carelog {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

std::string AtText(const v1::AccessRecord& r) {
  const absl::Time t =
      absl::FromUnixSeconds(r.at().seconds()) + absl::Nanoseconds(r.at().nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

// The case column of the text listing.
std::string CaseText(const v1::AccessRecord& r) {
  std::string out = r.case_id().empty() ? (r.event_id().empty() ? "(all cases)" : "(system)")
                                        : r.case_id();
  if (!r.event_id().empty()) absl::StrAppend(&out, ", event ", r.event_id());
  if (r.outcome() == kAccessNotFound) absl::StrAppend(&out, " (not found)");
  return out;
}

}  // namespace

std::string RenderAccessText(const std::vector<v1::AccessRecord>& records) {
  std::string out = absl::StrFormat("%-9s %-27s %-16s %-8s %-10s %-14s %s\n", "position", "at",
                                    "token", "role", "method", "case", "peer");
  for (const v1::AccessRecord& r : records) {
    // Token names, case ids and peers come from outside: escaped.
    absl::StrAppend(&out, absl::StrFormat("%-9d %-27s %-16s %-8s %-10s %-14s %s\n", r.position(),
                                          AtText(r), TerminalSafe(r.token_name()),
                                          TerminalSafe(r.role()), TerminalSafe(r.method()),
                                          TerminalSafe(CaseText(r)), TerminalSafe(r.peer())));
  }
  return out;
}

std::string RenderAccessJson(const std::vector<v1::AccessRecord>& records) {
  std::string out = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    const v1::AccessRecord& r = records[i];
    absl::StrAppend(&out, i == 0 ? "\n  " : ",\n  ", "{\"position\":", r.position(),
                    ",\"at\":", JsonString(AtText(r)), ",\"token\":", JsonString(r.token_name()),
                    ",\"role\":", JsonString(r.role()), ",\"method\":", JsonString(r.method()),
                    ",\"caseId\":", JsonString(r.case_id()), ",\"peer\":", JsonString(r.peer()));
    // Only when set, so the listing of ordinary reads is as before.
    if (!r.event_id().empty()) absl::StrAppend(&out, ",\"eventId\":", JsonString(r.event_id()));
    if (!r.outcome().empty()) absl::StrAppend(&out, ",\"outcome\":", JsonString(r.outcome()));
    out += "}";
  }
  absl::StrAppend(&out, records.empty() ? "]\n" : "\n]\n");
  return out;
}

}  // namespace carelog
