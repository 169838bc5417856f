// Bearer tokens of the gRPC service (`carelog serve --tokens FILE`) and their
// roles. The file keeps only SHA-256 hashes, one token per line:
//
//   # comment
//   NAME ROLE[,ROLE...] SHA256HEX
//
// ROLE is one of writer, reader, auditor, qa, admin (admin: EraseCase only). `carelog token add` appends a
// line and prints the clear token once; nothing else ever sees it.
#ifndef CARELOG_STORE_SERVICE_TOKENS_H_
#define CARELOG_STORE_SERVICE_TOKENS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace carelog {

inline constexpr const char* kTokenRoles[] = {"writer", "reader", "auditor", "qa", "admin"};

struct TokenEntry {
  std::string name;
  std::vector<std::string> roles;
  std::array<uint8_t, 32> hash{};

  bool HasRole(std::string_view role) const;
  // The first role of `wanted` this token has, or "".
  std::string RoleFor(const std::vector<std::string>& wanted) const;
};

// SHA-256 of the token, lower-case hex.
std::string TokenHashHex(std::string_view token);

// A new random token: "clg_" + 64 hex digits (256 bits from the OS CSPRNG).
absl::StatusOr<std::string> NewToken();

class TokenTable {
 public:
  // kInvalidArgument naming SOURCE:LINE for a malformed line, an unknown role
  // or a duplicate name; kNotFound when the file cannot be read.
  [[nodiscard]] static absl::StatusOr<TokenTable> Parse(std::string_view text,
                                                        std::string_view source);
  [[nodiscard]] static absl::StatusOr<TokenTable> Load(const std::string& path);

  // The entry whose hash is SHA-256(token), or nullptr. Compares against
  // every entry in constant time (no early exit, CRYPTO_memcmp).
  const TokenEntry* Find(std::string_view token) const;

  const std::vector<TokenEntry>& entries() const { return entries_; }

 private:
  std::vector<TokenEntry> entries_;
};

// Adds a token NAME with ROLE(s) (comma-separated) to the file (created with
// mode 0600 if missing) and returns the clear token. kAlreadyExists for a name
// already there; kInvalidArgument for a bad name or role.
[[nodiscard]] absl::StatusOr<std::string> AddToken(const std::string& path,
                                                   const std::string& name,
                                                   const std::string& roles);

}  // namespace carelog

#endif  // CARELOG_STORE_SERVICE_TOKENS_H_
