#include "store/sealing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <memory>

#include "absl/strings/str_cat.h"

namespace carelog {
namespace {

constexpr uint8_t kSealVersion = 1;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// The cipher, fetched from OpenSSL's default provider once: EVP_aes_256_gcm()
// makes every init look it up again, which cost more than the encryption of
// an event's bytes. Thread-safe (a function-local static).
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

// One cipher context per thread, re-initialised for each value (a context
// is not thread-safe; making one per call was a measurable share of a seal).
EVP_CIPHER_CTX* ThreadCtx() {
  thread_local Ctx ctx(EVP_CIPHER_CTX_new());
  return ctx.get();
}

// Writes a fresh random nonce: RAND_bytes is asked for 256 nonces' worth at
// a time per thread (one call per nonce was ~a third of a seal); each nonce
// is used once and its bytes wiped from the buffer. False if the generator
// fails.
bool NextNonce(unsigned char* out) {
  constexpr size_t kBatch = 256;
  thread_local std::array<unsigned char, kBatch * kSealNonceBytes> pool;
  thread_local size_t next = kBatch;
  if (next == kBatch) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) return false;
    next = 0;
  }
  unsigned char* nonce = pool.data() + next * kSealNonceBytes;
  std::copy(nonce, nonce + kSealNonceBytes, out);
  OPENSSL_cleanse(nonce, kSealNonceBytes);
  ++next;
  return true;
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s, size_t at) { return reinterpret_cast<unsigned char*>(&s[at]); }

}  // namespace

absl::StatusOr<SecretKey> SecretKey::FromBytes(std::string_view bytes) {
  if (bytes.size() != kSecretKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a key is ", kSecretKeyBytes, " bytes, not ", bytes.size()));
  }
  SecretKey k;
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(k.bytes_.data()));
  k.set_ = true;
  return k;
}

absl::StatusOr<SecretKey> SecretKey::Generate() {
  SecretKey k;
  if (RAND_bytes(k.bytes_.data(), static_cast<int>(k.bytes_.size())) != 1) {
    return absl::InternalError("the random number generator failed making a key");
  }
  k.set_ = true;
  return k;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_), set_(other.set_) {
  OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
  other.set_ = false;
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    set_ = other.set_;
    OPENSSL_cleanse(other.bytes_.data(), other.bytes_.size());
    other.set_ = false;
  }
  return *this;
}

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Copy() const {
  SecretKey k;
  k.bytes_ = bytes_;
  k.set_ = set_;
  return k;
}

absl::StatusOr<std::string> Seal(const SecretKey& key, std::string_view aad,
                                 std::string_view plaintext) {
  if (key.empty()) return absl::FailedPreconditionError("sealing needs a key; none is set");
  std::string out(kSealOverheadBytes + plaintext.size(), '\0');
  out[0] = static_cast<char>(kSealVersion);
  if (!NextNonce(U(out, 1))) {
    return absl::InternalError("the random number generator failed making a nonce");
  }
  EVP_CIPHER_CTX* ctx = ThreadCtx();
  int len = 0;
  const size_t body = 1 + kSealNonceBytes;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx, Aes256Gcm(), nullptr, U(key.bytes()), U(out, 1)) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx, U(out, body), &len, U(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx, U(out, body + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kSealTagBytes,
                          U(out, body + plaintext.size())) != 1) {
    return absl::InternalError("AES-256-GCM sealing failed");
  }
  return out;
}

absl::StatusOr<std::string> Open(const SecretKey& key, std::string_view aad,
                                 std::string_view sealed) {
  if (key.empty()) return absl::FailedPreconditionError("opening needs a key; none is set");
  if (sealed.size() < kSealOverheadBytes) {
    return absl::DataLossError(absl::StrCat("sealed value of ", sealed.size(),
                                            " bytes is shorter than its ", kSealOverheadBytes,
                                            "-byte frame"));
  }
  if (static_cast<uint8_t>(sealed[0]) != kSealVersion) {
    return absl::DataLossError(absl::StrCat("sealed value has unknown version ",
                                            static_cast<int>(static_cast<uint8_t>(sealed[0]))));
  }
  const std::string_view nonce = sealed.substr(1, kSealNonceBytes);
  const std::string_view body =
      sealed.substr(1 + kSealNonceBytes, sealed.size() - kSealOverheadBytes);
  std::string tag(sealed.substr(sealed.size() - kSealTagBytes));
  std::string out(body.size(), '\0');
  EVP_CIPHER_CTX* ctx = ThreadCtx();
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx, Aes256Gcm(), nullptr, U(key.bytes()), U(nonce)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (!body.empty() && EVP_DecryptUpdate(ctx, U(out, 0), &len, U(body),
                                          static_cast<int>(body.size())) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kSealTagBytes, tag.data()) != 1) {
    return absl::InternalError("AES-256-GCM opening failed");
  }
  unsigned char end[16];
  if (EVP_DecryptFinal_ex(ctx, end, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return absl::DataLossError("sealed value does not authenticate (wrong key, wrong place, or "
                               "changed bytes)");
  }
  return out;
}

}  // namespace carelog
