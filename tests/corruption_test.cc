// Damage to every kind of file a store keeps, at many offsets: the store must
// either answer exactly what was acknowledged or refuse loudly.
//
// The store under test is written the way a council's would be: two NDJSON
// imports (table files, several MANIFEST edits), a settings change (`carelog
// pack`), then a writer that appends one event per synced call through the
// same validated append the gRPC service uses and is killed with SIGKILL
// (so the last appends live only in the write-ahead log, as after a crash of
// `serve`). Each trial copies that store, flips one byte or cuts one file
// (write-ahead log, MANIFEST, table file, carelog's own files such as the
// durable head, CURRENT) and then runs the commands an operator or auditor
// would: `verify`, `head`, `deadlines --no-checkpoints`, and an `import` of
// one more event. The properties, for every trial:
//   - no command dies by a signal (a crash is not a refusal);
//   - a command that fails says why on stderr;
//   - `verify` or `head` exiting 0 report exactly the head of the undamaged
//     store (every acknowledged event there, nothing different);
//   - `deadlines` exiting 0 prints exactly the undamaged store's bytes;
//   - an `import` that succeeds extends the undamaged log: `verify --head`
//     with the undamaged head passes with one more event (no lost position
//     reused).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/event_log.h"
#include "gtest/gtest.h"
#include "store/base/clock.h"
#include "store/event_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;
using ::carelog::testing::CliRun;
using ::carelog::testing::ReadFile;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;

// Trials per kind of file. Under the sanitizers every command is several
// times slower; the plain suite runs the full count (>= 200 in all).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kTrialsPerKind = 12;
#else
constexpr int kTrialsPerKind = 48;
#endif
constexpr int kKilledWriterAppends = 120;

enum class FileKind { kWal, kManifest, kTable, kCarelogOwn, kCurrent };

const char* KindName(FileKind k) {
  switch (k) {
    case FileKind::kWal: return "wal";
    case FileKind::kManifest: return "manifest";
    case FileKind::kTable: return "table";
    case FileKind::kCarelogOwn: return "carelog";
    case FileKind::kCurrent: return "current";
  }
  return "?";
}

// Which kind a file of the store directory is; nullopt for files that no
// reader of the log consults (RocksDB's info LOG, OPTIONS, the pid file).
std::optional<FileKind> KindOf(const std::string& name) {
  if (absl::EndsWith(name, ".log")) return FileKind::kWal;
  if (absl::StartsWith(name, "MANIFEST-")) return FileKind::kManifest;
  if (absl::EndsWith(name, ".sst")) return FileKind::kTable;
  if (name == "CURRENT") return FileKind::kCurrent;
  if (name == "LOCK" || name == "IDENTITY" || absl::StartsWith(name, "LOG") ||
      absl::StartsWith(name, "OPTIONS-") || name == "carelog.pid" ||
      absl::EndsWith(name, ".dbtmp")) {
    return std::nullopt;
  }
  return FileKind::kCarelogOwn;  // e.g. the durable head file
}

// One event line: a child accommodated on `date` in a case of its own.
std::string AccommodatedLine(const std::string& event_id, const std::string& case_id,
                             const std::string& date) {
  return absl::StrCat(R"({"eventId":")", event_id, R"(","caseId":")", case_id,
                      R"(","occurredAt":")", date,
                      R"(T10:00:00Z","actor":{"id":"sw-9","role":"SOCIAL_WORKER"},)",
                      R"("childAccommodated":{"legalStatus":"C2","placementType":"U1"}})");
}

// Appends kKilledWriterAppends events, one synced call each, reporting each
// acknowledged id on `fd`, then dies by SIGKILL without closing the store.
[[noreturn]] void AppendThenDie(const std::string& dir, int fd) {
  StoreOptions o;
  o.sync = true;
  auto store = EventStore::Open(dir, o);
  if (!store.ok()) _exit(2);
  EventLog log(store->get(), SystemClock());
  for (int i = 0; i < kKilledWriterAppends; ++i) {
    v1::Event e = ::carelog::testing::Accommodated(absl::StrCat("killed-", i),
                                                   absl::StrCat("K-", i % 40),
                                                   "2025-05-01T10:00:00Z");
    if (i >= 40) {
      // Later events of the same cases: a statutory visit each.
      e = ::carelog::testing::Envelope(absl::StrCat("killed-", i), absl::StrCat("K-", i % 40),
                                       absl::StrCat("2025-05-", 2 + i / 40, "T10:00:00Z"));
      e.mutable_statutory_visit()->set_seen_alone(true);
    }
    auto r = log.AppendCase({e}, std::nullopt);
    if (!r.ok()) {
      const std::string msg = r.status().ToString();
      (void)!write(2, msg.data(), msg.size());
      _exit(3);
    }
    const std::string line = absl::StrCat("killed-", i, "\n");
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  }
  raise(SIGKILL);
  _exit(5);
}

// "log verified: N events, head SIZE:ROOT" -> "SIZE:ROOT"; "" otherwise.
std::string VerifiedHead(const std::string& out) {
  const size_t at = out.find("head ");
  if (!absl::StrContains(out, "log verified") || at == std::string::npos) return "";
  std::string head = out.substr(at + 5);
  head = head.substr(0, head.find_first_of(" ;\n"));
  return head;
}

class CorruptionTest : public ::testing::TestWithParam<FileKind> {
 protected:
  // The undamaged store and what it answers, built once per test process.
  static void SetUpTestSuite() {
    work_ = new TempDir();
    base_ = work_->Sub("base");
    const std::string gen = work_->Sub("gen.ndjson");
    CliRun g = RunCarelog("gen --children 24 --years 1 --seed 11 --end 2025-04-30", *work_);
    ASSERT_EQ(g.status, 0) << g.err;
    WriteFile(gen, g.out);
    // Split the history in two imports, so the store has several table
    // files and MANIFEST edits.
    const std::vector<std::string> lines =
        absl::StrSplit(ReadFile(gen), '\n', absl::SkipEmpty());
    ASSERT_GT(lines.size(), 200u);
    std::string first, second;
    for (size_t i = 0; i < lines.size(); ++i) {
      absl::StrAppend(i < lines.size() / 2 ? &first : &second, lines[i], "\n");
    }
    WriteFile(work_->Sub("a.ndjson"), first);
    WriteFile(work_->Sub("b.ndjson"), second);
    for (const char* f : {"a.ndjson", "b.ndjson"}) {
      CliRun r = RunCarelog(absl::StrCat("import --store ", base_, " ", work_->Sub(f)), *work_);
      ASSERT_EQ(r.status, 0) << r.err;
    }
    CliRun p = RunCarelog(absl::StrCat("pack --store ", base_, " england-bristol"), *work_);
    ASSERT_EQ(p.status, 0) << p.err;

    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendThenDie(base_, fds[1]);
    }
    close(fds[1]);
    std::string acked;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) acked.append(chunk, n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited with " << WEXITSTATUS(status);
    acknowledged_ = std::count(acked.begin(), acked.end(), '\n');
    ASSERT_EQ(acknowledged_, kKilledWriterAppends);

    // What the undamaged store answers (asked of a copy: reading must not
    // change the original either, but the trials must not depend on it).
    const std::string probe = work_->Sub("probe");
    fs::copy(base_, probe, fs::copy_options::recursive);
    CliRun v = RunCarelog(absl::StrCat("verify --store ", probe), *work_);
    ASSERT_EQ(v.status, 0) << v.out << v.err;
    head_ = VerifiedHead(v.out);
    ASSERT_FALSE(head_.empty()) << v.out;
    CliRun d = RunCarelog(absl::StrCat("deadlines --store ", probe,
                                       " --format json --no-checkpoints --as-of 2025-06-30"),
                          *work_);
    ASSERT_EQ(d.status, 0) << d.err;
    deadlines_ = d.out;
    ASSERT_GT(deadlines_.size(), 1000u);
    WriteFile(work_->Sub("one.ndjson"),
              AccommodatedLine("after-damage-1", "Z-1", "2025-06-02") + "\n");
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }

  static TempDir* work_;
  static std::string base_;
  static std::string head_;       // SIZE:ROOT of the undamaged store
  static std::string deadlines_;  // its deadlines JSON
  static int acknowledged_;
};

TempDir* CorruptionTest::work_ = nullptr;
std::string CorruptionTest::base_;
std::string CorruptionTest::head_;
std::string CorruptionTest::deadlines_;
int CorruptionTest::acknowledged_ = 0;

// A failed command must have been refused by carelog, not killed.
void ExpectLoudRefusal(const CliRun& r, const std::string& what, const std::string& trial) {
  EXPECT_NE(r.status, -1) << trial << ": " << what << " died by a signal\n" << r.err;
  EXPECT_FALSE(r.err.empty() && r.out.empty())
      << trial << ": " << what << " failed (exit " << r.status << ") without saying why";
}

TEST_P(CorruptionTest, NeverAWrongAnswerWithExitZero) {
  const FileKind kind = GetParam();
  ASSERT_FALSE(head_.empty()) << "the undamaged store could not be built (see above)";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(base_)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (KindOf(name) == kind && fs::file_size(entry.path()) > 0) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    GTEST_SKIP() << "the store keeps no " << KindName(kind) << " file";
  }
  if (kind == FileKind::kWal) {
    // The killed writer's appends must be in the write-ahead log only, or
    // this kind tests nothing.
    uint64_t wal_bytes = 0;
    for (const std::string& f : files) wal_bytes += fs::file_size(fs::path(base_) / f);
    ASSERT_GT(wal_bytes, 100u * kKilledWriterAppends) << "write-ahead log holds too little";
  }

  std::mt19937_64 rng(0xC0FFEE + static_cast<int>(kind));
  int refused = 0, answered = 0;
  std::map<std::string, int> refusal_messages;
  for (int t = 0; t < kTrialsPerKind; ++t) {
    const std::string file = files[rng() % files.size()];
    const std::string dir = work_->Sub(absl::StrCat("trial-", KindName(kind), "-", t));
    fs::remove_all(dir);
    fs::copy(base_, dir, fs::copy_options::recursive);
    const fs::path victim = fs::path(dir) / file;
    std::string bytes = ReadFile(victim.string());
    ASSERT_FALSE(bytes.empty());
    std::string trial;
    if (t % 2 == 0) {
      const size_t at = rng() % bytes.size();
      const unsigned char mask = 1 + rng() % 255;
      bytes[at] = static_cast<char>(bytes[at] ^ mask);
      trial = absl::StrCat("trial ", t, ": ", file, " byte ", at, " of ", bytes.size(),
                           " xor ", static_cast<int>(mask));
    } else {
      const size_t keep = rng() % bytes.size();
      bytes.resize(keep);
      trial = absl::StrCat("trial ", t, ": ", file, " cut from ", ReadFile(victim.string()).size(),
                           " to ", keep, " bytes");
    }
    WriteFile(victim.string(), bytes);

    const std::string s = absl::StrCat(" --store ", dir);
    CliRun v = RunCarelog("verify" + s, *work_);
    if (v.status == 0) {
      EXPECT_EQ(VerifiedHead(v.out), head_) << trial << ": verify passed with another head\n"
                                            << v.out;
      ++answered;
    } else {
      ExpectLoudRefusal(v, "verify", trial);
      if (kind == FileKind::kCurrent) {
        // The refusal points at the file to look at, not at an innocent one.
        EXPECT_TRUE(absl::StrContains(v.err, "CURRENT") || absl::StrContains(v.err, "MANIFEST"))
            << trial << ": " << v.err;
      }
      ++refused;
      std::string why = v.err.substr(0, v.err.find('\n'));
      if (absl::StartsWith(why, "carelog: ")) why = why.substr(9);
      if (const size_t at = why.find(dir); at != std::string::npos) why.replace(at, dir.size(), "DIR");
      ++refusal_messages[why.substr(0, 64)];
    }
    CliRun h = RunCarelog("head" + s, *work_);
    if (h.status == 0) {
      EXPECT_EQ(h.out.substr(0, h.out.find('\n')), head_)
          << trial << ": head answered with another head\n" << h.out;
    } else {
      ExpectLoudRefusal(h, "head", trial);
    }
    CliRun d = RunCarelog("deadlines" + s + " --format json --no-checkpoints --as-of 2025-06-30",
                          *work_);
    if (d.status == 0) {
      EXPECT_TRUE(d.out == deadlines_) << trial << ": deadlines answered other bytes ("
                                       << d.out.size() << " vs " << deadlines_.size() << ")";
    } else {
      ExpectLoudRefusal(d, "deadlines", trial);
    }
    CliRun i = RunCarelog("import" + s + " " + work_->Sub("one.ndjson"), *work_);
    if (i.status == 0) {
      // The append must extend the log that was acknowledged, never reuse a
      // position that damage made look free.
      uint64_t base_size = 0;
      ASSERT_TRUE(absl::SimpleAtoi(head_.substr(0, head_.find(':')), &base_size));
      const std::string next = absl::StrCat(base_size + 1);
      EXPECT_TRUE(absl::StrContains(i.out, absl::StrCat("(positions ", next, "-", next, ")")))
          << trial << ": import appended somewhere other than position " << next << "\n"
          << i.out;
      // And the store then either verifies as that extension or still
      // refuses loudly (damage the append did not touch stays damage).
      CliRun after = RunCarelog(absl::StrCat("verify", s, " --head ", head_), *work_);
      if (after.status == 0) {
        EXPECT_EQ(VerifiedHead(after.out).substr(0, next.size() + 1), next + ":")
            << trial << "\n" << after.out;
      } else {
        ExpectLoudRefusal(after, "verify after import", trial);
      }
    } else {
      ExpectLoudRefusal(i, "import", trial);
    }
    if (HasFailure()) {
      ADD_FAILURE() << "stopping after the first failing trial; store left at " << dir;
      return;
    }
    fs::remove_all(dir);
  }
  std::string summary;
  for (const auto& [m, c] : refusal_messages) absl::StrAppend(&summary, "\n  ", c, "x ", m);
  // A count for the note: how many damaged copies were refused and how many
  // were still read correctly (damage in bytes no reader consults).
  std::cout << KindName(kind) << ": " << kTrialsPerKind << " trials over " << files.size()
            << " file(s): " << refused << " refused by verify, " << answered
            << " verified with the undamaged head" << summary << std::endl;
}

INSTANTIATE_TEST_SUITE_P(EveryFileKind, CorruptionTest,
                         ::testing::Values(FileKind::kWal, FileKind::kManifest, FileKind::kTable,
                                           FileKind::kCarelogOwn, FileKind::kCurrent),
                         [](const ::testing::TestParamInfo<FileKind>& info) {
                           return std::string(KindName(info.param));
                         });

}  // namespace
}  // namespace carelog
