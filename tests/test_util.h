// Helpers shared by the tests: temporary directories and event builders.
#ifndef CARELOG_TESTS_TEST_UTIL_H_
#define CARELOG_TESTS_TEST_UTIL_H_

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "carelog/v1/events.pb.h"
#include "rocksdb/db.h"
#include "store/event_store.h"
#include "store/internal/store_internals.h"

namespace carelog::testing {

// The RocksDB database under an open store, for a test that goes behind the
// store's back (damages it, compares its bytes). Not owned.
inline rocksdb::DB* RawDb(const EventStoreReader& store) {
  return internal::StoreInternals::Db(store);
}

// A fresh directory under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const char* base = std::getenv("TMPDIR");
    path_ = (std::filesystem::path(base != nullptr ? base : "/tmp") /
             absl::StrCat("carelog-test-", getpid(), "-", counter++))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A store in `dir` on `clock`, without fsync (tests do not lose power; the
// crash and fault tests open their own). Aborts the test binary if it cannot
// be opened: every test after it would be meaningless.
inline std::unique_ptr<EventStore> OpenTestStore(const std::string& dir, Clock* clock) {
  StoreOptions o;
  o.clock = clock;
  o.sync = false;
  auto s = EventStore::Open(dir, o);
  if (!s.ok()) std::abort();
  return std::move(*s);
}

// Every key and value of a RocksDB database, in order: proves a store is
// unchanged byte for byte.
inline std::string DumpKeys(rocksdb::DB* db) {
  std::string out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StrAppend(&out, it->key().ToString(), "=", it->value().ToString(), "\n");
  }
  return out;
}

// A file's bytes ("" if it cannot be read), and writing one whole.
inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The names of the regular files under `dir` (recursively) whose bytes
// contain `needle`: for tests that a value reached no file, or still does.
inline std::vector<std::string> FilesHolding(const std::string& dir, std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadFile(e.path().string()).find(needle) != std::string::npos) {
      found.push_back(e.path().filename().string());
    }
  }
  return found;
}
inline bool AnyFileHolds(const std::string& dir, std::string_view needle) {
  return !FilesHolding(dir, needle).empty();
}

// Runs a shell command; its exit status, or -1 if it did not exit.
inline int Shell(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// One run of the `carelog` binary (CARELOG_BINARY, set for every test by
// tests/CMakeLists.txt): exit status and what it printed.
struct CliRun {
  int status;
  std::string out, err;
};

// Runs `carelog ARGS` with stdin from /dev/null, `env` (e.g.
// "CARELOG_LOG=debug") in its environment, and its output captured in files
// under `scratch_dir`.
inline CliRun RunCarelog(const std::string& args, const std::string& scratch_dir,
                         const std::string& env = "") {
  const std::string out = scratch_dir + "/carelog.out", err = scratch_dir + "/carelog.err";
  const int status = Shell(absl::StrCat(env, " ", CARELOG_BINARY, " ", args, " >", out, " 2>",
                                        err, " </dev/null"));
  return CliRun{status, ReadFile(out), ReadFile(err)};
}

inline CliRun RunCarelog(const std::string& args, const TempDir& dir) {
  return RunCarelog(args, dir.path());
}

inline absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) std::abort();
  return t;
}

// An event envelope with id, case, time and actor set; add a payload.
inline v1::Event Envelope(const std::string& id, const std::string& case_id,
                          const std::string& occurred = "2024-03-01T10:00:00Z",
                          v1::Role role = v1::SOCIAL_WORKER) {
  v1::Event e;
  e.set_event_id(id);
  e.set_case_id(case_id);
  absl::Time t = T(occurred);
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
  e.mutable_actor()->set_id("sw-1");
  e.mutable_actor()->set_role(role);
  return e;
}

inline v1::Event Accommodated(const std::string& id, const std::string& case_id,
                              const std::string& occurred = "2024-03-01T10:00:00Z") {
  v1::Event e = Envelope(id, case_id, occurred);
  e.mutable_child_accommodated()->set_legal_status("C2");
  e.mutable_child_accommodated()->set_placement_type("U1");
  return e;
}

}  // namespace carelog::testing

#endif  // CARELOG_TESTS_TEST_UTIL_H_
