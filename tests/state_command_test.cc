// `carelog state` end to end: the command table's options, the text and JSON
// of an imported case, --as-of, --known-at (nothing had been recorded before
// the import), and the errors.
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

constexpr char kCase[] =
    R"({"eventId":"e1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"e2","caseId":"C-1","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n"
    R"({"eventId":"e3","caseId":"C-1","occurredAt":"2024-03-05T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"iroAllocated":{"iroId":"iro-7"}})"
    "\n"
    R"({"eventId":"e4","caseId":"C-1","occurredAt":"2024-04-02T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"placementStarted":{"placementType":"U4","provider":"PR1","placementPostcode":"M6 5AB","placementId":"P-2"}})"
    "\n";

class StateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kCase);
    ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", store(), " ", dir_.Sub("a.ndjson")), dir_)
                  .status,
              0);
  }
  std::string store() const { return dir_.Sub("s"); }
  CliRun State(const std::string& rest) {
    return RunCarelog(absl::StrCat("state --store ", store(), " ", rest), dir_);
  }
  TempDir dir_;
};

TEST_F(StateCommandTest, TextAsOfADate) {
  CliRun r = State("--case C-1 --as-of 2024-04-10");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Case C-1 at the end of 2024-04-10\n"));
  EXPECT_THAT(r.out, HasSubstr("  Looked after    since 2024-03-01 (40 days; period 1)\n"));
  EXPECT_THAT(r.out, HasSubstr("  Legal status    C2 since 2024-03-01\n"));
  EXPECT_THAT(r.out, HasSubstr("  Type            U4\n"));
  EXPECT_THAT(r.out, HasSubstr("  District        M6\n"));
  EXPECT_THAT(r.out, HasSubstr("  Placements      2 in this period, 2 in the 12 months to 2024-04-10\n"));
  EXPECT_THAT(r.out, HasSubstr("  IRO             iro-7 since 2024-03-05\n"));
  EXPECT_THAT(r.out, HasSubstr("  Social worker   not recorded\n"));
  // 20 working days after 1 March 2024, past Good Friday and Easter Monday.
  EXPECT_THAT(r.out, HasSubstr("  Next review due 2024-04-02 (review.initial)\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("5AB")));
  // Before the move.
  r = State("--case C-1 --as-of 2024-03-10");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  Type            U1\n"));
  EXPECT_THAT(r.out, HasSubstr("  District        not recorded\n"));
}

TEST_F(StateCommandTest, Json) {
  CliRun r = State("--case C-1 --as-of 2024-04-10 --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"caseId":"C-1","asOf":"2024-04-10","knownAt":null,)"));
  EXPECT_THAT(r.out, HasSubstr(R"("iro":{"id":"iro-7","since":"2024-03-05"})"));
  EXPECT_THAT(r.out, HasSubstr(R"("nextReview":{"due":"2024-04-02","rule":"review.initial"})"));
  EXPECT_THAT(r.out, HasSubstr(R"("what":"placement","from":"U1","to":"U4, provider PR1, M6")"));
}

TEST_F(StateCommandTest, KnownAtBeforeTheImportKnowsNothing) {
  // The events were recorded when imported (now): in 2024 none was known.
  CliRun r = State("--case C-1 --as-of 2024-04-10 --known-at 2024-12-31T00:00:00Z");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("as known at 2024-12-31T00:00:00Z"));
  EXPECT_THAT(r.out, HasSubstr("  Not looked after no period of care recorded\n"));
  EXPECT_THAT(r.out, HasSubstr("  IRO             not recorded\n"));
}

TEST_F(StateCommandTest, Errors) {
  CliRun r = State("--as-of 2024-04-10");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("state needs --case ID"));
  r = State("--case C-1 --format csv");
  EXPECT_EQ(r.status, 2);
  r = State("--case C-1 --as-of 2024-13-01");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--as-of"));
  r = State("--case C-1 --known-at yesterday");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--known-at"));
  r = State("--case C-9");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no case 'C-9' in the store"));
  r = RunCarelog("help", dir_);
  EXPECT_THAT(r.out + r.err, HasSubstr("state --case ID [--as-of DATE] [--known-at INSTANT]"));
}

}  // namespace
}  // namespace carelog
