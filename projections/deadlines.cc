#include "projections/deadlines.h"

#include <algorithm>
#include <deque>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/event_time.h"
#include "projections/case_fold.h"
#include "projections/rule_index.h"

namespace carelog {

using carelog::v1::Event;
using case_fold::CaseFold;
using case_fold::OrderedEvent;
using case_fold::PayloadOneof;
using case_fold::UnmetStatus;

std::string_view ObligationStatusName(ObligationStatus s) {
  switch (s) {
    case ObligationStatus::kOpen: return "OPEN";
    case ObligationStatus::kMet: return "MET";
    case ObligationStatus::kMetLate: return "MET_LATE";
    case ObligationStatus::kOverdue: return "OVERDUE";
    case ObligationStatus::kClosed: return "CLOSED";
  }
  return "OPEN";
}

namespace {

// A correction's replacement put over the event it corrects: its payload
// (unless it is itself a retraction or correction) and its occurredAt.
void ApplyReplacement(const Event& repl, Event* original) {
  const auto* field = repl.GetReflection()->GetOneofFieldDescriptor(repl, PayloadOneof());
  if (field != nullptr && !repl.has_event_retracted() && !repl.has_event_corrected()) {
    original->clear_payload();
    original->GetReflection()
        ->MutableMessage(original, field)
        ->CopyFrom(repl.GetReflection()->GetMessage(repl, field));
  }
  if (repl.has_occurred_at()) *original->mutable_occurred_at() = repl.occurred_at();
}

}  // namespace

std::vector<Event> ApplyCorrections(std::vector<Event> events) {
  const auto by_position = [](const Event& a, const Event& b) {
    return a.position() < b.position();
  };
  // A case read from the log is already in position order.
  if (!std::is_sorted(events.begin(), events.end(), by_position)) {
    std::stable_sort(events.begin(), events.end(), by_position);
  }
  // Most cases have nothing to correct: then the maps below are not worth
  // building.
  if (std::none_of(events.begin(), events.end(), [](const Event& e) {
        return e.has_event_retracted() || e.has_event_corrected();
      })) {
    return events;
  }
  absl::flat_hash_set<std::string> targeted;  // ids some retraction names
  for (const Event& e : events) {
    if (e.has_event_retracted()) targeted.insert(e.event_retracted().event_id());
  }
  absl::flat_hash_set<std::string> retracted;
  for (const Event& e : events) {
    if (e.has_event_retracted() && !targeted.contains(e.event_id()))
      retracted.insert(e.event_retracted().event_id());
  }
  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].event_id().empty()) by_id.emplace(events[i].event_id(), i);
  }
  for (const Event& e : events) {
    if (!e.has_event_corrected() || retracted.contains(e.event_id())) continue;
    const auto& c = e.event_corrected();
    auto it = by_id.find(c.event_id());
    if (it == by_id.end() || retracted.contains(c.event_id())) continue;
    Event& original = events[it->second];
    if (original.has_event_retracted() || original.has_event_corrected()) continue;
    ApplyReplacement(c.replacement(), &original);
  }
  std::vector<Event> out;
  out.reserve(events.size());
  for (Event& e : events) {
    if (e.has_event_retracted() || e.has_event_corrected() || retracted.contains(e.event_id()))
      continue;
    out.push_back(std::move(e));
  }
  return out;
}

CaseDeadlines FoldDeadlines(std::string_view case_id, std::vector<Event> events,
                            const ResolvedPack& pack, const Calendar& cal, absl::CivilDay as_of) {
  const RuleIndex rules(pack);
  return FoldDeadlines(case_id, std::move(events), rules, cal, as_of, FoldOptions());
}

namespace {

// The fold of `facts`, corrections applied (any order: put in effective
// order here).
CaseDeadlines FoldFacts(std::string_view case_id, absl::Span<const Event* const> facts,
                        const RuleIndex& rules, const Calendar& cal, absl::CivilDay as_of,
                        const FoldOptions& options) {
  std::vector<OrderedEvent> items;
  items.reserve(facts.size());
  for (const Event* e : facts) {
    const absl::CivilDay date = LondonDate(e->occurred_at());
    if (date > as_of) continue;
    items.push_back({e, date, ToTime(e->occurred_at()), EventTypeName(*e), 0});
  }
  SortInEffectiveOrder(
      items, [](const OrderedEvent& e) { return e.date; },
      [](const OrderedEvent& e) -> const Event& { return *e.event; });
  CaseFold fold(case_id, rules, cal, as_of, options);
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].seq = i + 1;
    fold.Apply(items[i]);
  }
  CaseDeadlines out = fold.Finish();
  if (!items.empty()) out.last_event_day = items.back().date;
  return out;
}

}  // namespace

CaseDeadlines FoldDeadlines(std::string_view case_id, std::vector<Event> events,
                            const RuleIndex& rules, const Calendar& cal, absl::CivilDay as_of,
                            const FoldOptions& options) {
  const std::vector<Event> facts = ApplyCorrections(std::move(events));
  std::vector<const Event*> pointers;
  pointers.reserve(facts.size());
  for (const Event& e : facts) pointers.push_back(&e);
  return FoldFacts(case_id, pointers, rules, cal, as_of, options);
}

std::vector<const Event*> ApplyCorrectionsByPointer(std::vector<const Event*> events,
                                                    std::deque<Event>* corrected) {
  const auto by_position = [](const Event* a, const Event* b) {
    return a->position() < b->position();
  };
  if (!std::is_sorted(events.begin(), events.end(), by_position)) {
    std::stable_sort(events.begin(), events.end(), by_position);
  }
  if (std::none_of(events.begin(), events.end(), [](const Event* e) {
        return e->has_event_retracted() || e->has_event_corrected();
      })) {
    return events;
  }
  absl::flat_hash_set<std::string_view> targeted;  // ids some retraction names
  for (const Event* e : events) {
    if (e->has_event_retracted()) targeted.insert(e->event_retracted().event_id());
  }
  absl::flat_hash_set<std::string_view> retracted;
  for (const Event* e : events) {
    if (e->has_event_retracted() && !targeted.contains(e->event_id()))
      retracted.insert(e->event_retracted().event_id());
  }
  absl::flat_hash_map<std::string_view, size_t> by_id;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i]->event_id().empty()) by_id.emplace(events[i]->event_id(), i);
  }
  std::vector<Event*> copy(events.size(), nullptr);  // ours, once corrected
  for (const Event* e : events) {
    if (!e->has_event_corrected() || retracted.contains(e->event_id())) continue;
    const auto& c = e->event_corrected();
    auto it = by_id.find(c.event_id());
    if (it == by_id.end() || retracted.contains(c.event_id())) continue;
    if (events[it->second]->has_event_retracted() || events[it->second]->has_event_corrected())
      continue;
    if (copy[it->second] == nullptr) {
      copy[it->second] = &corrected->emplace_back(*events[it->second]);
      events[it->second] = copy[it->second];
    }
    Event& original = *copy[it->second];
    ApplyReplacement(c.replacement(), &original);
  }
  std::vector<const Event*> out;
  out.reserve(events.size());
  for (const Event* e : events) {
    if (e->has_event_retracted() || e->has_event_corrected() || retracted.contains(e->event_id()))
      continue;
    out.push_back(e);
  }
  return out;
}

CaseDeadlines FoldDeadlines(std::string_view case_id, absl::Span<const Event* const> events,
                            const RuleIndex& rules, const Calendar& cal, absl::CivilDay as_of,
                            const FoldOptions& options) {
  std::deque<Event> corrected;
  const std::vector<const Event*> facts = ApplyCorrectionsByPointer(
      std::vector<const Event*>(events.begin(), events.end()), &corrected);
  return FoldFacts(case_id, facts, rules, cal, as_of, options);
}

void RestateAt(CaseDeadlines* d, absl::CivilDay as_of) {
  for (Obligation& o : d->obligations) {
    if (!o.met_on && !o.closed_on) o.status = UnmetStatus(o, as_of);
  }
}

}  // namespace carelog
