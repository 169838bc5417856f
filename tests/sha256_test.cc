// store/base/sha256.h: the SHA-256 wrapper (FIPS 180-2 test vectors).
#include "store/base/sha256.h"

#include "gtest/gtest.h"

#include "store/base/hex.h"

namespace carelog {
namespace {

constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), kEmpty);
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(HexOf(Sha256Of("abc")), kAbc);
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256 h;
  h.Update("a").Update(std::string_view("")).Update("bc", 2);
  EXPECT_EQ(h.Finish(), Sha256Of("abc"));
}

TEST(Sha256Test, DigestBytesAreTheRawDigest) {
  const std::string raw = DigestBytes(Sha256Of("abc"));
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(HexOf(raw), kAbc);
}

}  // namespace
}  // namespace carelog
