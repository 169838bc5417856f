// The master key and the data keys it wraps (store/master_key.h): the key
// file is created owner-only and never overwritten, refused when others may
// read it, malformed files and hex are named; a data key unwraps only with
// its master key and for its own stream, and a wrong key, a tampered wrapped
// key or one moved to another case each give a clear error and no key.
#include "store/master_key.h"

#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace carelog {
namespace {

using ::carelog::testing::TempDir;
using ::testing::HasSubstr;

TEST(MasterKeyTest, NewKeyFileIsOwnerOnlyReadableAndNeverOverwritten) {
  TempDir dir;
  const std::string path = dir.Sub("master.key");
  ASSERT_TRUE(WriteNewMasterKeyFile(path).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = ReadMasterKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string text = carelog::testing::ReadFile(path);
  EXPECT_TRUE(text.starts_with("carelog-master-key 1 "));
  EXPECT_EQ(text.size(), 21u + 64u + 1u);
  const std::string before = text;
  absl::Status again = WriteNewMasterKeyFile(path);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(carelog::testing::ReadFile(path), before);
  EXPECT_EQ(MasterKeyId(*key).size(), 16u);
}

TEST(MasterKeyTest, AKeyFileOthersMayReadIsRefused) {
  TempDir dir;
  const std::string path = dir.Sub("master.key");
  ASSERT_TRUE(WriteNewMasterKeyFile(path).ok());
  for (mode_t mode : {0640, 0604, 0610}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    auto key = ReadMasterKeyFile(path);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    EXPECT_THAT(key.status().message(), HasSubstr("chmod 600 " + path));
  }
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(ReadMasterKeyFile(path).ok());
  EXPECT_EQ(ReadMasterKeyFile(dir.Sub("absent")).status().code(), absl::StatusCode::kNotFound);
}

TEST(MasterKeyTest, MalformedFilesAndHexAreNamed) {
  TempDir dir;
  const std::string path = dir.Sub("bad.key");
  carelog::testing::WriteFile(path, "not a key\n");
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  auto key = ReadMasterKeyFile(path);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(path + ": not a carelog master key file"));
  carelog::testing::WriteFile(path, "carelog-master-key 1 abcd\n");
  EXPECT_THAT(ReadMasterKeyFile(path).status().message(), HasSubstr("64 hex digits"));
  auto env = ParseMasterKeyHex(std::string(63, 'a') + "g", "$CARELOG_MASTER_KEY");
  EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(env.status().message(), HasSubstr("$CARELOG_MASTER_KEY"));
  auto good = ParseMasterKeyHex("  " + std::string(64, 'A') + "\n", "$CARELOG_MASTER_KEY");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->bytes(), std::string(32, '\xaa'));
}

TEST(MasterKeyTest, DataKeysUnwrapOnlyWithTheirMasterAndStream) {
  const SecretKey master = *SecretKey::Generate();
  const SecretKey data = *SecretKey::Generate();
  auto wrapped = WrapDataKey(master, "C-1", data);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status();
  EXPECT_EQ(wrapped->size(), kWrappedDataKeyBytes);
  EXPECT_EQ(wrapped->find(std::string(data.bytes())), std::string::npos);
  auto back = UnwrapDataKey(master, "C-1", *wrapped);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->bytes(), data.bytes());

  const SecretKey other = *SecretKey::Generate();
  auto wrong = UnwrapDataKey(other, "C-1", *wrapped);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(wrong.status().message(), HasSubstr("wrapped by master key " + MasterKeyId(master)));
  EXPECT_THAT(wrong.status().message(), HasSubstr("given is " + MasterKeyId(other)));

  auto moved = UnwrapDataKey(master, "C-2", *wrapped);
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(moved.status().message(), HasSubstr("does not authenticate"));

  for (size_t i = 1 + kMasterKeyIdBytes; i < wrapped->size(); ++i) {
    std::string bad = *wrapped;
    bad[i] = static_cast<char>(bad[i] ^ 0x80);
    EXPECT_EQ(UnwrapDataKey(master, "C-1", bad).status().code(), absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
  EXPECT_EQ(UnwrapDataKey(master, "C-1", wrapped->substr(1)).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace carelog
