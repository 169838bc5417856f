// The web application's signed-in sessions: who is behind a session cookie,
// with which role, until when. In memory only: a restart signs everyone out,
// which is the safe direction for a service holding children's records.
//
// A session ends when it has not been used for `idle` (30 minutes), when
// `absolute` (8 hours, a working day) has passed since sign-in whatever the
// use, when it is removed (sign-out), or when the table is full and it is the
// least recently used. Expiry is exact: a session is valid while
// now < last_seen + idle and now < created + absolute, and gone at either
// instant.
#ifndef CARELOG_TOOLS_WEB_AUTH_SESSIONS_H_
#define CARELOG_TOOLS_WEB_AUTH_SESSIONS_H_

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/base/clock.h"

namespace carelog {

struct SessionLimits {
  absl::Duration idle = absl::Minutes(30);
  absl::Duration absolute = absl::Hours(8);
  size_t max_sessions = 10000;
};

struct Session {
  // The cookie's value: 32 random bytes in hex (64 digits). Only the holder
  // of the cookie knows it; the table keeps its hash.
  std::string id;
  std::string user;
  std::string role;
  // 32 more random bytes in hex, independent of the id: pages embed it in
  // their forms and a state-changing request must send it back (CsrfMatches).
  std::string csrf_token;
  absl::Time created;
  absl::Time last_seen;
};

class SessionTable {
 public:
  // `clock` is not owned and must outlive the table.
  explicit SessionTable(Clock* clock, SessionLimits limits = {});
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;

  // A new session for `user` in `role`, created and last seen now. When the
  // table holds max_sessions, the least recently seen session is dropped to
  // make room. kInternal when the OS gives no randomness. Thread-safe.
  [[nodiscard]] absl::StatusOr<Session> Create(std::string_view user, std::string_view role);

  // The session whose id is `id`, its last_seen moved to now; nullopt for an
  // unknown id or an expired session (which is dropped). Thread-safe.
  std::optional<Session> Find(std::string_view id);

  // Ends the session (sign-out); an unknown id is not an error. Thread-safe.
  void Remove(std::string_view id);

  // Ends every session of `user` (their account was removed or their
  // password changed); returns how many. Thread-safe.
  int RemoveUser(std::string_view user);

  // Sessions held, expired ones not yet noticed included. Thread-safe.
  size_t size() const;

 private:
  struct Entry {
    Session session;
    // This entry's place in lru_ (most recently seen first).
    std::list<std::string>::iterator lru;
  };

  bool Expired(const Session& s, absl::Time now) const;
  void EraseLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const SessionLimits limits_;
  mutable absl::Mutex mu_;
  // Keyed by SHA-256 of the id, not the id: looking up a key compares it
  // with stored keys byte by byte, and comparing hashes of a guess leaks
  // nothing usable about real ids through timing; a dump of the server's
  // memory does not hand out live cookies either.
  absl::flat_hash_map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // keys, most recently seen first
};

// Whether `token` is the session's CSRF token, compared in constant time.
// False for an empty token (a form without one) or a session without one.
bool CsrfMatches(const Session& session, std::string_view token);

}  // namespace carelog

#endif  // CARELOG_TOOLS_WEB_AUTH_SESSIONS_H_
