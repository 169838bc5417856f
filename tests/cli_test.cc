// End-to-end tests of the `carelog` binary: exit codes, messages, and that a
// refused import leaves the store byte-for-byte unchanged.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "engine/event_log.h"
#include "store/event_store.h"
#include "engine/access_log.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;
using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::testing::HasSubstr;

void Write(const std::string& path, const std::string& text) { carelog::testing::WriteFile(path, text); }

// Every key and value in the store, read behind carelog's back.
std::string StoreBytes(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw);
  if (!st.ok()) return "cannot open: " + st.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  return carelog::testing::DumpKeys(db.get());
}

constexpr char kGood[] =
    R"({"eventId":"e1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"e2","caseId":"C-1","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n";

TEST(CliTest, ImportPrintsSummaryAndReimportIsNoOp) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  CliRun r = RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 events: 2 appended, 0 already present (positions 1-2)"));
  r = RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("0 appended, 2 already present"));
}

TEST(CliTest, RefusedImportReportsFileLineReasonExitsOneAndChangesNothing) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir).status, 0);
  const std::string before = StoreBytes(dir.Sub("s"));
  const std::string bad = dir.Sub("bad.ndjson");
  Write(bad, absl::StrCat(
                 R"({"eventId":"e3","caseId":"C-1","occurredAt":"2024-03-05T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroAllocated":{"iroId":"iro-1"}})",
                 "\n",
                 R"({"eventId":"e4","caseId":"C-1","occurredAt":"2024-03-06T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})",
                 "\n"));
  CliRun r = RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", bad), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(bad, ":2: childAccommodated: the child is already looked after")));
  EXPECT_THAT(r.err, HasSubstr("nothing appended"));
  EXPECT_EQ(StoreBytes(dir.Sub("s")), before);
}

TEST(CliTest, ImportFromStdin) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  const std::string cmd = absl::StrCat(CARELOG_BINARY, " import --store ", dir.Sub("s"), " - < ",
                                       dir.Sub("a.ndjson"), " > ", dir.Sub("o"));
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream f(dir.Sub("o"));
  std::string line;
  std::getline(f, line);
  EXPECT_THAT(line, HasSubstr("-: 2 events: 2 appended"));
}

TEST(CliTest, UsageErrorsExitTwo) {
  TempDir dir;
  EXPECT_EQ(RunCarelog("", dir).status, 2);
  EXPECT_EQ(RunCarelog("frobnicate", dir).status, 2);
  EXPECT_EQ(RunCarelog("import", dir).status, 2);
  CliRun r = RunCarelog("deadlines --colour red", dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --colour"));
  EXPECT_EQ(RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --format xml"), dir).status, 2);
}

TEST(CliTest, NotACarelogStoreIsAClearRefusal) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("other"));
  Write(dir.Sub("other/thesis.docx"), "x");
  Write(dir.Sub("a.ndjson"), kGood);
  CliRun r = RunCarelog(absl::StrCat("import --store ", dir.Sub("other"), " ", dir.Sub("a.ndjson")), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("not a carelog store"));
}

TEST(CliTest, StoreFromEnvironment) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  const std::string cmd = absl::StrCat("CARELOG_STORE=", dir.Sub("envstore"), " ", CARELOG_BINARY,
                                       " import ", dir.Sub("a.ndjson"), " >/dev/null");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("envstore/CURRENT")));
}

TEST(CliTest, DeadlinesJsonForOneCase) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir).status, 0);
  CliRun r = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"),
                               " --case C-1 --as-of 2024-03-20 --format json"),
                  dir);
  EXPECT_EQ(r.status, 0) << r.err;
  // Accommodated Fri 1 Mar 2024: notify due 2 working days later (Tue 5 Mar),
  // met on Mon 4 Mar; the first review 20 working days later skips Good
  // Friday and Easter Monday: Tue 2 Apr.
  EXPECT_THAT(r.out, HasSubstr(R"("caseId":"C-1","rule":"iro.notify","due":"2024-03-05","status":"MET","metOn":"2024-03-04")"));
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"review.initial","due":"2024-04-02","status":"OPEN")"));
  CliRun missing = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --case C-404 --format json"), dir);
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.err, HasSubstr("no case 'C-404'"));
}

TEST(CliTest, PackSettingIsValidated) {
  TempDir dir;
  CliRun r = RunCarelog(absl::StrCat("pack --store ", dir.Sub("s"), " atlantis"), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("atlantis"));
  r = RunCarelog(absl::StrCat("pack --store ", dir.Sub("s"), " --case C-7 scotland"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("C-7: scotland"));
  r = RunCarelog(absl::StrCat("pack --store ", dir.Sub("s")), dir);
  EXPECT_THAT(r.out, HasSubstr("store default: england"));
}

// Issue 14 point 9: `pack --rules NAME` prints a pack's rules without a
// store; an unknown pack is refused by name; --on/--format belong to it.
TEST(CliTest, PackRulesPrintsThePacksRules) {
  TempDir dir;
  CliRun r = RunCarelog("pack --rules england --on 2024-06-01", dir.path(),
                        absl::StrCat("CARELOG_STORE=", dir.Sub("s")));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Pack 'england' version 1, in force from 2011-04-01"));
  EXPECT_THAT(r.out, HasSubstr("statutory"));
  EXPECT_THAT(r.out, HasSubstr("review.initial"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("s"))) << "no store is opened or made";
  r = RunCarelog("pack --rules england-bristol --on 2024-06-01 --format csv", dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("pack,packVersion,effectiveFrom,id,kind,"));
  EXPECT_THAT(r.out, HasSubstr("\nengland-bristol,2,2024-05-01,"));
  r = RunCarelog("pack --rules scotland --format json", dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith(R"({"pack":"scotland","version":)"));
  r = RunCarelog("pack --rules atlantis", dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no policy pack 'atlantis'"));
  r = RunCarelog("pack --rules england --format xml", dir);
  EXPECT_EQ(r.status, 2);
  r = RunCarelog("pack --rules england --on 1 June", dir);
  EXPECT_EQ(r.status, 2);
  r = RunCarelog(absl::StrCat("pack --store ", dir.Sub("s"), " --format csv"), dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--on and --format go with --rules NAME"));
}

TEST(CliTest, GenIsDeterministic) {
  TempDir dir;
  CliRun a = RunCarelog("gen --children 5 --years 1 --seed 3", dir);
  CliRun b = RunCarelog("gen --children 5 --years 1 --seed 3", dir);
  EXPECT_EQ(a.status, 0);
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
}

TEST(CliTest, GeneratedHistoryImportsCleanly) {
  TempDir dir;
  const std::string cmd = absl::StrCat(CARELOG_BINARY, " gen --children 30 --years 2 --seed 11 2>/dev/null | ",
                                       CARELOG_BINARY, " import --store ", dir.Sub("s"), " - >",
                                       dir.Sub("o"), " 2>", dir.Sub("e"));
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream f(dir.Sub("e"));
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "");
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

TEST(CliTest, HolidaysOverrideSavedInTheStoreMovesDueDates) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir).status, 0);
  // Checkpointed under the built-in calendar: they must not outlive it.
  ASSERT_EQ(RunCarelog(absl::StrCat("checkpoint --store ", dir.Sub("s")), dir).status, 0);
  CliRun first = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --case C-1 --as-of 2024-03-20 --format json"), dir);
  EXPECT_THAT(first.out, HasSubstr(R"("rule":"iro.notify","due":"2024-03-05")"));
  // A newly announced holiday on Tue 5 Mar 2024 (the notify due date) must
  // push iro.notify to Wed 6 Mar without a release.
  Write(dir.Sub("bh.json"),
        R"({"england-and-wales":{"division":"england-and-wales","events":[)"
        R"({"title":"New Year","date":"2024-01-01"},{"title":"Good Friday","date":"2024-03-29"},)"
        R"({"title":"Easter Monday","date":"2024-04-01"},{"title":"Announced","date":"2024-03-05"}]}})");
  CliRun r = RunCarelog(absl::StrCat("holidays --store ", dir.Sub("s"), " --year 2024 ", dir.Sub("bh.json")), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("england-and-wales 2024: 2024-01-01 2024-03-05 2024-03-29 2024-04-01"));
  r = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --case C-1 --as-of 2024-03-20 --format json"), dir);
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"iro.notify","due":"2024-03-06")"));
  Write(dir.Sub("bad.json"), R"({"england-and-wales":{"events":[{"date":"2024-13-01"}]}})");
  r = RunCarelog(absl::StrCat("holidays --store ", dir.Sub("s"), " ", dir.Sub("bad.json")), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("2024-13-01"));
  // The good file is still in force.
  r = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --case C-1 --as-of 2024-03-20 --format json"), dir);
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"iro.notify","due":"2024-03-06")"));
}

}  // namespace
}  // namespace carelog

namespace carelog {
namespace {

TEST(CliTest, QueriesWorkWhileAnotherProcessHoldsTheStore) {
  TempDir dir;
  Write(dir.Sub("a.ndjson"), kGood);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir).status, 0);
  // This process holds the store for writing, as `carelog serve` would.
  auto holder = EventStore::Open(dir.Sub("s"));
  ASSERT_TRUE(holder.ok()) << holder.status();
  CliRun r = RunCarelog(absl::StrCat("deadlines --store ", dir.Sub("s"), " --case C-1 --as-of 2024-03-20 --format json"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"iro.notify")"));
  r = RunCarelog(absl::StrCat("audit --store ", dir.Sub("s"), " --case C-1 --as-of 2024-03-20"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  r = RunCarelog(absl::StrCat("cases --store ", dir.Sub("s")), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("C-1"));
  // Writing still needs the store to itself.
  r = RunCarelog(absl::StrCat("import --store ", dir.Sub("s"), " ", dir.Sub("a.ndjson")), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("in use by PID"));
}

// Issue 12 point 15: a disk that fills up while the import writes its
// checked events said "writing spool file … failed". A small tmpfs in a
// private mount namespace is the full disk (skipped where unshare is not
// allowed).
TEST(CliTest, AFullDiskWhileImportingSaysDiskFull) {
  TempDir dir;
  if (carelog::testing::Shell("unshare -rm true >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "unshare -rm (user and mount namespaces) is not allowed here";
  }
  std::string file;
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&file, R"({"eventId":"e-)", i, R"(","caseId":"C-)", i,
                    R"(","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-1","role":"SOCIAL_WORKER"},)",
                    R"("childAccommodated":{"legalStatus":"C2","placementType":"U1"},"comment":"a comment long enough to fill a small disk quickly"})",
                    "\n");
  }
  Write(dir.Sub("big.ndjson"), file);
  std::filesystem::create_directories(dir.Sub("small"));
  const std::string script = absl::StrCat(
      "mount -t tmpfs -o size=1m tmpfs ", dir.Sub("small"), " && ", CARELOG_BINARY,
      " import --store ", dir.Sub("small/s"), " ", dir.Sub("big.ndjson"), " >", dir.Sub("out"),
      " 2>", dir.Sub("err"), "; echo $? >", dir.Sub("rc"), "; ", CARELOG_BINARY,
      " verify --store ", dir.Sub("small/s"), " >", dir.Sub("verify"), " 2>&1; ls -a ",
      dir.Sub("small/s"), " >", dir.Sub("ls"));
  ASSERT_EQ(carelog::testing::Shell(absl::StrCat("unshare -rm sh -c '", script, "'")), 0);
  const std::string err = carelog::testing::ReadFile(dir.Sub("err"));
  EXPECT_NE(carelog::testing::ReadFile(dir.Sub("rc")), "0\n");
  EXPECT_THAT(err, HasSubstr("disk full while appending the import"));
  EXPECT_THAT(err, HasSubstr("nothing from this import was appended"));
  EXPECT_THAT(carelog::testing::ReadFile(dir.Sub("verify")), HasSubstr("log verified: 0 events"));
  EXPECT_THAT(carelog::testing::ReadFile(dir.Sub("ls")), ::testing::Not(HasSubstr(".stage-")))
      << "the staged tables are removed";
}

// Issue 12 point 12: a store written before the id alphabet may hold ids
// with NUL, ESC and newlines. `cases` stopped at the NUL (exit 0, invalid
// JSON) and an ESC sequence in an actor id reached the auditor's terminal.
// Every text output escapes them now, and JSON stays valid.
TEST(CliTest, OddIdsOfAnOldStorePrintSafely) {
  TempDir dir;
  const std::string nul_case("C-\0X", 4), esc_case = "C-\x1b]0;owned\x07";
  {
    auto store = std::move(EventStore::Open(dir.Sub("s"))).value();
    AppendRequest req;
    int n = 0;
    for (const std::string& c : {nul_case, esc_case, std::string("C-2")}) {
      v1::Event e = carelog::testing::Accommodated(absl::StrCat("e", ++n), c, "2024-03-01T10:00:00Z");
      e.mutable_actor()->set_id("sw\x1b[2J\x1b[H");
      e.set_comment("line one\nby IRO (IRO) forged\x1b[31m");
      req.records.push_back(NewRecord{c, e.event_id(), EncodeEvent(e)});
    }
    ASSERT_TRUE(store->Append(std::move(req)).ok());
    v1::AccessRecord a;
    a.set_token_name("tok\x1b[2J");
    a.set_role("reader");
    a.set_method("ReadCase");
    a.set_case_id(esc_case);
    a.set_peer("ipv4:10.0.0.1");
    ASSERT_TRUE(RecordAccess(store.get(), a).ok());
  }
  const std::string s = dir.Sub("s");
  auto no_raw_controls = [](const std::string& what, const std::string& out) {
    for (char c : out) {
      const unsigned char u = static_cast<unsigned char>(c);
      EXPECT_TRUE(u == '\n' || (u >= 0x20 && u != 0x7f)) << what << " printed byte " << int(u);
    }
  };
  CliRun r = RunCarelog(absl::StrCat("cases --store ", s), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  no_raw_controls("cases", r.out);
  EXPECT_THAT(r.out, HasSubstr("C-\\x00X"));
  EXPECT_THAT(r.out, HasSubstr("C-2 ")) << "the line after the NUL is printed";
  r = RunCarelog(absl::StrCat("cases --store ", s, " --format json"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  no_raw_controls("cases json", r.out);
  EXPECT_THAT(r.out, HasSubstr(R"("caseId":"C-\u0000X")"));
  EXPECT_THAT(r.out, HasSubstr(R"("caseId":"C-2")"));
  EXPECT_EQ(carelog::testing::Shell(absl::StrCat("python3 -c 'import json,sys; json.load(sys.stdin)' < ",
                                                 dir.path(), "/carelog.out")),
            0)
      << r.out;
  r = RunCarelog(absl::StrCat("audit --store ", s, " --case C-2 --as-of 2024-03-20"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  no_raw_controls("audit", r.out);
  EXPECT_THAT(r.out, HasSubstr("by sw\\x1B[2J\\x1B[H (SOCIAL_WORKER)"));
  EXPECT_THAT(r.out, HasSubstr("comment: line one\\nby IRO (IRO) forged\\x1B[31m"));
  r = RunCarelog(absl::StrCat("deadlines --store ", s, " --as-of 2024-03-20 --format table"), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  no_raw_controls("deadlines", r.out);
  EXPECT_THAT(r.out, HasSubstr("C-\\x1B]0;owned\\x07"));
  r = RunCarelog(absl::StrCat("access-log --store ", s), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  no_raw_controls("access-log", r.out);
  EXPECT_THAT(r.out, HasSubstr("tok\\x1B[2J"));
}

// Issue 12 point 13: absurd dates are refused naming field and range, and
// the false alarm they caused ("1 damaged" from `checkpoint --check` for
// ever, a scheduledFor of 0001-01-01 putting deadlines in year 0) is gone.
TEST(CliTest, AbsurdDatesAreRefusedAndCheckpointsStayClean) {
  TempDir dir;
  const std::string env = R"("actor":{"id":"sw","role":"SOCIAL_WORKER"})";
  Write(dir.Sub("absurd.ndjson"),
        absl::StrCat(
            R"({"eventId":"a1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z",)", env,
            R"(,"childAccommodated":{"legalStatus":"C2","placementType":"U1","dateOfBirth":"2099-01-01"}})", "\n",
            R"({"eventId":"a2","caseId":"C-1","occurredAt":"2024-03-02T10:00:00Z",)", env,
            R"(,"reviewScheduled":{"reviewId":"R-1","scheduledFor":"9999-12-31","format":"MEETING"}})", "\n",
            R"({"eventId":"a3","caseId":"C-2","occurredAt":"0001-01-01T00:00:00Z",)", env,
            R"(,"iroServiceNotified":{}})", "\n",
            R"({"eventId":"a4","caseId":"C-3","occurredAt":"2024-03-01T10:00:00Z",)", env,
            R"(,"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})", "\n",
            R"({"eventId":"a5","caseId":"C-3","occurredAt":"2024-03-02T10:00:00Z",)", env,
            R"(,"reviewScheduled":{"reviewId":"R-1","scheduledFor":"0001-01-01","format":"MEETING"}})", "\n",
            R"({"eventId":"a6","caseId":"C-4","occurredAt":"2024-03-01T10:00:00Z ",)", env,
            R"(,"iroServiceNotified":{}})", "\n",
            R"({"eventId":"a7","caseId":"C-4","occurredAt":"\u001b[2J",)", env,
            R"(,"iroServiceNotified":{}})", "\n"));
  const std::string s = dir.Sub("s");
  CliRun r = RunCarelog(absl::StrCat("import --store ", s, " ", dir.Sub("absurd.ndjson")), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(":1: field 'childAccommodated.dateOfBirth': 2099-01-01 is outside 1900-01-01 to 2024-03-01"));
  EXPECT_THAT(r.err, HasSubstr(":2: field 'reviewScheduled.scheduledFor': 9999-12-31 is outside 2022-03-02 to 2026-03-02"));
  EXPECT_THAT(r.err, HasSubstr(":3: field 'occurredAt': 0001-01-01T00:00:00Z is before 1900-01-01"));
  EXPECT_THAT(r.err, HasSubstr(":5: field 'reviewScheduled.scheduledFor': 0001-01-01 is outside"));
  EXPECT_THAT(r.err, HasSubstr(":6: field 'occurredAt': bad instant '2024-03-01T10:00:00Z ': no spaces"));
  // A refusal quotes the input, escaped for the terminal.
  EXPECT_THAT(r.err, HasSubstr(":7: field 'occurredAt': bad instant '\\x1B[2J'"));
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  Write(dir.Sub("good.ndjson"), kGood);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", s, " ", dir.Sub("good.ndjson")), dir).status, 0);
  ASSERT_EQ(RunCarelog(absl::StrCat("checkpoint --store ", s), dir).status, 0);
  r = RunCarelog(absl::StrCat("checkpoint --store ", s, " --check"), dir);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 damaged"));
}

}  // namespace
}  // namespace carelog
