// store/base/crc32.h: the records' CRC-32 equals zlib's, on every path.
#include "store/base/crc32.h"

#include <string>

#include "gtest/gtest.h"

namespace carelog {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : out) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

TEST(Crc32Test, KnownValues) {
  // The check value of CRC-32/ISO-HDLC, and a 64-byte input (the fold's
  // shortest) of a known CRC.
  EXPECT_EQ(Crc32("123456789"), 0xcbf43926u);
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32(std::string(64, '\0')), Crc32Portable(std::string(64, '\0')));
  EXPECT_EQ(Crc32Portable(std::string(64, '\0')), 0x758d6336u);
}

// Every length to 1 KiB (below, at and past the fold's 64 bytes, each
// remainder mod 16), at every alignment of the first byte, then long
// buffers: what zlib says.
TEST(Crc32Test, EqualsZlibAtEveryLengthAndAlignment) {
  const std::string bytes = RandomBytes(1024 + 16, 7);
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 1024; ++n) {
      const std::string_view s(bytes.data() + offset, n);
      ASSERT_EQ(Crc32(s), Crc32Portable(s)) << "length " << n << " offset " << offset;
    }
  }
  for (size_t n : {4095, 4096, 65536 + 7, 1 << 20}) {
    const std::string big = RandomBytes(n, n);
    ASSERT_EQ(Crc32(big), Crc32Portable(big)) << "length " << n;
  }
}

// A flipped bit anywhere changes it (what the checksum is for).
TEST(Crc32Test, EveryFlippedBitChangesIt) {
  std::string bytes = RandomBytes(300, 3);
  const uint32_t crc = Crc32(bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
      ASSERT_NE(Crc32(bytes), crc) << "byte " << i << " bit " << bit;
      bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
    }
  }
}

}  // namespace
}  // namespace carelog
