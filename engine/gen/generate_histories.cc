#include "engine/gen/generate_histories.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/calendar.h"
#include "engine/gen/case_lines.h"
#include "engine/gen/child_history.h"
#include "engine/gen/draft_event.h"
#include "engine/gen/random.h"
#include "engine/gen/timeline.h"

namespace carelog {

absl::StatusOr<uint64_t> GenerateHistories(const GenOptions& opts, std::ostream& out) {
  using namespace gen;  // NOLINT: this file is the generator's entry point
  if (opts.children < 0) return absl::InvalidArgumentError("gen: --children must be >= 0");
  if (opts.years < 1 || opts.years > 30) {
    return absl::InvalidArgumentError("gen: --years must be between 1 and 30");
  }
  if (opts.end.year() < 2000 || opts.end.year() > 2100) {
    return absl::InvalidArgumentError("gen: end date must be between 2000 and 2100");
  }
  Cohort cohort;
  cohort.window_end = opts.end;
  cohort.window_start = AddMonths(opts.end, -12 * opts.years) + 1;
  cohort.window_end_minute = DaysSinceEpoch(opts.end) * kMinutesPerDay + kMinutesPerDay - 1;
  cohort.social_workers = std::max(8, opts.children / 12);
  cohort.team_managers = std::max(2, cohort.social_workers / 6);
  cohort.service_managers = std::max(2, opts.children / 250);
  cohort.iros = std::max(4, opts.children / 45);
  cohort.event_id_prefix = absl::StrCat("g", opts.seed, "-");
  cohort.calendar = &Calendar::Default();

  std::vector<DraftEvent> drafts;
  std::string buf;
  buf.reserve(1 << 20);
  uint64_t total = 0;
  uint64_t mix = opts.seed;
  const uint64_t seed_base = SplitMix64(mix);
  for (int child = 1; child <= opts.children; ++child) {
    // Each child has its own streams, so a child's history does not depend
    // on how many children come before it.
    uint64_t s = seed_base ^ (static_cast<uint64_t>(child) * 0xd1b54a32d192ed03ULL);
    const uint64_t child_seed = SplitMix64(s);
    drafts.clear();
    ChildHistory history(cohort, child, child_seed, drafts);
    history.Run();
    Rng amendments_rng(child_seed ^ 0x5851f42d4c957f2dULL);
    total += WriteCaseLines(cohort, child, amendments_rng, drafts, buf);
    if (buf.size() >= (1 << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
      if (!out) return absl::InternalError("gen: write failed");
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  if (!out) return absl::InternalError("gen: write failed");
  return total;
}

}  // namespace carelog
