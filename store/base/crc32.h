// CRC-32 as zlib's crc32() computes it (the ISO-HDLC / IEEE polynomial,
// reflected, inverted in and out): the checksum of every record
// (record_format.cc). On x86-64 with carry-less multiplication (PCLMULQDQ,
// SSE4.1) the bulk of a buffer is folded 64 and 16 bytes at a time, as in
// Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"
// (2009); the tail, short buffers and other CPUs go through zlib.
#ifndef CARELOG_STORE_BASE_CRC32_H_
#define CARELOG_STORE_BASE_CRC32_H_

#include <cstdint>
#include <string_view>

namespace carelog {

// zlib's crc32(0, bytes, size), whatever the CPU. Thread-safe.
uint32_t Crc32(std::string_view bytes);

// The same through zlib alone: what Crc32 must equal (its test), and the
// path a CPU without PCLMULQDQ takes.
uint32_t Crc32Portable(std::string_view bytes);

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_CRC32_H_
