#include "engine/admission.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "store/base/status_macros.h"

namespace carelog {
namespace {

uint64_t HashId(std::string_view id) { return absl::HashOf(id, uint64_t{0x9e3779b97f4a7c15}); }

}  // namespace

absl::Status AdmitContent(const v1::Event& event, absl::Time now, EventContent* content) {
  absl::Status s = ValidateContent(event, now);
  if (!s.ok()) return s;
  content->payload = EncodeEvent(event);
  content->hash = absl::HashOf(event.case_id(), content->payload);
  content->id_key = HashId(event.event_id());
  content->case_key = HashId(event.case_id());
  return absl::OkStatus();
}

absl::StatusOr<Admission> AdmitAgainstLog(const v1::Event& event, const EventContent& content,
                                          const absl::StatusOr<StoredRecord>& prior) {
  if (!prior.ok()) {
    if (prior.status().code() == absl::StatusCode::kNotFound) return Admission::New();
    return prior.status();
  }
  if (prior->stream != event.case_id()) {
    return Admission::Refused(absl::AlreadyExistsError(
        absl::StrCat("field 'eventId': '", event.event_id(),
                     "' is already recorded for another case, at position ", prior->position,
                     "; event ids are unique across the whole log")));
  }
  if (prior->payload != content.payload) {
    return Admission::Refused(absl::AlreadyExistsError(
        absl::StrCat("field 'eventId': '", event.event_id(), "' is already recorded at position ",
                     prior->position, " with different content")));
  }
  return Admission::Present(prior->position);
}

InputIds::InputIds(InputKind kind, uint64_t expected, SpillOptions spill)
    : kind_(kind),
      file_(std::move(spill), kind == InputKind::kFile ? expected : 0) {
  if (kind_ == InputKind::kBatch && expected != 0) exact_.reserve(expected);
}

absl::StatusOr<std::optional<Admission>> InputIds::Check(uint64_t number, const v1::Event& event,
                                                         const EventContent& content) const {
  if (kind_ == InputKind::kBatch) {
    auto it = exact_.find(event.event_id());
    if (it == exact_.end()) return std::nullopt;
    if (*it->second.payload == content.payload) {
      return Admission::Present(0, it->second.number);
    }
    return Admission::Refused(absl::AlreadyExistsError(absl::StrCat(
        "field 'eventId': '", event.event_id(), "' appears twice in this batch (events ",
        it->second.number, " and ", number,
        ") with different content; nothing from this batch was recorded")));
  }
  ASSIGN_OR_RETURN(std::optional<SpilledIdSet::Value> seen, file_.Find(content.id_key));
  if (!seen.has_value()) return std::nullopt;
  if (seen->content_hash == content.hash) return Admission::Present(0, seen->number);
  return Admission::Refused(absl::AlreadyExistsError(
      absl::StrCat("field 'eventId': '", event.event_id(), "' is already used on line ",
                   seen->number, " with different content")));
}

absl::Status InputIds::Remember(uint64_t number, const v1::Event& event,
                                const EventContent& content) {
  const uint32_t saturated = static_cast<uint32_t>(std::min<uint64_t>(number, UINT32_MAX));
  if (kind_ == InputKind::kBatch) {
    exact_.try_emplace(event.event_id(), Seen{saturated, &content.payload});
    return absl::OkStatus();
  }
  return file_.Insert(content.id_key,
                     SpilledIdSet::Value{content.hash, content.case_key, saturated});
}

void InputIds::Prefetch(const EventContent& content) const {
  if (kind_ == InputKind::kFile) file_.Prefetch(content.id_key);
}

absl::StatusOr<bool> InputIds::HasForCase(std::string_view event_id,
                                          std::string_view case_id) const {
  ASSIGN_OR_RETURN(std::optional<SpilledIdSet::Value> seen, file_.Find(HashId(event_id)));
  return seen.has_value() && seen->case_hash == HashId(case_id);
}

absl::StatusOr<Admission> Admitter::Admit(uint64_t number, const v1::Event& event,
                                          const EventContent& content,
                                          const absl::StatusOr<StoredRecord>& prior) {
  ASSIGN_OR_RETURN(std::optional<Admission> earlier, ids_.Check(number, event, content));
  if (earlier.has_value()) return *std::move(earlier);
  absl::StatusOr<Admission> logged = AdmitAgainstLog(event, content, prior);
  if (!logged.ok() || logged->verdict != Admission::kNew) {
    if (logged.ok() && logged->verdict == Admission::kAlreadyPresent) {
      RETURN_IF_ERROR(ids_.Remember(number, event, content));
    }
    return logged;
  }
  auto it = cases_.find(event.case_id());
  if (it == cases_.end()) {
    absl::StatusOr<CaseState> loaded = load_(event.case_id());
    if (!loaded.ok()) return loaded.status();
    it = cases_.emplace(event.case_id(), *std::move(loaded)).first;
  }
  CaseState& state = it->second;
  if (kind_ == InputKind::kBatch) {
    absl::Status s = ValidateAgainstState(event, state);
    if (!s.ok()) return Admission::Refused(std::move(s));
    ApplyToState(event, &state);
    RETURN_IF_ERROR(ids_.Remember(number, event, content));
    return Admission::New();
  }
  // A file: the state knows the case's events in the log; one the event
  // names that the file brought earlier is lent to it for the check.
  const std::string* target = event.has_event_retracted()   ? &event.event_retracted().event_id()
                              : event.has_event_corrected() ? &event.event_corrected().event_id()
                                                            : nullptr;
  std::optional<uint64_t> lent;
  if (target != nullptr && !state.HasEvent(*target)) {
    ASSIGN_OR_RETURN(bool earlier, ids_.HasForCase(*target, event.case_id()));
    if (earlier) {
      lent = CaseState::IdHash(*target);
      state.event_ids.insert(*lent);
    }
  }
  absl::Status s = ValidateAgainstState(event, state);
  if (lent.has_value()) state.event_ids.erase(*lent);
  if (!s.ok()) return Admission::Refused(std::move(s));
  // Its id is kept in ids_ with its case instead (it is not in the log).
  ApplyFactsToState(event, &state);
  RETURN_IF_ERROR(ids_.Remember(number, event, content));
  return Admission::New();
}

std::optional<CaseState> Admitter::TakeState(const std::string& case_id) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return std::nullopt;
  std::optional<CaseState> out(std::move(it->second));
  cases_.erase(it);
  return out;
}

}  // namespace carelog
