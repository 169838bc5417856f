// The generator's randomness: xoshiro256** seeded through splitmix64, with
// integer-only helpers so the output never depends on libm or on the
// standard library's distributions (same options -> same bytes everywhere).
#ifndef CARELOG_ENGINE_GEN_RANDOM_H_
#define CARELOG_ENGINE_GEN_RANDOM_H_

#include <cstddef>
#include <cstdint>

namespace carelog::gen {

// One step of splitmix64: advances `x` and returns a well-mixed word.
inline uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256**.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) w = SplitMix64(x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability pct/100.
  bool Pct(int pct) { return Below(100) < static_cast<uint64_t>(pct); }
  // True with probability pm/1000.
  bool PerMille(int pm) { return Below(1000) < static_cast<uint64_t>(pm); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A code (or text) and how often it is chosen, relative to the rest of its table.
struct WeightedChoice {
  const char* value;
  int weight;
};
// One value of `table`, chosen with probability weight / (sum of weights).
template <size_t N>
inline const char* PickWeighted(Rng& rng, const WeightedChoice (&table)[N]) {
  int total = 0;
  for (const WeightedChoice& c : table) total += c.weight;
  int x = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (const WeightedChoice& c : table) {
    if (x < c.weight) return c.value;
    x -= c.weight;
  }
  return table[N - 1].value;
}

}  // namespace carelog::gen

#endif  // CARELOG_ENGINE_GEN_RANDOM_H_
