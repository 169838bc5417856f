// store/base/coding.h: fixed-width and varint integer coding.
#include "store/base/coding.h"

#include "gtest/gtest.h"

namespace carelog {
namespace {

TEST(CodingTest, Fixed32And64AreLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0c0b0a0908070605ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", 12));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0c0b0a0908070605ull);
  char buf[8];
  EncodeFixed64(buf, 0x0c0b0a0908070605ull);
  EXPECT_EQ(std::string(buf, 8), s.substr(4));
}

TEST(CodingTest, Fixed64BigEndianSortsAsNumbers) {
  std::string a, b;
  PutFixed64BE(&a, 255);
  PutFixed64BE(&b, 256);
  EXPECT_EQ(a, std::string("\0\0\0\0\0\0\0\xff", 8));
  EXPECT_LT(a, b);
  EXPECT_EQ(DecodeFixed64BE(b.data()), 256u);
}

TEST(CodingTest, FixedRoundTripsExtremes) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, ~uint64_t{0}, uint64_t{1} << 63}) {
    std::string le, be;
    PutFixed64(&le, v);
    PutFixed64BE(&be, v);
    EXPECT_EQ(DecodeFixed64(le.data()), v);
    EXPECT_EQ(DecodeFixed64BE(be.data()), v);
  }
  std::string s;
  PutFixed32(&s, ~uint32_t{0});
  EXPECT_EQ(DecodeFixed32(s.data()), ~uint32_t{0});
}

TEST(CodingTest, Varint32RoundTripsAndIsShortest) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 0xffffffffu}) {
    std::string s;
    PutVarint32(&s, v);
    EXPECT_EQ(s.size(), v < 128 ? 1u : v < 16384 ? 2u : v < (1u << 21) ? 3u : 5u) << v;
    std::string_view in = s;
    uint32_t got = 0;
    ASSERT_TRUE(GetVarint32(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
  std::string s;
  PutVarint32(&s, 300);
  EXPECT_EQ(s, "\xac\x02");
}

TEST(CodingTest, Varint32RefusesTruncatedOverlongAndOversized) {
  uint32_t v = 7;
  std::string_view truncated("\x80", 1);
  EXPECT_FALSE(GetVarint32(&truncated, &v));
  std::string_view empty;
  EXPECT_FALSE(GetVarint32(&empty, &v));
  // 1 spelled in two bytes: not the canonical form.
  std::string_view overlong("\x81\x00", 2);
  EXPECT_FALSE(GetVarint32(&overlong, &v));
  // More than 32 bits.
  std::string_view big("\xff\xff\xff\xff\x1f", 5);
  EXPECT_FALSE(GetVarint32(&big, &v));
  std::string_view six("\xff\xff\xff\xff\x8f\x01", 6);
  EXPECT_FALSE(GetVarint32(&six, &v));
  EXPECT_EQ(v, 7u);
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutVarint32(&s, 3);
  s += "abcde";
  std::string_view in = s;
  std::string out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(in, "de");
  std::string short_input;
  PutVarint32(&short_input, 9);
  short_input += "abc";
  std::string_view in2 = short_input;
  EXPECT_FALSE(GetLengthPrefixed(&in2, &out));
}

}  // namespace
}  // namespace carelog
