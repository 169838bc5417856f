// The settings log (projections/settings_log.h, issue 12 point 5): every change of a
// setting that judges cases (`carelog pack`, `carelog holidays`) is an event
// in the system stream "$settings", in the hash chain and the Merkle tree; the
// stored setting is the fold of that stream and `verify` checks it; `audit`
// shows the changes that judged a case; `stats` counts case events, access
// records and settings records apart (point 9).
#include "projections/settings_log.h"

#include <pwd.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/bulk_loader.h"
#include "store/base/hex.h"
#include "store/event_store.h"
#include "store/merkle.h"
#include "store/record_format.h"
#include "tests/test_util.h"
#include "engine/access_log.h"
#include "projections/views/case_packs.h"

namespace carelog {
namespace {

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGood[] =
    R"({"eventId":"e1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"e2","caseId":"C-1","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n";

constexpr char kHolidays[] =
    R"({"england-and-wales":{"division":"england-and-wales","events":[)"
    R"({"title":"New Year","date":"2024-01-01"},{"title":"Announced","date":"2024-03-05"}]},)"
    R"("scotland":{"division":"scotland","events":[{"title":"St Andrew","date":"2024-12-02"}]}})";

std::string OsUser() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr ? pw->pw_name : "";
}

std::string Sha256Hex(const std::string& bytes) {
  Hash256 h;
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), h.data());
  return merkle::ToHex(h);
}

// A store holding case C-1 (2 events), imported by the binary.
class SettingsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kGood);
    ASSERT_EQ(Run(absl::StrCat("import --store ", store(), " ", dir_.Sub("a.ndjson"))).status, 0);
  }
  CliRun Run(const std::string& args) { return RunCarelog(args, dir_); }
  std::string store() const { return dir_.Sub("s"); }
  // Writes a setting behind carelog's back, as someone with write access to
  // the database could.
  void RawPut(const std::string& name, const std::string& value) {
    auto s = EventStore::Open(store());
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(carelog::testing::RawDb(**s)->Put(rocksdb::WriteOptions(), format::SettingKey(name), value).ok());
  }

  TempDir dir_;
};

TEST_F(SettingsCliTest, PackChangeMovesTheHeadAndVerifies) {
  CliRun before = Run(absl::StrCat("head --store ", store()));
  ASSERT_EQ(before.status, 0) << before.err;
  CliRun r = Run(absl::StrCat("pack --store ", store(), " england-bristol"));
  ASSERT_EQ(r.status, 0) << r.err;
  CliRun after = Run(absl::StrCat("head --store ", store()));
  ASSERT_EQ(after.status, 0) << after.err;
  EXPECT_NE(before.out, after.out);
  EXPECT_EQ(after.out.substr(0, 2), "3:");  // two events + one settings record
  CliRun v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("log verified: 3 events"));
  EXPECT_THAT(v.out, HasSubstr("settings agree with the settings log"));
  // The same for a case's own pack and for a calendar.
  r = Run(absl::StrCat("pack --store ", store(), " --case C-1 england-salford"));
  ASSERT_EQ(r.status, 0) << r.err;
  carelog::testing::WriteFile(dir_.Sub("bh.json"), kHolidays);
  r = Run(absl::StrCat("holidays --store ", store(), " ", dir_.Sub("bh.json")));
  ASSERT_EQ(r.status, 0) << r.err;
  after = Run(absl::StrCat("head --store ", store()));
  EXPECT_EQ(after.out.substr(0, 2), "5:");
  v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 0) << v.err;
}

TEST_F(SettingsCliTest, SettingChangedBehindTheStoresBackFailsVerify) {
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " england-bristol")).status, 0);
  RawPut("pack", "scotland");
  CliRun v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("setting 'pack'"));
  EXPECT_THAT(v.err, HasSubstr("'scotland'"));
  EXPECT_THAT(v.err, HasSubstr("'england-bristol'"));
  // A changing command refuses to build on a setting the log does not explain.
  CliRun p = Run(absl::StrCat("pack --store ", store(), " england"));
  EXPECT_EQ(p.status, 1);
  EXPECT_THAT(p.err, HasSubstr("setting 'pack'"));
}

TEST_F(SettingsCliTest, SettingAddedBehindTheStoresBackFailsVerify) {
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " england-bristol")).status, 0);
  RawPut("pack.case.C-1", "scotland");
  CliRun v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("setting 'pack.case.C-1'"));
  EXPECT_THAT(v.err, HasSubstr("not in the settings log"));
}

TEST_F(SettingsCliTest, HolidaysChangedBehindTheStoresBackFailsVerifyNamingHashes) {
  carelog::testing::WriteFile(dir_.Sub("bh.json"), kHolidays);
  ASSERT_EQ(Run(absl::StrCat("holidays --store ", store(), " ", dir_.Sub("bh.json"))).status, 0);
  const std::string forged = absl::StrCat(kHolidays, " ");
  RawPut("holidays.json", forged);
  CliRun v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("setting 'holidays.json'"));
  EXPECT_THAT(v.err, HasSubstr(Sha256Hex(forged)));
  EXPECT_THAT(v.err, HasSubstr(Sha256Hex(kHolidays)));
}

TEST_F(SettingsCliTest, SettingsFromBeforeTheLogAreAWarningThenRecordedAsFound) {
  RawPut("pack", "scotland");  // as a store written by an earlier carelog
  CliRun v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.err, HasSubstr("setting 'pack' = 'scotland' predates the settings log"));
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " --case C-1 england-bristol")).status, 0);
  v = Run(absl::StrCat("verify --store ", store()));
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.err, Not(HasSubstr("predates")));
  // The audit shows the default as found when the log began, and the change.
  CliRun a = Run(absl::StrCat("audit --store ", store(), " --case C-1 --as-of 2024-03-20"));
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("pack: scotland (found set when the settings log began)"));
  EXPECT_THAT(a.out, HasSubstr("pack.case.C-1: (unset) -> england-bristol"));
}

TEST_F(SettingsCliTest, AuditShowsWhichPackAndCalendarJudgedTheCaseAndWhenTheyChanged) {
  CliRun plain = Run(absl::StrCat("audit --store ", store(), " --case C-1 --as-of 2024-03-20"));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("Settings")));  // nothing to show, nothing added
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " --case C-1 england-bristol")).status, 0);
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " --case C-9 scotland")).status, 0);
  carelog::testing::WriteFile(dir_.Sub("bh.json"), kHolidays);
  ASSERT_EQ(Run(absl::StrCat("holidays --store ", store(), " ", dir_.Sub("bh.json"))).status, 0);

  CliRun a = Run(absl::StrCat("audit --store ", store(), " --case C-1 --as-of 2024-03-20"));
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("Judged under pack 'england-bristol' (this case's own setting)"));
  EXPECT_THAT(a.out, HasSubstr(absl::StrCat("calendar: the built-in rules overridden by a saved "
                                            "bank-holidays file, SHA-256 ",
                                            Sha256Hex(kHolidays))));
  EXPECT_THAT(a.out, HasSubstr("Settings changes that affect this case (2):"));
  EXPECT_THAT(a.out, HasSubstr("position 3  pack.case.C-1: (unset) -> england-bristol  by " + OsUser()));
  EXPECT_THAT(a.out, HasSubstr("position 5  holidays.json: (unset) -> SHA-256 " + Sha256Hex(kHolidays)));
  EXPECT_THAT(a.out, HasSubstr("england-and-wales 2024-01-01 2024-03-05"));
  EXPECT_THAT(a.out, HasSubstr("scotland 2024-12-02"));
  EXPECT_THAT(a.out, Not(HasSubstr("C-9")));  // another case's override
  // The obligations moved with the calendar: iro.notify due Wed 6 Mar.
  EXPECT_THAT(a.out, HasSubstr("due 2024-03-06"));

  CliRun j = Run(absl::StrCat("audit --store ", store(), " --case C-1 --as-of 2024-03-20 --format json"));
  ASSERT_EQ(j.status, 0) << j.err;
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat(
                         R"("settings":{"pack":"england-bristol","packSetting":"pack.case.C-1",)",
                         R"("calendarSha256":")", Sha256Hex(kHolidays), R"(","changes":[)")));
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat(R"("position":3,"setting":"pack.case.C-1",)")));
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat(R"("changedBy":")", OsUser(), R"(","via":"cli")")));
  EXPECT_THAT(j.out, HasSubstr(R"("old":null,"new":"england-bristol")"));
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat(R"("newSha256":")", Sha256Hex(kHolidays), R"(")")));
  EXPECT_THAT(j.out, HasSubstr(
                         R"("dates":{"england-and-wales":["2024-01-01","2024-03-05"],"scotland":["2024-12-02"]})"));
}

TEST_F(SettingsCliTest, HolidaysSaveSaysWhatWasRecorded) {
  carelog::testing::WriteFile(dir_.Sub("bh.json"), kHolidays);
  CliRun r = Run(absl::StrCat("holidays --store ", store(), " ", dir_.Sub("bh.json")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("SHA-256 ", Sha256Hex(kHolidays))));
  EXPECT_THAT(r.out, HasSubstr("recorded at position 3 of the settings log"));
}

TEST_F(SettingsCliTest, StatsCountsCaseEventsAccessRecordsAndSettingsRecordsApart) {
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " england-bristol")).status, 0);
  {
    auto s = EventStore::Open(store());
    ASSERT_TRUE(s.ok()) << s.status();
    v1::AccessRecord rec;
    rec.set_token_name("t");
    rec.set_role("reader");
    rec.set_method("ReadCase");
    rec.set_case_id("C-1");
    ASSERT_TRUE(RecordAccess(s->get(), rec).ok());
    rec.set_case_id("");
    ASSERT_TRUE(RecordAccess(s->get(), rec).ok());
  }
  CliRun t = Run(absl::StrCat("stats --store ", store()));
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("events:       2 (case events)\n"));
  EXPECT_THAT(t.out, HasSubstr("access records: 2\n"));
  EXPECT_THAT(t.out, HasSubstr("settings records: 1\n"));
  EXPECT_THAT(t.out, HasSubstr("log positions: 5\n"));
  CliRun j = Run(absl::StrCat("stats --format json --store ", store()));
  ASSERT_EQ(j.status, 0) << j.err;
  EXPECT_THAT(j.out, HasSubstr(R"("events":2,"accessRecords":2,"settingsRecords":1,"positions":5,)"));
}

TEST_F(SettingsCliTest, CaseConsumersIgnoreTheSettingsLog) {
  ASSERT_EQ(Run(absl::StrCat("pack --store ", store(), " --case C-1 scotland")).status, 0);
  carelog::testing::WriteFile(dir_.Sub("bh.json"), kHolidays);
  ASSERT_EQ(Run(absl::StrCat("holidays --store ", store(), " ", dir_.Sub("bh.json"))).status, 0);
  CliRun c = Run(absl::StrCat("cases --store ", store(), " --format json"));
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("C-1"));
  EXPECT_THAT(c.out, Not(HasSubstr("$settings")));
  CliRun k = Run(absl::StrCat("checkpoint --store ", store()));
  ASSERT_EQ(k.status, 0) << k.err;
  k = Run(absl::StrCat("checkpoint --store ", store(), " --check"));
  EXPECT_EQ(k.status, 0) << k.out << k.err;
  CliRun d = Run(absl::StrCat("deadlines --store ", store(), " --as-of 2024-03-20 --format json"));
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_THAT(d.out, Not(HasSubstr("$settings")));
  CliRun q = Run(absl::StrCat("report qa --store ", store(), " --from 2024-01-01 --to 2024-12-31"));
  EXPECT_EQ(q.status, 0) << q.err;
  CliRun x = Run(absl::StrCat("export 903 --store ", store(), " --year 2024 --out ", dir_.Sub("x")));
  EXPECT_NE(x.status, 3) << x.err;
  EXPECT_THAT(x.err, Not(HasSubstr("$settings")));
}

// The store layer: a setting given with an append is written in the same
// atomic write as its records, so a crash cannot keep one without the other,
// and an append that is refused writes neither.
TEST(SettingsStoreTest, SettingsGoInTheSameAtomicWriteAsTheRecords) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.Sub("s"))).value();
  AppendRequest req;
  req.records.push_back(NewRecord{"$settings", "id-1", "x"});
  req.settings.emplace_back("pack", "scotland");
  req.expected_versions["$settings"] = 0;
  ASSERT_TRUE(store->Append(std::move(req)).ok());
  EXPECT_EQ(*store->GetSetting("pack"), "scotland");
  AppendRequest stale;  // refused: the stream moved on
  stale.records.push_back(NewRecord{"$settings", "id-2", "y"});
  stale.settings.emplace_back("pack", "england");
  stale.expected_versions["$settings"] = 0;
  EXPECT_EQ(store->Append(std::move(stale)).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(*store->GetSetting("pack"), "scotland");
  EXPECT_EQ(store->LastPosition(), 1u);
  AppendRequest bulk;  // a bulk load takes no settings
  bulk.records.push_back(NewRecord{"$settings", "id-3", "z"});
  bulk.settings.emplace_back("pack", "england");
  EXPECT_EQ((*store->BeginBulkLoad())->Append(std::move(bulk)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*store->GetSetting("pack"), "scotland");
}

// The library: the fold, and what the check reports.
TEST(SettingsLogTest, ChangeRecordsWhoWhenOldAndNewAndTheSettingIsTheFold) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.Sub("s"))).value();
  SettingsActor who{"iro-manager", "service"};
  auto first = ChangeSetting(store.get(), "pack", "scotland", who);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = ChangeSetting(store.get(), "pack", "england-salford", who);
  ASSERT_TRUE(second.ok()) << second.status();
  auto log = ReadSettingsLog(*store);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].setting(), "pack");
  EXPECT_TRUE((*log)[1].has_old_value());
  EXPECT_EQ((*log)[1].old_value(), "scotland");
  EXPECT_EQ((*log)[1].new_value(), "england-salford");
  EXPECT_EQ((*log)[1].changed_by(), "iro-manager");
  EXPECT_EQ((*log)[1].via(), "service");
  EXPECT_TRUE((*log)[1].has_at());
  EXPECT_EQ((*log)[1].position(), 2u);
  EXPECT_FALSE((*log)[0].has_old_value());
  EXPECT_EQ(FoldSettings(*log).at("pack"), "england-salford");
  EXPECT_EQ(*store->GetSetting("pack"), "england-salford");
  auto check = CheckSettings(*store);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->problems.empty());
  EXPECT_TRUE(check->warnings.empty());
  // Not cases: every Streams()-based consumer keeps ignoring the log.
  EXPECT_TRUE(store->Streams()->empty());
}

TEST(SettingsLogTest, HolidaysChangeRecordsItsHashAndDatesAndRefusesABadFile) {
  TempDir dir;
  auto store = std::move(EventStore::Open(dir.Sub("s"))).value();
  auto rec = ChangeSetting(store.get(), kHolidaysSetting, kHolidays, SettingsActor{"alice", "cli"});
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(HexOf(rec->new_sha256()), Sha256Hex(kHolidays));
  ASSERT_EQ(rec->holidays_size(), 2);
  EXPECT_EQ(rec->holidays(0).division(), "england-and-wales");
  EXPECT_THAT(rec->holidays(0).dates(), ::testing::ElementsAre("2024-01-01", "2024-03-05"));
  EXPECT_EQ(rec->holidays(1).division(), "scotland");
  auto bad = ChangeSetting(store.get(), kHolidaysSetting, "{", SettingsActor{"alice", "cli"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  auto unknown = ChangeSetting(store.get(), "backup.last", "x", SettingsActor{"alice", "cli"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->LastPosition(), 1u);
}

}  // namespace
}  // namespace carelog
