// Inclusion and consistency proofs (untrusted: a proof file from anyone)
// through the RFC 9162 verifiers, and the `check-proof` JSON reader.
// Mode 0: arbitrary sizes, indexes and hashes: never crash or hang.
// Mode 1: a real tree of fuzz-chosen size; its genuine proofs must verify and
//         a proof with any hash, size or index changed must not.
// Mode 2: the bytes as a proof file for `carelog check-proof`.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/merkle.h"
#include "tools/commands.h"

using carelog::Hash256;
namespace merkle = carelog::merkle;

namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8 && n > 0; ++i, ++p, --n) v = v << 8 | *p;
    return v;
  }
  uint8_t U8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  Hash256 H() {
    Hash256 h{};
    for (auto& b : h) b = U8();
    return h;
  }
};

std::vector<Hash256> Leaves(uint64_t n) {
  std::vector<Hash256> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(merkle::LeafHash(std::to_string(i)));
  return out;
}

void Check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "property failed: %s\n", what);
    std::abort();
  }
}

void RealTree(Reader& r) {
  const uint64_t size = 1 + r.U8() % 70;
  const auto leaves = Leaves(size);
  // Every complete subtree hash, computed the slow way.
  auto subtree = [&](int level, uint64_t index) -> absl::StatusOr<Hash256> {
    const uint64_t first = index << level, count = uint64_t{1} << level;
    if (first + count > size) return absl::InvalidArgumentError("no such subtree");
    std::vector<Hash256> row(leaves.begin() + first, leaves.begin() + first + count);
    while (row.size() > 1) {
      std::vector<Hash256> up;
      for (size_t i = 0; i < row.size(); i += 2) up.push_back(merkle::NodeHash(row[i], row[i + 1]));
      row = up;
    }
    return row[0];
  };
  auto root_at = [&](uint64_t n) {
    auto root = merkle::RootFromSubtrees(n, subtree);
    Check(root.ok(), "root of a real tree");
    return *root;
  };
  const Hash256 root = root_at(size);
  const uint64_t index = r.U8() % size;
  auto proof = merkle::InclusionProof(index, size, subtree);
  Check(proof.ok(), "inclusion proof of a real leaf");
  Check(merkle::VerifyInclusion(index, size, leaves[index], *proof, root),
        "genuine inclusion proof verifies");
  const uint64_t old_size = r.U8() % (size + 1);
  auto cproof = merkle::ConsistencyProof(old_size, size, subtree);
  Check(cproof.ok(), "consistency proof of a real tree");
  const Hash256 old_root = root_at(old_size);
  Check(merkle::VerifyConsistency(old_size, size, old_root, root, *cproof),
        "genuine consistency proof verifies");

  // One tampering, chosen by the input.
  const uint8_t what = r.U8() % 6;
  const uint8_t pos = r.U8();
  const uint8_t bit = 1u << (r.U8() % 8);
  std::vector<Hash256> p = *proof, c = *cproof;
  switch (what) {
    case 0:
      if (p.empty()) return;
      p[pos % p.size()][pos % 32] ^= bit;
      Check(!merkle::VerifyInclusion(index, size, leaves[index], p, root),
            "tampered inclusion path refused");
      break;
    case 1: {
      Hash256 leaf = leaves[index];
      leaf[pos % 32] ^= bit;
      Check(!merkle::VerifyInclusion(index, size, leaf, *proof, root), "wrong leaf refused");
      break;
    }
    case 2: {
      const uint64_t other = (index + 1 + pos) % size;
      if (other == index) return;
      Check(!merkle::VerifyInclusion(other, size, leaves[index], *proof, root),
            "wrong index refused");
      break;
    }
    case 3:
      if (c.empty()) return;
      c[pos % c.size()][pos % 32] ^= bit;
      Check(!merkle::VerifyConsistency(old_size, size, old_root, root, c),
            "tampered consistency proof refused");
      break;
    case 4: {
      if (old_size == 0) return;  // any old root of the empty tree is refused? not our claim
      Hash256 bad = old_root;
      bad[pos % 32] ^= bit;
      Check(!merkle::VerifyConsistency(old_size, size, bad, root, *cproof),
            "wrong old root refused");
      break;
    }
    case 5: {
      p.push_back(root);
      Check(!merkle::VerifyInclusion(index, size, leaves[index], p, root),
            "over-long inclusion path refused");
      break;
    }
  }
}

void Arbitrary(Reader& r) {
  const uint64_t a = r.U64(), b = r.U64();
  const Hash256 h1 = r.H(), h2 = r.H();
  std::vector<Hash256> proof;
  while (r.n >= 32 && proof.size() < 80) proof.push_back(r.H());
  (void)merkle::VerifyInclusion(a, b, h1, proof, h2);
  (void)merkle::VerifyConsistency(a, b, h1, h2, proof);
  (void)merkle::VerifyInclusion(a % 1024, b % 1024, h1, proof, h2);
  (void)merkle::VerifyConsistency(a % 1024, b % 1024, h1, h2, proof);
}

void CheckProofFile(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    // check-proof prints its verdict on stdout: tests/fuzz/run passes
    // -close_fd_mask=1.
    return base + "/carelog-proof-fuzz-" + std::to_string(getpid()) + ".json";
  }();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  carelog::Args args;
  args.positional.push_back(path);
  // check-proof reports refusals on stderr; silence them.
  static FILE* devnull = std::fopen("/dev/null", "w");
  FILE* saved = stderr;
  stderr = devnull != nullptr ? devnull : saved;
  const int rc = carelog::RunCheckProof(args);
  stderr = saved;
  Check(rc == 0 || rc == 1, "check-proof exits 0 or 1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Reader r{data + 1, size - 1};
  switch (data[0] % 3) {
    case 0: Arbitrary(r); break;
    case 1: RealTree(r); break;
    case 2: CheckProofFile(data + 1, size - 1); break;
  }
  return 0;
}
