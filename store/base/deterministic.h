// Deterministic protobuf bytes: the one serialization of every payload the
// store keeps (events, access records, settings records) and of every
// message a hash or checkpoint commits to (rules in a checkpoint's
// fingerprint, checkpoint bodies). The store compares payloads byte for byte
// for idempotency and hashes commit to bytes, so equal messages must give
// equal bytes (map order fixed), which plain SerializeToString does not
// promise. Thread-safe: it reads `m` only.
#ifndef CARELOG_STORE_BASE_DETERMINISTIC_H_
#define CARELOG_STORE_BASE_DETERMINISTIC_H_

#include <string>

#include "google/protobuf/message_lite.h"

namespace carelog {

// `m` serialized deterministically. Cannot fail for an initialized proto3
// message.
std::string DeterministicBytes(const google::protobuf::MessageLite& m);

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_DETERMINISTIC_H_
