// A checkpoint value's body as a damaged or hostile store could give it back
// (the input is the body; the header and checksum are made valid here, so
// the fuzzer explores the parsers rather than the CRC), read as a deadlines
// main and findings value and as a care-plan state value. Properties: never
// crashes; whatever decodes re-encodes to bytes that decode to the same fold,
// and restating it at a date (what a reader does) does not crash.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "projections/views/deadlines_checkpoint.h"
#include "projections/views/state_checkpoint.h"

using namespace carelog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  // value := fingerprint:16 case_version:fixed64 crc32:fixed32 body
  std::string value(16, 'f');
  for (int i = 0; i < 8; ++i) value.push_back(static_cast<char>(size >> (8 * i)));
  uLong c = crc32(0L, Z_NULL, 0);
  c = crc32(c, reinterpret_cast<const Bytef*>(value.data()), static_cast<uInt>(value.size()));
  c = crc32(c, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  for (int i = 0; i < 4; ++i) value.push_back(static_cast<char>(c >> (8 * i)));
  value += body;

  // The same bytes as the main value and as the findings value.
  std::string findings = value;
  const std::string_view findings_view = findings;
  for (const std::string_view* f : {static_cast<const std::string_view*>(nullptr), &findings_view}) {
    auto decoded = DecodeDeadlinesCheckpoint("C-fuzz", value, f);
    if (!decoded.ok()) continue;
    const DeadlinesCheckpointValues again = EncodeDeadlinesCheckpoint(*decoded);
    const std::string_view again_findings = again.findings;
    auto twice = DecodeDeadlinesCheckpoint("C-fuzz", again.main, &again_findings);
    if (!twice.ok()) std::abort();
    const DeadlinesCheckpointValues third = EncodeDeadlinesCheckpoint(*twice);
    if (third.main != again.main || third.findings != again.findings) std::abort();
    CaseDeadlines d = twice->deadlines;
    RestateAt(&d, absl::CivilDay(2025, 1, 1));
  }

  auto state = DecodeStateCheckpoint("C-fuzz", value);
  if (state.ok()) {
    const std::string again = EncodeStateCheckpoint(*state);
    auto twice = DecodeStateCheckpoint("C-fuzz", again);
    if (!twice.ok() || EncodeStateCheckpoint(*twice) != again) std::abort();
    // Built once and kept (reachable from a static, so not a leak).
    static const PolicyRegistry* const registry =
        new PolicyRegistry(*PolicyRegistry::LoadEmbedded());
    static const ResolvedPack* const pack = *registry->Find("england");
    CaseDeadlines none;
    for (absl::CivilDay day : {absl::CivilDay(1, 1, 1), absl::CivilDay(2025, 1, 1), kEndOfTime}) {
      CarePlanState s = twice->state;
      RestateCarePlanState(none, *pack, Calendar::Default(), day, &s);
    }
  }
  return 0;
}
