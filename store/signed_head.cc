#include "store/signed_head.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "store/base/hex.h"
#include "store/head_file.h"
#include "store/merkle.h"

namespace carelog {
namespace {

constexpr char kSeparator[] = ":ed25519:";
constexpr size_t kSeparatorSize = sizeof(kSeparator) - 1;

std::string SignedBytes(const TreeHead& head) {
  return absl::StrCat("carelog signed head 1\n", FormatTreeHead(head), "\n");
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Reads a PEM key with `read` (PEM_read_PrivateKey or PEM_read_PUBKEY).
template <typename ReadFn>
absl::StatusOr<Pkey> ReadKey(const std::string& file, std::string_view what, ReadFn read) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no key file ", file));
    return absl::InternalError(absl::StrCat("reading ", file, ": ", std::strerror(errno)));
  }
  Pkey key(read(f));
  std::fclose(f);
  if (key == nullptr || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, " is not an Ed25519 ", std::string(what), " in PEM form"));
  }
  return key;
}

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode & 0777));
  return buf;
}

}  // namespace

absl::Status GenerateSigningKey(const std::string& key_file) {
  const std::string pub_file = key_file + ".pub";
  for (const std::string& f : {key_file, pub_file}) {
    if (access(f.c_str(), F_OK) == 0) {
      return absl::AlreadyExistsError(absl::StrCat(f, " exists: a key is never overwritten"));
    }
  }
  Pkey key;
  {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY* raw = nullptr;
    const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
                    EVP_PKEY_keygen(ctx, &raw) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) return absl::InternalError("generating an Ed25519 key failed");
    key.reset(raw);
  }
  auto write = [&](const std::string& file, mode_t mode, bool is_private) -> absl::Status {
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return absl::InternalError(absl::StrCat("creating ", file, ": ", std::strerror(errno)));
    fchmod(fd, mode);  // whatever the umask
    FILE* f = fdopen(fd, "w");
    if (f == nullptr) {
      close(fd);
      return absl::InternalError(absl::StrCat("writing ", file));
    }
    const int ok = is_private
                       ? PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_PUBKEY(f, key.get());
    const bool synced = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (std::fclose(f) != 0 || ok != 1 || !synced) {
      unlink(file.c_str());
      return absl::InternalError(absl::StrCat("writing ", file, " failed"));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = write(key_file, 0600, true); !s.ok()) return s;
  if (absl::Status s = write(pub_file, 0644, false); !s.ok()) {
    unlink(key_file.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SignHead(const TreeHead& head, const std::string& key_file) {
  struct stat st;
  if (stat(key_file.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no key file ", key_file));
    return absl::InternalError(absl::StrCat("reading ", key_file, ": ", std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "key ", key_file, " is readable by others (mode ", ModeString(st.st_mode),
        "): it must be owner-only; chmod 600 ", key_file));
  }
  auto key = ReadKey(key_file, "private key",
                     [](FILE* f) { return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr); });
  if (!key.ok()) return key.status();
  const std::string msg = SignedBytes(head);
  MdCtx ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(msg.data()),
                     msg.size()) != 1 ||
      len != sizeof sig) {
    return absl::InternalError("signing the head failed");
  }
  return absl::StrCat(FormatTreeHead(head), kSeparator, HexOf(sig, len));
}

bool ParseSignedHead(std::string_view text, SignedHead* out) {
  const size_t sep = text.find(kSeparator);
  if (sep == std::string_view::npos) return false;
  if (!ParseTreeHead(text.substr(0, sep), &out->head)) return false;
  const std::string_view hex = text.substr(sep + kSeparatorSize);
  if (hex.size() != 128) return false;
  return ParseHex(hex, &out->signature);
}

absl::Status CheckHeadSignature(const SignedHead& signed_head, const std::string& pubkey_file) {
  auto key = ReadKey(pubkey_file, "public key",
                     [](FILE* f) { return PEM_read_PUBKEY(f, nullptr, nullptr, nullptr); });
  if (!key.ok()) return key.status();
  const std::string msg = SignedBytes(signed_head.head);
  MdCtx ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1) {
    return absl::InternalError("checking the signature failed");
  }
  const int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signed_head.signature.data()),
      signed_head.signature.size(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  if (ok != 1) {
    return absl::DataLossError(absl::StrCat("the signature of head ",
                                            FormatTreeHead(signed_head.head),
                                            " does not verify with the public key ", pubkey_file,
                                            " (altered, or signed with another key)"));
  }
  return absl::OkStatus();
}

}  // namespace carelog
