// `carelog cases` end to end: the table (its first seven columns as before
// issue 15), csv and json of a small imported store as of a date, the
// filters (one, combined, a value no case has), the order, and the usage
// errors (bad --as-of, --looked-after, --format) with the usage line.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cases_fixture.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kStore = ::carelog::testing::kFourCasesNdjson;

constexpr char kCsvHeader[] =
    "case,events,periods_of_care,looked_after,since,reviews_held,last_review,placement_type,"
    "legal_status,iro,social_worker,team,next_review_due,overdue\n";

class CasesCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kStore);
    ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", dir_.Sub("s"), " ", dir_.Sub("a.ndjson")),
                         dir_)
                  .status,
              0);
  }
  CliRun Cases(const std::string& rest) {
    return RunCarelog(absl::StrCat("cases --store ", dir_.Sub("s"), " ", rest), dir_);
  }
  TempDir dir_;
};

TEST_F(CasesCommandTest, TableAsOfADateSortedByNextReviewDue) {
  CliRun r = Cases("--as-of 2024-04-10");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "case          events periods looked after since          reviews last review  placement "
      "legal IRO        social worker  team                     next review  overdue\n"
      "C-A                5       1 yes          2024-03-01           0 -            U4        "
      "C2    iro-7      sw-1           Team North               2024-04-02         1\n"
      "C-B                4       1 yes          2024-03-15           0 -            U3        "
      "V2    iro-7      sw-2           Team South               2024-04-16         0\n"
      "C-C                5       1 no           -                    0 -            -         "
      "V2    iro-8      sw-1           Team North               -                  0\n"
      "C-D                1       0 no           -                    0 -            -         "
      "-     -          -              -                        -                  0\n");
}

TEST_F(CasesCommandTest, CsvFilteredByIro) {
  CliRun r = Cases("--as-of 2024-04-10 --iro iro-7 --format csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(kCsvHeader,
                                "C-A,5,1,yes,2024-03-01,0,,U4,C2,iro-7,sw-1,Team North,2024-04-02,1\n"
                                "C-B,4,1,yes,2024-03-15,0,,U3,V2,iro-7,sw-2,Team South,2024-04-16,0\n"));
}

TEST_F(CasesCommandTest, JsonWithFiltersCombined) {
  CliRun r = Cases("--as-of 2024-04-10 --team 'Team North' --looked-after no --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "[\n"
            R"(  {"caseId":"C-C","events":5,"periodsOfCare":1,"lookedAfter":false,"reviewsHeld":0,)"
            R"("lookedAfterSince":null,"lastReview":null,"placementType":null,"legalStatus":"V2",)"
            R"("iro":"iro-8","socialWorker":"sw-1","team":"Team North","nextReviewDue":null,"overdue":0})"
            "\n]\n");
  r = Cases("--as-of 2024-04-17 --overdue --looked-after yes --format csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(kCsvHeader,
                                "C-A,5,1,yes,2024-03-01,0,,U4,C2,iro-7,sw-1,Team North,2024-04-02,1\n"
                                "C-B,4,1,yes,2024-03-15,0,,U3,V2,iro-7,sw-2,Team South,2024-04-16,1\n"));
  r = Cases("--as-of 2024-04-10 --overdue --format csv");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(kCsvHeader,
                                "C-A,5,1,yes,2024-03-01,0,,U4,C2,iro-7,sw-1,Team North,2024-04-02,1\n"));
}

TEST_F(CasesCommandTest, AValueNoCaseHasIsAnEmptyListNotAnError) {
  CliRun r = Cases("--iro iro-99 --format json");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[\n]\n");
  r = Cases("--team Nowhere --format csv");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, kCsvHeader);
  r = Cases("--team Nowhere");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("case "));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST_F(CasesCommandTest, UsageErrors) {
  CliRun r = Cases("--as-of 2024-04-1x");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--as-of: bad date '2024-04-1x'"));
  r = Cases("--looked-after maybe");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--looked-after must be yes or no"));
  EXPECT_THAT(r.err, HasSubstr("sorted by next review due (earliest first, not\n"
                               "        recorded last), then case id"));
  r = Cases("--format xml");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--format must be table, csv or json"));
  r = Cases("--known-at 2024-04-10");
  EXPECT_EQ(r.status, 2) << "cases takes no --known-at";
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace carelog
