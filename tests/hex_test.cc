// store/base/hex.h: the hex encoder and parser.
#include "store/base/hex.h"

#include "gtest/gtest.h"

namespace carelog {
namespace {

TEST(HexTest, EncodesLowerCaseTwoDigitsAByte) {
  EXPECT_EQ(HexOf(std::string_view("\x00\x0f\xab\xff", 4)), "000fabff");
  EXPECT_EQ(HexOf(""), "");
  const uint8_t bytes[] = {0xde, 0xad};
  EXPECT_EQ(HexOf(bytes, 2), "dead");
  EXPECT_EQ(HexOf(std::array<uint8_t, 2>{0x01, 0xa0}), "01a0");
}

TEST(HexTest, ParsesEitherCase) {
  std::string out;
  ASSERT_TRUE(ParseHex("00FFaB", &out));
  EXPECT_EQ(out, std::string("\x00\xff\xab", 3));
  ASSERT_TRUE(ParseHex("", &out));
  EXPECT_EQ(out, "");
}

TEST(HexTest, RefusesOddLengthAndNonDigitsLeavingOutputAlone) {
  std::string out = "kept";
  EXPECT_FALSE(ParseHex("abc", &out));
  EXPECT_FALSE(ParseHex("zz", &out));
  EXPECT_FALSE(ParseHex("0x00", &out));
  EXPECT_FALSE(ParseHex("ab ", &out));
  EXPECT_EQ(out, "kept");
}

TEST(HexTest, FixedSizeWantsExactlyTwiceTheBytes) {
  std::array<uint8_t, 2> a{9, 9};
  EXPECT_FALSE(ParseHex("abc", &a));
  EXPECT_FALSE(ParseHex("abcdef", &a));
  EXPECT_FALSE(ParseHex("abcg", &a));
  EXPECT_EQ(a, (std::array<uint8_t, 2>{9, 9}));
  ASSERT_TRUE(ParseHex("ABcd", &a));
  EXPECT_EQ(a, (std::array<uint8_t, 2>{0xab, 0xcd}));
}

TEST(HexTest, RoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string back;
  ASSERT_TRUE(ParseHex(HexOf(all), &back));
  EXPECT_EQ(back, all);
}

}  // namespace
}  // namespace carelog
