#include "tools/web/auth/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "store/base/hex.h"
#include "store/base/sha256.h"

namespace carelog {
namespace {

absl::StatusOr<std::string> RandomHex32() {
  uint8_t bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("no randomness from the OS for a new session");
  }
  return HexOf(bytes, sizeof bytes);
}

std::string KeyOf(std::string_view id) { return DigestBytes(Sha256Of(id)); }

}  // namespace

SessionTable::SessionTable(Clock* clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

bool SessionTable::Expired(const Session& s, absl::Time now) const {
  return now >= s.last_seen + limits_.idle || now >= s.created + limits_.absolute;
}

void SessionTable::EraseLocked(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  lru_.erase(it->second.lru);
  sessions_.erase(it);
}

absl::StatusOr<Session> SessionTable::Create(std::string_view user, std::string_view role) {
  auto id = RandomHex32();
  if (!id.ok()) return id.status();
  auto csrf = RandomHex32();
  if (!csrf.ok()) return csrf.status();
  Session s;
  s.id = std::move(*id);
  s.user = std::string(user);
  s.role = std::string(role);
  s.csrf_token = std::move(*csrf);
  std::string key = KeyOf(s.id);

  absl::MutexLock lock(&mu_);
  s.created = s.last_seen = clock_->Now();
  const size_t cap = std::max<size_t>(limits_.max_sessions, 1);
  while (sessions_.size() >= cap) {
    const std::string victim = lru_.back();  // a copy: erasing frees the list's
    EraseLocked(victim);
  }
  lru_.push_front(key);
  sessions_.emplace(std::move(key), Entry{s, lru_.begin()});
  return s;
}

std::optional<Session> SessionTable::Find(std::string_view id) {
  if (id.empty()) return std::nullopt;
  const std::string key = KeyOf(id);
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  const absl::Time now = clock_->Now();
  if (Expired(it->second.session, now)) {
    EraseLocked(key);
    return std::nullopt;
  }
  it->second.session.last_seen = now;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.session;
}

void SessionTable::Remove(std::string_view id) {
  const std::string key = KeyOf(id);
  absl::MutexLock lock(&mu_);
  EraseLocked(key);
}

int SessionTable::RemoveUser(std::string_view user) {
  absl::MutexLock lock(&mu_);
  int removed = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto entry = sessions_.find(*it);
    ++it;  // EraseLocked invalidates the erased node only
    if (entry != sessions_.end() && entry->second.session.user == user) {
      const std::string key = entry->first;
      EraseLocked(key);
      ++removed;
    }
  }
  return removed;
}

size_t SessionTable::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

bool CsrfMatches(const Session& session, std::string_view token) {
  if (token.empty() || session.csrf_token.empty() || token.size() != session.csrf_token.size()) {
    return false;
  }
  return CRYPTO_memcmp(token.data(), session.csrf_token.data(), token.size()) == 0;
}

}  // namespace carelog
