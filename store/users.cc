#include "store/users.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "store/base/errno_status.h"
#include "store/base/hex.h"
#include "store/base/time_format.h"

namespace carelog {
namespace {

constexpr char kWrongNameOrPassword[] = "wrong user name or password";
constexpr uint64_t kMaxScryptMemory = uint64_t{256} << 20;

// The memory EVP_PBE_scrypt allocates (OpenSSL's own formula: B is 128*r*p
// bytes, V is 128*r*(N+2)), which is also the `maxmem` it must be given:
// its default (32 MiB) is just short of N=2^15, r=8. Callers keep N < 2^32
// and r, p <= 64, so this cannot overflow.
uint64_t ScryptMemory(uint64_t n, uint32_t r, uint32_t p) {
  return uint64_t{128} * r * p + uint64_t{128} * r * (n + 2);
}

absl::StatusOr<std::string> Scrypt(std::string_view password, const std::string& salt,
                                   uint64_t n, uint32_t r, uint32_t p, size_t key_bytes) {
  std::string key(key_bytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                     ScryptMemory(n, r, p), reinterpret_cast<unsigned char*>(key.data()),
                     key.size()) != 1) {
    return absl::InternalError("scrypt failed (out of memory?)");
  }
  return key;
}

int Utf8Chars(std::string_view s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string RolesList() { return absl::StrJoin(std::begin(kUserRoles), std::end(kUserRoles), ", "); }

// Reads the whole file; `*missing` is set when it does not exist.
absl::StatusOr<std::string> ReadWhole(const std::string& path, bool* missing) {
  *missing = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return std::string();
    }
    return ErrnoStatus(absl::StrCat("reading the users file ", path), errno);
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(absl::StrCat("reading the users file ", path), err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool ValidUserName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

bool ValidUserRole(std::string_view r) {
  return std::find(std::begin(kUserRoles), std::end(kUserRoles), r) != std::end(kUserRoles);
}

std::string PasswordHash::ToString() const {
  return absl::StrCat("scrypt:", n, ":", r, ":", p, ":", HexOf(salt), ":", HexOf(key));
}

absl::StatusOr<PasswordHash> PasswordHash::Parse(std::string_view text) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(text.data(), text.size()), ':');
  if (parts.size() != 6 || parts[0] != "scrypt") {
    return absl::InvalidArgumentError("want the hash as scrypt:N:R:P:SALTHEX:KEYHEX");
  }
  PasswordHash h;
  if (!absl::SimpleAtoi(parts[1], &h.n) || h.n < 2 || h.n >= (uint64_t{1} << 32) ||
      (h.n & (h.n - 1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("scrypt N must be a power of two from 2 to 2^31, not '", parts[1], "'"));
  }
  if (!absl::SimpleAtoi(parts[2], &h.r) || h.r < 1 || h.r > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("scrypt R must be 1 to 64, not '", parts[2], "'"));
  }
  if (!absl::SimpleAtoi(parts[3], &h.p) || h.p < 1 || h.p > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("scrypt P must be 1 to 64, not '", parts[3], "'"));
  }
  // RFC 7914 wants N < 2^(128*r/8); OpenSSL refuses otherwise, and a line it
  // refuses would fail every sign-in with an internal error.
  if (16 * h.r < 64 && h.n >= (uint64_t{1} << (16 * h.r))) {
    return absl::InvalidArgumentError(
        absl::StrCat("scrypt N=", h.n, " is too large for R=", h.r, " (N < 2^(16*R))"));
  }
  if (ScryptMemory(h.n, h.r, h.p) > kMaxScryptMemory) {
    return absl::InvalidArgumentError(
        absl::StrCat("scrypt N=", h.n, " R=", h.r, " P=", h.p, " would need more than 256 MiB a "
                     "sign-in"));
  }
  if (!ParseHex(std::string_view(parts[4].data(), parts[4].size()), &h.salt) ||
      h.salt.size() < 16 || h.salt.size() > 64) {
    return absl::InvalidArgumentError("the salt must be 16 to 64 bytes in hex");
  }
  if (!ParseHex(std::string_view(parts[5].data(), parts[5].size()), &h.key) ||
      h.key.size() < 32 || h.key.size() > 64) {
    return absl::InvalidArgumentError("the key must be 32 to 64 bytes in hex");
  }
  return h;
}

absl::StatusOr<PasswordHash> HashPassword(std::string_view password) {
  PasswordHash h;
  h.salt.resize(kScryptSaltBytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(h.salt.data()),
                 static_cast<int>(h.salt.size())) != 1) {
    return absl::InternalError("no randomness from the OS for a password salt");
  }
  auto key = Scrypt(password, h.salt, h.n, h.r, h.p, kScryptKeyBytes);
  if (!key.ok()) return key.status();
  h.key = std::move(*key);
  return h;
}

absl::StatusOr<bool> PasswordMatches(const PasswordHash& hash, std::string_view password) {
  auto key = Scrypt(password, hash.salt, hash.n, hash.r, hash.p, hash.key.size());
  if (!key.ok()) return key.status();
  return CRYPTO_memcmp(key->data(), hash.key.data(), hash.key.size()) == 0;
}

absl::StatusOr<UserTable> UserTable::Parse(std::string_view text, std::string_view source) {
  UserTable table;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where = absl::StrCat(std::string(source), ":", line_no, ": ");
    if (parts.size() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "want NAME ROLE CREATED scrypt:N:R:P:SALTHEX:KEYHEX, got ", parts.size(),
          " fields"));
    }
    UserEntry e;
    e.name = std::string(parts[0]);
    if (!ValidUserName(e.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "bad user name '", e.name, "': 1 to 64 letters, digits, . _ @ -"));
    }
    e.role = std::string(parts[1]);
    if (!ValidUserRole(e.role)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown role '", e.role, "' (roles: ", RolesList(), ")"));
    }
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(parts[2]), &e.created, &err)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "bad created time '", parts[2], "': want RFC 3339 like 2026-12-02T11:40:00Z"));
    }
    auto hash = PasswordHash::Parse(std::string_view(parts[3].data(), parts[3].size()));
    if (!hash.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, hash.status().message()));
    }
    e.hash = std::move(*hash);
    if (table.Find(e.name) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "user name '", e.name, "' appears twice"));
    }
    table.entries_.push_back(std::move(e));
  }
  return table;
}

absl::StatusOr<UserTable> UserTable::Load(const std::string& path) {
  bool missing = false;
  auto text = ReadWhole(path, &missing);
  if (!text.ok()) return text.status();
  if (missing) return UserTable();
  return Parse(*text, path);
}

std::string UserTable::Serialize() const {
  std::string out =
      "# carelog web users (carelog user add|list|remove); keep this file 0600.\n"
      "# NAME ROLE CREATED scrypt:N:R:P:SALTHEX:KEYHEX\n";
  for (const UserEntry& e : entries_) {
    absl::StrAppend(&out, e.name, " ", e.role, " ", Rfc3339Utc(e.created), " ",
                    e.hash.ToString(), "\n");
  }
  return out;
}

absl::Status UserTable::Save(const std::string& path) const {
  namespace fs = std::filesystem;
  // The temporary file sits beside `path` so that rename is atomic (same
  // file system); the pid keeps two concurrent writers off each other's file.
  const std::string tmp = absl::StrCat(path, ".tmp-", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus(absl::StrCat("creating ", tmp), errno);
  // A leftover file of the same name keeps its old mode through O_CREAT.
  bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, Serialize()) && ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return ErrnoStatus(absl::StrCat("writing the users file ", path), err);
  }
  // The rename is durable only once the directory is.
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const bool synced = ::fsync(dfd) == 0;
    const int derr = errno;
    ::close(dfd);
    if (!synced) return ErrnoStatus(absl::StrCat("syncing the directory ", dir), derr);
  }
  return absl::OkStatus();
}

absl::Status UserTable::Add(std::string_view name, std::string_view role,
                            std::string_view password, absl::Time created) {
  if (!ValidUserName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad user name '", std::string(name), "': 1 to 64 letters, digits, . _ @ -"));
  }
  if (!ValidUserRole(role)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown role '", std::string(role), "' (roles: ", RolesList(), ")"));
  }
  if (Utf8Chars(password) < kMinPasswordChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the password is too short: at least ", kMinPasswordChars, " characters"));
  }
  if (password.size() > static_cast<size_t>(kMaxPasswordBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the password is too long: at most ", kMaxPasswordBytes, " bytes"));
  }
  if (Find(name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("user '", std::string(name), "' already exists"));
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  UserEntry e;
  e.name = std::string(name);
  e.role = std::string(role);
  // Whole seconds: the file keeps seconds, and a table should equal itself
  // read back.
  e.created = absl::FromUnixSeconds(absl::ToUnixSeconds(created));
  e.hash = std::move(*hash);
  entries_.push_back(std::move(e));
  return absl::OkStatus();
}

absl::Status UserTable::Remove(std::string_view name) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const UserEntry& e) { return e.name == name; });
  if (it == entries_.end()) {
    return absl::NotFoundError(absl::StrCat("no user '", std::string(name), "'"));
  }
  entries_.erase(it);
  return absl::OkStatus();
}

const UserEntry* UserTable::Find(std::string_view name) const {
  for (const UserEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<UserEntry> UserTable::Authenticate(std::string_view name,
                                                  std::string_view password) const {
  const UserEntry* user = Find(name);
  if (user == nullptr) {
    // The same work as for a known user, so that the time taken does not
    // tell an unknown name from a wrong password: the parameters of the
    // file's first user (those of the others, unless they were raised since),
    // else the defaults. The all-zero key matches no password anyone could
    // know (that would need a preimage of scrypt).
    PasswordHash dummy;
    if (!entries_.empty()) {
      const PasswordHash& like = entries_.front().hash;
      dummy.n = like.n;
      dummy.r = like.r;
      dummy.p = like.p;
      dummy.salt.assign(like.salt.size(), '\0');
      dummy.key.assign(like.key.size(), '\0');
    } else {
      dummy.salt.assign(kScryptSaltBytes, '\0');
      dummy.key.assign(kScryptKeyBytes, '\0');
    }
    auto matched = PasswordMatches(dummy, password);
    if (!matched.ok()) return matched.status();
    return absl::UnauthenticatedError(kWrongNameOrPassword);
  }
  auto matched = PasswordMatches(user->hash, password);
  if (!matched.ok()) return matched.status();
  if (!*matched) return absl::UnauthenticatedError(kWrongNameOrPassword);
  return *user;
}

}  // namespace carelog
