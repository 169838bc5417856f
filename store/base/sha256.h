// SHA-256: the one wrapper over OpenSSL for every hash the project takes
// (record chain, Merkle nodes, backup manifests, the durable head's check
// line, settings records, service tokens, checkpoint fingerprints).
//
// Sha256 is incremental and lives on the stack (no heap context, unlike
// OpenSSL's EVP interface): the append path hashes every record twice. One
// object hashes one message; it is not thread-safe, but separate objects are
// independent. The functions cannot fail.
#ifndef CARELOG_STORE_BASE_SHA256_H_
#define CARELOG_STORE_BASE_SHA256_H_

#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace carelog {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& Update(std::string_view bytes) { return Update(bytes.data(), bytes.size()); }
  Sha256& Update(const void* p, size_t n);

  // The digest of everything passed to Update. Call once; the object may not
  // be updated or finished again.
  [[nodiscard]] Sha256Digest Finish();

 private:
  SHA256_CTX ctx_;
};

// SHA-256 of `bytes`.
[[nodiscard]] Sha256Digest Sha256Of(std::string_view bytes);

// The digest as 32 raw bytes in a string (the form protobuf bytes fields hold).
[[nodiscard]] std::string DigestBytes(const Sha256Digest& d);

// SHA-256 of `bytes`, as 64 lower-case hex digits.
[[nodiscard]] std::string Sha256Hex(std::string_view bytes);

}  // namespace carelog

#endif  // CARELOG_STORE_BASE_SHA256_H_
