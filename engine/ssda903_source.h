// Ssda903Source: the events Convert903 built from the SSDA903 tables
// (engine/ssda903_import.h), as an EventSource for the importer: one item
// per event, in append order, so an item's number indexes
// Ssda903Events::origin. The events are handed over as built; they are not
// printed as NDJSON to be parsed again.
//
// What is stored or refused stays what it was when they were: an event the
// tables' bytes made unlike anything an NDJSON line can carry — a string
// that is not UTF-8 (a Latin-1 CSV: protobuf's JSON printer drops the bytes
// it cannot print), or an event near the largest accepted (the line-length
// limit) — still takes that text path, alone.
#ifndef CARELOG_ENGINE_SSDA903_SOURCE_H_
#define CARELOG_ENGINE_SSDA903_SOURCE_H_

#include <vector>

#include "carelog/v1/events.pb.h"
#include "engine/event_source.h"

namespace carelog {

class Ssda903Source : public EventSource {
 public:
  // Read moves the events out of `events`, which must outlive the source.
  explicit Ssda903Source(std::vector<v1::Event>& events) : events_(events) {}

  bool Read(size_t max, SourceChunk* chunk) override;
  void Decode(SourceChunk* chunk) const override;

 private:
  std::vector<v1::Event>& events_;
  size_t next_ = 0;
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_SSDA903_SOURCE_H_
