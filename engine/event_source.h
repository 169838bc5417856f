// EventSource: where an import's events come from, in input order — an
// NDJSON file (engine/ndjson_source.h) or the SSDA903 tables
// (engine/ssda903_import.cc) — so that one importer (engine/importer.h)
// admits and appends them whatever their format, and a format that already
// has events in hand does not render them as text to be parsed again.
//
// An item is one unit of the input as its refusals number it: a line of an
// NDJSON file (blank ones included, so item numbers are line numbers), an
// event of the tables. Items are read in order by one thread at a time
// (Read, cheap: e.g. splitting lines), then decoded into events on any
// thread (Decode: e.g. parsing JSON), so a text format parses in parallel.
#ifndef CARELOG_ENGINE_EVENT_SOURCE_H_
#define CARELOG_ENGINE_EVENT_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

// One decoded item.
struct SourceItem {
  bool blank = false;   // nothing to import (a blank line); not an event
  absl::Status status;  // not OK: the item is refused with this reason
  v1::Event event;      // when not blank and status is OK
};

// Consecutive items of the input. Reused from chunk to chunk, so an item's
// allocations are too.
struct SourceChunk {
  uint64_t first = 0;                // 1-based number of the first item
  std::vector<std::string> text;     // a text source's raw items, by Read
  std::vector<uint64_t> lengths;     // their whole lengths (text may be cut)
  std::vector<SourceItem> items;     // after Decode: one per item
  size_t size() const { return items.size(); }
};

class EventSource {
 public:
  virtual ~EventSource() = default;

  // Reads the next items (at most `max`) into *chunk, replacing what it
  // held except chunk->first, which the caller sets; items must have one
  // entry per item read. False at the end of the input, with nothing read.
  // REQUIRES: one thread at a time, in input order.
  virtual bool Read(size_t max, SourceChunk* chunk) = 0;

  // Decodes the items Read left in *chunk. May run on several threads at
  // once, for different chunks.
  virtual void Decode(SourceChunk* chunk) const = 0;

  // Whether reading the input failed (I/O): the import then fails
  // ("reading the input failed") instead of treating it as its end.
  virtual bool failed() const { return false; }
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_EVENT_SOURCE_H_
