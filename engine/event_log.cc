#include "engine/event_log.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/base/deterministic.h"
#include "store/base/status_macros.h"

namespace carelog {

std::string EncodeEvent(const v1::Event& event) {
  const bool store_fields =
      event.has_recorded_at() || event.position() != 0 || event.version() != 0;
  const v1::Event* src = &event;
  v1::Event copy;
  if (store_fields) {
    copy = event;
    copy.clear_recorded_at();
    copy.clear_position();
    copy.clear_version();
    src = &copy;
  }
  return DeterministicBytes(*src);
}

absl::StatusOr<v1::Event> DecodeEvent(const StoredRecord& record) {
  v1::Event e;
  if (!e.ParseFromString(record.payload)) {
    return absl::DataLossError(
        absl::StrCat("position ", record.position, ": stored event does not parse"));
  }
  e.set_position(record.position);
  e.set_version(record.version);
  const int64_t micros = record.recorded_at_micros;
  int64_t secs = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --secs;
  }
  e.mutable_recorded_at()->set_seconds(secs);
  e.mutable_recorded_at()->set_nanos(static_cast<int32_t>(rem * 1000));
  return e;
}

absl::StatusOr<std::vector<v1::Event>> EventLog::ReadCase(const std::string& case_id) const {
  ASSIGN_OR_RETURN(std::vector<StoredRecord> records, store_->ReadStream(case_id));
  std::vector<v1::Event> out;
  out.reserve(records.size());
  for (const StoredRecord& r : records) {
    ASSIGN_OR_RETURN(v1::Event e, DecodeEvent(r));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::pair<CaseState, uint64_t>> EventLog::LoadState(
    const std::string& case_id) const {
  ASSIGN_OR_RETURN(std::vector<v1::Event> events, ReadCase(case_id));
  CaseState state;
  for (const v1::Event& e : events) ApplyToState(e, &state);
  const uint64_t version = events.empty() ? 0 : events.back().version();
  return std::make_pair(std::move(state), version);
}

absl::StatusOr<CaseAppendResult> EventLog::AppendCase(const std::vector<v1::Event>& events,
                                                       std::optional<uint64_t> expected_version) {
  if (events.empty()) return absl::InvalidArgumentError("no events to append");
  const std::string& case_id = events.front().case_id();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].case_id() != case_id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", i + 1, ": field 'caseId': '", events[i].case_id(),
          "' differs from the batch's case '", case_id, "' (a batch is for one case)"));
    }
  }
  // Content checks do not depend on the log: do them once.
  const absl::Time now = clock_->Now();
  std::vector<std::string> encoded;
  encoded.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    absl::Status s = ValidateContent(events[i], now);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("event ", i + 1, ": ", s.message()));
    }
    encoded.push_back(EncodeEvent(events[i]));
  }
  // An id twice in the batch: with the same content the second is a repeat
  // (the store reports the first's position, already_present); with other
  // content it is refused here, naming both events, because nothing is
  // recorded at the position the store would otherwise name.
  std::vector<bool> repeat(events.size(), false);
  {
    absl::flat_hash_map<std::string_view, size_t> first_use;
    for (size_t i = 0; i < events.size(); ++i) {
      auto [it, inserted] = first_use.try_emplace(events[i].event_id(), i);
      if (inserted) continue;
      if (encoded[it->second] != encoded[i]) {
        return absl::AlreadyExistsError(absl::StrCat(
            "event ", i + 1, ": field 'eventId': '", events[i].event_id(),
            "' appears twice in this batch (events ", it->second + 1, " and ", i + 1,
            ") with different content; nothing from this batch was recorded"));
      }
      repeat[i] = true;
    }
  }

  // A retry of a batch whose reply was lost carries the expected version of
  // its first attempt: when every event is already stored with the same
  // content, report the original positions whatever the version says.
  {
    CaseAppendResult retry;
    for (size_t i = 0; i < events.size(); ++i) {
      auto prior = store_->Lookup(events[i].event_id());
      if (!prior.ok() || prior->stream != case_id || prior->payload != encoded[i]) break;
      retry.positions.push_back(prior->position);
      retry.already_present.push_back(true);
    }
    if (retry.positions.size() == events.size()) {
      ASSIGN_OR_RETURN(retry.case_version, store_->StreamVersion(case_id));
      return retry;
    }
  }

  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto loaded, LoadState(case_id));
    CaseState& state = loaded.first;
    const uint64_t version = loaded.second;
    if (expected_version.has_value() && *expected_version != version) {
      return absl::AbortedError(absl::StrCat("version conflict on case '", case_id,
                                             "': expected version ", *expected_version,
                                             ", the log is at version ", version));
    }
    AppendRequest req;
    for (size_t i = 0; i < events.size(); ++i) {
      // An event already stored with the same content is a retry: the store
      // reports its position; it was validated when first appended.
      if (repeat[i]) {
        req.records.push_back(NewRecord{case_id, events[i].event_id(), encoded[i]});
        continue;
      }
      auto prior = store_->Lookup(events[i].event_id());
      if (prior.ok()) {
        if (prior->stream != case_id) {
          // The other case is not named: a writer may not be entitled to
          // read it (writer tokens have no read role), and its position is
          // enough for an administrator to look it up.
          return absl::AlreadyExistsError(absl::StrCat(
              "event ", i + 1, ": field 'eventId': '", events[i].event_id(),
              "' is already recorded for another case, at position ", prior->position,
              "; event ids are unique across the whole log"));
        }
        if (prior->payload != encoded[i]) {
          return absl::AlreadyExistsError(absl::StrCat(
              "event ", i + 1, ": field 'eventId': '", events[i].event_id(),
              "' is already recorded at position ", prior->position, " with different content"));
        }
      } else if (prior.status().code() != absl::StatusCode::kNotFound) {
        return prior.status();
      } else {
        absl::Status s = ValidateAgainstState(events[i], state);
        if (!s.ok()) {
          return absl::Status(s.code(), absl::StrCat("event ", i + 1, ": ", s.message()));
        }
        ApplyToState(events[i], &state);
      }
      req.records.push_back(NewRecord{case_id, events[i].event_id(), encoded[i]});
    }
    req.expected_versions[case_id] = version;
    auto result = store_->Append(std::move(req));
    if (!result.ok()) {
      // Someone appended to this case between our read and our write. With
      // no expected version from the caller, validate again on the new state.
      if (result.status().code() == absl::StatusCode::kAborted && !expected_version.has_value() &&
          attempt < 100) {
        continue;
      }
      return result.status();
    }
    CaseAppendResult out;
    out.positions = std::move(result->positions);
    out.already_present = std::move(result->already_present);
    out.case_version = result->stream_versions[case_id];
    return out;
  }
}

}  // namespace carelog
