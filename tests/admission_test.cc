// The admission step (engine/admission.h) by itself, and through each path
// that appends: EventLog::AppendCase (the gRPC Append), the NDJSON import
// (carelog import) and the SSDA903 import. Each path: new, already present
// (an idempotent replay), a conflicting replay (same id, other content) and
// refused (content, state). Plus the bulk load that makes the import the
// store's only writer.
#include "engine/admission.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/event_json.h"
#include "engine/event_log.h"
#include "engine/importer.h"
#include "engine/ssda903_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/bulk_loader.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::Accommodated;
using ::carelog::testing::Envelope;
using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::ElementsAre;

v1::Event Ceased(const std::string& id, const std::string& c) {
  v1::Event e = Envelope(id, c, "2024-04-01T10:00:00Z");
  e.mutable_child_ceased_looked_after()->set_reason("E11");
  return e;
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = carelog::testing::OpenTestStore(dir_.Sub("store"), &clock_);
    log_ = std::make_unique<EventLog>(store_.get(), &clock_);
  }
  EventContent Content(const v1::Event& e) {
    EventContent c;
    EXPECT_TRUE(AdmitContent(e, clock_.Now(), &c).ok());
    return c;
  }
  // The NDJSON import of `lines`, with its refusals as "LINE: message".
  ImportReport Import(const std::vector<v1::Event>& events, std::vector<std::string>* refused,
                      const std::string& extra_line = "") {
    std::string text;
    for (const v1::Event& e : events) absl::StrAppend(&text, EventToJson(e), "\n");
    text += extra_line;
    std::istringstream in(text);
    ImportOptions o;
    o.clock = &clock_;
    o.on_refused = [&](uint64_t line, const absl::Status& s) {
      refused->push_back(absl::StrCat(line, ": ", absl::StatusCodeToString(s.code()), ": ",
                                      s.message()));
    };
    auto r = ImportNdjson(store_.get(), in, o);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(ImportReport{});
  }

  TempDir dir_;
  FakeClock clock_{T("2024-06-01T12:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventLog> log_;
};

// --- The step itself ---

TEST_F(AdmissionTest, AgainstTheLog) {
  const v1::Event e = Accommodated("a", "C");
  const EventContent c = Content(e);
  auto absent = AdmitAgainstLog(e, c, absl::NotFoundError("no event"));
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->verdict, Admission::kNew);

  StoredRecord same{};
  same.position = 7;
  same.stream = "C";
  same.id = "a";
  same.payload = c.payload;
  auto present = AdmitAgainstLog(e, c, same);
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(present->verdict, Admission::kAlreadyPresent);
  EXPECT_EQ(present->position, 7u);

  StoredRecord other_content = same;
  other_content.payload = "x";
  auto conflict = AdmitAgainstLog(e, c, other_content);
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->verdict, Admission::kRefused);
  EXPECT_EQ(conflict->refusal, absl::AlreadyExistsError("field 'eventId': 'a' is already recorded "
                                                        "at position 7 with different content"));

  StoredRecord other_case = same;
  other_case.stream = "D";
  auto elsewhere = AdmitAgainstLog(e, c, other_case);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->refusal,
            absl::AlreadyExistsError("field 'eventId': 'a' is already recorded for another case, "
                                     "at position 7; event ids are unique across the whole log"));

  // A look-up that failed is not a verdict.
  EXPECT_EQ(AdmitAgainstLog(e, c, absl::DataLossError("bad")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(AdmissionTest, EarlierInTheInputIsNamedAsTheInputNamesIt) {
  const v1::Event e = Accommodated("a", "C");
  const v1::Event other = Accommodated("a", "C", "2024-03-02T10:00:00Z");
  const EventContent ce = Content(e), co = Content(other);
  InputIds file(InputKind::kFile);
  EXPECT_FALSE(file.Check(1, e, ce)->has_value());
  ASSERT_TRUE(file.Remember(4, e, ce).ok());
  EXPECT_EQ((*file.Check(9, e, ce))->verdict, Admission::kAlreadyPresent);
  EXPECT_EQ((*file.Check(9, e, ce))->earlier, 4u);
  EXPECT_EQ((*file.Check(9, other, co))->refusal,
            absl::AlreadyExistsError(
                "field 'eventId': 'a' is already used on line 4 with different content"));
  InputIds batch(InputKind::kBatch);
  ASSERT_TRUE(batch.Remember(1, e, ce).ok());
  EXPECT_EQ((*batch.Check(3, e, ce))->verdict, Admission::kAlreadyPresent);
  EXPECT_EQ((*batch.Check(3, other, co))->refusal,
            absl::AlreadyExistsError("field 'eventId': 'a' appears twice in this batch (events 1 "
                                     "and 3) with different content; nothing from this batch was "
                                     "recorded"));
}

TEST_F(AdmissionTest, AdmitterDecidesNewPresentConflictAndState) {
  int loads = 0;
  Admitter admitter(InputKind::kFile, [&](const std::string&) -> absl::StatusOr<CaseState> {
    ++loads;
    return CaseState();
  });
  const absl::StatusOr<StoredRecord> none = absl::NotFoundError("");
  const v1::Event acc = Accommodated("a", "C");
  auto first = admitter.Admit(1, acc, Content(acc), none);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->verdict, Admission::kNew);
  auto again = admitter.Admit(2, acc, Content(acc), none);
  EXPECT_EQ(again->verdict, Admission::kAlreadyPresent);
  const v1::Event reused = Ceased("a", "C");
  EXPECT_EQ(admitter.Admit(3, reused, Content(reused), none)->refusal.code(),
            absl::StatusCode::kAlreadyExists);
  // The state moved past the first: a second accommodation is refused.
  const v1::Event twice = Accommodated("b", "C");
  auto state = admitter.Admit(4, twice, Content(twice), none);
  EXPECT_EQ(state->verdict, Admission::kRefused);
  EXPECT_EQ(state->refusal.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(loads, 1);  // the case's state is read once
  // Content is step 1's.
  v1::Event bad = Accommodated("c", "C");
  bad.mutable_child_accommodated()->clear_legal_status();
  EventContent unused;
  EXPECT_EQ(AdmitContent(bad, clock_.Now(), &unused).code(), absl::StatusCode::kInvalidArgument);
}

// A batch's admitter hands back the case's state past what it admitted as
// new (EventLog keeps it instead of copying it in and folding again).
TEST_F(AdmissionTest, BatchAdmitterHandsBackTheStatePastItsNewEvents) {
  Admitter admitter(InputKind::kBatch,
                    [](const std::string&) -> absl::StatusOr<CaseState> { return CaseState(); });
  const absl::StatusOr<StoredRecord> none = absl::NotFoundError("");
  EXPECT_FALSE(admitter.TakeState("C").has_value());  // nothing admitted yet
  // A batch's caller keeps every event and its content alive (InputKind).
  const v1::Event acc = Accommodated("a", "C");
  const EventContent acc_content = Content(acc);
  ASSERT_EQ(admitter.Admit(1, acc, acc_content, none)->verdict, Admission::kNew);
  ASSERT_EQ(admitter.Admit(2, acc, acc_content, none)->verdict, Admission::kAlreadyPresent);
  const v1::Event ceased = Ceased("b", "C");
  const EventContent ceased_content = Content(ceased);
  ASSERT_EQ(admitter.Admit(3, ceased, ceased_content, none)->verdict, Admission::kNew);
  std::optional<CaseState> taken = admitter.TakeState("C");
  ASSERT_TRUE(taken.has_value());
  CaseState folded;
  ApplyToState(acc, &folded);
  ApplyToState(ceased, &folded);
  EXPECT_TRUE(taken->HasEvent("a"));
  EXPECT_TRUE(taken->HasEvent("b"));
  EXPECT_EQ(taken->event_ids, folded.event_ids);
  EXPECT_EQ(taken->looked_after, folded.looked_after);
  EXPECT_FALSE(taken->looked_after);  // past the cessation, not the accommodation only
  EXPECT_FALSE(admitter.TakeState("C").has_value());  // handed over once
  EXPECT_FALSE(admitter.TakeState("D").has_value());
}

// --- Each path ---

TEST_F(AdmissionTest, AppendCase) {  // the gRPC Append's path
  auto fresh = log_->AppendCase({Accommodated("a", "C")}, std::nullopt);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_THAT(fresh->already_present, ElementsAre(false));
  auto replay = log_->AppendCase({Accommodated("a", "C"), Ceased("b", "C")}, std::nullopt);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_THAT(replay->positions, ElementsAre(1, 2));
  EXPECT_THAT(replay->already_present, ElementsAre(true, false));
  EXPECT_EQ(log_->AppendCase({Accommodated("b", "C")}, std::nullopt).status(),
            absl::AlreadyExistsError("event 1: field 'eventId': 'b' is already recorded at "
                                     "position 2 with different content"));
  v1::Event bad = Accommodated("c", "C");
  bad.mutable_child_accommodated()->clear_legal_status();
  EXPECT_EQ(log_->AppendCase({bad}, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->AppendCase({Ceased("d", "C")}, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->LastPosition(), 2u);
}

TEST_F(AdmissionTest, ImportNdjson) {  // carelog import's path
  std::vector<std::string> refused;
  ImportReport first = Import({Accommodated("a", "C"), Accommodated("a", "C")}, &refused);
  EXPECT_THAT(refused, ElementsAre());
  EXPECT_EQ(first.appended, 1u);
  EXPECT_EQ(first.already_present, 1u);
  ImportReport again = Import({Accommodated("a", "C"), Ceased("b", "C")}, &refused);
  EXPECT_EQ(again.already_present, 1u);
  EXPECT_EQ(again.appended, 1u);
  ImportReport conflict =
      Import({Ceased("b", "D"), Accommodated("a", "C", "2024-03-02T10:00:00Z"), Ceased("e", "C")},
             &refused, "{\"eventId\":\n");
  EXPECT_EQ(conflict.refused, 4u);
  EXPECT_EQ(conflict.appended, 0u);
  EXPECT_THAT(refused,
              ElementsAre("1: ALREADY_EXISTS: field 'eventId': 'b' is already recorded for "
                          "another case, at position 2; event ids are unique across the whole log",
                          "2: ALREADY_EXISTS: field 'eventId': 'a' is already recorded at position "
                          "1 with different content",
                          "3: FAILED_PRECONDITION: childCeasedLookedAfter: the child is not looked "
                          "after (no open period of care)",
                          ::testing::StartsWith("4: INVALID_ARGUMENT: malformed JSON")));
}

class Admission903Test : public AdmissionTest {
 protected:
  void Write(const std::string& header_extra = "") {
    std::ofstream(dir_.Sub("header.csv")) << "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                             "K1,1,01/02/2010,WBRI,A1,,\n"
                                          << header_extra;
    std::ofstream(dir_.Sub("episodes.csv"))
        << "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
           "PL_POST,URN\n"
           "K1,01/05/2020,S,C2,N1,U1,PR1,,,,,,SC1\n";
    std::ofstream(dir_.Sub("reviews.csv")) << "CHILD,DOB,REVIEW,REVIEW_CODE\n";
  }
  Import903Report Run(std::vector<std::string>* refused) {
    Import903Options o;
    o.clock = &clock_;
    o.on_refused = [&](const std::string& s) { refused->push_back(s); };
    auto r = Import903(store_.get(), dir_.path(), o);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(Import903Report{});
  }
};

TEST_F(Admission903Test, Import903) {  // carelog import 903's path
  Write();
  std::vector<std::string> refused;
  Import903Report first = Run(&refused);
  EXPECT_THAT(refused, ElementsAre());
  EXPECT_EQ(first.appended, 3u);  // registered, accommodated, placement started
  Import903Report again = Run(&refused);
  EXPECT_EQ(again.appended, 0u);
  EXPECT_EQ(again.already_present, 3u);

  // A row whose derived id the log holds with other content, and a child
  // the log already has looked after (accommodated from NDJSON).
  TempDir other;
  store_.reset();
  store_ = carelog::testing::OpenTestStore(other.Sub("store"), &clock_);
  log_ = std::make_unique<EventLog>(store_.get(), &clock_);
  auto conv = Convert903(dir_.path(), clock_.Now());
  ASSERT_TRUE(conv.ok());
  v1::Event squatter = Accommodated(conv->events[0].event_id(), "K1");
  ASSERT_TRUE(log_->AppendCase({squatter}, std::nullopt).ok());
  Import903Report conflict = Run(&refused);
  EXPECT_EQ(conflict.appended, 0u);
  EXPECT_THAT(refused,
              ElementsAre(absl::StrCat(dir_.Sub("header.csv"), ":2: field 'eventId': '",
                                       conv->events[0].event_id(),
                                       "' is already recorded at position 1 with different "
                                       "content"),
                          absl::StrCat(dir_.Sub("episodes.csv"),
                                       ":2: childAccommodated: the child is already looked "
                                       "after (the open period of care must end with "
                                       "childCeasedLookedAfter first)")));
}

// The 903 importer hands its events over as they are built; what it stores
// is what it stored when it printed them as NDJSON and parsed that again,
// including for a table that is not UTF-8 (protobuf's JSON printer drops
// the bytes it cannot print).
TEST_F(Admission903Test, EventsAreStoredAsTheirNdjsonWouldBe) {
  Write("K2,2,03/04/2011,WBRI,B\xE9" "2,,\n");
  std::vector<std::string> refused;
  Import903Report r = Run(&refused);
  EXPECT_THAT(refused, ElementsAre());
  auto conv = Convert903(dir_.path(), clock_.Now());
  ASSERT_TRUE(conv.ok());
  EventJsonParser parser;
  for (const v1::Event& e : conv->events) {
    v1::Event parsed;
    ASSERT_TRUE(parser.Parse(EventToJson(e), &parsed).ok());
    auto stored = store_->Lookup(e.event_id());
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->payload, EncodeEvent(parsed)) << e.event_id();
  }
  EXPECT_EQ(r.appended, conv->events.size());
}

// EventLog's one look-up per event: the store trusts it only while the log
// ends where it ended before the look-up; after that it looks again.
TEST_F(AdmissionTest, AStaleLookUpIsCheckedAgainByTheStore) {
  AppendRequest first;
  first.records.push_back(NewRecord{"S", "x", "1"});
  ASSERT_TRUE(store_->Append(std::move(first)).ok());
  AppendRequest stale;  // "looked up" before x was stored
  stale.records.push_back(NewRecord{"S", "x", "1"});
  stale.ids_absent_at = 0;
  auto r = store_->Append(std::move(stale));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->already_present, ElementsAre(true));
  AppendRequest clash;
  clash.records.push_back(NewRecord{"T", "x", "2"});
  clash.ids_absent_at = 0;
  EXPECT_EQ(store_->Append(std::move(clash)).status().code(), absl::StatusCode::kAlreadyExists);
  AppendRequest fresh;  // looked up at the current end: trusted
  fresh.records.push_back(NewRecord{"S", "y", "3"});
  fresh.ids_absent_at = store_->LastPosition();
  ASSERT_TRUE(store_->Append(std::move(fresh)).ok());
  auto v = store_->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, 2u);
}

// --- The bulk load: the importer's exclusive-writer privilege ---

TEST_F(AdmissionTest, ABulkLoadIsTheStoresOnlyWriter) {
  {
    auto loader = store_->BeginBulkLoad();
    ASSERT_TRUE(loader.ok()) << loader.status();
    EXPECT_EQ(store_->BeginBulkLoad().status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).status().code(),
              absl::StatusCode::kUnavailable);
    AppendRequest req;
    req.records.push_back(NewRecord{"S", "x", "1"});
    auto r = (*loader)->AppendNew(std::move(req));
    ASSERT_TRUE(r.ok()) << r.status();
    AppendRequest replay;  // the checked path still finds what is stored
    replay.records.push_back(NewRecord{"S", "x", "1"});
    auto again = (*loader)->Append(std::move(replay));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_THAT(again->already_present, ElementsAre(true));
  }
  EXPECT_TRUE(log_->AppendCase({Accommodated("a", "C")}, std::nullopt).ok());
  EXPECT_EQ(store_->LastPosition(), 2u);
}

}  // namespace
}  // namespace carelog
