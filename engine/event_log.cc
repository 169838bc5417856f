#include "engine/event_log.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/admission.h"
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

absl::Status DecodeEventInto(const StoredRecord& record, v1::Event* e) {
  if (record.erased) {
    return absl::FailedPreconditionError(absl::StrCat(
        "position ", record.position, ": the event of case '", record.stream,
        "' is erased (its data key was destroyed) and cannot be read"));
  }
  if (!e->ParseFromString(record.payload)) {
    return absl::DataLossError(
        absl::StrCat("position ", record.position, ": stored event does not parse"));
  }
  e->set_position(record.position);
  e->set_version(record.version);
  const int64_t micros = record.recorded_at_micros;
  int64_t secs = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --secs;
  }
  e->mutable_recorded_at()->set_seconds(secs);
  e->mutable_recorded_at()->set_nanos(static_cast<int32_t>(rem * 1000));
  return absl::OkStatus();
}

absl::StatusOr<v1::Event> DecodeEvent(const StoredRecord& record) {
  v1::Event e;
  RETURN_IF_ERROR(DecodeEventInto(record, &e));
  return e;
}

absl::StatusOr<std::vector<v1::Event>> EventLog::ReadCase(const std::string& case_id) const {
  ASSIGN_OR_RETURN(std::vector<StoredRecord> records, reader_->ReadStream(case_id));
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

absl::StatusOr<EventLog::CachedState> EventLog::CurrentState(const std::string& case_id) {
  // Taken out of the cache, not copied (a long case's copy was 1.8% of a
  // served append): the caller gives it back. Another append to the case
  // meanwhile finds none and folds the case from the log.
  CachedState current;
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(case_id);
    if (it != cache_.end()) {
      cached_event_ids_ -= CacheWeight(it->second);
      current = std::move(it->second);
      cache_.erase(it);
    }
  }
  ASSIGN_OR_RETURN(std::vector<StoredRecord> newer,
                   reader_->ReadStream(case_id, current.version + 1));
  if (newer.empty()) return current;
  for (const StoredRecord& r : newer) {
    if (r.version != current.version + 1) {
      return absl::DataLossError(absl::StrCat("case '", case_id, "': version ", r.version,
                                              " follows version ", current.version));
    }
    ASSIGN_OR_RETURN(v1::Event e, DecodeEvent(r));
    ApplyToState(e, &current.state);
    current.version = r.version;
  }
  return current;
}

size_t EventLog::CacheWeight(const CachedState& c) {
  // What an entry holds, roughly: its event ids, its review ids and itself.
  return c.state.event_ids.size() + c.state.reviews.size() + 1;
}

void EventLog::Remember(const std::string& case_id, CachedState state) {
  const size_t w = CacheWeight(state);
  if (w > kMaxCachedEventIds) return;
  absl::MutexLock lock(&cache_mu_);
  auto [it, inserted] = cache_.try_emplace(case_id);
  if (!inserted) {
    // Another caller may have cached a later state meanwhile: never go back.
    if (it->second.version >= state.version) return;
    cached_event_ids_ -= CacheWeight(it->second);
  }
  it->second = std::move(state);
  cached_event_ids_ += w;
  // Over the bound: drop other cases (whichever the map yields first; a
  // dropped case is folded from the log on its next append).
  for (auto e = cache_.begin(); cached_event_ids_ > kMaxCachedEventIds && e != cache_.end();) {
    if (e->first == case_id) {
      ++e;
      continue;
    }
    cached_event_ids_ -= CacheWeight(e->second);
    cache_.erase(e++);
  }
}

absl::StatusOr<CaseAppendResult> EventLog::AppendCase(const std::vector<v1::Event>& events,
                                                       std::optional<uint64_t> expected_version) {
  if (store_ == nullptr) return absl::FailedPreconditionError("store opened read-only");
  if (events.empty()) return absl::InvalidArgumentError("no events to append");
  const std::string& case_id = events.front().case_id();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].case_id() != case_id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", i + 1, ": field 'caseId': '", events[i].case_id(),
          "' differs from the batch's case '", case_id, "' (a batch is for one case)"));
    }
  }
  auto refused = [](size_t i, const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("event ", i + 1, ": ", s.message()));
  };
  // Admission step 1 (engine/admission.h), once: it does not depend on the log.
  const absl::Time now = clock_->Now();
  std::vector<EventContent> contents(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    absl::Status s = AdmitContent(events[i], now, &contents[i]);
    if (!s.ok()) return refused(i, s);
  }
  // Step 2 over the whole batch, before the log is asked: an id twice with
  // other content is refused naming both events, because nothing is
  // recorded at the position the log would otherwise name. With the same
  // content the second is a repeat, reported at the first's position.
  std::vector<bool> repeat(events.size(), false);
  std::vector<size_t> first_use(events.size());  // index of the id's first event
  {
    InputIds batch(InputKind::kBatch, events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      ASSIGN_OR_RETURN(std::optional<Admission> earlier,
                       batch.Check(i + 1, events[i], contents[i]));
      first_use[i] = i;
      if (!earlier.has_value()) {
        RETURN_IF_ERROR(batch.Remember(i + 1, events[i], contents[i]));
      } else if (earlier->verdict == Admission::kRefused) {
        return refused(i, earlier->refusal);
      } else {
        repeat[i] = true;
        first_use[i] = earlier->earlier - 1;
      }
    }
  }

  for (int attempt = 0;; ++attempt) {
    // Read before the look-ups: if the log still ends here when the store
    // plans our append, they still hold and the store need not repeat them.
    const uint64_t looked_up_at = store_->LastPosition();
    ASSIGN_OR_RETURN(CachedState loaded, CurrentState(case_id));
    const uint64_t version = loaded.version;
    // Step 3's one look-up per event, after the state was read: an event
    // stored by someone else in between is then seen as present (and the
    // store's version check sends us round again), never validated twice.
    std::vector<absl::StatusOr<StoredRecord>> priors;
    priors.reserve(events.size());
    bool all_present = true;
    for (size_t i = 0; i < events.size(); ++i) {
      priors.push_back(repeat[i] ? absl::StatusOr<StoredRecord>(absl::NotFoundError(""))
                                 : store_->Lookup(events[i].event_id()));
      const auto& prior = priors.back();
      if (!repeat[i] && (!prior.ok() || prior->stream != case_id ||
                         prior->payload != contents[i].payload)) {
        all_present = false;
      }
    }
    CaseAppendResult out;
    out.positions.assign(events.size(), 0);
    out.already_present.assign(events.size(), true);
    // A retry of a batch whose reply was lost carries the expected version
    // of its first attempt: when every event is already stored with the
    // same content, report the original positions whatever the version says.
    if (attempt == 0 && all_present) {
      for (size_t i = 0; i < events.size(); ++i) {
        out.positions[i] = priors[first_use[i]]->position;
      }
      Remember(case_id, std::move(loaded));  // nothing applied to it
      ASSIGN_OR_RETURN(out.case_version, store_->StreamVersion(case_id));
      return out;
    }
    if (expected_version.has_value() && *expected_version != version) {
      Remember(case_id, std::move(loaded));  // nothing applied to it
      return absl::AbortedError(absl::StrCat("version conflict on case '", case_id,
                                             "': expected version ", *expected_version,
                                             ", the log is at version ", version));
    }
    // The admitter is lent the state (one case: asked once, if any event is
    // new) and hands it back past the new events (TakeState, below): a
    // case's state is not copied or folded again per append. From here a
    // refusal or a failed write drops it: it may be past events that were
    // not stored, and the case's next append folds it from the log.
    Admitter admitter(
        InputKind::kBatch,
        [&loaded](const std::string&) -> absl::StatusOr<CaseState> {
          return std::move(loaded.state);
        },
        events.size());
    // Only the new events go to the store (what is already present keeps
    // its position), so the look-ups above are all it needs.
    AppendRequest req;
    std::vector<size_t> record_of(events.size(), 0);  // new event -> its record
    std::vector<size_t> new_events;                     // in the order stored
    for (size_t i = 0; i < events.size(); ++i) {
      ASSIGN_OR_RETURN(Admission a, admitter.Admit(i + 1, events[i], contents[i], priors[i]));
      if (a.verdict == Admission::kRefused) return refused(i, a.refusal);
      if (a.verdict == Admission::kAlreadyPresent) {
        out.positions[i] = a.position;  // 0 for a repeat: its first's, below
        continue;
      }
      record_of[i] = req.records.size();
      new_events.push_back(i);
      req.records.push_back(NewRecord{case_id, events[i].event_id(), contents[i].payload});
    }
    req.expected_versions[case_id] = version;
    req.ids_absent_at = looked_up_at;
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
    for (size_t i = 0; i < events.size(); ++i) {
      if (repeat[i] || out.positions[i] != 0) continue;
      out.positions[i] = result->positions[record_of[i]];
      out.already_present[i] = result->already_present[record_of[i]];
    }
    for (size_t i = 0; i < events.size(); ++i) {
      if (repeat[i]) out.positions[i] = out.positions[first_use[i]];
    }
    out.case_version = result->stream_versions[case_id];
    // The store checked the case was at `version` and wrote every new event
    // after it, in order: the case's state now is the admitter's, past them
    // (or the state as read, when none was new). If the store found one of
    // them present after all, the next append reads what is there instead.
    if (result->appended == new_events.size() &&
        out.case_version == version + new_events.size()) {
      std::optional<CaseState> after = admitter.TakeState(case_id);
      Remember(case_id, CachedState{out.case_version,
                                    after.has_value() ? *std::move(after) : std::move(loaded.state)});
    }
    return out;
  }
}

}  // namespace carelog
