#include "engine/gen/case_lines.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/gen/code_tables.h"
#include "engine/gen/json_text.h"

namespace carelog::gen {

uint64_t WriteCaseLines(const Cohort& cohort, int child, Rng& rng,
                        std::vector<DraftEvent>& drafts, std::string& out) {
  // Nothing after the window.
  drafts.erase(std::remove_if(drafts.begin(), drafts.end(), [&](const DraftEvent& e) { return e.occurred > cohort.window_end_minute; }),
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
  std::stable_sort(drafts.begin(), drafts.end(), [](const DraftEvent& x, const DraftEvent& y) { return x.line_key < y.line_key; });

  // Corrections and retractions of earlier lines, a few lines after them.
  struct Insert {
    size_t after;  // inserted after this line index
    DraftEvent ev;
  };
  std::vector<Insert> inserts;
  for (size_t i = 1; i < drafts.size(); ++i) {
    const DraftEvent& e = drafts[i];
    int kind = 0;  // 1 retract dup, 2 retract error, 3 correct
    if (e.flags & kDuplicateEntry) {
      kind = 1;
    } else if (!e.correction.empty() && rng.PerMille(15)) {
      kind = 3;
    } else if ((e.flags & kMayBeRetracted) && rng.PerMille(6)) {
      kind = 2;
    }
    if (kind == 0) continue;
    const size_t after = std::min(drafts.size() - 1, i + static_cast<size_t>(rng.Range(0, 5)));
    Insert ins;
    ins.after = after;
    ins.ev.occurred = std::max(e.occurred, drafts[after].occurred) + rng.Range(1, 30);
    if (ins.ev.occurred > cohort.window_end_minute) continue;
    ins.ev.role = kind == 3 && std::string_view(e.role) == "IRO" ? "IRO" : "TEAM_MANAGER";
    ins.ev.actor = std::string_view(e.role) == "IRO" ? e.actor : absl::StrCat("tm-", 1 + rng.Below(cohort.team_managers));
    ins.ev.refers_to = static_cast<int32_t>(i);  // line index, resolved below
    if (kind == 3) {
      ins.ev.payload = "\"eventCorrected\":{\"eventId\":";
      ins.ev.payload_tail = absl::StrCat(",\"reason\":\"Recorded incorrectly\",\"replacement\":{", e.correction, "}}");
    } else {
      ins.ev.payload = "\"eventRetracted\":{\"eventId\":";
      ins.ev.payload_tail = absl::StrCat(",\"reason\":\"",
                                  kind == 1 ? "Duplicate entry" : kRetractReasons[rng.Below(3)], "\"}");
    }
    inserts.push_back(std::move(ins));
  }
  std::stable_sort(inserts.begin(), inserts.end(),
                   [](const Insert& x, const Insert& y) { return x.after < y.after; });

  // seq -> line id (for earlyReviewConsidered references).
  uint32_t max_seq = 0;
  for (const DraftEvent& e : drafts) max_seq = std::max(max_seq, e.seq);
  std::vector<int32_t> seq_line(max_seq + 1, -1);
  char case_id[16];
  std::snprintf(case_id, sizeof case_id, "C-%06d", child);
  const std::string id_base = absl::StrCat(cohort.event_id_prefix, child, "-");
  std::vector<std::string> line_id(drafts.size());
  uint64_t n = 0;
  auto write = [&](const DraftEvent& e, const std::string* ref_id) {
    std::string id = absl::StrCat(id_base, ++n);
    out.append("{\"eventId\":\"");
    out.append(id);
    out.append("\",\"caseId\":\"");
    out.append(case_id);
    out.append("\",\"occurredAt\":\"");
    AppendInstant(out, e.occurred);
    out.append("\",\"actor\":{\"id\":\"");
    AppendEscaped(out, e.actor);
    out.append("\",\"role\":\"");
    out.append(e.role);
    out.append("\"},");
    out.append(e.payload);
    if (ref_id != nullptr) {
      out.push_back('"');
      out.append(*ref_id);
      out.push_back('"');
      out.append(e.payload_tail);
    }
    out.append("}\n");
    return id;
  };
  size_t next_insert = 0;
  for (size_t i = 0; i < drafts.size(); ++i) {
    const DraftEvent& e = drafts[i];
    const std::string* ref = nullptr;
    bool skip = false;
    if (e.refers_to >= 0) {
      const int32_t line = seq_line[e.refers_to];
      // Reports always precede their considerations; never reference a later line.
      if (line < 0) skip = true;
      else ref = &line_id[line];
    }
    if (!skip) {
      line_id[i] = write(e, ref);
      seq_line[e.seq] = static_cast<int32_t>(i);
    }
    while (next_insert < inserts.size() && inserts[next_insert].after == i) {
      const Insert& ins = inserts[next_insert++];
      if (!line_id[ins.ev.refers_to].empty()) write(ins.ev, &line_id[ins.ev.refers_to]);
    }
  }
  return n;
}

}  // namespace carelog::gen
