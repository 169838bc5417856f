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

}  // namespace carelog

#endif  // CARELOG_ENGINE_LIMITS_H_
