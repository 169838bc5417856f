// Deterministic protobuf bytes: the one serialization of every payload the
// store keeps (events, access records, settings records). The store compares
// payloads byte for byte for idempotency, so equal messages must give equal
// bytes (map order fixed), which plain SerializeToString does not promise.
#ifndef CARELOG_ENGINE_DETERMINISTIC_H_
#define CARELOG_ENGINE_DETERMINISTIC_H_

#include <string>

#include "google/protobuf/message_lite.h"

namespace carelog {

// `m` serialized deterministically. Cannot fail for an initialized proto3
// message.
std::string DeterministicBytes(const google::protobuf::MessageLite& m);

}  // namespace carelog

#endif  // CARELOG_ENGINE_DETERMINISTIC_H_
