// Merkle tree over the log, as in RFC 6962 / RFC 9162 §2.1: pure functions.
//
// Leaves are numbered from 0 (leaf index = position - 1). The tree of size n
// is MTH(D[0:n]) with
//   MTH({})      = SHA-256()                         (the empty string)
//   MTH({d})     = SHA-256(0x00 || d)                 leaf hash
//   MTH(D[0:n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),
//                  k the largest power of two < n      node hash
//
// A complete subtree is named (level, index): it covers the 2^level leaves
// [index * 2^level, (index + 1) * 2^level). The store keeps the hash of every
// complete subtree, so any root or proof is a fold of O(log n) of them,
// fetched through a SubtreeLookup callback.
//
// The verifiers take untrusted input (a proof from a file, a size from a
// command line) and never crash or loop: any inconsistency is just "false".
#ifndef CARELOG_STORE_MERKLE_H_
#define CARELOG_STORE_MERKLE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/record_format.h"  // Hash256

namespace carelog::merkle {

// SHA-256(0x00 || leaf).
Hash256 LeafHash(std::string_view leaf);
// SHA-256(0x01 || left || right).
Hash256 NodeHash(const Hash256& left, const Hash256& right);
// SHA-256 of nothing: the root of the empty tree.
Hash256 EmptyRoot();

std::string ToHex(const Hash256& h);
// Exactly 64 hex digits (either case); false otherwise.
bool FromHex(std::string_view hex, Hash256* out);

// The hash of complete subtree (level, index). Errors are passed through.
using SubtreeLookup = std::function<absl::StatusOr<Hash256>(int level, uint64_t index)>;

// The right edge of a tree being built leaf by leaf: frontier[l] is the hash
// of the complete subtree at level l that ends the tree, present iff bit l of
// size is set. Appending a leaf costs one leaf hash plus, amortized, one node
// hash, and completes the subtrees reported to `on_complete` (level, index,
// hash): exactly one at level 0, and one more per carry.
struct Frontier {
  uint64_t size = 0;
  std::array<Hash256, 64> nodes{};

  template <typename OnComplete>
  void Append(const Hash256& leaf_hash, OnComplete&& on_complete) {
    Hash256 h = leaf_hash;
    int level = 0;
    const uint64_t new_size = size + 1;
    on_complete(0, size, h);
    while ((size >> level) & 1) {
      h = NodeHash(nodes[level], h);
      ++level;
      on_complete(level, (new_size >> level) - 1, h);
    }
    nodes[level] = h;
    size = new_size;
  }
  void Append(const Hash256& leaf_hash) {
    Append(leaf_hash, [](int, uint64_t, const Hash256&) {});
  }
  // MTH of the whole tree.
  Hash256 Root() const;
};

// The index of the frontier subtree at `level` for a tree of `size` (bit
// `level` of size must be set).
inline uint64_t FrontierIndex(uint64_t size, int level) { return (size >> level) - 1; }

// MTH(D[0:size]) from the complete subtrees of the right edge (one lookup per
// set bit of size).
[[nodiscard]] absl::StatusOr<Hash256> RootFromSubtrees(uint64_t size, const SubtreeLookup& lookup);

// The frontier of a tree of `size`, from its complete subtrees.
[[nodiscard]] absl::StatusOr<Frontier> FrontierFromSubtrees(uint64_t size,
                                                            const SubtreeLookup& lookup);

// RFC 9162 §2.1.3.1 PATH(leaf_index, D[0:tree_size]), leaf sibling first.
// kInvalidArgument unless leaf_index < tree_size.
[[nodiscard]] absl::StatusOr<std::vector<Hash256>> InclusionProof(uint64_t leaf_index,
                                                                  uint64_t tree_size,
                                                                  const SubtreeLookup& lookup);

// RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]). Empty when old_size is 0
// or equals new_size. kInvalidArgument if old_size > new_size.
[[nodiscard]] absl::StatusOr<std::vector<Hash256>> ConsistencyProof(uint64_t old_size,
                                                                    uint64_t new_size,
                                                                    const SubtreeLookup& lookup);

// RFC 9162 §2.1.3.2: true iff `proof` shows the leaf with hash `leaf_hash` at
// `leaf_index` in the tree of `tree_size` with root `root`.
bool VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash256& leaf_hash,
                     const std::vector<Hash256>& proof, const Hash256& root);

// RFC 9162 §2.1.4.2: true iff `proof` shows that the tree of `new_size` with
// root `new_root` extends the tree of `old_size` with root `old_root`.
// old_size == new_size needs an empty proof and equal roots; old_size == 0
// needs an empty proof (and old_root the empty root); old_size > new_size is
// false.
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash256& old_root,
                       const Hash256& new_root, const std::vector<Hash256>& proof);

}  // namespace carelog::merkle

#endif  // CARELOG_STORE_MERKLE_H_
