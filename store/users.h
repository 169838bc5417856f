// The people who may sign in to the web application (`carelog serve --http`),
// their roles and their password hashes. The file, by default
// `<store dir>/carelog.users`, is owner-only (0600) and written whole by
// `carelog user add|remove` (temporary file + rename, so a reader never sees
// half of it). One user a line:
//
//   # comment
//   NAME ROLE CREATED scrypt:N:R:P:SALTHEX:KEYHEX
//
// NAME      1..64 of [A-Za-z0-9._@-], unique in the file.
// ROLE      one of kUserRoles: iro_manager, auditor, qa, admin.
// CREATED   when the user was added, RFC 3339 UTC to the second.
// scrypt:…  the password hash: scrypt (RFC 7914, OpenSSL EVP_PBE_scrypt) with
//           cost N (a power of two), block size R, parallelism P, the salt
//           (16..64 bytes) and the derived key (32..64 bytes), both hex. The
//           parameters are in each line so that new users can get stronger
//           ones later while old lines still verify.
//
// The clear password is never stored nor printed.
#ifndef CARELOG_STORE_USERS_H_
#define CARELOG_STORE_USERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace carelog {

inline constexpr const char* kUserRoles[] = {"iro_manager", "auditor", "qa", "admin"};

// Passwords shorter than this (in characters, UTF-8) are refused by Add.
inline constexpr int kMinPasswordChars = 12;
// Longer ones are refused by Add too: a password is typed, not a file.
inline constexpr int kMaxPasswordBytes = 1024;

// scrypt's parameters for new hashes: N=2^15, r=8 needs 32 MiB and about
// 0.1 s of one core per sign-in (RFC 7914's interactive-login setting).
inline constexpr uint64_t kScryptN = uint64_t{1} << 15;
inline constexpr uint32_t kScryptR = 8;
inline constexpr uint32_t kScryptP = 1;
inline constexpr size_t kScryptSaltBytes = 16;
inline constexpr size_t kScryptKeyBytes = 32;

struct PasswordHash {
  uint64_t n = kScryptN;
  uint32_t r = kScryptR;
  uint32_t p = kScryptP;
  std::string salt;  // raw bytes
  std::string key;   // raw bytes

  // "scrypt:N:R:P:SALTHEX:KEYHEX".
  std::string ToString() const;
  // kInvalidArgument (without a location: the caller adds it) for another
  // spelling, N not a power of two >= 2, salt or key of a length outside the
  // grammar, or parameters that would need more than 256 MiB (a hand-edited
  // line must not make a sign-in exhaust the server's memory).
  [[nodiscard]] static absl::StatusOr<PasswordHash> Parse(std::string_view text);
};

// A new hash of `password` with the default parameters and a fresh salt from
// the OS CSPRNG. kInternal if there is no randomness or scrypt fails.
[[nodiscard]] absl::StatusOr<PasswordHash> HashPassword(std::string_view password);

// True if `password` derives `hash.key` under `hash`'s salt and parameters
// (compared with CRYPTO_memcmp). kInternal if scrypt itself fails.
[[nodiscard]] absl::StatusOr<bool> PasswordMatches(const PasswordHash& hash,
                                                   std::string_view password);

struct UserEntry {
  std::string name;
  std::string role;
  absl::Time created;
  PasswordHash hash;
};

// The users file in memory. Const methods (entries, Authenticate) are safe
// to call from many threads at once; Add and Remove need exclusive use (the
// web server loads the table at start and never changes it).
class UserTable {
 public:
  // kInvalidArgument naming SOURCE:LINE for a malformed line, a bad name, an
  // unknown role, a bad time or hash, or a name that appears twice.
  [[nodiscard]] static absl::StatusOr<UserTable> Parse(std::string_view text,
                                                       std::string_view source);
  // Parse of the file at `path`; a file that does not exist is an empty
  // table (the first `carelog user add` creates it). kInternal (naming the
  // path and the system's reason) when it exists but cannot be read.
  [[nodiscard]] static absl::StatusOr<UserTable> Load(const std::string& path);

  // Writes the table to `path`, mode 0600, atomically: a temporary file in
  // the same directory, fsynced, renamed over `path`, then the directory
  // fsynced. On failure `path` is unchanged (kInternal, or kResourceExhausted
  // when the disk is full).
  [[nodiscard]] absl::Status Save(const std::string& path) const;

  // The file's text: a comment naming the grammar, then one line a user.
  std::string Serialize() const;

  // Adds a user with a new hash of `password`. kInvalidArgument for a bad
  // name, an unknown role, or a password shorter than kMinPasswordChars or
  // longer than kMaxPasswordBytes; kAlreadyExists for a name already there;
  // kInternal if hashing fails. The table is unchanged on any error.
  [[nodiscard]] absl::Status Add(std::string_view name, std::string_view role,
                                 std::string_view password, absl::Time created);

  // kNotFound when there is no such user.
  [[nodiscard]] absl::Status Remove(std::string_view name);

  // The user, or nullptr.
  const UserEntry* Find(std::string_view name) const;

  const std::vector<UserEntry>& entries() const { return entries_; }

  // The user when `password` is theirs. kUnauthenticated with one message
  // ("wrong user name or password") for an unknown name and a wrong
  // password alike; an unknown name still costs one scrypt (of a dummy
  // hash with the first user's parameters), so neither the answer nor its
  // time tells whether the name exists. kInternal if scrypt fails. Takes about 0.1 s and 32 MiB: the
  // caller bounds how many run at once.
  [[nodiscard]] absl::StatusOr<UserEntry> Authenticate(std::string_view name,
                                                       std::string_view password) const;

 private:
  std::vector<UserEntry> entries_;
};

// Whether `name` is a valid user name / `role` one of kUserRoles.
bool ValidUserName(std::string_view name);
bool ValidUserRole(std::string_view role);

}  // namespace carelog

#endif  // CARELOG_STORE_USERS_H_
