#include "store/merkle.h"

#include <bit>

#include "absl/strings/str_cat.h"
#include "store/base/hex.h"
#include "store/base/sha256.h"

namespace carelog::merkle {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Largest power of two strictly less than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// MTH(D[start:start+len]) for a range the RFC recursion produces: start is a
// multiple of the largest power of two <= len, so it splits into aligned
// complete subtrees (one per set bit of len).
absl::StatusOr<Hash256> RangeHash(uint64_t start, uint64_t len, const SubtreeLookup& lookup) {
  if (IsPowerOfTwo(len)) {
    const int level = std::countr_zero(len);
    return lookup(level, start >> level);
  }
  const uint64_t k = SplitPoint(len);
  auto left = RangeHash(start, k, lookup);
  if (!left.ok()) return left.status();
  auto right = RangeHash(start + k, len - k, lookup);
  if (!right.ok()) return right.status();
  return NodeHash(*left, *right);
}

absl::Status Path(uint64_t m, uint64_t start, uint64_t n, const SubtreeLookup& lookup,
                  std::vector<Hash256>* out) {
  if (n <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<Hash256> sibling;
  if (m < k) {
    if (absl::Status s = Path(m, start, k, lookup, out); !s.ok()) return s;
    sibling = RangeHash(start + k, n - k, lookup);
  } else {
    if (absl::Status s = Path(m - k, start + k, n - k, lookup, out); !s.ok()) return s;
    sibling = RangeHash(start, k, lookup);
  }
  if (!sibling.ok()) return sibling.status();
  out->push_back(*sibling);
  return absl::OkStatus();
}

absl::Status SubProof(uint64_t m, uint64_t start, uint64_t n, bool b, const SubtreeLookup& lookup,
                      std::vector<Hash256>* out) {
  if (m == n) {
    if (b) return absl::OkStatus();
    auto h = RangeHash(start, n, lookup);
    if (!h.ok()) return h.status();
    out->push_back(*h);
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<Hash256> sibling;
  if (m <= k) {
    if (absl::Status s = SubProof(m, start, k, b, lookup, out); !s.ok()) return s;
    sibling = RangeHash(start + k, n - k, lookup);
  } else {
    if (absl::Status s = SubProof(m - k, start + k, n - k, false, lookup, out); !s.ok()) return s;
    sibling = RangeHash(start, k, lookup);
  }
  if (!sibling.ok()) return sibling.status();
  out->push_back(*sibling);
  return absl::OkStatus();
}

}  // namespace

Hash256 LeafHash(std::string_view leaf) {
  Sha256 h;
  h.Update(&kLeafPrefix, 1).Update(leaf);
  return h.Finish();
}

Hash256 NodeHash(const Hash256& left, const Hash256& right) {
  Sha256 h;
  h.Update(&kNodePrefix, 1).Update(left.data(), left.size()).Update(right.data(), right.size());
  return h.Finish();
}

Hash256 EmptyRoot() { return Sha256Of(""); }

std::string ToHex(const Hash256& h) { return HexOf(h); }

bool FromHex(std::string_view hex, Hash256* out) { return ParseHex(hex, out); }

Hash256 Frontier::Root() const {
  if (size == 0) return EmptyRoot();
  int level = std::countr_zero(size);
  Hash256 root = nodes[level];
  for (++level; level < 64; ++level) {
    if ((size >> level) & 1) root = NodeHash(nodes[level], root);
  }
  return root;
}

absl::StatusOr<Frontier> FrontierFromSubtrees(uint64_t size, const SubtreeLookup& lookup) {
  Frontier f;
  f.size = size;
  for (int level = 0; level < 64; ++level) {
    if (((size >> level) & 1) == 0) continue;
    auto h = lookup(level, FrontierIndex(size, level));
    if (!h.ok()) return h.status();
    f.nodes[level] = *h;
  }
  return f;
}

absl::StatusOr<Hash256> RootFromSubtrees(uint64_t size, const SubtreeLookup& lookup) {
  auto f = FrontierFromSubtrees(size, lookup);
  if (!f.ok()) return f.status();
  return f->Root();
}

absl::StatusOr<std::vector<Hash256>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                                    const SubtreeLookup& lookup) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("leaf index ", leaf_index,
                                                   " is not in a tree of size ", tree_size));
  }
  std::vector<Hash256> out;
  if (absl::Status s = Path(leaf_index, 0, tree_size, lookup, &out); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Hash256>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                      const SubtreeLookup& lookup) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat("old size ", old_size,
                                                   " is larger than new size ", new_size));
  }
  std::vector<Hash256> out;
  if (old_size == 0 || old_size == new_size) return out;
  if (absl::Status s = SubProof(old_size, 0, new_size, true, lookup, &out); !s.ok()) return s;
  return out;
}

bool VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, const Hash256& leaf_hash,
                     const std::vector<Hash256>& proof, const Hash256& root) {
  if (leaf_index >= tree_size) return false;
  uint64_t fn = leaf_index, sn = tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) return false;  // proof too long
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;  // sn != 0: proof too short
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash256& old_root,
                       const Hash256& new_root, const std::vector<Hash256>& proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty() && old_root == EmptyRoot();
  if (proof.empty()) return false;
  std::vector<Hash256> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash256& c = path[i];
    if (sn == 0) return false;  // proof too long
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace carelog::merkle
