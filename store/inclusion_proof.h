// An inclusion proof of one event: the record, its leaf and the audit path
// to a tree head, checked before it is handed out. Its JSON (the one shape
// that `carelog prove`, the gRPC Prove call and `carelog check-proof` share)
// is in projections/inclusion_proof_json.h.
#ifndef CARELOG_STORE_INCLUSION_PROOF_H_
#define CARELOG_STORE_INCLUSION_PROOF_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/event_store.h"
#include "store/record_format.h"

namespace carelog {

// The "format" of the proof's JSON.
inline constexpr char kProofFormat[] = "carelog-inclusion-proof/1";

struct InclusionProofData {
  StoredRecord record;
  uint64_t tree_size = 0;
  std::string leaf;  // the record's canonical bytes
  Hash256 leaf_hash{};
  std::vector<Hash256> audit_path;  // the leaf's sibling first
  Hash256 root{};
};

// Proves that the event is among the first `tree_size` events (0 = the
// current head). kNotFound for an unknown id; kInvalidArgument if the event
// comes after tree_size; kDataLoss if the stored tree does not prove it (run
// verify). Thread-safe as the store is.
[[nodiscard]] absl::StatusOr<InclusionProofData> ProveInclusion(const EventStoreReader& store,
                                                                std::string_view event_id,
                                                                uint64_t tree_size);

// The payload of a leaf from an encrypted store (DecodeLeaf's record),
// opened with its stream's data key (EventStoreReader::DataKeyOf: 32 raw
// bytes), so that a proof's holder can read the entry it proves.
// kInvalidArgument for a key of the wrong length; kDataLoss when the payload
// does not open with that key (another case's key, or a changed leaf).
[[nodiscard]] absl::StatusOr<std::string> OpenLeafPayload(const StoredRecord& leaf,
                                                          std::string_view data_key);

}  // namespace carelog

#endif  // CARELOG_STORE_INCLUSION_PROOF_H_
