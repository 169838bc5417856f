// Failing disks and a second process: the store under injected faults
// (tests/fault_env.h). For every fault: the append that hits it returns an
// error and is not acknowledged; once the fault clears and the store is
// reopened, every acknowledged record is there, nothing half-written is
// visible (an unacknowledged request is all there or not at all) and verify
// passes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "store/bulk_loader.h"
#include "store/event_store.h"
#include "store/private_files.h"
#include "tests/fault_env.h"
#include "tests/test_util.h"
#include "projections/settings_log.h"

namespace carelog {
namespace {

using ::carelog::testing::FaultFileSystem;
using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FaultFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
  }

  std::unique_ptr<EventStore> OpenFaulty() {
    StoreOptions o;
    o.env = env_.get();
    o.clock = &clock_;
    auto s = EventStore::Open(store_dir_, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // A plain store on the same directory, as after a restart.
  std::unique_ptr<EventStore> Reopen() {
    StoreOptions o;
    o.clock = &clock_;
    auto s = EventStore::Open(store_dir_, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // One request of `n` records "<tag>-0".."<tag>-(n-1)" over two cases.
  static AppendRequest Request(const std::string& tag, int n = 3, std::optional<bool> sync = {}) {
    AppendRequest req;
    for (int i = 0; i < n; ++i) {
      req.records.push_back(
          NewRecord{absl::StrCat("C-", i % 2), absl::StrCat(tag, "-", i),
                    absl::StrCat("payload of ", tag, " ", i, std::string(200, 'p'))});
    }
    req.sync = sync;
    return req;
  }

  // Appends `count` requests; records their ids as acknowledged.
  void AppendAcknowledged(EventStore* store, const std::string& tag, int count) {
    for (int i = 0; i < count; ++i) {
      auto r = store->Append(Request(absl::StrCat(tag, i)));
      ASSERT_TRUE(r.ok()) << r.status();
      for (int k = 0; k < 3; ++k) acknowledged_.insert(absl::StrCat(tag, i, "-", k));
    }
  }

  // After a restart: every acknowledged id present with its content; every
  // request in `unacknowledged` all there or not at all; the log gap-free
  // and verified.
  void CheckRecovered(EventStore* store, const std::vector<std::string>& unacknowledged,
                      bool unacknowledged_must_be_absent) {
    for (const std::string& id : acknowledged_) {
      auto r = store->Lookup(id);
      ASSERT_TRUE(r.ok()) << "acknowledged record " << id << " lost: " << r.status();
      EXPECT_THAT(r->payload, HasSubstr("payload of"));
    }
    uint64_t expected = acknowledged_.size();
    for (const std::string& tag : unacknowledged) {
      int present = 0;
      for (int k = 0; k < 3; ++k) present += store->Lookup(absl::StrCat(tag, "-", k)).ok();
      EXPECT_TRUE(present == 0 || present == 3)
          << "request " << tag << " half-written: " << present << " of 3 records visible";
      if (unacknowledged_must_be_absent) {
        EXPECT_EQ(present, 0) << tag;
      }
      expected += present;
    }
    EXPECT_EQ(store->LastPosition(), expected);
    auto v = store->Verify();
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(v->ok) << "position " << v->position << ": " << v->problem;
    EXPECT_EQ(v->events, expected);
  }

  // Runs `body` (which opens the faulty store and hits the fault) in a child
  // process that then dies without closing the store, as a process does
  // when the machine or the process fails; the parent learns what was
  // acknowledged and what was not. (Closing a RocksDB whose WAL writer saw an
  // error is a separate test: ClosingAfterAWriteFailureDoesNotAbort.)
  void InChildThenDie(const std::function<void()>& body) {
    const std::string ack = dir_.Sub("acknowledged"), unack = dir_.Sub("unacknowledged");
    std::fflush(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      body();
      std::ofstream a(ack), u(unack);
      for (const auto& id : acknowledged_) a << id << "\n";
      for (const auto& tag : unacknowledged_) u << tag << "\n";
      a.close();
      u.close();
      std::fflush(nullptr);
      _exit(::testing::Test::HasFailure() ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "child died by signal " << WTERMSIG(status);
    ASSERT_EQ(WEXITSTATUS(status), 0) << "expectations failed in the child (see above)";
    std::ifstream a(ack), u(unack);
    for (std::string l; std::getline(a, l);) acknowledged_.insert(l);
    for (std::string l; std::getline(u, l);) unacknowledged_.push_back(l);
  }

  TempDir dir_;
  std::unique_ptr<EventStore> child_store_;
  std::vector<std::string> unacknowledged_;
  std::string store_dir_ = dir_.Sub("store");
  FakeClock clock_{T("2025-01-10T12:00:00Z")};
  std::shared_ptr<FaultFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::set<std::string> acknowledged_;
};

TEST_F(FaultInjectionTest, WriteFailureIsNotAcknowledgedAndNothingIsLost) {
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 10);
    fs_->FailWritesAfter(0);
    auto r = store->Append(Request("failed"));
    unacknowledged_.push_back("failed");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr("appending to the log"));
    EXPECT_GE(fs_->faults(), 1u);
    EXPECT_EQ(store->LastPosition(), 30u) << "a failed append moved the tail";
    fs_->Clear();
    // The same process may go on (or RocksDB may refuse until restarted); if
    // it acknowledges, the record must survive.
    auto again = store->Append(Request("after"));
    if (again.ok()) {
      for (int k = 0; k < 3; ++k) acknowledged_.insert(absl::StrCat("after-", k));
    } else {
      unacknowledged_.push_back("after");
    }
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  CheckRecovered(store.get(), unacknowledged_, false);
  // A retry of what failed now succeeds, exactly once.
  auto retry = store->Append(Request("failed"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  for (int k = 0; k < 3; ++k) acknowledged_.insert(absl::StrCat("failed-", k));
  std::erase(unacknowledged_, "failed");
  CheckRecovered(store.get(), unacknowledged_, false);
}

TEST_F(FaultInjectionTest, SyncFailureIsNotAcknowledgedAndNothingIsLost) {
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 10);
    const uint64_t syncs = fs_->syncs();
    fs_->FailSyncs(true);
    auto r = store->Append(Request("failed"));
    unacknowledged_.push_back("failed");
    ASSERT_FALSE(r.ok());
    EXPECT_GT(fs_->syncs(), syncs);
    EXPECT_GE(fs_->faults(), 1u);
    EXPECT_EQ(store->LastPosition(), 30u);
    // Still failing: still refused, still not acknowledged.
    auto r2 = store->Append(Request("failed2"));
    unacknowledged_.push_back("failed2");
    EXPECT_FALSE(r2.ok());
    fs_->Clear();
    auto again = store->Append(Request("after"));
    if (again.ok()) {
      for (int k = 0; k < 3; ++k) acknowledged_.insert(absl::StrCat("after-", k));
    } else {
      unacknowledged_.push_back("after");
    }
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  // The bytes of a request whose fsync failed may or may not have reached
  // the disk: either way it is whole or absent.
  CheckRecovered(store.get(), unacknowledged_, false);
}

TEST_F(FaultInjectionTest, SyncFailureThenPowerCutLosesOnlyTheUnacknowledged) {
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 10);
    fs_->FailSyncs(true);
    ASSERT_FALSE(store->Append(Request("failed")).ok());
    unacknowledged_.push_back("failed");
    fs_->Crash();  // the machine stops here
    EXPECT_GT(fs_->DropUnsyncedData(), 0u) << "the failed request's bytes were never synced";
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  CheckRecovered(store.get(), unacknowledged_, true);
}

TEST_F(FaultInjectionTest, ClosingAfterAWriteFailureDoesNotAbort) {
  // An operator frees space and stops the program: closing the store must
  // not crash the process (RocksDB asserts if its failed WAL writer is
  // synced again), and the store must reopen and verify.
  std::fflush(nullptr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = OpenFaulty();
    if (store == nullptr) _exit(2);
    AppendAcknowledged(store.get(), "ok", 3);
    fs_->FailWritesAfter(0, FaultFileSystem::Kind::kNoSpace);
    if (store->Append(Request("full")).ok()) _exit(3);
    fs_->Clear();
    store.reset();  // the destructor
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << (WIFSIGNALED(status) ? absl::StrCat("the process died closing the store: signal ",
                                             WTERMSIG(status))
                              : absl::StrCat("exit ", WEXITSTATUS(status)));
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, 9u);
}

TEST_F(FaultInjectionTest, PowerCutWithTornTailKeepsEverySyncedAppend) {
  for (uint64_t torn : {0u, 1u, 100u, 333u}) {
    SCOPED_TRACE(absl::StrCat("keeping ", torn, " unsynced bytes"));
    SetUp();  // a fresh store and fault file system for each power cut
    store_dir_ = dir_.Sub(absl::StrCat("store-", torn));
    acknowledged_.clear();
    auto store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), absl::StrCat("t", torn, "-"), 5);
    // Unsynced appends (sync=false is not a durability promise) then the cut.
    std::vector<std::string> unsynced;
    for (int i = 0; i < 4; ++i) {
      const std::string tag = absl::StrCat("t", torn, "-unsynced", i);
      ASSERT_TRUE(store->Append(Request(tag, 3, false)).ok());
      unsynced.push_back(tag);
    }
    fs_->Crash();
    store.reset();
    fs_->DropUnsyncedData(torn);
    store = Reopen();
    ASSERT_NE(store, nullptr);
    CheckRecovered(store.get(), unsynced, torn == 0);
    // And the store goes on appending after the torn tail.
    AppendAcknowledged(store.get(), absl::StrCat("t", torn, "-later"), 2);
    std::vector<std::string> still;
    for (const auto& tag : unsynced) still.push_back(tag);
    CheckRecovered(store.get(), still, torn == 0);
  }
}

TEST_F(FaultInjectionTest, FullDiskSaysTheStoreIsIntactAndWhatToDo) {
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 4);
    fs_->FailWritesAfter(0, FaultFileSystem::Kind::kNoSpace);
    auto r = store->Append(Request("full"));
    unacknowledged_.push_back("full");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr("disk full"));
    EXPECT_THAT(r.status().message(), HasSubstr("the store is intact"));
    EXPECT_THAT(r.status().message(), HasSubstr("free space and retry"));
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  CheckRecovered(store.get(), unacknowledged_, false);
}

std::string ImportLine(int i) {
  return absl::StrCat(R"({"eventId":"imp-)", i, R"(","caseId":"C-)", i, R"(",)",
                      R"("occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-1",)",
                      R"("role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2",)",
                      R"("placementType":"U1"}})");
}

// The staged files of a bulk load in the store's directory.
int StagedFiles(const std::string& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    n += absl::StartsWith(e.path().filename().string(), kBulkStagePrefix);
  }
  return n;
}

// An import stages its batches as table files and ingests them in one step
// at the end: a full disk part-way through staging appends nothing at all
// (the staged files are removed), and importing again appends everything.
TEST_F(FaultInjectionTest, FullDiskDuringImportAppendsNothingThenRetryAppendsAll) {
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) lines.push_back(ImportLine(i));
  const std::string file = absl::StrJoin(lines, "\n") + "\n";
  ImportOptions opts;
  opts.clock = &clock_;
  opts.batch_events = 8;  // five staged groups
  fs_->set_target_suffix(".sst");
  uint64_t import_writes = 0;  // table writes of the whole import, on another store
  {
    StoreOptions o;
    o.env = env_.get();
    o.clock = &clock_;
    auto other = EventStore::Open(dir_.Sub("other"), o);
    ASSERT_TRUE(other.ok()) << other.status();
    const uint64_t before = fs_->writes();
    std::istringstream in(file);
    auto report = ImportNdjson(other->get(), in, opts);
    ASSERT_TRUE(report.ok()) << report.status();
    import_writes = fs_->writes() - before;
  }
  ASSERT_GT(import_writes, 10u);
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    fs_->FailWritesAfter(static_cast<int64_t>(import_writes / 2),
                         FaultFileSystem::Kind::kNoSpace);
    std::istringstream in(file);
    auto report = ImportNdjson(store.get(), in, opts);
    ASSERT_FALSE(report.ok());
    EXPECT_GT(fs_->faults(), 0u);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kResourceExhausted) << report.status();
    EXPECT_THAT(report.status().message(),
                HasSubstr("disk full while appending the import: nothing from this import was "
                          "appended. Free space, then import the same file again"));
    EXPECT_EQ(store->LastPosition(), 0u) << "staged groups are not in the log";
    EXPECT_EQ(StagedFiles(store_dir_), 0) << "the failed load's files were left behind";
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  CheckRecovered(store.get(), {}, true);
  std::istringstream again(file);
  auto retry = ImportNdjson(store.get(), again, opts);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->appended, 40u);
  EXPECT_EQ(store->LastPosition(), 40u);
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// A process that dies (or a machine that stops) with groups staged and not
// ingested leaves the log as it was; the store's next read-write open
// removes the staged files, which hold the children's records.
TEST_F(FaultInjectionTest, PowerCutWithGroupsStagedLeavesTheLogAsItWas) {
  fs_->set_target_suffix("");  // every file: cut all of them back on the crash
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 2);
    auto loader = store->BeginBulkLoad();
    ASSERT_TRUE(loader.ok()) << loader.status();
    for (int g = 0; g < 2; ++g) {
      AppendRequest req;
      for (int i = 0; i < 5000; ++i) {
        req.records.push_back(NewRecord{absl::StrCat("C-", i % 9), absl::StrCat("g", g, "-", i),
                                        absl::StrCat("payload ", i)});
      }
      auto staged = (*loader)->Stage(std::move(req));
      ASSERT_TRUE(staged.ok()) << staged.status();
      EXPECT_EQ(staged->positions.front(), 7u + 5000u * g);
    }
    EXPECT_EQ(store->LastPosition(), 6u);
    // Two records tables, two runs and the tree's lower levels' tables.
    EXPECT_GE(StagedFiles(store_dir_), 5);
    fs_->Crash();
    (void)loader->release();  // the process dies holding it: nothing cleans up
  });
  fs_->DropUnsyncedData();
  EXPECT_GE(StagedFiles(store_dir_), 5);
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(StagedFiles(store_dir_), 0) << "the open removes a dead load's staged files";
  CheckRecovered(store.get(), {}, true);
  AppendAcknowledged(store.get(), "after", 1);
  EXPECT_EQ(store->LastPosition(), 9u);
}

// Batches of a few thousand events are ingested as table files (see
// AppendRequest::bulk), past the write-ahead log: a full disk while writing
// one leaves the store as it was, and a retry appends exactly the rest.
TEST_F(FaultInjectionTest, FullDiskDuringABulkImportBatch) {
  constexpr int kBatch = 5000;
  std::vector<std::string> lines;
  for (int i = 0; i < 3 * kBatch; ++i) lines.push_back(ImportLine(i));
  const std::string first = absl::StrJoin(lines.begin(), lines.begin() + kBatch, "\n") + "\n";
  const std::string all = absl::StrJoin(lines, "\n") + "\n";
  ImportOptions opts;
  opts.clock = &clock_;
  opts.batch_events = kBatch;
  {
    auto store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    std::istringstream in(first);
    auto report = ImportNdjson(store.get(), in, opts);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(store->LastPosition(), static_cast<uint64_t>(kBatch));
    fs_->set_target_suffix(".sst");
    fs_->FailWritesAfter(0, FaultFileSystem::Kind::kNoSpace);
    std::istringstream again(all);
    auto failed = ImportNdjson(store.get(), again, opts);
    ASSERT_FALSE(failed.ok());
    EXPECT_GT(fs_->faults(), 0u);
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted) << failed.status();
    EXPECT_THAT(failed.status().message(), HasSubstr("the store is intact"));
    EXPECT_THAT(failed.status().message(),
                HasSubstr("disk full while appending the import: nothing from this import was "
                          "appended"));
    EXPECT_EQ(store->LastPosition(), static_cast<uint64_t>(kBatch));
    fs_->Clear();
    std::istringstream retry_in(all);
    auto retry = ImportNdjson(store.get(), retry_in, opts);
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->appended, 2u * kBatch);
    EXPECT_EQ(store->LastPosition(), 3u * kBatch);
  }
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastPosition(), 3u * kBatch);
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// An acknowledged bulk import survives a power cut, and so do the unsynced
// appends made before it (they are synced before a table is ingested, or the
// log could keep the batch and lose the positions before it).
TEST_F(FaultInjectionTest, BulkImportSurvivesAPowerCut) {
  constexpr int kBatch = 5000;
  std::vector<std::string> lines;
  for (int i = 0; i < 2 * kBatch; ++i) lines.push_back(ImportLine(i));
  const std::string file = absl::StrJoin(lines, "\n") + "\n";
  fs_->set_target_suffix("");  // every file: cut all of them back on the crash
  {
    auto store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendRequest before;
    for (int k = 0; k < 3; ++k) {
      before.records.push_back(NewRecord{"before", absl::StrCat("before-", k), "p"});
    }
    before.sync = false;
    ASSERT_TRUE(store->Append(std::move(before)).ok());
    ImportOptions opts;
    opts.clock = &clock_;
    opts.batch_events = kBatch;
    std::istringstream in(file);
    auto report = ImportNdjson(store.get(), in, opts);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(store->LastPosition(), 3u + 2 * kBatch);
    fs_->Crash();  // the close below changes nothing on disk
  }
  fs_->DropUnsyncedData();
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastPosition(), 3u + 2 * kBatch);
  auto v = store->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

TEST_F(FaultInjectionTest, ConcurrentAppendersDuringAWriteFailure) {
  // Group commit: several writers share the failing write; none of them may
  // be acknowledged for it, and none may see another's half.
  InChildThenDie([&] {
    auto& store = child_store_;  // never closed: the child dies with it open
    store = OpenFaulty();
    ASSERT_NE(store, nullptr);
    AppendAcknowledged(store.get(), "ok", 3);
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 30; ++i) {
          if (t == 0 && i == 10) fs_->FailWritesAfter(0);
          const std::string tag = absl::StrCat("w", t, "-", i);
          auto r = store->Append(Request(tag));
          std::lock_guard<std::mutex> l(mu);
          if (r.ok()) {
            for (int k = 0; k < 3; ++k) acknowledged_.insert(absl::StrCat(tag, "-", k));
          } else {
            unacknowledged_.push_back(tag);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_FALSE(unacknowledged_.empty());
  });
  auto store = Reopen();
  ASSERT_NE(store, nullptr);
  CheckRecovered(store.get(), unacknowledged_, false);
}

// --- two processes ---

// The child opens the store, says so on `ready`, and holds it until killed.
[[noreturn]] void HoldStore(const std::string& dir, int ready) {
  auto store = EventStore::Open(dir);
  const char c = store.ok() ? 'y' : 'n';
  if (write(ready, &c, 1) != 1) _exit(4);
  if (!store.ok()) _exit(2);
  for (;;) pause();
}

pid_t ForkHolder(const std::string& dir) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    HoldStore(dir, fds[1]);
  }
  close(fds[1]);
  char c = 0;
  const bool ok = read(fds[0], &c, 1) == 1 && c == 'y';
  close(fds[0]);
  if (!ok) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

TEST(TwoProcessesTest, SecondProcessIsToldWhichPidHoldsTheStore) {
  TempDir dir;
  const pid_t child = ForkHolder(dir.path());
  ASSERT_GT(child, 0);
  auto second = EventStore::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("in use by PID ", child)));
  EXPECT_THAT(second.status().message(), ::testing::Not(HasSubstr("LOCK")))
      << "a RocksDB lock error leaked through: " << second.status();
  // Reading alongside is allowed (verify, head, deadlines while it runs).
  StoreOptions ro;
  ro.create_if_missing = false;
  auto reader = EventStoreReader::Open(dir.path(), ro);
  EXPECT_TRUE(reader.ok()) << reader.status();
  reader = absl::UnknownError("closed");
  // The holder dies without cleaning up (its pid file stays): the store is
  // free again, the stale pid file does not block.
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto after = EventStore::Open(dir.path());
  ASSERT_TRUE(after.ok()) << after.status();
  // And now this process is the one named to a third. The third is a fresh
  // program (the CLI), not a fork of this one: a fork taken while this
  // process's store has background threads can inherit a lock one of them
  // held, and hang (it did, once, in CI).
  const std::string out = dir.Sub("third.txt");
  const std::string cmd = absl::StrCat(CARELOG_BINARY, " pack --store ", dir.path(),
                                       " england 2>", out);
  const int rc = std::system(cmd.c_str());
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(WEXITSTATUS(rc), 1) << text;
  EXPECT_THAT(text, HasSubstr(absl::StrCat("in use by PID ", getpid())))
      << "third process was not told this process holds the store: " << text;
}

TEST(TwoProcessesTest, CliSaysInUseByPid) {
  TempDir dir;
  const pid_t child = ForkHolder(dir.path());
  ASSERT_GT(child, 0);
  const std::string out = dir.Sub("out.txt");
  const std::string cmd = absl::StrCat(CARELOG_BINARY, " pack --store ", dir.path(),
                                       " england 2>", out);
  const int rc = std::system(cmd.c_str());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(WEXITSTATUS(rc), 1) << text;
  EXPECT_THAT(text, HasSubstr(absl::StrCat("in use by PID ", child))) << text;
}

// A settings change and its record in the settings log are one atomic write
// (AppendRequest::settings): a power cut at any point keeps both or neither,
// so the stored setting always equals the fold of the log (or the store
// refuses to open, loudly) — never a setting without its record, or the
// reverse. The cuts fall exactly at, and one byte before, the end of each
// change in the write-ahead log: where a change written as two writes (the
// record, then the setting) would keep its record and lose its setting.
TEST_F(FaultInjectionTest, PowerCutNeverSplitsASettingFromItsRecord) {
  // The live write-ahead log's size (RocksDB writes it through at once).
  auto wal_size = [&]() -> uint64_t {
    uint64_t size = 0;
    for (const auto& f : std::filesystem::directory_iterator(store_dir_)) {
      if (f.path().extension() == ".log") size = std::max<uint64_t>(size, f.file_size());
    }
    return size;
  };
  constexpr int kChanges = 4;
  int trials = 0, refused = 0, kept_some = 0;
  for (int cut_after = 0; cut_after < kChanges; ++cut_after) {
    for (int64_t delta : {-1, 0}) {
      SCOPED_TRACE(absl::StrCat("cut at the end of change ", cut_after, " ", delta));
      SetUp();  // a fresh store and fault file system for each power cut
      store_dir_ = dir_.Sub(absl::StrCat("settings-", cut_after, "-", -delta));
      auto store = OpenFaulty();
      ASSERT_NE(store, nullptr);
      auto first = ChangeSetting(store.get(), "pack", "scotland", SettingsActor{"alice", "cli"});
      ASSERT_TRUE(first.ok()) << first.status();  // synced: must survive
      const uint64_t synced = wal_size();
      // Unsynced changes, each a record and its setting in one request, as
      // ChangeSetting writes them (without its fsync, so the cut can tear).
      const char* packs[] = {"england", "england-bristol", "scotland-pace", "england-salford"};
      std::vector<uint64_t> ends;
      for (int i = 0; i < kChanges; ++i) {
        v1::SettingChanged c;
        c.set_setting(i % 2 == 0 ? "pack" : "pack.case.C-1");
        c.set_new_value(packs[i]);
        c.set_changed_by("alice");
        c.set_via("cli");
        AppendRequest req;
        req.records.push_back(NewRecord{kSettingsStream, absl::StrCat("$settings:", i),
                                        c.SerializeAsString()});
        req.settings.emplace_back(c.setting(), c.new_value());
        req.sync = false;
        ASSERT_TRUE(store->Append(std::move(req)).ok());
        ends.push_back(wal_size());
      }
      ASSERT_GT(ends[cut_after] + delta, synced);
      fs_->Crash();
      store.reset();
      fs_->DropUnsyncedData(ends[cut_after] + delta - synced);
      ++trials;
      StoreOptions o;
      o.clock = &clock_;
      auto reopened = EventStore::Open(store_dir_, o);
      if (!reopened.ok()) {
        // Refusing a damaged log loudly is allowed; answering from it is not.
        EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss) << reopened.status();
        ++refused;
        continue;
      }
      auto check = CheckSettings(**reopened);
      ASSERT_TRUE(check.ok()) << check.status();
      EXPECT_THAT(check->problems, ::testing::IsEmpty());
      EXPECT_GE(check->records, 1u);  // the synced change is there
      if (check->records > 1) ++kept_some;
    }
  }
  EXPECT_EQ(trials, 2 * kChanges);
  // Cuts that kept unsynced changes happened: the test saw both sides.
  if (refused == 0) {
    EXPECT_GT(kept_some, 0);
  }
}

}  // namespace
}  // namespace carelog
