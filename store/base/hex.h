// Hex: the one encoder and parser of hex digits (hashes in heads, manifests,
// proofs, tokens and settings records; random ids). Pure functions, safe from
// any thread.
//
// Encoding is always lower case, two digits a byte, no separators. Parsing
// takes either case (people paste hashes from elsewhere) and nothing else: no
// prefix, no spaces, no odd length.
#ifndef CARELOG_STORE_BASE_HEX_H_
#define CARELOG_STORE_BASE_HEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace carelog {

// Lower-case hex of `bytes` (2 digits a byte).
[[nodiscard]] std::string HexOf(std::string_view bytes);
[[nodiscard]] std::string HexOf(const uint8_t* p, size_t n);
template <size_t N>
[[nodiscard]] std::string HexOf(const std::array<uint8_t, N>& bytes) {
  return HexOf(bytes.data(), N);
}

// Parses hex of any even length into bytes. False (and *out untouched) on an
// odd length or a character that is not a hex digit.
[[nodiscard]] bool ParseHex(std::string_view hex, std::string* out);

// Parses exactly 2*N hex digits into N bytes. False (and *out untouched) on
// another length or a character that is not a hex digit.
[[nodiscard]] bool ParseHex(std::string_view hex, uint8_t* out, size_t n);
template <size_t N>
[[nodiscard]] bool ParseHex(std::string_view hex, std::array<uint8_t, N>* out) {
  return ParseHex(hex, out->data(), N);
}

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_HEX_H_
