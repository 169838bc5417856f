// The Merkle tree of store/merkle.h against RFC 6962 test vectors and a
// straightforward recursive implementation of RFC 9162 §2.1 written here,
// for every tree size up to 64; and the verifiers against forged proofs.
#include "store/merkle.h"

#include <random>

#include "absl/container/flat_hash_map.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog::merkle {
namespace {

// --- Reference: RFC 9162 §2.1 word for word, over the leaf data. ---

uint64_t K(uint64_t n) {  // largest power of two < n
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

using Leaves = std::vector<std::string>;

Leaves Slice(const Leaves& d, uint64_t from, uint64_t to) {
  return Leaves(d.begin() + from, d.begin() + to);
}

Hash256 RefMth(const Leaves& d) {
  if (d.empty()) return EmptyRoot();
  if (d.size() == 1) return LeafHash(d[0]);
  const uint64_t k = K(d.size());
  return NodeHash(RefMth(Slice(d, 0, k)), RefMth(Slice(d, k, d.size())));
}

std::vector<Hash256> RefPath(uint64_t m, const Leaves& d) {
  if (d.size() <= 1) return {};
  const uint64_t n = d.size(), k = K(n);
  std::vector<Hash256> out;
  if (m < k) {
    out = RefPath(m, Slice(d, 0, k));
    out.push_back(RefMth(Slice(d, k, n)));
  } else {
    out = RefPath(m - k, Slice(d, k, n));
    out.push_back(RefMth(Slice(d, 0, k)));
  }
  return out;
}

std::vector<Hash256> RefSubproof(uint64_t m, const Leaves& d, bool b) {
  const uint64_t n = d.size();
  if (m == n) return b ? std::vector<Hash256>{} : std::vector<Hash256>{RefMth(d)};
  const uint64_t k = K(n);
  std::vector<Hash256> out;
  if (m <= k) {
    out = RefSubproof(m, Slice(d, 0, k), b);
    out.push_back(RefMth(Slice(d, k, n)));
  } else {
    out = RefSubproof(m - k, Slice(d, k, n), false);
    out.push_back(RefMth(Slice(d, 0, k)));
  }
  return out;
}

// --- The implementation under test, fed by a map of complete subtrees. ---

struct Tree {
  Leaves leaves;
  Frontier frontier;
  absl::flat_hash_map<std::pair<int, uint64_t>, Hash256> nodes;
  int lookups = 0;

  void Add(const std::string& leaf) {
    leaves.push_back(leaf);
    frontier.Append(LeafHash(leaf), [&](int level, uint64_t index, const Hash256& h) {
      EXPECT_TRUE(nodes.emplace(std::make_pair(level, index), h).second);
    });
  }
  SubtreeLookup Lookup() {
    return [this](int level, uint64_t index) -> absl::StatusOr<Hash256> {
      ++lookups;
      auto it = nodes.find(std::make_pair(level, index));
      if (it == nodes.end()) return absl::NotFoundError("no such subtree");
      return it->second;
    };
  }
};

std::string LeafData(int i) { return "leaf-" + std::to_string(i); }

Tree Build(int n) {
  Tree t;
  for (int i = 0; i < n; ++i) t.Add(LeafData(i));
  return t;
}

Hash256 Flip(Hash256 h, int byte = 0) {
  h[byte] ^= 0x01;
  return h;
}

TEST(MerkleTest, Rfc6962TestVectorRoots) {
  // certificate-transparency's reference test vectors (merkle_tree_test.cc).
  const Leaves data = {std::string(""),
                       std::string("\x00", 1),
                       std::string("\x10"),
                       std::string("\x20\x21"),
                       std::string("\x30\x31"),
                       std::string("\x40\x41\x42\x43"),
                       std::string("\x50\x51\x52\x53\x54\x55\x56\x57"),
                       std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f")};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Tree t;
  for (size_t i = 0; i < data.size(); ++i) {
    t.Add(data[i]);
    EXPECT_EQ(ToHex(t.frontier.Root()), roots[i]) << "size " << i + 1;
    EXPECT_EQ(ToHex(RefMth(t.leaves)), roots[i]) << "size " << i + 1;
    auto r = RootFromSubtrees(i + 1, t.Lookup());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ToHex(*r), roots[i]);
  }
}

TEST(MerkleTest, HexRoundTripAndRefusals) {
  Hash256 h = LeafHash("x");
  Hash256 back;
  ASSERT_TRUE(FromHex(ToHex(h), &back));
  EXPECT_EQ(back, h);
  EXPECT_FALSE(FromHex(ToHex(h).substr(1), &back));
  EXPECT_FALSE(FromHex(ToHex(h) + "0", &back));
  EXPECT_FALSE(FromHex(std::string(63, '0') + "g", &back));
  EXPECT_FALSE(FromHex("", &back));
}

TEST(MerkleTest, FrontierCompletesOneLeafAndAmortizedOneNodePerAppend) {
  Tree t = Build(64);
  // 64 leaves + 32 + 16 + 8 + 4 + 2 + 1 nodes.
  EXPECT_EQ(t.nodes.size(), 127u);
  for (int n = 0; n <= 64; ++n) {
    Tree u = Build(n);
    EXPECT_EQ(u.frontier.Root(), RefMth(u.leaves)) << n;
    auto f = FrontierFromSubtrees(n, u.Lookup());
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->Root(), RefMth(u.leaves)) << n;
    EXPECT_EQ(u.lookups, std::popcount(static_cast<uint64_t>(n)));
  }
}

TEST(MerkleTest, EveryInclusionProofUpTo64MatchesReferenceAndVerifies) {
  Tree t = Build(64);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Leaves d = Slice(t.leaves, 0, n);
    const Hash256 root = RefMth(d);
    for (uint64_t m = 0; m < n; ++m) {
      auto proof = InclusionProof(m, n, t.Lookup());
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, RefPath(m, d)) << "m=" << m << " n=" << n;
      EXPECT_TRUE(VerifyInclusion(m, n, LeafHash(d[m]), *proof, root)) << m << "/" << n;
    }
  }
}

TEST(MerkleTest, InclusionProofRefusesIndexOutsideTree) {
  Tree t = Build(8);
  EXPECT_EQ(InclusionProof(8, 8, t.Lookup()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 0, t.Lookup()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MerkleTest, LookupErrorsPassThrough) {
  Tree t = Build(8);
  SubtreeLookup broken = [](int, uint64_t) -> absl::StatusOr<Hash256> {
    return absl::DataLossError("gone");
  };
  EXPECT_EQ(InclusionProof(3, 8, broken).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConsistencyProof(3, 8, broken).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(RootFromSubtrees(5, broken).status().code(), absl::StatusCode::kDataLoss);
}

TEST(MerkleTest, ForgedInclusionProofsAreRefused) {
  Tree t = Build(64);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Leaves d = Slice(t.leaves, 0, n);
    const Hash256 root = RefMth(d);
    for (uint64_t m = 0; m < n; ++m) {
      const std::vector<Hash256> proof = *InclusionProof(m, n, t.Lookup());
      const Hash256 leaf = LeafHash(d[m]);
      SCOPED_TRACE(testing::Message() << "m=" << m << " n=" << n);
      // Tampered sibling, anywhere.
      for (size_t i = 0; i < proof.size(); ++i) {
        auto p = proof;
        p[i] = Flip(p[i], static_cast<int>(i % 32));
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, p, root));
      }
      // Tampered leaf, tampered root.
      EXPECT_FALSE(VerifyInclusion(m, n, Flip(leaf), proof, root));
      EXPECT_FALSE(VerifyInclusion(m, n, LeafHash(d[m] + "x"), proof, root));
      EXPECT_FALSE(VerifyInclusion(m, n, leaf, proof, Flip(root, 31)));
      // A raw leaf (no 0x00 prefix) or an interior node passed as the leaf.
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(m, n, proof[0], proof, root));
      }
      // Short proof, extra element, empty proof.
      if (!proof.empty()) {
        auto p = proof;
        p.pop_back();
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, p, root));
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, {}, root));
      }
      {
        auto p = proof;
        p.push_back(root);
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, p, root));
        auto q = proof;
        q.insert(q.begin(), leaf);
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, q, root));
      }
      // Swapped order.
      for (size_t i = 0; i + 1 < proof.size(); ++i) {
        auto p = proof;
        std::swap(p[i], p[i + 1]);
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, p, root));
      }
      // Wrong leaf index: every other index in the tree, and outside it.
      for (uint64_t other = 0; other < n; ++other) {
        if (other != m) {
          EXPECT_FALSE(VerifyInclusion(other, n, leaf, proof, root));
        }
      }
      EXPECT_FALSE(VerifyInclusion(n, n, leaf, proof, root));
      EXPECT_FALSE(VerifyInclusion(UINT64_MAX, n, leaf, proof, root));
      // Wrong tree size, checked against that size's real root.
      for (uint64_t other = 1; other <= 64; ++other) {
        if (other == n || m >= other) continue;
        EXPECT_FALSE(VerifyInclusion(m, other, leaf, proof, RefMth(Slice(t.leaves, 0, other))))
            << "size " << other;
      }
      EXPECT_FALSE(VerifyInclusion(m, 0, leaf, proof, root));
    }
  }
}

TEST(MerkleTest, EveryConsistencyProofUpTo64MatchesReferenceAndVerifies) {
  Tree t = Build(64);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Leaves dn = Slice(t.leaves, 0, n);
    const Hash256 new_root = RefMth(dn);
    for (uint64_t m = 0; m <= n; ++m) {
      const Hash256 old_root = RefMth(Slice(t.leaves, 0, m));
      auto proof = ConsistencyProof(m, n, t.Lookup());
      ASSERT_TRUE(proof.ok()) << proof.status();
      if (m == 0 || m == n) {
        EXPECT_TRUE(proof->empty());
      } else {
        ASSERT_EQ(*proof, RefSubproof(m, dn, true)) << "m=" << m << " n=" << n;
      }
      EXPECT_TRUE(VerifyConsistency(m, n, old_root, new_root, *proof)) << m << "/" << n;
    }
  }
}

TEST(MerkleTest, ForgedConsistencyProofsAreRefused) {
  Tree t = Build(64);
  std::vector<Hash256> roots;
  for (uint64_t n = 0; n <= 64; ++n) roots.push_back(RefMth(Slice(t.leaves, 0, n)));
  for (uint64_t n = 1; n <= 64; ++n) {
    for (uint64_t m = 1; m < n; ++m) {
      const std::vector<Hash256> proof = *ConsistencyProof(m, n, t.Lookup());
      SCOPED_TRACE(testing::Message() << "m=" << m << " n=" << n);
      ASSERT_FALSE(proof.empty());
      for (size_t i = 0; i < proof.size(); ++i) {
        auto p = proof;
        p[i] = Flip(p[i], static_cast<int>(i % 32));
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], p));
      }
      EXPECT_FALSE(VerifyConsistency(m, n, Flip(roots[m]), roots[n], proof));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], Flip(roots[n]), proof));
      // A different history of the same sizes.
      EXPECT_FALSE(VerifyConsistency(m, n, LeafHash("forged"), roots[n], proof));
      {
        auto p = proof;
        p.pop_back();
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], p));
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}));
        auto q = proof;
        q.push_back(roots[n]);
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], q));
        auto r = proof;
        r.insert(r.begin(), roots[m]);
        if ((m & (m - 1)) != 0) {
          EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], r));
        }
      }
      for (size_t i = 0; i + 1 < proof.size(); ++i) {
        if (proof[i] == proof[i + 1]) continue;
        auto p = proof;
        std::swap(p[i], p[i + 1]);
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], p));
      }
      // Wrong sizes, each with its real root.
      for (uint64_t other = 1; other < n; ++other) {
        if (other != m) {
          EXPECT_FALSE(VerifyConsistency(other, n, roots[other], roots[n], proof)) << other;
        }
      }
      for (uint64_t other = m + 1; other <= 64; ++other) {
        if (other != n) {
          EXPECT_FALSE(VerifyConsistency(m, other, roots[m], roots[other], proof)) << other;
        }
      }
      // Sizes the wrong way round.
      EXPECT_FALSE(VerifyConsistency(n, m, roots[n], roots[m], proof));
      EXPECT_FALSE(VerifyConsistency(n, m, roots[n], roots[m], {}));
    }
  }
}

TEST(MerkleTest, ConsistencyEdgeCases) {
  Tree t = Build(8);
  const Hash256 r8 = t.frontier.Root();
  EXPECT_EQ(ConsistencyProof(9, 8, t.Lookup()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(VerifyConsistency(8, 8, r8, r8, {}));
  EXPECT_FALSE(VerifyConsistency(8, 8, r8, Flip(r8), {}));
  EXPECT_FALSE(VerifyConsistency(8, 8, r8, r8, {r8}));
  EXPECT_TRUE(VerifyConsistency(0, 8, EmptyRoot(), r8, {}));
  EXPECT_FALSE(VerifyConsistency(0, 8, r8, r8, {}));
  EXPECT_FALSE(VerifyConsistency(0, 8, EmptyRoot(), r8, {r8}));
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}));
}

TEST(MerkleTest, VerifiersNeverCrashOnGarbage) {
  std::mt19937_64 rng(42);
  Tree t = Build(64);
  const std::vector<uint64_t> sizes = {0, 1, 2, 3, 63, 64, 65, UINT64_MAX, UINT64_MAX - 1,
                                       uint64_t{1} << 63, (uint64_t{1} << 63) + 1};
  for (int iter = 0; iter < 20000; ++iter) {
    const uint64_t a = iter % 3 == 0 ? sizes[rng() % sizes.size()] : rng() % 100;
    const uint64_t b = iter % 5 == 0 ? sizes[rng() % sizes.size()] : rng() % 100;
    std::vector<Hash256> proof(rng() % 70);
    for (auto& h : proof) {
      h = iter % 2 == 0 ? LeafHash(std::to_string(rng())) : t.nodes.begin()->second;
    }
    const Hash256 x = LeafHash(std::to_string(rng())), y = LeafHash(std::to_string(rng()));
    EXPECT_FALSE(VerifyInclusion(a, b, x, proof, y));
    EXPECT_FALSE(VerifyConsistency(a, b, x, y, proof));
  }
}

}  // namespace
}  // namespace carelog::merkle
