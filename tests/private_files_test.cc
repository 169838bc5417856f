// Who can read a store (issue 12 point 8): the store directory, backups
// and restored stores are the owner's only (directories 0700; files 0600
// where carelog writes them) whatever the umask, and the staged tables a
// killed import leaves (case ids and dates in clear) are removed when the
// store is next opened for writing.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/importer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/backup.h"
#include "store/event_store.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;
using ::carelog::testing::TempDir;

// The umask of a careless shell: group and others may read.
class PrivateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = umask(022); }
  void TearDown() override { umask(old_umask_); }

  static mode_t Mode(const fs::path& p) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return 07777;
    return st.st_mode & 07777;
  }

  // `dir` and every directory under it are 0700, so nobody else can reach a
  // file in it whatever the file's own mode; with `files_too` (what carelog
  // writes itself: backups, restores) every file is 0600 as well.
  // (RocksDB 7.8 creates the live store's files with the umask's mode.)
  static void ExpectOwnerOnly(const std::string& dir, bool files_too) {
    EXPECT_EQ(Mode(dir), 0700u) << dir;
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      const mode_t m = Mode(e.path());
      if (e.is_directory()) {
        EXPECT_EQ(m, 0700u) << e.path();
      } else if (files_too) {
        EXPECT_EQ(m & 0077, 0u) << e.path() << " mode " << std::oct << m;
      }
      ++files;
    }
    EXPECT_GT(files, 3) << dir;
  }

  static void AppendSome(EventStore* store) {
    for (int i = 0; i < 20; ++i) {
      AppendRequest req;
      req.records.push_back(NewRecord{absl::StrCat("C-", i % 3), absl::StrCat("id-", i), "payload"});
      ASSERT_TRUE(store->Append(std::move(req)).ok());
    }
  }

  TempDir dir_;
  mode_t old_umask_ = 0;
};

TEST_F(PrivateFilesTest, NewStoreBackupAndRestoreAreOwnerOnly) {
  const std::string live = dir_.Sub("parent/live");  // a parent to create too
  {
    StoreOptions o;
    o.sync = false;
    auto store = EventStore::Open(live, o);
    ASSERT_TRUE(store.ok()) << store.status();
    AppendSome(store->get());
    ExpectOwnerOnly(live, false);  // while open: the LOCK, LOG, pid file, WAL
    EXPECT_EQ(Mode(fs::path(live) / "carelog.pid"), 0600u);
    auto m = BackupStore(**store, dir_.Sub("backup"));
    ASSERT_TRUE(m.ok()) << m.status();
  }
  ExpectOwnerOnly(live, false);
  EXPECT_EQ(Mode(dir_.Sub("parent")), 0700u);
  ExpectOwnerOnly(dir_.Sub("backup"), true);
  auto restored = RestoreStore(dir_.Sub("backup"), dir_.Sub("restored"));
  ASSERT_TRUE(restored.ok()) << restored.status();
  ExpectOwnerOnly(dir_.Sub("restored"), true);
}

TEST_F(PrivateFilesTest, WorldReadableStoreIsClosedToOthersWhenOpenedForWriting) {
  const std::string live = dir_.Sub("live");
  {
    StoreOptions o;
    o.sync = false;
    auto store = EventStore::Open(live, o);
    ASSERT_TRUE(store.ok());
    AppendSome(store->get());
  }
  ASSERT_EQ(chmod(live.c_str(), 0755), 0);  // as carelog left it before
  {
    StoreOptions ro;
    ro.create_if_missing = false;
    ASSERT_TRUE(EventStoreReader::Open(live, ro).ok());
    EXPECT_EQ(Mode(live), 0755u);  // a reader changes nothing
  }
  ASSERT_TRUE(EventStore::Open(live).ok());
  EXPECT_EQ(Mode(live), 0750u);  // others lose access; the group is the operator's choice
}

// An import killed after staging its groups (before their one ingestion)
// leaves the staged table files beside the store; the next read-write open
// removes them, and nothing of the import is in the log. They are RocksDB
// tables like the store's own, behind the store's owner-only directory.
TEST_F(PrivateFilesTest, StagedFilesOfAKilledImportAreRemovedOnNextOpen) {
  const std::string live = dir_.Sub("live");
  ASSERT_TRUE(EventStore::Open(live).ok());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StoreOptions o;
    o.sync = false;
    auto store = EventStore::Open(live, o);
    if (!store.ok()) _exit(3);
    std::string text;
    for (int i = 0; i < 3; ++i) {
      absl::StrAppend(&text, R"({"eventId":"a)", i, R"(","caseId":"C-SECRET-)", i,
                      R"(","occurredAt":"2024-03-01T10:00:00Z",)",
                      R"("actor":{"id":"x-1","role":"SOCIAL_WORKER"},"childAccommodated":)",
                      R"({"legalStatus":"C2","placementType":"U1"}})", "\n");
    }
    std::istringstream in(text);
    ImportOptions opts;
    opts.batch_events = 1;
    // Reported once every group is staged, before they are ingested: the
    // import is "killed" there.
    opts.on_progress = [](std::string_view phase, uint64_t done) {
      if (phase == "written" && done == 3) _exit(0);
    };
    (void)ImportNdjson(store->get(), in, opts);
    _exit(4);  // the import finished: the test could not kill it
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  std::vector<fs::path> staged;
  for (const auto& e : fs::directory_iterator(live)) {
    if (e.path().filename().string().starts_with(".stage-")) staged.push_back(e.path());
  }
  ASSERT_GE(staged.size(), 3u) << "the killed import left no staged group: nothing to test";
  EXPECT_EQ(Mode(live) & 0077, 0u);

  {  // A read-only open cannot know the writer is gone: it leaves them.
    StoreOptions ro;
    ro.create_if_missing = false;
    ASSERT_TRUE(EventStoreReader::Open(live, ro).ok());
    for (const fs::path& p : staged) EXPECT_TRUE(fs::exists(p)) << p;
  }
  auto store = EventStore::Open(live);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const fs::path& p : staged) EXPECT_FALSE(fs::exists(p)) << p;
  EXPECT_EQ((*store)->LastPosition(), 0u);  // and nothing of it was appended
}

}  // namespace
}  // namespace carelog
