// EventJson: one NDJSON line of the public contract (events.md) to a
// carelog.v1.Event, and back.
//
// The parser follows protobuf's JSON mapping (lowerCamelCase names, original
// names also accepted, enums by name, Timestamps as RFC 3339, null = absent)
// but is built on simdjson and reports errors that name the field, e.g.
// "field 'actor.role': unknown value 'NURSE'". It checks shape only (types,
// known names, exactly one payload); meaning is checked by validation.h.
#ifndef CARELOG_ENGINE_EVENT_JSON_H_
#define CARELOG_ENGINE_EVENT_JSON_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "carelog/v1/events.pb.h"

namespace carelog {

// Reuses its buffers across calls: one per thread.
class EventJsonParser {
 public:
  // How a message is filled from the parsed JSON. kGenerated: code written
  // at build time from events.proto (engine/codegen/event_json_codegen.cc),
  // a function per message with its setters (an import took 8% less time
  // than with reflection). kReflection: protobuf's reflection, the reference the
  // generated code is checked against (tests/event_json_codegen_test.cc,
  // the ndjson_line fuzz target). Both give the same event or the same
  // refusal for every line.
  enum class Filling { kGenerated, kReflection };

  explicit EventJsonParser(Filling filling = Filling::kGenerated);
  ~EventJsonParser();

  // Parses `line` into *out (cleared first). kInvalidArgument naming the
  // field and reason: malformed JSON, unknown field or payload, wrong type,
  // zero or two payloads, a bad instant, a store-set field sent by a sender.
  [[nodiscard]] absl::Status Parse(std::string_view line, v1::Event* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The event as one line of protobuf JSON (no trailing newline).
std::string EventToJson(const v1::Event& event);

// The JSON name of the payload set on `event` ("reviewHeld"), or "" if none.
// The string is the schema's own and lives as long as the program.
const std::string& PayloadName(const v1::Event& event);

}  // namespace carelog

#endif  // CARELOG_ENGINE_EVENT_JSON_H_
