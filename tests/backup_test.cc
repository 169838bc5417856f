// Backup and restore (store/backup.h, `carelog backup|restore|stats`): a
// backup taken while appends run is one consistent prefix of the log; a
// restore on another path verifies and answers the same deadlines; a damaged
// backup is refused with the reason and leaves nothing behind.
#include "store/backup.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/merkle.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

namespace fs = std::filesystem;
using ::carelog::testing::TempDir;
using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::ReadFile;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;

NewRecord Rec(int i) {
  return NewRecord{absl::StrCat("C-", i % 7), absl::StrCat("id-", i),
                   absl::StrCat("payload ", i, std::string(i % 300, 'z'))};
}

// One file of the backup whose name ends with `suffix`.
std::string FindFile(const std::string& backup, const std::string& suffix) {
  for (const auto& e : fs::directory_iterator(fs::path(backup) / "store")) {
    const std::string n = e.path().filename().string();
    if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return e.path().string();
    }
  }
  return "";
}

TEST(BackupTest, BackupWhileAppendsRunIsOneConsistentPrefix) {
  TempDir dir;
  StoreOptions o;
  o.sync = false;
  auto store = std::move(EventStore::Open(dir.Sub("live"), o)).value();
  for (int i = 0; i < 500; ++i) {
    AppendRequest req;
    req.records.push_back(Rec(i));
    ASSERT_TRUE(store->Append(std::move(req)).ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> appended{500};
  std::thread writer([&] {
    for (int i = 500; !stop; ++i) {
      AppendRequest req;
      req.records.push_back(Rec(i));
      req.records.push_back(Rec(i + 1000000));
      if (!store->Append(std::move(req)).ok()) return;
      appended += 2;
    }
  });
  // Let the writer get going, then back up under it (twice).
  while (appended < 800) std::this_thread::yield();
  auto m1 = BackupStore(*store, dir.Sub("b1"));
  auto m2 = BackupStore(*store, dir.Sub("b2"));
  stop = true;
  writer.join();
  ASSERT_TRUE(m1.ok()) << m1.status();
  ASSERT_TRUE(m2.ok()) << m2.status();
  EXPECT_GE(m1->head.size, 800u);
  EXPECT_GE(m2->head.size, m1->head.size);
  for (const auto* m : {&*m1, &*m2}) {
    // The recorded head is a head of the live log: the backup is a prefix.
    auto root = store->RootAt(m->head.size);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, m->head.root);
  }
  // Restored elsewhere: verifies, same head, same records.
  auto r = RestoreStore(dir.Sub("b1"), dir.Sub("restored"));
  ASSERT_TRUE(r.ok()) << r.status();
  StoreOptions ro;
  ro.create_if_missing = false;
  auto restored = std::move(EventStoreReader::Open(dir.Sub("restored"), ro)).value();
  EXPECT_EQ(restored->LastPosition(), m1->head.size);
  auto head = restored->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->root, m1->head.root);
  for (uint64_t p : {uint64_t{1}, m1->head.size / 2, m1->head.size}) {
    auto a = store->ReadPosition(p);
    auto b = restored->ReadPosition(p);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->id, b->id);
    EXPECT_EQ(a->payload, b->payload);
    EXPECT_EQ(a->chain, b->chain);
  }
  // The backup shares no file with the live store.
  for (const auto& f : m1->files) {
    struct stat st {};
    ASSERT_EQ(stat((fs::path(dir.Sub("b1")) / "store" / f.name).c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << f.name << " is hard-linked";
  }
}

TEST(BackupTest, TargetsMustBeNewOrEmpty) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.Sub("live"))).value();
  AppendRequest req;
  req.records.push_back(Rec(1));
  ASSERT_TRUE(store->Append(std::move(req)).ok());
  fs::create_directories(dir.Sub("full"));
  WriteFile(dir.Sub("full/x"), "x");
  auto b = BackupStore(*store, dir.Sub("full"));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(b.status().message(), HasSubstr("not empty"));
  fs::create_directories(dir.Sub("empty"));
  ASSERT_TRUE(BackupStore(*store, dir.Sub("empty")).ok());
  auto r = RestoreStore(dir.Sub("empty"), dir.Sub("full"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not empty"));
  EXPECT_EQ(ReadFile(dir.Sub("full/x")), "x");
  // An empty existing target is fine, and restoring over the same backup
  // twice is refused the second time (not empty any more).
  fs::create_directories(dir.Sub("new"));
  ASSERT_TRUE(RestoreStore(dir.Sub("empty"), dir.Sub("new")).ok());
  EXPECT_FALSE(RestoreStore(dir.Sub("empty"), dir.Sub("new")).ok());
  auto none = RestoreStore(dir.Sub("nothing-here"), dir.Sub("new2"));
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.Sub("new2")));
}

// Issue 12 point 17: a target that is a symbolic link to nothing was
// refused as "File exists"; the message now says what the path is.
TEST(BackupTest, DanglingSymlinkTargetIsNamed) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.Sub("live"))).value();
  AppendRequest req;
  req.records.push_back(Rec(1));
  ASSERT_TRUE(store->Append(std::move(req)).ok());
  ASSERT_TRUE(BackupStore(*store, dir.Sub("backup")).ok());
  fs::create_symlink(dir.Sub("gone"), dir.Sub("link"));
  auto r = RestoreStore(dir.Sub("backup"), dir.Sub("link"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr(absl::StrCat("restore target ", dir.Sub("link"),
                                     " is a symbolic link to ", dir.Sub("gone"),
                                     ", which does not exist")));
  EXPECT_TRUE(fs::is_symlink(dir.Sub("link")));
  EXPECT_FALSE(fs::exists(dir.Sub("gone")));
  auto b = BackupStore(*store, dir.Sub("link"));
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("is a symbolic link to"));
  // A link to an empty directory is a fine target.
  fs::create_directories(dir.Sub("gone"));
  ASSERT_TRUE(RestoreStore(dir.Sub("backup"), dir.Sub("link")).ok());
}

class DamagedBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = std::move(EventStore::Open(dir_.Sub("live"))).value();
    for (int i = 0; i < 300; ++i) {
      AppendRequest req;
      req.records.push_back(Rec(i));
      ASSERT_TRUE(store->Append(std::move(req)).ok());
    }
    auto m = BackupStore(*store, backup_);
    ASSERT_TRUE(m.ok()) << m.status();
    manifest_ = *m;
    ASSERT_TRUE(CheckBackup(backup_).ok());
  }

  // Restore must fail with `reason` and leave no target behind.
  void ExpectRefused(const std::string& reason) {
    auto r = RestoreStore(backup_, target_);
    ASSERT_FALSE(r.ok()) << "a damaged backup was restored";
    EXPECT_THAT(r.status().message(), HasSubstr(reason)) << r.status();
    EXPECT_FALSE(fs::exists(target_)) << "half-restored target left behind";
    auto c = CheckBackup(backup_);
    EXPECT_FALSE(c.ok());
    // And on the command line: exit 1, the reason on stderr.
    CliRun run = RunCarelog(absl::StrCat("restore --from ", backup_, " --to ", target_), dir_.path());
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr(reason));
    EXPECT_FALSE(fs::exists(target_));
  }

  TempDir dir_;
  std::string backup_ = dir_.Sub("backup");
  std::string target_ = dir_.Sub("restored");
  BackupManifest manifest_;
};

TEST_F(DamagedBackupTest, FlippedByteInAnSstFile) {
  const std::string sst = FindFile(backup_, ".sst");
  ASSERT_FALSE(sst.empty());
  std::string bytes = ReadFile(sst);
  bytes[bytes.size() / 3] ^= 0x10;
  WriteFile(sst, bytes);
  ExpectRefused(absl::StrCat("file store/", fs::path(sst).filename().string(), " has SHA-256"));
}

TEST_F(DamagedBackupTest, DeletedFile) {
  const std::string sst = FindFile(backup_, ".sst");
  ASSERT_FALSE(sst.empty());
  fs::remove(sst);
  ExpectRefused(absl::StrCat("file store/", fs::path(sst).filename().string(), " is missing"));
}

TEST_F(DamagedBackupTest, TruncatedFile) {
  const std::string f = FindFile(backup_, ".sst");
  std::string bytes = ReadFile(f);
  WriteFile(f, bytes.substr(0, bytes.size() - 10));
  ExpectRefused("bytes, the manifest says");
}

TEST_F(DamagedBackupTest, ExtraFile) {
  WriteFile(backup_ + "/store/000999.sst", "not ours");
  ExpectRefused("000999.sst is not in the manifest");
}

TEST_F(DamagedBackupTest, EditedManifest) {
  const std::string path = backup_ + "/" + kBackupManifestName;
  std::string text = ReadFile(path);
  const std::string head = absl::StrCat("head ", manifest_.head.size, ":");
  ASSERT_THAT(text, HasSubstr(head));
  text = absl::StrReplaceAll(text, {{head, absl::StrCat("head ", manifest_.head.size - 1, ":")}});
  WriteFile(path, text);
  ExpectRefused("checksum does not match");
}

TEST_F(DamagedBackupTest, MissingManifestEndLine) {
  const std::string path = backup_ + "/" + kBackupManifestName;
  std::string text = ReadFile(path);
  WriteFile(path, text.substr(0, text.rfind("end ")));
  ExpectRefused("no end line");
}

TEST_F(DamagedBackupTest, ForgedManifestWithAnotherHeadIsCaughtByVerify) {
  // Someone rewrites the manifest consistently (checksum recomputed) to claim
  // another head: the restored log's own head gives it away.
  BackupManifest forged = manifest_;
  forged.head.root[0] ^= 1;
  WriteFile(backup_ + "/" + kBackupManifestName, FormatBackupManifest(forged));
  auto r = RestoreStore(backup_, target_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("but the backup recorded"));
  EXPECT_FALSE(fs::exists(target_));
}

TEST_F(DamagedBackupTest, DamagedSstWithRecomputedManifestIsCaughtByVerify) {
  // A flipped byte whose manifest entry was "fixed" too: RocksDB's block
  // checksums or the log's own verify refuse it.
  const std::string sst = FindFile(backup_, ".sst");
  std::string bytes = ReadFile(sst);
  bytes[bytes.size() / 4] ^= 0x01;
  WriteFile(sst, bytes);
  BackupManifest forged = manifest_;
  for (auto& f : forged.files) {
    if (f.name == fs::path(sst).filename().string()) {
      // Recompute the way an attacker would.
      unsigned char md[SHA256_DIGEST_LENGTH];
      SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
      std::string hex;
      for (unsigned char c : md) absl::StrAppend(&hex, absl::Hex(c, absl::kZeroPad2));
      f.sha256_hex = hex;
    }
  }
  WriteFile(backup_ + "/" + kBackupManifestName, FormatBackupManifest(forged));
  auto r = RestoreStore(backup_, target_);
  ASSERT_FALSE(r.ok()) << "restored a damaged log";
  EXPECT_THAT(r.status().message(), HasSubstr("restore refused")) << r.status();
  EXPECT_FALSE(fs::exists(target_));
}

TEST(BackupCliTest, RestoredOnAnotherPathVerifiesAndAnswersTheSameDeadlines) {
  TempDir dir;
  const std::string live = dir.Sub("live"), backup = dir.Sub("backup"),
                    restored = dir.Sub("elsewhere/restored"), gen = dir.Sub("gen.ndjson");
  ASSERT_EQ(std::system(absl::StrCat(CARELOG_BINARY,
                                     " gen --children 12 --years 2 --seed 5 --end 2025-09-30 >",
                                     gen, " 2>/dev/null")
                            .c_str()),
            0);
  CliRun imp = RunCarelog(absl::StrCat("import --store ", live, " ", gen), dir.path());
  ASSERT_EQ(imp.status, 0) << imp.err;
  ASSERT_EQ(RunCarelog(absl::StrCat("pack --store ", live, " --case C-000003 england-salford"), dir.path()).status,
            0);
  CliRun b = RunCarelog(absl::StrCat("backup --store ", live, " --to ", backup, " --log-level info"),
              dir.path());
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_THAT(b.out, HasSubstr("verified"));
  EXPECT_THAT(b.err, HasSubstr("INFO backup: "));
  CliRun r = RunCarelog(absl::StrCat("restore --from ", backup, " --to ", restored), dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verified"));

  const std::string q = " deadlines --format json --as-of 2025-09-30 --store ";
  CliRun d1 = RunCarelog(absl::StrCat(q, live), dir.path());
  CliRun d2 = RunCarelog(absl::StrCat(q, restored), dir.path());
  ASSERT_EQ(d1.status, 0) << d1.err;
  ASSERT_EQ(d2.status, 0) << d2.err;
  EXPECT_GT(d1.out.size(), 1000u);
  EXPECT_EQ(d1.out, d2.out) << "the restored store answers different deadlines";
  CliRun v = RunCarelog(absl::StrCat("verify --store ", restored), dir.path());
  EXPECT_EQ(v.status, 0) << v.err;
  CliRun h1 = RunCarelog(absl::StrCat("head --store ", live), dir.path());
  CliRun h2 = RunCarelog(absl::StrCat("head --store ", restored), dir.path());
  EXPECT_EQ(h1.out, h2.out);
  // The pack settings came along.
  CliRun p = RunCarelog(absl::StrCat("pack --store ", restored, " --case C-000003"), dir.path());
  EXPECT_THAT(p.out, HasSubstr("england-salford"));

  CliRun s = RunCarelog(absl::StrCat("stats --store ", live), dir.path());
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("cases:        12"));
  EXPECT_THAT(s.out, HasSubstr(absl::StrCat("head:         ", h1.out.substr(0, h1.out.find('\n')))));
  EXPECT_THAT(s.out, HasSubstr("last backup:  "));
  EXPECT_THAT(s.out, HasSubstr(fs::absolute(backup).string()));
  EXPECT_THAT(s.out, HasSubstr("policy pack:  england ("));
  EXPECT_THAT(s.out, HasSubstr("england-salford ("));
  EXPECT_THAT(s.out, HasSubstr("for 1 case"));
  CliRun sj = RunCarelog(absl::StrCat("stats --format json --store ", live), dir.path());
  EXPECT_THAT(sj.out, HasSubstr("\"cases\":12"));

  // Refused with the reason on the command line.
  CliRun again = RunCarelog(absl::StrCat("restore --from ", backup, " --to ", restored), dir.path());
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("not empty"));
  CliRun usage = RunCarelog("restore --from x", dir.path());
  EXPECT_EQ(usage.status, 2);
}

TEST(BackupCliTest, BacksUpAStoreHeldByAnotherProcess) {
  TempDir dir;
  const std::string live = dir.Sub("live");
  {
    auto store = std::move(EventStore::Open(live)).value();
    for (int i = 0; i < 50; ++i) {
      AppendRequest req;
      req.records.push_back(Rec(i));
      ASSERT_TRUE(store->Append(std::move(req)).ok());
    }
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    auto store = EventStore::Open(live);
    if (!store.ok()) _exit(2);
    AppendRequest req;
    req.records.push_back(Rec(50));
    if (!(*store)->Append(std::move(req)).ok()) _exit(3);
    char c = 'y';
    if (write(fds[1], &c, 1) != 1) _exit(4);
    for (;;) pause();
  }
  close(fds[1]);
  char c = 0;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  close(fds[0]);
  CliRun b = RunCarelog(absl::StrCat("backup --store ", live, " --to ", dir.Sub("b"), " --log-level warn"),
              dir.path());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_THAT(b.err, HasSubstr("WARN backup: "));
  EXPECT_THAT(b.err, HasSubstr("in use by PID"));
  auto r = RestoreStore(dir.Sub("b"), dir.Sub("r"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->head.size, 51u) << "the acknowledged append of the holder is in the backup";
}

}  // namespace
}  // namespace carelog
