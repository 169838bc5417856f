// An inclusion proof (store/inclusion_proof.h) as JSON: the one shape that
// `carelog prove`, the gRPC Prove call and `carelog check-proof` share.
#ifndef CARELOG_PROJECTIONS_INCLUSION_PROOF_JSON_H_
#define CARELOG_PROJECTIONS_INCLUSION_PROOF_JSON_H_

#include <string>

#include "store/inclusion_proof.h"

namespace carelog {

// The proof as JSON: format (kProofFormat), eventId, position, leafIndex,
// treeSize, leaf (hex), leafHash, auditPath, rootHash, howToVerify.
std::string InclusionProofJson(const InclusionProofData& proof);

}  // namespace carelog

#endif  // CARELOG_PROJECTIONS_INCLUSION_PROOF_JSON_H_
