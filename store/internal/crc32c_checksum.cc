#include "store/internal/crc32c_checksum.h"

#include <array>
#include <cstring>
#include <string>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace carelog::internal {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // CRC32C, reflected

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

// Both work on the inverted register (the caller inverts before and after).
uint32_t TableCrc(uint32_t c, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) c = kTable[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t HardwareCrc(uint32_t c, const unsigned char* p,
                                                       size_t n) {
  uint64_t c64 = c;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c64 = _mm_crc32_u64(c64, v);
  }
  c = static_cast<uint32_t>(c64);
  for (; n > 0; --n, ++p) c = _mm_crc32_u8(c, *p);
  return c;
}
#endif

class Generator : public rocksdb::FileChecksumGenerator {
 public:
  void Update(const char* data, size_t n) override { crc_ = ExtendCrc32c(crc_, data, n); }
  void Finalize() override {
    // RocksDB's: the value as four big-endian bytes.
    checksum_.assign({static_cast<char>(crc_ >> 24), static_cast<char>(crc_ >> 16),
                      static_cast<char>(crc_ >> 8), static_cast<char>(crc_)});
  }
  std::string GetChecksum() const override { return checksum_; }
  const char* Name() const override { return "FileChecksumCrc32c"; }

 private:
  uint32_t crc_ = 0;
  std::string checksum_;
};

class Factory : public rocksdb::FileChecksumGenFactory {
 public:
  std::unique_ptr<rocksdb::FileChecksumGenerator> CreateFileChecksumGenerator(
      const rocksdb::FileChecksumGenContext& context) override {
    // Asked for another function by name (e.g. to check a file written
    // under another): none; RocksDB then reports the mismatch.
    if (!context.requested_checksum_func_name.empty() &&
        context.requested_checksum_func_name != "FileChecksumCrc32c") {
      return nullptr;
    }
    return std::make_unique<Generator>();
  }
  static const char* kClassName() { return "FileChecksumGenCrc32cFactory"; }
  const char* Name() const override { return kClassName(); }
};

}  // namespace

uint32_t ExtendCrc32c(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return ~HardwareCrc(~crc, p, n);
#endif
  return ~TableCrc(~crc, p, n);
}

std::shared_ptr<rocksdb::FileChecksumGenFactory> FastCrc32cChecksumFactory() {
  static const std::shared_ptr<rocksdb::FileChecksumGenFactory> factory =
      std::make_shared<Factory>();
  return factory;
}

}  // namespace carelog::internal
