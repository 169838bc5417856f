// `carelog user add|list|remove`, run as the binary: the users file it
// writes signs people in (store/users.h), and bad input is refused with a
// message naming what is wrong and the file left as it was.
#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/base/time_format.h"
#include "store/users.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::CliRun;
using ::carelog::testing::ReadFile;
using ::carelog::testing::RunCarelog;
using ::carelog::testing::Shell;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

// `carelog ARGS` with `stdin_text` on its stdin.
CliRun RunWithStdin(const std::string& args, const std::string& stdin_text, const TempDir& dir) {
  const std::string in = dir.Sub("stdin"), out = dir.Sub("out"), err = dir.Sub("err");
  WriteFile(in, stdin_text);
  const int status =
      Shell(absl::StrCat(CARELOG_BINARY, " ", args, " <", in, " >", out, " 2>", err));
  return CliRun{status, ReadFile(out), ReadFile(err)};
}

class UserCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(mkdir(dir_.Sub("store").c_str(), 0700), 0); }
  std::string Store() const { return absl::StrCat("--store ", dir_.Sub("store")); }
  std::string UsersFile() const { return dir_.Sub("store/carelog.users"); }
  TempDir dir_;
};

TEST_F(UserCommandTest, AddListSignInRemove) {
  WriteFile(dir_.Sub("pw"), "jo's long password\n");
  CliRun r = RunCarelog(absl::StrCat("user add ", Store(), " --name jo@council.gov.uk --role "
                                     "iro_manager --password-file ", dir_.Sub("pw")),
                        dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("user 'jo@council.gov.uk' (iro_manager) added to ",
                                            UsersFile())));
  // From stdin, a line ending with \r\n (a file written on Windows).
  r = RunWithStdin(absl::StrCat("user add ", Store(), " --name sam --role qa"),
                   "sam's long password\r\n", dir_);
  ASSERT_EQ(r.status, 0) << r.err;

  struct stat st;
  ASSERT_EQ(stat(UsersFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600);
  const std::string file = ReadFile(UsersFile());
  EXPECT_THAT(file, Not(HasSubstr("long password")));

  auto table = UserTable::Load(UsersFile());
  ASSERT_TRUE(table.ok()) << table.status();
  auto jo = table->Authenticate("jo@council.gov.uk", "jo's long password");
  ASSERT_TRUE(jo.ok()) << jo.status();
  EXPECT_EQ(jo->role, "iro_manager");
  // The line ending is not part of the password.
  EXPECT_TRUE(table->Authenticate("sam", "sam's long password").ok());
  EXPECT_FALSE(table->Authenticate("sam", "sam's long password\r").ok());
  const std::string jo_hash = table->Find("jo@council.gov.uk")->hash.ToString();

  r = RunCarelog(absl::StrCat("user list ", Store()), dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("jo@council.gov.uk iro_manager ",
                                            Rfc3339Utc(table->Find("jo@council.gov.uk")->created))));
  EXPECT_THAT(r.out, HasSubstr("sam qa "));
  EXPECT_THAT(r.out, Not(HasSubstr("scrypt")));
  EXPECT_THAT(r.out, Not(HasSubstr(jo_hash.substr(jo_hash.size() - 64))));

  r = RunCarelog(absl::StrCat("user remove ", Store(), " --name jo@council.gov.uk"), dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunCarelog(absl::StrCat("user list --users ", UsersFile()), dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("jo@")));
  EXPECT_THAT(r.out, HasSubstr("sam qa "));
  table = UserTable::Load(UsersFile());
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->Authenticate("jo@council.gov.uk", "jo's long password").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(UserCommandTest, UsersFlagPicksTheFile) {
  const std::string other = dir_.Sub("elsewhere.users");
  CliRun r = RunWithStdin(absl::StrCat("user add --users ", other, " --name kim --role admin"),
                          "kim's long password\n", dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  auto table = UserTable::Load(other);
  ASSERT_TRUE(table.ok());
  EXPECT_TRUE(table->Authenticate("kim", "kim's long password").ok());
  struct stat st;
  EXPECT_NE(stat(UsersFile().c_str(), &st), 0) << "the store's file was written too";
}

TEST_F(UserCommandTest, RefusesBadInputAndLeavesTheFileAsItWas) {
  ASSERT_EQ(RunWithStdin(absl::StrCat("user add ", Store(), " --name kim --role admin"),
                         "kim's long password\n", dir_)
                .status,
            0);
  const std::string before = ReadFile(UsersFile());
  const struct {
    std::string args;
    std::string stdin_text;
    int status;
    std::string says;
  } cases[] = {
      {"user add --name lee --role qa", "short pw\n", 1, "at least 12 characters"},
      {"user add --name lee --role qa", "\n", 1, "the password is empty"},
      {"user add --name lee --role qa", "", 1, "no password in stdin"},
      {"user add --name lee --role writer", "lee's long password\n", 1,
       "unknown role 'writer' (roles: iro_manager, auditor, qa, admin)"},
      {"user add --name 'lee smith' --role qa", "lee's long password\n", 1,
       "bad user name 'lee smith'"},
      {"user add --name kim --role qa", "another long password\n", 1,
       "user 'kim' is already in"},
      {"user add --name lee --role qa --password-file /nonexistent/pw", "", 1,
       "cannot read the password file /nonexistent/pw"},
      {"user remove --name lee", "", 1, "no user 'lee' in"},
      {"user add --role qa", "", 2, "user add needs --name NAME"},
      {"user add --name lee", "", 2, "user add needs --role iro_manager|auditor|qa|admin"},
      {"user remove", "", 2, "user remove needs --name NAME"},
      {"user rename --name lee", "", 2, "unknown user command 'rename'"},
      {"user", "", 2, "usage: user add"},
      {"user list --name kim", "", 2, "user list takes only --users FILE"},
      {"user add --name lee --role qa --colour red", "", 2, "unknown option --colour"},
  };
  for (const auto& c : cases) {
    CliRun r = RunWithStdin(absl::StrCat(c.args, " ", Store()), c.stdin_text, dir_);
    EXPECT_EQ(r.status, c.status) << c.args << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.says)) << c.args;
    EXPECT_EQ(ReadFile(UsersFile()), before) << c.args;
  }
  // A store directory that does not exist: named, nothing created.
  CliRun r = RunWithStdin(
      absl::StrCat("user add --store ", dir_.Sub("typo"), " --name lee --role qa"),
      "lee's long password\n", dir_);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("no directory ", dir_.Sub("typo"))));
  struct stat st;
  EXPECT_NE(stat(dir_.Sub("typo").c_str(), &st), 0);
}

TEST_F(UserCommandTest, AMalformedFileIsNamedNotOverwritten) {
  WriteFile(UsersFile(), "kim admin\n");
  CliRun r = RunWithStdin(absl::StrCat("user add ", Store(), " --name lee --role qa"),
                          "lee's long password\n", dir_);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(UsersFile(), ":1: want NAME ROLE CREATED")));
  EXPECT_EQ(ReadFile(UsersFile()), "kim admin\n");
  r = RunCarelog(absl::StrCat("user list ", Store()), dir_);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(":1: "));
}

}  // namespace
}  // namespace carelog
