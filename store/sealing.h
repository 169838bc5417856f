// Sealing: authenticated encryption of a byte string under a 256-bit key
// (AES-256-GCM through OpenSSL), the one cipher of the store's encryption at
// rest (issue 19: a data key per case, wrapped by the master key of
// store/master_key.h). Grammar of a sealed value:
//
//   sealed := version:u8(1) nonce:12 ciphertext tag:16
//
// `ciphertext` is as long as the plaintext; the nonce is random (RAND_bytes)
// for every seal, so sealing the same bytes twice gives different values and
// a key may seal ~2^32 values before a nonce is likely to repeat (NIST SP
// 800-38D 8.3): far more than one case's events. `aad` (associated data) is
// authenticated, not stored: the caller passes what binds the value to its
// place (a key's stream, a record's position), so that a value moved to
// another place no longer opens.
#ifndef CARELOG_STORE_SEALING_H_
#define CARELOG_STORE_SEALING_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace carelog {

inline constexpr size_t kSecretKeyBytes = 32;
inline constexpr size_t kSealNonceBytes = 12;
inline constexpr size_t kSealTagBytes = 16;
// What sealing adds to the plaintext's length.
inline constexpr size_t kSealOverheadBytes = 1 + kSealNonceBytes + kSealTagBytes;

// A 256-bit key. Its bytes are wiped when it is destroyed; it can be moved
// but not copied, so that a key is not left behind in stray copies.
class SecretKey {
 public:
  SecretKey() = default;
  // From exactly kSecretKeyBytes bytes; kInvalidArgument naming the length
  // otherwise.
  [[nodiscard]] static absl::StatusOr<SecretKey> FromBytes(std::string_view bytes);
  // A new random key (RAND_bytes); kInternal if the generator fails.
  [[nodiscard]] static absl::StatusOr<SecretKey> Generate();

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  // An explicit copy, for the one place that must keep two (rotation).
  [[nodiscard]] SecretKey Copy() const;
  std::string_view bytes() const {
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
  }
  bool empty() const { return !set_; }

 private:
  std::array<uint8_t, kSecretKeyBytes> bytes_{};
  bool set_ = false;
};

// `plaintext` sealed under `key`, bound to `aad`. kFailedPrecondition for an
// empty key; kInternal if OpenSSL fails. Thread-safe.
[[nodiscard]] absl::StatusOr<std::string> Seal(const SecretKey& key, std::string_view aad,
                                               std::string_view plaintext);

// The plaintext of `sealed`. kDataLoss "sealed value does not authenticate"
// when the key or `aad` is not the one it was sealed with or a byte of it
// changed (GCM cannot tell these apart); kDataLoss naming the problem for a
// value too short or of an unknown version. Thread-safe.
[[nodiscard]] absl::StatusOr<std::string> Open(const SecretKey& key, std::string_view aad,
                                               std::string_view sealed);

}  // namespace carelog

#endif  // CARELOG_STORE_SEALING_H_
