#include "store/internal/crc32c_checksum.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "rocksdb/file_checksum.h"

namespace carelog::internal {
namespace {

std::string ChecksumOf(rocksdb::FileChecksumGenFactory& factory, const std::string& bytes,
                       size_t piece, std::string* name) {
  auto gen = factory.CreateFileChecksumGenerator(rocksdb::FileChecksumGenContext());
  for (size_t at = 0; at < bytes.size(); at += piece) {
    gen->Update(bytes.data() + at, std::min(piece, bytes.size() - at));
  }
  gen->Finalize();
  *name = gen->Name();
  return gen->GetChecksum();
}

// RocksDB accepts a provided checksum only under its own function's name,
// and verify later recomputes it with RocksDB's generator: both must agree
// byte for byte, whatever the lengths and the pieces they arrive in.
TEST(Crc32cChecksumTest, SameChecksumAndNameAsRocksDb) {
  auto rocks = rocksdb::GetFileChecksumGenCrc32cFactory();
  auto fast = FastCrc32cChecksumFactory();
  EXPECT_STREQ(rocks->Name(), fast->Name());
  std::mt19937_64 rng(18);
  for (size_t len : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4096, 100003}) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (size_t piece : {1, 3, 8, 13, 4096}) {
      std::string rocks_name, fast_name;
      const std::string want = ChecksumOf(*rocks, bytes, piece, &rocks_name);
      EXPECT_EQ(ChecksumOf(*fast, bytes, piece, &fast_name), want)
          << "length " << len << ", pieces of " << piece;
      EXPECT_EQ(fast_name, rocks_name);
    }
  }
}

// The standard check value of CRC32C ("123456789" -> E3069283), pieced.
TEST(Crc32cChecksumTest, KnownValue) {
  EXPECT_EQ(ExtendCrc32c(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(ExtendCrc32c(ExtendCrc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

}  // namespace
}  // namespace carelog::internal
