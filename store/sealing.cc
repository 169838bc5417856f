#include "store/sealing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"

namespace carelog {
namespace {

constexpr uint8_t kSealVersion = 1;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

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
  if (RAND_bytes(U(out, 1), kSealNonceBytes) != 1) {
    return absl::InternalError("the random number generator failed making a nonce");
  }
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const size_t body = 1 + kSealNonceBytes;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key.bytes()), U(out, 1)) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), U(out, body), &len, U(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), U(out, body + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealTagBytes,
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
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key.bytes()), U(nonce)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      (!body.empty() && EVP_DecryptUpdate(ctx.get(), U(out, 0), &len, U(body),
                                          static_cast<int>(body.size())) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealTagBytes, tag.data()) != 1) {
    return absl::InternalError("AES-256-GCM opening failed");
  }
  unsigned char end[16];
  if (EVP_DecryptFinal_ex(ctx.get(), end, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return absl::DataLossError("sealed value does not authenticate (wrong key, wrong place, or "
                               "changed bytes)");
  }
  return out;
}

}  // namespace carelog
