// SSDA903 import and export, end to end through the `carelog` binary: the
// round trip on the synthetic set in ../shared/data/ssda903-fake, refusals as
// FILE:LINE: reason, re-import as a no-op, and the QA report over the set.
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/event_time.h"
#include "engine/ssda903_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;
using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;
using ::testing::HasSubstr;

const std::string kData = std::string(CARELOG_SHARED_DIR) + "/data/ssda903-fake";

using Rows = std::vector<std::vector<std::string>>;
// Data rows (the header line dropped) with their 1-based line numbers.
std::vector<std::pair<uint64_t, std::vector<std::string>>> ReadCsv(const std::string& path) {
  std::vector<std::pair<uint64_t, std::vector<std::string>>> out;
  std::ifstream f(path);
  std::string line;
  uint64_t n = 0;
  while (std::getline(f, line)) {
    if (++n == 1 || line.empty()) continue;
    out.push_back({n, absl::StrSplit(line, ',')});
  }
  return out;
}

// "PATH:LINE: reason" lines -> {file name, line}.
std::set<std::pair<std::string, uint64_t>> Refused(const std::string& err) {
  std::set<std::pair<std::string, uint64_t>> out;
  for (absl::string_view l : absl::StrSplit(err, '\n')) {
    std::vector<std::string> parts = absl::StrSplit(l, absl::MaxSplits(':', 2));
    if (parts.size() < 3) continue;
    uint64_t line;
    if (!absl::SimpleAtoi(parts[1], &line)) continue;
    out.insert({parts[0].substr(parts[0].rfind('/') + 1), line});
  }
  return out;
}

class Ssda903RoundTrip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    store_ = dir_->Sub("s");
    all_or_nothing_ = new CliRun(RunCarelog(absl::StrCat("import-903 --store ", store_, " ", kData), *dir_));
    skip_ = new CliRun(RunCarelog(absl::StrCat("import-903 --store ", store_, " --skip-invalid ", kData), *dir_));
    again_ = new CliRun(RunCarelog(absl::StrCat("import-903 --store ", store_, " --skip-invalid ", kData), *dir_));
  }
  static void TearDownTestSuite() {
    delete all_or_nothing_;
    delete skip_;
    delete again_;
    delete dir_;
  }
  // The accepted rows of a file (refused lines left out), as a set.
  static std::set<std::vector<std::string>> Accepted(const std::string& name) {
    const auto refused = Refused(skip_->err);
    std::set<std::vector<std::string>> out;
    for (auto& [line, row] : ReadCsv(kData + "/" + name)) {
      if (!refused.count({name, line})) out.insert(row);
    }
    return out;
  }
  static TempDir* dir_;
  static std::string store_;
  static CliRun *all_or_nothing_, *skip_, *again_;
};
TempDir* Ssda903RoundTrip::dir_;
std::string Ssda903RoundTrip::store_;
CliRun *Ssda903RoundTrip::all_or_nothing_, *Ssda903RoundTrip::skip_, *Ssda903RoundTrip::again_;

TEST_F(Ssda903RoundTrip, AllOrNothingRefusesWithFileLineReason) {
  EXPECT_EQ(all_or_nothing_->status, 1);
  EXPECT_THAT(all_or_nothing_->err, HasSubstr("nothing appended"));
  EXPECT_THAT(all_or_nothing_->err,
              HasSubstr(absl::StrCat(kData, "/episodes.csv:312: DEC 10/03/2018 overlaps the child's next episode, which starts 11/01/2018 (line 313)")));
  EXPECT_THAT(all_or_nothing_->err, HasSubstr("/reviews.csv:"));
  EXPECT_THAT(all_or_nothing_->err, HasSubstr("is in the future"));
  // The refusals per kind: 68 future reviews, 62 overlapping episodes, 10
  // episodes with no DEC that are not the child's last.
  EXPECT_EQ(Refused(all_or_nothing_->err).size(), 140u);
}

TEST_F(Ssda903RoundTrip, SkipInvalidImportsTheRestAndReimportIsANoOp) {
  EXPECT_EQ(skip_->status, 0) << skip_->err;
  EXPECT_THAT(skip_->out, HasSubstr("header 2675/2675, episodes 4978/5050, reviews 12514/12582 rows accepted; 140 refused"));
  // The two exact duplicate review rows collapse into one event each.
  EXPECT_THAT(skip_->out, HasSubstr("2 already present"));
  EXPECT_EQ(Refused(skip_->err), Refused(all_or_nothing_->err));
  EXPECT_EQ(again_->status, 0);
  EXPECT_THAT(again_->out, HasSubstr(": 0 appended, 27513 already present"));
}

TEST_F(Ssda903RoundTrip, ExportReproducesEveryAcceptedRowAndInventsNone) {
  std::map<std::string, std::set<std::vector<std::string>>> exported;
  for (int year = 2010; year <= 2030; ++year) {
    const std::string out = dir_->Sub(absl::StrCat("y", year));
    CliRun r = RunCarelog(absl::StrCat("export 903 --store ", store_, " --year ", year, " --out ", out), *dir_);
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* name : {"header.csv", "episodes.csv", "reviews.csv"}) {
      EXPECT_EQ(carelog::testing::ReadFile(out + "/" + name).substr(0, 20), carelog::testing::ReadFile(kData + "/" + name).substr(0, 20));
      for (auto& [line, row] : ReadCsv(out + "/" + name)) exported[name].insert(row);
    }
    if (year == 2017) {
      // The set's collection year holds every accepted episode.
      std::set<std::vector<std::string>> eps;
      for (auto& [line, row] : ReadCsv(out + "/episodes.csv")) eps.insert(row);
      EXPECT_EQ(eps, Accepted("episodes.csv"));
    }
  }
  EXPECT_EQ(exported["reviews.csv"].size(), 12512u);
  EXPECT_EQ(exported["reviews.csv"], Accepted("reviews.csv"));
  EXPECT_EQ(exported["episodes.csv"].size(), 4978u);
  EXPECT_EQ(exported["episodes.csv"], Accepted("episodes.csv"));
  EXPECT_EQ(exported["header.csv"], Accepted("header.csv"));
}

TEST_F(Ssda903RoundTrip, QaReportShowsThePoorTimeliness) {
  CliRun r = RunCarelog(absl::StrCat("report qa --store ", store_,
                                  " --from 2017-04-01 --to 2018-03-31 --format json"), *dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  // Independent counts from the CSVs: accepted reviews in the period, by PN,
  // and those of children with no episode covering the date.
  const auto episodes = Accepted("episodes.csv");
  std::map<std::string, std::vector<std::pair<absl::CivilDay, std::optional<absl::CivilDay>>>> spans;
  for (const auto& e : episodes) {
    spans[e[0]].push_back({*Parse903Date(e[1]),
                           e[7].empty() ? std::nullopt : std::optional(*Parse903Date(e[7]))});
  }
  std::map<std::string, int64_t> pn;
  int64_t in_window = 0, outside = 0;
  const absl::CivilDay from(2017, 4, 1), to(2018, 3, 31);
  for (const auto& row : Accepted("reviews.csv")) {
    const absl::CivilDay day = *Parse903Date(row[2]);
    if (day < from || day > to) continue;
    ++in_window;
    ++pn[row[3]];
    bool covered = false;
    for (const auto& [start, end] : spans[row[0]]) covered |= start <= day && (!end || day < *end);
    outside += !covered;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  const auto head = doc["headline"];
  EXPECT_EQ(int64_t(head["reviewsHeld"]) + int64_t(head["reviewsOutsidePeriod"]), in_window);
  EXPECT_EQ(int64_t(head["reviewsOutsidePeriod"]), outside);
  std::map<std::string, int64_t> got;
  for (auto [k, v] : doc["participation"].get_object()) got[std::string(k)] = int64_t(v);
  EXPECT_EQ(got, pn);
  // Most reviews are out of timescale, as the set was made.
  EXPECT_LT(double(head["reviewsOnTimePct"]), 50.0);
  EXPECT_GT(int64_t(head["overdueNow"]), 0);
}

TEST(Ssda903Test, BadRowsAreRefusedWithFileLineReason) {
  TempDir dir;
  std::ofstream(dir.Sub("header.csv")) << "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                          "1,1,01/02/2010,WBRI,A1,,\n"
                                          "2,2,31/02/2010,WBRI,A2,,\n";
  std::ofstream(dir.Sub("episodes.csv"))
      << "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
         "1,01/05/2020,S,C2,N1,U1,PR1,,,,,,SC1\n"
         "1,01/06/2020,P,C2,N1,QQ,PR1,,,,,,SC1\n"
         "9,01/05/2020,S,C2,N1,U1,PR1,,,,,,SC1\n";
  std::ofstream(dir.Sub("reviews.csv")) << "CHILD,DOB,REVIEW,REVIEW_CODE\n"
                                           "1,01/02/2010,20/05/2020,PN9\n"
                                           "1,01/02/2010,20/05/2099,PN1\n"
                                           "1,02/02/2010,21/05/2020,PN1\n";
  auto conv = Convert903(dir.path(), absl::Now());
  ASSERT_TRUE(conv.ok()) << conv.status();
  const std::string all = absl::StrJoin(conv->refused, "\n");
  EXPECT_THAT(all, HasSubstr(dir.Sub("header.csv:3: DOB: bad date '31/02/2010': want DD/MM/YYYY")));
  EXPECT_THAT(all, HasSubstr(dir.Sub("episodes.csv:3: PLACE: unknown PLACE code 'QQ'")));
  EXPECT_THAT(all, HasSubstr(dir.Sub("episodes.csv:4: CHILD 9 is not in the header")));
  EXPECT_THAT(all, HasSubstr(dir.Sub("reviews.csv:2: REVIEW_CODE: unknown PN code 'PN9'")));
  EXPECT_THAT(all, HasSubstr(dir.Sub("reviews.csv:3: REVIEW: 20/05/2099 is in the future")));
  EXPECT_THAT(all, HasSubstr(dir.Sub("reviews.csv:4: DOB '02/02/2010' differs from the header's")));
  EXPECT_EQ(conv->refused.size(), 6u);
  // Dates become 12:00 in London, BST or not, and read back the same.
  for (absl::CivilDay d : {absl::CivilDay(2024, 7, 1), absl::CivilDay(2024, 12, 1),
                           absl::CivilDay(2024, 3, 31), absl::CivilDay(2024, 10, 27)}) {
    EXPECT_EQ(LondonDate(LondonNoon(d)), d);
  }
}

}  // namespace
}  // namespace carelog
