#include "store/inclusion_proof.h"

#include "absl/strings/str_cat.h"
#include "store/base/status_macros.h"
#include "store/internal/key_ring.h"
#include "store/merkle.h"
#include "store/sealing.h"

namespace carelog {

absl::StatusOr<InclusionProofData> ProveInclusion(const EventStoreReader& store,
                                                  std::string_view event_id,
                                                  uint64_t tree_size) {
  InclusionProofData p;
  ASSIGN_OR_RETURN(p.record, store.Lookup(event_id));
  p.tree_size = tree_size;
  if (p.tree_size == 0) {
    ASSIGN_OR_RETURN(TreeHead head, store.Head());
    p.tree_size = head.size;
  }
  if (p.record.position > p.tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("event '", p.record.id, "' is at position ",
                                                   p.record.position, ", after the first ",
                                                   p.tree_size, " events"));
  }
  ASSIGN_OR_RETURN(p.audit_path, store.InclusionProof(p.record.position, p.tree_size));
  ASSIGN_OR_RETURN(p.root, store.RootAt(p.tree_size));
  p.leaf = format::EncodeLeaf(p.record);
  p.leaf_hash = merkle::LeafHash(p.leaf);
  if (!merkle::VerifyInclusion(p.record.position - 1, p.tree_size, p.leaf_hash, p.audit_path,
                               p.root)) {
    return absl::DataLossError(
        "the stored Merkle tree does not prove this event; run carelog verify");
  }
  return p;
}

absl::StatusOr<std::string> OpenLeafPayload(const StoredRecord& leaf, std::string_view data_key) {
  ASSIGN_OR_RETURN(SecretKey key, SecretKey::FromBytes(data_key));
  return internal::OpenPayload(key, leaf.stream, leaf.id, leaf.payload);
}

}  // namespace carelog
