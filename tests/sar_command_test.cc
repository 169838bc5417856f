// `carelog sar` end to end: the bundle's files (owner-only), each proof
// accepted by `carelog check-proof` unchanged and refused with a byte
// changed, the read in `carelog access-log`, and the refusals (a non-empty
// --out, an unknown case) that write nothing.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::CliRun;
using ::carelog::testing::ReadFile;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

// C-1 at positions 1, 2, 4, 5, 6; C-2 at 3.
constexpr char kEvents[] =
    R"({"eventId":"e1","caseId":"C-1","occurredAt":"2024-03-01T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"comment":"<script>alert(1)</script>","childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"e2","caseId":"C-1","occurredAt":"2024-03-04T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"iroServiceNotified":{}})"
    "\n"
    R"({"eventId":"x1","caseId":"C-2","occurredAt":"2024-03-02T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"childAccommodated":{"legalStatus":"C2","placementType":"U1"}})"
    "\n"
    R"({"eventId":"e3","caseId":"C-1","occurredAt":"2024-03-05T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"iroAllocated":{"iroId":"iro-7"}})"
    "\n"
    R"({"eventId":"e4","caseId":"C-1","occurredAt":"2024-03-06T10:00:00Z","actor":{"id":"sw","role":"SOCIAL_WORKER"},"eventCorrected":{"eventId":"e1","reason":"legal status typed wrong","replacement":{"childAccommodated":{"legalStatus":"C1","placementType":"U1"}}}})"
    "\n"
    R"({"eventId":"e5","caseId":"C-1","occurredAt":"2024-03-07T10:00:00Z","actor":{"id":"irom","role":"IRO_MANAGER"},"eventRetracted":{"eventId":"e3","reason":"wrong child"}})"
    "\n";

class SarCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Sub("a.ndjson"), kEvents);
    CliRun r = RunCarelog(absl::StrCat("import --store ", store(), " ", dir_.Sub("a.ndjson")), dir_);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  std::string store() const { return dir_.Sub("s"); }
  CliRun Run(const std::string& rest) { return RunCarelog(absl::StrCat(rest), dir_); }
  CliRun Sar(const std::string& rest) {
    return RunCarelog(absl::StrCat("sar --store ", store(), " ", rest), dir_);
  }
  static int Mode(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return -1;
    return st.st_mode & 0777;
  }
  TempDir dir_;
};

TEST_F(SarCommandTest, WritesTheBundleAndEveryProofChecksWithCheckProof) {
  const std::string out = dir_.Sub("sar-out");
  CliRun r = Sar(absl::StrCat("--case C-1 --out ", out, " --by alice --reference SAR-2026-17"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("case C-1, 5 events"));
  EXPECT_EQ(Mode(out), 0700);
  EXPECT_EQ(Mode(out + "/proofs"), 0700);
  EXPECT_EQ(Mode(out + "/record.html"), 0600);
  EXPECT_EQ(Mode(out + "/record.json"), 0600);

  const std::string html = ReadFile(out + "/record.html");
  const std::string json = ReadFile(out + "/record.json");
  for (const char* id : {"e1", "e2", "e3", "e4", "e5"}) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat("<code>", id, "</code>")));
    EXPECT_THAT(json, HasSubstr(absl::StrCat("\"eventId\": \"", id, "\"")));
  }
  EXPECT_THAT(html, Not(HasSubstr("x1")));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("Correction of entry number 1, <code>e1</code>"));
  EXPECT_THAT(html, HasSubstr("Withdrawal of entry number 4, <code>e3</code>"));
  // The read that made it, listed in it.
  EXPECT_THAT(html, HasSubstr("<td>cli:alice</td><td>operator</td><td>carelog sar (reference "
                              "SAR-2026-17)"));

  // Positions 1, 2, 4, 5, 6 are C-1's events; 7 is this read.
  const std::string head_line = absl::StrCat("\"head\": {\"treeSize\": 7, \"rootHash\": \"");
  const size_t at = json.find(head_line);
  ASSERT_NE(at, std::string::npos) << json.substr(0, 600);
  const std::string root = json.substr(at + head_line.size(), 64);
  for (int position : {1, 2, 4, 5, 6, 7}) {
    const std::string proof = absl::StrCat(out, "/proofs/", position, ".json");
    CliRun c = Run(absl::StrCat("check-proof ", proof));
    EXPECT_EQ(c.status, 0) << position << ": " << c.err;
    EXPECT_THAT(c.out, HasSubstr(absl::StrCat("is at position ", position, " of the log whose "
                                              "first 7 events have root ", root)));
  }
  EXPECT_FALSE(fs::exists(out + "/proofs/3.json"));  // C-2's event
  // The check the document asks of the council works on its store.
  const std::string verify_head = absl::StrCat("carelog verify --head 7:", root);
  EXPECT_THAT(html, HasSubstr(verify_head));
  CliRun verified = Run(absl::StrCat("verify --store ", store(), " --head 7:", root));
  EXPECT_EQ(verified.status, 0) << verified.err;
  // Exactly what `carelog prove --size 7` prints.
  CliRun prove = Run(absl::StrCat("prove --store ", store(), " e2 --size 7"));
  ASSERT_EQ(prove.status, 0) << prove.err;
  EXPECT_EQ(ReadFile(out + "/proofs/2.json"), prove.out);

  // One byte of the record changed: refused.
  std::string bad = ReadFile(out + "/proofs/2.json");
  const size_t leaf = bad.find("\"leaf\": \"");
  ASSERT_NE(leaf, std::string::npos);
  char& c = bad[leaf + 40];
  c = c == '0' ? '1' : '0';
  WriteFile(dir_.Sub("bad.json"), bad);
  CliRun refused = Run(absl::StrCat("check-proof ", dir_.Sub("bad.json")));
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, HasSubstr("proof does not verify"));

  // The read is in the access log.
  CliRun log = Run(absl::StrCat("access-log --store ", store(), " --case C-1 --format json"));
  ASSERT_EQ(log.status, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("\"token\":\"cli:alice\""));
  EXPECT_THAT(log.out, HasSubstr("carelog sar (reference SAR-2026-17)"));
}

TEST_F(SarCommandTest, ANonEmptyOutIsRefusedAndNothingIsReadOrWritten) {
  const std::string out = dir_.Sub("full");
  fs::create_directories(out);
  WriteFile(out + "/keep.txt", "mine");
  CliRun r = Sar(absl::StrCat("--case C-1 --out ", out));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("is not empty"));
  EXPECT_THAT(r.err, HasSubstr("nothing written"));
  EXPECT_EQ(ReadFile(out + "/keep.txt"), "mine");
  EXPECT_FALSE(fs::exists(out + "/record.html"));
  // No read was recorded.
  CliRun log = Run(absl::StrCat("access-log --store ", store(), " --format json"));
  ASSERT_EQ(log.status, 0) << log.err;
  EXPECT_THAT(log.out, Not(HasSubstr("carelog sar")));

  // An empty directory is taken.
  const std::string empty = dir_.Sub("empty");
  fs::create_directories(empty);
  r = Sar(absl::StrCat("--case C-1 --out ", empty, " --by bob"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(empty + "/record.html"));
  EXPECT_EQ(Mode(empty), 0700);
}

TEST_F(SarCommandTest, AnUnknownCaseIsNotFoundAndNothingIsWritten) {
  const std::string out = dir_.Sub("nope");
  CliRun r = Sar(absl::StrCat("--case C-9 --out ", out));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no case 'C-9' in the store"));
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr("partial")));
  }
}

TEST_F(SarCommandTest, UsageAndMissingOptions) {
  CliRun r = Sar("--case C-1");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("sar needs --case ID and --out DIR"));
  r = Run("help");
  EXPECT_THAT(r.out + r.err, HasSubstr("sar --case ID --out DIR [--by NAME] [--reference REF]"));
}

TEST_F(SarCommandTest, ByDefaultsToTheOsUser) {
  const passwd* pw = getpwuid(geteuid());
  ASSERT_NE(pw, nullptr);
  const std::string out = dir_.Sub("o");
  CliRun r = Sar(absl::StrCat("--case C-1 --out ", out));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(ReadFile(out + "/record.json"),
              HasSubstr(absl::StrCat("\"request\": {\"by\": \"cli:", pw->pw_name, "\"")));
}

}  // namespace
}  // namespace carelog
