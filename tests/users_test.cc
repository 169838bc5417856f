// store/users.h: the web application's users file, its password hashes and
// sign-in check.
#include "store/users.h"

#include <sys/stat.h>

#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/base/hex.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::ReadFile;
using ::carelog::testing::TempDir;
using ::carelog::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const absl::Time kCreated = absl::FromUnixSeconds(1764675600);  // 2025-12-02T11:40:00Z

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(UsersTest, RoundTripThroughAnOwnerOnlyFile) {
  TempDir dir;
  const std::string path = dir.Sub("carelog.users");
  auto empty = UserTable::Load(path);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->entries().empty());

  UserTable table;
  ASSERT_TRUE(table.Add("jo.iro@council.gov.uk", "iro_manager", "correct horse battery", kCreated).ok());
  ASSERT_TRUE(table.Add("sam-qa", "qa", "another long passphrase", kCreated + absl::Hours(1)).ok());
  // A file left world-readable by hand must come out owner-only.
  WriteFile(path, "");
  chmod(path.c_str(), 0644);
  const mode_t old_umask = umask(022);
  const absl::Status saved = table.Save(path);
  umask(old_umask);
  ASSERT_TRUE(saved.ok()) << saved;
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_THAT(ReadFile(path), Not(HasSubstr("correct horse")));

  auto loaded = UserTable::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->entries().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const UserEntry& a = table.entries()[i];
    const UserEntry& b = loaded->entries()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.role, b.role);
    EXPECT_EQ(a.created, b.created);
    EXPECT_EQ(a.hash.ToString(), b.hash.ToString());
  }
  EXPECT_EQ(loaded->entries()[1].created, kCreated + absl::Hours(1));
  EXPECT_EQ(loaded->Serialize(), table.Serialize());

  auto jo = loaded->Authenticate("jo.iro@council.gov.uk", "correct horse battery");
  ASSERT_TRUE(jo.ok()) << jo.status();
  EXPECT_EQ(jo->role, "iro_manager");
  auto sam = loaded->Authenticate("sam-qa", "another long passphrase");
  ASSERT_TRUE(sam.ok()) << sam.status();
  EXPECT_EQ(sam->role, "qa");
  // One user's password is not another's.
  EXPECT_EQ(loaded->Authenticate("sam-qa", "correct horse battery").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UsersTest, NewHashesUseTheDocumentedParametersAndFreshSalts) {
  UserTable table;
  ASSERT_TRUE(table.Add("a", "admin", "the same password", kCreated).ok());
  ASSERT_TRUE(table.Add("b", "admin", "the same password", kCreated).ok());
  const PasswordHash& a = table.entries()[0].hash;
  const PasswordHash& b = table.entries()[1].hash;
  EXPECT_EQ(a.n, uint64_t{1} << 15);
  EXPECT_EQ(a.r, 8u);
  EXPECT_EQ(a.p, 1u);
  EXPECT_EQ(a.salt.size(), 16u);
  EXPECT_EQ(a.key.size(), 32u);
  EXPECT_THAT(a.ToString(), StartsWith("scrypt:32768:8:1:"));
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.key, b.key);
}

TEST(UsersTest, WrongPasswordAndUnknownUserGetTheSameRefusal) {
  UserTable table;
  ASSERT_TRUE(table.Add("alex", "auditor", "a good long password", kCreated).ok());
  auto wrong = table.Authenticate("alex", "a good long passworD");
  auto unknown = table.Authenticate("alexa", "a good long password");
  auto empty = table.Authenticate("alex", "");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.status(), wrong.status());
  EXPECT_EQ(empty.status(), wrong.status());
  EXPECT_THAT(std::string(unknown.status().message()), Not(HasSubstr("alex")));
}

TEST(UsersTest, UnknownUserStillCostsAScrypt) {
  // Timing is noisy on a shared machine: compare the cheapest of a few tries,
  // and only claim the unknown name is not many times faster.
  UserTable table;
  ASSERT_TRUE(table.Add("alex", "auditor", "a good long password", kCreated).ok());
  auto cheapest = [&](const char* name) {
    absl::Duration best = absl::InfiniteDuration();
    for (int i = 0; i < 3; ++i) {
      const absl::Time start = absl::Now();
      (void)table.Authenticate(name, "not the password!");
      best = std::min(best, absl::Now() - start);
    }
    return best;
  };
  const absl::Duration known = cheapest("alex");
  const absl::Duration unknown = cheapest("nobody");
  EXPECT_GT(unknown * 3, known) << "known " << known << ", unknown " << unknown;
}

TEST(UsersTest, TheDummyScryptOfAnUnknownNameCostsWhatTheUsersCost) {
  // A file whose users have cheap parameters: an unknown name must not take
  // the (32 times dearer) default scrypt, or its slowness would give it away.
  const std::string salt = "0123456789abcdef";
  unsigned char key[32];
  ASSERT_EQ(EVP_PBE_scrypt("cheap but long password", 23,
                           reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), 1024,
                           8, 1, 0, key, sizeof key),
            1);
  auto table = UserTable::Parse(absl::StrCat("cheap qa 2020-01-01T00:00:00Z scrypt:1024:8:1:",
                                             HexOf(salt), ":", HexOf(key, sizeof key), "\n"),
                                "u");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_TRUE(table->Authenticate("cheap", "cheap but long password").ok());
  auto cheapest = [&](const char* name) {
    absl::Duration best = absl::InfiniteDuration();
    for (int i = 0; i < 5; ++i) {
      const absl::Time start = absl::Now();
      (void)table->Authenticate(name, "not the password!");
      best = std::min(best, absl::Now() - start);
    }
    return best;
  };
  const absl::Duration known = cheapest("cheap");
  const absl::Duration unknown = cheapest("nobody");
  EXPECT_LT(unknown, known * 8) << "known " << known << ", unknown " << unknown;
}

TEST(UsersTest, AHashWithAnotherSaltDoesNotVerify) {
  UserTable table;
  ASSERT_TRUE(table.Add("a", "qa", "shared password 1", kCreated).ok());
  ASSERT_TRUE(table.Add("b", "qa", "shared password 1", kCreated).ok());
  const PasswordHash& a = table.entries()[0].hash;
  const PasswordHash& b = table.entries()[1].hash;
  // a's key under b's salt: the password is right, the line is not.
  const std::string text = absl::StrCat("a qa 2025-12-02T11:40:00Z scrypt:32768:8:1:", HexOf(b.salt),
                                        ":", HexOf(a.key), "\n");
  auto mixed = UserTable::Parse(text, "users");
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->Authenticate("a", "shared password 1").status().code(),
            absl::StatusCode::kUnauthenticated);
  // The same line with its own salt does.
  auto own = UserTable::Parse(absl::StrCat("a qa 2025-12-02T11:40:00Z ", a.ToString(), "\n"), "u");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_TRUE(own->Authenticate("a", "shared password 1").ok());
}

TEST(UsersTest, TheParametersComeFromTheLine) {
  // A hash made outside carelog with other (cheaper) parameters verifies, so
  // raising the defaults later leaves old lines working.
  const std::string salt = "0123456789abcdef";
  unsigned char key[32];
  ASSERT_EQ(EVP_PBE_scrypt("old but long password", 21,
                           reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), 1024,
                           4, 2, 0, key, sizeof key),
            1);
  const std::string line = absl::StrCat("old admin 2020-01-01T00:00:00Z scrypt:1024:4:2:",
                                        HexOf(salt), ":", HexOf(key, sizeof key), "\n");
  auto table = UserTable::Parse(line, "u");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE(table->Authenticate("old", "old but long password").ok());
  EXPECT_FALSE(table->Authenticate("old", "old but long passworc").ok());
  // The same key read with the default parameters does not.
  auto other = UserTable::Parse(absl::StrCat("old admin 2020-01-01T00:00:00Z scrypt:32768:8:1:",
                                             HexOf(salt), ":", HexOf(key, sizeof key), "\n"),
                                "u");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Authenticate("old", "old but long password").ok());
}

TEST(UsersTest, MalformedLinesAreRefusedNamingTheLine) {
  const std::string salt(32, 'a'), key(64, 'b');
  const std::string good =
      absl::StrCat("# users\n\nok qa 2025-12-02T11:40:00Z scrypt:32768:8:1:", salt, ":", key, "\n");
  ASSERT_TRUE(UserTable::Parse(good, "f").ok());
  const std::string hash = absl::StrCat("scrypt:32768:8:1:", salt, ":", key);
  const struct {
    std::string line;
    std::string says;
  } cases[] = {
      {"bob qa 2025-12-02T11:40:00Z", "got 3 fields"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z ", hash, " extra"), "got 5 fields"},
      {absl::StrCat("bob! qa 2025-12-02T11:40:00Z ", hash), "bad user name 'bob!'"},
      {absl::StrCat(std::string(65, 'x'), " qa 2025-12-02T11:40:00Z ", hash), "bad user name"},
      {absl::StrCat("bob writer 2025-12-02T11:40:00Z ", hash), "unknown role 'writer'"},
      {absl::StrCat("bob qa yesterday ", hash), "bad created time 'yesterday'"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z bcrypt:32768:8:1:", salt, ":", key), "scrypt:N:R:P"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:30000:8:1:", salt, ":", key), "power of two"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:32768:0:1:", salt, ":", key), "R must be"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:131072:1:1:", salt, ":", key), "too large for R=1"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:1048576:64:1:", salt, ":", key), "256 MiB"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:32768:8:1:abcd:", key), "salt"},
      {absl::StrCat("bob qa 2025-12-02T11:40:00Z scrypt:32768:8:1:", salt, ":zz"), "key"},
      {absl::StrCat("ok admin 2025-12-02T11:40:00Z ", hash), "user name 'ok' appears twice"},
  };
  for (const auto& c : cases) {
    auto t = UserTable::Parse(absl::StrCat(good, c.line, "\n"), "f");
    ASSERT_FALSE(t.ok()) << c.line;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(std::string(t.status().message()), StartsWith("f:4: ")) << c.line;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr(c.says)) << c.line;
  }
  // Load names the file.
  TempDir dir;
  WriteFile(dir.Sub("u"), absl::StrCat(good, "broken\n"));
  auto loaded = UserTable::Load(dir.Sub("u"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(std::string(loaded.status().message()), StartsWith(absl::StrCat(dir.Sub("u"), ":4: ")));
}

TEST(UsersTest, AddRefusesDuplicatesBadNamesRolesAndShortPasswords) {
  UserTable table;
  ASSERT_TRUE(table.Add("kim", "admin", "twelve chars", kCreated).ok());  // exactly 12
  EXPECT_EQ(table.Add("kim", "qa", "another password", kCreated).code(),
            absl::StatusCode::kAlreadyExists);
  const absl::Status short_pw = table.Add("lee", "qa", "eleven char", kCreated);
  EXPECT_EQ(short_pw.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(short_pw.message()), HasSubstr("at least 12 characters"));
  // Characters, not bytes: 11 two-byte letters are still 11.
  std::string accented;
  for (int i = 0; i < 11; ++i) accented += "\xc3\xa9";
  EXPECT_EQ(table.Add("lee", "qa", accented, kCreated).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(table.Add("lee", "qa", accented + "\xc3\xa9", kCreated).ok());
  EXPECT_EQ(table.Add("has space", "qa", "long enough password", kCreated).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.Add("", "qa", "long enough password", kCreated).code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status bad_role = table.Add("max", "writer", "long enough password", kCreated);
  EXPECT_EQ(bad_role.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_role.message()), HasSubstr("iro_manager, auditor, qa, admin"));
  EXPECT_EQ(table.Add("max", "qa", std::string(kMaxPasswordBytes + 1, 'x'), kCreated).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(table.entries().size(), 2u);
}

TEST(UsersTest, RemovedUsersCannotSignIn) {
  TempDir dir;
  UserTable table;
  ASSERT_TRUE(table.Add("kim", "admin", "kims long password", kCreated).ok());
  ASSERT_TRUE(table.Add("lee", "qa", "lees long password", kCreated).ok());
  EXPECT_EQ(table.Remove("nobody").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(table.Remove("kim").ok());
  ASSERT_TRUE(table.Save(dir.Sub("u")).ok());
  auto loaded = UserTable::Load(dir.Sub("u"));
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->entries().size(), 1u);
  EXPECT_EQ(loaded->entries()[0].name, "lee");
  EXPECT_EQ(loaded->Authenticate("kim", "kims long password").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UsersTest, ConcurrentSignInsOnOneTable) {
  UserTable table;
  ASSERT_TRUE(table.Add("a", "qa", "password of a!", kCreated).ok());
  ASSERT_TRUE(table.Add("b", "auditor", "password of b!", kCreated).ok());
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const bool is_a = i % 2 == 0;
      auto u = table.Authenticate(is_a ? "a" : "b", is_a ? "password of a!" : "password of b!");
      ok[i] = u.ok() && u->name == (is_a ? "a" : "b");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

}  // namespace
}  // namespace carelog
