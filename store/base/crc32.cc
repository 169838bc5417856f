#include "store/base/crc32.h"

#include <zlib.h>

#include <cstddef>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace carelog {
namespace {

// zlib's crc32 continued from `crc` (a finished CRC, as zlib takes it).
uint32_t ZlibCrc(uint32_t crc, const unsigned char* p, size_t n) {
  return static_cast<uint32_t>(crc32_z(crc, p, n));
}

#if defined(__x86_64__)

// Below this the fold's set-up costs more than zlib's tables.
constexpr size_t kMinFoldBytes = 64;

// Folding constants for the reflected polynomial 0x104C11DB7 (x^n mod P,
// bit-reflected), as the paper derives them and the Linux kernel's
// crc32-pclmul uses them: R1, R2 fold 64 bytes ahead, R3, R4 16 bytes, R5
// 64 to 32 bits; P' is the polynomial and U its Barrett quotient.
constexpr int64_t kR1 = 0x154442bd4, kR2 = 0x1c6e41596;
constexpr int64_t kR3 = 0x1751997d0, kR4 = 0x0ccaa009e;
constexpr int64_t kR5 = 0x163cd6124;
constexpr int64_t kPoly = 0x1db710641, kMu = 0x1f7011641;

__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold(__m128i x, __m128i k,
                                                             __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                                     _mm_clmulepi64_si128(x, k, 0x11)),
                       next);
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i Load(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// The CRC register (not inverted) after `n` more bytes at `p`.
// REQUIRES: n >= 64 and n is a multiple of 16.
__attribute__((target("pclmul,sse4.1"))) uint32_t FoldBlocks(uint32_t reg,
                                                             const unsigned char* p, size_t n) {
  __m128i x1 = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(reg)));
  __m128i x2 = Load(p + 16), x3 = Load(p + 32), x4 = Load(p + 48);
  p += 64;
  n -= 64;
  const __m128i r2r1 = _mm_set_epi64x(kR2, kR1);
  while (n >= 64) {
    x1 = Fold(x1, r2r1, Load(p));
    x2 = Fold(x2, r2r1, Load(p + 16));
    x3 = Fold(x3, r2r1, Load(p + 32));
    x4 = Fold(x4, r2r1, Load(p + 48));
    p += 64;
    n -= 64;
  }
  const __m128i r4r3 = _mm_set_epi64x(kR4, kR3);
  __m128i x = Fold(x1, r4r3, x2);
  x = Fold(x, r4r3, x3);
  x = Fold(x, r4r3, x4);
  while (n >= 16) {
    x = Fold(x, r4r3, Load(p));
    p += 16;
    n -= 16;
  }
  // 128 to 64 bits, then 64 to 32, then Barrett's reduction to the register.
  x = _mm_xor_si128(_mm_srli_si128(x, 8), _mm_clmulepi64_si128(r4r3, x, 0x01));
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  x = _mm_xor_si128(_mm_srli_si128(x, 4),
                    _mm_clmulepi64_si128(_mm_and_si128(x, mask32), _mm_set_epi64x(0, kR5), 0x00));
  const __m128i poly = _mm_set_epi64x(kMu, kPoly);
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, mask32), poly, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
  return static_cast<uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t), 1));
}

bool HasPclmul() {
  static const bool has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return has;
}

#endif  // __x86_64__

}  // namespace

uint32_t Crc32Portable(std::string_view bytes) {
  return ZlibCrc(0, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

uint32_t Crc32(std::string_view bytes) {
#if defined(__x86_64__)
  if (bytes.size() >= kMinFoldBytes && HasPclmul()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t folded = bytes.size() & ~size_t{15};
    // zlib's CRC is the register inverted at both ends.
    const uint32_t reg = FoldBlocks(0xffffffffu, p, folded);
    return ZlibCrc(~reg, p + folded, bytes.size() - folded);
  }
#endif
  return Crc32Portable(bytes);
}

}  // namespace carelog
