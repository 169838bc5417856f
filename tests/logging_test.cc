// store/logging.h: levels filter, the line format, and no personal data in the
// log lines of long commands (ids and counts only, never names or free text).
#include "store/logging.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = log::GetLevel();
    log::SetSinkForTest([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    log::SetSinkForTest(nullptr);
    log::SetLevel(saved_);
  }
  std::vector<std::string> lines_;
  log::Level saved_;
};

TEST_F(LogTest, FiltersByLevel) {
  log::SetLevel(log::Level::kWarn);
  LOG_DEBUG("d");
  LOG_INFO("i");
  LOG_WARN("w");
  LOG_ERROR("e");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_THAT(lines_[0], HasSubstr(" WARN w"));
  EXPECT_THAT(lines_[1], HasSubstr(" ERROR e"));
  lines_.clear();
  log::SetLevel(log::Level::kDebug);
  LOG_DEBUG("d");
  LOG_INFO("i");
  EXPECT_EQ(lines_.size(), 2u);
  lines_.clear();
  log::SetLevel(log::Level::kOff);
  LOG_ERROR("e");
  EXPECT_TRUE(lines_.empty());
}

TEST_F(LogTest, LineHasTimestampAndLevel) {
  log::SetLevel(log::Level::kInfo);
  LOG_INFO(absl::StrCat("import: ", 12, " events"));
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines_[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO import: 12 events\n)")))
      << lines_[0];
}

TEST_F(LogTest, MessageIsNotBuiltWhenFiltered) {
  log::SetLevel(log::Level::kError);
  int built = 0;
  auto msg = [&] {
    ++built;
    return std::string("x");
  };
  LOG_INFO(msg());
  EXPECT_EQ(built, 0);
  LOG_ERROR(msg());
  EXPECT_EQ(built, 1);
}

TEST_F(LogTest, LevelFromTextAndEnvironment) {
  log::Level l;
  EXPECT_TRUE(log::ParseLevel("DEBUG", &l));
  EXPECT_EQ(l, log::Level::kDebug);
  EXPECT_TRUE(log::ParseLevel("warning", &l));
  EXPECT_EQ(l, log::Level::kWarn);
  EXPECT_TRUE(log::ParseLevel("off", &l));
  EXPECT_FALSE(log::ParseLevel("verbose", &l));
  log::SetLevel(log::Level::kWarn);
  setenv("CARELOG_LOG", "info", 1);
  log::InitFromEnv();
  EXPECT_EQ(log::GetLevel(), log::Level::kInfo);
  setenv("CARELOG_LOG", "loud", 1);
  log::InitFromEnv();  // ignored, with a warning
  EXPECT_EQ(log::GetLevel(), log::Level::kInfo);
  EXPECT_THAT(lines_.back(), HasSubstr("WARN CARELOG_LOG='loud'"));
  unsetenv("CARELOG_LOG");
}

// --- the binary ---

using ::carelog::testing::CliRun;
using ::carelog::testing::RunCarelog;

// The log lines of stderr (not the command's own messages).
std::vector<std::string> LogLines(const std::string& err) {
  std::vector<std::string> out;
  const std::regex re(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARN|ERROR) .*)");
  for (absl::string_view l : absl::StrSplit(err, '\n')) {
    const std::string line(l);
    if (std::regex_match(line, re)) out.push_back(line);
  }
  return out;
}

constexpr char kSecret[] = "Jemima Puddleduck-Secret";

std::string Line(const std::string& id, const std::string& case_id, const std::string& payload,
                 const std::string& role = "SOCIAL_WORKER") {
  return absl::StrCat(R"({"eventId":")", id, R"(","caseId":")", case_id,
                      R"(","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw-1","role":")",
                      role, R"("},)", payload, "}\n");
}

TEST(LogCliTest, ImportAndBackupLogNoPayloadFreeText) {
  TempDir dir;
  const std::string store = dir.Sub("store"), good = dir.Sub("good.ndjson"),
                    bad = dir.Sub("bad.ndjson");
  {
    std::ofstream f(good);
    f << Line("e1", "C-LOG-1", R"("childAccommodated":{"legalStatus":"C2","placementType":"U1"})")
      << Line("e2", "C-LOG-1",
              absl::StrCat(R"("socialWorkerAllocated":{"socialWorkerId":"sw-1","team":")",
                           kSecret, R"("})"));
  }
  {
    std::ofstream f(bad);
    f << Line("e3", "C-LOG-2", R"("iroServiceNotified":{})", kSecret);
  }
  CliRun ok = RunCarelog(absl::StrCat("import --store ", store, " ", good, " --log-level debug"), dir.path());
  ASSERT_EQ(ok.status, 0) << ok.err;
  auto lines = LogLines(ok.err);
  ASSERT_FALSE(lines.empty()) << ok.err;
  EXPECT_THAT(ok.err, HasSubstr("INFO import: "));
  EXPECT_THAT(ok.err, HasSubstr("2 appended"));
  for (const auto& l : lines) EXPECT_THAT(l, Not(HasSubstr("Puddleduck"))) << l;

  CliRun refused = RunCarelog(absl::StrCat("import --store ", store, " ", bad), dir.path(),
                    "CARELOG_LOG=debug");
  EXPECT_EQ(refused.status, 1);
  lines = LogLines(refused.err);
  ASSERT_FALSE(lines.empty()) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("1 refused"));
  for (const auto& l : lines) EXPECT_THAT(l, Not(HasSubstr("Puddleduck"))) << l;

  CliRun b = RunCarelog(absl::StrCat("backup --store ", store, " --to ", dir.Sub("b"), " --log-level debug"),
              dir.path());
  ASSERT_EQ(b.status, 0) << b.err;
  CliRun r = RunCarelog(absl::StrCat("restore --from ", dir.Sub("b"), " --to ", dir.Sub("r"),
                           " --log-level=debug"),
              dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& run : {b, r}) {
    lines = LogLines(run.err);
    EXPECT_FALSE(lines.empty());
    for (const auto& l : lines) EXPECT_THAT(l, Not(HasSubstr("Puddleduck"))) << l;
  }

  // Quiet by default; a bad level is a usage error.
  CliRun quiet = RunCarelog(absl::StrCat("import --store ", store, " ", good), dir.path());
  EXPECT_TRUE(LogLines(quiet.err).empty()) << quiet.err;
  EXPECT_EQ(RunCarelog(absl::StrCat("stats --store ", store, " --log-level loud"), dir.path()).status, 2);
}

}  // namespace
}  // namespace carelog
