// The care-plan state answered through checkpoints (projections/views/state_view.h):
// byte for byte the fold of the log, from the checkpoint only when it is
// current, refolded when it is stale, damaged, missing or forged (and
// `checkpoint --check` names the last three); the case list the same with
// checkpoints and without.
#include "projections/views/state_view.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/event_log.h"
#include "engine/gen/generate_histories.h"
#include "engine/importer.h"
#include "gtest/gtest.h"
#include "projections/care_plan_state_format.h"
#include "projections/cases_list.h"
#include "projections/views/deadlines_checkpoint.h"
#include "projections/views/queries.h"
#include "projections/views/state_checkpoint.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using testing::OpenTestStore;
using testing::TempDir;

// Everything a screen shows of a state, plus its summary's counts.
std::string Describe(const StateAnswer& a) {
  const CaseSummary& s = a.summary;
  return absl::StrCat(RenderCarePlanStateJson(a.state), "\n", RenderCarePlanStateText(a.state),
                      "\nsummary ", s.events, " ", s.periods_of_care, " ", s.looked_after, " ",
                      s.looked_after_since ? FormatDate(*s.looked_after_since) : "-", " ",
                      s.reviews_held, " ", s.last_review ? FormatDate(*s.last_review) : "-", " ",
                      s.last_event ? FormatDate(*s.last_event) : "-");
}

class StateViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenTestStore(dir_.Sub("s"), &clock_);
    std::ostringstream text;
    GenOptions opts;
    opts.children = 60;
    opts.years = 3;
    opts.seed = 15;
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
    ASSERT_EQ(cases_.size(), 60u);
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

  // Asks the view for `id`; checks the answer equals the log's fold, byte
  // for byte, and returns whether it came from the checkpoint.
  bool FromCheckpoint(const std::string& id, absl::CivilDay as_of) {
    auto a = state_view_.Get(id, PackOf(id), as_of);
    auto folded = state_view_.Get(id, PackOf(id), as_of, /*use_checkpoints=*/false);
    EXPECT_TRUE(a.ok() && folded.ok());
    if (!a.ok() || !folded.ok()) return false;
    EXPECT_FALSE(folded->from_checkpoint);
    EXPECT_EQ(Describe(*a), Describe(*folded)) << id << " as of " << FormatDate(as_of);
    EXPECT_EQ(a->case_version, folded->case_version);
    return a->from_checkpoint;
  }

  // Replaces the bytes of checkpoint `name` (a damaged or forged value).
  void Put(const std::string& name, const std::string& bytes) {
    ASSERT_TRUE(store_->PutCheckpoints({{name, bytes}}).ok());
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 5, 12, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<PolicyRegistry> registry_;
  std::unique_ptr<CasePacks> packs_;
  std::vector<std::string> cases_;
  StateView state_view_{nullptr, &Calendar::Default(), nullptr};
  const absl::CivilDay today_{2025, 10, 5};
};

// A fixture member cannot be built before SetUp opens the store: each test
// makes its views with this.
#define VIEWS()                                                \
  DeadlinesView deadlines(store_.get(), &Calendar::Default()); \
  state_view_ = StateView(store_.get(), &Calendar::Default(), &deadlines)

TEST_F(StateViewTest, WithoutCheckpointsEveryCaseIsFoldedFromTheLog) {
  VIEWS();
  for (const std::string& id : cases_) EXPECT_FALSE(FromCheckpoint(id, today_)) << id;
  auto none = state_view_.Get("C-nobody", PackOf("C-nobody"), today_);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->case_version, 0u);
}

TEST_F(StateViewTest, AfterUpdateEveryCaseAnswersFromItsCheckpointByteForByte) {
  VIEWS();
  ASSERT_TRUE(deadlines.Update(packs_.get(), false).ok());
  int past = 0, moved = 0;
  for (const std::string& id : cases_) {
    // Today, a year on (ages, days in placement, the year's placements and
    // what is overdue all move) and a day when counts change mid-year.
    for (absl::CivilDay d : {today_, today_ + 365, absl::CivilDay(2027, 2, 28)})
      EXPECT_TRUE(FromCheckpoint(id, d)) << id << " " << FormatDate(d);
    // An as-of view of the past (before the case's last event) comes from
    // the log, and is still the right one.
    if (!FromCheckpoint(id, absl::CivilDay(2024, 12, 31))) ++past;
    auto a = state_view_.Get(id, PackOf(id), today_);
    ASSERT_TRUE(a.ok());
    moved += a->state.placements_in_period > 1;
  }
  EXPECT_GT(past, 30);
  EXPECT_GT(moved, 5);  // histories with moves, not only trivial ones
}

TEST_F(StateViewTest, ANewEventMakesOnlyItsCaseStaleUntilUpdateCatchesUp) {
  VIEWS();
  ASSERT_TRUE(deadlines.Update(packs_.get(), false).ok());
  const std::string a = cases_[3], b = cases_[4];
  Import(absl::StrCat(R"({"eventId":"iro-late","caseId":")", a,
                      R"(","occurredAt":"2025-10-02T10:00:00Z","actor":{"id":"tm-1","role":"TEAM_MANAGER"},"iroAllocated":{"iroId":"iro-new"}})",
                      "\n"));
  EXPECT_FALSE(FromCheckpoint(a, today_));  // stale: folded, and shows the new IRO
  EXPECT_EQ(state_view_.Get(a, PackOf(a), today_)->state.iro, "iro-new");
  EXPECT_TRUE(FromCheckpoint(b, today_));
  auto r = deadlines.Update(packs_.get(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 1u);
  EXPECT_TRUE(FromCheckpoint(a, today_));
  auto now = state_view_.Get(a, PackOf(a), today_);
  EXPECT_EQ(now->state.iro, "iro-new");
  EXPECT_EQ(now->state.iro_since, absl::CivilDay(2025, 10, 2));
}

TEST_F(StateViewTest, ADamagedOrMissingStateValueIsRefoldedAndNamedByTheCheck) {
  VIEWS();
  ASSERT_TRUE(deadlines.Update(packs_.get(), false).ok());
  const std::string name = StateCaseName(cases_[7]);
  auto bytes = store_->GetCheckpoint(name);
  ASSERT_TRUE(bytes.ok());
  std::string bad = *bytes;
  bad[bad.size() / 2] ^= 0x10;
  Put(name, bad);
  EXPECT_FALSE(FromCheckpoint(cases_[7], today_));
  ASSERT_TRUE(carelog::testing::RawDb(*store_)
                  ->Delete(rocksdb::WriteOptions(), std::string("P") + StateCaseName(cases_[8]))
                  .ok());
  EXPECT_FALSE(FromCheckpoint(cases_[8], today_));
  // The deadlines of those cases are still answered from their checkpoints.
  EXPECT_TRUE(deadlines.Get(cases_[8], PackOf(cases_[8]), today_)->from_checkpoint);
  // A state value of an older case version beside a current main value:
  // one of them was replaced, so neither is trusted.
  auto old = DecodeStateCheckpoint(cases_[9], *store_->GetCheckpoint(StateCaseName(cases_[9])));
  ASSERT_TRUE(old.ok());
  --old->case_version;
  Put(StateCaseName(cases_[9]), EncodeStateCheckpoint(*old));
  EXPECT_FALSE(FromCheckpoint(cases_[9], today_));

  auto check = deadlines.Check(packs_.get());
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->damaged, (std::vector<std::string>{cases_[7], cases_[8], cases_[9]}));
  EXPECT_TRUE(check->differing.empty());
  ASSERT_TRUE(deadlines.Update(packs_.get(), true).ok());
  for (int i : {7, 8, 9}) EXPECT_TRUE(FromCheckpoint(cases_[i], today_)) << i;
  EXPECT_TRUE(deadlines.Check(packs_.get())->damaged.empty());
}

TEST_F(StateViewTest, AStateForgedWithAValidChecksumIsTrustedButTheCheckNamesIt) {
  VIEWS();
  ASSERT_TRUE(deadlines.Update(packs_.get(), false).ok());
  auto clean = deadlines.Check(packs_.get());
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(clean->current, 60u);
  EXPECT_TRUE(clean->differing.empty() && clean->damaged.empty());
  // Someone with write access to the database gives a child another IRO:
  // checkpoints are not in the hash chain, so a reader trusts it...
  const std::string id = cases_[12];
  auto forged = DecodeStateCheckpoint(id, *store_->GetCheckpoint(StateCaseName(id)));
  ASSERT_TRUE(forged.ok());
  forged->state.iro = "iro-forged";
  Put(StateCaseName(id), EncodeStateCheckpoint(*forged));
  auto a = state_view_.Get(id, PackOf(id), today_);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->from_checkpoint);
  EXPECT_EQ(a->state.iro, "iro-forged");
  // ...and the check against the log names it; a rebuild replaces it.
  auto found = deadlines.Check(packs_.get());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->differing, std::vector<std::string>{id});
  ASSERT_TRUE(deadlines.Update(packs_.get(), true).ok());
  EXPECT_TRUE(FromCheckpoint(id, today_));
  EXPECT_TRUE(deadlines.Check(packs_.get())->differing.empty());
}

// The case list and one case's state through Queries: the same bytes with
// checkpoints and without, filtered or not, as of today or later.
TEST_F(StateViewTest, QueriesAnswerTheSameBytesWithAndWithoutCheckpoints) {
  auto queries = Queries::WithEmbeddedPacks(store_.get());
  ASSERT_TRUE(queries.ok());
  ASSERT_TRUE((*queries)->UpdateCheckpoints(false).ok());
  auto list = [&](absl::CivilDay as_of, const CaseListFilter& f, bool checkpoints) {
    auto rows = (*queries)->CaseList(as_of, f, checkpoints);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? absl::StrCat(RenderCaseListTable(*rows), RenderCaseListCsv(*rows),
                                    RenderCaseListJson(*rows))
                     : "";
  };
  CaseListFilter all, overdue, in_care;
  overdue.overdue_only = true;
  in_care.looked_after = true;
  for (absl::CivilDay d : {today_, today_ + 200}) {
    for (const CaseListFilter* f : {&all, &overdue, &in_care}) {
      const std::string with = list(d, *f, true);
      EXPECT_EQ(with, list(d, *f, false)) << FormatDate(d);
      EXPECT_NE(with.find("C-"), std::string::npos);  // not an empty list
    }
  }
  for (const std::string& id : {cases_[0], cases_[30], cases_[59]}) {
    auto with = (*queries)->State(id, today_, std::nullopt, true);
    auto without = (*queries)->State(id, today_, std::nullopt, false);
    ASSERT_TRUE(with.ok() && without.ok());
    EXPECT_EQ(RenderCarePlanStateJson(*with), RenderCarePlanStateJson(*without));
  }
  EXPECT_TRUE(absl::IsNotFound((*queries)->State("C-nobody", today_, std::nullopt).status()));
}

}  // namespace
}  // namespace carelog
