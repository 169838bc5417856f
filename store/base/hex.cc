#include "store/base/hex.h"

namespace carelog {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes hex (even length, checked by the caller) into out[0..hex.size()/2);
// false at the first non-digit, with out partly written.
bool Decode(std::string_view hex, uint8_t* out) {
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = Nibble(hex[i]), lo = Nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

std::string HexOf(const uint8_t* p, size_t n) {
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 0xf];
  }
  return out;
}

std::string HexOf(std::string_view bytes) {
  return HexOf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

bool ParseHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  std::string bytes(hex.size() / 2, '\0');
  if (!Decode(hex, reinterpret_cast<uint8_t*>(bytes.data()))) return false;
  *out = std::move(bytes);
  return true;
}

bool ParseHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  std::string bytes(n, '\0');
  if (!Decode(hex, reinterpret_cast<uint8_t*>(bytes.data()))) return false;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(bytes[i]);
  return true;
}

}  // namespace carelog
