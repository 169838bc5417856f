// Limits on what one event may be, shared by every path that admits events
// (NDJSON import, the gRPC service, the 903 importer). They exist so that one
// oversized or hostile event cannot make the store unreadable for ordinary
// clients (a default gRPC client refuses messages over 4 MiB) or exhaust the
// importer's memory.
#ifndef CARELOG_ENGINE_LIMITS_H_
#define CARELOG_ENGINE_LIMITS_H_

#include <cstddef>

namespace carelog {

// The largest event accepted: an NDJSON line of at most this many bytes, and
// an event whose serialized protobuf is at most this many bytes. 1 MiB is
// orders of magnitude above any real event (the largest free-text field of
// the contract is a few kilobytes) and well below gRPC's 4 MiB default, so a
// default-configured client can always read any stored event.
inline constexpr size_t kMaxEventBytes = 1 << 20;

// Ids: eventId, caseId, actor.id, correlationId, causationId and every
// payload field named ...Id (reviewId, iroId, socialWorkerId, placementId,
// significantEventId, the eventId of a correction or retraction) are 1 to
// kMaxIdBytes bytes of printable ASCII, '!' (0x21) to '~' (0x7E): no space,
// no control character, nothing outside ASCII. Why so strict:
// - an id is a key compared byte for byte; a control character in one
//   truncates or garbles what prints it (a NUL cut the `cases` output, an ESC
//   sequence cleared a terminal), and a trailing space makes "C-1" and "C-1 "
//   two children that print alike;
// - outside ASCII, one name has several encodings ("Café" composed, NFC, or
//   with a combining accent, NFD) and letters of other scripts look like
//   Latin ones (Cyrillic "С"): two streams for one child that no one can tell
//   apart on screen. Checking for NFC would need the Unicode tables; an
//   upstream system's keys (case-management person ids, SSDA903 CHILD ids,
//   UUIDs, user names) are ASCII anyway, and names belong in free-text
//   fields, which keep any UTF-8.
// 128 bytes holds a UUID with a system prefix several times over.
inline constexpr size_t kMaxIdBytes = 128;

// Plausible dates (validation.cc refuses the rest, naming field and range).
// They keep absurd values (0001-01-01, 9999-12-31, a birth in 2099) out of
// the log, where they made deadlines fall in year 0 and checkpoints that
// could not hold them look damaged for ever.
// - No instant (occurredAt) and no payload date before kEarliestYear-01-01:
//   a child's history does not reach back further. (occurredAt has its upper
//   bound too: no later than now plus a few minutes of clock skew.)
inline constexpr int kEarliestYear = 1900;
// - childAccommodated.dateOfBirth: not after the event's date (no child is
//   looked after before birth). childRegistered.dateOfBirth: not more than
//   kMaxDaysBeforeBirth after it (an unborn child may be registered for
//   pre-birth planning, with the expected date; 40 weeks is 280 days).
//   childRegistered.motherChildDob (a looked-after mother's child; the 903
//   importer dates that event at the mother's own birth): not more than
//   kMaxDaysBeforeBirth after today.
inline constexpr int kMaxDaysBeforeBirth = 300;
// - reviewScheduled.scheduledFor and reviewRearranged.newDate: within
//   kScheduleYears of the event's date, either side (a review is at most six
//   months after the last; a schedule may be recorded after the meeting).
inline constexpr int kScheduleYears = 2;

}  // namespace carelog

#endif  // CARELOG_ENGINE_LIMITS_H_
