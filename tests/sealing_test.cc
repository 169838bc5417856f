// Sealing (store/sealing.h): AES-256-GCM round trips, a fresh nonce each
// time, and every way a sealed value can fail to open — another key, other
// associated data, a flipped byte anywhere, a cut, an unknown version — is
// kDataLoss and returns nothing.
#include "store/sealing.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace carelog {
namespace {

using ::testing::HasSubstr;

SecretKey Key() { return *SecretKey::Generate(); }

TEST(SealingTest, OpensWhatItSealedAndHidesIt) {
  const SecretKey k = Key();
  const std::string text = "Jemima Puddleduck, born 1998-07-14, placed at 3 Acacia Avenue";
  auto sealed = Seal(k, "C-1/7", text);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), text.size() + kSealOverheadBytes);
  EXPECT_EQ(sealed->find("Jemima"), std::string::npos);
  EXPECT_EQ(sealed->find("1998-07-14"), std::string::npos);
  auto opened = Open(k, "C-1/7", *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, text);
  // An empty plaintext and empty associated data seal too.
  auto empty = Seal(k, "", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*Open(k, "", *empty), "");
}

TEST(SealingTest, EverySealHasItsOwnNonce) {
  const SecretKey k = Key();
  EXPECT_NE(*Seal(k, "a", "same bytes"), *Seal(k, "a", "same bytes"));
}

TEST(SealingTest, AnotherKeyOrPlaceDoesNotOpen) {
  const SecretKey k = Key();
  const std::string sealed = *Seal(k, "C-1", "record");
  auto other_key = Open(Key(), "C-1", sealed);
  EXPECT_EQ(other_key.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(other_key.status().message(), HasSubstr("does not authenticate"));
  EXPECT_EQ(Open(k, "C-2", sealed).status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealingTest, EveryFlippedByteAndEveryCutIsDataLoss) {
  const SecretKey k = Key();
  const std::string sealed = *Seal(k, "C-1", "a record of twenty-nine bytes");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(Open(k, "C-1", bad).status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
  }
  for (size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_EQ(Open(k, "C-1", sealed.substr(0, n)).status().code(), absl::StatusCode::kDataLoss)
        << n << " bytes";
  }
  std::string v2 = sealed;
  v2[0] = 2;
  EXPECT_THAT(Open(k, "C-1", v2).status().message(), HasSubstr("unknown version 2"));
}

TEST(SealingTest, KeysAreExactlyThirtyTwoBytesAndMovesLeaveNothing) {
  EXPECT_EQ(SecretKey::FromBytes("short").status().code(), absl::StatusCode::kInvalidArgument);
  SecretKey a = *SecretKey::FromBytes(std::string(32, 'k'));
  EXPECT_EQ(a.bytes(), std::string(32, 'k'));
  SecretKey b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(a.bytes(), std::string(32, '\0'));
  EXPECT_EQ(b.Copy().bytes(), std::string(32, 'k'));
  EXPECT_EQ(Seal(a, "", "x").status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace carelog
