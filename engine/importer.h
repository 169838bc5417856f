// Importer: the events of an EventSource (an NDJSON file, the SSDA903
// tables) into the log, all or nothing.
//
// Each item is decoded and admitted (engine/admission.h: content, the same
// id earlier in the input or in the log, and the case's state as it stands
// in the log plus the earlier items). The admitted events are staged in
// groups as table files beside the store as the input is read
// (BulkLoader::Stage), so memory does not grow with the input and parsing
// overlaps writing. If any item is refused, the staged groups are dropped
// and nothing is appended; otherwise they are all ingested in one atomic,
// durable step (BulkLoader::Commit): a crash at any point leaves the whole
// import in the store or none of it.
//
// The store is nobody else's to write during the import: it holds its bulk
// load (store/bulk_loader.h) from the first look-up to the ingestion.
#ifndef CARELOG_ENGINE_IMPORTER_H_
#define CARELOG_ENGINE_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/event_source.h"
#include "engine/spilled_id_set.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace carelog {

struct ImportOptions {
  // Not owned; nullptr = SystemClock(). "now" for the future-date check.
  Clock* clock = nullptr;
  // Called for every refused item (a line of an NDJSON file), in input order
  // (1-based), with the reason.
  std::function<void(uint64_t line, const absl::Status& reason)> on_refused;
  // Called now and then: "checked" with the items read, "written" with the
  // events staged.
  std::function<void(std::string_view phase, uint64_t done)> on_progress;
  // A hint: about how many lines the input has (e.g. its size / 150), so the
  // memory of ids seen in the file is sized once. 0 = unknown.
  uint64_t expected_lines = 0;
  // Ids of the file kept in memory; past that they are spilled to sorted
  // runs beside the store (engine/spilled_id_set.h), removed when the
  // import ends, so the import's memory does not grow with the file.
  size_t ids_in_memory = SpillOptions().ids_in_memory;
  // Events per staged group; the import holds two groups in memory at once
  // (one admitted, one staged). 25,000: at 1M events 167 MB peak against
  // 196 MB at 50,000, in the same time; 12,500 made a 10.4M-event import
  // 18% slower (832 index runs to merge, in rounds) for 4% less memory.
  size_t batch_events = 25000;
  // Threads that parse and check content (0 = one per core, at
  // most 4). Everything that depends on earlier lines stays in line order.
  int parse_threads = 0;
};

struct ImportReport {
  uint64_t lines = 0;            // items (lines) read, blank ones included
  uint64_t events = 0;           // non-blank items
  uint64_t refused = 0;          // items refused (then nothing was appended)
  uint64_t appended = 0;
  uint64_t already_present = 0;  // same eventId and content already stored
  uint64_t first_position = 0;   // of the appended events (0 if none)
  uint64_t last_position = 0;
};

// Imports the events of `source`. Returns the report (refused > 0 means nothing was appended);
// an error status only for an internal fault (I/O, a write failure), in which
// case nothing was appended and the message says so and what to do;
// kResourceExhausted "disk full …" when the disk filled up.
// kFailedPrecondition when the store is read-only or another bulk load of it
// is open.
[[nodiscard]] absl::StatusOr<ImportReport> ImportEvents(EventStore* store, EventSource& source,
                                                        const ImportOptions& options);

// ImportEvents of an NdjsonSource over `in` (its items are its lines).
[[nodiscard]] absl::StatusOr<ImportReport> ImportNdjson(EventStore* store, std::istream& in,
                                                        const ImportOptions& options);

}  // namespace carelog

#endif  // CARELOG_ENGINE_IMPORTER_H_
