#include "projections/inclusion_proof_json.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/escape.h"
#include "store/merkle.h"

namespace carelog {
namespace {

constexpr char kHowToVerify[] =
    "leafHash = SHA-256(0x00 || bytes of hex 'leaf'); then RFC 9162 section 2.1.3.2 with "
    "leafIndex, treeSize and auditPath (node = SHA-256(0x01 || left || right)) must give "
    "rootHash; compare rootHash with a head (treeSize:rootHash) you trust, e.g. one printed "
    "by `carelog head` and kept elsewhere. `carelog check-proof FILE` does the first two steps.";

}  // namespace

std::string InclusionProofJson(const InclusionProofData& p) {
  std::string out = absl::StrCat("{\n  \"format\": \"", kProofFormat, "\",\n  \"eventId\": ");
  AppendJsonString(p.record.id, &out);
  absl::StrAppend(&out, ",\n  \"position\": ", p.record.position,
                  ",\n  \"leafIndex\": ", p.record.position - 1, ",\n  \"treeSize\": ", p.tree_size,
                  ",\n  \"leaf\": \"", absl::BytesToHexString(p.leaf), "\",\n  \"leafHash\": \"",
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
