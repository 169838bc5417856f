#include "engine/gen/case_lines.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/gen/code_tables.h"
#include "engine/gen/schema_printer.h"

namespace carelog::gen {
namespace {

// What a later line does to an earlier one.
enum class Change { kNone, kRetractDuplicate, kRetractError, kCorrect };

// Sets the id `act` names: earlyReviewConsidered's significantEventId, or an
// eventCorrected's or eventRetracted's eventId.
void NameEarlierEvent(v1::Event& act, const std::string& event_id) {
  switch (act.payload_case()) {
    case v1::Event::kEarlyReviewConsidered:
      act.mutable_early_review_considered()->set_significant_event_id(event_id);
      break;
    case v1::Event::kEventCorrected: act.mutable_event_corrected()->set_event_id(event_id); break;
    case v1::Event::kEventRetracted: act.mutable_event_retracted()->set_event_id(event_id); break;
    default: break;
  }
}

}  // namespace

uint64_t WriteCaseLines(const Cohort& cohort, int child, Rng& rng, std::vector<DraftEvent>& drafts,
                        std::string& out) {
  // Nothing after the window.
  drafts.erase(
      std::remove_if(drafts.begin(), drafts.end(),
                     [&](const DraftEvent& e) { return e.occurred > cohort.window_end_minute; }),
      drafts.end());
  std::sort(drafts.begin(), drafts.end(), [](const DraftEvent& x, const DraftEvent& y) {
    const bool fx = x.flags & kFirstLine, fy = y.flags & kFirstLine;
    if (fx != fy) return fx;
    return x.occurred != y.occurred ? x.occurred < y.occurred : x.seq < y.seq;
  });
  // Late entries: a few lines appear later than their effective order.
  for (size_t i = 0; i < drafts.size(); ++i) {
    drafts[i].line_key = static_cast<int64_t>(i) * 4;
    if ((drafts[i].flags & kMayBeRecordedLate) && rng.Pct(4)) {
      drafts[i].line_key = static_cast<int64_t>(i + rng.Range(2, 8)) * 4 + 2;
    }
  }
  std::stable_sort(drafts.begin(), drafts.end(), [](const DraftEvent& x, const DraftEvent& y) {
    return x.line_key < y.line_key;
  });

  // Corrections and retractions of earlier lines, a few lines after them.
  struct Amendment {
    size_t after;      // inserted after this line index
    DraftEvent event;  // the eventCorrected or eventRetracted
  };
  std::vector<Amendment> amendments;
  for (size_t i = 1; i < drafts.size(); ++i) {
    const DraftEvent& e = drafts[i];
    Change kind = Change::kNone;
    if (e.flags & kDuplicateEntry) {
      kind = Change::kRetractDuplicate;
    } else if (e.correction.has_value() && rng.PerMille(15)) {
      kind = Change::kCorrect;
    } else if ((e.flags & kMayBeRetracted) && rng.PerMille(6)) {
      kind = Change::kRetractError;
    }
    if (kind == Change::kNone) continue;
    const size_t after = std::min(drafts.size() - 1, i + static_cast<size_t>(rng.Range(0, 5)));
    Amendment amendment;
    amendment.after = after;
    amendment.event.occurred = std::max(e.occurred, drafts[after].occurred) + rng.Range(1, 30);
    if (amendment.event.occurred > cohort.window_end_minute) continue;
    amendment.event.role =
        kind == Change::kCorrect && e.role == v1::IRO ? v1::IRO : v1::TEAM_MANAGER;
    amendment.event.actor = e.role == v1::IRO
                                ? e.actor
                                : absl::StrCat("tm-", 1 + rng.Below(cohort.team_managers));
    amendment.event.refers_to = static_cast<int32_t>(i);  // line index, resolved below
    if (kind == Change::kCorrect) {
      v1::EventCorrected& corrected = *amendment.event.act.mutable_event_corrected();
      corrected.set_reason("Recorded incorrectly");
      *corrected.mutable_replacement() = *e.correction;
    } else {
      amendment.event.act.mutable_event_retracted()->set_reason(
          kind == Change::kRetractDuplicate ? "Duplicate entry" : kRetractReasons[rng.Below(3)]);
    }
    amendments.push_back(std::move(amendment));
  }
  std::stable_sort(amendments.begin(), amendments.end(),
                   [](const Amendment& x, const Amendment& y) { return x.after < y.after; });

  // seq -> line id (for earlyReviewConsidered references).
  uint32_t max_seq = 0;
  for (const DraftEvent& e : drafts) max_seq = std::max(max_seq, e.seq);
  std::vector<int32_t> seq_line(max_seq + 1, -1);
  char case_id[16];
  std::snprintf(case_id, sizeof case_id, "C-%06d", child);
  const std::string id_base = absl::StrCat(cohort.event_id_prefix, child, "-");
  std::vector<std::string> line_id(drafts.size());
  uint64_t n = 0;
  auto write = [&](DraftEvent& e, const std::string* ref_id) {
    std::string id = absl::StrCat(id_base, ++n);
    v1::Event& line = e.act;
    line.set_event_id(id);
    line.set_case_id(case_id);
    line.mutable_occurred_at()->set_seconds(e.occurred * 60);
    line.mutable_actor()->set_id(e.actor);
    line.mutable_actor()->set_role(e.role);
    if (ref_id != nullptr) NameEarlierEvent(line, *ref_id);
    AppendEventJson(out, line);
    out.push_back('\n');
    return id;
  };
  size_t next_amendment = 0;
  for (size_t i = 0; i < drafts.size(); ++i) {
    DraftEvent& e = drafts[i];
    const std::string* ref = nullptr;
    bool skip = false;
    if (e.refers_to >= 0) {
      const int32_t line = seq_line[e.refers_to];
      // Reports always precede their considerations; never reference a later line.
      if (line < 0)
        skip = true;
      else
        ref = &line_id[line];
    }
    if (!skip) {
      line_id[i] = write(e, ref);
      seq_line[e.seq] = static_cast<int32_t>(i);
    }
    while (next_amendment < amendments.size() && amendments[next_amendment].after == i) {
      Amendment& amendment = amendments[next_amendment++];
      if (!line_id[amendment.event.refers_to].empty())
        write(amendment.event, &line_id[amendment.event.refers_to]);
    }
  }
  return n;
}

}  // namespace carelog::gen
