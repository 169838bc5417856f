// Fixed-width and varint integer coding: the one copy of the byte-level
// integer helpers every format uses (store records and keys, deadlines
// checkpoints, the view head). Pure functions, safe from any thread; no
// allocation beyond appending to the caller's string.
//
// Fixed-width integers are little-endian unless the name says BE (big-endian
// is for keys, whose byte order must be their numeric order). A varint32 is
// LevelDB's: 7 bits a byte, low bits first, the high bit set on every byte
// but the last, at most 5 bytes.
#ifndef CARELOG_STORE_BASE_CODING_H_
#define CARELOG_STORE_BASE_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace carelog {

// Writes v as 4 / 8 little-endian bytes at dst. REQUIRES: dst has room.
void EncodeFixed32(char* dst, uint32_t v);
void EncodeFixed64(char* dst, uint64_t v);

// Appends v as 4 / 8 little-endian bytes.
void PutFixed32(std::string* out, uint32_t v);
void PutFixed64(std::string* out, uint64_t v);

// Reads 4 / 8 little-endian bytes at p. REQUIRES: p has that many bytes (the
// caller has checked the length; these do not).
[[nodiscard]] uint32_t DecodeFixed32(const char* p);
[[nodiscard]] uint64_t DecodeFixed64(const char* p);

// Appends v as 8 big-endian bytes, so that byte order is numeric order.
void PutFixed64BE(std::string* out, uint64_t v);
// Reads 8 big-endian bytes at p. REQUIRES: p has 8 bytes.
[[nodiscard]] uint64_t DecodeFixed64BE(const char* p);

// Appends v as a varint32 (1 to 5 bytes).
void PutVarint32(std::string* out, uint32_t v);

// Reads a varint32 from the front of *in and advances *in past it. False (and
// *in in an unspecified position, *v untouched) on truncation, a value over
// 32 bits, or an over-long encoding (a final zero byte after a continuation
// byte): only the one canonical spelling of a value decodes, because the
// store's leaf bytes are what tamper evidence commits to.
[[nodiscard]] bool GetVarint32(std::string_view* in, uint32_t* v);

// Reads varint32(len) then len bytes from *in into *out, advancing *in. False
// as GetVarint32, or if fewer than len bytes follow.
[[nodiscard]] bool GetLengthPrefixed(std::string_view* in, std::string* out);

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_CODING_H_
