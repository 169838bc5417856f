// Signed heads on the command line: `carelog keygen`, `carelog head --signed
// --key`, `carelog verify --head SIGNED --pubkey` (store/signed_head.h).
#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::RunCarelog;
using ::carelog::testing::Shell;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST(SignedHeadTest, SignedHeadVerifiesAndAnAlteredOneDoesNot) {
  TempDir dir;
  const std::string store = dir.Sub("s"), key = dir.Sub("key"), events = dir.Sub("e.ndjson");
  // The first 100 events now, the rest after the head is signed.
  ASSERT_EQ(Shell(absl::StrCat(CARELOG_BINARY, " gen --children 3 --years 1 --seed 5 >", events)), 0);
  ASSERT_EQ(Shell(absl::StrCat("head -n 100 ", events, " >", events, ".1; tail -n +101 ", events,
                               " >", events, ".2")), 0);
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", store, " ", events, ".1"), dir).status, 0);

  auto k = RunCarelog(absl::StrCat("keygen --key ", key), dir);
  ASSERT_EQ(k.status, 0) << k.err;
  struct stat st;
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A key is never overwritten.
  EXPECT_EQ(RunCarelog(absl::StrCat("keygen --key ", key), dir).status, 1);

  const std::string plain = FirstLine(RunCarelog(absl::StrCat("head --store ", store), dir).out);
  ASSERT_THAT(plain, StartsWith("100:"));
  auto h = RunCarelog(absl::StrCat("head --store ", store, " --signed --key ", key), dir);
  ASSERT_EQ(h.status, 0) << h.err;
  const std::string signed_head = FirstLine(h.out);
  EXPECT_THAT(signed_head, StartsWith(plain + ":ed25519:"));
  EXPECT_EQ(signed_head.size(), plain.size() + 9 + 128);

  // Checked now, and after more events.
  auto v = RunCarelog(
      absl::StrCat("verify --store ", store, " --head ", signed_head, " --pubkey ", key, ".pub"), dir);
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("signature verified"));
  ASSERT_EQ(RunCarelog(absl::StrCat("import --store ", store, " ", events, ".2"), dir).status, 0);
  v = RunCarelog(
      absl::StrCat("verify --store ", store, " --head ", signed_head, " --pubkey ", key, ".pub"), dir);
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_THAT(v.out, ::testing::Not(HasSubstr("head " + plain + ";"))) << "the log grew";

  // A signed head needs the public key.
  EXPECT_EQ(RunCarelog(absl::StrCat("verify --store ", store, " --head ", signed_head), dir).status, 2);
  // Another size, root or signature under the same key: refused.
  std::string altered = signed_head;
  altered[altered.size() - 1] = altered.back() == '0' ? '1' : '0';
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head ", altered, " --pubkey ", key, ".pub"), dir);
  EXPECT_EQ(v.status, 1);
  EXPECT_THAT(v.err, HasSubstr("does not verify"));
  altered = signed_head;
  altered[plain.size() - 1] = altered[plain.size() - 1] == 'a' ? 'b' : 'a';
  v = RunCarelog(absl::StrCat("verify --store ", store, " --head ", altered, " --pubkey ", key, ".pub"), dir);
  EXPECT_EQ(v.status, 1);
  // Another key.
  ASSERT_EQ(RunCarelog(absl::StrCat("keygen --key ", key, "2"), dir).status, 0);
  v = RunCarelog(
      absl::StrCat("verify --store ", store, " --head ", signed_head, " --pubkey ", key, "2.pub"), dir);
  EXPECT_EQ(v.status, 1);
  // A private key others can read is refused.
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  h = RunCarelog(absl::StrCat("head --store ", store, " --signed --key ", key), dir);
  EXPECT_EQ(h.status, 1);
  EXPECT_THAT(h.err, HasSubstr("owner-only"));
  EXPECT_EQ(h.out, "");
}

}  // namespace
}  // namespace carelog
