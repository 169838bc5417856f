#include "tools/inclusion_proof.h"

#include "absl/strings/str_cat.h"
#include "projections/escape.h"
#include "store/base/hex.h"
#include "store/base/status_macros.h"
#include "store/merkle.h"

namespace carelog {
namespace {

constexpr char kHowToVerify[] =
    "leafHash = SHA-256(0x00 || bytes of hex 'leaf'); then RFC 9162 section 2.1.3.2 with "
    "leafIndex, treeSize and auditPath (node = SHA-256(0x01 || left || right)) must give "
    "rootHash; compare rootHash with a head (treeSize:rootHash) you trust, e.g. one printed "
    "by `carelog head` and kept elsewhere. `carelog check-proof FILE` does the first two steps.";

}  // namespace

absl::StatusOr<InclusionProofData> ProveInclusion(const EventStore& store,
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

std::string InclusionProofJson(const InclusionProofData& p) {
  std::string out = absl::StrCat("{\n  \"format\": \"", kProofFormat, "\",\n  \"eventId\": ");
  AppendJsonString(p.record.id, &out);
  absl::StrAppend(&out, ",\n  \"position\": ", p.record.position,
                  ",\n  \"leafIndex\": ", p.record.position - 1, ",\n  \"treeSize\": ", p.tree_size,
                  ",\n  \"leaf\": \"", HexOf(p.leaf), "\",\n  \"leafHash\": \"",
                  merkle::ToHex(p.leaf_hash), "\",\n  \"auditPath\": [");
  for (size_t i = 0; i < p.audit_path.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "\n    \"" : ",\n    \"", merkle::ToHex(p.audit_path[i]), "\"");
  }
  absl::StrAppend(&out, p.audit_path.empty() ? "]" : "\n  ]", ",\n  \"rootHash\": \"",
                  merkle::ToHex(p.root), "\",\n  \"howToVerify\": ");
  AppendJsonString(kHowToVerify, &out);
  absl::StrAppend(&out, "\n}\n");
  return out;
}

}  // namespace carelog
