#include "store/service_tokens.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "store/base/hex.h"
#include "store/base/sha256.h"

namespace carelog {
namespace {

bool ValidRole(std::string_view r) {
  return std::find(std::begin(kTokenRoles), std::end(kTokenRoles), r) != std::end(kTokenRoles);
}

bool ValidName(std::string_view n) {
  if (n.empty() || n.size() > 100) return false;
  for (char c : n) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '@') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> ParseRoles(std::string_view text) {
  std::vector<std::string> roles;
  for (absl::string_view r : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    if (!ValidRole(std::string_view(r.data(), r.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown role '", r, "' (roles: writer, reader, auditor, qa, admin)"));
    }
    roles.emplace_back(r);
  }
  return roles;
}

}  // namespace

bool TokenEntry::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string TokenEntry::RoleFor(const std::vector<std::string>& wanted) const {
  for (const std::string& w : wanted) {
    if (HasRole(w)) return w;
  }
  return "";
}

std::string TokenHashHex(std::string_view token) {
  return HexOf(Sha256Of(token));
}

absl::StatusOr<std::string> NewToken() {
  uint8_t bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("no randomness from the OS for a new token");
  }
  return absl::StrCat("clg_", HexOf(bytes, sizeof bytes));
}

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text, std::string_view source) {
  TokenTable table;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::ByAnyChar(" \t"),
                                                          absl::SkipEmpty());
    auto where = [&] { return absl::StrCat(std::string(source), ":", line_no, ": "); };
    if (parts.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "want NAME ROLE[,ROLE...] SHA256HEX, got ", parts.size(),
                       " fields"));
    }
    TokenEntry e;
    e.name = std::string(parts[0]);
    if (!ValidName(e.name)) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "bad token name '", e.name, "'"));
    }
    auto roles = ParseRoles(std::string_view(parts[1].data(), parts[1].size()));
    if (!roles.ok()) return absl::InvalidArgumentError(absl::StrCat(where(), roles.status().message()));
    e.roles = std::move(*roles);
    if (!ParseHex(std::string_view(parts[2].data(), parts[2].size()), &e.hash)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "the hash must be 64 hex digits (SHA-256 of the token; the "
                                "clear token never goes in this file)"));
    }
    for (const TokenEntry& other : table.entries_) {
      if (other.name == e.name) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "token name '", e.name,
                                                       "' appears twice"));
      }
    }
    table.entries_.push_back(std::move(e));
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::NotFoundError(absl::StrCat("cannot read tokens file ", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return Parse(ss.str(), path);
}

const TokenEntry* TokenTable::Find(std::string_view token) const {
  const Sha256Digest md = Sha256Of(token);
  const TokenEntry* found = nullptr;
  for (const TokenEntry& e : entries_) {
    const bool eq = CRYPTO_memcmp(md.data(), e.hash.data(), md.size()) == 0;
    if (eq && found == nullptr) found = &e;
  }
  return found;
}

absl::StatusOr<std::string> AddToken(const std::string& path, const std::string& name,
                                     const std::string& roles) {
  if (!ValidName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad token name '", name, "': letters, digits, - _ . @ only"));
  }
  auto parsed_roles = ParseRoles(roles);
  if (!parsed_roles.ok()) return parsed_roles.status();
  std::string existing;
  {
    std::ifstream f(path, std::ios::binary);
    if (f) {
      std::stringstream ss;
      ss << f.rdbuf();
      existing = ss.str();
    }
  }
  auto table = TokenTable::Parse(existing, path);
  if (!table.ok()) return table.status();
  for (const TokenEntry& e : table->entries()) {
    if (e.name == name) {
      return absl::AlreadyExistsError(absl::StrCat("token '", name, "' is already in ", path));
    }
  }
  auto token = NewToken();
  if (!token.ok()) return token.status();
  // A file edited by hand may end without its last newline: the new entry
  // must still start a line of its own.
  const char* const separator = !existing.empty() && existing.back() != '\n' ? "\n" : "";
  const std::string line =
      absl::StrCat(separator, name, " ", roles, " ", TokenHashHex(*token), "\n");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  const ssize_t n = ::write(fd, line.data(), line.size());
  const bool ok = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return *token;
}

}  // namespace carelog
