// Encryption at rest end to end, through the `carelog` binary: a master key
// made by `keys new`; a store imported with it holds no byte of a child's
// name or date of birth in any file, checkpoints included, and answers every
// query with the key; without it or with another every reading command
// refuses by name while verify and head still work; `keys rotate` moves the
// store to a new key; a backup restores and verifies without a key; a subject
// access bundle of an encrypted store checks with check-proof; and a bad key
// file or $CARELOG_MASTER_KEY is named.
#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::AnyFileHolds;

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kEvents[] =
    R"({"eventId":"a1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-zq","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"2009-04-17"},"comment":"Zebedee Quillfeather-Marlowe"})"
    "\n"
    R"({"eventId":"a2","caseId":"C-1","occurredAt":"2024-03-01T11:00:00Z","actor":{"id":"sw-zq","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"b1","caseId":"C-2","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw-ob","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"},"comment":"Ottoline Brackenbury-Vance"})"
    "\n";

class KeysCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kEvents);
    CliRun k = Run(absl::StrCat("keys new --key-file ", key1()));
    ASSERT_EQ(k.status, 0) << k.err;
    EXPECT_THAT(k.out, HasSubstr("wrote master key"));
    CliRun i = Run(absl::StrCat("import --store ", store(), " --master-key-file ", key1(), " ",
                                dir_.Sub("a.ndjson")));
    ASSERT_EQ(i.status, 0) << i.err;
    CliRun c = Run(absl::StrCat("checkpoint --store ", store(), " --master-key-file ", key1()));
    ASSERT_EQ(c.status, 0) << c.err;
  }
  CliRun Run(const std::string& args, const std::string& env = "") {
    return RunCarelog(args, dir_.path(), env);
  }
  std::string store() const { return dir_.Sub("store"); }
  std::string key1() const { return dir_.Sub("k1.key"); }
  std::string key2() const { return dir_.Sub("k2.key"); }

  TempDir dir_;
};

TEST_F(KeysCommandTest, AnEncryptedStoreHoldsNothingInClearAndAnswersWithItsKey) {
  struct stat st {};
  ASSERT_EQ(stat(key1().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Run(absl::StrCat("keys new --key-file ", key1())).status, 0) << "a key was overwritten";

  for (const char* text : {"Zebedee", "Quillfeather", "2009-04-17", "Ottoline", "sw-zq"}) {
    EXPECT_FALSE(AnyFileHolds(store(), text)) << text << " is in a file of the store";
  }
  EXPECT_TRUE(AnyFileHolds(store(), "C-1")) << "the test cannot see the store's files";

  CliRun state = Run(absl::StrCat("state --store ", store(), " --case C-1 --format json"),
                     absl::StrCat("CARELOG_MASTER_KEY_FILE=", key1()));
  ASSERT_EQ(state.status, 0) << state.err;
  EXPECT_THAT(state.out, HasSubstr("2009-04-17"));
  CliRun audit = Run(absl::StrCat("audit --store ", store(), " --case C-2 --master-key-file ", key1()));
  ASSERT_EQ(audit.status, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("Ottoline Brackenbury-Vance"));

  // The key as 64 hex digits in the environment does the same.
  const std::string file = carelog::testing::ReadFile(key1());
  const std::string hex = file.substr(file.rfind(' ') + 1, 64);
  CliRun by_env = Run(absl::StrCat("deadlines --store ", store(), " --case C-1"),
                      absl::StrCat("CARELOG_MASTER_KEY=", hex));
  EXPECT_EQ(by_env.status, 0) << by_env.err;
}

TEST_F(KeysCommandTest, WithoutTheKeyOrWithAnotherReadsAreRefusedButVerifyWorks) {
  CliRun none = Run(absl::StrCat("deadlines --store ", store()));
  EXPECT_EQ(none.status, 1);
  EXPECT_THAT(none.err, HasSubstr("encrypted"));
  EXPECT_THAT(none.err, HasSubstr("without its master key"));
  ASSERT_EQ(Run(absl::StrCat("keys new --key-file ", key2())).status, 0);
  CliRun wrong = Run(absl::StrCat("state --store ", store(), " --case C-1 --master-key-file ", key2()));
  EXPECT_EQ(wrong.status, 1);
  EXPECT_THAT(wrong.err, HasSubstr("wrong master key"));
  CliRun verify = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(verify.status, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("log verified: 3 events"));
  EXPECT_EQ(Run(absl::StrCat("head --store ", store())).status, 0);

  // A bad key is named before anything runs.
  carelog::testing::WriteFile(dir_.Sub("bad.key"), "not a key\n");
  chmod(dir_.Sub("bad.key").c_str(), 0600);
  CliRun bad = Run(absl::StrCat("deadlines --store ", store(), " --master-key-file ", dir_.Sub("bad.key")));
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, HasSubstr("not a carelog master key file"));
  chmod(key2().c_str(), 0644);
  CliRun open_key = Run(absl::StrCat("deadlines --store ", store(), " --master-key-file ", key2()));
  EXPECT_EQ(open_key.status, 1);
  EXPECT_THAT(open_key.err, HasSubstr("chmod 600"));
  CliRun bad_env = Run(absl::StrCat("deadlines --store ", store()), "CARELOG_MASTER_KEY=abc");
  EXPECT_EQ(bad_env.status, 1);
  EXPECT_THAT(bad_env.err, HasSubstr("CARELOG_MASTER_KEY"));
}

TEST_F(KeysCommandTest, RotationMovesTheStoreToTheNewKey) {
  ASSERT_EQ(Run(absl::StrCat("keys new --key-file ", key2())).status, 0);
  CliRun no_current = Run(absl::StrCat("keys rotate --store ", store(), " --new-key-file ", key2()));
  EXPECT_EQ(no_current.status, 2) << no_current.err;
  CliRun rotate = Run(absl::StrCat("keys rotate --store ", store(), " --master-key-file ", key1(),
                                   " --new-key-file ", key2()));
  ASSERT_EQ(rotate.status, 0) << rotate.err;
  EXPECT_THAT(rotate.out, HasSubstr("re-wrapped"));
  EXPECT_EQ(Run(absl::StrCat("state --store ", store(), " --case C-1 --master-key-file ", key1())).status, 1);
  CliRun after = Run(absl::StrCat("state --store ", store(), " --case C-1 --master-key-file ", key2()));
  ASSERT_EQ(after.status, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("2009"));
}

TEST_F(KeysCommandTest, BackupRestoreAndASubjectAccessBundleOfAnEncryptedStore) {
  CliRun backup = Run(absl::StrCat("backup --store ", store(), " --master-key-file ", key1(),
                                   " --to ", dir_.Sub("backup")));
  ASSERT_EQ(backup.status, 0) << backup.err;
  EXPECT_FALSE(AnyFileHolds(dir_.Sub("backup"), "Zebedee"));
  CliRun restore = Run(absl::StrCat("restore --from ", dir_.Sub("backup"), " --to ", dir_.Sub("restored")));
  ASSERT_EQ(restore.status, 0) << restore.err;
  CliRun read = Run(absl::StrCat("audit --store ", dir_.Sub("restored"), " --case C-1 --master-key-file ", key1()));
  ASSERT_EQ(read.status, 0) << read.err;
  EXPECT_THAT(read.out, HasSubstr("Zebedee Quillfeather-Marlowe"));

  CliRun sar = Run(absl::StrCat("sar --store ", store(), " --case C-1 --out ", dir_.Sub("sar"),
                                " --master-key-file ", key1()));
  ASSERT_EQ(sar.status, 0) << sar.err;
  EXPECT_THAT(carelog::testing::ReadFile(dir_.Sub("sar/record.html")), HasSubstr("Zebedee"));
  CliRun check = Run(absl::StrCat("check-proof ", dir_.Sub("sar/proofs/1.json")));
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("proof verified"));
  EXPECT_THAT(check.out, Not(HasSubstr("Zebedee"))) << "the leaf is sealed";

  // The bundle carries the keys of the case's own streams, and only those:
  // with C-1's, the proof's leaf opens to the entry the document shows.
  const std::string json = carelog::testing::ReadFile(dir_.Sub("sar/record.json"));
  const size_t keys = json.find("\"dataKeys\": {");
  ASSERT_NE(keys, std::string::npos) << json.substr(json.size() > 400 ? json.size() - 400 : 0);
  const size_t at = json.find("\"C-1\": \"", keys);
  ASSERT_NE(at, std::string::npos);
  const std::string key = json.substr(at + 8, 64);
  EXPECT_THAT(json.substr(keys), HasSubstr("\"$access/C-1\""));
  EXPECT_THAT(json.substr(keys), Not(HasSubstr("C-2")));
  EXPECT_THAT(carelog::testing::ReadFile(dir_.Sub("sar/record.html")),
              HasSubstr("check-proof --data-key KEY"));
  CliRun opened = Run(absl::StrCat("check-proof --data-key ", key, " ",
                                   dir_.Sub("sar/proofs/1.json")));
  ASSERT_EQ(opened.status, 0) << opened.err;
  EXPECT_THAT(opened.out, HasSubstr("proof verified"));
  EXPECT_THAT(opened.out, HasSubstr("Zebedee Quillfeather-Marlowe"));
  EXPECT_THAT(opened.out, HasSubstr("2009-04-17"));
  CliRun wrong = Run(absl::StrCat("check-proof --data-key ", std::string(64, '0'), " ",
                                  dir_.Sub("sar/proofs/1.json")));
  EXPECT_EQ(wrong.status, 1);
  EXPECT_THAT(wrong.err, HasSubstr("does not open with the data key given"));
}

TEST_F(KeysCommandTest, MigrationOfAPlainStoreGivesTheSameAnswersEncrypted) {
  const std::string plain = dir_.Sub("plain"), sealed = dir_.Sub("migrated");
  ASSERT_EQ(Run(absl::StrCat("import --store ", plain, " ", dir_.Sub("a.ndjson"))).status, 0);
  ASSERT_EQ(Run(absl::StrCat("pack --store ", plain, " scotland")).status, 0);
  CliRun no_key = Run(absl::StrCat("migrate --from ", plain, " --to ", sealed));
  EXPECT_EQ(no_key.status, 2) << no_key.err;
  CliRun m = Run(absl::StrCat("migrate --from ", plain, " --to ", sealed, " --master-key-file ", key1()));
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_THAT(m.out, HasSubstr("both logs verified"));
  EXPECT_THAT(m.out, HasSubstr("old head 4:"));
  EXPECT_FALSE(AnyFileHolds(sealed, "Zebedee"));
  const std::string env = absl::StrCat("CARELOG_MASTER_KEY_FILE=", key1());
  for (const char* query : {"deadlines --format json", "state --case C-1 --format json",
                            "audit --case C-2 --format json"}) {
    CliRun before = Run(absl::StrCat(query, " --store ", plain, " --as-of 2024-06-30"));
    CliRun after = Run(absl::StrCat(query, " --store ", sealed, " --as-of 2024-06-30"), env);
    ASSERT_EQ(before.status, 0) << before.err;
    ASSERT_EQ(after.status, 0) << after.err;
    EXPECT_EQ(after.out, before.out) << query;
  }
  CliRun verify = Run(absl::StrCat("verify --store ", sealed), env);
  ASSERT_EQ(verify.status, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("settings agree with the settings log (1 record)"));
  CliRun again = Run(absl::StrCat("migrate --from ", sealed, " --to ", dir_.Sub("again")), env);
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("already encrypted"));
}

}  // namespace
}  // namespace carelog
