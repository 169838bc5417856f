// `carelog retention` end to end: a child born on 29 February whose record
// may go from 1 March of the 75th year, a child who died young (15 years from
// the death, a childDied event), a child with no date of birth (listed apart,
// never due), a Scottish case (100 years), --all, JSON and the usage errors.
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

constexpr char kEvents[] =
    R"({"eventId":"a1","caseId":"C-1","occurredAt":"1940-03-10T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"1940-02-29"}})"
    "\n"
    R"({"eventId":"b1","caseId":"C-2","occurredAt":"2010-01-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1","dateOfBirth":"2008-01-01"}})"
    "\n"
    R"({"eventId":"b2","caseId":"C-2","occurredAt":"2012-05-05T09:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childDied":{}})"
    "\n"
    R"({"eventId":"c1","caseId":"C-3","occurredAt":"2020-01-06T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"d1","caseId":"S-1","occurredAt":"1930-06-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childRegistered":{"dateOfBirth":"1925-06-01"}})"
    "\n";

class RetentionCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), kEvents);
    ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", store(), " ", dir_.Sub("a.ndjson")), dir_)
                  .status,
              0);
    ASSERT_EQ(RunCarelog(absl::StrCat("pack --store ", store(), " --case S-1 scotland"), dir_).status,
              0);
  }
  std::string store() const { return dir_.Sub("s"); }
  CliRun Retention(const std::string& rest) {
    return RunCarelog(absl::StrCat("retention --store ", store(), " ", rest), dir_);
  }
  TempDir dir_;
};

TEST_F(RetentionCommandTest, ListsOnlyCasesWhosePeriodHasEnded) {
  CliRun r = Retention("--as-of 2015-02-28");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("C-1 ")));  // 29 Feb 1940 + 75 years: 1 March 2015
  EXPECT_THAT(r.out, Not(HasSubstr("C-2 ")));
  EXPECT_THAT(r.out, Not(HasSubstr("S-1 ")));  // Scotland: 100 years, until 2025-06-01
  EXPECT_THAT(r.out, HasSubstr("C-3"));        // apart: no date of birth
  EXPECT_THAT(r.out, HasSubstr("date of birth not recorded"));
  EXPECT_THAT(r.out, HasSubstr("0 cases whose retention period had ended by 2015-02-28; 1 whose "
                               "period cannot be worked out\n"));
  r = Retention("--as-of 2015-03-01");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("C-1              1940-02-29 -          2015-03-01 birth  yes"));
  EXPECT_THAT(r.out, HasSubstr("reg 50"));
  EXPECT_THAT(r.out, HasSubstr("1 case whose retention period had ended by 2015-03-01;"));
  r = Retention("--as-of 2027-05-05");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("C-2              2008-01-01 2012-05-05 2027-05-05 death  yes"));
  EXPECT_THAT(r.out, HasSubstr("S-1              1925-06-01 -          2025-06-01 birth  yes"));
  EXPECT_THAT(r.out, HasSubstr("Looked After Children (Scotland) Regulations 2009, reg 43(1)"));
}

TEST_F(RetentionCommandTest, AllAndJson) {
  CliRun r = Retention("--as-of 2016-01-01 --all --format json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"caseId":"C-1","pack":"england","dateOfBirth":"1940-02-29",)"
                               R"("dateOfDeath":null,"basis":"birth","destroyFrom":"2015-03-01",)"
                               R"("ended":true,"rule":"retention.case_record")"));
  EXPECT_THAT(r.out, HasSubstr(R"({"caseId":"C-2","pack":"england","dateOfBirth":"2008-01-01",)"
                               R"("dateOfDeath":"2012-05-05","basis":"death",)"
                               R"("destroyFrom":"2027-05-05","ended":false,)"));
  EXPECT_THAT(r.out, HasSubstr(R"("pack":"scotland","dateOfBirth":"1925-06-01")"));
  EXPECT_THAT(r.out, HasSubstr(R"("unknown":[{"caseId":"C-3","pack":"england","dateOfDeath":null,)"
                               R"("why":"date of birth not recorded"}]})"));
}

TEST_F(RetentionCommandTest, UsageErrors) {
  CliRun r = Retention("--format csv");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--format must be table or json"));
  r = Retention("C-1");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("retention takes no positional arguments"));
  r = Retention("--as-of 2015-02-30");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--as-of"));
}

}  // namespace
}  // namespace carelog
