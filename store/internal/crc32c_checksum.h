// The table files' whole-file checksum (EventStore's file_checksum_gen_factory,
// kept in the MANIFEST for verify), computed with the CPU's CRC32C
// instruction. The RocksDB this project links is built for any x86-64, so
// its own CRC32C runs a byte table: on a bulk import it was ~5% of all CPU.
// Same function, same name and same bytes as RocksDB's
// GetFileChecksumGenCrc32cFactory(), so RocksDB accepts and later checks
// what it gives (tests/crc32c_checksum_test.cc compares the two).
#ifndef CARELOG_STORE_INTERNAL_CRC32C_CHECKSUM_H_
#define CARELOG_STORE_INTERNAL_CRC32C_CHECKSUM_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "rocksdb/file_checksum.h"

namespace carelog::internal {

// CRC32C (Castagnoli) of `n` bytes at `data` continuing `crc` (0 to start),
// with the hardware instruction when the CPU has SSE4.2, a table otherwise.
// Thread-safe.
uint32_t ExtendCrc32c(uint32_t crc, const void* data, size_t n);

// A factory of generators named "FileChecksumCrc32c" whose checksums equal
// RocksDB's. Shared, never null; thread-safe.
std::shared_ptr<rocksdb::FileChecksumGenFactory> FastCrc32cChecksumFactory();

}  // namespace carelog::internal

#endif  // CARELOG_STORE_INTERNAL_CRC32C_CHECKSUM_H_
