// `carelog erase` end to end, through the binary, on an encrypted store
// with checkpoints: refused (nothing changed) before the case's retention
// period ends without an authority; then, once it has ended, or with an
// authority, the case is erased: every query about it names the erasure,
// the lists name it, the QA report says how erasure changed its figures,
// nothing more can be recorded for it, verify passes, and a proof made
// before the erasure still checks. A backup taken before it keeps the case
// until the master key it was taken under is rotated away and destroyed.
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

// C-OLD was born in 1940: England keeps the record until the 75th
// anniversary of the birth (reg 50), so it may be destroyed from 2015-04-17.
// C-NEW was born in 2009: kept until 2084.
constexpr char kEvents[] =
    R"({"eventId":"o1","caseId":"C-OLD","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-zq","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"1940-04-17"},"comment":"Zebedee Quillfeather-Marlowe"})"
    "\n"
    R"({"eventId":"o2","caseId":"C-OLD","occurredAt":"2024-03-01T11:00:00Z","actor":{"id":"sw-zq","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"n1","caseId":"C-NEW","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw-ob","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"2009-11-02"},"comment":"Ottoline Brackenbury-Vance"})"
    "\n"
    R"({"eventId":"n2","caseId":"C-NEW","occurredAt":"2024-03-04T11:00:00Z","actor":{"id":"sw-ob","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n";

constexpr char kLater[] =
    R"({"eventId":"o3","caseId":"C-OLD","occurredAt":"2024-03-05T10:00:00Z","actor":{"id":"sw-zq","role":"SOCIAL_WORKER"},"iroAllocated":{"iroId":"iro-1"}})"
    "\n";

class EraseCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kEvents);
    carelog::testing::WriteFile(dir_.Sub("later.ndjson"), kLater);
    CliRun k = RunCarelog(absl::StrCat("keys new --key-file ", key1()), dir_.path(), "");
    ASSERT_EQ(k.status, 0) << k.err;
    CliRun i = Run(absl::StrCat("import --store ", store(), " ", dir_.Sub("a.ndjson")));
    ASSERT_EQ(i.status, 0) << i.err;
    CliRun c = Run(absl::StrCat("checkpoint --store ", store()));
    ASSERT_EQ(c.status, 0) << c.err;
  }
  // Every command with the store's master key (key1 unless `key` says).
  CliRun Run(const std::string& args, const std::string& key = "") {
    return RunCarelog(args, dir_.path(),
                      absl::StrCat("CARELOG_MASTER_KEY_FILE=", key.empty() ? key1() : key));
  }
  std::string store() const { return dir_.Sub("store"); }
  std::string key1() const { return dir_.Sub("k1.key"); }
  std::string key2() const { return dir_.Sub("k2.key"); }
  std::string S() const { return absl::StrCat(" --store ", store()); }

  TempDir dir_;
};

TEST_F(EraseCommandTest, BeforeRetentionEndsWithoutAnAuthorityNothingChanges) {
  const CliRun head = Run("head" + S());
  ASSERT_EQ(head.status, 0) << head.err;
  CliRun refused = Run("erase" + S() + " --case C-NEW --reason 'asked by the family'");
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, HasSubstr("cannot be erased before its retention period ends"));
  EXPECT_THAT(refused.err, HasSubstr("may be destroyed from 2084-11-02"));
  EXPECT_THAT(refused.err, HasSubstr("reg 50"));
  EXPECT_THAT(refused.err, HasSubstr("--authority"));
  EXPECT_EQ(Run("head" + S()).out, head.out) << "a refused erasure changed the log";
  CliRun audit = Run("audit" + S() + " --case C-NEW");
  ASSERT_EQ(audit.status, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("Ottoline"));

  CliRun no_reason = Run("erase" + S() + " --case C-OLD");
  EXPECT_EQ(no_reason.status, 2);
  CliRun no_case = Run("erase" + S() + " --case C-NONE --reason x --authority y");
  EXPECT_EQ(no_case.status, 1);
  EXPECT_THAT(no_case.err, HasSubstr("no case 'C-NONE'"));
  CliRun system = Run("erase" + S() + " --case '$settings' --reason x --authority y");
  EXPECT_EQ(system.status, 1);
  EXPECT_THAT(system.err, HasSubstr("no case '$settings'"));
  EXPECT_EQ(Run("head" + S()).out, head.out);

  // With an authority it goes.
  CliRun ordered = Run("erase" + S() +
                       " --case C-NEW --reason 'record held unlawfully' --authority 'HC-2026-0042'"
                       " --by 'J Bloggs' --format json");
  ASSERT_EQ(ordered.status, 0) << ordered.err;
  EXPECT_THAT(ordered.out, HasSubstr(R"("caseId":"C-NEW")"));
  EXPECT_THAT(ordered.out, HasSubstr(R"("authority":"HC-2026-0042")"));
  EXPECT_THAT(ordered.out, HasSubstr(R"("erasedBy":"J Bloggs")"));
  EXPECT_THAT(ordered.out, HasSubstr(R"("events":2)"));
}

TEST_F(EraseCommandTest, AnErasedCaseIsNamedEverywhereAndEveryProofStillHolds) {
  CliRun proof = Run("prove" + S() + " o1");
  ASSERT_EQ(proof.status, 0) << proof.err;
  carelog::testing::WriteFile(dir_.Sub("o1.proof.json"), proof.out);

  CliRun erase = Run("erase" + S() + " --case C-OLD --reason 'retention period ended' --by 'A Clerk'");
  ASSERT_EQ(erase.status, 0) << erase.err;
  EXPECT_THAT(erase.out, HasSubstr("case 'C-OLD' was erased on"));
  EXPECT_THAT(erase.out, HasSubstr("by A Clerk"));
  EXPECT_THAT(erase.out, HasSubstr("its retention period had ended on 17 April 2015"));
  EXPECT_THAT(erase.out, HasSubstr("its 2 events, positions 1 to 2"));

  // One case's queries name the erasure; none of them fails otherwise.
  for (const char* query : {"audit --case C-OLD", "state --case C-OLD", "deadlines --case C-OLD"}) {
    CliRun r = Run(absl::StrCat(query, S()));
    EXPECT_EQ(r.status, 1) << query;
    EXPECT_THAT(r.err, HasSubstr("case 'C-OLD' was erased")) << query;
    EXPECT_THAT(r.out, Not(HasSubstr("Zebedee"))) << query;
  }
  CliRun sar = Run("sar" + S() + " --case C-OLD --out " + dir_.Sub("sar"));
  EXPECT_EQ(sar.status, 1);
  EXPECT_THAT(sar.err, HasSubstr("was erased"));

  // The lists go on without it, and name it.
  CliRun cases = Run("cases" + S() + " --as-of 2024-06-01");
  ASSERT_EQ(cases.status, 0) << cases.err;
  EXPECT_THAT(cases.out, HasSubstr("C-NEW"));
  EXPECT_THAT(cases.out, HasSubstr("ERASED  case 'C-OLD' was erased"));
  EXPECT_THAT(cases.out, HasSubstr("1 case erased"));
  CliRun deadlines = Run("deadlines" + S() + " --as-of 2024-06-01");
  ASSERT_EQ(deadlines.status, 0) << deadlines.err;
  EXPECT_THAT(deadlines.out, HasSubstr("ERASED  case 'C-OLD'"));
  CliRun replay = Run("deadlines" + S() + " --as-of 2024-06-01 --no-checkpoints --format json");
  ASSERT_EQ(replay.status, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("C-NEW"));
  EXPECT_THAT(replay.out, Not(HasSubstr("C-OLD")));
  CliRun qa = Run("report qa" + S() + " --from 2024-01-01 --to 2024-12-31 --format json");
  ASSERT_EQ(qa.status, 0) << qa.err;
  EXPECT_THAT(qa.out, HasSubstr(R"("erased":[)"));
  EXPECT_THAT(qa.out, HasSubstr(R"({"caseId":"C-OLD")"));
  EXPECT_THAT(qa.out, HasSubstr(R"("authority":"","events":2,"firstRecorded":")"));
  CliRun qa_html = Run("report qa" + S() + " --from 2024-01-01 --to 2024-12-31 --format html");
  ASSERT_EQ(qa_html.status, 0) << qa_html.err;
  EXPECT_THAT(qa_html.out, HasSubstr("<h2>Erased cases</h2>"));
  CliRun checkpoint = Run("checkpoint" + S() + " --rebuild");
  ASSERT_EQ(checkpoint.status, 0) << checkpoint.err;
  CliRun check = Run("checkpoint" + S() + " --check");
  EXPECT_EQ(check.status, 0) << check.out << check.err;

  // Nothing more can be recorded for it; nothing was appended.
  const CliRun head = Run("head" + S());
  CliRun more = Run("import" + S() + " " + dir_.Sub("later.ndjson"));
  EXPECT_NE(more.status, 0);
  EXPECT_THAT(more.err, HasSubstr("erased"));
  EXPECT_EQ(Run("head" + S()).out, head.out);
  CliRun again = Run("erase" + S() + " --case C-OLD --reason again --authority x");
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("case 'C-OLD' was erased on"));

  // The log: verify passes, the proof made before still checks, and the
  // erased event can still be proved (its sealed bytes are the leaf).
  CliRun verify = Run("verify" + S());
  EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
  CliRun old_proof = Run("check-proof " + dir_.Sub("o1.proof.json"));
  EXPECT_EQ(old_proof.status, 0) << old_proof.out << old_proof.err;
  CliRun new_proof = Run("prove" + S() + " o2");
  EXPECT_EQ(new_proof.status, 0) << new_proof.err;
}

TEST_F(EraseCommandTest, ABackupForgetsTheCaseOnceItsMasterKeyIsRotatedAwayAndDestroyed) {
  CliRun backup = Run("backup" + S() + " --to " + dir_.Sub("backup"));
  ASSERT_EQ(backup.status, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("for as long as that key exists"));
  CliRun erase = Run("erase" + S() + " --case C-OLD --reason 'retention period ended'");
  ASSERT_EQ(erase.status, 0) << erase.err;

  // The backup was taken before: under key1 it still holds the case.
  CliRun restore = Run("restore --from " + dir_.Sub("backup") + " --to " + dir_.Sub("r1"));
  ASSERT_EQ(restore.status, 0) << restore.err;
  EXPECT_THAT(restore.out, HasSubstr("are in it again: erase them again"));
  CliRun read = Run("audit --store " + dir_.Sub("r1") + " --case C-OLD");
  ASSERT_EQ(read.status, 0) << read.err;
  EXPECT_THAT(read.out, HasSubstr("Zebedee"));

  // The operator's step (README "Erasure"): rotate to a new key, destroy the
  // old one. The live store reads under key2; the old backup no longer opens.
  ASSERT_EQ(RunCarelog("keys new --key-file " + key2(), dir_.path(), "").status, 0);
  CliRun rotate = Run("keys rotate" + S() + " --new-key-file " + key2());
  ASSERT_EQ(rotate.status, 0) << rotate.err;
  std::filesystem::remove(key1());
  CliRun live = Run("audit" + S() + " --case C-NEW", key2());
  ASSERT_EQ(live.status, 0) << live.err;
  EXPECT_THAT(live.out, HasSubstr("Ottoline"));
  CliRun restore2 = Run("restore --from " + dir_.Sub("backup") + " --to " + dir_.Sub("r2"), key2());
  ASSERT_EQ(restore2.status, 0) << restore2.err;  // restoring needs no key: it verifies only
  CliRun forgotten = Run("audit --store " + dir_.Sub("r2") + " --case C-OLD", key2());
  EXPECT_EQ(forgotten.status, 1);
  EXPECT_THAT(forgotten.err, HasSubstr("wrong master key"));
  CliRun also = Run("audit --store " + dir_.Sub("r2") + " --case C-NEW", key2());
  EXPECT_EQ(also.status, 1) << "the whole old backup is unreadable without its key";
}

}  // namespace
}  // namespace carelog
