// NdjsonSource: an NDJSON file of events (events.md), one item per line, as
// an EventSource for the importer.
//
// Lines are read as std::getline reads them (the newline is not part of the
// line; a last line without one still counts), except that no more than
// kMaxEventBytes of a line are ever held: the rest of a longer line is read
// past and only counted, so a 100 MB line costs no more memory than a 1 MB
// one and is refused by its length. A UTF-8 byte-order mark at the very
// start of the input (Windows editors and spreadsheets write one) is
// skipped: it is an encoding signature, not part of the first event.
// Whitespace-only lines are blank items. Decode parses with EventJsonParser
// (one per decoding thread).
#ifndef CARELOG_ENGINE_NDJSON_SOURCE_H_
#define CARELOG_ENGINE_NDJSON_SOURCE_H_

#include <istream>
#include <string>
#include <vector>

#include "engine/event_source.h"

namespace carelog {

class NdjsonSource : public EventSource {
 public:
  // `in` is not owned and must outlive the source.
  explicit NdjsonSource(std::istream& in) : in_(in), buffer_(kBufferBytes) {}

  bool Read(size_t max, SourceChunk* chunk) override;
  void Decode(SourceChunk* chunk) const override;
  bool failed() const override { return in_.bad(); }

 private:
  // The next line into *line (its first kMaxEventBytes + 1 bytes at most)
  // and its whole length in bytes into *length. False at the end of the
  // input, with nothing read.
  bool NextLine(std::string* line, uint64_t* length);
  bool Fill();

  static constexpr size_t kBufferBytes = 1 << 16;
  std::istream& in_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool at_start_ = true;
};

}  // namespace carelog

#endif  // CARELOG_ENGINE_NDJSON_SOURCE_H_
