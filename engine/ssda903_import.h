// SSDA903 import: the DfE return's Header, Episodes and Reviews CSVs
// (DD/MM/YYYY dates) into carelog events, through the same validation and
// all-or-nothing append as `carelog import` (engine/importer.h).
//
// Rows become events (actor ssda903-import/SYSTEM, occurredAt the row's date
// at 12:00 Europe/London, caseId = CHILD):
//   header.csv   -> childRegistered (DOB, SEX, ETHNIC, UPN, MOTHER, MC_DOB)
//   episodes.csv -> at DECOM: childAccommodated (LS, PLACE) when no period of
//                   care is open, else legalStatusChanged when LS changes;
//                   always placementStarted carrying every other column;
//                   at DEC: placementEnded (reason = REC), and
//                   childCeasedLookedAfter (REC) unless REC is X1 and the
//                   child's next episode starts that day.
//   reviews.csv  -> reviewHeld (participation = REVIEW_CODE)
// Event ids are derived from the row's content ("903-h-", "903-e-", "903-r-"
// + a 64-bit FNV-1a of the row), so re-importing is a no-op and exact
// duplicate rows collapse into one event.
//
// Refused rows (reported "FILE:LINE: reason"): unparsable or missing dates,
// unknown codes, facts dated in the future, a child missing from the header,
// a review whose DOB differs from the header, DEC before DECOM, and an
// episode that overlaps the child's next one (or has no DEC but is not the
// child's last). Reviews of children with no episode are accepted (the QA
// report flags them, review.outside_period_of_care).
#ifndef CARELOG_ENGINE_SSDA903_IMPORT_H_
#define CARELOG_ENGINE_SSDA903_IMPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "store/base/clock.h"
#include "store/event_store.h"

namespace carelog {

// The instant 12:00 Europe/London on `day` (its LondonDate is `day`).
google::protobuf::Timestamp LondonNoon(absl::CivilDay day);

// "DD/MM/YYYY" strictly; kInvalidArgument naming the text otherwise.
[[nodiscard]] absl::StatusOr<absl::CivilDay> Parse903Date(std::string_view text);
std::string Format903Date(absl::CivilDay day);

// One line of a CSV (RFC 4180 quoting); no trailing newline.
std::vector<std::string> SplitCsvLine(std::string_view line);

struct Ssda903Events {
  std::vector<v1::Event> events;  // in append order
  // Per event: where it came from, "header.csv:12" style (file path, line).
  std::vector<std::pair<int, uint64_t>> origin;  // {file index 0..2, 1-based line}
  std::vector<std::string> files;                // the three paths, by index
  std::vector<std::string> refused;              // "FILE:LINE: reason", file order
  uint64_t rows[3] = {0, 0, 0};                  // data rows read per file
  uint64_t accepted[3] = {0, 0, 0};              // rows turned into events
};

// Reads DIR/{header,episodes,reviews}.csv and converts them. Rows in
// `skip` ({file index, line}) are left out (as if refused). kNotFound /
// kInvalidArgument for a missing file or a header line without the columns.
[[nodiscard]] absl::StatusOr<Ssda903Events> Convert903(
    const std::string& dir, absl::Time now,
    const std::vector<std::pair<int, uint64_t>>& skip = {});

struct Import903Options {
  Clock* clock = nullptr;     // nullptr = SystemClock()
  bool skip_invalid = false;  // import the valid rows, report the others
  std::function<void(const std::string& refusal)> on_refused;  // "FILE:LINE: reason"
};

struct Import903Report {
  uint64_t rows[3] = {0, 0, 0};
  uint64_t accepted[3] = {0, 0, 0};
  uint64_t refused = 0;  // rows
  uint64_t events = 0;
  uint64_t appended = 0;
  uint64_t already_present = 0;
  bool appended_anything() const { return appended > 0; }
};

// Converts and imports. Without skip_invalid, any refused row means nothing
// is appended (report.refused > 0). Error status only for an internal fault
// or unreadable input.
[[nodiscard]] absl::StatusOr<Import903Report> Import903(EventStore* store, const std::string& dir,
                                                        const Import903Options& options);

}  // namespace carelog

#endif  // CARELOG_ENGINE_SSDA903_IMPORT_H_
