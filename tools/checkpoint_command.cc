// `carelog checkpoint [--store DIR] [--rebuild | --check]`: brings the
// deadlines projection's checkpoints up to date with the log, or checks the
// current ones against it (projections/views/deadlines_view.h).
#include <cstdio>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "projections/escape.h"
#include "projections/views/deadlines_view.h"
#include "projections/views/queries.h"
#include "store/event_store.h"
#include "tools/commands.h"

namespace carelog {

int RunCheckpoint(const Args& args) {
  if (!args.positional.empty()) {
    std::fprintf(stderr, "carelog: checkpoint takes no arguments\n");
    return 2;
  }
  if (args.flags.count("check") > 0 && args.flags.count("rebuild") > 0) {
    std::fprintf(stderr, "carelog: checkpoint takes --rebuild or --check, not both\n");
    return 2;
  }
  StoreOptions so = CliStoreOptions();
  so.create_if_missing = false;
  so.block_cache_bytes = kWholeStorePassCacheBytes;
  // --check only reads: it may run beside a process that holds the store.
  std::unique_ptr<EventStoreReader> store;  // outlives the queries over it
  std::unique_ptr<Queries> queries;
  if (args.flags.count("check") > 0) {
    auto reader = EventStoreReader::Open(StoreDir(args), so);
    if (!reader.ok()) return ReportError(reader.status());
    store = std::move(*reader);
    auto q = Queries::WithEmbeddedPacks(static_cast<const EventStoreReader*>(store.get()));
    if (!q.ok()) return ReportError(q.status());
    queries = std::move(*q);
  } else {
    auto opened = EventStore::Open(StoreDir(args), so);
    if (!opened.ok()) return ReportError(opened.status());
    auto q = Queries::WithEmbeddedPacks(opened->get());
    if (!q.ok()) return ReportError(q.status());
    queries = std::move(*q);
    store = std::move(*opened);
  }
  const absl::Time start = absl::Now();
  if (args.flags.count("check") > 0) {
    auto c = queries->CheckCheckpoints();
    if (!c.ok()) return ReportError(c.status());
    for (const std::string& id : c->differing) {
      std::fprintf(stderr, "case %s: its current checkpoint differs from the fold of its log\n",
                   TerminalSafe(id).c_str());
    }
    for (const std::string& id : c->damaged) {
      std::fprintf(stderr, "case %s: its checkpoint is damaged (not used)\n",
                   TerminalSafe(id).c_str());
    }
    for (const std::string& id : c->not_checkpointable) {
      std::fprintf(stderr,
                   "case %s: always folded from the log: events recorded before carelog refused "
                   "absurd dates give it dates outside years 0001-9999, which no checkpoint holds "
                   "(not damage)\n",
                   TerminalSafe(id).c_str());
    }
    const bool clean = c->differing.empty() && c->damaged.empty();
    const std::string folded =
        c->not_checkpointable.empty()
            ? ""
            : absl::StrCat(", ", c->not_checkpointable.size(), " always folded from the log");
    std::printf("checkpoints (deadlines, care-plan state) checked against the log: %llu cases, %llu current "
                "checkpoints, %zu differ, %zu damaged%s%s, %.2f s\n",
                static_cast<unsigned long long>(c->cases),
                static_cast<unsigned long long>(c->current), c->differing.size(),
                c->damaged.size(), folded.c_str(),
                clean ? "" : " (run `carelog checkpoint --rebuild`)",
                absl::ToDoubleSeconds(absl::Now() - start));
    return clean ? 0 : 1;
  }
  auto r = queries->UpdateCheckpoints(args.flags.count("rebuild") > 0);
  if (!r.ok()) return ReportError(r.status());
  std::printf(
      "checkpoints (deadlines, care-plan state) at position %llu (was %llu): %llu cases, %llu folded (%llu with events "
      "after the checkpoint, %llu under other rules, calendar or fold, %llu without a usable one), %.2f s\n",
      static_cast<unsigned long long>(r->position),
      static_cast<unsigned long long>(r->from_position),
      static_cast<unsigned long long>(r->cases), static_cast<unsigned long long>(r->folded),
      static_cast<unsigned long long>(r->touched),
      static_cast<unsigned long long>(r->rules_changed),
      static_cast<unsigned long long>(r->missing), absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

int CatchUpCheckpointsAfterAppend(EventStore* store) {
  auto caught_up = CatchUpDeadlinesCheckpoints(store);
  if (!caught_up.ok()) {
    std::fprintf(stderr,
                 "carelog: events stored, but the checkpoints were not brought up to "
                 "date (%s); run `carelog checkpoint`\n",
                 std::string(caught_up.status().message()).c_str());
    return 3;
  }
  if (*caught_up) {
    std::printf("checkpoints (deadlines, care-plan state): %llu cases folded, head at position %llu\n",
                static_cast<unsigned long long>((*caught_up)->folded),
                static_cast<unsigned long long>((*caught_up)->position));
  }
  return 0;
}

}  // namespace carelog
