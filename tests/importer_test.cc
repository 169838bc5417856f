#include "engine/importer.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::T;
using ::carelog::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Line(const std::string& id, const std::string& case_id, const std::string& when,
                 const std::string& payload, const std::string& role = "SOCIAL_WORKER") {
  return absl::StrCat(R"({"eventId":")", id, R"(","caseId":")", case_id, R"(","occurredAt":")",
                      when, R"(","actor":{"id":"x-1","role":")", role, R"("},)", payload, "}");
}

const std::string kAccommodated = R"("childAccommodated":{"legalStatus":"C2","placementType":"U1"})";
const std::string kCeased = R"("childCeasedLookedAfter":{"reason":"E11"})";
const std::string kNotified = R"("iroServiceNotified":{})";

std::string GoodFile() {
  return absl::StrJoin(
      {Line("a1", "C-1", "2024-03-01T10:00:00Z", kAccommodated),
       Line("a2", "C-1", "2024-03-04T10:00:00Z", kNotified),
       Line("a3", "C-1", "2024-03-20T10:00:00Z",
            R"("reviewScheduled":{"reviewId":"R-1","scheduledFor":"2024-03-27","format":"MEETING"})"),
       Line("a4", "C-1", "2024-03-21T10:00:00Z", R"("invitationsSent":{"reviewId":"R-1"})"),
       Line("b1", "C-2", "2024-03-05T10:00:00Z", kAccommodated),
       Line("a5", "C-1", "2024-03-27T10:00:00Z",
            R"("reviewHeld":{"reviewId":"R-1","participation":"PN1"})", "IRO")},
      "\n");
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = carelog::testing::OpenTestStore(dir_.path(), &clock_);
  }

  ImportReport Import(const std::string& text) {
    std::istringstream in(text);
    ImportOptions opts;
    opts.clock = &clock_;
    opts.batch_events = 2;  // exercise several batches
    refused_.clear();
    opts.on_refused = [&](uint64_t line, const absl::Status& s) {
      refused_.push_back(absl::StrCat(line, ": ", std::string(s.message())));
    };
    auto r = ImportNdjson(store_.get(), in, opts);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(ImportReport{});
  }

  // Imports a good prefix, then `bad`: asserts the file is refused with the
  // expected message on the expected line and the store is unchanged.
  void ExpectRefused(const std::string& bad_line, uint64_t expected_line, const std::string& reason) {
    const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
    const std::string file = absl::StrCat(GoodFile(), "\n", bad_line, "\n");
    ImportReport r = Import(file);
    EXPECT_EQ(r.refused, 1u) << absl::StrJoin(refused_, "\n");
    EXPECT_EQ(r.appended, 0u);
    ASSERT_EQ(refused_.size(), 1u);
    EXPECT_THAT(refused_[0], HasSubstr(absl::StrCat(expected_line, ": ")));
    EXPECT_THAT(refused_[0], HasSubstr(reason));
    EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before) << "store changed after a refused import";
    EXPECT_THAT(StagedFiles(), ::testing::IsEmpty());
  }

  // GoodFile() imported into an empty store: its six events at positions
  // 1-6, C-1's in file order.
  void ExpectGoodFileStoredFromPosition1(const ImportReport& r) {
    EXPECT_EQ(r.appended, 6u);
    EXPECT_EQ(r.first_position, 1u);
    EXPECT_EQ(r.last_position, 6u);
    auto c1 = store_->ReadStream("C-1");
    ASSERT_TRUE(c1.ok());
    std::vector<std::string> ids;
    for (auto& rec : *c1) ids.push_back(rec.id);
    EXPECT_THAT(ids, ElementsAre("a1", "a2", "a3", "a4", "a5"));
  }

  // The staged tables beside the store (BulkLoader::Stage): none once an
  // import has returned, whatever its outcome.
  std::vector<std::string> StagedFiles() const {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      if (e.path().filename().string().starts_with(".stage-")) found.push_back(e.path());
    }
    return found;
  }

  TempDir dir_;
  FakeClock clock_{T("2024-06-01T12:00:00Z")};
  std::unique_ptr<EventStore> store_;
  std::vector<std::string> refused_;
};

TEST_F(ImporterTest, ImportsAGoodFileInFileOrder) {
  ImportReport r = Import(GoodFile());
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.events, 6u);
  ExpectGoodFileStoredFromPosition1(r);
}

TEST_F(ImporterTest, ReimportIsANoOp) {
  Import(GoodFile());
  const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
  ImportReport r = Import(GoodFile());
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.appended, 0u);
  EXPECT_EQ(r.already_present, 6u);
  EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before);
}

TEST_F(ImporterTest, ReimportWithNewLinesAppendsOnlyThem) {
  Import(GoodFile());
  ImportReport r = Import(absl::StrCat(GoodFile(), "\n",
                                       Line("a6", "C-1", "2024-04-01T10:00:00Z", kCeased)));
  EXPECT_EQ(r.appended, 1u);
  EXPECT_EQ(r.already_present, 6u);
  EXPECT_EQ(r.first_position, 7u);
}

TEST_F(ImporterTest, BlankLinesAreSkippedButCounted) {
  ImportReport r = Import(absl::StrCat("\n", GoodFile(), "\n\n"));
  EXPECT_EQ(r.events, 6u);
  EXPECT_EQ(r.appended, 6u);
  r = Import(absl::StrCat("\n\n", "{bad"));
  ASSERT_EQ(refused_.size(), 1u);
  EXPECT_THAT(refused_[0], HasSubstr("3: malformed JSON"));
}

TEST_F(ImporterTest, AllOrNothingReportsEveryRefusedLine) {
  const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
  std::string file = absl::StrJoin(
      std::vector<std::string>{Line("x1", "C-9", "2024-03-01T10:00:00Z", kAccommodated), "{not json",
       Line("x2", "C-9", "2024-03-02T10:00:00Z", kNotified),
       Line("x3", "C-9", "2024-03-03T10:00:00Z", R"("reviewHeld":{"reviewId":"R"})")},
      "\n");
  ImportReport r = Import(file);
  EXPECT_EQ(r.refused, 2u);
  EXPECT_EQ(r.appended, 0u);
  ASSERT_EQ(refused_.size(), 2u);
  EXPECT_THAT(refused_[0], HasSubstr("2: malformed JSON"));
  EXPECT_THAT(refused_[1], HasSubstr("4: field 'reviewHeld.participation': missing"));
  EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before);
  EXPECT_EQ(store_->LastPosition(), 0u);
}

// The events are staged as they are admitted (two to a group here), so a
// refusal on the last line comes after three staged groups: they are
// dropped, and the same file without that line then appends every event
// from position 1, in file order.
TEST_F(ImporterTest, ARefusalAfterStagedGroupsDropsThemAll) {
  std::vector<std::pair<std::string, uint64_t>> progress;
  std::istringstream in(absl::StrCat(GoodFile(), "\n{bad\n"));
  ImportOptions opts;
  opts.clock = &clock_;
  opts.batch_events = 2;
  opts.on_progress = [&](std::string_view phase, uint64_t done) {
    progress.emplace_back(std::string(phase), done);
  };
  auto r = ImportNdjson(store_.get(), in, opts);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->refused, 1u);
  EXPECT_EQ(r->appended, 0u);
  EXPECT_EQ(r->first_position, 0u);
  ASSERT_FALSE(progress.empty()) << "no group was staged before the refusal: nothing to test";
  EXPECT_EQ(progress.back().first, "written");
  EXPECT_EQ(store_->LastPosition(), 0u);
  EXPECT_THAT(StagedFiles(), ::testing::IsEmpty());

  ExpectGoodFileStoredFromPosition1(Import(GoodFile()));
  auto verified = store_->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok);
}

TEST_F(ImporterTest, RefusesMalformedJson) { ExpectRefused("{\"eventId\": ", 7, "malformed JSON"); }

TEST_F(ImporterTest, RefusesUnknownPayload) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z", R"("reviewExploded":{})"), 7,
                "unknown payload 'reviewExploded'");
}

TEST_F(ImporterTest, RefusesZeroPayloads) {
  ExpectRefused(R"({"eventId":"z","caseId":"C-1","occurredAt":"2024-03-28T10:00:00Z","actor":{"id":"a","role":"IRO"}})",
                7, "no payload");
}

TEST_F(ImporterTest, RefusesTwoPayloads) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z",
                     R"("iroServiceNotified":{},"iroAllocated":{"iroId":"iro-1"})"),
                7, "two payloads");
}

TEST_F(ImporterTest, RefusesMissingRequiredField) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z", R"("iroAllocated":{})"), 7,
                "field 'iroAllocated.iroId': missing required field");
}

TEST_F(ImporterTest, RefusesBadDate) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z",
                     R"("reviewRearranged":{"reviewId":"R-1","newDate":"2024-04-31"})"),
                7, "field 'reviewRearranged.newDate': bad date '2024-04-31'");
}

TEST_F(ImporterTest, RefusesBadInstant) {
  ExpectRefused(Line("z", "C-1", "2024-13-28T10:00:00Z", kNotified), 7,
                "field 'occurredAt': bad instant");
}

TEST_F(ImporterTest, RefusesFutureOccurredAt) {
  ExpectRefused(Line("z", "C-1", "2024-06-02T10:00:00Z", kNotified), 7,
                "field 'occurredAt': in the future");
}

TEST_F(ImporterTest, RefusesUnknownCode) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z",
                     R"("reviewHeld":{"reviewId":"R-2","participation":"PN12"})"),
                7, "field 'reviewHeld.participation'");
}

TEST_F(ImporterTest, RefusesActOnReviewNotIntroduced) {
  ExpectRefused(Line("z", "C-1", "2024-03-28T10:00:00Z", R"("reviewMinutesCompleted":{"reviewId":"R-404"})"),
                7, "review 'R-404' has not been introduced");
}

TEST_F(ImporterTest, ReviewIntroducedByAnEarlierLineOfTheSameFileCounts) {
  ImportReport r = Import(GoodFile());  // a4 acts on R-1 scheduled by a3 in the same file
  EXPECT_EQ(r.refused, 0u);
}

TEST_F(ImporterTest, RefusesAccommodatedWhileLookedAfter) {
  ExpectRefused(Line("z", "C-2", "2024-03-28T10:00:00Z", kAccommodated), 7,
                "already looked after");
}

TEST_F(ImporterTest, RefusesCeasedWhileNotLookedAfter) {
  ExpectRefused(Line("z", "C-3", "2024-03-28T10:00:00Z", kCeased), 7, "not looked after");
}

TEST_F(ImporterTest, StateChecksUseTheLogAsAppendedSoFar) {
  Import(GoodFile());
  // C-1 is looked after in the log: accommodating again is refused in a later file.
  ImportReport r = Import(Line("later", "C-1", "2024-04-01T10:00:00Z", kAccommodated));
  EXPECT_EQ(r.refused, 1u);
  EXPECT_THAT(refused_[0], HasSubstr("1: childAccommodated: the child is already looked after"));
  // And a review introduced by the log counts for a later file.
  r = Import(Line("later2", "C-1", "2024-04-01T10:00:00Z", R"("reviewMinutesCompleted":{"reviewId":"R-1"})"));
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.appended, 1u);
}

TEST_F(ImporterTest, RefusesEventIdReusedWithDifferentContentInTheLog) {
  Import(GoodFile());
  const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
  ImportReport r = Import(Line("a2", "C-1", "2024-03-05T10:00:00Z", kNotified));
  EXPECT_EQ(r.refused, 1u);
  EXPECT_THAT(refused_[0], HasSubstr("field 'eventId': 'a2' is already recorded at position 2"));
  EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before);
}

TEST_F(ImporterTest, RefusesEventIdOfAnotherCaseSayingSo) {
  Import(GoodFile());
  const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
  // a2 belongs to C-1; reusing it for C-9 is not "different content" of the
  // same event, and the other case is not named.
  ImportReport r = Import(Line("a2", "C-9", "2024-03-05T10:00:00Z", kAccommodated));
  EXPECT_EQ(r.refused, 1u);
  EXPECT_THAT(refused_[0],
              HasSubstr("field 'eventId': 'a2' is already recorded for another case, at position 2"));
  EXPECT_THAT(refused_[0], Not(HasSubstr("C-1")));
  EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before);
}

TEST_F(ImporterTest, RefusesEventIdReusedWithDifferentContentInTheFile) {
  ExpectRefused(Line("a2", "C-1", "2024-03-29T10:00:00Z", kNotified), 7,
                "'a2' is already used on line 2 with different content");
}

TEST_F(ImporterTest, ExactDuplicateLineInTheFileIsANoOp) {
  ImportReport r = Import(absl::StrCat(GoodFile(), "\n",
                                       Line("a2", "C-1", "2024-03-04T10:00:00Z", kNotified)));
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.appended, 6u);
  EXPECT_EQ(r.already_present, 1u);
}

TEST_F(ImporterTest, OutOfEffectiveOrderLinesAreAccepted) {
  // Late-recorded facts are normal: the second line happened earlier.
  ImportReport r = Import(absl::StrJoin(
      {Line("o1", "C-5", "2024-03-10T10:00:00Z", kAccommodated),
       Line("o2", "C-5", "2024-03-01T10:00:00Z", kNotified)},
      "\n"));
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.appended, 2u);
}

// Issue 12 point 14: a line longer than kMaxEventBytes is refused by its
// length, and the lines after it keep their numbers.
TEST_F(ImporterTest, RefusesALineLongerThanTheLargestEvent) {
  const std::string prefix = R"({"eventId":"big","caseId":"C-1","occurredAt":"2024-03-28T10:00:00Z",)"
                             R"("actor":{"id":"x-1","role":"SOCIAL_WORKER"},"iroServiceNotified":{},)"
                             R"("comment":")";
  std::string big = prefix + std::string(kMaxEventBytes + 10 - prefix.size() - 2, 'x') + "\"}";
  ASSERT_EQ(big.size(), kMaxEventBytes + 10);
  const std::string before = carelog::testing::DumpKeys(carelog::testing::RawDb(*store_));
  ImportReport r = Import(absl::StrCat(GoodFile(), "\n", big, "\n{bad\n"));
  EXPECT_EQ(r.appended, 0u);
  ASSERT_EQ(refused_.size(), 2u);
  EXPECT_EQ(refused_[0], absl::StrCat("7: line is ", kMaxEventBytes + 10,
                                      " bytes; the largest event accepted is 1048576 bytes"));
  EXPECT_THAT(refused_[1], HasSubstr("8: malformed JSON"));
  EXPECT_EQ(carelog::testing::DumpKeys(carelog::testing::RawDb(*store_)), before);
}

TEST_F(ImporterTest, ALineOfExactlyTheLargestSizeIsAccepted) {
  const std::string prefix = R"({"eventId":"big","caseId":"C-1","occurredAt":"2024-03-28T10:00:00Z",)"
                             R"("actor":{"id":"x-1","role":"SOCIAL_WORKER"},"iroServiceNotified":{},)"
                             R"("comment":")";
  // A CR before the newline is part of the line as read, and still fits.
  std::string big = prefix + std::string(kMaxEventBytes - prefix.size() - 3, 'x') + "\"}\r";
  ASSERT_EQ(big.size(), kMaxEventBytes);
  ImportReport r = Import(absl::StrCat(GoodFile(), "\n", big, "\n"));
  EXPECT_EQ(r.refused, 0u) << absl::StrJoin(refused_, "\n");
  EXPECT_EQ(r.appended, 7u);
}

// A stream that yields one line of `n` 'x' bytes, then a newline, without
// ever holding them: what a 200 MB line costs the importer is then the
// importer's own memory.
class EndlessLine : public std::streambuf {
 public:
  explicit EndlessLine(uint64_t n) : left_(n), block_(1 << 16, 'x') {}

 protected:
  int_type underflow() override {
    if (left_ == 0) {
      if (newline_done_) return traits_type::eof();
      newline_done_ = true;
      nl_ = '\n';
      setg(&nl_, &nl_, &nl_ + 1);
      return traits_type::to_int_type(nl_);
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left_, block_.size()));
    left_ -= n;
    setg(block_.data(), block_.data(), block_.data() + n);
    return traits_type::to_int_type(block_[0]);
  }

 private:
  uint64_t left_;
  std::string block_;
  char nl_ = '\n';
  bool newline_done_ = false;
};

TEST_F(ImporterTest, AHugeLineIsSkippedWithoutBeingHeldInMemory) {
  constexpr uint64_t kHuge = 200ull << 20;
  EndlessLine buf(kHuge);
  std::istream in(&buf);
  ImportOptions opts;
  opts.clock = &clock_;
  std::vector<std::string> refused;
  opts.on_refused = [&](uint64_t line, const absl::Status& s) {
    refused.push_back(absl::StrCat(line, ": ", std::string(s.message())));
  };
  struct rusage before {};
  getrusage(RUSAGE_SELF, &before);
  auto r = ImportNdjson(store_.get(), in, opts);
  struct rusage after {};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], absl::StrCat("1: line is ", kHuge,
                                     " bytes; the largest event accepted is 1048576 bytes"));
  // ru_maxrss is the peak in KiB: holding the line would add 200 MiB.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "KiB more at the peak";
}

// Issue 12 point 17: a UTF-8 byte-order mark (Notepad, Excel and PowerShell
// write one) at the start of the file is skipped; anywhere else it is
// refused by name rather than as "improper structure".
TEST_F(ImporterTest, AByteOrderMarkAtTheStartOfTheFileIsSkipped) {
  ImportReport r = Import(absl::StrCat("\xEF\xBB\xBF", GoodFile()));
  EXPECT_EQ(r.refused, 0u) << absl::StrJoin(refused_, "\n");
  EXPECT_EQ(r.appended, 6u);
}

TEST_F(ImporterTest, AByteOrderMarkOnALaterLineIsRefusedByName) {
  ExpectRefused(absl::StrCat("\xEF\xBB\xBF", Line("z", "C-1", "2024-03-28T10:00:00Z", kNotified)), 7,
                "byte-order mark");
}

}  // namespace
}  // namespace carelog
