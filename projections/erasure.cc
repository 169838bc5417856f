#include "projections/erasure.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "projections/escape.h"
#include "projections/subject_access.h"
#include "store/base/status_macros.h"
#include "store/base/time_format.h"

namespace carelog {
namespace {

absl::Time AtOf(const v1::CaseErasure& e) {
  return absl::FromUnixSeconds(e.at().seconds()) + absl::Nanoseconds(e.at().nanos());
}

// "under authority REF" or "its retention period had ended on DATE: RULE, SOURCE".
std::string Grounds(const v1::CaseErasure& e) {
  if (!e.authority().empty()) return absl::StrCat("under authority ", e.authority());
  std::string s = "its retention period had ended";
  absl::CivilDay day;
  if (absl::ParseCivilTime(e.destroy_from(), &day)) absl::StrAppend(&s, " on ", UkDate(day));
  if (!e.retention_rule().empty()) absl::StrAppend(&s, ": ", e.retention_rule());
  if (!e.retention_source().empty()) absl::StrAppend(&s, ", ", e.retention_source());
  return s;
}

}  // namespace

absl::StatusOr<std::vector<v1::CaseErasure>> ReadErasures(const EventStoreReader& store) {
  ASSIGN_OR_RETURN(std::vector<StoredRecord> records, store.ReadStream(kErasuresStream));
  std::vector<v1::CaseErasure> out;
  out.reserve(records.size());
  for (const StoredRecord& r : records) {
    v1::CaseErasure e;
    if (!e.ParseFromString(r.payload)) {
      return absl::DataLossError(
          absl::StrCat("position ", r.position, ": an erasure record does not parse"));
    }
    e.set_position(r.position);
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<v1::CaseErasure>> ErasureOf(const EventStoreReader& store,
                                                         const std::string& case_id) {
  // Every one-case query asks: a plain store, which cannot erase, reads nothing for it.
  if (!store.encrypted()) return std::nullopt;
  ASSIGN_OR_RETURN(std::vector<std::string> erased, store.ErasedStreams());
  if (std::find(erased.begin(), erased.end(), case_id) == erased.end()) return std::nullopt;
  ASSIGN_OR_RETURN(std::vector<v1::CaseErasure> all, ReadErasures(store));
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->case_id() == case_id) return std::move(*it);
  }
  // The marker and its record are written in one write: one without the
  // other is damage.
  return absl::DataLossError(absl::StrCat("case '", case_id,
                                          "' is marked erased but the log has no erasure record "
                                          "of it"));
}

std::string ErasedCaseMessage(const v1::CaseErasure& e) {
  return absl::StrCat("case '", TerminalSafe(e.case_id()), "' was erased on ",
                      UkDateTime(AtOf(e)), " by ", TerminalSafe(e.erased_by()),
                      " (reason: ", TerminalSafe(e.reason()), "; ", TerminalSafe(Grounds(e)),
                      "): its ", e.events(), " events, positions ", e.first_position(), " to ",
                      e.last_position(), ", can no longer be read; the erasure is at position ",
                      e.position());
}

absl::Status ErasedCaseError(const v1::CaseErasure& erasure) {
  absl::Status s = absl::FailedPreconditionError(ErasedCaseMessage(erasure));
  s.SetPayload(kErasedCasePayload, absl::Cord(erasure.case_id()));
  return s;
}

bool IsErasedCase(const absl::Status& status) {
  return absl::IsFailedPrecondition(status) && status.GetPayload(kErasedCasePayload).has_value();
}

std::string RenderErasuresTable(const std::vector<v1::CaseErasure>& erasures) {
  std::string out;
  for (const v1::CaseErasure& e : erasures) {
    absl::StrAppend(&out, "ERASED  ", ErasedCaseMessage(e), "\n");
  }
  absl::StrAppend(&out, erasures.size(), erasures.size() == 1 ? " case" : " cases",
                  " erased\n");
  return out;
}

std::string RenderErasuresJson(const std::vector<v1::CaseErasure>& erasures) {
  std::string out = "[";
  for (size_t i = 0; i < erasures.size(); ++i) {
    const v1::CaseErasure& e = erasures[i];
    if (i > 0) out += ",";
    auto field = [&](const char* name, std::string_view value, bool first = false) {
      if (!first) out += ",";
      AppendJsonString(name, &out);
      out += ":";
      AppendJsonString(value, &out);
    };
    out += "{";
    field("caseId", e.case_id(), true);
    field("at", Rfc3339Utc(AtOf(e)));
    field("erasedBy", e.erased_by());
    field("role", e.role());
    field("through", e.through());
    field("reason", e.reason());
    field("authority", e.authority());
    field("retentionRule", e.retention_rule());
    field("retentionSource", e.retention_source());
    field("destroyFrom", e.destroy_from());
    absl::StrAppend(&out, ",\"events\":", e.events(), ",\"firstPosition\":", e.first_position(),
                    ",\"lastPosition\":", e.last_position(), ",\"position\":", e.position(), "}");
  }
  out += "]";
  return out;
}

}  // namespace carelog
