// Deadlines answered through checkpoints (projections/views/deadlines_view.h): the same
// fold as the log gives, from the checkpoint only when it is current, caught
// up only for what came after it, rebuilt when the rules, calendar or bytes
// are not the ones it was written with.
#include "projections/views/deadlines_view.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "engine/importer.h"
#include "gtest/gtest.h"
#include "projections/views/deadlines_checkpoint.h"
#include "projections/deadlines_format.h"
#include "tests/test_util.h"
#include "engine/gen/generate_histories.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::RunCarelog;
using testing::TempDir;

// Every obligation and finding, all fields (JSON of the obligations plus the
// findings' lines).
std::string Describe(const CaseDeadlines& d) {
  std::string s;
  bool first = true;
  AppendDeadlinesJson(d, &s, &first);
  for (const Obligation& o : d.obligations) {
    absl::StrAppend(&s, "\n", o.trigger_position, " ",
                    o.met_by_position ? absl::StrCat(*o.met_by_position) : "-", " ",
                    o.closed_on ? FormatDate(*o.closed_on) : "-", " v", o.pack_version);
  }
  for (const Finding& f : d.findings) {
    absl::StrAppend(&s, "\nF ", f.rule_id, " ", f.review_id, " ", f.detail, " ", FormatDate(f.on),
                    " ", f.position, " v", f.pack_version);
  }
  return s;
}

class DeadlinesViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    std::ostringstream text;
    GenOptions opts;
    opts.children = 40;
    opts.years = 2;
    opts.seed = 11;
    opts.end = absl::CivilDay(2025, 9, 30);
    ASSERT_TRUE(GenerateHistories(opts, text).ok());
    Import(text.str());
    auto registry = PolicyRegistry::LoadEmbedded();
    ASSERT_TRUE(registry.ok());
    registry_ = std::make_unique<PolicyRegistry>(std::move(*registry));
    packs_ = std::make_unique<CasePacks>(store_.get(), registry_.get());
    auto cases = store_->Streams();
    ASSERT_TRUE(cases.ok());
    cases_ = *cases;
    ASSERT_EQ(cases_.size(), 40u);
  }

  void Import(const std::string& ndjson) {
    std::istringstream in(ndjson);
    ImportOptions o;
    o.clock = &clock_;
    auto r = ImportNdjson(store_.get(), in, o);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->refused, 0u);
  }

  const ResolvedPack& PackOf(const std::string& id) { return **packs_->For(id); }

  // The fold straight from the log.
  std::string Fresh(const std::string& id, absl::CivilDay as_of, const Calendar& cal) {
    EventLog log(read_only_ != nullptr ? read_only_.get() : store_.get(), &clock_);
    auto events = log.ReadCase(id);
    EXPECT_TRUE(events.ok());
    return Describe(FoldDeadlines(id, std::move(*events), PackOf(id), cal, as_of));
  }

  // Asks the view for `id`; checks the answer equals the log's fold and
  // returns whether it came from the checkpoint.
  bool FromCheckpoint(const DeadlinesView& view, const std::string& id, absl::CivilDay as_of,
                      const Calendar& cal = Calendar::Default()) {
    auto a = view.Get(id, PackOf(id), as_of);
    EXPECT_TRUE(a.ok()) << a.status();
    if (!a.ok()) return false;
    EXPECT_EQ(Describe(a->deadlines), Fresh(id, as_of, cal)) << id << " " << FormatDate(as_of);
    return a->from_checkpoint;
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 5, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventStoreReader> read_only_;  // when reopened read-only
  std::unique_ptr<PolicyRegistry> registry_;
  std::unique_ptr<CasePacks> packs_;
  std::vector<std::string> cases_;
  const absl::CivilDay today_{2025, 10, 5};
};

TEST_F(DeadlinesViewTest, WithoutCheckpointsEveryCaseIsFoldedFromTheLog) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  for (const std::string& id : cases_) EXPECT_FALSE(FromCheckpoint(view, id, today_)) << id;
  auto none = view.Get("C-nobody", PackOf("C-nobody"), today_);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->case_version, 0u);
  EXPECT_TRUE(none->deadlines.obligations.empty());
}

TEST_F(DeadlinesViewTest, AfterUpdateEveryCaseAnswersFromItsCheckpointWithTheSameFold) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  auto r = view.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->from_position, 0u);
  EXPECT_EQ(r->position, store_->LastPosition());
  EXPECT_EQ(r->cases, 40u);
  EXPECT_EQ(r->folded, 40u);
  EXPECT_EQ(r->missing, 40u);
  int past = 0;
  for (const std::string& id : cases_) {
    EXPECT_TRUE(FromCheckpoint(view, id, today_)) << id;
    EXPECT_TRUE(FromCheckpoint(view, id, today_ + 400)) << id;
    // An as-of view of the past (before the case's last event) comes from
    // the log, and is still the right one.
    if (!FromCheckpoint(view, id, absl::CivilDay(2024, 12, 31))) ++past;
  }
  EXPECT_GT(past, 20);
  // Nothing new: a second update folds nothing.
  auto again = view.Update(packs_.get(), false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->from_position, r->position);
  EXPECT_EQ(again->folded, 0u);
}

TEST_F(DeadlinesViewTest, NewEventsMakeOnlyTheirCaseStaleAndUpdateCatchesUpOnlyThem) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  const uint64_t head = store_->LastPosition();
  // A child still in care: its review chain has an obligation still open.
  std::string a;
  for (const std::string& id : cases_) {
    auto d = view.Get(id, PackOf(id), today_);
    ASSERT_TRUE(d.ok());
    for (const Obligation& o : d->deadlines.obligations)
      if (o.rule_id == "review.subsequent" && !o.met_on && !o.closed_on) a = id;
  }
  ASSERT_FALSE(a.empty());
  const std::string b = a == cases_[4] ? cases_[5] : cases_[4];
  // A significant event creates an obligation (review.early_considered).
  Import(absl::StrCat(R"({"eventId":"late-1","caseId":")", a,
                      R"(","occurredAt":"2025-10-02T10:00:00Z","actor":{"id":"sw-1","role":"SOCIAL_WORKER"},"significantEventReported":{"kind":"COMPLAINT"}})",
                      "\n"));
  EXPECT_FALSE(FromCheckpoint(view, a, today_));  // stale: folded from the log
  EXPECT_TRUE(FromCheckpoint(view, b, today_));
  auto r = view.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->from_position, head);
  EXPECT_EQ(r->position, head + 1);
  EXPECT_EQ(r->folded, 1u);
  EXPECT_EQ(r->touched, 1u);
  EXPECT_EQ(r->missing + r->rules_changed, 0u);
  EXPECT_TRUE(FromCheckpoint(view, a, today_));
  auto now = view.Get(a, PackOf(a), today_);
  ASSERT_TRUE(now.ok());
  bool early = false;
  for (const Obligation& o : now->deadlines.obligations)
    early |= o.rule_id == "review.early_considered" && o.trigger_position == head + 1;
  EXPECT_TRUE(early) << "the checkpoint reflects the new event";
}

TEST_F(DeadlinesViewTest, AReopenedStoreAnswersItsFirstQueryFromTheCheckpoint) {
  {
    DeadlinesView view(store_.get(), &Calendar::Default());
    ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  }
  packs_.reset();
  store_.reset();
  StoreOptions so;
  so.create_if_missing = false;
  auto reopened = EventStoreReader::Open(dir_.Sub("s"), so);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  read_only_ = std::move(*reopened);
  packs_ = std::make_unique<CasePacks>(read_only_.get(), registry_.get());
  DeadlinesView view(read_only_.get(), &Calendar::Default());
  EXPECT_TRUE(FromCheckpoint(view, cases_[7], today_));
  // Only a writable store takes checkpoints.
  auto r = view.Update(packs_.get(), false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DeadlinesViewTest, ACheckpointOfOtherRulesIsRebuiltNotTrusted) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  const std::string a = cases_[5];
  ASSERT_TRUE(packs_->Set(a, "england-bristol", CliActor()).ok());
  EXPECT_FALSE(FromCheckpoint(view, a, today_));  // judged under Bristol's rules, from the log
  EXPECT_TRUE(FromCheckpoint(view, cases_[6], today_));
  auto r = view.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 1u);
  EXPECT_EQ(r->rules_changed, 1u);
  EXPECT_TRUE(FromCheckpoint(view, a, today_));

  // A checkpoint written by an older fold (another fingerprint) is rebuilt.
  auto bytes = store_->GetCheckpoint(absl::StrCat(kDeadlinesCaseCheckpoint, cases_[6]));
  ASSERT_TRUE(bytes.ok());
  auto findings = store_->GetCheckpoint(absl::StrCat(kDeadlinesFindingsCheckpoint, cases_[6]));
  ASSERT_TRUE(findings.ok());
  const std::string_view findings_view = *findings;
  auto old = DecodeDeadlinesCheckpoint(cases_[6], *bytes, &findings_view);
  ASSERT_TRUE(old.ok());
  old->fingerprint = std::string(16, '\x01');
  const DeadlinesCheckpointValues values = EncodeDeadlinesCheckpoint(*old);
  ASSERT_TRUE(store_->PutCheckpoints(
                        {{absl::StrCat(kDeadlinesCaseCheckpoint, cases_[6]), values.main},
                         {absl::StrCat(kDeadlinesFindingsCheckpoint, cases_[6]), values.findings},
                         {absl::StrCat(kDeadlinesIndexCheckpoint, cases_[6]),
                          values.main.substr(0, kDeadlinesIndexBytes)}})
                  .ok());
  EXPECT_FALSE(FromCheckpoint(view, cases_[6], today_));
  r = view.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 1u);
  EXPECT_EQ(r->rules_changed, 1u);
  EXPECT_TRUE(FromCheckpoint(view, cases_[6], today_));

  // Another calendar (a newly announced bank holiday): nothing is trusted.
  auto cal = Calendar::WithOverride(R"({"england-and-wales":{"division":"england-and-wales",
      "events":[{"title":"New Year","date":"2025-01-01"},{"title":"Extra","date":"2025-06-16"}]}})");
  ASSERT_TRUE(cal.ok()) << cal.status();
  DeadlinesView other(store_.get(), &*cal);
  for (const std::string& id : cases_) EXPECT_FALSE(FromCheckpoint(other, id, today_, *cal));
  r = other.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 40u);
  EXPECT_EQ(r->rules_changed, 40u);
  for (const std::string& id : cases_) EXPECT_TRUE(FromCheckpoint(other, id, today_, *cal));
}

TEST_F(DeadlinesViewTest, ADamagedCheckpointIsRefoldedNotTrusted) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  const std::string name = absl::StrCat(kDeadlinesCaseCheckpoint, cases_[9]);
  auto bytes = store_->GetCheckpoint(name);
  ASSERT_TRUE(bytes.ok());
  std::string bad = *bytes;
  bad[bad.size() / 2] ^= 0x04;
  ASSERT_TRUE(store_->PutCheckpoints({{name, bad}}).ok());
  EXPECT_FALSE(FromCheckpoint(view, cases_[9], today_));
  // A missing index value: Update refolds the case.
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Delete(rocksdb::WriteOptions(), std::string("P") +
                                          absl::StrCat(kDeadlinesIndexCheckpoint, cases_[8]))
                  .ok());
  auto r = view.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 1u);
  EXPECT_EQ(r->missing, 1u);
  EXPECT_TRUE(FromCheckpoint(view, cases_[8], today_));
  // A damaged or missing findings value: the same, for readers of findings.
  const std::string fname = absl::StrCat(kDeadlinesFindingsCheckpoint, cases_[10]);
  auto fbytes = store_->GetCheckpoint(fname);
  ASSERT_TRUE(fbytes.ok());
  std::string fbad = *fbytes;
  fbad[fbad.size() - 3] ^= 0x40;
  ASSERT_TRUE(store_->PutCheckpoints({{fname, fbad}}).ok());
  EXPECT_FALSE(FromCheckpoint(view, cases_[10], today_));
  ASSERT_TRUE(carelog::testing::RawDb(*store_)->Delete(rocksdb::WriteOptions(), std::string("P") +
                                          absl::StrCat(kDeadlinesFindingsCheckpoint, cases_[11]))
                  .ok());
  EXPECT_FALSE(FromCheckpoint(view, cases_[11], today_));
  // Readers of obligations only still use them.
  DeadlinesView::Options obligations_only;
  obligations_only.with_findings = false;
  EXPECT_TRUE(view.Get(cases_[10], PackOf(cases_[10]), today_, obligations_only)->from_checkpoint);
  // Update reads the index only, so it leaves damaged values (still never
  // trusted); the check names them, a rebuild mends them.
  EXPECT_FALSE(FromCheckpoint(view, cases_[9], today_));
  auto check = view.Check(packs_.get());
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->damaged, (std::vector<std::string>{cases_[9], cases_[10], cases_[11]}));
  r = view.Update(packs_.get(), true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(FromCheckpoint(view, cases_[9], today_));
  EXPECT_TRUE(FromCheckpoint(view, cases_[10], today_));
  EXPECT_TRUE(FromCheckpoint(view, cases_[11], today_));
  EXPECT_TRUE(view.Check(packs_.get())->damaged.empty());
  // Checkpoints are beside the log, not in it: the log still verifies.
  auto v = store_->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
}

// A store written before carelog refused absurd dates (issue 12 point 13) can
// hold a review scheduled for 0001-01-01: its fold has due dates outside
// years 0001-9999, which no checkpoint decodes. That is not damage: the
// check says so apart, a rebuild does not turn it into an alarm, and readers
// fold the case from the log with the same answer as ever.
TEST_F(DeadlinesViewTest, AFoldNoCheckpointCanHoldIsNotReportedAsDamage) {
  const std::string id = cases_[5];
  EventLog log(store_.get(), &clock_);
  auto events = log.ReadCase(id);
  ASSERT_TRUE(events.ok());
  v1::Event legacy = testing::Envelope("legacy-absurd-1", id, "2024-06-03T10:00:00Z");
  legacy.mutable_review_scheduled()->set_review_id("R-LEGACY");
  legacy.mutable_review_scheduled()->set_scheduled_for("0001-01-01");
  legacy.mutable_review_scheduled()->set_format(v1::MEETING);
  // Behind validation's back, as an older carelog would have stored it.
  AppendRequest req;
  req.records.push_back(NewRecord{id, legacy.event_id(), EncodeEvent(legacy)});
  ASSERT_TRUE(store_->Append(std::move(req)).ok());

  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), /*rebuild=*/true).ok());
  auto check = view.Check(packs_.get());
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->damaged.empty()) << check->damaged.front();
  EXPECT_TRUE(check->differing.empty());
  EXPECT_EQ(check->not_checkpointable, std::vector<std::string>{id});
  // Readers fold it from the log, with the fold's answer.
  EXPECT_FALSE(FromCheckpoint(view, id, today_));
  // A damaged checkpoint of such a case is still damage.
  const std::string name = absl::StrCat(kDeadlinesCaseCheckpoint, id);
  auto bytes = store_->GetCheckpoint(name);
  ASSERT_TRUE(bytes.ok());
  std::string bad = *bytes;
  bad[bad.size() / 2] ^= 0x10;
  ASSERT_TRUE(store_->PutCheckpoints({{name, bad}}).ok());
  check = view.Check(packs_.get());
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->damaged, std::vector<std::string>{id});
  EXPECT_TRUE(check->not_checkpointable.empty());
}

TEST_F(DeadlinesViewTest, ObligationsOnlyLeavesFindingsOutAndObligationsUnchanged) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  DeadlinesView::Options obligations_only;
  obligations_only.with_findings = false;
  size_t findings = 0;
  for (const std::string& id : cases_) {
    auto full = view.Get(id, PackOf(id), today_);
    auto part = view.Get(id, PackOf(id), today_, obligations_only);
    ASSERT_TRUE(full.ok() && part.ok());
    ASSERT_TRUE(full->from_checkpoint && part->from_checkpoint);
    findings += full->deadlines.findings.size();
    EXPECT_TRUE(part->deadlines.findings.empty());
    CaseDeadlines without = full->deadlines;
    without.findings.clear();
    EXPECT_EQ(Describe(part->deadlines), Describe(without)) << id;
  }
  EXPECT_GT(findings, 0u);  // the full answers had findings to leave out
}

TEST_F(DeadlinesViewTest, CheckFindsACheckpointForgedWithAValidChecksum) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  auto clean = view.Check(packs_.get());
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->cases, 40u);
  EXPECT_EQ(clean->current, 40u);
  EXPECT_TRUE(clean->differing.empty());

  // Someone with write access to the database moves a due date and
  // recomputes the checksum: checkpoints are not in the hash chain, so a
  // reader trusts it...
  const std::string id = cases_[12];
  const std::string main_name = absl::StrCat(kDeadlinesCaseCheckpoint, id);
  const std::string findings_name = absl::StrCat(kDeadlinesFindingsCheckpoint, id);
  auto main = store_->GetCheckpoint(main_name);
  auto findings = store_->GetCheckpoint(findings_name);
  ASSERT_TRUE(main.ok() && findings.ok());
  const std::string_view findings_view = *findings;
  auto forged = DecodeDeadlinesCheckpoint(id, *main, &findings_view);
  ASSERT_TRUE(forged.ok());
  ASSERT_FALSE(forged->deadlines.obligations.empty());
  forged->deadlines.obligations[0].due += 30;
  const DeadlinesCheckpointValues v = EncodeDeadlinesCheckpoint(*forged);
  ASSERT_TRUE(store_->PutCheckpoints({{main_name, v.main}, {findings_name, v.findings}}).ok());
  auto a = view.Get(id, PackOf(id), today_);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->from_checkpoint);
  EXPECT_NE(Describe(a->deadlines), Fresh(id, today_, Calendar::Default()));
  // ...and the check against the log names it.
  auto found = view.Check(packs_.get());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->differing, std::vector<std::string>{id});
  // A rebuild replaces it.
  ASSERT_TRUE(view.Update(packs_.get(), true).ok());
  EXPECT_TRUE(FromCheckpoint(view, id, today_));
  EXPECT_TRUE(view.Check(packs_.get())->differing.empty());
}

TEST_F(DeadlinesViewTest, RebuildFoldsEveryCase) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  ASSERT_TRUE(view.Update(packs_.get(), false).ok());
  auto r = view.Update(packs_.get(), true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 40u);
  EXPECT_TRUE(FromCheckpoint(view, cases_[0], today_));
}

// Every case's checkpoint values (not the head, which records when it was
// written), name and bytes.
std::string CheckpointValues(const EventStoreReader& store) {
  std::string all;
  EXPECT_TRUE(store
                  .ScanCheckpoints("",
                                   [&](std::string_view name, std::string_view bytes) {
                                     if (name != kDeadlinesHeadCheckpoint) {
                                       all.append(name).append("=").append(bytes).append("\n");
                                     }
                                     return true;
                                   })
                  .ok());
  return all;
}

// A rebuild reads the log in one pass, in two (a budget of about half its
// records) or case by case (a budget of a byte): the same checkpoints.
TEST_F(DeadlinesViewTest, RebuildWritesTheSameCheckpointsHoweverTheLogIsRead) {
  DeadlinesView view(store_.get(), &Calendar::Default());
  auto per_byte = LogByCase::EstimatePasses(*store_, 1);  // the log's bytes, as counted
  ASSERT_TRUE(per_byte.ok());
  std::vector<std::string> written;
  for (size_t hold : {kReplayHoldBytes, *per_byte / 2 + *per_byte / 8, size_t{1}}) {
    auto passes = LogByCase::EstimatePasses(*store_, hold);
    ASSERT_TRUE(passes.ok());
    if (!written.empty()) {  // what the last rebuild wrote, spoilt: each must write it all
      std::vector<std::pair<std::string, std::string>> spoilt;
      ASSERT_TRUE(store_
                      ->ScanCheckpoints("",
                                        [&](std::string_view name, std::string_view) {
                                          if (name != kDeadlinesHeadCheckpoint) {
                                            spoilt.emplace_back(std::string(name), "spoilt");
                                          }
                                          return true;
                                        })
                      .ok());
      ASSERT_EQ(spoilt.size(), 4 * 40u);
      ASSERT_TRUE(store_->PutCheckpoints(spoilt).ok());
    }
    auto r = view.Update(packs_.get(), true, hold);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->folded, 40u);
    written.push_back(CheckpointValues(*store_));
    EXPECT_NE(written.back().find("="), std::string::npos);
    EXPECT_EQ(written.back(), written.front()) << hold << " bytes, " << *passes << " passes";
  }
  auto check = view.Check(packs_.get());
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->current, 40u);
  EXPECT_TRUE(check->differing.empty());
  EXPECT_TRUE(FromCheckpoint(view, cases_[7], today_));
}

TEST(DeadlinesCheckpointCliTest, CheckpointThenImportCatchesUpAndAnswersAreUnchanged) {
  TempDir dir;
  const std::string store = dir.Sub("s");
  ASSERT_EQ(testing::Shell(absl::StrCat(CARELOG_BINARY, " gen --children 30 --years 2 --seed 3 "
                                        "--end 2025-09-30 > ", dir.Sub("a.ndjson"))),
            0);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", store, " ", dir.Sub("a.ndjson")), dir).status,
            0);
  auto r = RunCarelog(absl::StrCat("checkpoint --store ", store), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("30 cases, 30 folded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("30 without a usable one"), std::string::npos) << r.out;
  testing::WriteFile(
      dir.Sub("b.ndjson"),
      R"({"eventId":"x-1","caseId":"C-000002","occurredAt":"2025-10-01T10:00:00Z","actor":{"id":"sw-1","role":"SOCIAL_WORKER"},"significantEventReported":{"kind":"COMPLAINT"}})"
      "\n");
  r = RunCarelog(absl::StrCat("import --store ", store, " ", dir.Sub("b.ndjson")), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("checkpoints (deadlines, care-plan state): 1 cases folded"), std::string::npos) << r.out;
  r = RunCarelog(absl::StrCat("checkpoint --store ", store), dir);
  EXPECT_NE(r.out.find("0 folded"), std::string::npos) << r.out;
  for (const char* format : {"json", "csv", "table"}) {
    const auto with = RunCarelog(
        absl::StrCat("deadlines --store ", store, " --as-of 2025-10-10 --format ", format), dir);
    const auto without = RunCarelog(absl::StrCat("deadlines --store ", store,
                                                 " --as-of 2025-10-10 --no-checkpoints --format ",
                                                 format),
                                    dir);
    ASSERT_EQ(with.status, 0) << with.err;
    EXPECT_GT(with.out.size(), 1000u);
    EXPECT_EQ(with.out, without.out) << format;
  }
  // import-903 catches up the same way.
  r = RunCarelog(absl::StrCat("import-903 --store ", store, " --skip-invalid ", CARELOG_SHARED_DIR,
                              "/data/ssda903-fake"),
                 dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("checkpoints (deadlines, care-plan state): "), std::string::npos) << r.out;
  r = RunCarelog(absl::StrCat("checkpoint --store ", store), dir);
  EXPECT_NE(r.out.find(" 0 folded"), std::string::npos) << r.out;
  r = RunCarelog(absl::StrCat("checkpoint --store ", store, " --rebuild"), dir);
  EXPECT_NE(r.out.find(" folded"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" 0 folded"), std::string::npos) << r.out;
  r = RunCarelog(absl::StrCat("checkpoint --store ", store, " --check"), dir);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" 0 differ, 0 damaged"), std::string::npos) << r.out;
  r = RunCarelog(absl::StrCat("checkpoint --store ", store, " --check --rebuild"), dir);
  EXPECT_EQ(r.status, 2);
  r = RunCarelog(absl::StrCat("checkpoint --store ", store, " extra"), dir);
  EXPECT_EQ(r.status, 2);
}

}  // namespace
}  // namespace carelog
