// `carelog tray` end to end on the four children of the case-list tests
// (tests/cases_fixture.h): the rows are exactly the OVERDUE obligations and
// the OPEN ones due within the window that `carelog deadlines` reports; each
// filter and their combination; both sort orders; the table's counts; and
// the usage errors (bad --as-of, --days, --sort, --format) with exit 2.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/calendar.h"
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

constexpr char kCsvHeader[] =
    "due,status,case,working_days,rule,review,iro,social_worker,team,pack,source_document,"
    "source_section\n";

// One data line of the tray's csv, its leading fields (ids, dates and the
// fixture's names hold no comma; the sources, which may, come last).
struct TrayLine {
  std::string due, status, case_id, working_days, rule, review, iro, social_worker, team, pack;
};

std::vector<TrayLine> ParseTrayCsv(const std::string& csv) {
  std::vector<TrayLine> out;
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return out;
  EXPECT_EQ(lines[0] + "\n", kCsvHeader);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    EXPECT_GE(f.size(), 12u) << lines[i];
    if (f.size() < 12) continue;
    out.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]});
  }
  return out;
}

using Key = std::tuple<std::string, std::string, std::string, std::string>;  // case rule due status

class TrayCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    carelog::testing::WriteFile(dir_.Sub("a.ndjson"), ::carelog::testing::kFourCasesNdjson);
    ASSERT_EQ(
        RunCarelog(absl::StrCat("import --store ", dir_.Sub("s"), " ", dir_.Sub("a.ndjson")), dir_)
            .status,
        0);
  }
  CliRun Tray(const std::string& rest) {
    return RunCarelog(absl::StrCat("tray --store ", dir_.Sub("s"), " ", rest), dir_);
  }
  std::vector<TrayLine> TrayCsv(const std::string& rest) {
    CliRun r = Tray(absl::StrCat(rest, " --format csv"));
    EXPECT_EQ(r.status, 0) << r.err;
    return ParseTrayCsv(r.out);
  }
  // What `carelog deadlines` says the tray should hold: every OVERDUE
  // obligation and every OPEN one due by the `days`-th working day after
  // as_of (the fixture's cases are all under an England pack).
  std::set<Key> FromDeadlines(absl::CivilDay as_of, int days) {
    CliRun r = RunCarelog(absl::StrCat("deadlines --store ", dir_.Sub("s"), " --as-of ",
                                       FormatDate(as_of), " --format csv"),
                          dir_);
    EXPECT_EQ(r.status, 0) << r.err;
    const absl::CivilDay horizon =
        Calendar::Default().AddWorkingDays(Division::kEnglandAndWales, as_of, days);
    std::set<Key> out;
    std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    for (size_t i = 1; i < lines.size(); ++i) {  // caseId,rule,due,status,...
      std::vector<std::string> f = absl::StrSplit(lines[i], ',');
      if (f.size() < 4) continue;
      auto due = ParseDate(f[2]);
      EXPECT_TRUE(due.ok()) << lines[i];
      if (f[3] == "OVERDUE" || (f[3] == "OPEN" && due.ok() && *due <= horizon))
        out.insert({f[0], f[1], f[2], f[3]});
    }
    return out;
  }
  static std::set<Key> Keys(const std::vector<TrayLine>& rows) {
    std::set<Key> out;
    for (const TrayLine& l : rows) out.insert({l.case_id, l.rule, l.due, l.status});
    return out;
  }
  TempDir dir_;
};

TEST_F(TrayCommandTest, RowsAreTheDeadlinesOverdueOrDueInTheWindow) {
  for (const char* d : {"2024-03-20", "2024-04-10", "2024-04-17", "2024-06-01"}) {
    const absl::CivilDay as_of = *ParseDate(d);
    for (int days : {1, 10, 40}) {
      const std::vector<TrayLine> rows = TrayCsv(absl::StrCat("--as-of ", d, " --days ", days));
      EXPECT_EQ(Keys(rows), FromDeadlines(as_of, days)) << d << " " << days;
      EXPECT_EQ(Keys(rows).size(), rows.size()) << "a row twice";
    }
  }
  // Not a vacuous equality: the fixture has both kinds on this day.
  const std::vector<TrayLine> rows = TrayCsv("--as-of 2024-04-10 --days 40");
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                          [](const TrayLine& l) { return l.status == "OVERDUE"; }));
  EXPECT_TRUE(
      std::any_of(rows.begin(), rows.end(), [](const TrayLine& l) { return l.status == "OPEN"; }));
}

TEST_F(TrayCommandTest, EachFilterKeepsExactlyItsRows) {
  const std::string base = "--as-of 2024-04-10 --days 40";
  const std::vector<TrayLine> all = TrayCsv(base);
  ASSERT_FALSE(all.empty());
  auto expect_subset = [&](const std::string& flag, auto keep) {
    std::vector<TrayLine> expected;
    for (const TrayLine& l : all)
      if (keep(l)) expected.push_back(l);
    const std::vector<TrayLine> got = TrayCsv(absl::StrCat(base, " ", flag));
    EXPECT_EQ(Keys(got), Keys(expected)) << flag;
    EXPECT_EQ(got.size(), expected.size()) << flag;
    return got.size();
  };
  EXPECT_GT(expect_subset("--iro iro-7", [](const TrayLine& l) { return l.iro == "iro-7"; }), 0u);
  EXPECT_GT(expect_subset("--team 'Team South'",
                          [](const TrayLine& l) { return l.team == "Team South"; }),
            0u);
  const std::string rule = all.back().rule;
  EXPECT_GT(expect_subset(absl::StrCat("--rule ", rule),
                          [&](const TrayLine& l) { return l.rule == rule; }),
            0u);
  const std::string pack = all[0].pack;
  EXPECT_EQ(expect_subset(absl::StrCat("--pack ", pack),
                          [&](const TrayLine& l) { return l.pack == pack; }),
            all.size());
  expect_subset("--iro iro-7 --team 'Team North'",
                [](const TrayLine& l) { return l.iro == "iro-7" && l.team == "Team North"; });
  // Values nothing has: an empty tray, not an error.
  for (const char* none :
       {"--iro iro-99", "--team Nowhere", "--rule no-such-rule", "--pack no-such-pack"}) {
    CliRun r = Tray(absl::StrCat(base, " ", none, " --format csv"));
    EXPECT_EQ(r.status, 0) << none << r.err;
    EXPECT_EQ(r.out, kCsvHeader) << none;
  }
}

TEST_F(TrayCommandTest, SortedByDueEitherWayTiesByCase) {
  const std::vector<TrayLine> up = TrayCsv("--as-of 2024-04-10 --days 40 --sort due");
  const std::vector<TrayLine> down = TrayCsv("--as-of 2024-04-10 --days 40 --sort -due");
  ASSERT_GE(up.size(), 2u);
  EXPECT_EQ(Keys(up), Keys(down));
  auto order = [](const TrayLine& l) { return std::tie(l.due, l.case_id, l.rule); };
  for (size_t i = 1; i < up.size(); ++i) {
    EXPECT_LT(order(up[i - 1]), order(up[i])) << i;
    EXPECT_TRUE(down[i - 1].due > down[i].due ||
                (down[i - 1].due == down[i].due && std::tie(down[i - 1].case_id, down[i - 1].rule) <
                                                       std::tie(down[i].case_id, down[i].rule)))
        << i;
  }
  EXPECT_LT(up.front().due, up.back().due);  // there is an order to check
  // The default is due date, earliest first.
  EXPECT_EQ(Keys(TrayCsv("--as-of 2024-04-10 --days 40")), Keys(up));
  EXPECT_EQ(TrayCsv("--as-of 2024-04-10 --days 40")[0].due, up[0].due);
}

TEST_F(TrayCommandTest, TableShowsTheCountsThenTheRows) {
  const std::vector<TrayLine> rows = TrayCsv("--as-of 2024-04-10 --days 40");
  int overdue = 0, iro7 = 0;
  for (const TrayLine& l : rows) {
    overdue += l.status == "OVERDUE";
    iro7 += l.iro == "iro-7";
  }
  CliRun r = Tray("--as-of 2024-04-10 --days 40");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith(
                         absl::StrCat("work tray at the end of 2024-04-10: ", overdue, " overdue, ",
                                      rows.size() - overdue, " due within 40 working days\n")));
  const size_t counts = r.out.find("\nIRO ");
  const size_t table = r.out.find("\ndue ");
  ASSERT_NE(counts, std::string::npos) << r.out;
  ASSERT_NE(table, std::string::npos) << r.out;
  EXPECT_LT(counts, table);
  EXPECT_LT(r.out.find("\nteam "), table);
  // One line per row after the rows' header.
  const std::string body = r.out.substr(table + 1);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 1 + static_cast<long>(rows.size()));
  // The per-IRO line of iro-7 adds up to its rows.
  CliRun j = Tray("--as-of 2024-04-10 --days 40 --format json");
  ASSERT_EQ(j.status, 0) << j.err;
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat("\"asOf\":\"2024-04-10\",\"workingDays\":40,")));
  int o7 = 0;
  for (const TrayLine& l : rows) o7 += l.iro == "iro-7" && l.status == "OVERDUE";
  EXPECT_THAT(j.out, HasSubstr(absl::StrCat("{\"name\":\"iro-7\",\"overdue\":", o7,
                                            ",\"dueSoon\":", iro7 - o7, "}")));
}

TEST_F(TrayCommandTest, UsageErrorsExitTwo) {
  struct Bad {
    const char* flags;
    const char* message;
  };
  for (const Bad& b :
       {Bad{"--as-of 2024-04-1x", "--as-of: bad date '2024-04-1x'"},
        Bad{"--days 0", "--days must be a whole number of working days from 1 to 366, not '0'"},
        Bad{"--days ten", "not 'ten'"}, Bad{"--days 367", "not '367'"},
        Bad{"--days -3", "not '-3'"}, Bad{"--days 2.5", "not '2.5'"},
        Bad{"--sort date", "--sort must be due (earliest first) or -due (latest first)"},
        Bad{"--format xml", "--format must be table, csv or json"},
        Bad{"--known-at 2024-04-10", "unknown"}}) {
    CliRun r = Tray(b.flags);
    EXPECT_EQ(r.status, 2) << b.flags;
    EXPECT_THAT(r.err, HasSubstr(b.message)) << b.flags;
    EXPECT_EQ(r.out, "") << b.flags;
  }
  // The usage text names the command.
  CliRun r = Tray("--sort date");
  EXPECT_THAT(r.err, HasSubstr("tray [--store DIR] [--as-of DATE] [--days N]"));
}

}  // namespace
}  // namespace carelog
