#include "store/base/sha256.h"

// OpenSSL 3 deprecates the SHA256_* calls but keeps them; they avoid an EVP
// context allocation per hash.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#include "store/base/hex.h"

namespace carelog {

Sha256::Sha256() { SHA256_Init(&ctx_); }

Sha256& Sha256::Update(const void* p, size_t n) {
  SHA256_Update(&ctx_, p, n);
  return *this;
}

Sha256Digest Sha256::Finish() {
  Sha256Digest out;
  SHA256_Final(out.data(), &ctx_);
  return out;
}

Sha256Digest Sha256Of(std::string_view bytes) {
  Sha256Digest out;
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

std::string DigestBytes(const Sha256Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string Sha256Hex(std::string_view bytes) { return HexOf(DigestBytes(Sha256Of(bytes))); }

}  // namespace carelog
