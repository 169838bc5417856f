// One NDJSON line (untrusted: any sender) through parsing and validation, as
// `carelog import` and the service take it. Properties: never crashes; the
// generated filler and the reflective reference give the same event bytes or
// the same refusal; an accepted line round-trips through EventToJson to an
// equal event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "engine/event_json.h"
#include "engine/validation.h"
#include "google/protobuf/util/message_differencer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static carelog::EventJsonParser* parser = new carelog::EventJsonParser();
  static carelog::EventJsonParser* reference =
      new carelog::EventJsonParser(carelog::EventJsonParser::Filling::kReflection);
  static const absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  std::string_view line(reinterpret_cast<const char*>(data), size);
  carelog::v1::Event event, expected;
  const absl::Status got = parser->Parse(line, &event);
  const absl::Status want = reference->Parse(line, &expected);
  if (got != want || (got.ok() && event.SerializeAsString() != expected.SerializeAsString())) {
    std::fprintf(stderr, "generated filler: %s\nreference: %s\n", got.ToString().c_str(),
                 want.ToString().c_str());
    std::abort();
  }
  if (!got.ok()) return 0;
  carelog::CaseState state;
  if (carelog::ValidateEvent(event, state, now).ok()) {
    carelog::ApplyToState(event, &state);
    (void)carelog::ValidateAgainstState(event, state);
  }
  // What we print must parse back to the same event.
  const std::string json = carelog::EventToJson(event);
  carelog::v1::Event again;
  auto s = parser->Parse(json, &again);
  if (!s.ok() || !google::protobuf::util::MessageDifferencer::Equals(event, again)) {
    std::fprintf(stderr, "round trip failed: %s\n%s\n", std::string(s.message()).c_str(),
                 json.c_str());
    std::abort();
  }
  return 0;
}
