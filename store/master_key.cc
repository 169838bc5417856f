#include "store/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store/base/hex.h"
#include "store/base/sha256.h"

namespace carelog {
namespace {

constexpr char kFileMagic[] = "carelog-master-key 1 ";
constexpr uint8_t kWrapVersion = 1;
constexpr char kWrapAadPrefix[] = "carelog data key";

std::string KeyIdBytes(const SecretKey& master) {
  Sha256 h;
  h.Update(std::string_view("carelog master key id\0", 22));
  h.Update(master.bytes());
  return DigestBytes(h.Finish()).substr(0, kMasterKeyIdBytes);
}

std::string WrapAad(std::string_view stream) {
  std::string aad(kWrapAadPrefix, sizeof(kWrapAadPrefix));  // with its 0x00
  aad.append(stream);
  return aad;
}

// Wipes a string holding key material before it is freed (OPENSSL_cleanse:
// a plain fill of memory about to be freed may be optimised away).
struct Wiped {
  std::string s;
  ~Wiped() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

absl::Status WriteNewMasterKeyFile(const std::string& path) {
  absl::StatusOr<SecretKey> key = SecretKey::Generate();
  if (!key.ok()) return key.status();
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat(path, " exists: a master key is never overwritten (losing it loses every "
                       "case it wraps)"));
    }
    return absl::InternalError(absl::StrCat("creating ", path, ": ", std::strerror(errno)));
  }
  Wiped text{absl::StrCat(kFileMagic, HexOf(key->bytes()), "\n")};
  const bool ok = fchmod(fd, 0600) == 0 &&
                  write(fd, text.s.data(), text.s.size()) == static_cast<ssize_t>(text.s.size()) &&
                  fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return absl::InternalError(absl::StrCat("writing ", path, ": ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

absl::StatusOr<SecretKey> ReadMasterKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no master key file ", path));
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open master key file ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " is not a regular file"));
  }
  if (st.st_uid != geteuid()) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "master key file ", path, " belongs to another user (uid ", st.st_uid, "): it must be "
        "owned by the user running carelog"));
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrFormat(
        "master key file %s is open to others (mode %04o): it must be owner-only; chmod 600 %s",
        path, st.st_mode & 07777, path));
  }
  Wiped text{std::string(256, '\0')};
  const ssize_t n = read(fd, text.s.data(), text.s.size());
  close(fd);
  if (n < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("reading master key file ", path, ": ", std::strerror(errno)));
  }
  text.s.resize(static_cast<size_t>(n));
  std::string_view body = text.s;
  while (!body.empty() && absl::ascii_isspace(static_cast<unsigned char>(body.back()))) {
    body.remove_suffix(1);
  }
  if (!body.starts_with(kFileMagic)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a carelog master key file (want 'carelog-master-key 1 ' and 64 hex digits)"));
  }
  return ParseMasterKeyHex(body.substr(sizeof(kFileMagic) - 1), path);
}

absl::StatusOr<SecretKey> ParseMasterKeyHex(std::string_view text, std::string_view what) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  Wiped bytes;
  if (text.size() != 2 * kSecretKeyBytes || !ParseHex(text, &bytes.s)) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(what), ": a master key is ", 2 * kSecretKeyBytes, " hex digits (", text.size(),
        " characters given)"));
  }
  return SecretKey::FromBytes(bytes.s);
}

std::string MasterKeyId(const SecretKey& master) { return HexOf(KeyIdBytes(master)); }

absl::StatusOr<std::string> WrapDataKey(const SecretKey& master, std::string_view stream,
                                        const SecretKey& data_key) {
  absl::StatusOr<std::string> sealed = Seal(master, WrapAad(stream), data_key.bytes());
  if (!sealed.ok()) return sealed.status();
  std::string out(1, static_cast<char>(kWrapVersion));
  out.append(KeyIdBytes(master));
  out.append(*sealed);
  return out;
}

absl::StatusOr<SecretKey> UnwrapDataKey(const SecretKey& master, std::string_view stream,
                                        std::string_view wrapped) {
  if (wrapped.size() != kWrappedDataKeyBytes ||
      static_cast<uint8_t>(wrapped[0]) != kWrapVersion) {
    return absl::DataLossError(absl::StrCat("wrapped data key of '", std::string(stream),
                                            "' is malformed (", wrapped.size(), " bytes)"));
  }
  const std::string_view id = wrapped.substr(1, kMasterKeyIdBytes);
  if (id != KeyIdBytes(master)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the data key of '", std::string(stream), "' was wrapped by master key ", HexOf(id),
        "; the master key given is ", MasterKeyId(master), ": wrong master key"));
  }
  absl::StatusOr<std::string> key =
      Open(master, WrapAad(stream), wrapped.substr(1 + kMasterKeyIdBytes));
  if (!key.ok()) {
    return absl::DataLossError(absl::StrCat("wrapped data key of '", std::string(stream),
                                            "' does not authenticate: damaged or tampered"));
  }
  Wiped bytes{std::move(*key)};
  return SecretKey::FromBytes(bytes.s);
}

}  // namespace carelog
